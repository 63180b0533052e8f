"""A municipality's own choices for its operations account: the `operations:` block of its targets file
(reference year, factor and degree-day overrides, normal year, hot-water share), checked like the rest."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.account.operations import carriers

_KEYS = {"reference_year", "factors", "degree_days", "normal_year_degree_days", "hot_water_share"}
_FACTOR_KEYS = {"carrier", "year", "value", "unit", "source"}
_DEGREE_DAY_KEYS = {"year", "value", "source"}
YEARS = (1990, 2100)
MAX_PER_KWH = 2.0  # kg CO2e/kWh: above any fuel (lignite ≈ 1,2); catches 21,8 kg/GJ written as per kWh
MAX_PER_UNIT = 100.0
EXAMPLE = ("operations: {reference_year: 2019, factors: [{carrier: fjernvarme, year: 2024, value: 0.0785, "
           "unit: kg CO2e/kWh, source: \"Fjernvarmeselskabets deklaration 2024\"}]}")
FACTOR_EXAMPLE = "{carrier: fjernvarme, year: 2024, value: 0.0785, unit: kg CO2e/kWh, source: \"…\"}"


@dataclass(frozen=True)
class FactorOverride:
    """A municipality's own factor for one carrier, unit and year (e.g. its district-heating declaration)."""

    carrier: str
    unit: str  # physical unit, e.g. 'kwh'
    year: int
    value: float  # kg CO2e per unit
    source: str
    file: str  # the targets file it was given in
    line: int | None = None


@dataclass(frozen=True)
class DegreeDayOverride:
    """A municipality's own degree days for a year (e.g. its district-heating company's figure)."""

    year: int
    value: float
    source: str
    file: str
    line: int | None = None


@dataclass(frozen=True)
class OperationsSettings:
    """The `operations:` block; every field optional (None/empty: the reference data's value is used)."""

    reference_year: int | None = None
    factors: tuple[FactorOverride, ...] = ()
    degree_days: tuple[DegreeDayOverride, ...] = ()
    normal_year_degree_days: float | None = None
    hot_water_share: float | None = None
    file: str = ""  # the targets file, as messages name it

    def factor_override(self, carrier: str, unit: str, year: int) -> FactorOverride | None:
        return next((f for f in self.factors if (f.carrier, f.unit, f.year) == (carrier, unit, int(year))), None)

    def degree_day_override(self, year: int) -> DegreeDayOverride | None:
        return next((d for d in self.degree_days if d.year == int(year)), None)


DEFAULT = OperationsSettings()


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _year(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and YEARS[0] <= value <= YEARS[1]


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def parse(doc: object, problems) -> OperationsSettings | None:
    """The `operations:` block of a targets file; each problem goes to PROBLEMS (`add(key, message, value,
    expected)`, account.target_problems.Problems) in Danish. None when the block is absent."""
    if doc is None:
        return None
    if not isinstance(doc, dict):
        problems.add("operations", "'operations' skal være en blok med indstillinger for kommunen som virksomhed",
                     doc, EXAMPLE)
        return None
    before = len(problems)
    for key in sorted(set(doc) - _KEYS, key=str):
        problems.add(f"operations.{key}", f"ukendt nøgle '{key}'", expected=f"en af {', '.join(sorted(_KEYS))}")
    ref = doc.get("reference_year")
    if ref is not None and not _year(ref):
        problems.add("operations.reference_year", "'reference_year' skal være et helt år", ref,
                     f"et helt år mellem {YEARS[0]} og {YEARS[1]}")
    normal = doc.get("normal_year_degree_days")
    if normal is not None and not (_number(normal) and 0 < normal <= 10000):
        problems.add("operations.normal_year_degree_days", "'normal_year_degree_days' skal være et antal graddage",
                     normal, "et tal over 0, fx 3112")
    share = doc.get("hot_water_share")
    if share is not None and not (_number(share) and 0 <= share < 1):
        problems.add("operations.hot_water_share", "'hot_water_share' skal være en andel", share,
                     "en andel fra 0 til under 1, fx 0.25 for 25 %")
    factors = _factors(doc.get("factors"), problems)
    degree_days = _degree_days(doc.get("degree_days"), problems)
    if len(problems) > before:
        return None
    return OperationsSettings(ref, factors, degree_days, None if normal is None else float(normal),
                              None if share is None else float(share), problems.file)


def _list(raw: object, key: str, example: str, problems) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(key, f"'{key.rpartition('.')[2]}' skal være en liste", raw, f"[{example}, …]")
        return []
    return raw


def _factors(raw: object, problems) -> tuple[FactorOverride, ...]:
    out: list[FactorOverride] = []
    for i, f in enumerate(_list(raw, "operations.factors", FACTOR_EXAMPLE, problems)):
        key = f"operations.factors[{i}]"
        if not isinstance(f, dict) or set(f) != _FACTOR_KEYS:
            problems.add(key, "en faktor skal have energiart, år, værdi, enhed og kilde", f, FACTOR_EXAMPLE)
            continue
        carrier = str(f["carrier"]).strip().lower()
        unit = carriers.factor_unit(f["unit"])
        ok = True
        if carrier not in carriers.CARRIERS:
            problems.add(f"{key}.carrier", f"ukendt energiart '{f['carrier']}'", f["carrier"],
                         f"en af {', '.join(carriers.CARRIERS)}")
            ok = False
        if unit is None:
            problems.add(f"{key}.unit", "ukendt enhed for en emissionsfaktor", f["unit"],
                         "kg CO2e/<enhed> med enheden " + ", ".join(carriers.UNIT_DA.values()))
            ok = False
        elif ok and (carrier, unit) not in carriers.USES:
            units = sorted(carriers.UNIT_DA[u] for c, u in carriers.USES if c == carrier)
            problems.add(f"{key}.unit", f"{carrier} indberettes ikke i {carriers.UNIT_DA[unit]}", f["unit"],
                         "kg CO2e/" + " eller kg CO2e/".join(units))
            ok = False
        if not _year(f["year"]):
            problems.add(f"{key}.year", "årstallet skal være et helt år", f["year"],
                         f"et helt år mellem {YEARS[0]} og {YEARS[1]}")
            ok = False
        high = MAX_PER_KWH if unit == "kwh" else MAX_PER_UNIT
        if not (_number(f["value"]) and 0 <= f["value"] <= high):
            problems.add(f"{key}.value", "faktoren skal være et tal i kg CO2e pr. enhed", f["value"],
                         f"et tal fra 0 til {high:g} (kg CO2e pr. {carriers.UNIT_DA.get(unit, 'enhed')}); "
                         "en faktor i kg CO2e/GJ divideres med 277,8 for at få kg CO2e/kWh")
            ok = False
        if not _text(f["source"]):
            problems.add(f"{key}.source", "faktoren skal have en kilde", f["source"],
                         "en tekst, fx fjernvarmeselskabets miljødeklaration og år")
            ok = False
        if ok and any((o.carrier, o.unit, o.year) == (carrier, unit, f["year"]) for o in out):
            problems.add(f"{key}.year", f"{carrier} i {f['unit']} for {f['year']} står flere gange", f["year"],
                         "hver energiart, enhed og år én gang")
            ok = False
        if ok:
            out.append(FactorOverride(carrier, unit, int(f["year"]), float(f["value"]), f["source"].strip(),
                                      problems.file, problems.line_of(key)))
    return tuple(out)


def _degree_days(raw: object, problems) -> tuple[DegreeDayOverride, ...]:
    example = "{year: 2024, value: 2650, source: \"…\"}"
    out: list[DegreeDayOverride] = []
    for i, d in enumerate(_list(raw, "operations.degree_days", example, problems)):
        key = f"operations.degree_days[{i}]"
        if not (isinstance(d, dict) and set(d) == _DEGREE_DAY_KEYS and _year(d["year"])
                and _number(d["value"]) and 0 < d["value"] <= 10000 and _text(d["source"])):
            problems.add(key, "graddagene skal have et år, et antal over 0 og en kilde", d, example)
            continue
        if any(o.year == d["year"] for o in out):
            problems.add(f"{key}.year", f"graddagene for {d['year']} står flere gange", d["year"], "hvert år én gang")
            continue
        out.append(DegreeDayOverride(int(d["year"]), float(d["value"]), d["source"].strip(), problems.file,
                                     problems.line_of(key)))
    return tuple(out)
