"""The change in CO2e since the reference year, split into the municipality's own effort (its use, at the
reference year's factors) and the supply effect (cleaner factors on this year's use); the two sum to the
total change: Σ u(y)·f(ref) − Σ u(ref)·f(ref)  +  Σ u(y)·(f(y) − f(ref))  =  Σ u(y)·f(y) − Σ u(ref)·f(ref)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from pipeline.account.operations.co2e import USE_COLUMNS
from pipeline.account.operations.factors import Factor, factor
from pipeline.account.operations.settings import OperationsSettings

log = logging.getLogger(__name__)

FROM_TARGETS, FROM_FIRST_YEAR = "målfil", "første år med data"
KEYS = ["part", "source", "carrier", "unit"]
LINE_COLUMNS = KEYS + ["amount", "reference_amount", "kg_co2e_per_unit", "reference_kg_co2e_per_unit",
                       "factor", "reference_factor", "own_effort_t_co2e", "supply_effect_t_co2e"]
RULE_DA = (
    "Ændringen i udledningen siden referenceåret deles i kommunens egen indsats og forsyningens bidrag. "
    "Egen indsats er ændringen i forbruget regnet med referenceårets emissionsfaktorer: Σ forbrug(år) × "
    "faktor(referenceår) − Σ forbrug(referenceår) × faktor(referenceår). Forsyningens bidrag er årets forbrug "
    "gange ændringen i faktorerne: Σ forbrug(år) × (faktor(år) − faktor(referenceår)). De to dele summerer "
    "til den samlede ændring. Forbruget er det faktiske, ikke graddagskorrigerede, så et mildt eller koldt år "
    "tæller med i egen indsats. Referenceåret står i kommunens målfil; uden det er det det første år med data "
    "for både bygninger og transport. Delene regnes kun, når både bygninger og transport er indberettet i "
    "året og i referenceåret."
)


@dataclass(frozen=True)
class EffortSplit:
    """The change in t CO2e from REFERENCE_YEAR to YEAR, as own effort + supply effect (per line in LINES)."""

    year: int
    reference_year: int
    reference_year_from: str  # FROM_TARGETS or FROM_FIRST_YEAR
    lines: pd.DataFrame  # LINE_COLUMNS
    own_effort_t_co2e: float
    supply_effect_t_co2e: float

    @property
    def total_change_t_co2e(self) -> float:
        return self.own_effort_t_co2e + self.supply_effect_t_co2e


def choose_reference_year(configured: int | None, years_with_data: Iterable[int]) -> tuple[int | None, str]:
    """(the reference year, where it came from): the targets file's, else the first year with data."""
    if configured is not None:
        return int(configured), FROM_TARGETS
    years = sorted(int(y) for y in years_with_data)
    return (years[0], FROM_FIRST_YEAR) if years else (None, FROM_FIRST_YEAR)


def split(uses: pd.DataFrame, reference_uses: pd.DataFrame, year: int, reference_year: int,
          settings: OperationsSettings | None = None, reference_year_from: str = FROM_TARGETS) -> EffortSplit | None:
    """The split from the use lines (co2e.USE_COLUMNS) of YEAR and REFERENCE_YEAR; None before the reference
    year, or when a line that was used lacks a factor in either year (logged)."""
    if int(year) < int(reference_year):
        return None
    now = uses[USE_COLUMNS].groupby(KEYS, sort=False, dropna=False)["amount"].sum(min_count=1)
    ref = reference_uses[USE_COLUMNS].groupby(KEYS, sort=False, dropna=False)["amount"].sum(min_count=1)
    t = pd.concat([now.rename("amount"), ref.rename("reference_amount")], axis=1).fillna(0.0).reset_index()
    f_now: list[Factor | None] = [factor(c, u, year, settings) for c, u in zip(t["carrier"], t["unit"], strict=True)]
    f_ref: list[Factor | None] = [factor(c, u, reference_year, settings)
                                  for c, u in zip(t["carrier"], t["unit"], strict=True)]
    for i, r in t.iterrows():
        if (f_now[i] is None or f_ref[i] is None) and (r["amount"] or r["reference_amount"]):
            log.warning("%s vs %s: no emission factor for %s in %s; the own-effort split is not computed",
                        year, reference_year, r["carrier"], r["unit"])
            return None
    t["kg_co2e_per_unit"] = [f.value if f else 0.0 for f in f_now]
    t["reference_kg_co2e_per_unit"] = [f.value if f else 0.0 for f in f_ref]
    t["factor"] = pd.Series(f_now, dtype=object)
    t["reference_factor"] = pd.Series(f_ref, dtype=object)
    t["own_effort_t_co2e"] = (t["amount"] - t["reference_amount"]) * t["reference_kg_co2e_per_unit"] / 1000.0
    t["supply_effect_t_co2e"] = t["amount"] * (t["kg_co2e_per_unit"] - t["reference_kg_co2e_per_unit"]) / 1000.0
    return EffortSplit(int(year), int(reference_year), reference_year_from, t[LINE_COLUMNS],
                       float(t["own_effort_t_co2e"].sum()), float(t["supply_effect_t_co2e"].sum()))
