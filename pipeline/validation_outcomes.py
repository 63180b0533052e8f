"""Turn Great Expectations suite results into rule outcomes, failure rows, caveats and a status."""

from __future__ import annotations

import logging

from pipeline import checks, registry, schema
from pipeline.validation_messages import (
    _condition_phrase,
    _count,
    _expected,
    _expected_text,
    _number,
    _pct,
    _quote,
    _raw_value,
    _signed_pct,
    _value_phrase,
)
from pipeline.validation_results import MunicipalityValidation
from pipeline.validation_split import _exception_message

log = logging.getLogger(__name__)

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
TABLE_LEVEL = {
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_be_between",
    "expect_column_sum_to_be_between",
}


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
