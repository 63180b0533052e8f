"""One municipality-year of its own operations, computed once: buildings, degree-day correction, CO2e and
the own-effort split, from the processed tables of every year (the reference year's too)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.account.kpis.common import rows_for
from pipeline.account.operations import buildings, co2e, effort
from pipeline.account.operations.buildings import Intensities
from pipeline.account.operations.co2e import Footprint
from pipeline.account.operations.degree_days import Correction, correction
from pipeline.account.operations.effort import EffortSplit
from pipeline.account.operations.settings import DEFAULT, OperationsSettings

log = logging.getLogger(__name__)

DATASETS = ("building_energy", "transport_energy")
Tables = Mapping[int, Mapping[str, pd.DataFrame]]


@dataclass(frozen=True)
class OperationsYear:
    """Everything the report says about the municipality as an enterprise in one year."""

    code: int
    year: int
    settings: OperationsSettings
    delivered: tuple[str, ...]  # which of DATASETS have rows for the municipality-year
    buildings: pd.DataFrame  # buildings.building_table: one row per building
    correction: Correction | None  # None: no degree days for the year
    intensities: Intensities
    footprint: Footprint
    effort: EffortSplit | None  # None before the reference year, or without complete data in both years

    def by_use(self) -> pd.DataFrame:
        """Use per m² by building use class (buildings.by_use)."""
        return buildings.by_use(self.buildings, self.correction)


def _rows(tables_by_year: Tables, dataset: str, code: int, year: int) -> pd.DataFrame:
    return rows_for(tables_by_year.get(int(year), {}), dataset, code, year)


def complete_years(tables_by_year: Tables, code: int) -> list[int]:
    """The years in which the municipality delivered both building_energy and transport_energy."""
    return sorted(int(y) for y in tables_by_year
                  if all(not _rows(tables_by_year, d, code, y).empty for d in DATASETS))


def for_year(tables_by_year: Tables, code: int, year: int, settings: OperationsSettings | None = None) -> OperationsYear:
    """The operations account of CODE in YEAR (TABLES_BY_YEAR: processed year → dataset → table, as
    ingest.load_processed gives them; SETTINGS: the targets file's `operations:` block)."""
    settings = settings or DEFAULT
    year = int(year)
    energy = _rows(tables_by_year, "building_energy", code, year)
    transport = _rows(tables_by_year, "transport_energy", code, year)
    delivered = tuple(d for d, f in zip(DATASETS, (energy, transport), strict=True) if not f.empty)
    fix = correction(year, settings) if not energy.empty else None
    table = buildings.building_table(energy, _rows(tables_by_year, "buildings", code, year), fix)
    carbon = co2e.footprint(energy, transport, year, settings)
    return OperationsYear(int(code), year, settings, delivered, table, fix,
                          buildings.intensities(table, year, fix), carbon,
                          _effort(tables_by_year, code, year, settings, carbon))


def _effort(tables_by_year: Tables, code: int, year: int, settings: OperationsSettings,
            now: Footprint) -> EffortSplit | None:
    """The split against the reference year; None unless both years have both parts' CO2e."""
    ref_year, origin = effort.choose_reference_year(settings.reference_year, complete_years(tables_by_year, code))
    if ref_year is None or year < ref_year or now.total_t_co2e is None:
        return None
    then = now if ref_year == year else co2e.footprint(
        _rows(tables_by_year, "building_energy", code, ref_year), _rows(tables_by_year, "transport_energy", code, ref_year),
        ref_year, settings)
    if then.total_t_co2e is None:
        log.info("%s %s: the reference year %s has no complete CO2e; no own-effort split", code, year, ref_year)
        return None
    uses = now.lines[co2e.USE_COLUMNS]
    return effort.split(uses, then.lines[co2e.USE_COLUMNS], year, ref_year, settings, origin)


def history(tables_by_year: Tables, code: int, settings: OperationsSettings | None = None,
            until: int | None = None) -> list[OperationsYear]:
    """for_year for every year ≤ UNTIL in TABLES_BY_YEAR with either dataset delivered, oldest first."""
    out = []
    for y in sorted(int(k) for k in tables_by_year):
        if until is not None and y > int(until):
            continue
        if any(not _rows(tables_by_year, d, code, y).empty for d in DATASETS):
            out.append(for_year(tables_by_year, code, y, settings))
    return out
