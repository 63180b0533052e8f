"""Split a whole-table Great Expectations suite result into one result per municipality."""

from __future__ import annotations

import copy
import logging
from collections import Counter

import pandas as pd

from pipeline import schema

log = logging.getLogger(__name__)

# Every failing row names its municipality, delivery file and spreadsheet row number.
INDEX_COLUMNS = ["municipality_code", "source_file", "source_row"]
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    "return_unexpected_index_query": False,
}


def result_format(dataset: str) -> dict:
    """RESULT_FORMAT, with the dataset's own columns that name a failing row (schema.index_columns)."""
    info = schema.DATASETS.get(dataset)
    extra = [c for c in (info.index_columns if info else ()) if c not in INDEX_COLUMNS]
    return {**RESULT_FORMAT, "unexpected_index_column_names": INDEX_COLUMNS + extra}


def split_by_municipality(whole: dict, frame: pd.DataFrame, codes: list[int]) -> dict[int, dict]:
    """One GX suite result per municipality, as if GX had run on that municipality's rows alone.

    Unexpected rows are assigned by their municipality_code; element and missing counts, success and
    percentages are recomputed with GX's own rules for the municipality's rows (tests compare this
    with direct per-municipality runs).
    """
    partial = int(RESULT_FORMAT.get("partial_unexpected_count", 20))
    codes_col = frame["municipality_code"]
    out = {code: [] for code in codes}
    for result in whole.get("results", []):
        res = result.get("result") or {}
        if "unexpected_index_list" not in res or exception_message(result.get("exception_info")):
            for code in codes:  # table-level (same table for all) or an error: applies to everyone
                out[code].append(copy.deepcopy(result))
            continue
        config_ = result["expectation_config"]
        kwargs = config_["kwargs"]
        domain = _condition_mask(frame, kwargs.get("row_condition"))
        element = domain.groupby(codes_col).sum()
        has_missing = "missing_count" in res
        if has_missing:
            if "column_list" in kwargs:
                present = frame[kwargs["column_list"]].notna()
                ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
                considered = (
                    present.any(axis=1)
                    if ignore == "all_values_are_missing"
                    else present.all(axis=1)
                    if ignore == "any_value_is_missing"
                    else pd.Series(True, index=frame.index)
                )
            elif "column_A" in kwargs:
                a, b = frame[kwargs["column_A"]].notna(), frame[kwargs["column_B"]].notna()
                ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
                considered = (
                    a | b
                    if ignore == "both_values_are_missing"
                    else a & b
                    if ignore == "either_value_is_missing"
                    else pd.Series(True, index=frame.index)
                )
            else:
                considered = frame[kwargs["column"]].notna()
            nonnull = (domain & considered).groupby(codes_col).sum()
        values = res.get("unexpected_list") or []
        index = res.get("unexpected_index_list") or []
        by_code: dict[int, list[int]] = {}
        for i, entry in enumerate(index):
            by_code.setdefault(int(entry["municipality_code"]), []).append(i)
        mostly = kwargs.get("mostly", 1) if kwargs.get("mostly") is not None else 1
        for code in codes:
            picked = by_code.get(code, [])
            own_values = [values[i] for i in picked] if len(values) == len(index) else []
            own_index = [index[i] for i in picked]
            element_count = int(element.get(code, 0))
            nonnull_count = int(nonnull.get(code, 0)) if has_missing else None
            unexpected = len(own_index)
            considered_count = nonnull_count if has_missing else element_count
            success = (
                True
                if element_count == 0 or not considered_count
                else (considered_count - unexpected) / considered_count >= mostly
            )
            new = {"element_count": element_count, "unexpected_count": unexpected}
            total_pct = unexpected / element_count * 100 if element_count else None
            if has_missing:
                missing = element_count - nonnull_count
                nonmissing_pct = (
                    (unexpected / nonnull_count * 100) if element_count and nonnull_count else None
                )
                new["unexpected_percent"] = nonmissing_pct
            else:
                new["unexpected_percent"] = total_pct
            new["partial_unexpected_list"] = own_values[:partial]
            if "unexpected_index_column_names" in res:
                new["unexpected_index_column_names"] = res["unexpected_index_column_names"]
            if has_missing:
                new.update(
                    missing_count=missing,
                    missing_percent=missing / element_count * 100 if element_count else None,
                    unexpected_percent_total=total_pct,
                    unexpected_percent_nonmissing=nonmissing_pct,
                )
            new["partial_unexpected_counts"] = _value_counts(own_values, partial)
            new["partial_unexpected_index_list"] = own_index[:partial]
            new["unexpected_list"] = own_values
            new["unexpected_index_list"] = own_index
            out[code].append(
                {
                    **copy.deepcopy({k: v for k, v in result.items() if k != "result"}),
                    "success": bool(success),
                    "result": new,
                }
            )
    return {code: _suite_result(whole, results, code) for code, results in out.items()}


def _condition_mask(frame: pd.DataFrame, condition) -> pd.Series:
    """The rows a GX row_condition (JSON form) selects, evaluated with pandas."""
    if condition is None:
        return pd.Series(True, index=frame.index)
    kind = condition.get("type") if isinstance(condition, dict) else None
    if kind in ("and", "or"):
        masks = [_condition_mask(frame, c) for c in condition["conditions"]]
        combined = masks[0]
        for mask in masks[1:]:
            combined = (combined & mask) if kind == "and" else (combined | mask)
        return combined
    if kind == "nullity":
        column = frame[condition["column"]["name"]]
        return column.isna() if condition["is_null"] else column.notna()
    if kind == "comparison":
        column = frame[condition["column"]["name"]]
        value, op = condition["parameter"], condition["operator"]
        if op in ("IN", "NOT_IN"):  # same semantics as GX's DataFrame.query filter
            mask = column.isin(value)
            return mask if op == "IN" else ~mask
        compare = {
            "==": column.eq,
            "!=": column.ne,
            "<": column.lt,
            "<=": column.le,
            ">": column.gt,
            ">=": column.ge,
        }[op]
        return compare(value).fillna(op == "!=").astype(bool)
    raise ValueError(
        f"row_condition {condition!r} is not supported by the per-municipality split; use a "
        "nullity or comparison condition (see docs/validation.md)"
    )


def _value_counts(values: list, limit: int) -> list[dict]:
    hashable = [
        tuple(v.values()) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v
        for v in values
    ]
    try:
        counted = sorted(Counter(hashable).most_common(limit), key=lambda x: (-x[1], x[0]))
    except TypeError:
        return [{"error": "partial_exception_counts requires a hashable type"}]
    return [{"value": list(k) if isinstance(k, tuple) else k, "count": n} for k, n in counted]


def _suite_result(template: dict, results: list[dict], code: int | None) -> dict:
    evaluated = len(results)
    successful = sum(bool(r["success"]) for r in results)
    out = {
        k: copy.deepcopy(v)
        for k, v in template.items()
        if k not in ("results", "statistics", "success")
    }
    out["success"] = successful == evaluated
    out["results"] = results
    out["statistics"] = {
        "evaluated_expectations": evaluated,
        "successful_expectations": successful,
        "unsuccessful_expectations": evaluated - successful,
        "success_percent": successful / evaluated * 100 if evaluated else None,
    }
    if code is not None:
        out["meta"] = {
            **(out.get("meta") or {}),
            "municipality_code": code,
            "scope": "Resultatet gælder kun denne kommunes rækker. Reglerne på rækkeniveau er kørt "
            "én gang på alle kommuners rækker og fordelt efter municipality_code; "
            "år-til-år-reglerne er kørt på kommunens egen tabel.",
        }
    return out


def merge_results(base: dict, extra: dict) -> dict:
    return _suite_result(base, list(base.get("results", [])) + list(extra.get("results", [])), None)


def first_source_file(gx_json: dict) -> str | None:
    for result in gx_json.get("results", []):
        for entry in (result.get("result") or {}).get("unexpected_index_list") or []:
            if isinstance(entry, dict) and entry.get("source_file"):
                return str(entry["source_file"])
    return None


def exception_message(info) -> str | None:
    if not info:
        return None
    if "raised_exception" in info:
        return (
            (info.get("exception_message") or "ukendt fejl") if info["raised_exception"] else None
        )
    messages = [
        v.get("exception_message") or "ukendt fejl"
        for v in info.values()
        if isinstance(v, dict) and v.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages)) or None


def by_municipality(table: pd.DataFrame) -> dict[int, pd.DataFrame]:
    if "municipality_code" not in table.columns:
        raise ValueError(
            "processed tables must have the provenance column municipality_code; run ingest first"
        )
    return {int(code): frame for code, frame in table.groupby("municipality_code", sort=True)}
