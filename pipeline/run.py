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
    unchanged: dict = field(default_factory=dict)  # code → when its kept page was made: its key matched,
    # so it was neither rendered again nor had its KPI rows computed again


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


def unchanged_publication(paths: config.YearPaths, targets_dir=config.TARGETS):
    """The live publication (publish.publication.Publication) when nothing it was made from has changed:
    same deliveries up to the year, same targets, same code (publish.keys.run_key), every recorded file
    present, no page that failed, and no run in progress or left half-done. None otherwise.

    Decided from file bytes alone, before Great Expectations or the notebooks are imported."""
    from pipeline.publish import generation, keys, publication

    if generation.live(paths.reports_root, paths.year) is None or leftovers(paths):
        return None
    record = publication.load(paths)
    if record is None or record.inputs_key is None:
        return None
    if any(p.state == publication.RENDER_FAILED for p in record.municipalities.values()):
        return None
    if not all((paths.reports / name).is_file() for name in record.files):
        return None
    current = keys.run_key(paths, targets_dir)
    if current != record.inputs_key:
        log.info("inputs changed since the published run (run key %s → %s)", record.inputs_key[:12], current[:12])
        return None
    return record


def unchanged_pages(staged: config.YearPaths, validation: ValidationRun, targets_dir) -> tuple[dict, dict]:
    """(page keys of the municipalities that passed, code → page_generated of those whose published page was
    made from exactly these inputs and this validation result, so need not be made again)."""
    from pipeline.publish import keys, publication

    record = publication.load(staged)
    page_keys = {m.code: keys.page_key(keys.inputs_key(staged, m.code, targets_dir), validation.results[m.code])
                 for m in validation.passed}
    same = {}
    for m in validation.passed:
        before = record.municipalities.get(m.code) if record else None
        if before is not None and before.state == publication.PUBLISHED and before.key == page_keys[m.code] \
                and staged.report(m).is_file() and staged.provenance_path(m).is_file():
            same[m.code] = before.page_generated
    return page_keys, same


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


@dataclass
class YearPlan:
    """One year of a run between validation and the overview: what is rendered, what is kept."""

    paths: config.YearPaths  # the live year (reports/<YEAR>)
    staged: config.YearPaths  # the new generation every stage writes to
    validation: ValidationRun
    removed: list  # outputs of municipalities that no longer deliver
    page_keys: dict  # code → page key (publish.keys) of every municipality that passed
    unchanged: dict  # code → page_generated of the published pages whose key matched
    to_render: list  # registry.Municipality
    run_key: str | None  # publish.keys.run_key before anything was read (None for a MUNICIPALITY run)


def prepare(paths: config.YearPaths, staged: config.YearPaths, muni: registry.Municipality | None,
            targets_dir, run: provenance.RunInfo, force: bool, run_key: str | None, workers: int = 1) -> YearPlan:
    """Validate the year into the staged generation, decide which pages are unchanged, and write the KPI
    table for the others (kept rows for the unchanged ones)."""
    from pipeline.account import kpi_table
    from pipeline.account.model import caveats_by_kpi
    from pipeline.publish import cleanup, publication

    validation = validate(staged, muni, run, targets_dir)
    faults.checkpoint("after-validate")
    removed = cleanup.remove_undelivered(staged, set(validation.results) | set(validation.unreadable))
    page_keys, unchanged = unchanged_pages(staged, validation, targets_dir)
    if force:
        unchanged = {}
    caveats = {m.code: set(caveats_by_kpi(validation.results[m.code].summary())) for m in validation.passed}
    kpi_table.run(staged, [m.code for m in validation.passed if m.code not in unchanged], targets_dir, caveats,
                  kept=publication.load_table(staged) if unchanged else None, kept_codes=unchanged, workers=workers)
    to_render = [m for m in validation.passed if (muni is None or m.code == muni.code) and m.code not in unchanged]
    if unchanged:
        log.info("%s: %d municipalities unchanged since their published page; not rendered again",
                 paths.year, len(unchanged))
    if muni is not None:
        unchanged = {c: g for c, g in unchanged.items() if c == muni.code}
    return YearPlan(paths, staged, validation, removed, page_keys, unchanged, to_render, run_key)


def finish(plan: YearPlan, outcomes: list, targets_dir, run: provenance.RunInfo) -> ReportRun:
    """After the notebooks: mark kept pages, compose and seal the publication, write the overview."""
    from pipeline.account import kpi_table
    from pipeline.publish import overview, pdf, publication, superseded

    staged, validation = plan.staged, plan.validation
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
        {o.code: o.error for o in outcomes if not o.ok}, {o.code: plan.page_keys[o.code] for o in outcomes if o.ok})
    if plan.run_key is not None and all(o.ok for o in outcomes):  # every municipality is as its inputs say
        record.inputs_key = plan.run_key
    publication.write_table(staged, table)
    publication.write(staged, record)  # the overview reads this run's states from it
    overview.write_year(staged, targets_dir, generated=run.generated_da)
    publication.seal(staged, record)
    removed = [p.relative_to(staged.reports_root) for p in plan.removed]
    stale_pdfs = [plan.paths.reports / p.relative_to(staged.reports) for p in stale_pdfs]
    return ReportRun(validation, sorted(outcomes, key=lambda o: o.code), removed, stale_pdfs, plan.unchanged)


def report_years(years: list[config.YearPaths], muni: registry.Municipality | None = None,
                 workers: int | None = None, targets_dir=config.TARGETS, run: provenance.RunInfo | None = None,
                 work_dir: Path | None = None, force: bool = False, executor: str = "local") -> list[ReportRun]:
    """Every stage for each year in YEARS, with the notebooks of every year in one pool of workers (local
    processes, or Dask at EXECUTOR): ingest and validate year by year, render all, then each year's
    overview. Each year is written into its own new generation; all are switched at the end, and an
    exception leaves every live year untouched. Call with every year's lock held (pipeline.lock)."""
    import contextlib

    from pipeline.account import notebook
    from pipeline.publish import generation, keys

    run = run or provenance.RunInfo.now(CODE_ROOT)
    work_dir = work_dir or config.LOGS / str(years[-1].year) / run_id(run)
    run_keys = {p.year: keys.run_key(p, targets_dir) if muni is None else None for p in years}  # before reading
    with contextlib.ExitStack() as stack:
        plans = []
        for paths in years:
            ingest_history(paths)
            faults.checkpoint("after-ingest")
            staged = stack.enter_context(generation.transaction(paths, run_id(run)))  # writes go here
            plans.append(prepare(paths, staged, muni, targets_dir, run, force, run_keys[paths.year],
                                 workers or os.cpu_count() or 1))
        jobs = [notebook.RenderJob(m, plan.staged, Path(targets_dir), run.generated_da, run,
                                   work_dir if len(years) == 1 else work_dir / str(plan.paths.year))
                for plan in plans for m in plan.to_render]
        label = f"{years[0].year}" if len(years) == 1 else f"{years[0].year}-{years[-1].year}"
        outcomes = notebook.render_jobs(jobs, workers, executor, progress=True, label=label)
        return [finish(plan, [o for o in outcomes if o.year == plan.paths.year], targets_dir, run) for plan in plans]


def report(paths: config.YearPaths, muni: registry.Municipality | None = None, workers: int | None = None,
           targets_dir=config.TARGETS, run: provenance.RunInfo | None = None,
           work_dir: Path | None = None, force: bool = False, executor: str = "local") -> ReportRun:
    """Every stage for the year: the KPI table covers every municipality that passed, the notebooks
    run for MUNI (or all that passed), and the overview is rewritten. WORK_DIR: where notebooks are
    executed (the run's log folder; a failed one stays there), by default a folder under logs/.

    Everything is written into a new generation of reports/<YEAR>/ that replaces the live one in one
    atomic step at the end (pipeline.publish.generation); an exception leaves the live one untouched.
    A municipality whose page key (publish.keys) matches its published page is not rendered again and
    keeps its KPI rows (FORCE: render every one). Call with the year's lock held (pipeline.lock).
    """
    return report_years([paths], muni, workers, targets_dir, run, work_dir, force, executor)[0]


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
