"""Helpers every KPI group uses: one municipality-year's rows, shares and tolerant comparisons."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipeline import formatting as fmt
from pipeline import schema
from pipeline.ingest.store import empty_table

log = logging.getLogger(__name__)

TOLERANCE = 1e-9  # value == expected counts as on track (float noise)


@dataclass(frozen=True)
class KpiContext:
    """What a KPI group may need beyond one municipality-year's rows: the municipality, every processed
    year's tables (e.g. a reference year's) and the targets file's `operations:` settings."""

    code: int
    tables_by_year: Mapping[int, Mapping[str, pd.DataFrame]] = field(default_factory=dict)
    operations: object | None = None  # pipeline.account.operations.OperationsSettings, or None


def finite(value: object, what: str) -> float | None:
    """VALUE as a float, or None ("mangler data") when missing; a number that is not finite (a sum that
    overflowed, 0/0 in a share) is logged, naming WHAT, and becomes None too, never "inf" or "nan"."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    if math.isfinite(number):
        return number
    log.warning("%s: the computed value %s is not a finite number; published as 'mangler data'", what, number)
    return None


def empty_frame(dataset: str) -> pd.DataFrame:
    """An empty table with the dataset's processed columns (what an absent delivery looks like)."""
    return empty_table(schema.DATASETS[dataset])


def frame_of(frames: Mapping[str, pd.DataFrame], dataset: str) -> pd.DataFrame:
    """FRAMES[DATASET], or an empty table of the dataset when absent, built only then (as a `frames.get`
    default it was built on every call: 5 per municipality-year in the KPI stage, none ever used)."""
    df = frames.get(dataset)
    return empty_frame(dataset) if df is None else df


def rows_for(
    tables: Mapping[str, pd.DataFrame], dataset: str, code: int, year: int | None = None
) -> pd.DataFrame:
    """The rows of one dataset for one municipality (and year); empty when not delivered."""
    df = tables.get(dataset)
    if df is None or df.empty:
        return empty_frame(dataset)
    mask = df["municipality_code"] == int(code)
    if year is not None and "year" in df.columns:
        mask &= df["year"] == int(year)
    return df.loc[mask.fillna(False).astype(bool)]


def share(part: float, whole: float) -> float | None:
    """part / whole × 100, None when the denominator is 0."""
    if fmt.is_missing(whole) or whole == 0:
        return None
    return float(part) / float(whole) * 100.0


def eq(series: pd.Series, value: str) -> pd.Series:
    """Case/space-tolerant equality that treats missing as False."""
    return series.astype("string").str.strip().str.lower().eq(value).fillna(False).astype(bool)


def isin(series: pd.Series, values: list[str]) -> pd.Series:
    return series.astype("string").str.strip().str.lower().isin(values).fillna(False).astype(bool)


def frames_for(tables: Mapping[str, pd.DataFrame], code: int, year: int) -> dict[str, pd.DataFrame]:
    """Every dataset's rows for one municipality-year (empty frame where not delivered)."""
    return {name: rows_for(tables, name, code, year) for name in schema.DATASETS}
