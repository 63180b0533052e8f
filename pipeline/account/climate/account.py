"""One municipality's climate account for a report year: emissions by sector and in total (both scopes),
the target path and status, the manko and the restatements against last year's edition."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.account.climate import manko as manko_mod
from pipeline.account.climate import restatements
from pipeline.account.climate.target import ClimateTarget, assess

log = logging.getLogger(__name__)

# Energi- og CO2-regnskabet's sectors in Danish (the one vocabulary, pipeline.schema), in report order.
SECTOR_DA = {k: v for k, v in schema.SECTOR_DA.items() if k in schema.EMISSION_SECTORS}
AGRICULTURE = tuple(schema.AGRICULTURE_SECTORS)
TOTAL_ROW = {"med_landbrug": "samlet_med_landbrug", "uden_landbrug": "samlet_uden_landbrug"}
UNIT = "t_co2e"
PER_INHABITANT = "t_co2e_per_inhabitant"


@dataclass
class ClimateAccount:
    edition: int  # the report year whose delivery this is
    sectors: pd.DataFrame  # data_year, sector, t_co2e (this edition, t CO2e, sectors only)
    totals: pd.DataFrame  # data_year, scope, t_co2e, delivered (False: summed from the sectors)
    per_inhabitant: pd.DataFrame  # data_year, scope, t_co2e_per_inhabitant (when delivered)
    target: ClimateTarget | None
    scope: str  # the target's scope, or "med_landbrug" without a target (both are always shown)
    status: str
    expected_t_co2e: float | None  # the path in the latest data year
    manko: manko_mod.Manko | None
    restatements: list[restatements.Restatement] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return not self.totals.empty

    @property
    def latest(self) -> tuple[int, float] | None:
        """(latest data year, t CO2e) in the scope."""
        own = self.totals[self.totals["scope"] == self.scope].dropna(subset=["t_co2e"])
        if own.empty:
            return None
        row = own.sort_values("data_year").iloc[-1]
        return int(row["data_year"]), float(row["t_co2e"])

    def total(self, scope: str, data_year: int) -> float | None:
        hit = self.totals[(self.totals["scope"] == scope) & (self.totals["data_year"] == data_year)]
        return None if hit.empty else float(hit["t_co2e"].iloc[0])


def _values(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    if rows is None or rows.empty:
        return pd.DataFrame({"data_year": pd.Series(dtype="int64"), "sector": pd.Series(dtype="str"),
                             "value": pd.Series(dtype="float64")})
    own = rows[rows["unit"] == unit]
    return _finite(own[["data_year", "sector", "value"]].astype({"data_year": "int64", "value": "float64"}),
                   "value", unit)


def _finite(frame: pd.DataFrame, column: str, what: str) -> pd.DataFrame:
    """FRAME with ±inf in COLUMN as missing (NaN, "mangler data"), logged: never "inf" on a page."""
    bad = np.isinf(frame[column].to_numpy(dtype="float64"))
    if bad.any():
        log.warning("climate account: %d %s value(s) are not finite numbers (data years %s); shown as missing",
                    int(bad.sum()), what, sorted(set(frame.loc[bad, "data_year"].tolist())))
        frame = frame.assign(**{column: frame[column].mask(bad)})
    return frame


def totals_by_scope(values: pd.DataFrame) -> pd.DataFrame:
    """The total per data year in both scopes: the delivered total row, else the sum of the sectors."""
    out = []
    sectors = values[values["sector"].isin(SECTOR_DA)]
    for year in sorted(set(values["data_year"])):
        own = values[values["data_year"] == year]
        for scope, row in TOTAL_ROW.items():
            delivered = own.loc[own["sector"] == row, "value"]
            if len(delivered):
                out.append((year, scope, float(delivered.iloc[0]), True))
                continue
            part = sectors[sectors["data_year"] == year]
            if scope == "uden_landbrug":
                part = part[~part["sector"].isin(AGRICULTURE)]
            if len(part):
                out.append((year, scope, float(part["value"].sum(skipna=False)), False))  # no partial sums
    totals = pd.DataFrame(out, columns=["data_year", "scope", "t_co2e", "delivered"]).astype(
        {"data_year": "int64", "t_co2e": "float64", "delivered": "bool"})
    return _finite(totals, "t_co2e", "total")


def build(edition: int, current: pd.DataFrame, previous: pd.DataFrame | None, target: ClimateTarget | None,
          action_table: pd.DataFrame) -> ClimateAccount:
    """The climate account of one municipality from its emissions rows of this edition (CURRENT) and of
    last year's edition (PREVIOUS, for the restatements)."""
    values = _values(current, UNIT)
    sectors = values[values["sector"].isin(SECTOR_DA)].rename(columns={"value": "t_co2e"})
    totals = totals_by_scope(values)
    per = _values(current, PER_INHABITANT)
    per = per[per["sector"].isin(TOTAL_ROW.values())].assign(
        scope=lambda d: d["sector"].map({v: k for k, v in TOTAL_ROW.items()}))
    per = per.rename(columns={"value": "t_co2e_per_inhabitant"})[["data_year", "scope", "t_co2e_per_inhabitant"]]
    scope = target.scope if target is not None else "med_landbrug"
    acc = ClimateAccount(int(edition), sectors.reset_index(drop=True), totals, per.reset_index(drop=True), target,
                         scope, "mangler data", None, None)
    latest = acc.latest
    acc.status, acc.expected_t_co2e = assess(target, latest[1] if latest else None,
                                             latest[0] if latest else int(edition))
    acc.manko = manko_mod.compute(target, action_table, latest)
    before = _values(previous, UNIT).rename(columns={"value": "t_co2e"})
    now = values.rename(columns={"value": "t_co2e"})
    acc.restatements = restatements.compare(before, now)
    return acc
