"""Ingest one year's deliveries into typed parquet tables that record where every row came from."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import pipeline
from pipeline import config, registry, schema
from pipeline.errors import DeliveryError, ParameterError, Problem
from pipeline.readers import read_dataset

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
IGNORED = {"readme.md", "readme.txt", ".gitkeep", ".ds_store", "thumbs.db"}


@dataclass
class IngestResult:
    year: int
    tables: dict[str, pd.DataFrame]
    manifest: dict = field(default_factory=dict)

    @property
    def blocked(self) -> dict[int, list[str]]:
        """Municipalities left out because a file could not be read: code → problems."""
        return {int(c): problems for c, problems in self.manifest.get("blocked", {}).items()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def available_years(raw: Path = config.RAW) -> list[int]:
    """Years that have a delivery folder in data/raw/."""
    if not raw.is_dir():
        return []
    return sorted(int(p.name) for p in raw.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


def check_year(year: int, raw: Path = config.RAW) -> None:
    """Refuse a YEAR that has no delivery folder, naming the years that do."""
    if not (1990 <= int(year) <= 2100):
        raise ParameterError(f"YEAR={year} er ikke et årstal med fire cifre (fx YEAR=2024)")
    folder = config.raw_year_dir(year, raw)
    if not folder.is_dir():
        found = ", ".join(map(str, available_years(raw))) or "ingen"
        raise ParameterError(f"Der er ingen leverancer for {year}: mappen {folder} findes ikke. "
                             f"År med leverancer: {found}")


def empty_table(dataset: schema.Dataset) -> pd.DataFrame:
    """A zero-row table with the processed columns and dtypes, for datasets nobody delivered."""
    from pipeline.readers import _typed_series

    frame = pd.DataFrame({c.name: _typed_series([], c, pd.RangeIndex(0)) for c in dataset.columns})
    for name in schema.PROVENANCE:
        frame[name] = pd.Series([], dtype="str" if name == "source_file" else "int64")
    return frame


def find_files(folder: Path, root: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Map dataset name → delivery file in one municipality folder; problems for stray files."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        shown = relative(path, root)
        if path.name.lower() in IGNORED or path.name.startswith((".", "~$")):
            continue
        if path.is_dir():
            problems.append(Problem(shown, "uventet undermappe i en kommunes leverance"))
            continue
        stem, suffix = path.stem.strip().lower(), path.suffix.lower()
        if suffix not in SUFFIXES:
            hint = " - gem filen som .xlsx" if suffix in (".xls", ".ods", ".numbers") else ""
            problems.append(Problem(shown, f"forkert filtype '{suffix or '(ingen)'}'{hint}", None,
                                    None, None, "en .csv- eller .xlsx-fil"))
            continue
        if stem not in schema.DATASETS:
            problems.append(Problem(shown, f"ukendt datasæt '{path.stem}'", None, None, None,
                                    "et af filnavnene " + ", ".join(schema.DATASET_NAMES)))
            continue
        if stem in found:
            problems.append(Problem(shown, f"datasættet '{stem}' er leveret to gange "
                                    f"(også {found[stem].name}); fjern den ene fil"))
            continue
        found[stem] = path
    return found, problems


def ingest_year(year: int, raw: Path = config.RAW, root: Path = config.ROOT, strict: bool = True) -> IngestResult:
    """Read every delivery for YEAR; raise DeliveryError listing all problems if any.

    With strict=False, a municipality whose files cannot be read is left out of the tables and
    listed in manifest["blocked"] with its problems, so the other municipalities go on; problems
    that belong to no municipality (stray files, unknown folders) still stop the run.
    """
    check_year(year, raw)
    folder = config.raw_year_dir(year, raw)
    problems: list[Problem] = []  # every problem, in folder order
    year_problems: list[Problem] = []  # problems that belong to no municipality
    blocked: dict[str, list[str]] = {}
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in schema.DATASETS}
    manifest = {"year": year, "generated_by": f"pipeline {pipeline.__version__}", "municipalities": {}}
    for muni_dir in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        shown = relative(muni_dir, root)
        if not muni_dir.is_dir():
            if muni_dir.name.lower() not in IGNORED:
                year_problems.append(Problem(shown, "filer skal ligge i en mappe pr. kommune",
                                             expected=f"data/raw/{year}/<kommunekode>/<datasæt>.csv"))
                problems.append(year_problems[-1])
            continue
        if not (muni_dir.name.isdigit() and registry.is_known(muni_dir.name)):
            year_problems.append(Problem(shown, f"ukendt kommune-mappe '{muni_dir.name}'", None, None,
                                         None, "en officiel kommunekode med tre cifre, fx 151 (Ballerup)"))
            problems.append(year_problems[-1])
            continue
        code = int(muni_dir.name)
        files, muni_problems = find_files(muni_dir, root)
        entry = {"datasets": {}, "missing": [n for n in schema.DATASET_NAMES if n not in files]}
        muni_parts: dict[str, pd.DataFrame] = {}
        for name, path in files.items():
            shown_file = relative(path, root)
            table, read_problems = read_dataset(path, schema.DATASETS[name], shown_file)
            muni_problems += read_problems
            if table is None:
                continue
            table["municipality_code"] = code
            table["year"] = int(year)
            table["source_file"] = pd.Series([shown_file] * len(table), dtype="str")
            muni_parts[name] = table
            entry["datasets"][name] = {"file": shown_file, "sha256": sha256(path), "rows": len(table)}
        if muni_problems:
            problems += muni_problems
            blocked[str(code)] = [str(p) for p in muni_problems]
            continue
        for name, table in muni_parts.items():
            parts[name].append(table)
        for name in entry["missing"]:
            log.warning("%s %s: datasættet '%s' er ikke leveret (rapporteres som 'mangler data')",
                        registry.get(code).name, year, name)
        manifest["municipalities"][str(code)] = entry
    if problems and (strict or year_problems):
        raise DeliveryError(problems)
    if blocked:
        manifest["blocked"] = blocked
        log.error("%d kommune(r) udeladt, fordi leverancen ikke kan læses: %s", len(blocked),
                  ", ".join(f"{registry.get(c).name} ({c})" for c in blocked))
    if not manifest["municipalities"] and not blocked:
        raise ParameterError(f"Mappen {relative(folder, root)} indeholder ingen kommune-mapper")
    tables = {}
    for name, dataset in schema.DATASETS.items():
        columns = dataset.column_names + schema.PROVENANCE
        frames = [f[columns] for f in parts[name]]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else empty_table(dataset)[columns]
    return IngestResult(year, tables, manifest)


def write_processed(result: IngestResult, processed: Path = config.PROCESSED) -> Path:
    """Write all tables and the manifest to a temp dir, then swap it in: never a partial year."""
    final = config.processed_year_dir(result.year, processed)
    processed.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{result.year}-", dir=processed))
    try:
        for name, table in result.tables.items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "manifest.json").write_text(json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
        old = processed / f".{result.year}-old"
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def fingerprint(year: int, raw: Path = config.RAW) -> str:
    """Checksum of every file in data/raw/<YEAR>/ and of the ingestion code that reads them."""
    digest = hashlib.sha256(pipeline.__version__.encode())
    code_dir = Path(__file__).parent
    for module in ("ingest.py", "readers.py", "schema.py", "registry.py"):
        digest.update((code_dir / module).read_bytes())
    folder = config.raw_year_dir(year, raw)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + sha256(path).encode())
    return digest.hexdigest()


def run(year: int, raw: Path = config.RAW, processed: Path = config.PROCESSED,
        reuse: bool = False, strict: bool = True) -> IngestResult:
    """Ingest YEAR and write data/processed/<YEAR>/; with REUSE, keep tables whose inputs are unchanged."""
    check_year(year, raw)
    current = fingerprint(year, raw)
    manifest = load_manifest(year, processed) if reuse else None
    if manifest and manifest.get("fingerprint") == current and (not strict or not manifest.get("blocked")):
        log.info("data/processed/%s is up to date with data/raw/%s; not re-read", year, year)
        return IngestResult(year, load_processed(year, processed), manifest)
    result = ingest_year(year, raw, strict=strict)
    result.manifest["fingerprint"] = current
    out = write_processed(result, processed)
    counts = ", ".join(f"{n}={len(t)}" for n, t in result.tables.items())
    log.info("ingested %s for %d municipalities into %s (%s)", year,
             len(result.manifest["municipalities"]), out, counts)
    return result


def load_processed(year: int, processed: Path = config.PROCESSED) -> dict[str, pd.DataFrame]:
    """The processed tables of YEAR; a dataset without a file gives an empty table."""
    folder = config.processed_year_dir(year, processed)
    return {name: pd.read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").exists()
            else empty_table(dataset) for name, dataset in schema.DATASETS.items()}


def load_manifest(year: int, processed: Path = config.PROCESSED) -> dict | None:
    path = config.processed_year_dir(year, processed) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
