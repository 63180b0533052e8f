"""Heat of a building_energy row in kWh: natural gas and heating oil converted with the energy contents of
data/reference/energy_per_unit.csv (the same table the operations account uses, so the plausibility
rules and the KPIs cannot disagree)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.account.operations import reference

# The building_energy columns that hold heat, and the (carrier, unit) of energy_per_unit.csv that turns
# each into kWh (None: delivered in kWh).
HEAT_COLUMNS = {"district_heating_kwh": None, "natural_gas_kwh": None, "natural_gas_m3": ("naturgas", "m3"),
                "heating_oil_l": ("fyringsolie", "l")}


def heat_columns() -> list[str]:
    return list(HEAT_COLUMNS)


def kwh_per_unit(column: str) -> float:
    """kWh per delivered unit of a heat column (1 for the columns delivered in kWh)."""
    key = HEAT_COLUMNS[column]
    return 1.0 if key is None else reference.energy_per_unit()[key].kwh_per_unit


def heat_kwh(frame: pd.DataFrame) -> pd.Series:
    """Each row's heat in kWh: district heating + natural gas (its kWh, else its m³ converted) + heating oil
    converted; NaN when no heat column is filled."""
    def column(name: str) -> pd.Series:
        if name not in frame.columns:
            return pd.Series(np.nan, index=frame.index, dtype="float64")
        return pd.to_numeric(frame[name], errors="coerce").astype("float64") * kwh_per_unit(name)

    gas = column("natural_gas_kwh").fillna(column("natural_gas_m3"))
    parts = pd.DataFrame({"district_heating": column("district_heating_kwh"), "gas": gas,
                          "oil": column("heating_oil_l")}, index=frame.index)
    return parts.sum(axis=1, min_count=1).astype("float64")
