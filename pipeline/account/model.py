"""One municipality's green account for one year: everything the report shows, loaded from stage outputs.

`load` reads the KPI table (data/processed/<YEAR>/kpis.parquet), the report year's processed rows,
the targets file, the validation summary and the manifests; it computes nothing the KPI stage did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import config, registry, schema
from pipeline.account import actions, kpi_table, targets
from pipeline.account.climate import account as climate_account
from pipeline.account.climate.account import ClimateAccount
from pipeline.account.kpis import KPI_DEFS, empty_frame, kpis_for
from pipeline.account.kpis.energy_labels import label_distribution
from pipeline.account.kpis.fleet import fleet_counts
from pipeline.account.kpis.lca import projects_with_limits
from pipeline.account.kpis.meta import climate_group
from pipeline.account.kpis.waste import waste_by_fraction
from pipeline.errors import PipelineError
from pipeline.ingest import Manifest, load_manifest
from pipeline.validate.summary import ValidationSummary, load_summary

log = logging.getLogger(__name__)

SUMMARY_COLUMNS = ["kpi_id", "group", "title_da", "unit", "higher_is_better", "year", "value",
                   "previous_year", "previous_value", "target_year", "target_value", "expected_value",
                   "status", "caveat"]


class NoProcessedDataError(PipelineError, FileNotFoundError):
    """The report year has not been ingested, or its KPI table not computed, yet."""


@dataclass
class Account:
    """Everything one municipality's green account shows for one year (charts render lazily)."""

    municipality: registry.Municipality
    year: int
    years: list[int]
    history: pd.DataFrame  # year, kpi_id, value, unit
    summary: pd.DataFrame  # one row per KPI in the report year (SUMMARY_COLUMNS)
    climate_summary: pd.DataFrame  # the climate account's key figures in the same shape
    targets: targets.TargetFile
    validation: ValidationSummary | None
    caveats: dict[str, list[dict]]
    manifests: dict[int, Manifest]
    delivered: list[str]
    projects: pd.DataFrame
    fleet_counts: pd.DataFrame
    waste_fractions: pd.DataFrame
    label_distribution: pd.DataFrame
    actions: pd.DataFrame
    climate: ClimateAccount
    operations: list = field(default_factory=list)  # account.operations.OperationsYear per year, oldest first
    _charts: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def code(self) -> int:
        return self.municipality.code

    @property
    def slug(self) -> str:
        return self.municipality.slug

    @property
    def official_name(self) -> str:
        return self.municipality.official_name

    @property
    def missing(self) -> list[str]:
        """Required datasets not delivered (an optional one, emissions, is not missing)."""
        return [d for d in schema.REQUIRED_DATASETS if d not in self.delivered]

    @property
    def sample_data(self) -> bool:
        return self.targets.is_sample

    @property
    def validation_page(self) -> str:
        """Relative link (from reports/<YEAR>/) to the municipality's validation page."""
        return f"validation/{self.slug}.html"

    def chart(self, key: str, make) -> str | None:
        """Render a chart once per Account (charts are the slow part)."""
        if key not in self._charts:
            self._charts[key] = make()
        return self._charts[key]


def caveats_by_kpi(validation: ValidationSummary | None) -> dict[str, list[dict]]:
    """kpi_id → caveats; a caveat naming no KPIs applies to every KPI of its dataset."""
    out: dict[str, list[dict]] = {}
    for c in validation.caveats if validation else []:
        ids = c.get("kpis") or kpis_for(c.get("dataset"))
        for kpi_id in ids:
            out.setdefault(kpi_id, []).append(c)
    return out


def summary_table(rows: pd.DataFrame, year: int, defs: dict | None = None) -> pd.DataFrame:
    """The report year's rows of the KPI table as the report's summary, with titles from the metadata
    (DEFS: which KPIs, in order; default the computed KPI groups)."""
    defs = KPI_DEFS if defs is None else defs
    now = rows[rows["year"] == year].set_index("kpi_id").reindex(list(defs)).reset_index()
    now["group"] = [defs[k].group for k in now["kpi_id"]]
    now["title_da"] = [defs[k].title_da for k in now["kpi_id"]]
    now["higher_is_better"] = [defs[k].higher_is_better for k in now["kpi_id"]]
    return now[SUMMARY_COLUMNS].reset_index(drop=True)


def report_frames(paths: config.YearPaths, code: int) -> dict[str, pd.DataFrame]:
    """This municipality's processed rows of the report year, per dataset (empty where not delivered)."""
    if not paths.processed.is_dir():
        raise NoProcessedDataError(f"der er ingen indlæste data for {paths.year} i {paths.processed}; "
                                   f"kør først `make ingest YEAR={paths.year}`")
    return {name: _rows(paths, name, code) for name in schema.DATASETS}


def _rows(paths: config.YearPaths, dataset: str, code: int) -> pd.DataFrame:
    path = paths.table(dataset)
    if not path.exists():
        return empty_frame(dataset)
    return pd.read_parquet(path, filters=[("municipality_code", "==", int(code))])


def previous_emissions(paths: config.YearPaths, code: int) -> pd.DataFrame | None:
    """This municipality's emissions in last year's edition (for the restated years), if any."""
    earlier = config.YearPaths(paths.year - 1, paths.raw_root, paths.processed_root, paths.reports_root)
    if "emissions" not in schema.DATASETS or not earlier.table("emissions").exists():
        return None
    return _rows(earlier, "emissions", code)


def operations_history(paths: config.YearPaths, code: int, years: list[int], tf: targets.TargetFile) -> list:
    """The municipality as an enterprise in every year of the account (account.operations.history)."""
    from pipeline.account import operations

    # only this municipality's rows of each year (a parquet filter), never the whole country's tables
    tables_by_year = {}
    for y in years:
        year_paths = config.YearPaths(y, paths.raw_root, paths.processed_root, paths.reports_root)
        if year_paths.processed.is_dir():
            tables_by_year[y] = {name: _rows(year_paths, name, code) for name in schema.DATASETS}
    return operations.history(tables_by_year, code, tf.operations, until=paths.year)


def load(muni: registry.Municipality | int, paths: config.YearPaths,
         targets_dir: Path = config.TARGETS) -> Account:
    """Load one municipality's green account for the year from the stage outputs."""
    muni = muni if isinstance(muni, registry.Municipality) else registry.get(muni)
    frames = report_frames(paths, muni.code)
    try:
        rows = kpi_table.load(paths, muni.code)
    except FileNotFoundError as exc:
        raise NoProcessedDataError(str(exc)) from None
    if rows.empty:
        raise NoProcessedDataError(f"{paths.kpis} har ingen rækker for {muni.name} ({muni.code}); kør "
                                   f"`make report YEAR={paths.year}`, når kommunens data består valideringen")
    years = sorted(int(y) for y in rows["year"].unique())
    tf = targets.load_file(muni.code, targets_dir)
    summary = summary_table(rows, paths.year)
    status_by_kpi = dict(zip(summary["kpi_id"], summary["status"], strict=True))
    action_table = actions.actions_table(frames["actions"], status_by_kpi)
    climate = climate_account.build(paths.year, frames.get("emissions"), previous_emissions(paths, muni.code),
                                    tf.climate, action_table)
    summary_path = paths.validation_summary(muni)
    validation = load_summary(summary_path) if summary_path.exists() else None
    if validation is None:
        log.warning("no validation summary %s: the report says so in 'Datakvalitet'", summary_path)
    manifests = {y: m for y in years if (m := load_manifest(y, paths.processed_root)) is not None}
    acc = Account(
        municipality=muni,
        year=paths.year,
        years=years,
        history=kpi_table.history(rows),
        summary=summary,
        climate_summary=summary_table(rows, paths.year, {d.kpi_id: d for d in climate_group().kpis}),
        targets=tf,
        validation=validation,
        caveats=caveats_by_kpi(validation),
        manifests=manifests,
        delivered=[d for d in schema.DATASETS if not frames[d].empty],
        projects=projects_with_limits(frames["construction_projects"], frames["buildings"], paths.year),
        fleet_counts=fleet_counts(frames["fleet"]),
        waste_fractions=waste_by_fraction(frames["waste"]),
        label_distribution=label_distribution(frames["buildings"]),
        actions=action_table,
        climate=climate,
        operations=operations_history(paths, muni.code, years, tf),
    )
    log.info("loaded account %s %s: %d years, datasets %s", muni.slug, paths.year, len(years), acc.delivered)
    return acc


def from_parameters(municipality_code: int, year: int, processed_root: str | None = None,
                    reports_root: str | None = None, targets_dir: str | None = None) -> Account:
    """The notebook's entry point: papermill's parameters, None meaning the project default."""
    paths = config.YearPaths(year, processed_root=processed_root or config.PROCESSED,
                             reports_root=reports_root or config.REPORTS)
    return load(int(municipality_code), paths, Path(targets_dir) if targets_dir else config.TARGETS)
