"""The open data opens right: kpis.csv in Danish Excel (BOM, ';', decimal comma), every data year with the
Danish KPI name, the target-path value and the sample flag, and a Frictionless Data Package that validates."""

import csv
import io
import json
import re

import frictionless
import pandas as pd
import pytest

from pipeline import registry
from pipeline.account import kpi_table
from pipeline.account.climate import kpis as climate_kpis
from pipeline.account.kpis import KPI_IDS
from pipeline.account.kpis.meta import all_defs
from pipeline.publish import open_data
from tests.factories import processed_tree, year_paths

# 2023: 1 of 3 passenger cars electric; 2024: 2 of 3 (33,333 % and 66,667 %: decimals on show)
FLEET = {2023: [("P1", "personbil", "el", "2020-01-01"), ("P2", "personbil", "diesel", "2020-01-01"),
                ("P3", "personbil", "benzin", "2020-01-01"), ("V1", "varebil", "el", "2020-01-01")],
         2024: [("P1", "personbil", "el", "2020-01-01"), ("P2", "personbil", "el", "2020-01-01"),
                ("P3", "personbil", "benzin", "2020-01-01"), ("V1", "varebil", "el", "2020-01-01")]}
TARGETS = {
    151: "municipality_code: 151\nsource: Eksempeldata\ntargets:\n"
         "  zero_emission_share_passenger_cars:\n    target: {year: 2030, value: 100}\n",
    153: "municipality_code: 153\nsource: Brøndby Kommunes klimaplan\ntargets:\n"
         "  zero_emission_share_passenger_cars:\n"
         "    baseline: {year: 2020, value: 10.0}\n    target: {year: 2030, value: 90.0}\n",
}
# the options the README documents for reading kpis.csv
README_OPTIONS = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig",
                  "true_values": ["ja"], "false_values": ["nej"]}
PUBLISHED = (151, 153)


@pytest.fixture
def published(tmp_path):
    """Two published municipalities with 2023 and 2024 data (151 sample data, 153 not), and a third
    one (147) in the KPI table whose report is not published."""
    years = {y: {code: {"fleet": rows} for code in (*PUBLISHED, 147)} for y, rows in FLEET.items()}
    processed_tree(tmp_path / "data" / "processed", years)
    paths = year_paths(tmp_path)
    targets = tmp_path / "targets"
    targets.mkdir()
    for code, text in TARGETS.items():
        (targets / f"{code}.yaml").write_text(text, encoding="utf-8")
    kpi_table.run(paths, [*PUBLISHED, 147], targets)
    written = open_data.write(paths, [registry.get(c) for c in PUBLISHED], targets)
    return paths, targets, written


def test_writes_csv_json_and_datapackage_beside_the_reports(published):
    paths, _, written = published
    assert written == [paths.open_data_csv, paths.open_data_json, paths.reports / "datapackage.json"]
    assert all(p.exists() for p in written) and not list(paths.reports.glob("*.tmp"))


def test_csv_is_utf8_with_bom_semicolons_and_decimal_commas(published):
    paths, _, _ = published
    data = paths.open_data_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Danish Excel needs the BOM to read UTF-8"
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == open_data.COLUMNS
    numbers = [r[c] for r in rows for c in ("value", "expected_value", "target_value") if r[c]]
    assert numbers and all(re.fullmatch(r"-?\d+(,\d+)?", n) for n in numbers), "decimal comma, no point"
    cars = {(r["municipality_code"], r["year"]): r for r in rows
            if r["kpi_id"] == "zero_emission_share_passenger_cars"}
    assert cars[("151", "2023")]["value"] == "33,333" and cars[("151", "2024")]["value"] == "66,667"
    assert {r["sample_data"] for r in rows} == {"ja", "nej"}
    assert "Personbiler på el eller brint" in text, "æ, ø, å as UTF-8"


def test_csv_round_trips_to_the_kpi_table_for_every_year(published):
    paths, _, _ = published
    got = pd.read_csv(paths.open_data_csv, **README_OPTIONS)
    table = kpi_table.load(paths)
    table = table[table["municipality_code"].isin(PUBLISHED)]
    # every data year × KPI, plus the climate account's three key figures in the report year
    assert len(got) == len(table) == len(PUBLISHED) * (len(FLEET) * len(KPI_IDS) + len(climate_kpis.IDS))
    assert sorted(got["year"].unique()) == [2023, 2024], "every data year, not only the report year"
    assert (got["report_year"] == 2024).all()
    assert not got.duplicated(open_data.PRIMARY_KEY).any()
    merged = table.merge(got, on=["municipality_code", "year", "kpi_id"], suffixes=("", "_csv"))
    assert len(merged) == len(table)
    for column in ("value", "expected_value", "target_value"):
        pd.testing.assert_series_equal(merged[f"{column}_csv"], merged[column].round(3), check_names=False)
    assert (merged["target_year_csv"].astype("Int64").fillna(-1) == merged["target_year"].fillna(-1)).all()
    assert (merged["status_csv"].fillna("") == merged["status"].fillna("")).all()
    assert (got["kpi_name_da"] == got["kpi_id"].map(lambda k: all_defs()[k].title_da)).all()
    climate = got[got["kpi_id"].isin(climate_kpis.IDS)]
    assert (climate["year"] == 2024).all() and (climate["status"] == "mangler data").all(), "no emissions"
    assert set(got["municipality"]) == {"Ballerup", "Brøndby"}


def test_report_year_rows_carry_the_path_value_and_earlier_years_no_status(published):
    paths, _, _ = published
    got = pd.read_csv(paths.open_data_csv, **README_OPTIONS).set_index(["municipality_code", "year", "kpi_id"])
    brondby = got.loc[(153, 2024, "zero_emission_share_passenger_cars")]
    # the path from 10 % in 2020 to 90 % in 2030 passes 42 % in 2024
    assert brondby["expected_value"] == pytest.approx(42.0) and brondby["target_value"] == 90.0
    assert brondby["target_year"] == 2030 and brondby["status"] == "på sporet"
    earlier = got.xs(2023, level="year")
    assert earlier[["expected_value", "target_value", "target_year", "status"]].isna().all().all()


def test_sample_flag_follows_each_municipalitys_targets_file(published):
    paths, _, _ = published
    got = pd.read_csv(paths.open_data_csv, **README_OPTIONS)
    assert got["sample_data"].dtype == bool
    assert got.groupby("municipality_code")["sample_data"].agg(set).to_dict() == {151: {True}, 153: {False}}


def test_only_published_municipalities_are_in_the_open_data(published):
    paths, _, _ = published
    got = pd.read_csv(paths.open_data_csv, **README_OPTIONS)
    assert set(got["municipality_code"]) == set(PUBLISHED), "147 is in the KPI table but not published"


def test_json_is_plain_json_with_the_same_rows(published):
    paths, _, _ = published
    rows = json.loads(paths.open_data_json.read_text(encoding="utf-8"))
    got = pd.read_csv(paths.open_data_csv, **README_OPTIONS)
    assert len(rows) == len(got) and list(rows[0]) == open_data.COLUMNS
    cars = next(r for r in rows if r["municipality_code"] == 153 and r["year"] == 2024
                and r["kpi_id"] == "zero_emission_share_passenger_cars")
    assert cars["value"] == pytest.approx(66.667) and isinstance(cars["value"], float)
    assert cars["target_year"] == 2030 and cars["sample_data"] is False and cars["caveat"] is False
    early = next(r for r in rows if r["year"] == 2023)
    assert early["status"] is None and early["expected_value"] is None and early["sample_data"] is True


def test_datapackage_validates_with_frictionless(published):
    paths, _, _ = published
    package = paths.reports / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resource = descriptor["resources"][0]
    assert resource["path"] == "kpis.csv" and resource["encoding"] == "utf-8-sig"
    assert resource["dialect"]["delimiter"] == ";"
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert list(fields) == open_data.COLUMNS
    assert all(f["decimalChar"] == "," for f in fields.values() if f["type"] == "number")
    assert all(f.get("description") and f.get("title") for f in fields.values())
    assert resource["schema"]["primaryKey"] == ["municipality_code", "year", "kpi_id"]
    assert descriptor["licenses"] and descriptor["sources"] and descriptor["sample_data"] is True
    assert "Eksempeldata" in descriptor["description"]


def test_frictionless_reads_the_values_back(published):
    paths, _, _ = published
    resource = frictionless.Package(str(paths.reports / "datapackage.json")).get_resource("kpis")
    rows = [r.to_dict() for r in resource.read_rows()]
    cars = next(r for r in rows if r["municipality_code"] == 151 and r["year"] == 2023
                and r["kpi_id"] == "zero_emission_share_passenger_cars")
    assert float(cars["value"]) == pytest.approx(33.333) and cars["sample_data"] is True


@pytest.mark.parametrize("corrupt", ["text in a number column", "duplicate key"])
def test_a_corrupted_csv_makes_the_package_invalid(published, corrupt):
    paths, _, _ = published
    lines = paths.open_data_csv.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    if corrupt == "text in a number column":
        cells = lines[1].split(";")
        cells[open_data.COLUMNS.index("value")] = "ukendt"
        lines[1] = ";".join(cells)
        expected = "type-error"
    else:
        lines.append(lines[1])
        expected = "primary-key"
    paths.open_data_csv.write_bytes("".join(lines).encode("utf-8-sig"))
    report = frictionless.validate(str(paths.reports / "datapackage.json"))
    assert not report.valid
    assert expected in {e[0] for e in report.flatten(["type"])}


def test_no_published_municipality_gives_empty_but_valid_open_data(tmp_path):
    processed_tree(tmp_path / "data" / "processed", {2024: {151: {"fleet": FLEET[2024]}}})
    paths = year_paths(tmp_path)
    open_data.write(paths, [], tmp_path / "targets")
    assert paths.open_data_csv.read_text(encoding="utf-8-sig").splitlines() == [";".join(open_data.COLUMNS)]
    assert json.loads(paths.open_data_json.read_text(encoding="utf-8")) == []
    assert frictionless.validate(str(paths.reports / "datapackage.json")).valid
