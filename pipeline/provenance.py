"""The run's provenance: pipeline version, git commit with a dirty flag, run time and every input's SHA-256."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pipeline
from pipeline import atomic, config, formatting

UNKNOWN = "ukendt"
#: Where local changes make a run differ from its commit: the code, the notebook, the rules, the build.
TRACKED = ("pipeline", "notebooks", "expectations", "Makefile", "pyproject.toml", "requirements.lock")
#: Kinds of input: a delivery file, a targets file, an expectation suite, the municipality registry.
KINDS = ("levering", "mål", "regler", "register")
KIND_DA = {"levering": "Indberetning", "mål": "Målfil", "regler": "Regelsæt", "register": "Kommuneregister"}
#: The environment variable that carries the run's RunInfo into the notebook kernels.
RUN_ENV = "GREEN_ACCOUNTS_RUN"


# --- git -----------------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str | None:
    """stdout of `git ARGS` in ROOT, None when git is missing or ROOT is not in a checkout."""
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_state(root: Path = config.ROOT) -> tuple[str, bool]:
    """(short commit, dirty) of the checkout at ROOT; ('ukendt', False) outside git.

    Dirty means a tracked file under pipeline/, notebooks/, expectations/, or the Makefile,
    pyproject.toml or requirements.lock differs from the commit (untracked files do not count).
    """
    head = _git(root, "rev-parse", "--short", "HEAD")
    if not head or not head.strip():
        return UNKNOWN, False
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", *TRACKED)
    return head.strip(), status is None or bool(status.strip())


def git_commit(root: Path = config.ROOT) -> str:
    """Short git commit of the checkout at ROOT, 'ukendt' outside a git checkout."""
    return git_state(root)[0]


# --- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """Who and what made this run's output: created once per run (`RunInfo.now`), passed to every writer."""

    version: str
    commit: str
    dirty: bool
    started: dt.datetime  # timezone-aware

    @classmethod
    def now(cls, root: Path = config.ROOT) -> RunInfo:
        commit, dirty = git_state(root)
        return cls(pipeline.__version__, commit, dirty, dt.datetime.now().astimezone().replace(microsecond=0))

    @property
    def generated(self) -> str:
        """ISO 8601 with the timezone: '2024-12-03T07:40:00+01:00'."""
        return self.started.isoformat(timespec="seconds")

    @property
    def generated_da(self) -> str:
        """'3. december 2024 kl. 07:40'."""
        return formatting.timestamp(self.started)

    @property
    def commit_da(self) -> str:
        """'1a2b3c4' or '1a2b3c4 med lokale ændringer'."""
        return f"{self.commit} med lokale ændringer" if self.dirty else self.commit

    def to_dict(self) -> dict:
        return {"version": self.version, "commit": self.commit, "dirty": self.dirty,
                "generated": self.generated}

    @classmethod
    def from_dict(cls, doc: dict) -> RunInfo:
        return cls(str(doc["version"]), str(doc["commit"]), bool(doc["dirty"]),
                   dt.datetime.fromisoformat(doc["generated"]))

    def to_env(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_env(cls, environ=None) -> RunInfo | None:
        """The run handed to a notebook kernel through RUN_ENV; None when run on its own."""
        text = (os.environ if environ is None else environ).get(RUN_ENV)
        if not text:
            return None
        try:
            return cls.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError):
            return None

    def document(self, inputs) -> dict:
        """The provenance record: {version, commit, dirty, generated, inputs: [{path, sha256, kind}]}."""
        return {**self.to_dict(), "inputs": [i.to_dict() for i in inputs]}


def current_run(root: Path = config.ROOT) -> RunInfo:
    """The run this process belongs to (from RUN_ENV), or, for a notebook run on its own, one
    RunInfo made on first use and kept for the life of the process."""
    return RunInfo.from_env() or _standalone_run(Path(root))


@functools.cache
def _standalone_run(root: Path) -> RunInfo:
    return RunInfo.now(root)


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    """One file a published number depends on: path relative to the project root, its SHA-256
    (None: the file did not exist, e.g. no targets file) and its kind (see KINDS)."""

    path: str
    sha256: str | None
    kind: str
    rows: int | None = None  # data rows, for delivery files

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}; expected one of {', '.join(KINDS)}")

    def to_dict(self) -> dict:
        out = {"path": self.path, "sha256": self.sha256, "kind": self.kind}
        if self.rows is not None:
            out["rows"] = int(self.rows)
        return out

    @classmethod
    def from_dict(cls, doc: dict) -> InputFile:
        rows = doc.get("rows")
        return cls(str(doc["path"]), doc.get("sha256"), str(doc["kind"]), None if rows is None else int(rows))


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative(path: Path, root: Path = config.ROOT) -> str:
    """PATH relative to the project root (as the manifest writes it); absolute when outside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def resolve(recorded: str, root: Path = config.ROOT) -> Path:
    """The file a recorded input path names (relative to ROOT, or absolute)."""
    return Path(root) / recorded


def file_input(path: Path, kind: str, root: Path = config.ROOT) -> InputFile:
    """An input read now from disk; a missing file is recorded with sha256 None."""
    path = Path(path)
    return InputFile(relative(path, root), sha256(path) if path.is_file() else None, kind)


def delivery_inputs(manifest, code: int) -> list[InputFile]:
    """A municipality's delivery files of the manifest's year, in schema order, as ingestion read them."""
    if manifest is None:
        return []
    files = manifest.files(code)
    out = []
    for d in manifest.delivered(code):
        if d not in files:
            continue
        # a dataset delivered as several files (emissions: one saved API response per data year)
        # records each file with its own checksum, so `make verify` can recompute every one
        out += [InputFile(part.file, part.sha256, "levering", part.rows) for part in files[d].parts] or [
            InputFile(files[d].file, files[d].sha256, "levering", files[d].rows)]
    return out


def suite_input(dataset: str, root: Path = config.ROOT, expectations_dir: Path | None = None) -> InputFile:
    """The expectation suite `expectations/<dataset>.json` as it is now."""
    return file_input(Path(expectations_dir or config.EXPECTATIONS) / f"{dataset}.json", "regler", root)


def report_inputs(paths: config.YearPaths, code: int, targets_dir: Path = config.TARGETS,
                  root: Path = config.ROOT, years=None, registry_csv: Path | None = None) -> list[InputFile]:
    """Every input of a municipality's published page: its delivery files of every year in the
    account's history (YEARS, default: every processed year up to the report year whose manifest
    lists it), newest first, then its targets file and the municipality registry (REGISTRY_CSV: the run's,
    default config.MUNICIPALITIES_CSV; a Dask worker's own config may point elsewhere)."""
    from pipeline.account.targets import path_for
    from pipeline.ingest.store import load_manifest

    if years is None:
        years = [int(p.name) for p in paths.processed_root.iterdir()
                 if p.is_dir() and p.name.isdigit() and int(p.name) <= paths.year] \
            if paths.processed_root.is_dir() else []
    inputs: list[InputFile] = []
    for year in sorted({int(y) for y in years}, reverse=True):
        inputs += delivery_inputs(load_manifest(year, paths.processed_root), code)
    inputs.append(file_input(path_for(code, targets_dir), "mål", root))
    inputs.append(file_input(Path(registry_csv or config.MUNICIPALITIES_CSV), "register", root))
    return inputs


def write(path: Path, document: dict) -> Path:
    """Write a provenance record (or any JSON document) atomically."""
    return atomic.write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def load(path: Path) -> dict | None:
    """A provenance sidecar, None when it does not exist."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
