"""The municipality as an enterprise (issue 12): energy, water and fuel of its own buildings and transport,
turned into CO2e with stated factors and degree-day correction.

Public API (every number carries the factor or correction it used, so the report can name it):
- `factor(carrier, unit, year, settings) -> Factor | None` (factors.py), `correction(year, settings)` and
  `correct(...)` (degree_days.py); `settings.parse` reads the targets file's `operations:` block.
"""

from pipeline.account.operations.degree_days import Correction, correct, correction
from pipeline.account.operations.factors import Factor, factor
from pipeline.account.operations.reference import ReferenceDataError
from pipeline.account.operations.settings import FactorOverride, OperationsSettings

__all__ = ["Correction", "Factor", "FactorOverride", "OperationsSettings", "ReferenceDataError", "correct",
           "correction", "factor"]
