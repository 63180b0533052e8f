"""The committed reference facts (data/reference/): emission factors, energy per unit, degree days and
parameters, each row with its source; a broken file raises ReferenceDataError naming file, row and column."""

from __future__ import annotations

import csv
import functools
import logging
import math
from dataclasses import dataclass
from pathlib import Path

from pipeline import config
from pipeline.account.operations import carriers
from pipeline.account.target_problems import display_path
from pipeline.errors import PipelineError, Problem

log = logging.getLogger(__name__)

FACTOR_COLUMNS = ("carrier", "year", "kg_co2e_per_unit", "unit", "source")
ENERGY_COLUMNS = ("carrier", "unit", "kwh_per_unit", "kwh_carrier", "source")
DEGREE_DAY_COLUMNS = ("year", "degree_days", "source")
PARAMETER_COLUMNS = ("parameter", "value", "unit", "source")
PARAMETERS = {"normal_year_degree_days": (1.0, 10000.0), "hot_water_share": (0.0, 0.99),
              "degree_day_base_celsius": (0.0, 30.0)}
YEARS = (1990, 2100)


class ReferenceDataError(PipelineError, ValueError):
    """A reference file that cannot be used; lists every problem (file, row, column, value, expected)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(er) i referencedata – ret filen og kør igen:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Sourced:
    """One reference value with its source and where it is written (file, spreadsheet row: header = 1)."""

    value: float
    source: str
    file: str
    row: int


@dataclass(frozen=True)
class FactorRow:
    """One row of emission_factors.csv: kg CO2e per physical unit of a carrier in a year (None: no year)."""

    carrier: str
    unit: str  # physical unit, e.g. 'kwh'
    year: int | None
    value: float
    source: str
    file: str
    row: int


@dataclass(frozen=True)
class EnergyPerUnit:
    """One row of energy_per_unit.csv: a physical unit of CARRIER holds KWH_PER_UNIT kWh of KWH_CARRIER."""

    carrier: str
    unit: str
    kwh_per_unit: float
    kwh_carrier: str
    source: str
    file: str
    row: int


def _read(path: Path, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[Problem], str]:
    """(spreadsheet row, row dict) for every row, the problems so far, and the file's display name."""
    file = display_path(path)
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            rows = [(i + 2, r) for i, r in enumerate(reader)]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(file, f"filen kan ikke læses ({exc})", expected="en CSV-fil i UTF-8")], file
    if header != columns:
        return [], [Problem(file, "kolonnerne er ikke de forventede", 1, None, ",".join(header),
                            ",".join(columns))], file
    return rows, [], file


def _number(problems, file, row, column, text, low=0.0, high=math.inf) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        problems.append(Problem(file, "ikke et gyldigt tal", row, column, text,
                                f"et tal mellem {low:g} og {high:g} med punktum som decimaltegn"))
        return None
    return value


def _year(problems, file, row, column, text, blank_ok=False) -> int | None:
    text = (text or "").strip()
    if blank_ok and not text:
        return None
    if not (text.isdigit() and YEARS[0] <= int(text) <= YEARS[1]):
        problems.append(Problem(file, "ikke et gyldigt årstal", row, column, text,
                                f"et helt år mellem {YEARS[0]} og {YEARS[1]}" + (" (eller tomt)" if blank_ok else "")))
        return None
    return int(text)


def _source(problems, file, row, text) -> str:
    if not (text or "").strip():
        problems.append(Problem(file, "kilden mangler", row, "source", text, "dokument, tabel og år"))
    return (text or "").strip()


@functools.cache
def emission_factors(path: Path = config.EMISSION_FACTORS_CSV) -> tuple[FactorRow, ...]:
    """Every row of emission_factors.csv; a carrier-unit series is either years or one row without a year."""
    rows, problems, file = _read(path, FACTOR_COLUMNS)
    out, seen = [], {}
    for row, r in rows:
        carrier = (r["carrier"] or "").strip().lower()
        if carrier not in carriers.CARRIERS:
            problems.append(Problem(file, "ukendt energiart", row, "carrier", r["carrier"],
                                    f"en af {', '.join(carriers.CARRIERS)}"))
        unit = carriers.factor_unit(r["unit"])
        if unit is None:
            problems.append(Problem(file, "ukendt enhed", row, "unit", r["unit"],
                                    "kg CO2e/<enhed> med enheden " + ", ".join(carriers.UNIT_DA.values())))
        year = _year(problems, file, row, "year", r["year"], blank_ok=True)
        value = _number(problems, file, row, "kg_co2e_per_unit", r["kg_co2e_per_unit"])
        source = _source(problems, file, row, r["source"])
        years = seen.setdefault((carrier, unit), {})
        clash = years.get(year) or (next(iter(years.values())) if years and (year is None or None in years)
                                    else None)
        if clash:
            problems.append(Problem(file, f"{carrier} i {r['unit']} står allerede i række {clash}", row,
                                    "year", r["year"], "hvert år højst én gang, og et tomt år kun alene"))
        years.setdefault(year, row)
        if value is not None and unit is not None and carrier in carriers.CARRIERS:
            out.append(FactorRow(carrier, unit, year, value, source, file, row))
    _raise(problems)
    return tuple(out)


@functools.cache
def energy_per_unit(path: Path = config.ENERGY_PER_UNIT_CSV) -> dict[tuple[str, str], EnergyPerUnit]:
    """(carrier, unit) → the kWh a physical unit holds, and the carrier whose kWh factor applies to it."""
    rows, problems, file = _read(path, ENERGY_COLUMNS)
    out: dict[tuple[str, str], EnergyPerUnit] = {}
    for row, r in rows:
        carrier, kwh_carrier = (r["carrier"] or "").strip().lower(), (r["kwh_carrier"] or "").strip().lower()
        for column, name in (("carrier", carrier), ("kwh_carrier", kwh_carrier)):
            if name not in carriers.CARRIERS:
                problems.append(Problem(file, "ukendt energiart", row, column, r[column],
                                        f"en af {', '.join(carriers.CARRIERS)}"))
        unit = carriers.normal_unit(r["unit"] or "")
        if unit not in carriers.UNITS or unit == "kwh":
            problems.append(Problem(file, "ukendt enhed", row, "unit", r["unit"], "l, m3, nm3, kg eller km"))
        value = _number(problems, file, row, "kwh_per_unit", r["kwh_per_unit"], 1e-9)
        source = _source(problems, file, row, r["source"])
        if (carrier, unit) in out:
            problems.append(Problem(file, f"{carrier} i {unit} står to gange", row, "unit", r["unit"],
                                    "hver energiart og enhed én gang"))
        elif value is not None:
            out[(carrier, unit)] = EnergyPerUnit(carrier, unit, value, kwh_carrier, source, file, row)
    _raise(problems)
    return out


@functools.cache
def degree_days(path: Path = config.DEGREE_DAYS_CSV) -> dict[int, Sourced]:
    """Year → the year's degree days (base 17 °C) with its source; a year not in the file has none."""
    rows, problems, file = _read(path, DEGREE_DAY_COLUMNS)
    out: dict[int, Sourced] = {}
    for row, r in rows:
        year = _year(problems, file, row, "year", r["year"])
        value = _number(problems, file, row, "degree_days", r["degree_days"], 1.0, 10000.0)
        source = _source(problems, file, row, r["source"])
        if year in out:
            problems.append(Problem(file, f"året står allerede i række {out[year].row}", row, "year", r["year"],
                                    "hvert år én gang"))
        elif year is not None and value is not None:
            out[year] = Sourced(value, source, file, row)
    _raise(problems)
    return out


@functools.cache
def parameters(path: Path = config.OPERATIONS_PARAMETERS_CSV) -> dict[str, Sourced]:
    """Parameter → value with source: normal_year_degree_days, hot_water_share, degree_day_base_celsius."""
    rows, problems, file = _read(path, PARAMETER_COLUMNS)
    out: dict[str, Sourced] = {}
    for row, r in rows:
        name = (r["parameter"] or "").strip()
        if name not in PARAMETERS:
            problems.append(Problem(file, "ukendt parameter", row, "parameter", r["parameter"],
                                    f"en af {', '.join(PARAMETERS)}"))
            continue
        value = _number(problems, file, row, "value", r["value"], *PARAMETERS[name])
        source = _source(problems, file, row, r["source"])
        if value is not None:
            out[name] = Sourced(value, source, file, row)
    for name in sorted(set(PARAMETERS) - set(out)):
        if not any(p.column == "value" for p in problems):
            problems.append(Problem(file, f"parameteren {name} mangler", None, "parameter", None,
                                    f"en række med {name}"))
    _raise(problems)
    return out


def _raise(problems: list[Problem]) -> None:
    if problems:
        log.error("reference data cannot be used: %s", "; ".join(str(p) for p in problems))
        raise ReferenceDataError(problems)
