"""Fleet KPIs: the share of the municipality's own passenger cars and vans on electricity or hydrogen."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.account.kpis.common import eq, frame_of, isin, share
from pipeline.schema import PROPULSIONS, VEHICLE_CLASSES, ZERO_EMISSION


def zero_emission_share(fleet: pd.DataFrame, vehicle_class: str) -> float | None:
    """(el + brint) / all vehicles of the class × 100; None without vehicles of that class."""
    of_class = fleet.loc[eq(fleet["vehicle_class"], vehicle_class)]
    return share(int(isin(of_class["propulsion"], ZERO_EMISSION).sum()), len(of_class))


def fleet_counts(fleet: pd.DataFrame) -> pd.DataFrame:
    """Vehicles per class (rows) × propulsion (columns), in schema order, zeros filled."""
    if fleet.empty:
        return pd.DataFrame(index=pd.Index([], name="vehicle_class", dtype=str), dtype="int64")
    f = pd.DataFrame(
        {
            "vehicle_class": fleet["vehicle_class"].astype("string").str.strip().str.lower(),
            "propulsion": fleet["propulsion"].astype("string").str.strip().str.lower(),
        }
    ).fillna("ukendt")
    table = pd.crosstab(f["vehicle_class"], f["propulsion"])
    rows = [c for c in VEHICLE_CLASSES if c in table.index] + sorted(
        set(table.index) - set(VEHICLE_CLASSES)
    )
    cols = [c for c in PROPULSIONS if c in table.columns] + sorted(
        set(table.columns) - set(PROPULSIONS)
    )
    table = table.reindex(index=rows, columns=cols, fill_value=0).astype("int64")
    table.index.name, table.columns.name = "vehicle_class", "propulsion"
    return table


def compute(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    fleet = frame_of(frames, "fleet")
    return {
        "zero_emission_share_passenger_cars": zero_emission_share(fleet, "personbil"),
        "zero_emission_share_vans": zero_emission_share(fleet, "varebil"),
    }
