"""Read one delivery cell: the per-cell parsers, the reference every column-wise reader must match."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.errors import Problem

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
_THOUSANDS_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "³": "3", "²": "2"})
# Bounds every cell must keep: a date pandas can hold in nanoseconds and a plausible calendar, and a
# number far below where sums overflow to infinity (issue 11: year 1066, 9999-12-31, 1e308 tonnes).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
MAX_ABS_NUMBER = 1e15
EXPECTED = {
    schema.FLOAT: "et tal, fx 1234,5 eller 1234.5, mindre end 1.000.000.000.000.000",
    schema.INT: "et heltal, fx 12",
    schema.DATE: "en dato mellem 1900 og 2100 som 2024-12-31, 31-12-2024 eller 31.12.2024",
}


def is_blank(value: object) -> bool:
    """An empty cell: None, NaN, NaT or only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


def parse_float(value: object, decimal: str) -> float:
    """'1.234,5' (decimal comma) or '1234.5' → 1234.5; raises ValueError otherwise."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        result = float(value)
        if not np.isfinite(result) or abs(result) >= MAX_ABS_NUMBER:
            raise ValueError(value)
        return result
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if decimal == ",":
        if _THOUSANDS_COMMA_DECIMAL.match(text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
    result = float(text)
    if not np.isfinite(result) or abs(result) >= MAX_ABS_NUMBER:
        raise ValueError(value)
    return result


def parse_date(value: object) -> pd.Timestamp:
    """A date cell from Excel or one of DATE_FORMATS; raises ValueError otherwise."""
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return _in_range(value.date() if isinstance(value, dt.datetime) else value, value)
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return _in_range(day.date(), value)
    raise ValueError(value)


def _in_range(day: dt.date, value: object) -> pd.Timestamp:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(value)
    return pd.Timestamp(day)


def parse_text(value: object) -> str:
    """Text as written, stripped; a whole-number float from Excel as the integer it was."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns id 1001 into 1001.0
    return str(value).strip()


def parse_category(value: object, column: schema.Column) -> str:
    """Normalise case and Danish letters so 'Gennemført' matches 'gennemfoert'."""
    text = str(value).strip()
    if column.name == "energy_label":
        return text.upper().replace(" ", "")
    return text.lower().translate(_DANISH).replace(" ", "_").replace("-", "_")


def convert_column_cellwise(cells: pd.Series, column: schema.Column, decimal: str, file: str):
    """Typed values for one column plus the problems of cells that could not be parsed, cell by cell."""
    values: list = []
    problems: list[Problem] = []
    for index, cell in cells.items():
        row = int(index) + 2  # header is row 1
        if is_blank(cell):
            values.append(None)
            continue
        try:
            if column.kind == schema.FLOAT:
                values.append(parse_float(cell, decimal))
            elif column.kind == schema.INT:
                number = parse_float(cell, decimal)
                if not number.is_integer():
                    raise ValueError(cell)
                values.append(int(number))
            elif column.kind == schema.DATE:
                values.append(parse_date(cell))
            elif column.kind in (schema.CATEGORY, schema.YESNO):
                values.append(parse_category(cell, column))
            else:
                values.append(parse_text(cell))
        except (ValueError, TypeError, OverflowError):
            problems.append(Problem(file, "værdien kan ikke læses", row, column.name,
                                    str(cell), EXPECTED.get(column.kind)))
            values.append(None)
    return typed_series(values, column, cells.index), problems


def typed_series(values: list, column: schema.Column, index) -> pd.Series:
    """VALUES (None where missing) as the column's processed dtype."""
    if column.kind == schema.FLOAT:
        return pd.Series([np.nan if v is None else v for v in values], index=index, dtype="float64")
    if column.kind == schema.INT:
        return pd.Series(values, index=index, dtype="Int64")
    if column.kind == schema.DATE:
        return pd.to_datetime(pd.Series(values, index=index, dtype=object)).astype("datetime64[ns]")
    return pd.Series([np.nan if v is None else v for v in values], index=index, dtype="str")
