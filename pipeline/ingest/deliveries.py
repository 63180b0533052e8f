"""Find and read every municipality's delivery files for a year, collecting every problem."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import config, registry, schema
from pipeline.errors import DeliveryError, ParameterError, Problem, capped
from pipeline.ingest import emissions
from pipeline.ingest.readers import read_dataset
from pipeline.ingest.store import (
    DeliveredFile,
    Manifest,
    MunicipalityDelivery,
    empty_table,
    folder_fingerprint,
    sha256,
)

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
IGNORED = {"readme.md", "readme.txt", ".gitkeep", ".ds_store", "thumbs.db"}


@dataclass
class IngestResult:
    year: int
    tables: dict[str, pd.DataFrame]
    manifest: Manifest
    problems: dict[int, list[Problem]] = field(default_factory=dict)  # every problem of each blocked
    # municipality (the manifest keeps them capped per file); empty when the year was reused, not read

    @property
    def blocked(self) -> dict[int, list[str]]:
        """Municipalities left out because a file could not be read: code → problems."""
        return dict(self.manifest.blocked)


def relative(path: Path, root: Path) -> str:
    """PATH relative to the project root as a delivery is shown; a symbolic link is shown where it lies,
    never where it points (its target may be outside the project)."""
    try:
        if path.is_symlink():
            return path.absolute().relative_to(root.absolute()).as_posix()
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name if path.is_symlink() else path.as_posix()


def available_years(raw: Path = config.RAW) -> list[int]:
    """Years that have a delivery folder in data/raw/."""
    if not raw.is_dir():
        return []
    return sorted(int(p.name) for p in raw.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


def check_year(year: int, raw: Path = config.RAW) -> None:
    """Refuse a YEAR that has no delivery folder, naming the years that do."""
    if not (1990 <= int(year) <= 2100):
        raise ParameterError(f"YEAR={year} er ikke et årstal med fire cifre (fx YEAR=2024)")
    folder = config.YearPaths(year, raw_root=raw).raw
    if not folder.is_dir():
        found = ", ".join(map(str, available_years(raw))) or "ingen"
        raise ParameterError(f"Der er ingen leverancer for {year}: mappen {folder} findes ikke. "
                             f"År med leverancer: {found}")


def find_files(folder: Path, root: Path) -> tuple[dict[str, Path | list[Path]], list[Problem]]:
    """Map dataset name → delivery file in one municipality folder; problems for stray files.

    Emissions delivered as API responses map to the list of their files (pipeline.ingest.emissions).
    """
    found: dict[str, Path | list[Path]] = {}
    problems: list[Problem] = []
    api_files: list[Path] = []
    for path in sorted(folder.iterdir()):
        shown = relative(path, root)
        if path.name.lower() in IGNORED or path.name.startswith((".", "~$")):
            continue
        if path.is_symlink():  # it may point outside the project: never read or published
            problems.append(Problem(shown, "filen er et symbolsk link og læses ikke", None, None, None,
                                    "en almindelig fil, kopieret ind i kommunens mappe"))
            continue
        if path.is_dir():
            problems.append(Problem(shown, "uventet undermappe i en kommunes leverance"))
            continue
        stem, suffix = path.stem.strip().lower(), path.suffix.lower()
        if emissions.claims(path):
            api_files.append(path)
            continue
        if suffix not in SUFFIXES:
            hint = " - gem filen som .xlsx" if suffix in (".xls", ".ods", ".numbers") else ""
            if suffix == ".json" and stem.startswith(emissions.NAME):
                hint = " - et gemt API-svar skal hedde emissions_<dataår>.json, fx emissions_2022.json"
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
    if api_files:
        if emissions.NAME in found:
            problems.append(Problem(relative(found[emissions.NAME], root),
                                    "klimaregnskabet er leveret i to former (tabel og API-svar); "
                                    "fjern den ene", expected="enten emissions.csv/.xlsx eller "
                                    "emissions_<dataår>.json"))
        found[emissions.NAME] = api_files
    return found, problems


def _log_missing(muni, year: int, entry: MunicipalityDelivery) -> None:
    for name in entry.missing:
        log.warning("%s %s: dataset '%s' not delivered (reported as 'mangler data')", muni.name, year, name)


def reusable_rows(previous: IngestResult | None) -> dict[int, dict[str, pd.DataFrame]]:
    """The rows of each municipality in an earlier ingest of the year: code → dataset → rows."""
    if previous is None or not previous.manifest.inputs:
        return {}
    out: dict[int, dict[str, pd.DataFrame]] = {}
    for name, table in previous.tables.items():
        if table.empty:
            continue
        for code, rows in table.groupby("municipality_code", sort=False):
            out.setdefault(int(code), {})[name] = rows
    return out


def ingest_year(year: int, raw: Path = config.RAW, root: Path = config.ROOT, strict: bool = True,
                previous: IngestResult | None = None) -> IngestResult:
    """Read every delivery for YEAR; raise DeliveryError listing all problems if any.

    With strict=False, a municipality whose files cannot be read is left out of the tables and
    listed in manifest.blocked with its problems, so the other municipalities go on; problems
    that belong to no municipality (stray files, unknown folders) still stop the run.
    PREVIOUS: an earlier ingest of the year; a municipality whose folder has not changed since
    (store.folder_fingerprint) keeps its rows from there instead of being read again.
    """
    kept = reusable_rows(previous)
    check_year(year, raw)
    folder = config.YearPaths(year, raw_root=raw).raw
    problems: list[Problem] = []  # every problem, in folder order
    full: dict[int, list[Problem]] = {}  # every problem of each blocked municipality
    year_problems: list[Problem] = []  # problems that belong to no municipality
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in schema.DATASETS}
    manifest = Manifest(year)
    for muni_dir in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        shown = relative(muni_dir, root)
        if muni_dir.is_symlink():
            year_problems.append(Problem(shown, "kommunens mappe er et symbolsk link og læses ikke", None, None,
                                         None, "en almindelig mappe i data/raw/<år>/"))
            problems.append(year_problems[-1])
            continue
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
        muni = registry.get(muni_dir.name)
        digest = folder_fingerprint(muni_dir, shown)
        if previous is not None and previous.manifest.inputs.get(muni.code) == digest \
                and muni.code in previous.manifest.municipalities:
            entry = previous.manifest.municipalities[muni.code]
            for name in entry.datasets:
                parts[name].append(kept.get(muni.code, {}).get(name, empty_table(schema.DATASETS[name])))
            _log_missing(muni, year, entry)
            manifest.municipalities[muni.code] = entry
            manifest.inputs[muni.code] = digest
            continue
        files, muni_problems = find_files(muni_dir, root)
        entry = MunicipalityDelivery(missing=[n for n in schema.REQUIRED_DATASETS if n not in files])
        muni_parts: dict[str, pd.DataFrame] = {}
        for name, path in files.items():
            if name == emissions.NAME:
                table, read_problems, delivered = emissions.read_delivery(
                    path, lambda p: relative(p, root), muni.code)
            else:
                shown_file = relative(path, root)
                table, read_problems = read_dataset(path, schema.DATASETS[name], shown_file)
                if table is not None:
                    table["source_file"] = pd.Series([shown_file] * len(table), dtype="str")
                    delivered = DeliveredFile(shown_file, sha256(path), len(table))
            muni_problems += read_problems
            if table is None:
                continue
            table["municipality_code"] = muni.code
            table["year"] = int(year)  # the edition: the report year this delivery belongs to
            muni_parts[name] = table
            entry.datasets[name] = delivered
        if muni_problems:
            problems += muni_problems
            manifest.blocked[muni.code] = capped(muni_problems)
            full[muni.code] = muni_problems
            continue
        for name, table in muni_parts.items():
            parts[name].append(table)
        _log_missing(muni, year, entry)
        manifest.municipalities[muni.code] = entry
        manifest.inputs[muni.code] = digest
    if problems and (strict or year_problems):
        raise DeliveryError(problems)
    if manifest.blocked:
        log.error("%d municipalities left out because their delivery cannot be read: %s", len(manifest.blocked),
                  ", ".join(f"{registry.get(c).name} ({c})" for c in manifest.blocked))
    if not manifest.municipalities and not manifest.blocked:
        raise ParameterError(f"Mappen {relative(folder, root)} indeholder ingen kommune-mapper")
    tables = {}
    for name, dataset in schema.DATASETS.items():
        columns = dataset.column_names + schema.PROVENANCE
        frames = [f[columns] for f in parts[name]]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else empty_table(dataset)[columns]
    return IngestResult(year, tables, manifest, full)
