"""The committed reference tables load, carry a source on every row, and a broken one names file and row."""

import pytest

from pipeline import config
from pipeline.account.operations import reference
from pipeline.account.operations.reference import ReferenceDataError


def test_every_reference_row_has_a_source():
    assert all(r.source for r in reference.emission_factors())
    assert all(e.source for e in reference.energy_per_unit().values())
    assert all(d.source for d in reference.degree_days().values())
    assert all(p.source for p in reference.parameters().values())


def test_br18_table_8_is_committed_as_given():
    rows = {(r.carrier, r.year): r.value for r in reference.emission_factors() if r.unit == "kwh"}
    assert {(c, y): rows[(c, y)] for c in ("el", "fjernvarme", "naturgas") for y in (2023, 2025, 2030)} == {
        ("el", 2023): 0.187, ("el", 2025): 0.135, ("el", 2030): 0.0470,
        ("fjernvarme", 2023): 0.105, ("fjernvarme", 2025): 0.0878, ("fjernvarme", 2030): 0.0713,
        ("naturgas", 2023): 0.225, ("naturgas", 2025): 0.189, ("naturgas", 2030): 0.105}
    assert all("BR18" in r.source for r in reference.emission_factors() if r.unit == "kwh")


def test_parameters_hold_the_normal_year_and_the_hot_water_share():
    p = reference.parameters()
    assert p["normal_year_degree_days"].value == 3112
    assert p["hot_water_share"].value == 0.25
    assert p["normal_year_degree_days"].file == "data/reference/operations_parameters.csv"
    assert p["hot_water_share"].row == 3  # the spreadsheet row (header = 1)


def test_degree_days_are_only_the_verified_years():
    """Only years whose figure could be checked against a published source are committed (see the source)."""
    dd = reference.degree_days()
    assert sorted(dd) == [2015, 2016, 2017, 2018, 2019]
    assert dd[2019].value == pytest.approx(2543.9), "the twelve monthly figures of 2019 summed"
    assert dd[2016].value == pytest.approx(2715.1)
    assert all("Ikke DMI's landstal" in d.source for d in dd.values())


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_factor_row_names_file_row_column_and_value(tmp_path):
    path = _write(tmp_path, "emission_factors.csv",
                  "carrier,year,kg_co2e_per_unit,unit,source\n"
                  "el,2023,0.187,kg CO2e/kWh,BR18\n"
                  "el,2025,0,135,kg CO2e/kWh,BR18\n"  # a decimal comma splits the value: 5 columns become 6
                  "el,2030,abc,kg CO2e/kWh,BR18\n"
                  "olie,2030,1.0,kg CO2e/l,\n")
    with pytest.raises(ReferenceDataError) as err:
        reference.emission_factors(path)
    text = str(err.value)
    assert "emission_factors.csv, række 4, kolonne 'kg_co2e_per_unit': ikke et gyldigt tal (værdi: 'abc')" in text
    assert "række 5, kolonne 'carrier': ukendt energiart (værdi: 'olie')" in text
    assert "række 5, kolonne 'source': kilden mangler" in text
    assert "række 3" in text  # '0' then '135' as the unit: an unknown unit


def test_a_year_given_twice_is_refused(tmp_path):
    path = _write(tmp_path, "emission_factors.csv",
                  "carrier,year,kg_co2e_per_unit,unit,source\n"
                  "el,2023,0.187,kg CO2e/kWh,BR18\nel,2025,0.135,kg CO2e/kWh,BR18\nel,2023,0.2,kg CO2e/kWh,X\n")
    with pytest.raises(ReferenceDataError, match="række 4, kolonne 'year': el i kg CO2e/kWh står allerede i række 2"):
        reference.emission_factors(path)


def test_a_file_with_other_columns_is_refused(tmp_path):
    path = _write(tmp_path, "degree_days.csv", "år,graddage,kilde\n2020,2800,DMI\n")
    with pytest.raises(ReferenceDataError, match="række 1: kolonnerne er ikke de forventede"):
        reference.degree_days(path)


def test_a_missing_parameter_is_named(tmp_path):
    path = _write(tmp_path, "p.csv", "parameter,value,unit,source\nnormal_year_degree_days,3112,graddage,X\n"
                                     "degree_day_base_celsius,17,°C,X\n")
    with pytest.raises(ReferenceDataError, match="parameteren hot_water_share mangler"):
        reference.parameters(path)


def test_reference_paths_come_from_config():
    assert config.EMISSION_FACTORS_CSV == config.REFERENCE / "emission_factors.csv"
    assert config.DEGREE_DAYS_CSV.is_file() and config.OPERATIONS_PARAMETERS_CSV.is_file()
