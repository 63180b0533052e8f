"""Restated years: every changed past value is listed with both figures and the change."""

import pandas as pd

from pipeline.account.climate import restatements

NBSP = "\u00a0"


def rows(values: dict) -> pd.DataFrame:
    return pd.DataFrame([{"data_year": y, "sector": s, "t_co2e": v} for (y, s), v in values.items()])


def test_only_changed_values_present_in_both_editions_are_listed():
    before = rows({(2020, "energi"): 100_000.0, (2021, "energi"): 312_400.0, (2021, "transport"): 50_000.0})
    now = rows({(2020, "energi"): 100_000.0, (2021, "energi"): 305_100.0, (2021, "transport"): 50_000.0,
                (2022, "energi"): 290_000.0})
    (r,) = restatements.compare(before, now)
    assert (r.data_year, r.sector, r.before_t_co2e, r.now_t_co2e) == (2021, "energi", 312_400.0, 305_100.0)
    assert r.text() == f"2021: 312.400{NBSP}t i sidste års udgave, nu 305.100{NBSP}t (−2,3{NBSP}%)"


def test_no_previous_edition_means_no_restatements():
    assert restatements.compare(pd.DataFrame(), rows({(2021, "energi"): 1.0})) == []
    assert restatements.compare(rows({(2021, "energi"): 1.0}), rows({(2021, "energi"): 1.0})) == []
