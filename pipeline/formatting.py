"""The one Danish formatter: numbers, percentages, dates, lists and sort order (babel, locale da_DK).

Conventions (also in docs/kpis.md):
- decimal comma and dot as thousands separator: ``number(1234.5)`` → ``"1.234,5"``;
- rounding is half-up on the decimal value as written (45,5 → 46), never banker's rounding;
- a percentage is written with a NO-BREAK SPACE (U+00A0) between number and sign, as Danish
  typography (and babel's da_DK pattern) prescribes, so "46 %" never wraps: ``"46\\u00a0%"``;
- dates in long form: ``"31. december 2024"``;
- a missing value (None, NaN, NaT, pd.NA) is shown as an EN DASH ``"–"`` (or the caller's missing
  text, e.g. "mangler data"), and so is a number that is not finite (±inf), with a logged warning:
  "inf" or "nan" never reaches a page.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

LOCALE = "da_DK"
NBSP = "\u00a0"
MISSING = "–"  # EN DASH, shown for a missing value in tables
NO_DATA = "mangler data"  # shown where a whole KPI value is missing

# Units used by KPI definitions and tables → how they are written after a number.
UNIT_LABELS = {
    "%": "%",
    "antal": "",
    "kg CO2e/m²/år": "kg CO₂e/m²/år",
    "t CO2e": "t CO₂e",
    "ton": "ton",
    "m²": "m²",
    "kWh/m²": "kWh/m²",
    "m³": "m³",
    "m³/m²": "m³/m²",
}
# Decimals a value of the unit is shown with by default (one for any other unit).
DEFAULT_DECIMALS = {"%": 0, "antal": 0, "t CO2e": 0, "kWh/m²": 0, "m³": 0, "m³/m²": 2}


def is_missing(x: object) -> bool:
    """True for None, NaN, NaT and pd.NA."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def no_value(x: object) -> bool:
    """True for a missing value and for a number that is not finite (±inf, logged): shown as missing."""
    if is_missing(x):
        return True
    try:
        finite = math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return False
    if not finite:
        log.warning("a non-finite number (%s) is shown as missing; check the computation upstream", x)
    return not finite


def _rounded(x: float, decimals: int) -> Decimal:
    """Round half-up at `decimals` places, using the shortest decimal repr of the float."""
    d = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return d.copy_abs() if d == 0 else d  # never "-0,0"


def number(x: object, decimals: int = 1, missing: str = MISSING) -> str:
    """1234.5 → '1.234,5' (Danish separators, `decimals` places, half-up); missing or ±inf → MISSING."""
    if no_value(x):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(_rounded(float(x), decimals), format=pattern, locale=LOCALE)


def integer(x: object, missing: str = MISSING) -> str:
    """1234 → '1.234'."""
    return number(x, 0, missing)


def percent(x: object, decimals: int = 0, missing: str = MISSING) -> str:
    """46.0 (on a 0–100 scale) → '46\\u00a0%' with a no-break space before the sign."""
    if no_value(x):
        return missing
    return f"{number(x, decimals)}{NBSP}%"


def percentage_points(x: object, decimals: int = 0, missing: str = MISSING) -> str:
    """A difference between two percentages: 3.0 → '3 procentpoint'."""
    if no_value(x):
        return missing
    return f"{number(abs(float(x)), decimals)}{NBSP}procentpoint"


def to_date(d: object) -> dt.date | None:
    """A date from date/datetime/Timestamp/ISO string; None for missing."""
    if is_missing(d):
        return None
    if isinstance(d, pd.Timestamp):
        return d.date()
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if isinstance(d, str):
        return dt.date.fromisoformat(d.strip()[:10])
    raise TypeError(f"cannot read {d!r} as a date; pass a date, a Timestamp or 'YYYY-MM-DD'")


def date_da(d: object, missing: str = MISSING) -> str:
    """2024-12-31 → '31. december 2024'."""
    day = to_date(d)
    if day is None:
        return missing
    return format_date(day, format="d. MMMM y", locale=LOCALE)


def unit_label(unit: str) -> str:
    """How a unit is written after a number ('' for counts), e.g. 'kg CO₂e/m²/år'."""
    return UNIT_LABELS.get(unit, unit)


def value(x: object, unit: str, decimals: int | None = None, missing: str = MISSING) -> str:
    """By unit: ('%', 46) → '46 %', ('t CO2e', 148000.4) → '148.000 t CO₂e' (whole tonnes),
    ('kg CO2e/m²/år', 12.5) → '12,5 kg CO₂e/m²/år', ('kWh/m²', 131.4) → '131 kWh/m²', ('m³/m²', 0.267) →
    '0,27 m³/m²' (DEFAULT_DECIMALS)."""
    if no_value(x):
        return missing
    if unit == "%":
        return percent(x, 0 if decimals is None else decimals)
    if unit == "antal":
        return number(x, 0 if decimals is None else decimals)
    label = unit_label(unit)
    text = number(x, DEFAULT_DECIMALS.get(unit, 1) if decimals is None else decimals)
    return f"{text}{NBSP}{label}" if label else text


def decimal(x: object, max_decimals: int = 3, missing: str = MISSING) -> str:
    """A measured or observed value as it is, up to `max_decimals` places: 1234.5 → '1.234,5',
    12.0 → '12' (used where the number of decimals is the data's, e.g. validation findings)."""
    if no_value(x):
        return missing
    if hasattr(x, "item"):  # numpy scalar
        x = x.item()
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        x = int(x)
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals > 0 else "")
    return format_decimal(x, format=pattern, locale=LOCALE)


def timestamp(moment: dt.datetime) -> str:
    """2026-12-03 07:40 → '3. december 2026 kl. 07:40' (when a page was generated)."""
    return f"{date_da(moment.date())} kl. {moment:%H:%M}"


def now() -> str:
    """The current local time as `timestamp` writes it."""
    return timestamp(dt.datetime.now().astimezone())


def join_da(items) -> str:
    """['a', 'b', 'c'] → 'a, b og c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def danish_sort_key(text: object) -> str:
    """Sort key placing æ, ø, å after z, as in a Danish dictionary."""
    return str(text).lower().translate(_DANISH_ORDER)


def count_da(n: int, singular: str, plural: str) -> str:
    """1 → '1 advarsel', 2 → '2 advarsler' (never '1 advarsel(er)')."""
    return f"{integer(n)} {singular if int(n) == 1 else plural}"


def value_pair(a: object, b: object, unit: str) -> tuple[str, str]:
    """Two values of one unit at the same precision, with just enough decimals to tell them apart:
    (45.6, 45.4, '%') → ('45,6 %', '45,4 %'); (46.0, 45.0, '%') → ('46 %', '45 %')."""
    if no_value(a) or no_value(b):
        return value(a, unit), value(b, unit)
    base = DEFAULT_DECIMALS.get(unit, 1)
    for decimals in range(base, base + 3):
        left, right = value(a, unit, decimals=decimals), value(b, unit, decimals=decimals)
        if left != right or abs(float(a) - float(b)) < 1e-9:
            return left, right
    return left, right


def year_span(first: int, last: int) -> str:
    """2019, 2024 → '2019–2024'; 2024, 2024 → '2024'."""
    return str(int(first)) if int(first) == int(last) else f"{int(first)}–{int(last)}"
