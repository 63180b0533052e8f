"""Every path the pipeline reads or writes, built from one project root (`YearPaths` per year)."""

from __future__ import annotations

import os
from dataclasses import dataclass
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
LOGS = ROOT / "logs"  # one folder per run: its debug log (with any traceback) and failed notebooks
# `make validate` is a check before publishing: its auditor's pages go here, never into reports/.
VALIDATION_PREVIEW = DATA / "interim" / "validation-preview"
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"

MUNICIPALITIES_CSV = REFERENCE / "municipalities.csv"
# The municipality as an enterprise (pipeline.account.operations): reference facts, each row with its source.
EMISSION_FACTORS_CSV = REFERENCE / "emission_factors.csv"
ENERGY_PER_UNIT_CSV = REFERENCE / "energy_per_unit.csv"
DEGREE_DAYS_CSV = REFERENCE / "degree_days.csv"
OPERATIONS_PARAMETERS_CSV = REFERENCE / "operations_parameters.csv"
# Danmarks Statistik's kommunegrupper: the peer group of every municipality (the year overview).
MUNICIPALITY_GROUPS_CSV = REFERENCE / "municipality_groups.csv"

# Emissions delivered as Energi- og CO2-regnskabet's API responses: one file per data year in the
# municipality's delivery folder, and the fetch command's record of how they were fetched.
EMISSIONS_RESPONSE = "emissions_{data_year}.json"
EMISSIONS_FETCH_RECORD = "emissions_fetch.json"
GREEN_ACCOUNT_NOTEBOOK = NOTEBOOKS / "green_account.ipynb"


@dataclass(frozen=True)
class YearPaths:
    """Every folder and file name of one year, from the three roots (raw, processed, reports).

    The one place file names are built: `paths.report(muni)` is `reports/2024/151-ballerup.html`.
    `muni` is anything with a `slug` (a `registry.Municipality`).
    """

    year: int
    raw_root: Path = RAW
    processed_root: Path = PROCESSED
    reports_root: Path = REPORTS

    def __post_init__(self):
        object.__setattr__(self, "year", int(self.year))
        for name in ("raw_root", "processed_root", "reports_root"):
            object.__setattr__(self, name, Path(getattr(self, name)))

    # data/raw/<YEAR>/ and data/processed/<YEAR>/
    @property
    def raw(self) -> Path:
        """`data/raw/<YEAR>/`: one sub-folder per municipality code."""
        return self.raw_root / str(self.year)

    @property
    def processed(self) -> Path:
        """`data/processed/<YEAR>/`: one parquet table per dataset, all municipalities."""
        return self.processed_root / str(self.year)

    def table(self, dataset: str) -> Path:
        return self.processed / f"{dataset}.parquet"

    @property
    def manifest(self) -> Path:
        return self.processed / "manifest.json"

    @property
    def kpis(self) -> Path:
        """`data/processed/<YEAR>/kpis.parquet`: the KPI table of the year's run."""
        return self.processed / "kpis.parquet"

    # reports/<YEAR>/
    @property
    def reports(self) -> Path:
        """`reports/<YEAR>/`: published HTML, the index and the open-data files."""
        return self.reports_root / str(self.year)

    def report(self, muni) -> Path:
        return self.reports / f"{muni.slug}.html"

    @property
    def index(self) -> Path:
        return self.reports / "index.html"

    @property
    def open_data_csv(self) -> Path:
        return self.reports / "kpis.csv"

    @property
    def open_data_json(self) -> Path:
        return self.reports / "kpis.json"

    @property
    def validation(self) -> Path:
        """`reports/<YEAR>/validation/`: the auditor's pages and the stored GX results."""
        return self.reports / "validation"

    def validation_page(self, muni) -> Path:
        return self.validation / f"{muni.slug}.html"

    def validation_results(self, muni) -> Path:
        return self.validation / f"{muni.slug}.json"

    def validation_summary(self, muni) -> Path:
        return self.validation / f"{muni.slug}.summary.json"

    @property
    def failures_csv(self) -> Path:
        """`reports/<YEAR>/validation/failures.csv`: every failing row of every municipality."""
        return self.validation / "failures.csv"

    @property
    def provenance(self) -> Path:
        """`reports/<YEAR>/provenance/`: one record per published page of the inputs it used."""
        return self.reports / "provenance"

    def provenance_path(self, muni) -> Path:
        return self.provenance / f"{muni.slug}.json"

    @property
    def notebooks(self) -> Path:
        """`reports/<YEAR>/notebooks/`: executed notebooks kept as the audit trail."""
        return self.reports / "notebooks"

    def notebook(self, muni) -> Path:
        return self.notebooks / f"{muni.slug}.ipynb"

    def failed_notebook(self, muni) -> Path:
        return self.notebooks / f"{muni.slug}.failed.ipynb"

    @property
    def pdf(self) -> Path:
        """`reports/<YEAR>/pdf/`: printed reports."""
        return self.reports / "pdf"

