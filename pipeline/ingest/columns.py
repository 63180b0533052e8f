"""Read a column at once: vectorised per-cell parsers (cells.py), which get only what these cannot read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.errors import Problem
from pipeline.ingest.cells import (
    _DANISH,
    DATE_FORMATS,
    FIRST_DATE,
    LAST_DATE,
    MAX_ABS_NUMBER,
    convert_column_cellwise,
    is_blank,
)

# Every character str.strip() removes (Python's whitespace): stripping exactly these keeps the string
# methods of pandas (pyarrow for CSV columns) equal to the per-cell parsers.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# Number text to_numeric reads as float() does. ASCII digits only: float() and the `\d` of
# cells._THOUSANDS_COMMA_DECIMAL also take other digits ('١٢'), which go to the per-cell parser. No
# leading '+': to_numeric (pandas 3.1) then rounds differently ('+905199798563.619590' →
# ...563.6195, float() gives ...563.6196), so such text goes to the per-cell parser too.
_PLAIN_NUMBER = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_THOUSANDS_POINTS = r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"
# Text whose case pandas (pyarrow's utf8_lower/upper) changes exactly as str.lower/upper do; other
# text ('ß'.upper() is 'SS' in Python) goes to the per-cell parser.
_CASE_SAFE = "[ -~æøåÆØÅ²³]*"
# A date text of each format with two-digit fields in range: strptime takes more (a one-digit day,
# more spaces), pd.to_datetime also takes second 60 (rolled into the next minute) and year 0; such
# text goes to the per-cell parser. A format with another directive needs its shape here.
_FIELDS = {"%Y": "[0-9]{4}", "%m": "(?:0[1-9]|1[0-2])", "%d": "(?:0[1-9]|[12][0-9]|3[01])",
           "%H": "(?:[01][0-9]|2[0-3])", "%M": "[0-5][0-9]", "%S": "[0-5][0-9]"}
_WHOLE_EXACT = 2.0**53  # whole floats below this convert to int64 exactly
# Shorter columns are read cell by cell, which is faster there: each pandas operation costs a fixed
# 20-200 µs (pandas 3.1, pyarrow strings), the per-cell parsers 1-5 µs a cell, 15 for date text.
# Measured break-even: about 1000 cells for numbers, categories and text, 250 for date text.
MIN_CELLS, MIN_CELLS_DATES = 1000, 250


def date_shape(fmt: str) -> str:
    """The regular expression of FMT's text with every field two digits (four for the year)."""
    parts = re.split(r"(%[A-Za-z])", fmt)
    return "".join(_FIELDS[p] if p.startswith("%") else "".join(f"[{c}]" for c in p) for p in parts)


DATE_SHAPES = {fmt: date_shape(fmt) for fmt in DATE_FORMATS}


@dataclass(frozen=True)
class SortedCells:
    """A column's cells by what they hold; each part is indexed by the cells' positions."""

    text: pd.Series  # str cells that are not blank, stripped as str.strip() does
    ints: pd.Series  # int cells (object)
    floats: pd.Series  # float cells that are not NaN
    moments: pd.Series  # datetime and Timestamp cells (object)
    blank: np.ndarray  # per cell: is_blank


_NO_CELLS, _NO_FLOATS = pd.Series([], dtype=object), pd.Series([], dtype="float64")
_NO_DATES = pd.Series([], dtype="datetime64[ns]")
_NEVER_BLANK = [int, bool, dt.datetime, pd.Timestamp, dt.date, dt.time]


def sort_cells(cells: pd.Series) -> SortedCells | None:
    """CELLS by type, or None for a dtype left to the per-cell parser (not read from a delivery)."""
    dtype = cells.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
        return _sort_strings(cells.reset_index(drop=True))
    if isinstance(dtype, np.dtype) and dtype.kind in "Obiuf":
        return _sort_objects(pd.Series(cells.to_numpy(dtype=object), dtype=object))
    return None


def _sort_strings(cells: pd.Series) -> SortedCells:
    """A pandas string column (a CSV): every cell is text or NaN, and NaN is blank."""
    text = cells.str.strip(WHITESPACE)
    blank = (cells.isna() | (text == "")).to_numpy(dtype=bool)
    return SortedCells(text[~blank], _NO_CELLS, _NO_FLOATS, _NO_CELLS, blank)


def _sort_objects(values: pd.Series) -> SortedCells:
    """An object column (Excel cells): sorted by exact type, so a str or float subclass, a numpy
    scalar or a bool is never read as text or a number here."""
    types = pd.Series(np.frompyfunc(type, 1, 1)(values.to_numpy()), dtype=object)

    def of(*kinds) -> np.ndarray:
        return types.isin(kinds).to_numpy(copy=True)

    is_text, is_float, blank = of(str), of(float), of(type(None), type(pd.NaT))
    text = values[is_text].str.strip(WHITESPACE) if is_text.any() else _NO_CELLS
    floats = values[is_float].astype("float64") if is_float.any() else _NO_FLOATS
    blank[text.index[text == ""]] = True
    blank[floats.index[floats.isna()]] = True
    others = np.flatnonzero(~(is_text | is_float | blank | of(*_NEVER_BLANK)))
    blank[others] = [is_blank(values[i]) for i in others]
    return SortedCells(text[text != ""], values[of(int)], floats.dropna(),
                       values[of(dt.datetime, pd.Timestamp)], blank)


def blank_mask(cells: pd.Series) -> np.ndarray:
    """Per cell: is_blank, a column at a time (cell by cell for a short column: faster there)."""
    cells_sorted = sort_cells(cells) if len(cells) >= MIN_CELLS else None
    if cells_sorted is None:
        return np.fromiter(map(is_blank, cells.to_numpy(dtype=object)), dtype=bool, count=len(cells))
    return cells_sorted.blank


def blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Per row: every cell is blank. A column at a time (by position, as a name may repeat), until
    no row is left that could be blank."""
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        if not blank.any():
            break
        blank &= blank_mask(raw.iloc[:, i])
    return blank


def _numbers_in_text(text: pd.Series, decimal: str) -> pd.Series:
    """parse_float of the text that is a plain number once spaces (and with a decimal comma, the
    thousands points) are gone and the comma is a point; other text is left unread."""
    if text.empty:
        return _NO_FLOATS
    text = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    if decimal == ",":
        if text.str.contains(".", regex=False).any():
            thousands = text.str.fullmatch(_THOUSANDS_POINTS)
            text = text.where(~thousands, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    text = text[text.str.fullmatch(_PLAIN_NUMBER)]
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    zero = numbers == 0
    if zero.any():  # to_numeric reads '-0' as the int 0, float('-0') is -0.0
        numbers = numbers.mask(zero & text.str.startswith("-"), -0.0)
    return numbers


def _ints_as_floats(ints: pd.Series) -> pd.Series:
    """Python int cells as floats; none when one is beyond a float (the per-cell parser says so)."""
    try:
        return ints.astype("float64")
    except OverflowError:
        return _NO_FLOATS


def _floats(cells: SortedCells, column: schema.Column, decimal: str) -> list[pd.Series]:
    """What parse_float reads: number text and Excel numbers, finite and below MAX_ABS_NUMBER."""
    parts = [_numbers_in_text(cells.text, decimal), cells.floats, _ints_as_floats(cells.ints)]
    return [p[np.isfinite(p) & (p.abs() < MAX_ABS_NUMBER)] for p in parts if len(p)]


def _ints(cells: SortedCells, column: schema.Column, decimal: str) -> list[pd.Series]:
    """What convert_column_cellwise reads as an integer: the whole numbers parse_float reads."""
    return [p[p == np.floor(p)] for p in _floats(cells, column, decimal)]


def _dates_in_text(text: pd.Series) -> list[pd.Series]:
    """Each text read by the first of DATE_FORMATS that parses it (text of that format's shape)."""
    found = []
    for fmt, shape in DATE_SHAPES.items():
        if text.empty:
            break
        parsed = pd.to_datetime(text[text.str.fullmatch(shape)], format=fmt, errors="coerce").dropna()
        found.append(parsed)
        text = text.drop(parsed.index)
    return found


def _stamps(moments: pd.Series) -> pd.Series:
    """Excel date cells as datetimes; none when some carry a time zone (left to the per-cell parser)."""
    if moments.empty:
        return _NO_DATES
    try:
        stamps = pd.to_datetime(moments)
    except (ValueError, TypeError):
        return _NO_DATES
    return stamps if stamps.dt.tz is None else _NO_DATES


def _dates(cells: SortedCells, column: schema.Column, decimal: str) -> list[pd.Series]:
    """What parse_date reads: the day of date text and Excel dates, from FIRST_DATE to LAST_DATE."""
    days = [p.dt.normalize() for p in [*_dates_in_text(cells.text), _stamps(cells.moments)] if len(p)]
    first, last = pd.Timestamp(FIRST_DATE), pd.Timestamp(LAST_DATE)
    return [d[(d >= first) & (d <= last)] for d in days]


def _categories(cells: SortedCells, column: schema.Column, decimal: str) -> list[pd.Series]:
    """What parse_category reads, for text of letters whose case pandas changes as Python does."""
    if cells.text.empty:
        return []
    text = cells.text[cells.text.str.fullmatch(_CASE_SAFE)]
    if column.name == "energy_label":
        return [text.str.upper().str.replace(" ", "", regex=False)]
    words = text.str.lower().str.translate(_DANISH)
    return [words.str.replace(" ", "_", regex=False).str.replace("-", "_", regex=False)]


def _texts(cells: SortedCells, column: schema.Column, decimal: str) -> list[pd.Series]:
    """What parse_text reads: stripped text, and Excel whole numbers as integers ('1001')."""
    floats = cells.floats
    whole = floats[(floats == np.floor(floats)) & (floats.abs() < _WHOLE_EXACT)].astype("int64")
    return [cells.text, *(part.astype(str) for part in (cells.ints, whole) if len(part))]


_READERS = {schema.FLOAT: _floats, schema.INT: _ints, schema.DATE: _dates,
            schema.CATEGORY: _categories, schema.YESNO: _categories}
_STORAGE = {schema.FLOAT: "float64", schema.INT: "float64", schema.DATE: "datetime64[ns]"}


def convert_column(cells: pd.Series, column: schema.Column, decimal: str,
                   file: str) -> tuple[pd.Series, list[Problem]]:
    """Typed values for one column plus the problems of cells that could not be parsed, exactly as
    convert_column_cellwise gives them: vectorised for a long column, cell by cell for a short one."""
    if len(cells) < (MIN_CELLS_DATES if column.kind == schema.DATE else MIN_CELLS):
        return convert_column_cellwise(cells, column, decimal, file)
    return convert_column_vectorised(cells, column, decimal, file)


def convert_column_vectorised(cells: pd.Series, column: schema.Column, decimal: str,
                              file: str) -> tuple[pd.Series, list[Problem]]:
    """convert_column_cellwise a column at a time: the same typed values and the same problems, as
    only the cells the vectorised reading leaves unread go through the per-cell parser."""
    cells_sorted = sort_cells(cells)
    if cells_sorted is None:
        return convert_column_cellwise(cells, column, decimal, file)
    read = _READERS.get(column.kind, _texts)(cells_sorted, column, decimal)
    unread = ~cells_sorted.blank
    for part in read:
        unread[part.index.to_numpy()] = False
    rest, problems = convert_column_cellwise(cells.iloc[unread], column, decimal, file)
    return _assemble(column, cells.index, read, rest, unread), problems


def _assemble(column: schema.Column, index: pd.Index, read: list[pd.Series], rest: pd.Series,
              unread: np.ndarray) -> pd.Series:
    """The column typed as typed_series types it: each read value at its position, the per-cell
    parser's values at the unread positions, missing elsewhere."""
    dtype = np.dtype(_STORAGE.get(column.kind, object))
    missing = np.datetime64("NaT", "ns") if dtype.kind == "M" else np.nan
    values = np.full(len(index), missing, dtype=dtype)
    for part in read:
        values[part.index.to_numpy()] = part.to_numpy(dtype=dtype)
    values[unread] = rest.to_numpy(dtype=dtype, na_value=missing)
    if column.kind == schema.INT:
        return pd.Series(values, index=index).astype("Int64")
    return pd.Series(values, index=index, dtype="str" if dtype == object else None)
