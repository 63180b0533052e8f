"""Danish phrases for validation failures: what was expected and what was found (numbers via formatting)."""

from __future__ import annotations

import datetime as dt
import logging
import math

import numpy as np

from pipeline import formatting, schema

log = logging.getLogger(__name__)


def expected_phrase(expectation_type: str, kwargs: dict, dataset: str) -> str:
    if expectation_type == "expect_column_values_to_not_be_null":
        return "en udfyldt værdi"
    if expectation_type == "expect_column_values_to_be_null":
        return "et tomt felt"
    if expectation_type == "expect_column_values_to_be_in_set":
        values = kwargs.get("value_set") or []
        if len(values) > 15:
            return f"en af de {len(values)} tilladte værdier"
        return "en af værdierne " + ", ".join(str(v) for v in values)
    if expectation_type == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        strict_low, strict_high = kwargs.get("strict_min"), kwargs.get("strict_max")
        is_date = any(isinstance(v, str) and _parse_date(v) for v in (low, high))
        noun = "en dato" if is_date else "et tal"
        show = (
            (lambda v: _date_text(v))
            if is_date
            else (lambda v: _plain_or_number(dataset, kwargs["column"], v))
        )
        if low is not None and high is not None:
            left = "efter" if strict_low else "fra"
            right = "før" if strict_high else "til og med"
            return f"{noun} {left} {show(low)} {right} {show(high)}"
        if low is not None:
            if is_date:
                return f"{noun} {'efter' if strict_low else 'fra og med'} {show(low)}"
            return f"{noun} {'større end' if strict_low else 'på mindst'} {show(low)}"
        if is_date:
            return f"{noun} {'før' if strict_high else 'til og med'} {show(high)}"
        return f"{noun} {'mindre end' if strict_high else 'på højst'} {show(high)}"
    if expectation_type == "expect_compound_columns_to_be_unique":
        return "at kombinationen kun forekommer én gang pr. kommune"
    if expectation_type == "expect_column_pair_values_to_be_in_set":
        pairs = [" / ".join(map(str, p)) for p in kwargs.get("value_pairs_set") or []]
        return "en af kombinationerne " + ", ".join(pairs)
    if expectation_type == "expect_column_values_to_not_be_in_set":
        return "en anden værdi end " + ", ".join(str(v) for v in kwargs.get("value_set") or [])
    return "at reglen er opfyldt"


def expected_text(template: str | None, kwargs: dict) -> str | None:
    """meta.expected with {min_value}/{max_value} filled in from the run's (substituted) kwargs."""
    if not template:
        return None
    values = {
        k: (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        for k, v in kwargs.items()
        if isinstance(v, (int, float, str))
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def condition_phrase(condition) -> str:
    """' (gælder rækker, hvor …)' for a GX row_condition in JSON form ('' without one)."""
    if not isinstance(condition, dict):
        return ""
    clause = _condition_clause(condition)
    return f" (gælder rækker, hvor {clause})"


def _condition_clause(condition: dict) -> str:
    kind, parts = condition.get("type"), condition.get("conditions") or []
    if kind in ("and", "or") and parts:
        states = {c.get("is_null") for c in parts}
        if kind == "and" and len(parts) > 1 and len(states) == 1 and all(c.get("type") == "nullity" for c in parts):
            columns = [(c.get("column") or {}).get("name") for c in parts]  # "a, b og c alle er tomme"
            return f"{formatting.join_da(columns)} alle er {'tomme' if states.pop() else 'udfyldte'}"
        return f" {'og' if kind == 'and' else 'eller'} ".join(_condition_clause(c) for c in parts)
    column = (condition.get("column") or {}).get("name")
    if condition.get("type") == "nullity":
        return f"{column} er {'tom' if condition.get('is_null') else 'udfyldt'}"
    operator, parameter = condition.get("operator"), condition.get("parameter")
    if condition.get("type") == "comparison" and operator in ("==", "!="):
        return f"{column} {'er' if operator == '==' else 'ikke er'} {quote(parameter)}"
    if condition.get("type") == "comparison" and operator in ("IN", "NOT_IN"):
        shown = [quote(v) for v in parameter]
        values = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " eller " + shown[-1]
        return f"{column} {'er' if operator == 'IN' else 'ikke er'} {values}"
    return str(condition)


def is_json(source_file: str | None) -> bool:
    return bool(source_file) and str(source_file).lower().endswith(".json")


def row_ref(source_file: str | None, row):
    """Where a failing row is, as the failure's `row`: the spreadsheet row number, or for a saved
    JSON response the JSON path of the element (`data[12]`)."""
    if row is None:
        return None
    return f"data[{int(row)}]" if is_json(source_file) else int(row)


def location(source_file: str | None, row) -> str:
    """'række 5' in a table, 'data[12]' in a saved JSON response, 'række ?' when unknown."""
    if row is None:
        return "række ?"
    return row_ref(source_file, row) if is_json(source_file) else f"række {int(row)}"


JSON_FIELDS = {"sector": "sektor", "unit": "enhed", "value": "værdi", "data_year": "år (filnavnet)"}


def column_ref(dataset: str, source_file: str | None, column: str, entry: dict | None = None) -> str:
    """The column a failing value is in, as the delivery shows it: for emissions the value column
    of a table is its unit (`kolonne t_co2e`), and a JSON response has fields (`felt "værdi"`)."""
    if dataset == "emissions" and is_json(source_file):
        return f"felt {quote(JSON_FIELDS.get(column, column))}"
    if dataset == "emissions" and column == "value" and entry and entry.get("unit"):
        return f"kolonne {entry['unit']}"
    if dataset == "emissions" and column == "data_year":
        return "kolonne year"  # the table form calls the data year `year`
    return f"kolonne {column}"


def emissions_context(entry: dict) -> str:
    """' (dataår 2022, sektor transport, enhed t_co2e)' for a failing emissions row."""
    parts = [f"{label} {_plain_or_number('emissions', column, entry[column])}"
             for column, label in (("data_year", "dataår"), ("sector", "sektor"), ("unit", "enhed"))
             if column in entry and not _is_missing(entry[column])]
    return f" ({', '.join(parts)})" if parts else ""


def _is_missing(value) -> bool:
    return value is None or value == "NaT" or (isinstance(value, float) and math.isnan(value))


def _parse_date(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _date_text(value) -> str:
    parsed = _parse_date(value)
    if parsed is None:
        return str(value)
    return formatting.date_da(parsed)


def raw_value(value) -> str | None:
    """The offending value as plain text (dates without a midnight time)."""
    value = _plain(value)
    if _is_missing(value):
        return None
    if isinstance(value, str) and _parse_date(value) and value.endswith("T00:00:00"):
        return value[:10]
    return str(value)


def _kind(dataset: str, column: str) -> str | None:
    try:
        return schema.DATASETS[dataset].column(column).kind
    except (KeyError, StopIteration):
        return None


def value_phrase(dataset: str, column: str, value) -> str:
    value = _plain(value)
    if _is_missing(value):
        return "feltet er tomt"
    if _parse_date(value) and _kind(dataset, column) == schema.DATE:
        return f"datoen {_date_text(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"værdien {_plain_or_number(dataset, column, value)}"
    return f"værdien {quote(value)}"


def _plain_or_number(dataset: str, column: str, value) -> str:
    """Danish number formatting for measured quantities; codes, years and row numbers stay plain."""
    if _kind(dataset, column) in (schema.FLOAT, schema.INT) and column not in ("year", "data_year"):
        return number(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def quote(value) -> str:
    return f'"{value}"'


def _plain(value):
    """numpy scalars (GX leaves some in its result lists) as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def number(value) -> str:
    return formatting.decimal(_plain(value))


def count_text(value) -> str:
    return formatting.integer(int(value or 0))


def pct(value: float) -> str:
    return formatting.decimal(round(value, 1), max_decimals=1)


def signed_pct(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + pct(abs(value))
