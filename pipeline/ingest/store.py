"""The processed store: typed parquet per dataset plus a manifest of what was delivered, per year."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import pipeline
from pipeline import config, faults, schema

# The code that decides what a processed table holds: a change re-reads every year.
FINGERPRINTED_CODE = ("ingest/readers.py", "ingest/deliveries.py", "ingest/store.py", "ingest/emissions.py",
                      "ingest/totals.py", "schema.py", "registry.py")


@dataclass(frozen=True)
class DeliveredFile:
    """One delivery file as read: path relative to the project root, checksum and data rows.

    A dataset delivered as several files (emissions as one API response per data year) has a
    pattern as `file`, a checksum over its parts, and one DeliveredFile per file in `parts`.
    """

    file: str
    sha256: str
    rows: int
    parts: tuple[DeliveredFile, ...] = ()

    def to_dict(self) -> dict:
        out = {"file": self.file, "sha256": self.sha256, "rows": self.rows}
        if self.parts:
            out["parts"] = [p.to_dict() for p in self.parts]
        return out

    @classmethod
    def from_dict(cls, doc: dict) -> DeliveredFile:
        return cls(doc["file"], doc["sha256"], int(doc["rows"]),
                   tuple(cls.from_dict(p) for p in doc.get("parts", ())))


@dataclass
class MunicipalityDelivery:
    """What one municipality delivered for the year (dataset → file) and which required datasets are
    missing (an optional dataset that was not delivered is not listed)."""

    datasets: dict[str, DeliveredFile] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """`data/processed/<YEAR>/manifest.json` (shape in docs/architecture.md)."""

    year: int
    generated_by: str = f"pipeline {pipeline.__version__}"
    municipalities: dict[int, MunicipalityDelivery] = field(default_factory=dict)
    blocked: dict[int, list[str]] = field(default_factory=dict)  # unreadable: code → problems
    fingerprint: str | None = None
    # code → folder_fingerprint of each municipality read: an unchanged folder's rows are reused next time
    inputs: dict[int, str] = field(default_factory=dict)

    def delivered(self, code: int) -> list[str]:
        """The datasets a municipality delivered, in schema order ([] when it is not listed)."""
        entry = self.municipalities.get(int(code))
        return [d for d in schema.DATASET_NAMES if entry and d in entry.datasets]

    def files(self, code: int) -> dict[str, DeliveredFile]:
        entry = self.municipalities.get(int(code))
        return dict(entry.datasets) if entry else {}

    def to_dict(self) -> dict:
        out = {"year": self.year, "generated_by": self.generated_by, "municipalities": {
            str(code): {"datasets": {name: f.to_dict() for name, f in entry.datasets.items()},
                        "missing": list(entry.missing)}
            for code, entry in self.municipalities.items()}}
        if self.blocked:
            out["blocked"] = {str(code): list(problems) for code, problems in self.blocked.items()}
        if self.fingerprint is not None:
            out["fingerprint"] = self.fingerprint
        if self.inputs:
            out["inputs"] = {str(code): digest for code, digest in sorted(self.inputs.items())}
        return out

    @classmethod
    def from_dict(cls, doc: dict) -> Manifest:
        return cls(
            year=int(doc["year"]),
            generated_by=doc.get("generated_by", ""),
            municipalities={int(code): MunicipalityDelivery(
                {name: DeliveredFile.from_dict(f) for name, f in entry["datasets"].items()},
                list(entry["missing"]))
                for code, entry in doc["municipalities"].items()},
            blocked={int(code): list(problems) for code, problems in doc.get("blocked", {}).items()},
            fingerprint=doc.get("fingerprint"),
            inputs={int(code): str(digest) for code, digest in doc.get("inputs", {}).items()},
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def empty_table(dataset: schema.Dataset) -> pd.DataFrame:
    """A zero-row table with the processed columns and dtypes, for datasets nobody delivered."""
    from pipeline.ingest.readers import typed_series

    frame = pd.DataFrame({c.name: typed_series([], c, pd.RangeIndex(0)) for c in dataset.columns})
    for name in schema.PROVENANCE:
        frame[name] = pd.Series([], dtype="str" if name == "source_file" else "int64")
    return frame


def write_processed(year: int, tables: dict[str, pd.DataFrame], manifest: Manifest,
                    processed: Path = config.PROCESSED) -> Path:
    """Write all tables and the manifest to a temp dir, then swap it in: never a partial year."""
    final = config.YearPaths(year, processed_root=processed).processed
    processed.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{year}-", dir=processed))
    try:
        for name, table in tables.items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        faults.checkpoint("ingest-before-swap")
        old = processed / f".{year}-old"
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def load_processed(year: int, processed: Path = config.PROCESSED) -> dict[str, pd.DataFrame]:
    """The processed tables of YEAR; a dataset without a file gives an empty table."""
    paths = config.YearPaths(year, processed_root=processed)
    return {name: pd.read_parquet(paths.table(name)) if paths.table(name).exists()
            else empty_table(dataset) for name, dataset in schema.DATASETS.items()}


def load_manifest(year: int, processed: Path = config.PROCESSED) -> Manifest | None:
    """The year's manifest, or None when the year has not been ingested."""
    path = config.YearPaths(year, processed_root=processed).manifest
    return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def _code_digest():
    digest = hashlib.sha256(pipeline.__version__.encode())
    for module in FINGERPRINTED_CODE:
        digest.update((config.PACKAGE / module).read_bytes())
    return digest


def folder_fingerprint(folder: Path, shown: str) -> str:
    """Checksum of one municipality's delivery folder (every file's name and bytes), where it is shown
    from (SHOWN: its path relative to the project root, which the rows record) and the ingestion code."""
    digest = _code_digest()
    digest.update(shown.encode() + b"\0")
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + sha256(path).encode())
    return digest.hexdigest()


def fingerprint(year: int, raw: Path = config.RAW) -> str:
    """Checksum of every file in data/raw/<YEAR>/ and of the ingestion code that reads them."""
    digest = _code_digest()
    folder = config.YearPaths(year, raw_root=raw).raw
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + sha256(path).encode())
    return digest.hexdigest()


def leftovers(year: int, processed: Path = config.PROCESSED) -> list[Path]:
    """Half-written folders of YEAR (`data/processed/.<YEAR>-*`) that a killed ingest left behind."""
    processed = Path(processed)
    return sorted(processed.glob(f".{int(year)}-*")) if processed.is_dir() else []
