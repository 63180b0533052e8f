"""CO2e by carrier (buildings) and by fuel and source (transport), by hand with the 2024 factors."""

import pytest

from pipeline.account.operations import footprint
from pipeline.account.operations.factors import HELD, INTERPOLATED
from pipeline.account.operations.settings import FactorOverride, OperationsSettings
from tests.unit.account.operations import cases

# 2024 factors: el 0,161; fjernvarme 0,105 + ½ × (0,0878 − 0,105) = 0,0964; naturgas 11,0 × 0,207 = 2,277 kg/m³;
# diesel 3,24 kg/l; benzin 2,71 kg/l; benzin in one's own car 0,141 kg/km.


def test_buildings_by_carrier():
    fp = footprint(cases.energy(), cases.transport(), 2024)
    b = fp.by_carrier().set_index("carrier")
    assert b.loc["el", "amount"] == 105_000.0
    assert b.loc["el", "t_co2e"] == pytest.approx(16.905)  # 105.000 kWh × 0,161 = 16.905 kg
    assert b.loc["fjernvarme", "t_co2e"] == pytest.approx(11.568)  # 120.000 kWh × 0,0964 = 11.568 kg
    assert b.loc["naturgas", "t_co2e"] == pytest.approx(22.77)  # 10.000 m³ × 2,277 = 22.770 kg
    assert fp.buildings_t_co2e == pytest.approx(51.243)


def test_transport_by_fuel_and_source():
    fp = footprint(cases.energy(), cases.transport(), 2024)
    t = fp.by_fuel_and_source().set_index(["source", "carrier", "unit"])["t_co2e"]
    assert t[("egne_koeretoejer", "diesel", "l")] == pytest.approx(32.4)  # 10.000 l × 3,24
    assert t[("egne_koeretoejer", "el", "kwh")] == pytest.approx(3.22)  # 20.000 kWh × 0,161
    assert t[("taxakoersel", "benzin", "l")] == pytest.approx(2.71)  # 1.000 l × 2,71
    assert t[("koersel_i_egen_bil", "benzin", "km")] == pytest.approx(7.05)  # 50.000 km × 0,141
    assert fp.transport_t_co2e == pytest.approx(45.38)
    assert fp.total_t_co2e == pytest.approx(96.623)
    by_source = fp.by_source().set_index("source")["t_co2e"]
    assert by_source["egne_koeretoejer"] == pytest.approx(35.62) and by_source["bygninger"] == pytest.approx(51.243)


def test_transport_lines_come_in_schema_order_whatever_the_delivery_order():
    fp = footprint(cases.energy(), cases.transport().iloc[::-1], 2024)
    lines = fp.by_fuel_and_source()
    assert list(zip(lines["source"], lines["carrier"], strict=True)) == [
        ("egne_koeretoejer", "diesel"), ("egne_koeretoejer", "el"), ("taxakoersel", "benzin"),
        ("koersel_i_egen_bil", "benzin")]


def test_every_line_names_its_factor():
    lines = footprint(cases.energy(), cases.transport(), 2024).lines.set_index(["source", "carrier", "unit"])
    assert lines.loc[("bygninger", "el", "kwh"), "factor_method"] == INTERPOLATED
    assert lines.loc[("egne_koeretoejer", "diesel", "l"), "factor_method"] == HELD
    assert "Q8" in lines.loc[("egne_koeretoejer", "diesel", "l"), "factor_source"]
    assert lines.loc[("bygninger", "el", "kwh"), "factor_text"].startswith("0,161 kg CO₂e/kWh for el i 2024")


def test_an_override_changes_only_its_carrier():
    own = OperationsSettings(factors=(FactorOverride("fjernvarme", "kwh", 2024, 0.0785, "deklaration", "151.yaml"),))
    fp = footprint(cases.energy(), cases.transport(), 2024, own)
    # fjernvarme: 120.000 × 0,0785 = 9.420 kg instead of 11.568 kg
    assert fp.buildings_t_co2e == pytest.approx(51.243 - 11.568 + 9.42)


def test_a_missing_dataset_gives_no_part_and_no_total():
    fp = footprint(cases.energy(), cases.transport().iloc[0:0], 2024)
    assert fp.buildings_t_co2e == pytest.approx(51.243)
    assert fp.transport_t_co2e is None and fp.total_t_co2e is None


def test_a_line_without_a_factor_makes_its_part_unknown_never_smaller():
    t = cases.transport()
    t.loc[0, ["fuel", "unit"]] = ["hvo", "km"]  # no factor per km for HVO
    fp = footprint(cases.energy(), t, 2024)
    assert fp.transport_t_co2e is None and fp.total_t_co2e is None
    assert fp.missing_factors == [("egne_koeretoejer", "hvo", "km")]
