"""Turn Great Expectations suite results into rule outcomes, failure rows, caveats and a status."""

from __future__ import annotations

import logging

from pipeline import registry
from pipeline.validate import checks, examples
from pipeline.validate.messages import count_text
from pipeline.validate.summary import MunicipalityValidation

log = logging.getLogger(__name__)

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
TABLE_LEVEL = {
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_be_between",
    "expect_column_sum_to_be_between",
}


def rule_row(
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


def assemble(
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
        failure_counts=examples.count_rows(failures),  # from every row, before any is left out
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
            (rule["expectation_type"] == checks.CHECK_TYPE and rule["element_count"] is None)
            or rule["expectation_type"] in TABLE_LEVEL
            or rule["outcome"] == ERROR
        ):
            messages = [(f["dataset"], f["message"]) for f in rows]
        else:
            where = rows[0]["source_file"] if rows else None
            count = rule["unexpected_count"] if rule["unexpected_count"] is not None else len(rows)
            text = (
                f"{count_text(count)} af {count_text(rule['element_count'])} rækker"
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
