"""Heat of a building in kWh from the delivered units, with the factors of data/reference/energy_conversions.csv."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import config

log = logging.getLogger(__name__)

FIELDS = ["column", "carrier", "unit", "kwh_per_unit", "source"]


class ConversionsError(ValueError):
    """The conversions table cannot be used; the message names the file and what to fix."""


@dataclass(frozen=True)
class Conversion:
    column: str  # the building_energy column, e.g. natural_gas_m3
    carrier: str  # district_heating, natural_gas, heating_oil
    unit: str  # as the delivery gives it, in Danish (m³, liter, kWh)
    kwh_per_unit: float
    source: str  # document, table and year the factor comes from


@functools.cache
def load(path: Path | None = None) -> dict[str, Conversion]:
    """The heat columns of building_energy and their factor to kWh, keyed by column."""
    source = Path(path or config.ENERGY_CONVERSIONS_CSV)
    table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(table.columns) != FIELDS:
        raise ConversionsError(f"{source}: the columns must be {', '.join(FIELDS)}")
    out = {}
    for r in table.itertuples(index=False):
        try:
            factor = float(r.kwh_per_unit)
        except ValueError:
            factor = float("nan")
        if not (factor > 0 and r.source.strip()) or r.column in out:
            raise ConversionsError(f"{source}: {r.column} needs one positive kwh_per_unit and a source")
        out[r.column] = Conversion(r.column, r.carrier, r.unit, factor, r.source)
    return out


def heat_columns() -> list[str]:
    """The columns of building_energy that hold heat (district heating, natural gas, heating oil)."""
    return list(load())


def heat_kwh(frame: pd.DataFrame) -> pd.Series:
    """Each row's heat in kWh: the sum of its heat columns times their factors; NaN when none is filled."""
    parts = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce") * f.kwh_per_unit
                          for c, f in load().items() if c in frame.columns}, index=frame.index)
    if parts.empty:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return parts.sum(axis=1, min_count=1).astype("float64")
