"""Remove the published outputs of municipalities that no longer deliver for the year."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from pipeline import config

log = logging.getLogger(__name__)

# Per-municipality outputs below reports/<YEAR>/, named <code>-<slug>.<ext>.
OUTPUT_FOLDERS = ("", "notebooks", "pdf", "provenance")


def municipality_outputs(paths: config.YearPaths) -> list[Path]:
    """Every per-municipality file of the year (reports, notebooks, PDFs, provenance sidecars)."""
    found = []
    for folder in OUTPUT_FOLDERS:
        directory = paths.reports / folder if folder else paths.reports
        if directory.is_dir():
            found += [p for p in directory.glob("[0-9][0-9][0-9]-*") if p.is_file()]
    return sorted(found)


def remove_undelivered(paths: config.YearPaths, delivered: Iterable[int]) -> list[Path]:
    """Delete the outputs of municipalities that have no delivery folder for the year any more.

    A municipality that delivered but is blocked keeps its last report; one that is gone from
    data/raw/<YEAR>/ has nothing left to stand behind its old page, so the page goes too.
    """
    keep = {f"{int(code):03d}" for code in delivered}
    removed = [p for p in municipality_outputs(paths) if p.name[:3] not in keep]
    for path in removed:
        path.unlink()
        log.info("removed %s: the municipality no longer delivers for %s", path, paths.year)
    return removed
