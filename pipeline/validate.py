"""Validate processed tables with Great Expectations and gate publication on the worst failure."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
import logging
import math
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import checks, config, publish, registry, schema

log = logging.getLogger(__name__)

# Every failing row names its municipality, delivery file and spreadsheet row number.
INDEX_COLUMNS = ["municipality_code", "source_file", "source_row"]
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    "return_unexpected_index_query": False,
}
PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
TABLE_LEVEL = {
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_be_between",
    "expect_column_sum_to_be_between",
}
MONTHS_DA = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass
class MunicipalityValidation:
    """One municipality and year: status, failures, caveats and the GX results."""

    code: int
    name: str
    slug: str
    year: int
    status: str  # "published" | "blocked"
    highest_failed_severity: str | None  # "critical" | "warning" | "info" | None
    datasets_delivered: list[str]
    datasets_missing: list[str]
    rules_checked: int
    failures: dict[str, int]  # failed rules per severity
    failures_detail: list[dict]  # one entry per failing row (or per failed table-level rule)
    caveats: list[dict]  # failed warnings, mapped to the KPIs they affect
    # every rule with its outcome (the auditor's page)
    rules: list[dict] = field(default_factory=list)
    gx_results: dict[str, dict] = field(default_factory=dict)  # dataset -> GX suite result JSON
    suite_versions: dict[str, str] = field(default_factory=dict)
    source_files: dict[str, str] = field(default_factory=dict)  # dataset -> delivery file

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def page(self) -> str:
        """The auditor's page, relative to reports/<YEAR>/."""
        return f"validation/{self.slug}.html"

    def summary(self) -> dict:
        """The compact summary the report reads (shape: docs/architecture.md)."""
        return {
            "municipality_code": self.code,
            "municipality": self.name,
            "year": self.year,
            "status": self.status,
            "highest_failed_severity": self.highest_failed_severity,
            "datasets_delivered": list(self.datasets_delivered),
            "datasets_missing": list(self.datasets_missing),
            "rules_checked": self.rules_checked,
            "failures": dict(self.failures),
            "caveats": list(self.caveats),
            "failures_detail": list(self.failures_detail),
            "page": self.page,
        }

    def results_document(self) -> dict:
        """`<code>-<slug>.json`: the raw GX results per dataset plus every rule's outcome."""
        return {
            "municipality_code": self.code,
            "municipality": self.name,
            "year": self.year,
            "great_expectations_version": _gx_version(self.gx_results),
            "suite_versions": dict(self.suite_versions),
            "source_files": dict(self.source_files),
            "rules": list(self.rules),
            "results": dict(self.gx_results),
        }

    @classmethod
    def from_files(cls, summary: dict, document: dict | None = None) -> MunicipalityValidation:
        """Rebuild from a written summary (and, if available, the results document next to it)."""
        document = document or {}
        code = int(summary["municipality_code"])
        return cls(
            code=code,
            name=summary["municipality"],
            slug=Path(summary["page"]).stem,
            year=int(summary["year"]),
            status=summary["status"],
            highest_failed_severity=summary["highest_failed_severity"],
            datasets_delivered=list(summary["datasets_delivered"]),
            datasets_missing=list(summary["datasets_missing"]),
            rules_checked=int(summary["rules_checked"]),
            failures=dict(summary["failures"]),
            failures_detail=list(summary["failures_detail"]),
            caveats=list(summary["caveats"]),
            rules=list(document.get("rules", [])),
            gx_results=dict(document.get("results", {})),
            suite_versions=dict(document.get("suite_versions", {})),
            source_files=dict(document.get("source_files", {})),
        )


# ---------------------------------------------------------------------------------------------
# Suites


def load_suites(expectations_dir: Path | None = None) -> dict[str, dict]:
    """Read and sanity-check expectations/<dataset>.json (plain JSON, no GX import)."""
    directory = Path(expectations_dir or config.EXPECTATIONS)
    suites = {}
    seen: dict[str, str] = {}
    for dataset in schema.DATASET_NAMES:
        path = directory / f"{dataset}.json"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing; every dataset needs a suite (restore it from git)"
            )
        suite = json.loads(path.read_text(encoding="utf-8"))
        for i, exp in enumerate(suite.get("expectations", [])):
            rule = (exp.get("meta") or {}).get("rule")
            problems = [
                what
                for what, ok in [
                    ("meta.rule", bool(rule)),
                    ("severity (critical|warning|info)", exp.get("severity") in checks.SEVERITIES),
                    ("notes", bool(exp.get("notes"))),
                    ("description", bool(exp.get("description"))),
                ]
                if not ok
            ]
            if problems:
                raise ValueError(
                    f"{path}: expectation #{i} ({exp.get('type')}) lacks {', '.join(problems)}; "
                    "add them (see docs/validation.md)"
                )
            if rule in seen or rule in checks.RULES:
                raise ValueError(
                    f"{path}: rule name {rule!r} is already used in "
                    f"{seen.get(rule, 'pipeline.checks')}; "
                    "rule names must be unique across all suites"
                )
            seen[rule] = path.name
        suites[dataset] = suite
    return suites


def suite_version(suite: dict) -> str:
    return str((suite.get("meta") or {}).get("version", "?"))


# ---------------------------------------------------------------------------------------------
# Great Expectations (imported lazily: it takes seconds)


@contextlib.contextmanager
def _quiet():
    """Silence GX's deprecation warnings and chatter while it runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Runner:
    """One ephemeral GX context per process, with one pandas asset per dataset."""

    def __init__(self):
        started = time.perf_counter()
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with _quiet():
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            self.gx = gx
            project_config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                analytics_enabled=False,
            )
            self.context = gx.get_context(mode="ephemeral", project_config=project_config)
            self.source = self.context.data_sources.add_pandas("green_accounts")
        self.version = gx.__version__
        self._batch_definitions: dict[str, object] = {}
        self._suites: dict[tuple, object] = {}
        log.debug(
            "Great Expectations %s ready in %.1f s", self.version, time.perf_counter() - started
        )

    def _batch_definition(self, dataset: str):
        if dataset not in self._batch_definitions:
            asset = self.source.add_dataframe_asset(dataset)
            self._batch_definitions[dataset] = asset.add_batch_definition_whole_dataframe(
                "whole_table"
            )
        return self._batch_definitions[dataset]

    def _suite(self, suite: dict, skip: frozenset[str]):
        digest = hashlib.sha256(json.dumps(suite, sort_keys=True).encode()).hexdigest()
        key = (digest, skip)
        if key not in self._suites:
            config_ = dict(suite)
            config_["expectations"] = [
                e for e in suite["expectations"] if e["meta"]["rule"] not in skip
            ]
            with _quiet():
                gx_suite = self.gx.ExpectationSuite(**config_)
            if len(gx_suite.expectations) != len(config_["expectations"]):
                loaded = {e.meta.get("rule") for e in gx_suite.expectations}
                bad = [
                    e["meta"]["rule"]
                    for e in config_["expectations"]
                    if e["meta"]["rule"] not in loaded
                ]
                raise ValueError(
                    f"Great Expectations rejected rule(s) {bad} in suite {suite['name']!r}; "
                    f"fix expectations/{suite['name']}.json (GX logs the reason at ERROR level)"
                )
            self._suites[key] = gx_suite
        return self._suites[key]

    def run(
        self, dataset: str, frame: pd.DataFrame, suite: dict, skip: frozenset[str], params: dict
    ) -> dict:
        gx_suite = self._suite(suite, skip)
        with _quiet():
            batch = self._batch_definition(dataset).get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(
                gx_suite, result_format=RESULT_FORMAT, expectation_parameters=params
            )
        return result.to_json_dict()


_RUNNER: _Runner | None = None


def _runner() -> _Runner:
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = _Runner()
    return _RUNNER


def _gx_version(gx_results: dict) -> str | None:
    for result in gx_results.values():
        return (result.get("meta") or {}).get("great_expectations_version")
    return None


# ---------------------------------------------------------------------------------------------
# Validation


def validate_year(
    year: int,
    tables: dict[str, pd.DataFrame],
    manifest: dict,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    municipalities: list[int] | None = None,
) -> dict[int, MunicipalityValidation]:
    """Validate every municipality in the manifest (or the given codes); keyed by code.

    Row-level rules run once per dataset on the rows of all municipalities (GX's cost is per
    expectation, not per row) and their results are split by municipality_code; the
    year-over-year rules, which compare a municipality's whole table with last year's, run per
    municipality.
    """
    started = time.perf_counter()
    suites = load_suites()
    entries = {int(code): entry for code, entry in (manifest.get("municipalities") or {}).items()}
    codes = (
        sorted({int(c) for c in municipalities}) if municipalities is not None else sorted(entries)
    )
    delivered = {
        c: [d for d in schema.DATASET_NAMES if d in ((entries.get(c) or {}).get("datasets") or {})]
        for c in codes
    }
    previous = {d: _by_municipality(t) for d, t in (previous_tables or {}).items() if t is not None}
    params = {
        "year": int(year),
        "year_start": f"{year}-01-01T00:00:00",
        "year_end": f"{year}-12-31T23:59:59",
    }
    per_code: dict[int, dict[str, tuple]] = {c: {} for c in codes}
    runner = None
    for dataset in schema.DATASET_NAMES:
        delivering = [c for c in codes if dataset in delivered[c]]
        if not delivering:
            continue
        if tables.get(dataset) is None:
            raise ValueError(
                f"the manifest for {year} says {delivering} delivered {dataset}, but tables has no "
                f"{dataset!r} table; pass every table from ingest (load_processed)"
            )
        table = tables[dataset]
        if "municipality_code" not in table.columns:
            raise ValueError(
                f"the {dataset} table has no municipality_code column; validate processed tables "
                "from pipeline.ingest, which adds the provenance columns"
            )
        frame = _prepare(table[table["municipality_code"].isin(delivering)])
        suite = suites[dataset]
        yoy_rules = [
            e for e in suite["expectations"] if e["meta"].get("check") == checks.YEAR_OVER_YEAR
        ]
        yoy_names = frozenset(e["meta"]["rule"] for e in yoy_rules)
        runner = runner or _runner()
        whole = runner.run(dataset, frame, suite, yoy_names, params)
        split = _split_by_municipality(whole, frame, delivering)
        groups = _by_municipality(frame)
        for code in delivering:
            own = groups.get(code, frame.iloc[0:0])
            run_params, skipped, last_year = dict(params), {}, {}
            for exp in yoy_rules:
                rule = exp["meta"]["rule"]
                before = checks.previous_value(exp, previous.get(dataset, {}).get(code))
                if not before:
                    skipped[rule] = (
                        f"Ikke vurderet: der er ingen data for {year - 1} at sammenligne med."
                        if before is None
                        else f"Ikke vurderet: værdien for {year - 1} er 0, så ændringen kan ikke "
                        "beregnes."
                    )
                    continue
                low, high = checks.year_over_year_bounds(exp, before)
                run_params[f"{rule}_min"], run_params[f"{rule}_max"] = low, high
                last_year[rule] = (before, low, high)
            result = split[code]
            if last_year:
                only = frozenset(
                    e["meta"]["rule"]
                    for e in suite["expectations"]
                    if e["meta"]["rule"] not in last_year
                )
                result = _merge_results(result, runner.run(dataset, own, suite, only, run_params))
            per_code[code][dataset] = (result, skipped, last_year)
    results = {}
    for code in codes:
        entry = (entries.get(code) or {}).get("datasets") or {}
        rules: list[dict] = []
        failures: list[dict] = []
        source_files = {}
        for dataset in delivered[code]:
            gx_json, skipped, last_year = per_code[code][dataset]
            source_file = (entry[dataset] or {}).get("file") or _first_source_file(gx_json)
            if source_file:
                source_files[dataset] = source_file
            ds_rules, ds_failures = _interpret(
                dataset, suites[dataset], gx_json, source_file, year, skipped, last_year
            )
            rules += ds_rules
            failures += ds_failures
        check_rules, check_failures = _cross_table_checks(year, delivered[code])
        results[code] = _assemble(
            code,
            year,
            delivered[code],
            [d for d in schema.DATASET_NAMES if d not in delivered[code]],
            check_rules + rules,
            check_failures + failures,
            {d: per_code[code][d][0] for d in delivered[code]},
            {d: suite_version(suites[d]) for d in delivered[code]},
            source_files,
        )
    blocked = sum(not r.published for r in results.values())
    log.info(
        "validering %s: %d kommuner, %d blokeret (%.2f s)",
        year,
        len(results),
        blocked,
        time.perf_counter() - started,
    )
    return results


# ---------------------------------------------------------------------------------------------
# Splitting a whole-table GX result by municipality


def _split_by_municipality(whole: dict, frame: pd.DataFrame, codes: list[int]) -> dict[int, dict]:
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
        if "unexpected_index_list" not in res or _exception_message(result.get("exception_info")):
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


def _merge_results(base: dict, extra: dict) -> dict:
    return _suite_result(base, list(base.get("results", [])) + list(extra.get("results", [])), None)


def _first_source_file(gx_json: dict) -> str | None:
    for result in gx_json.get("results", []):
        for entry in (result.get("result") or {}).get("unexpected_index_list") or []:
            if isinstance(entry, dict) and entry.get("source_file"):
                return str(entry["source_file"])
    return None


def _by_municipality(table: pd.DataFrame) -> dict[int, pd.DataFrame]:
    if "municipality_code" not in table.columns:
        raise ValueError(
            "processed tables must have the provenance column municipality_code; run ingest first"
        )
    return {int(code): frame for code, frame in table.groupby("municipality_code", sort=True)}


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """GX's vectorised date comparisons need nanosecond datetimes; pandas 3 reads microseconds."""
    out = frame
    for column, dtype in frame.dtypes.items():
        if (
            isinstance(dtype, np.dtype)
            and dtype.kind == "M"
            and dtype != np.dtype("datetime64[ns]")
        ):
            if out is frame:
                out = frame.copy()
            out[column] = frame[column].astype("datetime64[ns]")
    return out


def _cross_table_checks(year: int, delivered: list[str]) -> tuple[list[dict], list[dict]]:
    failures = checks.completeness(year, delivered)
    failed = {f["rule"] for f in failures}
    rules = []
    for name, rule in checks.RULES.items():
        outcome = FAILED if name in failed else PASSED
        reason = None
        if name == "datasets_complete" and not delivered:
            outcome, reason = (
                SKIPPED,
                "Ikke vurderet: intet datasæt er leveret (se delivery_not_empty).",
            )
        missing = [f["dataset"] for f in failures if f["rule"] == name and f["dataset"]]
        observed = f"{len(delivered)} af {len(schema.DATASET_NAMES)} datasæt leveret" + (
            f"; mangler: {', '.join(missing)}" if missing else ""
        )
        rules.append(
            _rule_row(
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


def _rule_row(
    dataset,
    rule,
    expectation_type,
    column,
    severity,
    description,
    note,
    outcome,
    observed,
    element_count,
    unexpected_count,
    message=None,
    kpis=None,
) -> dict:
    return {
        "dataset": dataset,
        "rule": rule,
        "expectation_type": expectation_type,
        "column": column,
        "severity": severity,
        "description": description,
        "note": note,
        "outcome": outcome,
        "observed": observed,
        "element_count": element_count,
        "unexpected_count": unexpected_count,
        "message": message,
        "kpis": list(kpis) if kpis is not None else None,
    }


def _assemble(
    code, year, delivered, missing, rules, failures, gx_results, versions, source_files
) -> MunicipalityValidation:
    failed_rules = [r for r in rules if r["outcome"] in (FAILED, ERROR)]
    counts = {sev: sum(r["severity"] == sev for r in failed_rules) for sev in checks.SEVERITIES}
    highest = checks.highest_severity(r["severity"] for r in failed_rules)
    name, slug = _name_and_slug(code)
    return MunicipalityValidation(
        code=code,
        name=name,
        slug=slug,
        year=int(year),
        status="blocked" if highest == "critical" else "published",
        highest_failed_severity=highest,
        datasets_delivered=delivered,
        datasets_missing=missing,
        rules_checked=sum(r["outcome"] != SKIPPED for r in rules),
        failures=counts,
        failures_detail=failures,
        caveats=_caveats(rules, failures),
        rules=rules,
        gx_results=gx_results,
        suite_versions=versions,
        source_files=source_files,
    )


def _name_and_slug(code: int) -> tuple[str, str]:
    try:
        municipality = registry.get(code)
    except KeyError:
        return f"Ukendt kommunekode {code}", f"{code:03d}-ukendt"
    return municipality.name, municipality.slug


def _caveats(rules: list[dict], failures: list[dict]) -> list[dict]:
    """Failed warnings, one per rule and dataset, with the KPIs computed from that dataset."""
    caveats = []
    for rule in rules:
        if rule["severity"] != "warning" or rule["outcome"] not in (FAILED, ERROR):
            continue
        rows = [f for f in failures if f["rule"] == rule["rule"]]
        if (
            rule["expectation_type"] == checks.CHECK_TYPE
            or rule["expectation_type"] in TABLE_LEVEL
            or rule["outcome"] == ERROR
        ):
            messages = [(f["dataset"], f["message"]) for f in rows]
        else:
            where = rows[0]["source_file"] if rows else None
            count = rule["unexpected_count"] if rule["unexpected_count"] is not None else len(rows)
            text = (
                f"{_count(count)} af {_count(rule['element_count'])} rækker"
                + (f" i {where}" if where else "")
                + f' overholder ikke reglen "{rule["description"]}".'
            )
            messages = [(rule["dataset"], text)]
        for dataset, message in messages:
            kpis = rule.get("kpis")
            if kpis is None:
                kpis = checks.kpis_for(dataset) if dataset else []
            caveats.append(
                {
                    "dataset": dataset,
                    "kpis": list(kpis),
                    "severity": "warning",
                    "rule": rule["rule"],
                    "message": message,
                }
            )
    return caveats


# ---------------------------------------------------------------------------------------------
# Reading GX results


def _interpret(
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
                _rule_row(
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
        error = _exception_message(result.get("exception_info"))
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
                _rule_row(
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
                _rule_row(
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
                    f"{_count(unexpected_count)} af {_count(element_count)} rækker.",
                }
            ]
        if outcome == FAILED:
            failures += rows
        rules.append(
            _rule_row(
                **base,
                outcome=outcome,
                observed=f"{_count(unexpected_count)} af {_count(element_count)} rækker fejler",
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
    return None


def _exception_message(info) -> str | None:
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


def _row_failures(exp, kwargs, res, meta, fail, source_file, dataset) -> list[dict]:
    rows = []
    compound = kwargs.get("column_list")
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
                f"{'værdien' if len(shown) == 1 else 'kombinationen'} {_quote(value)} forekommer "
                f"{_count(counts[tuple(entry.get(c) for c in compound)])} gange"
            )
            column_text = f"kolonne {', '.join(shown)}"
        else:
            raw = entry.get(kwargs["column"])
            value = _raw_value(raw)
            got = _value_phrase(dataset, kwargs["column"], raw)
            column_text = f"kolonne {kwargs['column']}"
        expected = _expected_text(meta.get("expected"), kwargs) or _expected(
            exp["type"], kwargs, dataset
        )
        condition = _condition_phrase(kwargs.get("row_condition"))
        message = (
            f"{where}, række {row if row is not None else '?'}, {column_text}: {got}; "
            f"forventet {expected}{condition}."
        )
        rows.append({**fail, "source_file": where, "row": row, "value": value, "message": message})
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
            f"{_number(observed_value)} i {year}, {_number(before)} i {year - 1} "
            f"(ændring {_signed_pct(change)} %; tilladt {_number(low)}–{_number(high)})"
        )
        direction = "steget" if change > 0 else "faldet"
        message = (
            f"{exp['meta']['subject']} er {direction} med {_pct(abs(change))} % "
            f"fra {year - 1} til {year} "
            f"(over ±{_pct(limit)} %)."
        )
        return observed, message, _raw_value(observed_value)
    observed = (
        _number(observed_value) if isinstance(observed_value, (int, float)) else str(observed_value)
    )
    return (
        observed,
        f"{where}: {exp['description']} er ikke opfyldt (observeret: {observed}).",
        _raw_value(observed_value),
    )


# ---------------------------------------------------------------------------------------------
# Danish text


def _expected(expectation_type: str, kwargs: dict, dataset: str) -> str:
    if expectation_type == "expect_column_values_to_not_be_null":
        return "en udfyldt værdi"
    if expectation_type == "expect_column_values_to_be_null":
        return "et tomt felt"
    if expectation_type == "expect_column_values_to_be_in_set":
        values = kwargs.get("value_set") or []
        if len(values) > 15:
            return f"en af de {len(values)} tilladte værdier"
        return "en af værdierne " + ", ".join(str(v) for v in values)
    if expectation_type == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        strict_low, strict_high = kwargs.get("strict_min"), kwargs.get("strict_max")
        is_date = any(isinstance(v, str) and _parse_date(v) for v in (low, high))
        noun = "en dato" if is_date else "et tal"
        show = (
            (lambda v: _date_text(v))
            if is_date
            else (lambda v: _plain_or_number(dataset, kwargs["column"], v))
        )
        if low is not None and high is not None:
            left = "efter" if strict_low else "fra"
            right = "før" if strict_high else "til og med"
            return f"{noun} {left} {show(low)} {right} {show(high)}"
        if low is not None:
            if is_date:
                return f"{noun} {'efter' if strict_low else 'fra og med'} {show(low)}"
            return f"{noun} {'større end' if strict_low else 'på mindst'} {show(low)}"
        if is_date:
            return f"{noun} {'før' if strict_high else 'til og med'} {show(high)}"
        return f"{noun} {'mindre end' if strict_high else 'på højst'} {show(high)}"
    if expectation_type == "expect_compound_columns_to_be_unique":
        return "at kombinationen kun forekommer én gang pr. kommune"
    return "at reglen er opfyldt"


def _expected_text(template: str | None, kwargs: dict) -> str | None:
    """meta.expected with {min_value}/{max_value} filled in from the run's (substituted) kwargs."""
    if not template:
        return None
    values = {
        k: (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        for k, v in kwargs.items()
        if isinstance(v, (int, float, str))
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _condition_phrase(condition) -> str:
    if not isinstance(condition, dict):
        return ""
    column = (condition.get("column") or {}).get("name")
    if condition.get("type") == "nullity":
        return (
            f" (gælder rækker, hvor {column} er {'tom' if condition.get('is_null') else 'udfyldt'})"
        )
    if condition.get("type") == "comparison" and condition.get("operator") == "==":
        return f" (gælder rækker, hvor {column} er {_quote(condition.get('parameter'))})"
    return f" (gælder rækker, hvor {condition})"


def _is_missing(value) -> bool:
    return value is None or value == "NaT" or (isinstance(value, float) and math.isnan(value))


def _parse_date(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _date_text(value) -> str:
    parsed = _parse_date(value)
    if parsed is None:
        return str(value)
    return f"{parsed.day}. {MONTHS_DA[parsed.month - 1]} {parsed.year}"


def _raw_value(value) -> str | None:
    """The offending value as plain text (dates without a midnight time)."""
    value = _plain(value)
    if _is_missing(value):
        return None
    if isinstance(value, str) and _parse_date(value) and value.endswith("T00:00:00"):
        return value[:10]
    return str(value)


def _kind(dataset: str, column: str) -> str | None:
    try:
        return schema.DATASETS[dataset].column(column).kind
    except (KeyError, StopIteration):
        return None


def _value_phrase(dataset: str, column: str, value) -> str:
    value = _plain(value)
    if _is_missing(value):
        return "feltet er tomt"
    if _parse_date(value) and _kind(dataset, column) == schema.DATE:
        return f"datoen {_date_text(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"værdien {_plain_or_number(dataset, column, value)}"
    return f"værdien {_quote(value)}"


def _plain_or_number(dataset: str, column: str, value) -> str:
    """Danish number formatting for measured quantities; codes, years and row numbers stay plain."""
    if _kind(dataset, column) in (schema.FLOAT, schema.INT):
        return _number(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quote(value) -> str:
    return f'"{value}"'


def _plain(value):
    """numpy scalars (GX leaves some in its result lists) as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _number(value) -> str:
    from babel.numbers import format_decimal

    value = _plain(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return format_decimal(value, locale="da_DK")


def _count(value) -> str:
    return _number(int(value or 0))


def _pct(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(round(value, 1), format="#,##0.#", locale="da_DK")


def _signed_pct(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + _pct(abs(value))


# ---------------------------------------------------------------------------------------------
# Writing


def write_results(
    results: dict[int, MunicipalityValidation], year: int, out_dir: Path | None = None
) -> list[Path]:
    """Write `<code>-<slug>.json` (GX results) and `.summary.json` per municipality, atomically."""
    directory = Path(out_dir) if out_dir is not None else config.validation_dir(year)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(results):
        result = results[code]
        if result.year != year:
            raise ValueError(
                f"result for {result.code} is for {result.year}, not {year}; validate {year} first"
            )
        for path, document in (
            (directory / f"{result.slug}.json", result.results_document()),
            (directory / f"{result.slug}.summary.json", result.summary()),
        ):
            _write_json_atomic(path, document)
            written.append(path)
    remove_stale(directory, {r.slug for r in results.values()})
    log.info("valideringsresultater skrevet: %d filer i %s", len(written), directory)
    return written


def remove_stale(directory: Path, current_slugs: set[str]) -> list[Path]:
    """Delete results and pages of municipalities this run did not validate (e.g. now unreadable),
    so an auditor never reads last run's verdict as this run's."""
    stale = [p for p in directory.glob("[0-9][0-9][0-9]-*")
             if p.is_file() and p.name.split(".")[0] not in current_slugs]
    for path in stale:
        path.unlink()
        log.info("fjernet forældet valideringsfil %s", path.name)
    return stale


def load_results(year: int, out_dir: Path | None = None) -> dict[int, MunicipalityValidation]:
    """Read back what write_results wrote for YEAR (summaries plus results documents)."""
    directory = Path(out_dir) if out_dir is not None else config.validation_dir(year)
    results = {}
    for path in sorted(directory.glob("*.summary.json")):
        summary = json.loads(path.read_text(encoding="utf-8"))
        document_path = path.with_name(path.name.replace(".summary.json", ".json"))
        document = (
            json.loads(document_path.read_text(encoding="utf-8"))
            if document_path.exists()
            else None
        )
        result = MunicipalityValidation.from_files(summary, document)
        results[result.code] = result
    return results


def _write_json_atomic(path: Path, document: dict) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    publish.write_text(path, text)


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value)
