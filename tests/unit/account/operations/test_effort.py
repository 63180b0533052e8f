"""Own effort and supply effect: a 2-building, 2-year example computed by hand; the parts sum to the change."""

import pandas as pd
import pytest

from pipeline.account.operations import for_year, split
from pipeline.account.operations.effort import FROM_FIRST_YEAR, FROM_TARGETS, choose_reference_year
from pipeline.account.operations.settings import OperationsSettings
from tests.factories import frame
from tests.unit.account.operations import cases


def uses(rows):
    return pd.DataFrame([("bygninger", "bygninger", c, "kwh", a) for c, a in rows],
                        columns=["part", "source", "carrier", "unit", "amount"])


# Building A heats with district heating: 100.000 kWh in 2023, 90.000 kWh in 2025.
# Building B uses electricity: 50.000 kWh in 2023, 55.000 kWh in 2025.
# Factors (BR18): 2023 fjernvarme 0,105, el 0,187; 2025 fjernvarme 0,0878, el 0,135.
#   2023: 100.000 × 0,105 + 50.000 × 0,187 = 10.500 + 9.350 = 19.850 kg
#   2025:  90.000 × 0,0878 + 55.000 × 0,135 = 7.902 + 7.425 = 15.327 kg      change −4.523 kg
#   own effort  = (90.000 × 0,105 + 55.000 × 0,187) − 19.850 = 19.735 − 19.850 = −115 kg
#   supply      = 90.000 × (0,0878 − 0,105) + 55.000 × (0,135 − 0,187) = −1.548 − 2.860 = −4.408 kg
REF = uses([("fjernvarme", 100_000.0), ("el", 50_000.0)])
NOW = uses([("fjernvarme", 90_000.0), ("el", 55_000.0)])


def test_the_split_by_hand():
    s = split(NOW, REF, 2025, 2023)
    assert s.own_effort_t_co2e == pytest.approx(-0.115)
    assert s.supply_effect_t_co2e == pytest.approx(-4.408)
    assert s.total_change_t_co2e == pytest.approx(15.327 - 19.85)  # −4,523 t: the parts sum to the change
    lines = s.lines.set_index("carrier")
    assert lines.loc["el", "own_effort_t_co2e"] == pytest.approx(5_000 * 0.187 / 1000)  # +0,935 t
    assert lines.loc["fjernvarme", "own_effort_t_co2e"] == pytest.approx(-10_000 * 0.105 / 1000)  # −1,05 t
    assert lines.loc["el", "reference_factor"].year == 2023 and lines.loc["el", "factor"].year == 2025


def test_a_carrier_only_used_in_one_of_the_years():
    s = split(uses([("el", 55_000.0)]), uses([("fjernvarme", 100_000.0)]), 2025, 2023)
    # own: 55.000 × 0,187 − 100.000 × 0,105 = 10.285 − 10.500 = −215 kg; supply: 55.000 × (0,135 − 0,187) = −2.860 kg
    assert s.own_effort_t_co2e == pytest.approx(-0.215) and s.supply_effect_t_co2e == pytest.approx(-2.86)
    assert s.total_change_t_co2e == pytest.approx((55_000 * 0.135 - 100_000 * 0.105) / 1000)


def test_the_reference_year_itself_has_no_change_and_earlier_years_no_split():
    s = split(REF, REF, 2023, 2023)
    assert (s.own_effort_t_co2e, s.supply_effect_t_co2e) == (0.0, 0.0)
    assert split(NOW, REF, 2022, 2023) is None


def test_the_reference_year_comes_from_the_targets_file_else_the_first_complete_year():
    assert choose_reference_year(2019, [2021, 2022]) == (2019, FROM_TARGETS)
    assert choose_reference_year(None, [2022, 2021]) == (2021, FROM_FIRST_YEAR)
    assert choose_reference_year(None, []) == (None, FROM_FIRST_YEAR)


def _year(year, fjernvarme, el):
    return {"building_energy": frame("building_energy", [
                {"building_id": "A", "district_heating_kwh": fjernvarme, "basis": "maalt"},
                {"building_id": "B", "electricity_kwh": el, "basis": "maalt"}], cases.CODE, year),
            "transport_energy": frame("transport_energy", [
                {"source": "egne_koeretoejer", "fuel": "diesel", "amount": 1000.0, "unit": "l"}], cases.CODE, year)}


def test_for_year_splits_against_the_targets_files_reference_year():
    tables = {2023: _year(2023, 100_000.0, 50_000.0), 2025: _year(2025, 90_000.0, 55_000.0)}
    account = for_year(tables, cases.CODE, 2025, OperationsSettings(reference_year=2023))
    e = account.effort
    assert (e.reference_year, e.reference_year_from) == (2023, FROM_TARGETS)
    # the diesel (1.000 l × 3,24, held from 2022 in both years) changes neither part
    assert e.own_effort_t_co2e == pytest.approx(-0.115) and e.supply_effect_t_co2e == pytest.approx(-4.408)
    total_2023 = for_year(tables, cases.CODE, 2023).footprint.total_t_co2e
    assert e.total_change_t_co2e == pytest.approx(account.footprint.total_t_co2e - total_2023)


def test_no_split_without_the_reference_years_data():
    tables = {2025: _year(2025, 90_000.0, 55_000.0)}
    assert for_year(tables, cases.CODE, 2025, OperationsSettings(reference_year=2023)).effort is None
    first = for_year(tables, cases.CODE, 2025).effort  # no reference year given: 2025 is the first complete year
    assert (first.reference_year, first.reference_year_from, first.total_change_t_co2e) == (2025, FROM_FIRST_YEAR, 0.0)
