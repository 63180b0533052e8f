"""Load and check a municipality's plan targets from `data/raw/targets/<code>.yaml`."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config
from pipeline.account import target_problems
from pipeline.account.climate import target as climate_target
from pipeline.account.climate.target import ClimateTarget
from pipeline.account.kpis.meta import KPI_DEFS, KPI_IDS
from pipeline.account.operations import settings as operations_settings
from pipeline.account.operations.settings import OperationsSettings
from pipeline.account.target_problems import Problems, TargetsProblem
from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

# KPIs measured as a count; percentages are on a 0–100 scale; other units (kWh/m², m³, t CO2e) are ≥ 0
# unless the KPI is a change that can be negative (can_be_negative in its .meta.yml).
COUNT_KPIS = {k for k, d in KPI_DEFS.items() if d.unit == "antal"}
YEAR_RANGE = (1990, 2100)
_TOP_KEYS = {"municipality_code", "source", "sample_data", "targets", "climate", "operations"}
_ENTRY_KEYS = {"baseline", "target", "source"}
_POINT_KEYS = {"year", "value"}
_EXAMPLE = "target: {year: 2030, value: 60.0}"
_KIND_DA = {list: "liste", str: "tekst", int: "tal", float: "tal", bool: "sand/falsk-værdi"}


class TargetsError(PipelineError, ValueError):
    """A targets file that cannot be used; lists every problem (file, line, key, value, what was expected)."""

    def __init__(self, problems: list[TargetsProblem]):
        self.problems = sorted(problems, key=lambda p: p.row or 0)  # in the order of the file
        file = self.problems[0].file if self.problems else "<mål>"
        count = len(self.problems)
        lines = [f"{file}: {count} {'problem' if count == 1 else 'problemer'} i målfilen:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Target:
    kpi_id: str
    baseline_year: int | None
    baseline_value: float | None
    target_year: int
    target_value: float
    source: str

    @property
    def has_baseline(self) -> bool:
        return self.baseline_year is not None and self.baseline_value is not None


@dataclass(frozen=True)
class TargetFile:
    """All targets of one municipality; `path` is None when it has no targets file."""

    code: int
    source: str = ""
    sample_data: bool = False
    targets: dict[str, Target] = field(default_factory=dict)
    path: Path | None = None
    climate: ClimateTarget | None = None  # the climate block: reference, milestones, scope
    operations: OperationsSettings | None = None  # the operations block: reference year, own factors, …

    def get(self, kpi_id: str) -> Target | None:
        return self.targets.get(kpi_id)

    @property
    def is_sample(self) -> bool:
        """Marked as sample data (eksempeldata), by the flag or in the source text."""
        text = (self.source or "").lower()
        return self.sample_data or "eksempeldata" in text or "sample data" in text


def path_for(code: int, targets_dir: Path = config.TARGETS) -> Path:
    """`<targets_dir>/<code>.yaml` (codes are 3 digits, e.g. 151.yaml)."""
    return Path(targets_dir) / f"{int(code):03d}.yaml"


def load(code: int, targets_dir: Path = config.TARGETS) -> dict[str, Target]:
    """The targets keyed by kpi_id; {} when the municipality has no targets file."""
    return load_file(code, targets_dir).targets


def load_file(code: int, targets_dir: Path = config.TARGETS) -> TargetFile:
    """Read and check the targets file; a missing file means no targets, a bad one raises TargetsError."""
    path = path_for(code, targets_dir)
    if not path.exists():
        log.info("no targets file %s: every KPI will show 'mangler mål'", path)
        return TargetFile(code=int(code))
    doc, problems = target_problems.read(path)
    return parse(doc, code, path, problems)


def parse(doc: object, code: int, path: Path | str = "<targets>", problems: Problems | None = None) -> TargetFile:
    """Check a parsed targets document; raise TargetsError listing every problem."""
    problems = problems if problems is not None else Problems(path)
    if problems and doc is None:  # the file could not be read or parsed
        raise TargetsError(problems.items)
    if not isinstance(doc, dict):
        kind = _KIND_DA.get(type(doc), type(doc).__name__)
        problems.add(None, "filen er tom" if doc is None else f"filen indeholder en {kind}, ikke nøgler og værdier",
                     expected="nøglerne 'municipality_code', 'source' og 'targets' (og evt. 'climate' og "
                     "'operations')")
        raise TargetsError(problems.items)
    for key in sorted(set(doc) - _TOP_KEYS, key=str):
        problems.add(str(key), f"ukendt nøgle '{key}'", expected=f"en af {', '.join(sorted(_TOP_KEYS))}")
    file_code = doc.get("municipality_code")
    if file_code is not None and (not _is_int(file_code) or int(file_code) != int(code)):
        problems.add("municipality_code", f"municipality_code er {file_code!r}, men filen er for {int(code)}",
                     file_code, f"{int(code)}; ret koden eller omdøb filen")
    source = doc.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add("source", "'source' skal angive, hvor målene kommer fra", source,
                     "en tekst, fx klimahandlingsplanens titel")
        source = ""
    sample = doc.get("sample_data", False)
    if not isinstance(sample, bool):
        problems.add("sample_data", "'sample_data' skal være true eller false", sample, "true eller false")
        sample = False
    raw_targets = doc.get("targets")
    if raw_targets is None:
        raw_targets = {}
    if not isinstance(raw_targets, dict):
        problems.add("targets", "'targets' skal være nøgletal (kpi_id) med mål", raw_targets,
                     f"kpi_id → {{baseline, target}}, fx household_recycling_rate: {{{_EXAMPLE}}}")
        raw_targets = {}
    out: dict[str, Target] = {}
    for kpi_id, entry in raw_targets.items():
        target = _parse_entry(str(kpi_id), entry, source.strip(), problems)
        if target is not None:
            out[target.kpi_id] = target
    climate = climate_target.parse(doc.get("climate"), problems)
    operations = operations_settings.parse(doc.get("operations"), problems)
    if problems:
        raise TargetsError(problems.items)
    ordered = {k: out[k] for k in KPI_IDS if k in out}
    return TargetFile(int(code), source.strip(), sample, ordered, Path(path), climate, operations)


def _parse_entry(kpi_id: str, entry: object, source: str, problems: Problems) -> Target | None:
    """One `targets:` entry → Target, adding its problems to PROBLEMS."""
    key = f"targets.{kpi_id}"
    if kpi_id not in KPI_IDS:
        problems.add(key, f"ukendt nøgletal (kpi_id) '{kpi_id}'", kpi_id, f"et af: {', '.join(KPI_IDS)}")
        return None
    if not isinstance(entry, dict):
        problems.add(key, f"{kpi_id} har ingen mål", entry, f"'target' (og evt. 'baseline'), fx {_EXAMPLE}")
        return None
    before = len(problems)
    for extra in sorted(set(entry) - _ENTRY_KEYS, key=str):
        problems.add(f"{key}.{extra}", f"ukendt nøgle '{extra}'", expected="baseline, target eller source")
    if "target" not in entry:
        problems.add(f"{key}.target", "'target' mangler", expected=f"fx {_EXAMPLE}")
        return None
    t_year, t_value = _parse_point(kpi_id, "target", entry["target"], problems)
    b_year = b_value = None
    if entry.get("baseline") is not None:
        b_year, b_value = _parse_point(kpi_id, "baseline", entry["baseline"], problems)
        if b_year is not None and t_year is not None and b_year >= t_year:
            problems.add(f"{key}.target.year", f"målåret skal ligge efter udgangsåret (baseline) {b_year}",
                         t_year, f"et år efter {b_year}, eller et tidligere udgangsår")
    own_source = entry.get("source", source)
    if not isinstance(own_source, str) or not own_source.strip():
        problems.add(f"{key}.source", "'source' skal være en tekst, der ikke er tom", entry.get("source"),
                     "en tekst, fx planens titel")
    if len(problems) > before or t_year is None or t_value is None:
        return None
    return Target(kpi_id, b_year, b_value, t_year, t_value, own_source.strip())


def _parse_point(kpi_id: str, what: str, point: object, problems: Problems) -> tuple[int | None, float | None]:
    """A {year, value} mapping; range-checks the value against the KPI's unit."""
    key = f"targets.{kpi_id}.{what}"
    if not isinstance(point, dict) or not _POINT_KEYS <= set(point):
        problems.add(key, f"'{what}' skal have et år og en værdi", point, "{year: <åååå>, value: <tal>}")
        return None, None
    for extra in sorted(set(point) - _POINT_KEYS, key=str):
        problems.add(f"{key}.{extra}", f"{what} har en ukendt nøgle '{extra}'", expected="year og value")
    year, value = point["year"], point["value"]
    ok_year = _is_int(year) and YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]
    if not ok_year:
        problems.add(f"{key}.year", f"årstallet i {what} skal være et helt år", year,
                     f"et helt år mellem {YEAR_RANGE[0]} og {YEAR_RANGE[1]}")
    low, high, expected = value_range(kpi_id)
    ok_value = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok_value:
        problems.add(f"{key}.value", f"værdien i {what} skal være et tal", value, f"{expected}, fx 60.0")
    elif not low <= value <= high:
        problems.add(f"{key}.value", f"værdien i {what} ligger uden for det tilladte", value, expected)
        ok_value = False
    return (int(year) if ok_year else None), (float(value) if ok_value else None)


def value_range(kpi_id: str) -> tuple[float, float, str]:
    """(lowest, highest, what is expected in Danish) for a target value of the KPI, by its unit."""
    d = KPI_DEFS[kpi_id]
    if d.unit == "%":
        return 0.0, 100.0, "en procent mellem 0 og 100"
    if d.unit == "antal":
        return 0.0, math.inf, "et antal ≥ 0"
    unit = d.unit.replace("CO2e", "CO₂e")
    if d.can_be_negative:
        return -math.inf, math.inf, f"et tal i {unit} (negativt for et fald)"
    return 0.0, math.inf, f"et tal ≥ 0 i {unit}"


def _is_int(x: object) -> bool:
    """A whole number (YAML int, or digits in quotes), never a bool."""
    if isinstance(x, str):
        return x.strip().isdigit()
    return isinstance(x, int) and not isinstance(x, bool)


def is_sample(code: int, targets_dir: Path = config.TARGETS) -> bool:
    """Whether the targets file marks the figures as sample data. For a kept older page whose new targets
    file is broken (its municipality is blocked), False, logged: the overview must not fail on it."""
    try:
        return load_file(code, targets_dir).is_sample
    except TargetsError:
        log.warning("targets file of %s cannot be read; its kept page is not marked as sample data", code)
        return False
