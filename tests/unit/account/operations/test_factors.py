"""Emission factors: BR18 interpolation, the nearest year held outside the table, overrides, derived factors."""

import pytest

from pipeline.account.operations import factor
from pipeline.account.operations.factors import CONSTANT, HELD, INTERPOLATED, OVERRIDDEN, TABLE
from pipeline.account.operations.settings import FactorOverride, OperationsSettings

OWN = OperationsSettings(factors=(
    FactorOverride("fjernvarme", "kwh", 2024, 0.0785, "Fjernvarmeselskabets deklaration 2024", "151.yaml", 7),
    FactorOverride("naturgas", "kwh", 2024, 0.2, "Gasselskabets deklaration 2024", "151.yaml", 9),
), file="151.yaml")


def test_a_year_in_the_table_is_used_as_it_is():
    f = factor("el", "kwh", 2025)
    assert (f.value, f.method, f.table_years) == (0.135, TABLE, (2025,))
    assert "BR18" in f.source and f.file == "data/reference/emission_factors.csv"


def test_el_2024_is_the_midpoint_of_2023_and_2025():
    # 0,187 + (2024 − 2023) / (2025 − 2023) × (0,135 − 0,187) = 0,187 − 0,026 = 0,161
    f = factor("el", "kwh", 2024)
    assert f.value == pytest.approx(0.161)
    assert f.method == INTERPOLATED and f.interpolated and f.table_years == (2023, 2025)
    assert f.describe_da().startswith("0,161 kg CO₂e/kWh for el i 2024 (interpoleret lineært mellem 2023 og 2025)")


def test_district_heating_2027_is_two_fifths_of_the_way_from_2025_to_2030():
    # 0,0878 + (2027 − 2025) / (2030 − 2025) × (0,0713 − 0,0878) = 0,0878 − 0,4 × 0,0165 = 0,0812
    assert factor("fjernvarme", "kwh", 2027).value == pytest.approx(0.0812)


@pytest.mark.parametrize(("year", "value", "from_year"), [(2019, 0.187, 2023), (2045, 0.0403, 2040)])
def test_outside_the_table_the_nearest_year_is_held(year, value, from_year):
    f = factor("el", "kwh", year)
    assert (f.value, f.method, f.held, f.table_years) == (value, HELD, True, (from_year,))
    assert f"faktoren for {from_year} fastholdt" in f.describe_da()


def test_a_fuel_factor_of_one_year_is_held_for_every_other_year():
    assert factor("diesel", "l", 2019).value == factor("diesel", "l", 2024).value == 3.24
    assert factor("diesel", "l", 2019).method == HELD
    assert factor("biogas", "nm3", 2019).method == CONSTANT  # a factor without a year: every year


def test_an_override_replaces_only_its_own_year():
    f = factor("fjernvarme", "kwh", 2024, OWN)
    assert (f.value, f.method, f.overridden, f.source) == (0.0785, OVERRIDDEN, True, "Fjernvarmeselskabets deklaration 2024")
    assert (f.file, f.rows) == ("151.yaml", (7,))
    assert "kommunens egen faktor fra 151.yaml" in f.describe_da()
    assert factor("fjernvarme", "kwh", 2023, OWN).value == 0.105  # the neighbours keep the table's values
    assert factor("fjernvarme", "kwh", 2025, OWN).value == 0.0878


def test_natural_gas_in_m3_goes_through_its_energy_content():
    # 11,0 kWh/m³ × (0,225 + ½ × (0,189 − 0,225) = 0,207 kg/kWh) = 2,277 kg CO2e/m³
    f = factor("naturgas", "m3", 2024)
    assert f.value == pytest.approx(2.277)
    assert f.derived and f.energy.kwh_per_unit == 11.0 and f.base.value == pytest.approx(0.207)
    assert f.method == INTERPOLATED  # the kWh factor's method
    # an override of the kWh factor carries over: 11,0 × 0,2 = 2,2
    assert factor("naturgas", "m3", 2024, OWN).value == pytest.approx(2.2)
    assert factor("naturgas", "m3", 2024, OWN).method == OVERRIDDEN


def test_transport_electricity_uses_the_years_el_factor():
    assert factor("el", "kwh", 2024).value == pytest.approx(0.161)
    assert factor("el", "km", 2024).value == pytest.approx(0.2 * 0.161)  # 0,20 kWh/km × 0,161 = 0,0322
    assert factor("brint", "kg", 2024).value == pytest.approx(55 * 0.161)  # 55 kWh/kg × 0,161 = 8,855


def test_units_are_read_as_delivered():
    assert factor("biogas", "Nm³", 2024).value == factor("biogas", "nm3", 2024).value == 0.01
    assert factor(" EL ", "kWh", 2024).value == pytest.approx(0.161)


def test_no_factor_is_none_never_a_guess():
    assert factor("hvo", "km", 2024) is None
    assert factor("brint", "l", 2024) is None
