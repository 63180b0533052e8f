"""A number that is not finite (a sum that overflowed, 0/0 in a share) never reaches kpis.parquet, the
open data or a page: it becomes "mangler data", with a logged warning."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.account import actions, kpi_table, status
from pipeline.account.climate import account, restatements
from pipeline.account.climate import kpis as climate_kpis
from pipeline.account.climate.target import ClimateTarget, Milestone
from pipeline.account.kpis import compute_year
from pipeline.account.kpis.common import finite
from tests.factories import frame

CODE, YEAR = 151, 2024
HUGE = 1e308  # two of them overflow a sum (the readers refuse 1e15 and more; a table built in code need not)
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")


@pytest.fixture
def overflowing_waste() -> dict:
    """Two recycled fractions whose sum overflows: recycled / total = inf / inf = NaN."""
    return {"waste": frame("waste", [("madaffald", "genanvendelse", HUGE), ("papir", "genanvendelse", HUGE)],
                           CODE, YEAR)}


def test_finite_keeps_numbers_and_turns_the_rest_into_no_data(caplog):
    assert finite(46.5, "x") == 46.5 and finite(0, "x") == 0.0
    assert finite(None, "x") is None and finite(pd.NA, "x") is None
    with caplog.at_level("WARNING"):
        assert finite(math.inf, "151 2024 kpi") is None and finite(math.nan, "151 2024 kpi") is None
    assert "151 2024 kpi: the computed value inf is not a finite number" in caplog.text


def test_a_share_of_an_overflowing_sum_is_no_data(overflowing_waste, caplog):
    with caplog.at_level("WARNING"):
        values = compute_year(overflowing_waste, CODE, YEAR)
    assert values["household_recycling_rate"] is None, "NaN from inf / inf"
    assert values["residual_waste_share"] == 0.0, "0 / inf is a finite 0"
    assert "151 2024 household_recycling_rate" in caplog.text


def test_the_kpi_table_says_mangler_data_for_it(overflowing_waste, tmp_path):
    rows = kpi_table.municipality_rows({YEAR: overflowing_waste}, CODE, YEAR, tmp_path)
    hit = rows[(rows["kpi_id"] == "household_recycling_rate") & (rows["year"] == YEAR)].iloc[0]
    assert pd.isna(hit["value"]) and hit["status"] == status.NO_DATA
    numbers = rows[kpi_table.NUMBERS].to_numpy(dtype="float64")
    assert not (pd.notna(numbers) & ~pd.DataFrame(numbers).map(math.isfinite).to_numpy()).any()


def test_the_last_guard_before_kpis_parquet(caplog):
    table = pd.DataFrame({"municipality_code": [CODE, CODE], "year": [YEAR, YEAR], "kpi_id": ["a", "b"],
                          "value": [math.inf, 3.0], "previous_value": [1.0, -math.inf],
                          "target_value": [2.0, 2.0], "expected_value": [math.nan, 1.0],
                          "status": [status.ON_TRACK, status.OFF_TRACK]})
    with caplog.at_level("WARNING"):
        out = kpi_table.finite(table)
    assert out["value"].isna().tolist() == [True, False] and out["previous_value"].isna().tolist() == [False, True]
    assert out["status"].tolist() == [status.NO_DATA, status.OFF_TRACK]
    assert "value is not finite for 151 2024 a" in caplog.text
    assert kpi_table.finite(out) is out, "nothing to do: the same table"


def test_climate_figures_that_are_not_finite_are_no_data(caplog):
    """An infinite sector is missing, and so is a total summed from it (never a partial sum); a
    reference of 1e-306 t (a slip in the targets file) makes the reduction in % overflow: each reads
    "mangler data", never "inf" or "-inf %"."""
    rows = pd.DataFrame([{"data_year": y, "sector": s, "unit": "t_co2e", "value": v}
                         for y, s, v in ((2021, "energi", 100_000.0), (2021, "transport", 10_000.0),
                                         (2022, "energi", 90_000.0), (2022, "transport", math.inf))])
    no_actions = actions.actions_table(frame("actions", []))
    with caplog.at_level("WARNING"):
        ca = account.build(YEAR, rows, None, None, no_actions)
    assert ca.sectors["t_co2e"].isna().tolist() == [False, False, False, True]
    assert ca.total("med_landbrug", 2022) is None or math.isnan(ca.total("med_landbrug", 2022))
    assert ca.latest == (2021, 110_000.0) and "not finite numbers (data years [2022])" in caplog.text
    tiny = ClimateTarget("med_landbrug", 1990, 1e-306, (Milestone(2030, 70.0),))
    ca = account.build(YEAR, rows, None, tiny, no_actions)
    out = climate_kpis.rows(ca, CODE, YEAR).set_index("kpi_id")
    assert pd.isna(out.loc["emissions_reduction_pct", "value"])
    assert out.loc["emissions_reduction_pct", "status"] == status.NO_DATA
    assert out.loc["emissions_total_t_co2e", "value"] == 110_000.0


def test_a_restatement_from_zero_has_no_percentage():
    r = restatements.Restatement(2021, "energi", 0.0, 5.0)
    assert r.change_pct is None
    assert r.text() == "2021: 0\u00a0t i sidste års udgave, nu 5\u00a0t"
