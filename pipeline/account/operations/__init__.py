"""The municipality as an enterprise (issue 12): energy, water and fuel of its own buildings and transport,
turned into CO2e with stated factors, degree-day correction and the own-effort / supply-effect split.

Public API (every number carries the factor or correction it used, so the report can name it):
- `for_year(tables_by_year, code, year, settings) -> OperationsYear` and `history(...)`: everything for a year;
- `factor(carrier, unit, year, settings) -> Factor | None` (factors.py), `correction(year, settings)`
  (degree_days.py), `building_table` / `intensities` / `by_use` (buildings.py), `footprint` (co2e.py),
  `split` (effort.py); `settings.parse` reads the targets file's `operations:` block;
- `method_notes_da()`: the Danish method text (factor rule, degree-day correction, own effort vs supply).
"""

from pipeline.account.operations.account import OperationsYear, complete_years, for_year, history
from pipeline.account.operations.buildings import Intensities, building_table, by_use, intensities
from pipeline.account.operations.co2e import Footprint, footprint
from pipeline.account.operations.degree_days import Correction, correct, correction
from pipeline.account.operations.effort import EffortSplit, split
from pipeline.account.operations.factors import Factor, factor
from pipeline.account.operations.reference import ReferenceDataError
from pipeline.account.operations.settings import FactorOverride, OperationsSettings

__all__ = ["Correction", "EffortSplit", "Factor", "FactorOverride", "Footprint", "Intensities", "OperationsSettings",
           "OperationsYear", "ReferenceDataError", "building_table", "by_use", "complete_years", "correct",
           "correction", "factor", "footprint", "for_year", "history", "intensities", "method_notes_da", "split"]


def method_notes_da() -> list[str]:
    """The method in plain Danish, one paragraph per rule, for the report's method text."""
    from pipeline.account.operations import degree_days, effort, factors

    return [factors.RULE_DA, degree_days.RULE_DA, effort.RULE_DA]
