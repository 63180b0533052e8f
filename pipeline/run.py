"""The order of the stages: ingest → validate → KPI table → notebooks → overview, for one year."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config, faults, ingest, provenance, registry
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
    removed: list = field(default_factory=list)  # outputs of municipalities that no longer deliver (relative
    # to the reports root, e.g. 2024/151-ballerup.html)
    stale_pdfs: list = field(default_factory=list)  # PDFs older than their report, removed


def run_id(run: provenance.RunInfo) -> str:
    """'20241203T074000-4242': names the run's generation and its log folder."""
    return f"{run.started:%Y%m%dT%H%M%S}-{os.getpid()}"


def leftovers(paths: config.YearPaths) -> list[Path]:
    """What killed or failed runs of the year left behind: half-built generations, half-made switch links,
    temp files in the live publication, and half-written processed folders. Call with the year's lock held."""
    from pipeline.ingest import store
    from pipeline.publish import generation

    return generation.leftovers(paths.reports_root, paths.year) + store.leftovers(paths.year, paths.processed_root)


def remove_leftovers(paths: config.YearPaths) -> list[Path]:
    from pipeline.publish import generation

    found = leftovers(paths)
    for path in found:
        log.warning("removing a left-over of an interrupted run: %s", path)
    return generation.remove(found)


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

    A municipality whose files cannot be read is blocked like a critical failure, and so is one whose
    targets file is bad (rule targets_file_valid); the others go on.
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
    results = stage.validate_year(paths.year, current.tables, current.manifest, previous, targets_dir=targets_dir)
    stage.write_results(results, paths, run, targets_dir=targets_dir)
    stage.write_pages(paths, results, ingestion_blocked=current.blocked, generated_at=run.started,
                      ingestion_problems=current.problems,
                      targets_dir=targets_dir)
    if muni is not None and muni.code not in results and muni.code not in current.blocked:
        raise ParameterError(f"{muni.name} ({muni.code}) har ingen leverance for {paths.year} i {paths.raw}")
    return ValidationRun(results, current.blocked)


def report(paths: config.YearPaths, muni: registry.Municipality | None = None, workers: int | None = None,
           targets_dir=config.TARGETS, run: provenance.RunInfo | None = None,
           work_dir: Path | None = None) -> ReportRun:
    """Every stage for the year: the KPI table covers every municipality that passed, the notebooks
    run for MUNI (or all that passed), and the overview is rewritten. WORK_DIR: where notebooks are
    executed (the run's log folder; a failed one stays there), by default a folder under logs/.

    Everything is written into a new generation of reports/<YEAR>/ that replaces the live one in one
    atomic step at the end (pipeline.publish.generation); an exception leaves the live one untouched.
    Call with the year's lock held (pipeline.lock).
    """
    from pipeline.account import kpi_table, notebook
    from pipeline.account.model import caveats_by_kpi
    from pipeline.publish import cleanup, generation, overview, pdf, publication, superseded

    run = run or provenance.RunInfo.now(CODE_ROOT)
    work_dir = work_dir or config.LOGS / str(paths.year) / run_id(run)
    ingest_history(paths)
    faults.checkpoint("after-ingest")
    with generation.transaction(paths, run_id(run)) as staged:  # every write below goes to the new generation
        validation = validate(staged, muni, run, targets_dir)
        faults.checkpoint("after-validate")
        removed = cleanup.remove_undelivered(staged, set(validation.results) | set(validation.unreadable))
        caveats = {m.code: set(caveats_by_kpi(validation.results[m.code].summary())) for m in validation.passed}
        kpi_table.run(staged, [m.code for m in validation.passed], targets_dir, caveats)
        to_render = [m for m in validation.passed if muni is None or m.code == muni.code]
        outcomes = notebook.render_all(to_render, staged, workers, targets_dir, progress=True, run=run,
                                       work_dir=work_dir)
        for result in validation.blocked:  # a kept older report says that a newer delivery was blocked
            kept = registry.get(result.code)
            superseded.mark_superseded(staged, kept, superseded.reason_href(kept))
        for code in validation.unreadable:
            kept = registry.get(code)
            superseded.mark_superseded(staged, kept, superseded.reason_href(kept, blocked_at_ingestion=True))
        stale_pdfs = pdf.remove_stale(staged.reports)  # after the notebooks: compared by file time
        record, table = publication.compose(
            staged, publication.with_sample_flag(kpi_table.load(staged), targets_dir), {o.code: o.ok for o in outcomes},
            [r.code for r in validation.blocked] + list(validation.unreadable), run,
            {o.code: o.error for o in outcomes if not o.ok})
        publication.write_table(staged, table)
        publication.write(staged, record)  # the overview reads this run's states from it
        overview.write_year(staged, targets_dir, generated=run.generated_da)
        publication.seal(staged, record)
        removed = [p.relative_to(staged.reports_root) for p in removed]
        stale_pdfs = [paths.reports / p.relative_to(staged.reports) for p in stale_pdfs]
    return ReportRun(validation, outcomes, removed, stale_pdfs)


def print_pdfs(paths: config.YearPaths, muni: registry.Municipality | None, run: provenance.RunInfo) -> list[Path]:
    """Print the published reports to PDF in a new generation of the publication, switched to at the end."""
    from pipeline.publish import generation, pdf, publication

    if generation.live(paths.reports_root, paths.year) is None:
        raise FileNotFoundError(paths.reports)
    with generation.transaction(paths, run_id(run)) as staged:
        written = pdf.print_year(paths.year, staged.reports_root, municipality=muni.code if muni else None)
        publication.seal(staged, publication.load(staged) or publication.Publication(paths.year, run.to_dict()))
    return [paths.pdf / p.name for p in written]


def preview_paths(paths: config.YearPaths, preview_root: Path = config.VALIDATION_PREVIEW) -> config.YearPaths:
    """`make validate` writes the auditor's pages to a preview folder: the publication only changes as a whole,
    in `make report`."""
    return config.YearPaths(paths.year, paths.raw_root, paths.processed_root, preview_root)
