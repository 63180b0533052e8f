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
    """Ingest YEAR and write data/processed/<YEAR>/; with REUSE, keep tables whose inputs are unchanged."""
    check_year(year, raw)
    current = fingerprint(year, raw)
    manifest = load_manifest(year, processed) if reuse else None
    if manifest and manifest.fingerprint == current and (not strict or not manifest.blocked):
        log.info("data/processed/%s is up to date with data/raw/%s; not re-read", year, year)
        return IngestResult(year, load_processed(year, processed), manifest)
    result = ingest_year(year, raw, strict=strict)
    result.manifest.fingerprint = current
    out = _write(year, result.tables, result.manifest, processed)
    counts = ", ".join(f"{n}={len(t)}" for n, t in result.tables.items())
    log.info("ingested %s for %d municipalities into %s (%s)", year,
             len(result.manifest.municipalities), out, counts)
    return result
