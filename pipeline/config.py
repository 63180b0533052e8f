"""Every path the pipeline reads or writes, built from one project root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("GREEN_ACCOUNTS_ROOT", Path(__file__).resolve().parent.parent))

DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REFERENCE = DATA / "reference"
TARGETS = RAW / "targets"
EXPECTATIONS = ROOT / "expectations"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
TEMPLATES = Path(__file__).resolve().parent / "templates"

MUNICIPALITIES_CSV = REFERENCE / "municipalities.csv"
GREEN_ACCOUNT_NOTEBOOK = NOTEBOOKS / "green_account.ipynb"


def raw_year_dir(year: int, raw: Path = RAW) -> Path:
    """`data/raw/<YEAR>/`: one sub-folder per municipality code."""
    return raw / str(year)


def processed_year_dir(year: int, processed: Path = PROCESSED) -> Path:
    """`data/processed/<YEAR>/`: one parquet table per dataset, all municipalities."""
    return processed / str(year)


def reports_year_dir(year: int, reports: Path = REPORTS) -> Path:
    """`reports/<YEAR>/`: published HTML, the index and the open-data files."""
    return reports / str(year)


def validation_dir(year: int, reports: Path = REPORTS) -> Path:
    """`reports/<YEAR>/validation/`: the auditor's pages and the stored GX results."""
    return reports_year_dir(year, reports) / "validation"


def notebooks_out_dir(year: int, reports: Path = REPORTS) -> Path:
    """`reports/<YEAR>/notebooks/`: executed notebooks kept as the audit trail."""
    return reports_year_dir(year, reports) / "notebooks"


def pdf_dir(year: int, reports: Path = REPORTS) -> Path:
    """`reports/<YEAR>/pdf/`: printed reports."""
    return reports_year_dir(year, reports) / "pdf"
