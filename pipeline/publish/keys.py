"""Content-hash keys: what a published municipality-year depends on, so an unchanged one is not made again.

Three keys, all SHA-256 over file bytes (never file times):
- the code key: the package (code and templates), the notebook, the expectation suites, the reference data,
  the lock file and pyproject.toml;
- a municipality's inputs key: the code key, its delivery files of every year up to the report year (the
  history the page shows and the previous year the year-over-year checks read) and its targets file;
- a page key: the inputs key and the municipality's validation result (which also depends on the other
  municipalities, through the plausibility checks against the median).

The run key (the code key, every delivery up to the report year and every targets file) is computed
before Great Expectations or pandas' heavy paths are imported: when it equals the key the live
publication was made from, nothing has changed and `make report` does nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from pipeline import config

log = logging.getLogger(__name__)

CODE_ROOT = config.PACKAGE.parent
SKIPPED = ("__pycache__",)


def _files(folder: Path) -> list[Path]:
    """Every file under FOLDER in a stable order, without bytecode caches."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not any(part in SKIPPED for part in p.parts) and p.suffix != ".pyc")


def _digest(named: Iterable[tuple[str, Path | None]], *texts: str) -> str:
    """SHA-256 over (name, bytes) pairs in the given order; a missing file counts as 'missing'."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode() + b"\0")
    for name, path in named:
        digest.update(name.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest() if path is not None else b"missing")
        except FileNotFoundError:
            digest.update(b"missing")
    return digest.hexdigest()


@functools.cache
def _code_key(package: Path, notebook: Path, expectations: Path, reference: Path, code_root: Path) -> str:
    named = [(f"pipeline/{p.relative_to(package).as_posix()}", p) for p in _files(package)]
    named.append(("notebook", notebook))
    named += [(f"expectations/{p.relative_to(expectations).as_posix()}", p) for p in _files(expectations)]
    named += [(f"reference/{p.relative_to(reference).as_posix()}", p) for p in _files(reference)]
    named += [(name, code_root / name) for name in ("requirements.lock", "pyproject.toml")]
    return _digest(named)


def code_key() -> str:
    """The code and the reference facts every page is made with (computed once per process)."""
    return _code_key(config.PACKAGE, config.GREEN_ACCOUNT_NOTEBOOK, config.EXPECTATIONS, config.REFERENCE,
                     CODE_ROOT)


def years_up_to(paths: config.YearPaths) -> list[int]:
    """The delivery years a page of PATHS.year can depend on: every year folder up to the report year."""
    root = paths.raw_root
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit() and int(p.name) <= paths.year)


def _delivery_files(paths: config.YearPaths, codes: Iterable[str] | None) -> list[tuple[str, Path]]:
    """(relative name, path) of the delivery files up to the report year, of CODES' folders (None: all)."""
    named = []
    for year in years_up_to(paths):
        folder = config.YearPaths(year, raw_root=paths.raw_root).raw
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
            if codes is not None and sub.name not in codes:
                continue
            named += [(f"{year}/{p.relative_to(folder).as_posix()}", p) for p in _files(sub)]
        if codes is None:  # loose files beside the municipality folders (a README) count for the run only
            named += [(f"{year}/{p.name}", p) for p in sorted(folder.iterdir()) if p.is_file()] \
                if folder.is_dir() else []
    return named


def targets_file(code: int, targets_dir: Path) -> Path:
    from pipeline.account.targets import path_for

    return path_for(code, targets_dir)


def folder_names(code: int) -> set[str]:
    """The names a municipality's delivery folder may have (the code with or without leading zeros)."""
    return {str(int(code)), f"{int(code):03d}"}


def inputs_key(paths: config.YearPaths, code: int, targets_dir: Path = config.TARGETS) -> str:
    """One municipality's own inputs for the report year PATHS.year, and the code."""
    named = _delivery_files(paths, folder_names(code))
    named.append(("targets", targets_file(code, targets_dir)))
    return _digest(named, code_key(), f"{paths.year}:{int(code)}")


def run_key(paths: config.YearPaths, targets_dir: Path = config.TARGETS) -> str:
    """Everything a run of PATHS.year reads: every delivery up to the year, every targets file, the code."""
    named = _delivery_files(paths, None)
    named += [(f"targets/{p.name}", p) for p in _files(Path(targets_dir))]
    return _digest(named, code_key(), str(paths.year))


def validation_digest(result) -> str:
    """What a validation result says about a municipality (status, failures, caveats, rules), without the
    run's times; RESULT is a validate.summary.MunicipalityValidation."""
    doc = {"status": result.status, "failures": result.failures, "failures_detail": result.failures_detail,
           "caveats": result.caveats, "failure_counts": result.failure_counts, "rules": result.rules,
           "delivered": result.datasets_delivered, "missing": result.datasets_missing}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def page_key(inputs: str, result) -> str:
    """The key a published page is recorded with: its inputs and its validation result."""
    return hashlib.sha256(f"{inputs}:{validation_digest(result)}".encode()).hexdigest()
