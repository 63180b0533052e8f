"""A small project on disk whose manifests carry the real SHA-256 of real raw files: for the provenance,
verify and auditor's-page tests (the Delivery factory's manifests carry made-up checksums)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from pipeline import provenance, registry, schema, validate
from pipeline.account import kpi_table
from pipeline.account.notebook import page_provenance, publish_page
from pipeline.ingest.store import (
    DeliveredFile,
    Manifest,
    MunicipalityDelivery,
    load_processed,
    write_processed,
)
from tests.factories import YEAR, empty_frame, frame, valid_rows, year_paths

BALLERUP = registry.get(151)
DATASETS = ("fleet", "waste")
RUN = provenance.RunInfo("0.1.0", "abc1234", False, dt.datetime(2025, 2, 3, 9, 15, tzinfo=dt.UTC))
TARGETS = ("municipality_code: 151\nsource: \"Ballerup Kommunes klimahandlingsplan (eksempeldata)\"\n"
           "targets:\n  household_recycling_rate:\n    target: {year: 2030, value: 60.0}\n")


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def csv_text(dataset: str, rows: list[dict]) -> str:
    columns = schema.DATASETS[dataset].column_names
    lines = [";".join(columns)] + [";".join("" if r[c] is None else str(r[c]) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def build(root: Path, years=(YEAR - 1, YEAR)) -> dict:
    """data/raw/<year>/151/{fleet,waste}.csv, data/raw/targets/151.yaml, the processed years with
    manifests holding the files' real checksums, and the KPI table of YEAR."""
    targets_dir = root / "data" / "raw" / "targets"
    targets_dir.mkdir(parents=True)
    (targets_dir / "151.yaml").write_text(TARGETS, encoding="utf-8")
    processed = root / "data" / "processed"
    for year in years:
        manifest = Manifest(year, generated_by="tests")
        entry = manifest.municipalities.setdefault(BALLERUP.code, MunicipalityDelivery())
        tables = {d: empty_frame(d, year) for d in schema.DATASET_NAMES}
        for dataset in DATASETS:
            rows = valid_rows(dataset)
            rel = f"data/raw/{year}/{BALLERUP.code}/{dataset}.csv"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(csv_text(dataset, rows), encoding="utf-8")
            tables[dataset] = frame(dataset, rows, BALLERUP.code, year)
            entry.datasets[dataset] = DeliveredFile(rel, sha(root / rel), len(rows))
        entry.missing = [d for d in schema.DATASET_NAMES if d not in entry.datasets]
        write_processed(year, tables, manifest, processed)
    paths = year_paths(root)
    kpi_table.run(paths, [BALLERUP.code], targets_dir)
    return {"root": root, "paths": paths, "targets_dir": targets_dir}


def validate_and_write(project: dict, run: provenance.RunInfo = RUN) -> dict:
    """Validate YEAR (compared with the year before) and write the results with the run's provenance."""
    paths = project["paths"]
    manifest = Manifest.from_dict(json.loads(paths.manifest.read_text(encoding="utf-8")))
    tables = load_processed(paths.year, paths.processed_root)
    previous = load_processed(paths.year - 1, paths.processed_root)
    results = validate.validate_year(paths.year, tables, manifest, previous, targets_dir=project["targets_dir"])
    validate.write_results(results, paths, run, root=project["root"], targets_dir=project["targets_dir"])
    return results


def publish(project: dict, run: provenance.RunInfo = RUN) -> Path:
    """Publish Ballerup's page as render_one does after a successful notebook: page, then sidecar."""
    paths = project["paths"]
    record = page_provenance(BALLERUP, paths, project["targets_dir"], run, root=project["root"])
    return publish_page(paths, BALLERUP, "<!DOCTYPE html>\n<html lang=\"da\"><body><main id=\"indhold\">"
                        "<h2>Overblik</h2></main></body></html>", record)

