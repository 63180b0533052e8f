"""Ingestion stage: raw deliveries (Danish CSV variants, xlsx) → typed parquet + manifest per year."""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline import config
from pipeline.ingest.deliveries import IngestResult, available_years, check_year, ingest_year
from pipeline.ingest.store import (
    Manifest,
    empty_table,
    fingerprint,
    load_manifest,
    load_processed,
    sha256,
)
from pipeline.ingest.store import write_processed as _write

log = logging.getLogger(__name__)

__all__ = ["IngestResult", "Manifest", "available_years", "check_year", "empty_table", "ingest_year",
           "load_manifest", "load_processed", "run", "sha256"]


def run(year: int, raw: Path = config.RAW, processed: Path = config.PROCESSED,
        reuse: bool = False, strict: bool = True) -> IngestResult:
    """Ingest YEAR and write data/processed/<YEAR>/; with REUSE, keep the year as it is when no input changed.

    Either way a municipality whose folder is unchanged since the last ingest keeps its rows (read again:
    only the changed and the blocked ones, whose every problem is wanted)."""
    check_year(year, raw)
    current = fingerprint(year, raw)
    manifest = load_manifest(year, processed)
    if reuse and manifest and manifest.fingerprint == current and (not strict or not manifest.blocked):
        log.info("data/processed/%s is up to date with data/raw/%s; not re-read", year, year)
        return IngestResult(year, load_processed(year, processed), manifest)
    previous = IngestResult(year, load_processed(year, processed), manifest) if manifest and manifest.inputs \
        else None
    result = ingest_year(year, raw, strict=strict, previous=previous)
    if previous is not None:
        read = len(result.manifest.municipalities) + len(result.manifest.blocked) - sum(
            previous.manifest.inputs.get(c) == d for c, d in result.manifest.inputs.items())
        log.info("ingest %s: %d municipality folders read, the other %d unchanged since the last ingest", year,
                 read, len(result.manifest.municipalities) + len(result.manifest.blocked) - read)
    result.manifest.fingerprint = current
    out = _write(year, result.tables, result.manifest, processed)
    counts = ", ".join(f"{n}={len(t)}" for n, t in result.tables.items())
    log.info("ingested %s for %d municipalities into %s (%s)", year,
             len(result.manifest.municipalities), out, counts)
    return result
