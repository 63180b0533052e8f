"""The one Danish formatter: numbers, percentages, dates, timestamps, lists and sort order."""

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_decimal

from pipeline import formatting as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (0.05, 1, "0,1"),  # half-up, not banker's rounding
        (45.5, 0, "46"),
        (44.5, 0, "45"),
        (2.675, 2, "2,68"),  # decimal value as written, not the binary float
        (-0.04, 1, "0,0"),  # never "-0,0"
        (-1234.5, 1, "-1.234,5"),
        (12, 1, "12,0"),
    ],
)
def test_number(x, decimals, expected):
    assert fmt.number(x, decimals) == expected


def test_integer():
    assert fmt.integer(1234) == "1.234"
    assert fmt.integer(1234.6) == "1.235"
    assert fmt.integer(pd.NA) == "–"


def test_percent_uses_no_break_space():
    assert fmt.percent(46) == "46" + NBSP + "%"
    assert fmt.percent(45.0) == "45\u00a0%"
    assert fmt.percent(12.345, 1) == "12,3\u00a0%"
    assert fmt.percent(100) == "100\u00a0%"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, math.nan])
def test_missing_values_are_a_dash(missing):
    assert fmt.number(missing) == "–"
    assert fmt.percent(missing) == "–"
    assert fmt.date_da(missing) == "–"
    assert fmt.value(missing, "%") == "–"
    assert fmt.value(missing, "%", missing=fmt.NO_DATA) == "mangler data"


def test_date_da():
    assert fmt.date_da(dt.date(2024, 12, 31)) == "31. december 2024"
    assert fmt.date_da(pd.Timestamp("2025-07-01")) == "1. juli 2025"
    assert fmt.date_da("2023-01-01") == "1. januar 2023"
    assert fmt.date_da(dt.datetime(2024, 5, 3, 14, 0)) == "3. maj 2024"


def test_value_is_unit_aware():
    assert fmt.value(46, "%") == "46\u00a0%"
    assert fmt.value(45.25, "%", decimals=1) == "45,3\u00a0%"
    assert fmt.value(1234, "antal") == "1.234"
    assert fmt.value(12, "kg CO2e/m²/år") == "12,0\u00a0kg CO₂e/m²/år"
    assert fmt.value(94341.4, "t CO2e", decimals=0) == "94.341\u00a0t CO₂e"
    assert fmt.value(131.4, "kWh/m²") == "131\u00a0kWh/m²"  # the operations units (issue 12)
    assert fmt.value(850, "m³") == "850\u00a0m³"
    assert fmt.value(0.2667, "m³/m²") == "0,27\u00a0m³/m²"
    assert fmt.value(-4.5, "t CO2e") == "-5\u00a0t CO₂e"  # half-up on the magnitude: a fall of 5 t
    assert fmt.value_pair(70.2, 70.4, "kWh/m²") == ("70,2\u00a0kWh/m²", "70,4\u00a0kWh/m²")


def test_percentage_points():
    assert fmt.percentage_points(-3.2) == "3\u00a0procentpoint"


@pytest.mark.parametrize("x", [float("inf"), -math.inf, np.float64("inf"), np.float32("-inf")])
def test_a_non_finite_number_is_shown_as_missing_with_a_warning(x, caplog):
    """Never "inf" (or "∞") on a page: every number formatter shows the caller's missing text."""
    with caplog.at_level("WARNING", logger="pipeline.formatting"):
        shown = [fmt.number(x), fmt.integer(x), fmt.percent(x), fmt.percentage_points(x), fmt.decimal(x),
                 fmt.value(x, "t CO2e"), fmt.value(x, "%", missing=fmt.NO_DATA), *fmt.value_pair(x, 45.0, "%")]
    assert shown == ["–"] * 6 + ["mangler data", "–", "45\u00a0%"]
    assert "non-finite" in caplog.text
    assert fmt.no_value(x) and fmt.no_value(float("nan")) and not fmt.no_value(0.0) and not fmt.no_value("B9")


# --- decimal: measured values as they are (replaced validation's own number formatter) -----------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (1234.5, "1.234,5"),
        (12.0, "12"),  # an integer float without decimals
        (12, "12"),
        (0.1234, "0,123"),  # at most 3 decimals
        (-3.5, "-3,5"),
        (1e6, "1.000.000"),
        (np.float64(3.0), "3"),  # numpy scalars, as GX leaves them in its results
        (np.int64(1500), "1.500"),
        (np.float64(0.25), "0,25"),
    ],
)
def test_decimal(x, expected):
    assert fmt.decimal(x) == expected


def test_decimal_options_and_missing():
    assert fmt.decimal(1.23456, max_decimals=1) == "1,2"
    assert fmt.decimal(1.5, max_decimals=0) == "2"
    assert fmt.decimal(None) == fmt.decimal(float("nan")) == fmt.decimal(pd.NA) == "–"
    assert fmt.decimal(None, missing="") == ""


@pytest.mark.parametrize("x", [0, 7, 12.0, 1234.5, 1234567.891, -0.5, 0.1 + 0.2, 1e15, 2.0**60])
def test_decimal_writes_what_the_validation_pages_wrote(x):
    """Byte-identical with the formatter it replaced (validation_messages._number/_num)."""
    old = int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else x
    assert fmt.decimal(x) == format_decimal(old, locale="da_DK")


# --- timestamp, join_da, danish_sort_key ---------------------------------------------------------

MONTHS_DA = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # validation's own month names, which timestamp replaced  # fmt: skip


def test_timestamp():
    assert fmt.timestamp(dt.datetime(2026, 12, 3, 7, 40)) == "3. december 2026 kl. 07:40"
    assert fmt.timestamp(dt.datetime(2024, 1, 31, 23, 5, 59)) == "31. januar 2024 kl. 23:05"
    # an aware moment is written in its own wall-clock time
    utc = dt.datetime(2024, 5, 1, 0, 30, tzinfo=dt.UTC)
    assert fmt.timestamp(utc) == "1. maj 2024 kl. 00:30"


@pytest.mark.parametrize("month", range(1, 13))
def test_timestamp_month_names_are_the_ones_validation_used(month):
    moment = dt.datetime(2025, month, 9, 14, 2)
    old = f"{moment.day}. {MONTHS_DA[moment.month - 1]} {moment.year} kl. {moment:%H:%M}"
    assert fmt.timestamp(moment) == old


def test_now_is_a_timestamp():
    pattern = r"\d{1,2}\. (" + "|".join(MONTHS_DA) + r") \d{4} kl\. \d{2}:\d{2}"
    assert re.fullmatch(pattern, fmt.now())


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["fleet"], "fleet"),
        (["fleet", "waste"], "fleet og waste"),
        (["a", "b", "c"], "a, b og c"),
        ((n for n in (1, 2, 3, 4)), "1, 2, 3 og 4"),  # any iterable, any item
    ],
)
def test_join_da(items, expected):
    assert fmt.join_da(items) == expected


def test_danish_sort_order():
    assert sorted(["Åbyen", "Æblehaven", "Østerbro", "Zoo"], key=fmt.danish_sort_key) == [
        "Zoo",
        "Æblehaven",
        "Østerbro",
        "Åbyen",
    ]


def test_danish_sort_key_ignores_case():
    assert sorted(["b", "Å", "A", "z", "æ", "Ø"], key=fmt.danish_sort_key) == [
        "A", "b", "z", "æ", "Ø", "Å",
    ]
    assert fmt.danish_sort_key("ÆBLE") == fmt.danish_sort_key("æble")
