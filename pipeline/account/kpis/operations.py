"""Operations KPIs (the municipality as an enterprise): heat, electricity and water per m² heated area, CO2e
of its own buildings and transport, and the own-effort / supply-effect parts of the change since the
reference year (computed by pipeline.account.operations; the meaning is in operations.meta.yml)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.account import operations
from pipeline.account.kpis.common import KpiContext
from pipeline.account.operations.account import DATASETS

KPI_IDS = ("heat_kwh_per_m2", "heat_corrected_kwh_per_m2", "electricity_kwh_per_m2", "water_m3", "water_m3_per_m2",
           "operations_t_co2e", "operations_buildings_t_co2e", "operations_transport_t_co2e",
           "operations_own_effort_t_co2e", "operations_supply_effect_t_co2e")


def values(account: operations.OperationsYear) -> dict[str, float | None]:
    """The KPI values of one operations account (None: mangler data)."""
    i, fp, e = account.intensities, account.footprint, account.effort
    return {
        "heat_kwh_per_m2": i.heat_kwh_per_m2,
        "heat_corrected_kwh_per_m2": i.heat_corrected_kwh_per_m2,
        "electricity_kwh_per_m2": i.electricity_kwh_per_m2,
        "water_m3": i.water_m3,
        "water_m3_per_m2": i.water_m3_per_m2,
        "operations_t_co2e": fp.total_t_co2e,
        "operations_buildings_t_co2e": fp.buildings_t_co2e,
        "operations_transport_t_co2e": fp.transport_t_co2e,
        "operations_own_effort_t_co2e": None if e is None else e.own_effort_t_co2e,
        "operations_supply_effect_t_co2e": None if e is None else e.supply_effect_t_co2e,
    }


def compute(frames: Mapping[str, pd.DataFrame], year: int, context: KpiContext | None = None) -> dict[str, float | None]:
    if all(frames.get(d) is None or frames[d].empty for d in DATASETS):
        return dict.fromkeys(KPI_IDS)  # nothing delivered: no account to build
    if context is None:  # one municipality-year alone: its frames are its tables
        code = int(next(frames[d] for d in DATASETS if not frames[d].empty)["municipality_code"].iloc[0])
        context = KpiContext(code, {int(year): frames})
    return values(operations.for_year(context.tables_by_year, context.code, year, context.operations))
