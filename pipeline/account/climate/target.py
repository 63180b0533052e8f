"""The climate target of a targets file: reference year and emissions, milestones in %, scope, and the
piecewise-linear target path with the same status rule as the other KPIs."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from pipeline.account.kpis.common import TOLERANCE

SCOPES = {"med_landbrug": "med landbrug", "uden_landbrug": "uden landbrug"}
_KEYS = {"scope", "reference", "milestones", "projection_2030_t_co2e", "source"}
EXAMPLE = ("climate: {scope: med_landbrug, reference: {year: 1990, t_co2e: 500000}, "
           "milestones: [{year: 2030, reduction_pct: 70}]}")


@dataclass(frozen=True)
class Milestone:
    year: int
    reduction_pct: float  # against the reference year, 100 = neutral


@dataclass(frozen=True)
class ClimateTarget:
    """The plan's climate target for the municipality as a geographic area."""

    scope: str  # "med_landbrug" | "uden_landbrug": which total the target is set for
    reference_year: int
    reference_t_co2e: float
    milestones: tuple[Milestone, ...]  # sorted by year, after the reference year
    projection_2030_t_co2e: float | None = None  # the plan's basisfremskrivning, if it states one
    source: str = ""

    def target_t_co2e(self, milestone: Milestone) -> float:
        return self.reference_t_co2e * (1 - milestone.reduction_pct / 100)

    def points(self) -> list[tuple[int, float]]:
        """(year, t CO2e) from the reference through every milestone."""
        return [(self.reference_year, self.reference_t_co2e)] + [
            (m.year, self.target_t_co2e(m)) for m in self.milestones]

    def path(self, year: int) -> float:
        """The emissions the plan implies for YEAR: linear between the points, flat outside them."""
        pts = self.points()
        if year <= pts[0][0]:
            return pts[0][1]
        for (y0, v0), (y1, v1) in itertools.pairwise(pts):
            if year <= y1:
                return v0 + (year - y0) / (y1 - y0) * (v1 - v0)
        return pts[-1][1]

    def milestone(self, year: int) -> Milestone | None:
        return next((m for m in self.milestones if m.year == year), None)

    def reduction_pct(self, t_co2e: float) -> float:
        """How much lower than the reference year, in %."""
        return (1 - t_co2e / self.reference_t_co2e) * 100


def assess(target: ClimateTarget | None, t_co2e: float | None, year: int) -> tuple[str, float | None]:
    """(status, the emissions on the path in YEAR): lower is better; on or below the path is on track,
    and from the last milestone year on the target is reached or not (docs/kpis.md)."""
    from pipeline.account import status  # status imports targets, which imports this module

    if t_co2e is None or (isinstance(t_co2e, float) and math.isnan(t_co2e)):
        return status.NO_DATA, None if target is None else target.path(year)
    if target is None:
        return status.NO_TARGET, None
    expected = target.path(year)
    met = float(t_co2e) <= expected + TOLERANCE
    if year >= target.milestones[-1].year:
        return (status.REACHED if met else status.NOT_REACHED), expected
    return (status.ON_TRACK if met else status.OFF_TRACK), expected


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _year(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100


def parse(doc: object, problems) -> ClimateTarget | None:
    """The `climate:` block of a targets file; each problem goes to PROBLEMS (`add(key, message, value,
    expected)`, account.target_problems.Problems) in Danish."""
    if doc is None:
        return None
    if not isinstance(doc, dict):
        problems.add("climate", "'climate' skal være en blok med klimamålet", doc, EXAMPLE)
        return None
    before = len(problems)
    for key in sorted(set(doc) - _KEYS, key=str):
        problems.add(f"climate.{key}", f"ukendt nøgle '{key}'", expected=f"en af {', '.join(sorted(_KEYS))}")
    scope = doc.get("scope")
    if scope not in SCOPES:
        problems.add("climate.scope", "'scope' skal sige, om målet gælder udledningen med eller uden landbrug",
                     scope, " eller ".join(SCOPES))
    ref = doc.get("reference")
    if not (isinstance(ref, dict) and _year(ref.get("year")) and _number(ref.get("t_co2e"))
            and ref["t_co2e"] > 0):
        problems.add("climate.reference", "'reference' skal være referenceåret og dets udledning", ref,
                     "{year: <åååå>, t_co2e: <tal over 0>}")
        ref = None
    milestones = []
    raw = doc.get("milestones")
    if not isinstance(raw, list) or not raw:
        problems.add("climate.milestones", "'milestones' skal være en liste af delmål", raw,
                     "[{year: <åååå>, reduction_pct: <0–100>}, …]")
        raw = []
    for i, m in enumerate(raw):
        key = f"climate.milestones[{i}]"
        if not (isinstance(m, dict) and set(m) == {"year", "reduction_pct"} and _year(m["year"])
                and _number(m["reduction_pct"]) and 0 <= m["reduction_pct"] <= 100):
            problems.add(key, "delmålet skal have et år og en reduktion i procent", m,
                         "{year: <åååå>, reduction_pct: <0–100>}")
            continue
        if ref is not None and m["year"] <= ref["year"]:
            problems.add(f"{key}.year", f"delmålet for {m['year']} ligger ikke efter referenceåret {ref['year']}",
                         m["year"], f"et år efter {ref['year']}")
            continue
        milestones.append(Milestone(int(m["year"]), float(m["reduction_pct"])))
    years = [m.year for m in milestones]
    if len(set(years)) != len(years):
        problems.add("climate.milestones", "et år står flere gange blandt delmålene", sorted(years),
                     "hvert år højst én gang")
    projection = doc.get("projection_2030_t_co2e")
    if projection is not None and not (_number(projection) and projection >= 0):
        problems.add("climate.projection_2030_t_co2e", "'projection_2030_t_co2e' skal være et tal", projection,
                     "et tal ≥ 0 (ton CO2e)")
    source = doc.get("source", "")
    if not isinstance(source, str):
        problems.add("climate.source", "'source' skal være en tekst", source, "en tekst, fx planens titel")
    if len(problems) > before or ref is None:
        return None
    return ClimateTarget(scope, int(ref["year"]), float(ref["t_co2e"]), tuple(sorted(milestones, key=lambda m: m.year)),
                         None if projection is None else float(projection), source.strip())
