"""KPI values per municipality-year: one module per KPI group (`lca`, `fleet`, `waste`, `energy_labels`,
`operations`), each with a `compute(frames, year)` and its metadata in `<group>.meta.yml` (see kpis/meta.py).
A group that needs more than the year's rows (another year's tables, the targets file's settings) takes a
keyword `context` (a KpiContext) as well."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable, Mapping

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.kpis.common import KpiContext, empty_frame, finite, frames_for, rows_for
from pipeline.account.kpis.meta import (
    GROUP_MODULES,
    GROUPS,
    KPI_DATASET,
    KPI_DATASETS,
    KPI_DEFS,
    KPI_IDS,
    KpiDef,
    kpis_for,
    kpis_in_group,
)

__all__ = ["GROUPS", "KPI_DATASET", "KPI_DATASETS", "KPI_DEFS", "KPI_IDS", "KpiContext", "KpiDef",
           "compute_history", "compute_year", "empty_frame", "frames_for", "kpis_for", "kpis_in_group", "previous",
           "rows_for", "series", "value_in"]

Computer = Callable[..., dict[str, float | None]]


@functools.cache
def computers() -> tuple[tuple[Computer, bool], ...]:
    """Each registered group's `compute`, in report order, and whether it takes a `context`."""
    out = []
    for module in GROUP_MODULES:
        compute = importlib.import_module(f"{__name__}.{module}").compute
        out.append((compute, "context" in inspect.signature(compute).parameters))
    return tuple(out)


def compute_year(tables: Mapping[str, pd.DataFrame], code: int, year: int,
                 context: KpiContext | None = None) -> dict[str, float | None]:
    """All KPI values for one municipality-year; None where a dataset it needs is missing, n = 0 or the
    result is not a finite number (logged). CONTEXT: every year's tables and the targets file's settings
    (default: this year's tables only, no settings)."""
    context = context or KpiContext(int(code), {int(year): tables})
    frames = frames_for(tables, code, year)
    values: dict[str, float | None] = {}
    for compute, wants_context in computers():
        computed = compute(frames, year, context=context) if wants_context else compute(frames, year)
        values.update({k: finite(v, f"{code} {year} {k}") for k, v in computed.items()})
    for kpi_id, datasets in KPI_DATASETS.items():
        if any(frames[d].empty for d in datasets):
            values[kpi_id] = None  # not delivered → "mangler data"
    return {k: values.get(k) for k in KPI_IDS}


def compute_history(
    tables_by_year: Mapping[int, Mapping[str, pd.DataFrame]], code: int, year: int | None = None,
    operations: object | None = None,
) -> pd.DataFrame:
    """Long table year, kpi_id, value (NaN = mangler data), unit for every available year ≤ year
    (OPERATIONS: the targets file's `operations:` settings, an OperationsSettings)."""
    rows = []
    context = KpiContext(int(code), tables_by_year, operations)
    for y in sorted(int(k) for k in tables_by_year):
        if year is not None and y > int(year):
            continue
        for kpi_id, v in compute_year(tables_by_year[y], code, y, context).items():
            rows.append((y, kpi_id, float("nan") if v is None else float(v), KPI_DEFS[kpi_id].unit))
    out = pd.DataFrame(rows, columns=["year", "kpi_id", "value", "unit"])
    return out.astype({"year": "int64", "kpi_id": "str", "value": "float64", "unit": "str"})


def series(history: pd.DataFrame, kpi_id: str) -> pd.Series:
    """One KPI's values indexed by year (NaN where missing), sorted by year."""
    if history is None or history.empty:
        return pd.Series(dtype="float64", name=kpi_id)
    h = history.loc[history["kpi_id"] == kpi_id, ["year", "value"]]
    return h.set_index("year")["value"].astype("float64").sort_index().rename(kpi_id)


def value_in(history: pd.DataFrame, kpi_id: str, year: int) -> float | None:
    """The KPI's value in `year`, None if missing."""
    v = series(history, kpi_id).get(int(year))
    return None if fmt.is_missing(v) else float(v)


def previous(history: pd.DataFrame, kpi_id: str, year: int) -> tuple[int, float] | None:
    """The latest (year, value) before `year` that has a value, or None."""
    s = series(history, kpi_id).dropna()
    s = s[s.index < int(year)]
    return None if s.empty else (int(s.index[-1]), float(s.iloc[-1]))
