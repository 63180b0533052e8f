"""The status rule: a straight target path from baseline to target, and each KPI's status on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.kpis import KPI_DEFS, KpiDef, previous, series, value_in
from pipeline.account.kpis.common import TOLERANCE
from pipeline.account.targets import Target

ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA = (
    "på sporet",
    "ikke på sporet",
    "mangler mål",
    "mangler data",
)
KPI_STATUSES = [ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA]


@dataclass(frozen=True)
class Trajectory:
    """Straight line from the baseline to the target; flat at the target value afterwards."""

    baseline_year: int
    baseline_value: float
    target_year: int
    target_value: float
    baseline_from_targets: bool  # False: the earliest observed value was used

    def expected(self, year: int) -> float:
        """The value the plan implies for `year`."""
        if year >= self.target_year:
            return self.target_value
        if year <= self.baseline_year:
            return self.baseline_value
        frac = (year - self.baseline_year) / (self.target_year - self.baseline_year)
        return self.baseline_value + frac * (self.target_value - self.baseline_value)


def trajectory(
    target: Target | None, history: pd.DataFrame | None = None, kpi_id: str | None = None
) -> Trajectory | None:
    """Line from the target's baseline (else the earliest observed value) to the target."""
    if target is None:
        return None
    if target.has_baseline:
        return Trajectory(
            target.baseline_year,
            target.baseline_value,
            target.target_year,
            target.target_value,
            True,
        )
    observed = series(history, kpi_id or target.kpi_id).dropna() if history is not None else None
    if observed is None or observed.empty:
        return None
    by, bv = int(observed.index[0]), float(observed.iloc[0])
    if by >= target.target_year:
        by, bv = target.target_year, target.target_value
    return Trajectory(by, bv, target.target_year, target.target_value, False)


def expected_value(
    target: Target | None, year: int, history: pd.DataFrame | None = None, kpi_id: str | None = None
) -> float | None:
    """The value on the target trajectory in `year`, None without target or baseline."""
    t = trajectory(target, history, kpi_id)
    return None if t is None else t.expected(int(year))


def status(
    kpi_def: KpiDef,
    value: float | None,
    year: int,
    target: Target | None,
    history: pd.DataFrame | None = None,
) -> str:
    """'på sporet' / 'ikke på sporet' / 'mangler mål' / 'mangler data' (rule in docs/kpis.md)."""
    if fmt.is_missing(value):
        return NO_DATA
    if target is None:
        return NO_TARGET
    expected = expected_value(target, year, history, kpi_def.kpi_id)
    if expected is None:  # no baseline and nothing observed: the value itself is the baseline
        expected = float(value)
    if kpi_def.higher_is_better:
        return ON_TRACK if float(value) >= expected - TOLERANCE else OFF_TRACK
    return ON_TRACK if float(value) <= expected + TOLERANCE else OFF_TRACK


def summary(history: pd.DataFrame, year: int, targets: Mapping[str, Target]) -> pd.DataFrame:
    """Per KPI: value this year, previous year with data, target, expected value and status."""
    rows = []
    for kpi_id, d in KPI_DEFS.items():
        v = value_in(history, kpi_id, year)
        prev = previous(history, kpi_id, year)
        t = targets.get(kpi_id)
        rows.append(
            {
                "kpi_id": kpi_id,
                "group": d.group,
                "title_da": d.title_da,
                "unit": d.unit,
                "higher_is_better": d.higher_is_better,
                "year": int(year),
                "value": v,
                "previous_year": prev[0] if prev else None,
                "previous_value": prev[1] if prev else None,
                "target_year": t.target_year if t else None,
                "target_value": t.target_value if t else None,
                "expected_value": expected_value(t, year, history, kpi_id),
                "status": status(d, v, year, t, history),
            }
        )
    out = pd.DataFrame(rows)
    for col in ("value", "previous_value", "target_value", "expected_value"):
        out[col] = out[col].astype("float64")
    for col in ("previous_year", "target_year"):
        out[col] = out[col].astype("Int64")
    return out


def sentence(kpi_def: KpiDef, history: pd.DataFrame, year: int, target: Target | None) -> str:
    """One plain-Danish sentence reading the KPI, e.g. 'I 2024 var 46 % af … op fra 31 % i 2023.'"""
    v = value_in(history, kpi_def.kpi_id, year)
    prev = previous(history, kpi_def.kpi_id, year)
    if v is None:
        text = f"Der mangler data til at beregne nøgletallet for {year}"
        if prev:
            text += f"; i {prev[0]} var værdien {fmt.value(prev[1], kpi_def.unit)}"
        text += "."
    else:
        now = fmt.value(v, kpi_def.unit)
        text = f"I {year} " + kpi_def.reading_da.format(value=now)
        if prev:
            before = fmt.value(prev[1], kpi_def.unit)
            if before == now:
                text += f", uændret fra {prev[0]}"
            else:
                text += f", {'op' if v > prev[1] else 'ned'} fra {before} i {prev[0]}"
        text += "."
    if target is None:
        return text + " Der er ikke fastsat et mål for nøgletallet."
    verb = "var" if target.target_year < int(year) else "er"
    return (
        text
        + f" Målet {verb} {fmt.value(target.target_value, kpi_def.unit)} i {target.target_year}."
    )
