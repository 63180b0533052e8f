"""Heat, electricity and water per m² heated area, by hand (cases.energy / cases.buildings)."""

import pytest

from pipeline.account.operations import building_table, by_use, correction, intensities
from pipeline.account.operations.settings import DegreeDayOverride, OperationsSettings
from tests.unit.account.operations import cases

DD_2800 = OperationsSettings(degree_days=(DegreeDayOverride(2024, 2800.0, "test", "151.yaml"),), file="151.yaml")


def test_one_row_per_building_with_area_use_and_heat():
    t = building_table(cases.energy(), cases.buildings()).set_index("building_id")
    assert list(t.index) == ["B1", "B2", "B3"]
    assert t.loc["B2", "natural_gas_kwh"] == 110_000.0  # 10.000 m³ × 11,0 kWh/m³
    assert t.loc["B2", "natural_gas_from"] == "m3"
    assert t.loc["B1", "heat_kwh"] == 100_000.0 and t.loc["B2", "heat_kwh"] == 110_000.0
    assert t.loc["B1", "heat_kwh_per_m2"] == 100.0 and t.loc["B2", "heat_kwh_per_m2"] == 55.0
    assert (t.loc["B1", "use"], t.loc["B1", "energy_label"], t.loc["B2", "basis"]) == ("kontor", "D", "estimeret")
    assert not t.loc["B3", "known_building"] and t["heat_kwh_per_m2"].isna()["B3"]


def test_per_m2_by_hand():
    c = correction(2024, DD_2800)
    i = intensities(building_table(cases.energy(), cases.buildings(), c), 2024, c)
    # heat: (100.000 + 110.000) kWh / (1.000 + 2.000) m² = 70 kWh/m² (B3 has no known area: left out)
    assert i.heat_kwh_per_m2 == pytest.approx(70.0) and i.heat_area_m2 == 3000.0
    # corrected: 210.000 × (0,75 × 3.112 / 2.800 + 0,25 = 1,0835714…) = 227.550 kWh / 3.000 m² = 75,85
    assert i.heat_corrected_kwh_per_m2 == pytest.approx(75.85)
    # electricity: (40.000 + 60.000) / 3.000 = 33,33 kWh/m²; water: 850 m³ in all, 800 / 3.000 = 0,2667 m³/m²
    assert i.electricity_kwh_per_m2 == pytest.approx(100_000 / 3000)
    assert i.water_m3 == 850.0 and i.water_m3_per_m2 == pytest.approx(800 / 3000)
    assert i.heat_kwh == 230_000.0  # the total includes B3
    assert (i.buildings, i.buildings_without_area, i.estimated) == (3, 1, 1)
    assert i.estimated_share == pytest.approx(100 / 3)


def test_without_degree_days_there_is_no_corrected_value():
    i = intensities(building_table(cases.energy(), cases.buildings()), 2024, correction(2024))
    assert i.heat_kwh_per_m2 == pytest.approx(70.0) and i.heat_corrected_kwh_per_m2 is None


def test_natural_gas_in_kwh_wins_over_m3_for_the_same_building():
    e = cases.energy()
    e.loc[e["building_id"] == "B2", "natural_gas_kwh"] = 100_000.0
    t = building_table(e, cases.buildings()).set_index("building_id")
    assert t.loc["B2", "natural_gas_kwh"] == 100_000.0 and t.loc["B2", "natural_gas_from"] == "kwh"


def test_no_area_means_no_per_m2_value():
    i = intensities(building_table(cases.energy(), cases.buildings().iloc[0:0]), 2024)
    assert i.heat_kwh_per_m2 is None and i.electricity_kwh_per_m2 is None and i.water_m3_per_m2 is None
    assert i.water_m3 == 850.0


def test_by_use_class():
    u = by_use(building_table(cases.energy(), cases.buildings())).set_index("use")
    assert list(u.index) == ["kontor", "skole"]
    assert u.loc["kontor", "heat_kwh_per_m2"] == 100.0 and u.loc["skole", "electricity_kwh_per_m2"] == 30.0
