"""The vectorised column reader gives exactly what the per-cell parser gives: values, dtype, problems."""

import datetime as dt
import random
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from pipeline import config, schema
from pipeline.ingest import available_years, columns, ingest_year, readers
from pipeline.ingest.cells import DATE_FORMATS, convert_column_cellwise, is_blank
from pipeline.ingest.columns import (
    DATE_SHAPES,
    WHITESPACE,
    blank_rows,
    convert_column,
    convert_column_vectorised,
)
from tests.factories import FORMATS

COLUMNS = [schema.Column("value", kind) for kind in
           (schema.FLOAT, schema.INT, schema.DATE, schema.CATEGORY, schema.YESNO, schema.TEXT)]
COLUMNS.append(schema.Column("energy_label", schema.CATEGORY))  # upper case, spaces removed


class Text(str):
    """A str subclass: the vectorised reader leaves it to the per-cell parser."""


NUMBER_TEXT = [
    "1.234,5", "1234,5", "-0,5", " 12 ", "1\u00a0234,5", "1 234,5", "\u00a01.234\u00a0", "1_000", "1e5",
    " 1e5 ", "1E-3", "+.5", "5.", ".", "-", "+-1", "--1", "1e", "e5", "inf", "-inf", "Infinity", "nan",
    "NaN", "NA", "null", "None", "", "  ", "\t", "\u3000", "\r\n", "abc", "12,3,4", "1.234.567,8", "1.234",
    "12.5", "12,5", "1,5e3", "1.000.000.000.000.000", "999.999.999.999,5", "999999999999999",
    "1000000000000000", "1e15", "-1e15", "9" * 400, "1" + "0" * 25, "0.1000000000000000055511151231257827",
    "123456789012345678901234567890e-20", "-0", "-0,0", "-0.0", "+0", "-0e5", "007", "0x10", "1d5", "١٢",
    "１２", "١.٢٣٤,٥", "1\u20092", "\x1c12", "12\x85", "\u200b12", "1\t2", "\t12\n", "True", "12 t",
    "12,5 t", "1.2.3", "mange", "12.", "1.234,", ",5", "1,234.5", "1.23,4",
    "+905199798563.619590", "+1.86e-110", "1.86e-110", "6e\t4", "+6e 4\t", "6e 4",  # to_numeric differs
]
DATE_TEXT = [
    *(d.strftime(fmt) for fmt in DATE_FORMATS for d in (
        dt.datetime(2024, 12, 31, 23, 59, 59), dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31, 0, 0, 1),
        dt.datetime(1899, 12, 31), dt.datetime(2101, 1, 1), dt.datetime(1066, 10, 14), dt.datetime(9999, 12, 31))),
    "0000-01-01", "0000-01-01 00:00:00", "2024-02-30", "2023-02-29", "2024-02-29", "2100-02-29", "2000-02-29",
    "2024-1-5", "5-1-2024", "5.1.2024", " 2024-12-31 ", "\u00a02024-12-31", "2024-12-31T00:00:00",
    "2024-12-31 23:59:60", "2024-12-31 23:59:61", "2024-12-31 24:00:00", "2024-12-31  10:00:00",
    "2024-12-31\t10:00:00", "2024-12-31 1:2:3", "31/31/2024", "00-01-2024", "32-01-2024", "31-13-2024",
    "i går", "20241231", "31.12.24", "2024-12-31 10:00", "٢٠٢٤-١٢-٣١", "2024/12/31",
]
CATEGORY_TEXT = [
    "Gennemført", " I gang ", "ikke-startet", "Ikke Startet", "FÆLLESSKAB", "Æble-Grød", "a2020", "A 2015",
    "b", "ß", "İ", "straße", "ﬁ", "Ǆ", "m³", "m²", "Ω", "é", "Forbrænding", "\u00a0selv\u00a0", "i\tgang",
    "målt", "Kørsel i egen bil", "Nm³", "kWh", "ja", "NEJ", "x\x1c", "\u200bja",
]
TEXT = ["Måløv Skole", '  Ældrecenter "Æblehaven"  ', "151-B0001", "1001", "1001.0", "\u200bid", "x\x1c",
        "\u3000id\u3000"]
ALL_TEXT = NUMBER_TEXT + DATE_TEXT + CATEGORY_TEXT + TEXT
EXCEL = [
    1001, 1001.0, -0.0, 0.0, 12.5, 2.0**53 + 2, 1e20, 10**20, 10**400, -7, 0, 999_999_999_999_999,
    10**15, True, False, float("nan"), float("inf"), np.float64(3.0), np.float64("nan"), np.int64(4),
    None, pd.NaT, dt.datetime(2024, 12, 31, 13, 45), dt.datetime(1899, 12, 31), dt.datetime(2101, 1, 1),
    pd.Timestamp("1066-10-14"), pd.Timestamp("2024-06-30 08:00"), pd.Timestamp("2024-06-30", tz="UTC"),
    dt.date(2024, 1, 1), dt.time(12, 0), Decimal("1.5"), pd.NA, np.datetime64("NaT"), Text("12"), Text(" "),
    [1], "",
]
DATES = [dt.datetime(2024, 12, 31, 13, 45), dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31, 23, 59),
         dt.datetime(1899, 12, 31, 23, 59), dt.datetime(2101, 1, 1), dt.datetime(1, 1, 1),
         pd.Timestamp("2024-06-30 08:00:00.000000001"), pd.Timestamp("9999-12-31"), None, float("nan"), pd.NaT,
         "31-12-2024", " "]


def gapped(values: list, dtype=None) -> pd.Series:
    """VALUES as read_dataset passes a column: an index with gaps (blank rows dropped)."""
    return pd.Series(values, index=range(3, 3 + 2 * len(values), 2), dtype=dtype)


def assert_same(cells: pd.Series, column: schema.Column, decimal: str) -> None:
    want, want_problems = convert_column_cellwise(cells, column, decimal, "data/raw/2024/151/x.csv")
    got, got_problems = convert_column_vectorised(cells, column, decimal, "data/raw/2024/151/x.csv")
    pd.testing.assert_series_equal(got, want, check_exact=True)
    assert got_problems == want_problems
    if column.kind == schema.FLOAT:  # -0.0 == 0.0, so compare the sign too
        assert np.array_equal(np.signbit(got.to_numpy()), np.signbit(want.to_numpy()))


FORMS = {
    "csv": lambda: gapped(ALL_TEXT, dtype="str"),
    "xlsx": lambda: gapped(EXCEL + ALL_TEXT, dtype=object),
    "xlsx numbers": lambda: gapped([1, 2.5, float("nan"), -0.0, 1001.0, 10**16, None], dtype=object),
    "xlsx dates": lambda: gapped(DATES, dtype=object),
    "xlsx text": lambda: gapped(TEXT + CATEGORY_TEXT + [None, float("nan"), 7], dtype=object),
    "float64": lambda: gapped([1.5, -0.0, float("nan"), float("inf"), 1e15, 1001.0, 12.25]),
    "int64": lambda: gapped([1, -2, 10**15, 10**15 - 1, 0]),
    "int text": lambda: gapped(["-0", "12", "-000", "+0", "0"], dtype="str"),  # to_numeric: int64, no -0.0
    "bool": lambda: gapped([True, False]),
    "Int64": lambda: gapped([1, None, 3], dtype="Int64"),
    "string[NA]": lambda: gapped(["1,5", None, "x"], dtype=pd.StringDtype(na_value=pd.NA)),
    "category": lambda: gapped(["1,5", None, "x"], dtype="category"),
    "datetime64": lambda: gapped([pd.Timestamp("2024-01-01"), pd.NaT]),
    "empty str": lambda: gapped([], dtype="str"),
    "empty object": lambda: gapped([], dtype=object),
    "all blank": lambda: gapped(["", " ", None], dtype="str"),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: f"{c.name}-{c.kind}")
@pytest.mark.parametrize("decimal", [",", "."])
def test_tricky_cells_read_as_the_per_cell_parser_reads_them(form, column, decimal):
    assert_same(FORMS[form](), column, decimal)


def random_text(rng: random.Random, alphabet: str, longest: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def random_date(rng: random.Random) -> str:
    """Text near a date format: fields of 0-4 digits, in range or not, separators right or wrong."""
    fmt = rng.choice(DATE_FORMATS + ("%Y/%m/%d", "%d-%m-%Y %H:%M"))
    fields = {"%Y": rng.choice(["2024", "1899", "2101", "0000", "24", "12024"]),
              "%m": rng.choice(["12", "1", "00", "13", "012"]), "%d": rng.choice(["31", "1", "00", "32", "29"]),
              "%H": rng.choice(["23", "24", "7"]), "%M": rng.choice(["59", "60"]),
              "%S": rng.choice(["59", "60", "61", "5"])}
    text = re.sub(r"%[A-Za-z]", lambda m: fields[m.group()], fmt)
    return rng.choice(["", " ", "\t"]) + text + rng.choice(["", " ", "x"])


def test_random_text_reads_as_the_per_cell_parser_reads_it():
    rng = random.Random(13)
    numbers = [random_text(rng, "0123456789.,-+eE _\u00a0\ta", 12) for _ in range(6000)]
    digits = [rng.choice(["", "-", "+"]) + random_text(rng, "0123456789", 20) + rng.choice(["", ",", "."])
              + random_text(rng, "0123", 20) + rng.choice(["", f"e{rng.randint(-330, 20)}"]) for _ in range(3000)]
    dates = [random_date(rng) for _ in range(6000)]
    words = [random_text(rng, "aBæØÅé ß-_\u00a0\tİ³1", 8) for _ in range(3000)]
    for values in (numbers, digits, dates, words):
        for form in ("str", object):
            for column in COLUMNS:
                for decimal in (",", "."):
                    assert_same(gapped(values, dtype=form), column, decimal)


def test_every_date_of_each_format_reads_as_strptime_reads_it():
    """Every day and month 00-32 in boundary years, and every time of day up to 25:61:62."""
    days = [f"{y}-{m:02d}-{d:02d}" for y in ("0000", "1899", "1900", "2000", "2023", "2024", "2100", "2101",
                                              "9999") for m in range(14) for d in range(33)]
    stamps = [dt.datetime.strptime(d, "%Y-%m-%d") for d in days if _valid(d)]
    texts = [s.strftime(fmt) for s in stamps for fmt in DATE_FORMATS] + [
        f"{y}-{m:02d}-{d:02d}" for y in ("0000", "2024") for m in range(14) for d in range(33)] + [
        f"2024-12-31 {h:02d}:{m:02d}:{s:02d}" for h in range(26) for m in range(0, 62, 3) for s in range(63)]
    assert_same(gapped(texts, dtype="str"), schema.Column("value", schema.DATE), ",")


def _valid(day: str) -> bool:
    try:
        dt.datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def test_date_shapes_exclude_each_other():
    """A cell reads under at most one format, so 'the first format that parses' is the same choice
    for the vectorised reader as for parse_date."""
    for later in DATE_FORMATS:
        for text in (dt.datetime(2024, 12, 31, 23, 59, 59).strftime(later), dt.datetime(1900, 1, 1).strftime(later)):
            assert re.fullmatch(DATE_SHAPES[later], text)
            for other in DATE_FORMATS:
                if other != later:
                    assert not re.fullmatch(DATE_SHAPES[other], text)
                    with pytest.raises(ValueError):
                        dt.datetime.strptime(text, other)


def test_whitespace_is_what_str_strip_removes():
    assert set(WHITESPACE) == {c for c in map(chr, range(0x110000)) if c.isspace()}


def clean(n: int) -> dict[str, tuple[pd.Series, schema.Column, str]]:
    """Long clean columns as a Danish CSV and an Excel file deliver them."""
    return {
        "number csv": (gapped([f"{1 + i % 999}.{i % 1000:03d},5" for i in range(n)], "str"), COLUMNS[0], ","),
        "int csv": (gapped([str(i) for i in range(n)], "str"), COLUMNS[1], ","),
        "date csv": (gapped([f"{1 + i % 28:02d}-{1 + i % 12:02d}-2024" for i in range(n)], "str"), COLUMNS[2], ","),
        "category csv": (gapped(["Gennemført", "I gang", "ikke startet"] * (n // 3), "str"), COLUMNS[3], ","),
        "text csv": (gapped([f"Bygning {i}" for i in range(n)], "str"), COLUMNS[5], ","),
        "number xlsx": (gapped([i + 0.5 if i % 2 else i for i in range(n)], object), COLUMNS[0], "."),
        "date xlsx": (gapped([dt.datetime(2024, 1, 1 + i % 28) for i in range(n)], object), COLUMNS[2], "."),
        "id xlsx": (gapped([1000 + i for i in range(n)], object), COLUMNS[5], "."),
    }


def test_a_clean_long_column_is_read_without_the_per_cell_parser(monkeypatch):
    per_cell = []

    def spy(cells, *args):
        per_cell.append(len(cells))
        return convert_column_cellwise(cells, *args)

    monkeypatch.setattr(columns, "convert_column_cellwise", spy)
    for name, (cells, column, decimal) in clean(3000).items():
        per_cell.clear()
        got, problems = convert_column(cells, column, decimal, "x.csv")
        assert problems == [] and got.notna().all(), name
        assert per_cell == [0], f"{name}: {per_cell} cells read one by one"
    cells = gapped(["1,5", "mange", "", "2"] * 300, "str")
    per_cell.clear()
    _, problems = convert_column(cells, COLUMNS[0], ",", "x.csv")
    assert per_cell == [300] and [p.row for p in problems[:2]] == [7, 15]  # index 5 and 13, header row 1


def test_a_short_column_is_read_cell_by_cell_with_the_same_result(monkeypatch):
    for cells, column, decimal in clean(30).values():
        got, _ = convert_column(cells, column, decimal, "x.csv")
        pd.testing.assert_series_equal(got, convert_column_cellwise(cells, column, decimal, "x.csv")[0],
                                       check_exact=True)
    monkeypatch.setattr(columns, "convert_column_vectorised", None)  # a short column never gets there
    convert_column(clean(30)["number csv"][0], COLUMNS[0], ",", "x.csv")


def blank_rows_rowwise(raw: pd.DataFrame) -> np.ndarray:
    """The blank-row filter read_dataset had before (issue 13, item 4): a row at a time."""
    return raw.apply(lambda r: all(is_blank(v) for v in r), axis=1).to_numpy(dtype=bool)


@pytest.fixture
def vectorised_everywhere(monkeypatch):
    """The vectorised reader for every column, however short."""
    monkeypatch.setattr(columns, "MIN_CELLS", 0)
    monkeypatch.setattr(columns, "MIN_CELLS_DATES", 0)


@pytest.mark.usefixtures("vectorised_everywhere")
def test_blank_rows_are_the_rows_the_rowwise_filter_finds():
    csv = pd.DataFrame({"a": ["", " ", "x", None, "\u3000", ""], "b": ["", None, "", "", "\t", "1"]}, dtype="str")
    xlsx = pd.DataFrame({"a": [None, float("nan"), pd.NaT, " ", 0, Text(" ")],
                         "b": [" ", None, np.float64("nan"), False, None, None],
                         "c": [np.nan, "\u00a0", None, None, None, pd.NA]}, dtype=object)
    repeated = pd.DataFrame([["", "1"], [" ", ""], ["", None]], columns=["a", "a"], dtype="str")
    for raw in (csv, xlsx, repeated, csv.iloc[:0]):
        assert blank_rows(raw).tolist() == (blank_rows_rowwise(raw).tolist() if len(raw) else [])


def read_both(path, dataset) -> tuple:
    """read_dataset with the vectorised readers, and with the per-cell ones read_dataset had before."""
    vectorised = readers.read_dataset(path, dataset, path.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "convert_column", convert_column_cellwise)
        patch.setattr(readers, "blank_rows", blank_rows_rowwise)
        return vectorised, readers.read_dataset(path, dataset, path.name)


@pytest.mark.usefixtures("vectorised_everywhere")
@pytest.mark.parametrize("path", sorted(FORMATS.iterdir()), ids=lambda p: p.name)
def test_format_fixtures_read_as_before(path):
    dataset = schema.DATASETS[next(n for n in ("building_energy", "transport_energy", "buildings")
                                   if path.name.startswith(n))]
    (table, problems), (want, want_problems) = read_both(path, dataset)
    pd.testing.assert_frame_equal(table, want, check_exact=True)
    assert problems == want_problems == []


@pytest.mark.usefixtures("vectorised_everywhere")
def test_a_file_with_bad_cells_reads_as_before(tmp_path):
    path = tmp_path / "waste.csv"
    path.write_text("fraction;treatment;tonnes\npapir;genanvendelse;12,5\n;;\nplast; Genanvendelse ;mange\n"
                    "glas;genanvendelse;1.2.3\n  ;\u00a0;\nmetal;deponi;-0\nMad-affald;forbrænding;1.234,5\n",
                    encoding="cp1252")
    (table, problems), (want, want_problems) = read_both(path, schema.DATASETS["waste"])
    pd.testing.assert_frame_equal(table, want, check_exact=True)
    assert problems == want_problems and [p.row for p in problems] == [4, 5]


@pytest.mark.parametrize("year", available_years(config.RAW))
def test_every_sample_year_ingests_as_before(year, monkeypatch):
    vectorised = ingest_year(year, config.RAW, root=config.ROOT, strict=False)
    monkeypatch.setattr(columns, "MIN_CELLS", 0)
    monkeypatch.setattr(columns, "MIN_CELLS_DATES", 0)
    forced = ingest_year(year, config.RAW, root=config.ROOT, strict=False)
    monkeypatch.setattr(readers, "convert_column", convert_column_cellwise)
    monkeypatch.setattr(readers, "blank_rows", blank_rows_rowwise)
    before = ingest_year(year, config.RAW, root=config.ROOT, strict=False)
    assert before.manifest.to_dict() == forced.manifest.to_dict() == vectorised.manifest.to_dict()
    for name, table in before.tables.items():
        pd.testing.assert_frame_equal(forced.tables[name], table, check_exact=True, obj=f"{year} {name}")
        pd.testing.assert_frame_equal(vectorised.tables[name], table, check_exact=True, obj=f"{year} {name}")
