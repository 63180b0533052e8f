"""The status rule: a straight target path from baseline to target, and each KPI's status on it.

The rule never flatters (docs/kpis.md): without a baseline and with one measurement there is no path to
be on; once the target year has come, the target is met or not; a warning on the data qualifies the
status ("med forbehold"), it never leaves it untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.kpis import KPI_DEFS, KpiDef, previous, series, value_in
from pipeline.account.kpis.common import TOLERANCE
from pipeline.account.targets import Target

ON_TRACK, OFF_TRACK = "på sporet", "ikke på sporet"
REACHED, NOT_REACHED = "mål nået", "mål ikke nået"
NOT_ASSESSED, NO_TARGET, NO_DATA = "kan ikke vurderes endnu", "mangler mål", "mangler data"
KPI_STATUSES = [ON_TRACK, OFF_TRACK, REACHED, NOT_REACHED, NOT_ASSESSED, NO_TARGET, NO_DATA]
CAVEAT_SUFFIX = " – med forbehold"

# What each status means, in the words of the report's method notes (and the summary's legend).
EXPLANATION = {
    ON_TRACK: "Værdien i {year} er lig med eller bedre end målstien i {year}.",
    OFF_TRACK: "Værdien i {year} er dårligere end målstien i {year}.",
    REACHED: "Målåret er kommet, og værdien i {year} er lig med eller bedre end målet.",
    NOT_REACHED: "Målåret er kommet, og værdien i {year} er dårligere end målet.",
    NOT_ASSESSED: "Målet har intet udgangspunkt, og der er kun én måling. Der er derfor ingen målsti at "
    "sammenligne med endnu; status kan vurderes, når der er målt mindst to år.",
    NO_TARGET: "Kommunen har ikke sat et mål for nøgletallet.",
    NO_DATA: "Nøgletallet kan ikke beregnes for {year}, fordi datasættet ikke er indberettet, eller "
    "fordi der ikke er noget at dividere med (fx ingen personbiler). Mangler både data og mål, vises "
    "„mangler data“.",
}
CAVEAT_EXPLANATION = (
    "„Med forbehold“ efter en status betyder, at valideringen fandt en advarsel i de data, nøgletallet "
    "bygger på (fx at vognparken faldt mere end forventet). Forbeholdet står under nøgletallet."
)


def label(status: str, caveat: bool = False) -> str:
    """The status as a reader sees it: 'på sporet' or 'på sporet – med forbehold'."""
    return status + CAVEAT_SUFFIX if caveat and status != NO_DATA else status


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
    if by >= target.target_year:  # measured only from the target year on: there is no path to draw
        return None
    return Trajectory(by, bv, target.target_year, target.target_value, False)


def expected_value(
    target: Target | None, year: int, history: pd.DataFrame | None = None, kpi_id: str | None = None
) -> float | None:
    """The value on the target trajectory in `year`, None without target or path."""
    t = trajectory(target, history, kpi_id)
    return None if t is None else t.expected(int(year))


def _meets(kpi_def: KpiDef, value: float, expected: float) -> bool:
    if kpi_def.higher_is_better:
        return float(value) >= expected - TOLERANCE
    return float(value) <= expected + TOLERANCE


def assess(
    kpi_def: KpiDef,
    value: float | None,
    year: int,
    target: Target | None,
    history: pd.DataFrame | None = None,
) -> tuple[str, float | None]:
    """(status, the value the plan implies for the year) by the rule in docs/kpis.md."""
    year = int(year)
    if target is None:
        return (NO_DATA if fmt.is_missing(value) else NO_TARGET), None
    if target.target_year <= year:  # the target year has come: met or not
        expected = target.target_value
        if fmt.is_missing(value):
            return NO_DATA, expected
        return (REACHED if _meets(kpi_def, value, expected) else NOT_REACHED), expected
    path = trajectory(target, history, kpi_def.kpi_id)
    expected = path.expected(year) if path is not None else None
    if fmt.is_missing(value):
        return NO_DATA, expected
    if path is None or (not path.baseline_from_targets and path.baseline_year >= year):
        return NOT_ASSESSED, None  # no baseline and one measurement: the path would start at the value
    return (ON_TRACK if _meets(kpi_def, value, expected) else OFF_TRACK), expected


def status(
    kpi_def: KpiDef,
    value: float | None,
    year: int,
    target: Target | None,
    history: pd.DataFrame | None = None,
) -> str:
    """The status alone (see assess)."""
    return assess(kpi_def, value, year, target, history)[0]


def summary(history: pd.DataFrame, year: int, targets: Mapping[str, Target]) -> pd.DataFrame:
    """Per KPI: value this year, previous year with data, target, expected value and status."""
    rows = []
    for kpi_id, d in KPI_DEFS.items():
        v = value_in(history, kpi_id, year)
        prev = previous(history, kpi_id, year)
        t = targets.get(kpi_id)
        kpi_status, expected = assess(d, v, year, t, history)
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
                "expected_value": expected,
                "status": kpi_status,
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
