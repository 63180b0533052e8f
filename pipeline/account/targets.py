"""Load and check a municipality's plan targets from `data/raw/targets/<code>.yaml`."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import config
from pipeline.account.climate import target as climate_target
from pipeline.account.climate.target import ClimateTarget
from pipeline.account.kpis.meta import KPI_DEFS, KPI_IDS
from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

# KPIs measured as a count; every other KPI is a percentage on a 0–100 scale.
COUNT_KPIS = {k for k, d in KPI_DEFS.items() if d.unit == "antal"}
YEAR_RANGE = (1990, 2100)
_TOP_KEYS = {"municipality_code", "source", "sample_data", "targets", "climate"}
_ENTRY_KEYS = {"baseline", "target", "source"}
_POINT_KEYS = {"year", "value"}
_EXAMPLE = "target: {year: 2030, value: 60.0}"


class TargetsError(PipelineError, ValueError):
    """A targets file that cannot be used; the message names the file, the KPI and the fix."""


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
    """Read and check the targets file; a missing file means no targets, a bad one raises."""
    path = path_for(code, targets_dir)
    if not path.exists():
        log.info("no targets file %s: every KPI will show 'mangler mål'", path)
        return TargetFile(code=int(code))
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TargetsError(f"{path}: er ikke gyldig YAML ({exc}). Ret syntaksen.") from None
    except UnicodeDecodeError:
        raise TargetsError(f"{path}: er ikke UTF-8-tekst. Gem filen som UTF-8.") from None
    return parse(doc, code, path)


def parse(doc: object, code: int, path: Path | str = "<targets>") -> TargetFile:
    """Check a parsed targets document; raise TargetsError listing every problem."""
    errors: list[str] = []
    if not isinstance(doc, dict):
        raise TargetsError(
            f"{path}: forventede nøglerne 'municipality_code', 'source' og 'targets', "
            f"men filen indeholder en {type(doc).__name__}."
        )
    for key in sorted(set(doc) - _TOP_KEYS, key=str):
        errors.append(f"ukendt nøgle '{key}' (tilladt: {', '.join(sorted(_TOP_KEYS))})")
    file_code = doc.get("municipality_code")
    if file_code is not None and (not _is_int(file_code) or int(file_code) != int(code)):
        errors.append(
            f"municipality_code er {file_code!r}, men filen er for {int(code)}; "
            "ret koden eller omdøb filen"
        )
    source = doc.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("'source' skal angive, hvor målene kommer fra, fx klimahandlingsplanen")
        source = ""
    sample = doc.get("sample_data", False)
    if not isinstance(sample, bool):
        errors.append(f"'sample_data' skal være true eller false, ikke {sample!r}")
        sample = False
    raw_targets = doc.get("targets")
    if raw_targets is None:
        raw_targets = {}
    if not isinstance(raw_targets, dict):
        errors.append(
            f"'targets' skal være nøgletal (kpi_id) → {{baseline, target}}, ikke {raw_targets!r}"
        )
        raw_targets = {}
    out: dict[str, Target] = {}
    for kpi_id, entry in raw_targets.items():
        target = _parse_entry(str(kpi_id), entry, source.strip(), errors)
        if target is not None:
            out[target.kpi_id] = target
    climate = climate_target.parse(doc.get("climate"), errors)
    if errors:
        listing = "\n".join(f"  - {e}" for e in errors)
        raise TargetsError(f"{path}: {len(errors)} {'problem' if len(errors) == 1 else 'problemer'} i målfilen:\n{listing}")
    ordered = {k: out[k] for k in KPI_IDS if k in out}
    return TargetFile(int(code), source.strip(), sample, ordered, Path(path), climate)


def _parse_entry(kpi_id: str, entry: object, source: str, errors: list[str]) -> Target | None:
    """One `targets:` entry → Target, appending problems to `errors`."""
    if kpi_id not in KPI_IDS:
        errors.append(f"ukendt nøgletal (kpi_id) '{kpi_id}'; forventet et af: {', '.join(KPI_IDS)}")
        return None
    if not isinstance(entry, dict):
        errors.append(
            f"{kpi_id}: forventede 'target' (og evt. 'baseline'), fx {_EXAMPLE}"
        )
        return None
    n_before = len(errors)
    for key in sorted(set(entry) - _ENTRY_KEYS, key=str):
        errors.append(f"{kpi_id}: ukendt nøgle '{key}' (tilladt: baseline, target, source)")
    if "target" not in entry:
        errors.append(f"{kpi_id}: 'target' mangler; tilføj fx {_EXAMPLE}")
        return None
    t_year, t_value = _parse_point(kpi_id, "target", entry["target"], errors)
    b_year = b_value = None
    if entry.get("baseline") is not None:
        b_year, b_value = _parse_point(kpi_id, "baseline", entry["baseline"], errors)
        if b_year is not None and t_year is not None and b_year >= t_year:
            errors.append(
                f"{kpi_id}: udgangsåret (baseline) {b_year} skal ligge før målåret {t_year}"
            )
    own_source = entry.get("source", source)
    if not isinstance(own_source, str) or not own_source.strip():
        errors.append(f"{kpi_id}: 'source' skal være en tekst, der ikke er tom")
    if len(errors) > n_before or t_year is None or t_value is None:
        return None
    return Target(kpi_id, b_year, b_value, t_year, t_value, own_source.strip())


def _parse_point(
    kpi_id: str, what: str, point: object, errors: list[str]
) -> tuple[int | None, float | None]:
    """A {year, value} mapping; range-checks the value against the KPI's unit."""
    if not isinstance(point, dict) or not _POINT_KEYS <= set(point):
        errors.append(
            f"{kpi_id}: '{what}' skal skrives {{year: <åååå>, value: <tal>}}, ikke {point!r}"
        )
        return None, None
    for key in sorted(set(point) - _POINT_KEYS, key=str):
        errors.append(f"{kpi_id}: {what} har en ukendt nøgle '{key}' (tilladt: year, value)")
    year, value = point["year"], point["value"]
    ok_year = _is_int(year) and YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]
    if not ok_year:
        errors.append(
            f"{kpi_id}: årstallet i {what} skal være et helt år mellem {YEAR_RANGE[0]} og "
            f"{YEAR_RANGE[1]}, ikke {year!r}"
        )
    ok_value = (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    )
    if not ok_value:
        errors.append(f"{kpi_id}: værdien i {what} skal være et tal, ikke {value!r}")
    elif kpi_id in COUNT_KPIS and value < 0:
        errors.append(f"{kpi_id}: værdien i {what} skal være et antal ≥ 0, ikke {value!r}")
        ok_value = False
    elif kpi_id not in COUNT_KPIS and not 0 <= value <= 100:
        errors.append(
            f"{kpi_id}: værdien i {what} skal være en procent mellem 0 og 100, ikke {value!r}"
        )
        ok_value = False
    return (int(year) if ok_year else None), (float(value) if ok_value else None)


def _is_int(x: object) -> bool:
    """A whole number (YAML int, or digits in quotes), never a bool."""
    if isinstance(x, str):
        return x.strip().isdigit()
    return isinstance(x, int) and not isinstance(x, bool)
