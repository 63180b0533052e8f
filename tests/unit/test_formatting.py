"""Danish number, percentage and date formats."""

import datetime as dt
import math

import pandas as pd
import pytest

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


def test_percentage_points():
    assert fmt.percentage_points(-3.2) == "3\u00a0procentpoint"


def test_infinite_is_refused():
    with pytest.raises(ValueError, match="infinite"):
        fmt.number(float("inf"))
