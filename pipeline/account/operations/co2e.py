"""CO2e of the municipality's own operations in one year: one line per part, source, carrier and unit
(buildings by carrier, transport by fuel and source) with the amount used and the factor behind it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.account.operations import carriers
from pipeline.account.operations.factors import factor
from pipeline.account.operations.settings import OperationsSettings

log = logging.getLogger(__name__)

USE_COLUMNS = ["part", "source", "carrier", "unit", "amount"]
LINE_COLUMNS = USE_COLUMNS + ["kg_co2e_per_unit", "factor_method", "factor_source", "factor_text", "factor",
                              "t_co2e"]


def building_uses(energy: pd.DataFrame) -> pd.DataFrame:
    """The buildings' use per carrier and unit (USE_COLUMNS); natural gas in m³ counts only for a row
    without natural gas in kWh (the same gas is never counted twice). Carriers nobody used are left out."""
    rows = []
    if energy is not None and not energy.empty:
        values = {c: pd.to_numeric(energy[c], errors="coerce") for c in carriers.BUILDING_COLUMNS}
        values["natural_gas_m3"] = values["natural_gas_m3"].where(values["natural_gas_kwh"].isna())
        for column, (carrier, unit) in carriers.BUILDING_COLUMNS.items():
            if values[column].notna().any():
                rows.append((carriers.PART_BUILDINGS, carriers.BUILDINGS_SOURCE, carrier, unit,
                             float(values[column].sum())))
    return pd.DataFrame(rows, columns=USE_COLUMNS).astype({"amount": "float64"})


def transport_uses(transport: pd.DataFrame) -> pd.DataFrame:
    """The transport's use per source, fuel and unit (USE_COLUMNS), in schema order."""
    if transport is None or transport.empty:
        return pd.DataFrame(columns=USE_COLUMNS).astype({"amount": "float64"})
    t = pd.DataFrame({
        "source": transport["source"].astype("string").str.strip().str.lower(),
        "carrier": transport["fuel"].astype("string").str.strip().str.lower(),
        "unit": transport["unit"].astype("string").map(lambda u: carriers.normal_unit(u) if isinstance(u, str) else u),
        "amount": pd.to_numeric(transport["amount"], errors="coerce"),
    })
    g = t.groupby(["source", "carrier", "unit"], sort=False, dropna=False)["amount"].sum(min_count=1).reset_index()
    g.insert(0, "part", carriers.PART_TRANSPORT)
    order = {"source": list(carriers.SOURCE_DA), "carrier": list(carriers.TRANSPORT_CARRIERS),
             "unit": list(carriers.UNITS)}
    g = g.sort_values(["source", "carrier", "unit"], key=lambda s: s.map(
        lambda v: order[s.name].index(v) if v in order[s.name] else len(order[s.name])))
    return g[USE_COLUMNS].reset_index(drop=True).astype({"amount": "float64"})


def with_factors(uses: pd.DataFrame, year: int, settings: OperationsSettings | None = None) -> pd.DataFrame:
    """USES with the factor of YEAR for each line and its CO2e in tonnes (LINE_COLUMNS); a line without a
    factor has NaN there (and factor None), logged."""
    out = uses.copy()
    found = [factor(c, u, year, settings) for c, u in zip(out["carrier"], out["unit"], strict=True)]
    out["factor"] = pd.Series(found, index=out.index, dtype=object)
    out["kg_co2e_per_unit"] = [np.nan if f is None else f.value for f in found]
    out["factor_method"] = [None if f is None else f.method for f in found]
    out["factor_source"] = [None if f is None else f.source for f in found]
    out["factor_text"] = [None if f is None else f.describe_da() for f in found]
    out["t_co2e"] = out["amount"] * out["kg_co2e_per_unit"] / 1000.0
    for r in out[out["factor"].isna()].itertuples():
        log.warning("%s: no emission factor for %s in %s (%s); its CO2e is unknown", year, r.carrier, r.unit, r.source)
    return out[LINE_COLUMNS].astype({"kg_co2e_per_unit": "float64", "t_co2e": "float64"})


@dataclass(frozen=True)
class Footprint:
    """CO2e of the municipality's own operations in one year. A part is None when its dataset was not
    delivered (or holds no amount), or when a line of it has no factor; the total needs both parts."""

    year: int
    lines: pd.DataFrame  # LINE_COLUMNS, buildings first
    buildings_t_co2e: float | None
    transport_t_co2e: float | None

    @property
    def total_t_co2e(self) -> float | None:
        if self.buildings_t_co2e is None or self.transport_t_co2e is None:
            return None
        return self.buildings_t_co2e + self.transport_t_co2e

    @property
    def missing_factors(self) -> list[tuple[str, str, str]]:
        """(source, carrier, unit) of every line without a factor."""
        m = self.lines[self.lines["factor"].isna()]
        return list(zip(m["source"], m["carrier"], m["unit"], strict=True))

    def part(self, part: str) -> pd.DataFrame:
        return self.lines[self.lines["part"] == part].reset_index(drop=True)

    def by_carrier(self) -> pd.DataFrame:
        """The buildings' lines: carrier, unit, amount, kg_co2e_per_unit, factor_text, t_co2e."""
        return self.part(carriers.PART_BUILDINGS)[["carrier", "unit", "amount", "kg_co2e_per_unit", "factor_text",
                                                   "t_co2e"]]

    def by_fuel_and_source(self) -> pd.DataFrame:
        """The transport's lines: source, carrier (the fuel), unit, amount, kg_co2e_per_unit, factor_text, t_co2e."""
        return self.part(carriers.PART_TRANSPORT)[["source", "carrier", "unit", "amount", "kg_co2e_per_unit",
                                                   "factor_text", "t_co2e"]]

    def by_source(self) -> pd.DataFrame:
        """t CO2e per source (the buildings, then each transport source): source, t_co2e."""
        g = self.lines.groupby("source", sort=False)["t_co2e"].sum(min_count=1)
        return g.reset_index()


def _part_total(lines: pd.DataFrame) -> float | None:
    """Σ t CO2e of the lines with an amount; None without any, or when one of them has no factor."""
    known = lines[lines["amount"].notna()]
    if known.empty or known["t_co2e"].isna().any():
        return None
    return float(known["t_co2e"].sum())


def footprint(energy: pd.DataFrame, transport: pd.DataFrame, year: int,
              settings: OperationsSettings | None = None) -> Footprint:
    """The CO2e of one municipality-year from its building_energy and transport_energy rows."""
    b = with_factors(building_uses(energy), year, settings)
    t = with_factors(transport_uses(transport), year, settings)
    lines = pd.concat([x for x in (b, t) if len(x)], ignore_index=True) if len(b) or len(t) else b
    return Footprint(int(year), lines[LINE_COLUMNS], _part_total(b), _part_total(t))
