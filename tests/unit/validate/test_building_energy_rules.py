"""building_energy against the buildings and last year's delivery: an unknown building is critical; use per m²
over 3 × the median of the use class and a jump over ±30 % from last year are warnings. transport_energy's
fuel/unit pairs follow the schema."""

from __future__ import annotations

import json

import pytest

from pipeline import config, schema
from pipeline.schema import SEVERITY_DA
from pipeline.validate import checks, plausibility, references
from tests.factories import frame, valid_rows

CODE, YEAR = 151, 2024
FILE = f"data/raw/{YEAR}/{CODE}/building_energy.csv"
FILES = {"building_energy": FILE, "buildings": f"data/raw/{YEAR}/{CODE}/buildings.csv"}
SUITE = json.loads((config.EXPECTATIONS / "building_energy.json").read_text(encoding="utf-8"))


def _building(i: int, use: str, area: float) -> dict:
    return {"building_id": f"B{i}", "name": f"Bygning {i}", "use": use, "heated_area_m2": area,
            "energy_label": None, "label_valid_until": None}


def _energy(i: int, **values) -> dict:
    row = {"building_id": f"B{i}", "electricity_kwh": None, "district_heating_kwh": None, "natural_gas_m3": None,
           "natural_gas_kwh": None, "heating_oil_l": None, "water_m3": None, "basis": "maalt"}
    return {**row, **values}


# four schools of 1.000 m² and one office
SCHOOLS = [_building(i, "skole", 1000.0) for i in range(1, 5)] + [_building(5, "kontor", 500.0)]


def _rules(energy: list[dict], buildings=SCHOOLS, previous: list[dict] | None = None) -> dict:
    rules, failures = plausibility.check(
        frame("building_energy", energy, CODE, YEAR), FILE,
        frame("building_energy", previous, CODE, YEAR - 1) if previous is not None else None,
        frame("buildings", buildings, CODE, YEAR) if buildings is not None else None)
    return {r["rule"]: (r, [f for f in failures if f["rule"] == r["rule"]]) for r in rules}


def test_heat_per_m2_sums_district_heating_gas_and_oil_in_kwh_against_the_median_of_the_use():
    """Heat per m²: B1 100 (district heating), B2 110 (10.000 m³ gas = 110.000 kWh), B3 121,2 (12.000 l oil
    × 10,1 kWh/l), B4 400 (district heating + gas in kWh): median of the schools (110 + 121,2) / 2 = 115,6,
    limit 346,8. The office is alone."""
    energy = [_energy(1, district_heating_kwh=100_000.0), _energy(2, natural_gas_m3=10_000.0),
              _energy(3, heating_oil_l=12_000.0), _energy(4, district_heating_kwh=300_000.0,
                                                           natural_gas_kwh=100_000.0),
              _energy(5, district_heating_kwh=900_000.0)]
    rule, failures = _rules(energy)["building_energy_heat_per_m2_plausible"]
    [failure] = failures
    assert (failure["row"], failure["column"], failure["value"], failure["severity"]) == (
        5, "district_heating_kwh, natural_gas_kwh", "400000.0", "warning")
    assert failure["message"] == (
        f"{FILE}, række 5, kolonne district_heating_kwh, natural_gas_kwh: varmeforbruget er 400.000 kWh på "
        "1.000 m² opvarmet areal, dvs. 400 kWh pr. m² (bygning B4); forventet højst 3 × medianen for kommunens "
        'bygninger med anvendelsen "skole": 3 × 115,6 = 346,8 kWh pr. m² (4 bygninger).')
    assert rule["outcome"] == "failed" and rule["kpis"] == [], "shown to the auditor, no caveat on the KPIs"
    assert rule["observed"] == "1 af 4 bygninger over 3 × medianen for deres anvendelse", "the office is alone"


def test_a_use_with_fewer_than_three_buildings_is_not_judged():
    buildings = [_building(1, "skole", 1000.0), _building(2, "skole", 1000.0)]
    energy = [_energy(1, electricity_kwh=10_000.0), _energy(2, electricity_kwh=900_000.0)]
    rule, failures = _rules(energy, buildings)["building_energy_electricity_per_m2_plausible"]
    assert rule["outcome"] == "passed" and failures == [] and rule["element_count"] == 0
    assert rule["observed"] == "ingen anvendelse har mindst 3 bygninger med forbrug og areal at sammenligne"


def test_without_buildings_the_per_m2_rules_are_not_judged():
    outcomes = {name: r["outcome"] for name, (r, _) in _rules([_energy(1, electricity_kwh=1.0)], None).items()}
    assert outcomes["building_energy_heat_per_m2_plausible"] == "skipped"
    assert outcomes["building_energy_electricity_per_m2_plausible"] == "skipped"
    rule, _ = _rules([_energy(1, electricity_kwh=1.0)], None)["building_energy_heat_per_m2_plausible"]
    assert "kommunale bygninger (buildings) er ikke leveret" in rule["message"]


def test_year_over_year_compares_each_building_with_itself_in_kwh():
    """B1 switches from gas (10.000 m³ = 110.000 kWh) to district heating (100.000 kWh): −9 %, no warning.
    B2 jumps from 50.000 to 70.000 kWh electricity: +40 %. B3 is new, B4 used nothing last year."""
    before = [_energy(1, natural_gas_m3=10_000.0), _energy(2, electricity_kwh=50_000.0),
              _energy(4, electricity_kwh=0.0)]
    now = [_energy(1, district_heating_kwh=100_000.0), _energy(2, electricity_kwh=70_000.0),
           _energy(3, electricity_kwh=10.0), _energy(4, electricity_kwh=5_000.0)]
    rules = _rules(now, previous=before)
    heat, heat_failures = rules["building_energy_heat_year_over_year"]
    assert heat["outcome"] == "passed" and heat["element_count"] == 1 and heat_failures == []
    electricity, [failure] = rules["building_energy_electricity_year_over_year"]
    assert electricity["element_count"] == 1, "B3 (new) and B4 (0 kWh last year) are not judged"
    assert failure["message"] == (
        f"{FILE}, række 3, kolonne electricity_kwh: elforbruget er 70.000 kWh i 2024 mod 50.000 kWh i 2023 "
        "(+40 %, bygning B2); forventet højst ±30 % ændring fra sidste år.")
    assert electricity["kpis"] == checks.kpis_for("building_energy"), "a caveat on the energy KPIs"


def test_year_over_year_without_last_year_is_not_judged():
    rules = _rules([_energy(1, electricity_kwh=1.0)], previous=None)
    assert {rules[n][0]["outcome"] for n in ("building_energy_heat_year_over_year",
                                             "building_energy_electricity_year_over_year")} == {"skipped"}
    assert rules["building_energy_heat_year_over_year"][0]["message"] == (
        "Ikke vurderet: der er ingen data for 2023 at sammenligne med.")


def test_a_missing_column_is_an_error_at_the_rules_severity():
    buildings = frame("buildings", SCHOOLS, CODE, YEAR).drop(columns=["use"])
    rules, failures = plausibility.check(frame("building_energy", [_energy(1)], CODE, YEAR), FILE, None,
                                         buildings)
    errors = [r for r in rules if r["outcome"] == "error"]
    assert {r["rule"] for r in errors} == {"building_energy_heat_per_m2_plausible",
                                           "building_energy_electricity_per_m2_plausible"}
    assert "kolonnen buildings.use mangler" in failures[0]["message"]


def test_an_energy_row_for_an_unknown_building_is_critical_and_named():
    frames = {"building_energy": frame("building_energy", [_energy(1, electricity_kwh=1.0),
                                                           _energy(9, electricity_kwh=2.0)], CODE, YEAR),
              "buildings": frame("buildings", SCHOOLS, CODE, YEAR)}
    rules, [failure] = references.check("building_energy", frames, FILES)
    assert [(r["rule"], r["outcome"]) for r in rules] == [("building_energy_building_known", "failed")]
    assert (failure["source_file"], failure["row"], failure["column"], failure["value"], failure["severity"]) == (
        FILE, 3, "building_id", "B9", "critical")
    assert failure["message"] == (
        f'{FILE}, række 3, kolonne building_id: værdien "B9"; forventet et building_id fra '
        f"{FILES['buildings']} (kommunale bygninger).")


@pytest.mark.parametrize("rule", sorted(checks.DATASET_RULES["building_energy"]))
def test_the_plausibility_rules_are_documented_in_the_suite(rule):
    definition = checks.DATASET_RULES["building_energy"][rule]
    assert SUITE["meta"]["pipeline_checks"][rule].startswith(SEVERITY_DA[definition["severity"]])
    assert definition["severity"] == "warning" and len(definition["notes"]) > 40


def test_the_suites_unit_rules_follow_the_schema():
    transport = json.loads((config.EXPECTATIONS / "transport_energy.json").read_text(encoding="utf-8"))
    rules = {e["meta"]["rule"]: e for e in transport["expectations"]}
    assert rules["transport_energy_unit_fits_fuel"]["kwargs"]["value_pairs_set"] == schema.transport_unit_pairs()
    km = rules["transport_energy_km_only_for_own_car"]["kwargs"]
    assert km["value_set"] == [schema.DISTANCE_UNIT]
    assert km["row_condition"]["parameter"] == list(schema.DISTANCE_SOURCES)
    present = next(e for e in SUITE["expectations"] if e["meta"]["rule"] == "building_energy_quantity_present")
    quantities = [c for c in schema.DATASETS["building_energy"].column_names if c not in ("building_id", "basis")]
    assert [present["kwargs"]["column"]] + [c["column"]["name"] for c in present["kwargs"]["row_condition"][
        "conditions"]] == quantities, "every quantity column counts"


def test_valid_rows_pass_the_plausibility_rules():
    rules = _rules(valid_rows("building_energy"), [dict(b) for b in valid_rows("buildings")],
                   valid_rows("building_energy"))
    assert {r["outcome"] for r, _ in rules.values()} == {"passed"}
