"""The order of the stages: ingest → validate → KPI table → notebooks → overview, for one year."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pipeline import config, ingest, registry
from pipeline.errors import DeliveryError, ParameterError

log = logging.getLogger(__name__)


@dataclass
class ValidationRun:
    """What validation decided: results per validated municipality, and those that could not be read."""

    results: dict  # code → MunicipalityValidation
    unreadable: dict[int, list[str]]

    def selected(self, muni: registry.Municipality | None) -> ValidationRun:
        """Only one municipality's part (all when None)."""
        if muni is None:
            return self
        return ValidationRun({c: r for c, r in self.results.items() if c == muni.code},
                             {c: p for c, p in self.unreadable.items() if c == muni.code})

    @property
    def blocked(self) -> list:
        return [r for r in self.results.values() if r.status == "blocked"]

    @property
    def passed(self) -> list[registry.Municipality]:
        return [registry.get(c) for c, r in sorted(self.results.items()) if r.status == "published"]


@dataclass
class ReportRun:
    validation: ValidationRun
    outcomes: list = field(default_factory=list)  # account.notebook.RenderOutcome per municipality


def ingest_history(paths: config.YearPaths) -> None:
    """Ingest earlier years for the KPI history; a broken old year is logged and left out."""
    for earlier in ingest.available_years(paths.raw_root):
        if earlier >= paths.year:
            continue
        try:
            ingest.run(earlier, paths.raw_root, paths.processed_root, reuse=True, strict=False)
        except DeliveryError as exc:
            log.warning("historikken for %s udelades, fordi leverancerne ikke kan læses:\n%s", earlier, exc)


def validate(paths: config.YearPaths, muni: registry.Municipality | None = None) -> ValidationRun:
    """Ingest the year (and the year before, for year-over-year checks), validate, write results and pages.

    A municipality whose files cannot be read is blocked like a critical failure; the others go on.
    """
    from pipeline import validate as stage

    current = ingest.run(paths.year, paths.raw_root, paths.processed_root, strict=False)
    previous = None
    if paths.year - 1 in ingest.available_years(paths.raw_root):
        try:
            previous = ingest.run(paths.year - 1, paths.raw_root, paths.processed_root, reuse=True,
                                  strict=False).tables
        except DeliveryError as exc:
            log.warning("år-til-år-kontrollen springes over: %s kan ikke læses:\n%s", paths.year - 1, exc)
    results = stage.validate_year(paths.year, current.tables, current.manifest, previous)
    stage.write_results(results, paths)
    stage.write_pages(paths, results, ingestion_blocked=current.blocked)
    if muni is not None and muni.code not in results and muni.code not in current.blocked:
        raise ParameterError(f"{muni.name} ({muni.code}) har ingen leverance for {paths.year} i {paths.raw}")
    return ValidationRun(results, current.blocked)


def report(paths: config.YearPaths, muni: registry.Municipality | None = None, workers: int | None = None,
           targets_dir=config.TARGETS) -> ReportRun:
    """Every stage for the year: the KPI table covers every municipality that passed, the notebooks
    run for MUNI (or all that passed), and the overview is rewritten."""
    from pipeline.account import kpi_table, notebook
    from pipeline.publish import overview

    ingest_history(paths)
    validation = validate(paths, muni)
    kpi_table.run(paths, [m.code for m in validation.passed], targets_dir)
    to_render = [m for m in validation.passed if muni is None or m.code == muni.code]
    outcomes = notebook.render_all(to_render, paths, workers, targets_dir, progress=True)
    overview.write_year(paths, targets_dir)
    return ReportRun(validation, outcomes)
