"""The operations KPIs in the KPI machinery: values per m² by hand, "mangler data" without a dataset, the
targets file's reference year and factor override, and the KPI table's rows and statuses."""

import pandas as pd
import pytest

from pipeline import config
from pipeline.account import kpi_table, kpis
from pipeline.account.kpis import KPI_DEFS, KpiContext
from pipeline.account.operations.settings import DegreeDayOverride, OperationsSettings
from tests.factories import processed_tree
from tests.unit.account.operations import cases

OPERATIONS = [d.kpi_id for d in kpis.kpis_in_group("operations")]


def one_year(year=2024, **override):
    datasets = {"buildings": cases.buildings(year), "building_energy": cases.energy(year),
                "transport_energy": cases.transport(year)}
    datasets.update(override)
    return datasets


def test_the_group_and_its_kpis():
    assert OPERATIONS == ["heat_kwh_per_m2", "heat_corrected_kwh_per_m2", "electricity_kwh_per_m2", "water_m3",
                          "water_m3_per_m2", "operations_t_co2e", "operations_buildings_t_co2e",
                          "operations_transport_t_co2e", "operations_own_effort_t_co2e",
                          "operations_supply_effect_t_co2e"]
    assert kpis.GROUPS["operations"] == "Kommunens egen drift: energi, vand og udledning"
    assert all(not KPI_DEFS[k].higher_is_better for k in OPERATIONS)
    assert {KPI_DEFS[k].unit for k in OPERATIONS} == {"kWh/m²", "m³", "m³/m²", "t CO2e"}


def test_values_by_hand():
    own = OperationsSettings(degree_days=(DegreeDayOverride(2024, 2800.0, "test", "151.yaml"),))
    tables = one_year()
    v = kpis.compute_year(tables, cases.CODE, 2024, KpiContext(cases.CODE, {2024: tables}, own))
    assert v["heat_kwh_per_m2"] == pytest.approx(70.0)  # 210.000 kWh / 3.000 m²
    assert v["heat_corrected_kwh_per_m2"] == pytest.approx(75.85)  # 227.550 kWh / 3.000 m²
    assert v["electricity_kwh_per_m2"] == pytest.approx(33.333333)  # 100.000 kWh / 3.000 m²
    assert v["water_m3"] == 850.0 and v["water_m3_per_m2"] == pytest.approx(0.266667, abs=1e-6)
    assert v["operations_buildings_t_co2e"] == pytest.approx(51.243)
    assert v["operations_transport_t_co2e"] == pytest.approx(45.38)
    assert v["operations_t_co2e"] == pytest.approx(96.623)
    # no reference year in the settings: 2024 is the first complete year, so there is no change yet
    assert v["operations_own_effort_t_co2e"] == 0.0 and v["operations_supply_effect_t_co2e"] == 0.0


def test_without_degree_days_only_the_corrected_heat_is_missing():
    v = kpis.compute_year(one_year(), cases.CODE, 2024)
    assert v["heat_kwh_per_m2"] == pytest.approx(70.0) and v["heat_corrected_kwh_per_m2"] is None


def test_a_missing_dataset_is_mangler_data_for_the_kpis_that_need_it():
    no_transport = kpis.compute_year(one_year(transport_energy=cases.transport().iloc[0:0]), cases.CODE, 2024)
    assert no_transport["heat_kwh_per_m2"] == pytest.approx(70.0)
    assert no_transport["operations_buildings_t_co2e"] == pytest.approx(51.243)
    for k in ("operations_t_co2e", "operations_transport_t_co2e", "operations_own_effort_t_co2e",
              "operations_supply_effect_t_co2e"):
        assert no_transport[k] is None, k
    no_buildings = kpis.compute_year(one_year(building_energy=cases.energy().iloc[0:0]), cases.CODE, 2024)
    assert no_buildings["operations_transport_t_co2e"] == pytest.approx(45.38)
    assert all(no_buildings[k] is None for k in OPERATIONS if k != "operations_transport_t_co2e")
    assert all(kpis.compute_year({}, cases.CODE, 2024)[k] is None for k in OPERATIONS)


def test_the_history_splits_against_the_reference_year():
    # 2023 as 2024 but with 10 % more district heating: 120.000 → 132.000 kWh in 2023
    then = cases.energy(2023)
    then["district_heating_kwh"] = then["district_heating_kwh"] * 1.1
    tables = {2023: one_year(2023, building_energy=then), 2024: one_year()}
    h = kpis.compute_history(tables, cases.CODE, 2024, OperationsSettings(reference_year=2023))
    now = h[h["year"] == 2024].set_index("kpi_id")["value"]
    before = h[h["year"] == 2023].set_index("kpi_id")["value"]
    change = now["operations_t_co2e"] - before["operations_t_co2e"]
    assert now["operations_own_effort_t_co2e"] + now["operations_supply_effect_t_co2e"] == pytest.approx(change)
    # own effort: 12.000 kWh less district heating at 2023's 0,105 = −1,26 t (every other use is the same)
    assert now["operations_own_effort_t_co2e"] == pytest.approx(-1.26)
    assert (before["operations_own_effort_t_co2e"], before["operations_supply_effect_t_co2e"]) == (0.0, 0.0)


def rows(make, year):
    """A case's rows as a delivery holds them (without the provenance columns ingestion adds)."""
    return make(year).drop(columns=["municipality_code", "year", "source_file", "source_row"])


def test_the_kpi_table_reads_the_operations_block_of_the_targets_file(tmp_path):
    processed_tree(tmp_path / "processed", {
        year: {cases.CODE: {"buildings": rows(cases.buildings, year).to_dict("records"),
                            "building_energy": rows(cases.energy, year).to_dict("records"),
                            "transport_energy": rows(cases.transport, year).to_dict("records")}}
        for year in (2023, 2024)})
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "151.yaml").write_text(
        "municipality_code: 151\nsource: Klimaplan\n"
        "targets:\n  operations_t_co2e:\n    baseline: {year: 2023, value: 100}\n    target: {year: 2030, value: 0}\n"
        "operations:\n  reference_year: 2023\n  factors:\n"
        "    - {carrier: fjernvarme, year: 2024, value: 0.0785, unit: kg CO2e/kWh, source: deklaration}\n",
        encoding="utf-8")
    paths = config.YearPaths(2024, tmp_path / "raw", tmp_path / "processed", tmp_path / "reports")
    table = kpi_table.build(paths, [cases.CODE], tmp_path / "targets").set_index(["year", "kpi_id"])
    now = table.loc[2024]
    # 2024's district heating at the municipality's own 0,0785 instead of 0,0964: 120.000 × −0,0179 = −2,148 t
    assert now.loc["operations_buildings_t_co2e", "value"] == pytest.approx(51.243 - 2.148)
    # same use in both years: no own effort; the supply effect is the whole change
    assert now.loc["operations_own_effort_t_co2e", "value"] == pytest.approx(0.0, abs=1e-9)
    change = now.loc["operations_t_co2e", "value"] - table.loc[(2023, "operations_t_co2e"), "value"]
    assert now.loc["operations_supply_effect_t_co2e", "value"] == pytest.approx(change)
    assert now.loc["operations_t_co2e", "unit"] == "t CO2e" and now.loc["heat_kwh_per_m2", "unit"] == "kWh/m²"
    # path 100 → 0 from 2023 to 2030: 85,71 t in 2024; 94,5 t is above it (lower is better)
    assert now.loc["operations_t_co2e", "expected_value"] == pytest.approx(100 - 100 / 7)
    assert now.loc["operations_t_co2e", "status"] == "ikke på sporet"
    assert now.loc["heat_kwh_per_m2", "status"] == "mangler mål"
    assert pd.isna(table.loc[(2023, "operations_t_co2e"), "status"])
