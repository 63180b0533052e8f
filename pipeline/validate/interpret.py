"""Read one Great Expectations suite result as rule outcomes and failure rows with Danish messages."""

from __future__ import annotations

import logging

from pipeline import schema
from pipeline.validate import checks
from pipeline.validate.messages import (
    column_ref,
    condition_phrase,
    count_text,
    emissions_context,
    expected_phrase,
    expected_text,
    location,
    number,
    pct,
    quote,
    raw_value,
    row_ref,
    signed_pct,
    value_phrase,
)
from pipeline.validate.outcomes import ERROR, FAILED, PASSED, SKIPPED, TABLE_LEVEL, rule_row
from pipeline.validate.split import exception_message

log = logging.getLogger(__name__)


def cross_table_checks(year: int, delivered: list[str]) -> tuple[list[dict], list[dict]]:
    failures = checks.completeness(year, delivered)
    failed = {f["rule"] for f in failures}
    rules = []
    for name in checks.COMPLETENESS_RULES:
        rule = checks.RULES[name]
        outcome = FAILED if name in failed else PASSED
        reason = None
        if name == "datasets_complete" and not delivered:
            outcome, reason = (
                SKIPPED,
                "Ikke vurderet: intet datasæt er leveret (se delivery_not_empty).",
            )
        missing = [f["dataset"] for f in failures if f["rule"] == name and f["dataset"]]
        required = [d for d in delivered if d in schema.REQUIRED_DATASETS]
        observed = f"{len(required)} af {len(schema.REQUIRED_DATASETS)} datasæt leveret" + (
            f"; mangler: {', '.join(missing)}" if missing else ""
        )
        rules.append(
            rule_row(
                None,
                name,
                checks.CHECK_TYPE,
                None,
                rule["severity"],
                rule["description"],
                rule["notes"],
                outcome,
                observed,
                None,
                len(missing) if missing else None,
                reason,
            )
        )
    return rules, failures


def interpret(
    dataset, suite, gx_json, source_file, year, skipped, last_year
) -> tuple[list[dict], list[dict]]:
    """Turn one GX suite result into rule outcomes and failure rows, in the suite's order."""
    by_rule = {
        (r["expectation_config"].get("meta") or {}).get("rule"): r
        for r in gx_json.get("results", [])
    }
    rules, failures = [], []
    for exp in suite["expectations"]:
        rule, meta = exp["meta"]["rule"], exp["meta"]
        column = _rule_column(exp)
        base = {
            "dataset": dataset,
            "rule": rule,
            "expectation_type": exp["type"],
            "column": column,
            "severity": exp["severity"],
            "description": exp["description"],
            "note": exp["notes"],
            "kpis": meta.get("kpis", checks.kpis_for(dataset)),
        }
        if rule in skipped:
            rules.append(
                rule_row(
                    **base,
                    outcome=SKIPPED,
                    observed=None,
                    element_count=None,
                    unexpected_count=None,
                    message=skipped[rule],
                )
            )
            continue
        result = by_rule.get(rule)
        if result is None:
            raise RuntimeError(
                f"Great Expectations returned no result for rule {rule} in {dataset}; "
                "check that expectations/*.json loads (tests/unit/test_expectations.py)"
            )
        kwargs = result["expectation_config"]["kwargs"]
        res = result.get("result") or {}
        error = exception_message(result.get("exception_info"))
        fail = {
            "dataset": dataset,
            "rule": rule,
            "expectation_type": exp["type"],
            "column": column,
            "severity": exp["severity"],
            "note": exp["notes"],
        }
        if error:
            message = (
                f"{source_file or dataset}: reglen {rule} kunne ikke kontrolleres, fordi Great "
                f"Expectations fejlede: {error}. Ret leverancen (typisk en manglende kolonne) "
                "og kør valideringen igen."
            )
            failures.append(
                {**fail, "source_file": source_file, "row": None, "value": None, "message": message}
            )
            rules.append(
                rule_row(
                    **base,
                    outcome=ERROR,
                    observed=None,
                    element_count=None,
                    unexpected_count=None,
                    message=message,
                )
            )
            continue
        if exp["type"] in TABLE_LEVEL:
            observed, message, value = _table_level(
                exp, kwargs, res, source_file, dataset, year, last_year.get(rule)
            )
            outcome = PASSED if result["success"] else FAILED
            if outcome == FAILED:
                failures.append(
                    {
                        **fail,
                        "source_file": source_file,
                        "row": None,
                        "value": value,
                        "message": message,
                    }
                )
            rules.append(
                rule_row(
                    **base,
                    outcome=outcome,
                    observed=observed,
                    element_count=None,
                    unexpected_count=None,
                    message=message if outcome == FAILED else None,
                )
            )
            continue
        element_count = int(res.get("element_count") or 0)
        unexpected_count = int(res.get("unexpected_count") or 0)
        outcome = PASSED if result["success"] else FAILED
        rows = _row_failures(exp, kwargs, res, meta, fail, source_file, dataset)
        if outcome == FAILED and not rows:
            rows = [
                {
                    **fail,
                    "source_file": source_file,
                    "row": None,
                    "value": None,
                    "message": f"{source_file or dataset}: {exp['description']} er ikke "
                    f"opfyldt for "
                    f"{count_text(unexpected_count)} af {count_text(element_count)} rækker.",
                }
            ]
        if outcome == FAILED:
            failures += rows
        rules.append(
            rule_row(
                **base,
                outcome=outcome,
                observed=f"{count_text(unexpected_count)} af {count_text(element_count)} rækker fejler",
                element_count=element_count,
                unexpected_count=unexpected_count,
            )
        )
    return rules, failures


def _rule_column(exp: dict) -> str | None:
    kwargs = exp["kwargs"]
    if "column" in kwargs:
        return kwargs["column"]
    if "column_list" in kwargs:
        return ", ".join(c for c in kwargs["column_list"] if c != "municipality_code")
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _row_failures(exp, kwargs, res, meta, fail, source_file, dataset) -> list[dict]:
    rows = []
    compound = kwargs.get("column_list")
    pair = [kwargs["column_A"], kwargs["column_B"]] if "column_A" in kwargs else None
    entries = res.get("unexpected_index_list") or []
    counts: dict[tuple, int] = {}
    if compound:
        for entry in entries:
            key = tuple(entry.get(c) for c in compound)
            counts[key] = counts.get(key, 0) + 1
    for entry in entries:
        where = entry.get("source_file") or source_file
        row = entry.get("source_row")
        row = int(row) if row is not None else None
        if compound:
            shown = [c for c in compound if c != "municipality_code"]
            value = " / ".join(str(entry.get(c)) for c in shown)
            got = (
                f"{'værdien' if len(shown) == 1 else 'kombinationen'} {quote(value)} forekommer "
                f"{count_text(counts[tuple(entry.get(c) for c in compound)])} gange"
            )
            column_text = f"kolonne {', '.join(shown)}"
        elif pair:
            value = " / ".join(str(entry.get(c)) for c in pair)
            got = f"kombinationen {quote(value)}"
            column_text = f"kolonne {', '.join(pair)}"
        else:
            raw = entry.get(kwargs["column"])
            value = raw_value(raw)
            got = value_phrase(dataset, kwargs["column"], raw)
            column_text = column_ref(dataset, where, kwargs["column"], entry)
        if dataset == "emissions":
            column_text += emissions_context(entry)
        expected = expected_text(meta.get("expected"), kwargs) or expected_phrase(
            exp["type"], kwargs, dataset
        )
        condition = condition_phrase(kwargs.get("row_condition"))
        message = (
            f"{where}, {location(where, row)}, {column_text}: {got}; "
            f"forventet {expected}{condition}."
        )
        rows.append(
            {**fail, "source_file": where, "row": row_ref(where, row), "value": value, "message": message}
        )
    return rows


def _table_level(
    exp, kwargs, res, source_file, dataset, year, last_year
) -> tuple[str, str | None, str | None]:
    """(observed text, failure message, value) for table-level expectations."""
    where = source_file or dataset
    observed_value = res.get("observed_value")
    if exp["type"] == "expect_table_columns_to_match_set":
        mismatched = ((res.get("details") or {}).get("mismatched")) or {}
        missing = mismatched.get("missing") or []
        unexpected = mismatched.get("unexpected") or []
        parts = ([f"mangler: {', '.join(missing)}"] if missing else []) + (
            [f"uventede: {', '.join(unexpected)}"] if unexpected else []
        )
        observed = f"{len(observed_value or [])} kolonner" + (
            f" ({'; '.join(parts)})" if parts else ""
        )
        message = (
            f"{where}: kolonnerne svarer ikke til leveranceformatet for {dataset} – "
            f"{'; '.join(parts) or 'se kolonnelisten'}. Ret kolonneoverskrifterne i leverancen."
        )
        return observed, message, ", ".join(missing + unexpected) or None
    if (
        exp["meta"].get("check") == checks.YEAR_OVER_YEAR
        and last_year
        and observed_value is not None
    ):
        before, low, high = last_year
        change = checks.year_over_year_change(float(observed_value), before)
        limit = exp["meta"]["max_relative_change_pct"]
        observed = (
            f"{number(observed_value)} i {year}, {number(before)} i {year - 1} "
            f"(ændring {signed_pct(change)} %; tilladt {number(low)}–{number(high)})"
        )
        direction = "steget" if change > 0 else "faldet"
        message = (
            f"{exp['meta']['subject']} er {direction} med {pct(abs(change))} % "
            f"fra {year - 1} til {year} "
            f"(over ±{pct(limit)} %)."
        )
        return observed, message, raw_value(observed_value)
    observed = (
        number(observed_value) if isinstance(observed_value, (int, float)) else str(observed_value)
    )
    return (
        observed,
        f"{where}: {exp['description']} er ikke opfyldt (observeret: {observed}).",
        raw_value(observed_value),
    )
