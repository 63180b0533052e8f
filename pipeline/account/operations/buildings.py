"""The municipality's buildings with their energy and water use in one year: one row per building with its
heated area and use class (from `buildings` of the same year), heat in kWh, and use per m² heated area."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.operations import reference
from pipeline.account.operations.degree_days import Correction

log = logging.getLogger(__name__)

UNKNOWN_USE = "ukendt anvendelse"
ESTIMATED = "estimeret"
_SUMMED = ["electricity_kwh", "district_heating_kwh", "natural_gas_kwh", "natural_gas_m3", "heating_oil_l", "water_m3"]
COLUMNS = ["building_id", "name", "use", "energy_label", "heated_area_m2", "known_building", "basis",
           "electricity_kwh", "district_heating_kwh", "natural_gas_kwh", "natural_gas_from", "heating_oil_l",
           "heating_oil_kwh", "heat_kwh", "water_m3", "heat_kwh_per_m2", "heat_corrected_kwh",
           "heat_corrected_kwh_per_m2", "electricity_kwh_per_m2", "water_m3_per_m2"]


def _key(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def building_table(energy: pd.DataFrame, buildings: pd.DataFrame, correction: Correction | None = None) -> pd.DataFrame:
    """One row per building in ENERGY (building_energy rows of one municipality-year), joined with BUILDINGS
    of the same year; columns COLUMNS. Natural gas is the kWh delivered, else m³ × kWh per m³
    (energy_per_unit.csv); heating oil in kWh likewise; heat = district heating + natural gas + heating oil
    (NaN when none is given). Per-m² values only where the heated area is known and above 0."""
    if energy is None or energy.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS})
    e = energy.assign(building_id=_key(energy["building_id"]))
    for column in _SUMMED:
        e[column] = pd.to_numeric(e[column], errors="coerce")
    e["estimated"] = e["basis"].astype("string").str.strip().str.lower().eq(ESTIMATED).fillna(False)
    grouped = e.groupby("building_id", sort=True)
    # sum(min_count=1): stays NaN when every value is missing (no value is not 0 kWh); one vectorised pass
    t = grouped[_SUMMED].sum(min_count=1).join(grouped["estimated"].any()).reset_index()
    t["basis"] = np.where(t["estimated"], ESTIMATED, "maalt")
    per = reference.energy_per_unit()
    gas_m3_kwh = t["natural_gas_m3"] * per[("naturgas", "m3")].kwh_per_unit
    t["natural_gas_from"] = np.where(t["natural_gas_kwh"].notna(), "kwh",
                                     np.where(t["natural_gas_m3"].notna(), "m3", None))
    t["natural_gas_kwh"] = t["natural_gas_kwh"].fillna(gas_m3_kwh)
    t["heating_oil_kwh"] = t["heating_oil_l"] * per[("fyringsolie", "l")].kwh_per_unit
    t["heat_kwh"] = t[["district_heating_kwh", "natural_gas_kwh", "heating_oil_kwh"]].sum(axis=1, min_count=1)
    t = t.merge(_building_facts(buildings), on="building_id", how="left")
    t["known_building"] = t["known_building"].fillna(False).astype(bool)
    area = t["heated_area_m2"].where(t["heated_area_m2"] > 0)
    t["heat_kwh_per_m2"] = t["heat_kwh"] / area
    t["heat_corrected_kwh"] = t["heat_kwh"].map(correction.apply) if correction else np.nan
    t["heat_corrected_kwh_per_m2"] = t["heat_corrected_kwh"] / area
    t["electricity_kwh_per_m2"] = t["electricity_kwh"] / area
    t["water_m3_per_m2"] = t["water_m3"] / area
    unknown = t.loc[~t["known_building"], "building_id"].tolist()
    if unknown:
        log.warning("building_energy names %d building(s) not in buildings of the same year (%s): left out of "
                    "the per-m² figures", len(unknown), ", ".join(unknown[:10]))
    return t[COLUMNS].astype({c: "float64" for c in COLUMNS if c.endswith(("_kwh", "_m3", "_m2", "_l"))})


def _building_facts(buildings: pd.DataFrame) -> pd.DataFrame:
    """building_id, name, use (lower case; UNKNOWN_USE when empty), energy_label, heated_area_m2."""
    cols = ["building_id", "name", "use", "energy_label", "heated_area_m2", "known_building"]
    if buildings is None or buildings.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    b = buildings.assign(building_id=_key(buildings["building_id"])).dropna(subset=["building_id"])
    b = b.drop_duplicates("building_id", keep="first")
    use = b["use"].astype("string").str.strip().str.lower()
    return pd.DataFrame({
        "building_id": b["building_id"].astype(str).to_numpy(),
        "name": b["name"].to_numpy(dtype=object),
        "use": use.mask(use.isna() | use.eq(""), UNKNOWN_USE).to_numpy(dtype=object),
        "energy_label": b["energy_label"].astype("string").str.strip().str.upper().to_numpy(dtype=object),
        "heated_area_m2": pd.to_numeric(b["heated_area_m2"], errors="coerce").to_numpy(dtype="float64"),
        "known_building": True,
    })


@dataclass(frozen=True)
class Intensities:
    """The buildings' use in one year: totals, the heated area each per-m² figure divides by, and the
    per-m² figures (None when nothing can be divided: no value, or no building with a known area)."""

    year: int
    buildings: int  # buildings with an energy row
    buildings_without_area: int  # of those: not in `buildings`, or without a heated area above 0
    estimated: int  # of those: with estimated figures
    heat_kwh: float | None
    heat_area_m2: float  # heated area of the buildings with heat and a known area
    heat_kwh_per_m2: float | None
    heat_corrected_kwh_per_m2: float | None  # None also without degree days for the year
    correction: Correction | None
    electricity_kwh: float | None
    electricity_area_m2: float
    electricity_kwh_per_m2: float | None
    water_m3: float | None  # every building's water, also one without a known area
    water_area_m2: float
    water_m3_per_m2: float | None

    @property
    def estimated_share(self) -> float | None:
        """Buildings with estimated figures / all buildings with an energy row × 100."""
        return None if not self.buildings else self.estimated / self.buildings * 100


def _ratio(table: pd.DataFrame, column: str) -> tuple[float | None, float]:
    """(Σ column / Σ area over buildings with a value and an area > 0, that area)."""
    has = table[column].notna() & (table["heated_area_m2"] > 0)
    area = float(table.loc[has, "heated_area_m2"].sum())
    if not has.any() or area <= 0:
        return None, area
    return float(table.loc[has, column].sum()) / area, area


def intensities(table: pd.DataFrame, year: int, correction: Correction | None = None) -> Intensities:
    """Heat (actual and degree-day corrected), electricity and water per m² heated area, from a building_table
    (the corrected figure: CORRECTION applied to the heat of the buildings with a known area)."""
    heat_per_m2, heat_area = _ratio(table, "heat_kwh")
    corrected = None
    if heat_per_m2 is not None and correction is not None:
        corrected = correction.apply(heat_per_m2 * heat_area) / heat_area
    el_per_m2, el_area = _ratio(table, "electricity_kwh")
    water_per_m2, water_area = _ratio(table, "water_m3")
    without_area = int((~(table["heated_area_m2"] > 0)).sum())
    estimated = int(table["basis"].eq(ESTIMATED).sum())
    return Intensities(int(year), len(table), without_area, estimated,
                       _total(table, "heat_kwh"), heat_area, heat_per_m2, corrected, correction,
                       _total(table, "electricity_kwh"), el_area, el_per_m2,
                       _total(table, "water_m3"), water_area, water_per_m2)


def _total(table: pd.DataFrame, column: str) -> float | None:
    """Σ column over every building; None when no building has a value."""
    return None if table[column].isna().all() else float(table[column].sum())


def by_use(table: pd.DataFrame, correction: Correction | None = None) -> pd.DataFrame:
    """Per use class (buildings with a known area): buildings, heated_area_m2, heat_kwh_per_m2,
    heat_corrected_kwh_per_m2, electricity_kwh_per_m2, water_m3_per_m2, sorted by use (Danish order)."""
    rows = []
    known = table.loc[table["heated_area_m2"] > 0]
    for use, part in known.groupby("use", sort=False):
        heat, heat_area = _ratio(part, "heat_kwh")
        rows.append({"use": use, "buildings": len(part), "heated_area_m2": float(part["heated_area_m2"].sum()),
                     "heat_kwh_per_m2": heat,
                     "heat_corrected_kwh_per_m2": None if heat is None or correction is None
                     else correction.apply(heat * heat_area) / heat_area,
                     "electricity_kwh_per_m2": _ratio(part, "electricity_kwh")[0],
                     "water_m3_per_m2": _ratio(part, "water_m3")[0]})
    out = pd.DataFrame(rows, columns=["use", "buildings", "heated_area_m2", "heat_kwh_per_m2",
                                      "heat_corrected_kwh_per_m2", "electricity_kwh_per_m2", "water_m3_per_m2"])
    out = out.sort_values("use", key=lambda s: s.map(fmt.danish_sort_key)).reset_index(drop=True)
    return out.astype({c: "float64" for c in out.columns if c not in ("use", "buildings")})
