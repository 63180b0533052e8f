"""Run the green-account notebook per municipality with papermill and render it to HTML with nbconvert."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from pipeline import __version__, atomic, config, errors, faults, provenance, registry, templating
from pipeline.account import kernels

log = logging.getLogger(__name__)

NBCONVERT_TEMPLATES = config.TEMPLATES / "nbconvert"
CSS_FILES = ("report.css", "print.css")
EXPLORE_TAG = "udforsk"  # cells an analyst uses to look at the data; never published


@dataclass(frozen=True)
class RenderJob:
    muni: registry.Municipality
    paths: config.YearPaths
    targets_dir: Path
    generated: str
    run: provenance.RunInfo | None = None  # the run's provenance, made once in render_all
    work_dir: Path | None = None  # where the notebook is executed; a failed one stays there (the run's log
    # folder), so a failed notebook never lands in the publication
    # The run's project (a Dask worker may have been started in another folder, with another config.ROOT),
    # taken from the process that makes the job: the kernel's working folder and GREEN_ACCOUNTS_ROOT, what
    # recorded input paths are relative to, the notebook and the registry recorded as an input.
    root: Path = field(default_factory=lambda: config.ROOT)
    template: Path = field(default_factory=lambda: config.GREEN_ACCOUNT_NOTEBOOK)
    registry_csv: Path = field(default_factory=lambda: config.MUNICIPALITIES_CSV)


@dataclass
class RenderOutcome:
    muni: registry.Municipality
    ok: bool
    html: str | None = None
    notebook: str | None = None
    error: str | None = None
    seconds: float = 0.0
    retries: int = 0  # kernels that never answered and were replaced (KERNEL_RETRIES at most)
    kernel_reused: bool = False  # ran in a warm kernel that had run another notebook before
    year: int | None = None  # the job's report year (set by render_jobs)

    @property
    def code(self) -> int:
        return self.muni.code


def page_title(muni: registry.Municipality, year: int) -> str:
    """'Grønt regnskab 2024 – Ballerup Kommune': the page's <title> and <h1>."""
    return f"Grønt regnskab {year} – {muni.official_name}"


def to_html(nb, muni: registry.Municipality, year: int, generated: str) -> str:
    """The published page: the notebook's HTML outputs (no code, no exploration cells) in the page shell."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="green_account", extra_template_basedirs=[str(NBCONVERT_TEMPLATES)])
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={EXPLORE_TAG}), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    page = templating.render("account/page.html.j2", title=page_title(muni, year), year=year, body=Markup(body),
                             css=templating.css(*CSS_FILES), version=__version__, generated=generated)
    # nbconvert serialises what it exports with BeautifulSoup's html.parser (void tags as <meta/>,
    # attributes sorted); the whole page gets the same serialisation, so published bytes stay stable.
    return str(BeautifulSoup(page, features="html.parser"))


KERNEL_RETRIES = 1
ROOT_ENV = "GREEN_ACCOUNTS_ROOT"  # read by pipeline.config in the kernel


def kernel_never_answered(exc: BaseException) -> bool:
    """A kernel that did not start or stopped answering (jupyter_client's "Kernel didn't respond in 60
    seconds", nbclient's DeadKernelError): worth one retry with a new kernel, unlike a failing cell."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):
        return True
    return isinstance(exc, RuntimeError) and "didn't respond" in str(exc)


def describe_failure(exc: Exception) -> str:
    """Point at the failing cell, as papermill does, in one readable line."""
    cell = getattr(exc, "exec_count", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    where = f"celle {cell}" if cell is not None else "notebook"
    return f"{where} fejlede: {ename}: {evalue}"


def execute(output: Path, parameters: dict, run: provenance.RunInfo, template: Path = config.GREEN_ACCOUNT_NOTEBOOK,
            root: Path = config.ROOT) -> tuple[dict, bool]:
    """Run the notebook TEMPLATE with papermill into OUTPUT, in this process's warm kernel (kernels.current():
    reset first, replaced after a failure) or, with GREEN_ACCOUNTS_FRESH_KERNELS=1, in a new kernel of its own.
    Either way the kernel runs in ROOT with the run (RUN: the footer shows this run, not one of its own) and the
    project root in its environment. Returns the executed notebook and whether its kernel had run one before."""
    import papermill

    notebook, common = str(template), {
        "parameters": parameters, "kernel_name": kernels.KERNEL_NAME, "progress_bar": False, "log_output": False,
        "cwd": str(root)}
    if kernels.fresh_kernels():
        with _run_in_environment(run, root):
            return papermill.execute_notebook(notebook, str(output), **common, shutdown_kernel="immediate",
                                              extra_arguments=["--IPKernelApp.log_level=ERROR"]), False
    kernel = kernels.current()
    ok = False
    try:
        km = kernel.acquire({**os.environ, provenance.RUN_ENV: run.to_env(), ROOT_ENV: str(root)}, root)
        # nbclient does not stop a kernel manager it did not make: the kernel stays up for the next notebook
        nb = papermill.execute_notebook(notebook, str(output), **common, km=km)
        ok = True
        return nb, kernel.reused
    finally:
        kernel.release(ok)


def render_one(job: RenderJob) -> RenderOutcome:
    """Execute the notebook for one municipality and publish its HTML; keep the old one on failure."""
    import nbformat

    start = time.perf_counter()
    paths, muni = job.paths, job.muni
    paths.notebooks.mkdir(parents=True, exist_ok=True)
    executed = paths.notebook(muni)
    failed = job.work_dir / executed.name.replace(".ipynb", ".failed.ipynb") if job.work_dir \
        else paths.failed_notebook(muni)
    failed.parent.mkdir(parents=True, exist_ok=True)
    parameters = {"municipality_code": muni.code, "year": paths.year,
                  "processed_root": str(paths.processed_root), "reports_root": str(paths.reports_root),
                  "targets_dir": str(job.targets_dir)}
    run = job.run or provenance.RunInfo.now(config.ROOT)
    retries = 0
    try:
        while True:
            try:
                nb, reused = execute(failed, parameters, run, job.template, job.root)
                break
            except Exception as exc:
                if retries >= KERNEL_RETRIES or not kernel_never_answered(exc):
                    raise
                retries += 1  # about 2 in 1.000 kernel launches never answer: start a new one
                log.warning("%s: the kernel did not answer (%s); retrying with a new kernel", muni.slug, exc)
    except OSError as exc:
        if errors.is_environment(exc):  # a full disk or a read-only folder stops the run, not one page
            raise
        return RenderOutcome(muni, False, error=f"{describe_failure(exc)} (se {failed})",
                             seconds=time.perf_counter() - start, retries=retries)
    except Exception as exc:  # noqa: BLE001 - any notebook failure keeps the last good report
        return RenderOutcome(muni, False, error=f"{describe_failure(exc)} (se {failed})",
                             seconds=time.perf_counter() - start, retries=retries)
    try:
        record = page_provenance(muni, paths, job.targets_dir, run, job.root, job.registry_csv)
    except Exception as exc:  # noqa: BLE001 - a page whose inputs cannot be recorded is not published
        return RenderOutcome(muni, False, error=f"inddata kunne ikke registreres: {type(exc).__name__}: {exc}",
                             seconds=time.perf_counter() - start)
    target = publish_page(paths, muni, to_html(nbformat.from_dict(nb), muni, paths.year, job.generated), record)
    shutil.move(failed, executed)
    return RenderOutcome(muni, True, str(target), str(executed), seconds=time.perf_counter() - start,
                         retries=retries, kernel_reused=reused)


def publish_page(paths: config.YearPaths, muni: registry.Municipality, html: str, record: dict) -> Path:
    """Publish a page and its provenance record, each atomically: the page first, then
    `reports/<YEAR>/provenance/<code>-<slug>.json` (only ever written for a page that was published)."""
    target = atomic.write_text(paths.report(muni), html)
    provenance.write(paths.provenance_path(muni), record)
    return target


def page_provenance(muni: registry.Municipality, paths: config.YearPaths, targets_dir: Path,
                    run: provenance.RunInfo, root: Path = config.ROOT, registry_csv: Path | None = None) -> dict:
    """`reports/<YEAR>/provenance/<code>-<slug>.json`: the run and every input of the page: the delivery
    files of every year in the account's history (the KPI table's years, as model.load reads them),
    the targets file and the municipality registry."""
    from pipeline.account import kpi_table

    years = sorted({int(y) for y in kpi_table.load(paths, muni.code)["year"]} | {paths.year})
    return run.document(provenance.report_inputs(paths, muni.code, targets_dir, root, years, registry_csv))


@contextlib.contextmanager
def _run_in_environment(run: provenance.RunInfo, root: Path = config.ROOT):
    """The kernel started in this block inherits the run (for its footer) and the project root."""
    values = {provenance.RUN_ENV: run.to_env(), ROOT_ENV: str(root)}
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def render_all(munis: list[registry.Municipality], paths: config.YearPaths, workers: int | None = None,
               targets_dir: Path = config.TARGETS, progress: bool = True,
               run: provenance.RunInfo | None = None, work_dir: Path | None = None,
               executor: str = "local") -> list[RenderOutcome]:
    """Render every municipality in MUNIS in parallel across the CPU cores (or on Dask at EXECUTOR).

    RUN: the run's provenance (default: made here), shown in each page's footer and recorded with
    each published page in reports/<YEAR>/provenance/.
    """
    run = run or provenance.RunInfo.now(config.ROOT)
    jobs = [RenderJob(m, paths, Path(targets_dir), run.generated_da, run, work_dir) for m in munis]
    return sorted(render_jobs(jobs, workers, executor, progress, str(paths.year)), key=lambda o: o.code)


def _render_numbered(numbered: tuple[int, RenderJob]) -> tuple[int, RenderOutcome]:
    """render_one, returning the job's number with it (results come back in completion order)."""
    number, job = numbered
    return number, render_one(job)


def render_jobs(jobs: list[RenderJob], workers: int | None = None, executor: str = "local",
                progress: bool = True, label: str = "") -> list[RenderOutcome]:
    """Render JOBS (of one year or several) in one pool: local worker processes, or Dask at EXECUTOR.
    Each outcome carries its job's year (`RenderOutcome.year`); the order is the jobs' order."""
    from pipeline import executors

    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    results = executors.run(_render_numbered, list(enumerate(jobs)), executor, workers)
    # closing: on any exception (Ctrl-C, SIGTERM) the pool is shut down and its workers have finished
    # writing before the caller removes the half-built generation they write into
    with contextlib.closing(results):
        return _collect(results, jobs, progress, label)


def _collect(results, jobs: list[RenderJob], progress: bool, label: str) -> list[RenderOutcome]:
    from tqdm import tqdm

    outcomes: dict[int, RenderOutcome] = {}
    bar = tqdm(results, total=len(jobs), desc=f"Grønne regnskaber {label}".strip(), unit="regnskab",
               disable=not progress)
    for number, outcome in bar:
        outcome.year = jobs[number].paths.year
        bar.set_postfix_str(outcome.muni.name)
        log.debug("rendered %s in %.1f s (ok=%s, kernel reused=%s)", outcome.code, outcome.seconds, outcome.ok,
                  outcome.kernel_reused)
        outcomes[number] = outcome
        if len(outcomes) == 1:
            faults.checkpoint("after-first-render")
    return [outcomes[n] for n in sorted(outcomes)]
