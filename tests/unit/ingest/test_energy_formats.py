"""building_energy and transport_energy read from the usual Danish variants into the same typed table, with
the Danish spellings of their categories (målt, Kørsel i egen bil, Nm³, kWh) normalised."""

import shutil

import pandas as pd
import pytest

from pipeline import ingest, schema
from pipeline.ingest.readers import parse_category, read_dataset
from tests.factories import FORMATS


def read(name: str) -> pd.DataFrame:
    dataset = schema.DATASETS["building_energy" if name.startswith("building_energy") else "transport_energy"]
    table, problems = read_dataset(FORMATS / name, dataset, name)
    assert problems == [], problems
    return table


@pytest.mark.parametrize("variant", ["building_energy_semicolon_decimal_comma_cp1252.csv", "building_energy.xlsx"])
def test_building_energy_variants_read_identical_to_plain_csv(variant):
    pd.testing.assert_frame_equal(read(variant), read("building_energy_plain.csv"))


@pytest.mark.parametrize("variant", ["transport_energy_semicolon_decimal_comma_cp1252.csv",
                                     "transport_energy.xlsx"])
def test_transport_energy_variants_read_identical_to_plain_csv(variant):
    pd.testing.assert_frame_equal(read(variant), read("transport_energy_plain.csv"))


def test_building_energy_values_and_empty_quantities():
    table = read("building_energy_semicolon_decimal_comma_cp1252.csv")
    assert table["building_id"].tolist() == ["B-001", "B-002", "B-003", "B-004"]
    assert table["electricity_kwh"].tolist() == [183250.5, 28900.0, 412000.0, 9100.0]
    assert table.loc[2, "natural_gas_kwh"] == 1_650_000.0 and table.loc[1, "natural_gas_m3"] == 11250.0
    assert table["water_m3"].tolist() == [1046.3, 240.0, 2310.75, 96.0]
    assert pd.isna(table.loc[0, "natural_gas_m3"]) and pd.isna(table.loc[3, "district_heating_kwh"])
    assert table["basis"].tolist() == ["maalt", "maalt", "estimeret", "estimeret"], "Målt and ESTIMERET"


def test_transport_energy_danish_spellings_become_the_schema_values():
    table = read("transport_energy_semicolon_decimal_comma_cp1252.csv")
    assert table["source"].tolist() == ["egne_koeretoejer"] * 3 + ["taxakoersel", "koersel_i_egen_bil"]
    assert table["fuel"].tolist() == ["diesel", "el", "biogas", "el", "benzin"]
    assert table["unit"].tolist() == ["l", "kwh", "nm3", "kwh", "km"]
    assert table["amount"].tolist() == [41250.5, 38400.0, 2150.0, 5200.0, 61000.0]


@pytest.mark.parametrize("column, delivered, expected", [
    ("unit", "Nm³", "nm3"), ("unit", "NM3", "nm3"), ("unit", "kWh", "kwh"), ("unit", " L ", "l"),
    ("source", "Kørsel i egen bil", "koersel_i_egen_bil"), ("source", "kørsel i egen bil", "koersel_i_egen_bil"),
    ("source", "Egne køretøjer", "egne_koeretoejer"), ("source", "Taxakørsel", "taxakoersel"),
    ("fuel", "HVO", "hvo"), ("basis", "målt", "maalt"), ("basis", "Målt", "maalt"),
])
def test_each_danish_spelling(column, delivered, expected):
    dataset = "building_energy" if column == "basis" else "transport_energy"
    value = parse_category(delivered, schema.DATASETS[dataset].column(column))
    assert value == expected and value in schema.DATASETS[dataset].column(column).allowed


def test_a_year_folder_with_both_datasets_is_ingested_with_provenance(tmp_path):
    folder = tmp_path / "raw" / "2024" / "151"
    folder.mkdir(parents=True)
    shutil.copy(FORMATS / "building_energy_semicolon_decimal_comma_cp1252.csv", folder / "building_energy.csv")
    shutil.copy(FORMATS / "transport_energy.xlsx", folder / "transport_energy.xlsx")
    result = ingest.ingest_year(2024, tmp_path / "raw", root=tmp_path)
    energy, transport = result.tables["building_energy"], result.tables["transport_energy"]
    assert len(energy) == 4 and len(transport) == 5
    assert set(energy["source_file"]) == {"raw/2024/151/building_energy.csv"}
    assert transport["source_row"].tolist() == [2, 3, 4, 5, 6]
    assert result.manifest.delivered(151) == ["building_energy", "transport_energy"]
    assert "building_energy" not in result.manifest.municipalities[151].missing, "optional: never missing"


@pytest.mark.parametrize("section, dataset", [("### 3.7", "building_energy"), ("### 3.8", "transport_energy")])
def test_the_example_in_the_delivery_format_reads_without_problems(tmp_path, section, dataset):
    """docs/delivery-format.md shows each dataset as a Windows-1252 semicolon file: it must read as shown."""
    from pipeline import config

    text = (config.ROOT / "docs" / "delivery-format.md").read_text(encoding="utf-8")
    block = text[text.index(section):].split("```\n", 2)[1]
    path = tmp_path / f"{dataset}.csv"
    path.write_bytes(block.replace("\n", "\r\n").encode("cp1252"))
    table, problems = read_dataset(path, schema.DATASETS[dataset], path.name)
    assert problems == [] and len(table) >= 3
    for column in schema.DATASETS[dataset].columns:
        if column.allowed:
            assert set(table[column.name].dropna()) <= set(column.allowed), column.name
