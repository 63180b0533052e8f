"""Checks outside Great Expectations: delivery completeness and year-over-year bounds."""

from __future__ import annotations

import logging
import math

import pandas as pd

from pipeline import schema
from pipeline.account.kpis.meta import kpis_for
from pipeline.schema import SEVERITIES

log = logging.getLogger(__name__)

__all__ = ["SEVERITIES", "kpis_for"]
SEVERITY_RANK = {"info": 1, "warning": 2, "critical": 3}

# Rules checked in plain Python, described like the GX expectations so reports treat them alike.
CHECK_TYPE = "pipeline_check"
RULES: dict[str, dict] = {
    "delivery_not_empty": {
        "severity": "critical",
        "description": "Kommunen har leveret mindst ét datasæt",
        "notes": "En kommune, der ikke har leveret et eneste datasæt for året, kan ikke få et "
        "grønt regnskab; "
        "en tom rapport ville se ud som et regnskab uden aktivitet.",
    },
    "datasets_complete": {
        "severity": "warning",
        "description": "Alle fem datasæt er leveret",
        "notes": "En kommune, der har leveret nogle datasæt men ikke andre, får sit regnskab "
        "offentliggjort, "
        "men nøgletallene fra de manglende datasæt vises som 'mangler data' med et forbehold. "
        "Beskytter mod, at et manglende datasæt bliver læst som et nul.",
    },
}

YEAR_OVER_YEAR = "year_over_year"


def severity_rank(severity: str | None) -> int:
    """0 for None, then info < warning < critical."""
    return SEVERITY_RANK.get(severity or "", 0)


def highest_severity(severities) -> str | None:
    """The most severe of the given severities, or None when there are none."""
    best = None
    for sev in severities:
        if severity_rank(sev) > severity_rank(best):
            best = sev
    return best


def completeness(year: int, delivered: list[str]) -> list[dict]:
    """Missing datasets: critical when nothing was delivered, else one warning per dataset."""
    missing = [d for d in schema.DATASET_NAMES if d not in delivered]
    if not delivered:
        return [_check_failure(
            "delivery_not_empty", None,
            f"Kommunen har ikke leveret nogen af de fem datasæt for {year}; der kan ikke udarbejdes "
            f"et grønt regnskab. Læg leverancerne i data/raw/{year}/<kommunekode>/.")]
    return [
        _check_failure(
            "datasets_complete", d,
            f"Datasættet {schema.DATASETS[d].danish_name.lower()} ({d}) er ikke leveret for {year}; "
            "nøgletal, der beregnes herfra, vises som 'mangler data'.")
        for d in missing
    ]


def _check_failure(rule_name: str, dataset: str | None, message: str) -> dict:
    """A failed non-GX check in the same shape as a GX failure row."""
    rule = RULES[rule_name]
    return {"dataset": dataset, "rule": rule_name, "expectation_type": CHECK_TYPE, "column": None,
            "severity": rule["severity"], "note": rule["notes"], "source_file": None, "row": None,
            "value": None, "message": message}


def previous_value(expectation: dict, previous: pd.DataFrame | None) -> float | None:
    """Last year's value a year-over-year rule compares with; None when there is no basis."""
    if previous is None or len(previous) == 0:
        return None
    if expectation["type"] == "expect_table_row_count_to_be_between":
        return float(len(previous))
    if expectation["type"] == "expect_column_sum_to_be_between":
        column = expectation["kwargs"]["column"]
        if column not in previous.columns:
            return None
        return float(pd.to_numeric(previous[column], errors="coerce").sum())
    raise ValueError(
        f"year-over-year rule {expectation['meta']['rule']} uses {expectation['type']}; only "
        "expect_table_row_count_to_be_between and expect_column_sum_to_be_between are supported"
    )


def year_over_year_bounds(expectation: dict, previous: float) -> tuple[float, float]:
    """(min, max) allowed: last year's value ± max_relative_change_pct; counts round inwards."""
    share = expectation["meta"]["max_relative_change_pct"] / 100
    low, high = round(previous * (1 - share), 9), round(previous * (1 + share), 9)
    if expectation["type"] == "expect_table_row_count_to_be_between":
        return math.ceil(low), math.floor(high)
    return low, high


def year_over_year_change(observed: float, previous: float) -> float:
    """Relative change in percent (positive = growth)."""
    return (observed - previous) / previous * 100
