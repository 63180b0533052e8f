"""Each Danish delivery variant must read into exactly the same table as the plain CSV."""

import pandas as pd
import pytest

from pipeline import schema
from pipeline.ingest.readers import parse_date, parse_float, read_dataset
from tests.factories import FORMATS

BUILDINGS = schema.DATASETS["buildings"]


def read(name: str) -> pd.DataFrame:
    table, problems = read_dataset(FORMATS / name, BUILDINGS, name)
    assert problems == [], problems
    return table


@pytest.mark.parametrize("variant", [
    "buildings_semicolon_decimal_comma_cp1252.csv",
    "buildings_utf8_bom.csv",
    "buildings.xlsx",
])
def test_variant_reads_identical_to_plain_csv(variant):
    pd.testing.assert_frame_equal(read(variant), read("buildings_plain.csv"))


def test_plain_csv_values_and_danish_letters():
    table = read("buildings_plain.csv")
    assert table["name"].tolist()[:2] == ["Måløv Skole", "Skovlunde Børnehus"]
    assert table.loc[3, "name"] == 'Ældrecenter "Æblehaven"'
    assert table["heated_area_m2"].tolist() == [5230.5, 812.0, 12040.25, 3100.0, 2250.0]
    assert table.loc[0, "label_valid_until"] == pd.Timestamp("2029-06-30")
    assert pd.isna(table.loc[3, "energy_label"]) and pd.isna(table.loc[3, "label_valid_until"])
    assert table["source_row"].tolist() == [2, 3, 4, 5, 6]


@pytest.mark.parametrize("text,decimal,expected", [
    ("1.234,5", ",", 1234.5), ("12,5", ",", 12.5), ("3.100", ",", 3100.0), ("-0,75", ",", -0.75),
    ("12.5", ",", 12.5), ("1234.5", ".", 1234.5), (" 7 ", ".", 7.0), ("1 234,5", ",", 1234.5),
])
def test_parse_float(text, decimal, expected):
    assert parse_float(text, decimal) == expected


@pytest.mark.parametrize("text", ["abc", "12,5 t", "", "nan", "inf"])
def test_parse_float_refuses(text):
    with pytest.raises(ValueError):
        parse_float(text, ",")


@pytest.mark.parametrize("text", ["2024-12-31", "31-12-2024", "31.12.2024"])
def test_parse_date_formats(text):
    assert parse_date(text) == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("text", ["2024-13-01", "31/31/2024", "i går"])
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_bad_cells_are_all_reported_with_row_column_value(tmp_path):
    path = tmp_path / "waste.csv"
    path.write_text("fraction;treatment;tonnes\npapir;genanvendelse;12,5\nplast;genanvendelse;mange\n"
                    "glas;genanvendelse;1.2.3\n", encoding="cp1252")
    _, problems = read_dataset(path, schema.DATASETS["waste"], "data/raw/2024/151/waste.csv")
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "tonnes", "mange"), (4, "tonnes", "1.2.3")]
    assert "data/raw/2024/151/waste.csv, række 3, kolonne 'tonnes'" in str(problems[0])
    assert "forventet: et tal" in str(problems[0])


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text("vehicle_id,vehicle_class,in_service_since\nBA-1,personbil,2020-01-01\n")
    _, problems = read_dataset(path, schema.DATASETS["fleet"], "fleet.csv")
    assert len(problems) == 1 and problems[0].column == "propulsion"
    assert "mangler" in problems[0].message


def test_missing_optional_column_is_added_empty(tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text("action_id,area,title,responsibility,status,expected_reduction_t_co2e_2030\n"
                    "T-01,Transport,Elbiler,Selv,Gennemført,12\n")
    table, problems = read_dataset(path, schema.DATASETS["actions"], "actions.csv")
    assert problems == []
    assert table.loc[0, "status"] == "gennemfoert" and table.loc[0, "responsibility"] == "selv"
    assert pd.isna(table.loc[0, "kpi"])


def test_unreadable_xlsx_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "fleet.xlsx"
    path.write_bytes(b"this is not a zip file")
    table, problems = read_dataset(path, schema.DATASETS["fleet"], "fleet.xlsx")
    assert table is None and "kan ikke læses som xlsx" in problems[0].message


def test_a_column_named_twice_is_refused_not_silently_dropped(tmp_path):
    """Issue 11: pandas would read the second 'tonnes' as 'tonnes.1' and drop it without a word."""
    from pipeline import schema
    from pipeline.ingest.readers import read_dataset

    path = tmp_path / "waste.csv"
    path.write_text("fraction;treatment;tonnes;tonnes\nmadaffald;genanvendelse;1,5;2\n", encoding="utf-8")
    table, problems = read_dataset(path, schema.DATASETS["waste"], "data/raw/2024/151/waste.csv")
    assert table is None
    (problem,) = problems
    assert "kolonnen findes flere gange: tonnes" in str(problem) and "række 1" in str(problem)
    assert "forventet: hver kolonne én gang" in str(problem)


def test_trailing_empty_header_cells_are_not_duplicates(tmp_path):
    from pipeline import schema
    from pipeline.ingest.readers import read_dataset

    path = tmp_path / "waste.csv"
    path.write_text("fraction;treatment;tonnes;;\nmadaffald;genanvendelse;1,5;;\n", encoding="utf-8")
    table, problems = read_dataset(path, schema.DATASETS["waste"], "data/raw/2024/151/waste.csv")
    assert problems == [] and table["tonnes"].tolist() == [1.5]


@pytest.mark.parametrize("cell", ["1066-10-14", "9999-12-31", "31-12-1899"])
def test_dates_outside_1900_to_2100_are_refused_with_what_was_expected(cell):
    """Issue 11: pandas cannot hold them in nanoseconds, and validation crashed on them."""
    from pipeline.ingest.readers import parse_date

    with pytest.raises(ValueError):
        parse_date(cell)
    assert parse_date("2100-12-31").year == 2100 and parse_date("01.01.1900").year == 1900


@pytest.mark.parametrize("cell", ["1e308", "1,0e300", "1.000.000.000.000.000", float("inf")])
def test_numbers_that_would_overflow_a_sum_are_refused(cell):
    from pipeline.ingest.readers import parse_float

    with pytest.raises(ValueError):
        parse_float(cell, ",")
    assert parse_float("999.999.999.999,5", ",") == 999_999_999_999.5


def test_files_in_a_form_we_refuse_say_what_was_expected(tmp_path):
    """Issue 11: UTF-16 ('Unicode-tekst'), a UTF-8 BOM before Windows-1252 text, data on a later sheet."""
    import openpyxl

    from pipeline import schema
    from pipeline.ingest.readers import read_dataset

    waste = schema.DATASETS["waste"]
    text = "fraction;treatment;tonnes\nmadaffald;genanvendelse;1,5\n"
    cases = {
        "utf16.csv": (text.encode("utf-16"), "UTF-16"),
        "bom_cp1252.csv": (b"\xef\xbb\xbf" + "fraction;treatment;tonnes\nhøj;genanvendelse;1\n".encode("cp1252"),
                           "UTF-8 (med BOM)"),
    }
    for name, (data, said) in cases.items():
        (tmp_path / name).write_bytes(data)
        table, (problem,) = read_dataset(tmp_path / name, waste, name)
        assert table is None and said in str(problem) and "forventet: en CSV-fil i UTF-8" in str(problem)
    book = openpyxl.Workbook()
    book.active.title = "Forside"
    data = book.create_sheet("Affald")
    data.append(["fraction", "treatment", "tonnes"])
    data.append(["madaffald", "genanvendelse", 1.5])
    book.save(tmp_path / "waste.xlsx")
    table, (problem,) = read_dataset(tmp_path / "waste.xlsx", waste, "waste.xlsx")
    assert "dataene ligger på arket 'Affald'" in str(problem) and "forventet: data på første ark" in str(problem)
