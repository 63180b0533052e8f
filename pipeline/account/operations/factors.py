"""Emission factors by carrier, unit and year: the municipality's own override, else the reference table
interpolated linearly between its years and held at the nearest year outside them, else derived from a kWh
factor through the energy a unit holds. Each Factor says which of these it is and cites its source."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pipeline import formatting as fmt
from pipeline.account.operations import carriers, reference
from pipeline.account.operations.reference import EnergyPerUnit, FactorRow
from pipeline.account.operations.settings import DEFAULT, OperationsSettings

log = logging.getLogger(__name__)

TABLE, INTERPOLATED, HELD, CONSTANT, OVERRIDDEN = "tabel", "interpoleret", "fastholdt", "uden årstal", "kommunens egen"
METHODS = (TABLE, INTERPOLATED, HELD, CONSTANT, OVERRIDDEN)
RULE_DA = (
    "Emissionsfaktorerne står med kilde i projektets referencetabel (data/reference/emission_factors.csv). "
    "Mellem to år i tabellen interpoleres faktoren lineært, som BR18 Bilag 2, Tabel 8 foreskriver. Før "
    "tabellens første år bruges det første års faktor, og efter det sidste år det sidste års faktor "
    "(fastholdt); en faktor uden årstal bruges for alle år. Har kommunen angivet sin egen faktor for et år i "
    "sin målfil (fx fjernvarmeselskabets deklaration), bruges den for det år. Naturgas i m³, gas, brint og "
    "elbilers kilometer regnes om til kWh (data/reference/energy_per_unit.csv) og ganges med kWh-faktoren."
)


@dataclass(frozen=True)
class Factor:
    """kg CO2e per physical unit of a carrier as used for YEAR, and how it was found (METHOD)."""

    carrier: str
    unit: str  # physical unit, e.g. 'kwh'
    year: int  # the year the factor is used for
    value: float  # kg CO2e per unit
    method: str  # one of METHODS (for a derived factor: the kWh factor's method)
    source: str
    table_years: tuple[int, ...] = ()  # reference years used: (2023,), (2023, 2025); () for CONSTANT/OVERRIDDEN
    file: str = ""  # where it is written: the reference file or the targets file
    rows: tuple[int, ...] = ()  # its rows (reference file, header = 1) or YAML line (targets file)
    energy: EnergyPerUnit | None = None  # set when derived: value = energy.kwh_per_unit × base.value
    base: Factor | None = None  # the kWh factor a derived factor was computed from

    @property
    def interpolated(self) -> bool:
        return self.method == INTERPOLATED

    @property
    def held(self) -> bool:
        return self.method == HELD

    @property
    def overridden(self) -> bool:
        return self.method == OVERRIDDEN

    @property
    def derived(self) -> bool:
        return self.energy is not None

    @property
    def unit_da(self) -> str:
        return carriers.factor_unit_da(self.unit)

    def describe_da(self) -> str:
        """One Danish sentence: the value, the year, how it was found and the source."""
        head = f"{_num(self.value)} {self.unit_da} for {carriers.CARRIER_DA.get(self.carrier, self.carrier).lower()}"
        if self.derived:
            return (f"{head} i {self.year}: {_num(self.energy.kwh_per_unit)} kWh pr. "
                    f"{carriers.amount_da(self.unit)} ({self.energy.source}) × {self.base.describe_da()}")
        return f"{head} i {self.year} {_how(self)}; kilde: {self.source}"


def _num(x: float) -> str:
    return fmt.decimal(x, 4)


def _how(f: Factor) -> str:
    if f.method == INTERPOLATED:
        return f"(interpoleret lineært mellem {f.table_years[0]} og {f.table_years[1]})"
    if f.method == HELD:
        return f"(faktoren for {f.table_years[0]} fastholdt: tabellen har ingen faktor for {f.year})"
    if f.method == CONSTANT:
        return "(faktor uden årstal, brugt for alle år)"
    if f.method == OVERRIDDEN:
        return f"(kommunens egen faktor fra {f.file})"
    return "(tabellens faktor for året)"


def series(carrier: str, unit: str) -> list[FactorRow]:
    """The reference rows of one carrier and unit, by year (a row without a year stands alone)."""
    rows = [r for r in reference.emission_factors() if (r.carrier, r.unit) == (carrier, unit)]
    return sorted(rows, key=lambda r: r.year or 0)


def interpolate(rows: list[FactorRow], carrier: str, unit: str, year: int) -> Factor:
    """The factor for YEAR from one series: exact, linear between two years, held outside, or constant."""
    first, last = rows[0], rows[-1]
    if first.year is None:
        return Factor(carrier, unit, year, first.value, CONSTANT, first.source, (), first.file, (first.row,))
    if year <= first.year or year >= last.year:
        r = first if year <= first.year else last
        method = TABLE if r.year == year else HELD
        return Factor(carrier, unit, year, r.value, method, r.source, (r.year,), r.file, (r.row,))
    exact = next((r for r in rows if r.year == year), None)
    if exact is not None:
        return Factor(carrier, unit, year, exact.value, TABLE, exact.source, (year,), exact.file, (exact.row,))
    lo = max((r for r in rows if r.year < year), key=lambda r: r.year)
    hi = min((r for r in rows if r.year > year), key=lambda r: r.year)
    value = lo.value + (year - lo.year) / (hi.year - lo.year) * (hi.value - lo.value)
    source = lo.source if lo.source == hi.source else f"{lo.source}; {hi.source}"
    return Factor(carrier, unit, year, value, INTERPOLATED, source, (lo.year, hi.year), lo.file, (lo.row, hi.row))


def factor(carrier: str, unit: str, year: int, settings: OperationsSettings | None = None) -> Factor | None:
    """kg CO2e per UNIT of CARRIER used for YEAR: the municipality's override, else the reference table, else
    derived through energy_per_unit.csv from the kWh factor; None when neither table can give one."""
    settings = settings or DEFAULT
    carrier, unit, year = str(carrier).strip().lower(), carriers.normal_unit(unit), int(year)
    own = settings.factor_override(carrier, unit, year)
    if own is not None:
        return Factor(carrier, unit, year, own.value, OVERRIDDEN, own.source, (), own.file,
                      () if own.line is None else (own.line,))
    rows = series(carrier, unit)
    if rows:
        return interpolate(rows, carrier, unit, year)
    energy = reference.energy_per_unit().get((carrier, unit))
    if energy is None or unit == "kwh":
        return None
    base = factor(energy.kwh_carrier, "kwh", year, settings)
    if base is None:
        return None
    return Factor(carrier, unit, year, energy.kwh_per_unit * base.value, base.method, base.source, base.table_years,
                  base.file, base.rows, energy, base)
