"""The climate account's key figures as KPI table rows for the report year: emissions, the reduction since
the reference year and the manko (metadata in pipeline/account/kpis/climate.meta.yml)."""

from __future__ import annotations

import pandas as pd

from pipeline.account import status
from pipeline.account.climate.account import ClimateAccount
from pipeline.account.climate.manko import TARGET_YEAR
from pipeline.account.kpis.common import finite

IDS = ("emissions_total_t_co2e", "emissions_reduction_pct", "manko_t_co2e_2030")
UNITS = {"emissions_total_t_co2e": "t CO2e", "emissions_reduction_pct": "%", "manko_t_co2e_2030": "t CO2e"}


def rows(ca: ClimateAccount, code: int, year: int) -> pd.DataFrame:
    """One row per climate KPI in the KPI table's columns (`data_year` is the emissions' own year)."""
    latest = ca.latest
    target = ca.target
    goal = None
    if target is not None and latest is not None:
        goal = next((m for m in target.milestones if m.year >= latest[0]), target.milestones[-1])
    out = []
    value = latest[1] if latest else None
    out.append({"kpi_id": "emissions_total_t_co2e", "value": value,
                "target_value": target.target_t_co2e(goal) if goal else None,
                "target_year": goal.year if goal else None, "expected_value": ca.expected_t_co2e,
                "status": ca.status})
    out.append({"kpi_id": "emissions_reduction_pct",
                "value": target.reduction_pct(value) if target is not None and value is not None else None,
                "target_value": goal.reduction_pct if goal else None, "target_year": goal.year if goal else None,
                "expected_value": target.reduction_pct(ca.expected_t_co2e)
                if target is not None and ca.expected_t_co2e is not None else None,
                "status": ca.status if target is not None or value is None else status.NO_TARGET})
    m = ca.manko
    if m is not None:
        manko_status = status.ON_TRACK if m.manko_t_co2e <= status.TOLERANCE else status.OFF_TRACK
    else:
        manko_status = status.NO_DATA if latest is None else status.NO_TARGET
    out.append({"kpi_id": "manko_t_co2e_2030", "value": m.manko_t_co2e if m else None,
                "target_value": 0.0 if m else None, "target_year": TARGET_YEAR if m else None,
                "expected_value": None, "status": manko_status})
    for row in out:  # a number that is not finite is "mangler data", never "inf" (logged)
        computed = row["value"] is not None
        for column in ("value", "target_value", "expected_value"):
            row[column] = finite(row[column], f"{code} {year} {row['kpi_id']} {column}")
        if computed and row["value"] is None:
            row["status"] = status.NO_DATA
    frame = pd.DataFrame(out)
    frame["municipality_code"] = int(code)
    frame["year"] = int(year)
    frame["data_year"] = latest[0] if latest else pd.NA
    frame["unit"] = frame["kpi_id"].map(UNITS)
    frame["previous_year"] = pd.NA
    frame["previous_value"] = None
    frame["caveat"] = False
    return frame
