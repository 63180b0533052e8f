"""The order of the stages: ingest → validate → KPI table → notebooks → overview, for one year."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pipeline import config, ingest, provenance, registry
from pipeline.errors import DeliveryError, ParameterError

log = logging.getLogger(__name__)

CODE_ROOT = config.PACKAGE.parent  # the checkout whose commit the outputs record (not the data root)


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
    removed: list = field(default_factory=list)  # outputs of municipalities that no longer deliver
    stale_pdfs: list = field(default_factory=list)  # PDFs older than their report, removed


def ingest_history(paths: config.YearPaths) -> None:
    """Ingest earlier years for the KPI history; a broken old year is logged and left out."""
    for earlier in ingest.available_years(paths.raw_root):
        if earlier >= paths.year:
            continue
        try:
            ingest.run(earlier, paths.raw_root, paths.processed_root, reuse=True, strict=False)
        except DeliveryError as exc:
            log.warning("history year %s left out: its deliveries cannot be read:\n%s", earlier, exc)


def validate(paths: config.YearPaths, muni: registry.Municipality | None = None,
             run: provenance.RunInfo | None = None, targets_dir=config.TARGETS) -> ValidationRun:
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
            log.warning("year-over-year checks skipped: %s cannot be read:\n%s", paths.year - 1, exc)
    run = run or provenance.RunInfo.now(CODE_ROOT)
    results = stage.validate_year(paths.year, current.tables, current.manifest, previous)
    stage.write_results(results, paths, run)
    stage.write_pages(paths, results, ingestion_blocked=current.blocked, generated_at=run.started,
                      targets_dir=targets_dir)
    if muni is not None and muni.code not in results and muni.code not in current.blocked:
        raise ParameterError(f"{muni.name} ({muni.code}) har ingen leverance for {paths.year} i {paths.raw}")
    return ValidationRun(results, current.blocked)


def report(paths: config.YearPaths, muni: registry.Municipality | None = None, workers: int | None = None,
           targets_dir=config.TARGETS) -> ReportRun:
    """Every stage for the year: the KPI table covers every municipality that passed, the notebooks
    run for MUNI (or all that passed), and the overview is rewritten."""
    from pipeline.account import kpi_table, notebook
    from pipeline.account.model import caveats_by_kpi
    from pipeline.publish import cleanup, overview, pdf, superseded

    run = provenance.RunInfo.now(CODE_ROOT)  # once per run: the same commit and time on every output
    ingest_history(paths)
    validation = validate(paths, muni, run, targets_dir)
    removed = cleanup.remove_undelivered(paths, set(validation.results) | set(validation.unreadable))
    caveats = {m.code: set(caveats_by_kpi(validation.results[m.code].summary())) for m in validation.passed}
    kpi_table.run(paths, [m.code for m in validation.passed], targets_dir, caveats)
    to_render = [m for m in validation.passed if muni is None or m.code == muni.code]
    outcomes = notebook.render_all(to_render, paths, workers, targets_dir, progress=True, run=run)
    for result in validation.blocked:  # a kept older report says that a newer delivery was blocked
        kept = registry.get(result.code)
        superseded.mark_superseded(paths, kept, superseded.reason_href(kept))
    for code in validation.unreadable:
        kept = registry.get(code)
        superseded.mark_superseded(paths, kept, superseded.reason_href(kept, blocked_at_ingestion=True))
    stale_pdfs = pdf.remove_stale(paths.reports)  # after the notebooks: compared by file time
    overview.write_year(paths, targets_dir)
    return ReportRun(validation, outcomes, removed, stale_pdfs)
