"""Run the green-account notebook per municipality with papermill and render it to HTML with nbconvert."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__, config, publish, registry

log = logging.getLogger(__name__)

NBCONVERT_TEMPLATES = config.TEMPLATES / "nbconvert"
CSS_FILES = ("report.css", "print.css")


@dataclass(frozen=True)
class RenderJob:
    code: int
    year: int
    processed_root: str
    targets_dir: str
    reports_root: str
    generated: str


@dataclass
class RenderOutcome:
    code: int
    ok: bool
    html: str | None = None
    notebook: str | None = None
    error: str | None = None
    seconds: float = 0.0


def page_css() -> str:
    """The report's stylesheet, inlined so the page loads nothing else."""
    return "\n".join((config.TEMPLATES / name).read_text(encoding="utf-8")
                     for name in CSS_FILES if (config.TEMPLATES / name).exists())


def page_title(code: int, year: int) -> str:
    """'Grønt regnskab 2024 – Ballerup Kommune': the page's <title> and <h1>."""
    return f"Grønt regnskab {year} – {registry.get(code).official_name}"


def to_html(nb, code: int, year: int, generated: str) -> str:
    """Render an executed notebook to the published page: outputs only, no code, no CDN."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="green_account", extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"green_account": {"title": page_title(code, year), "year": year, "css": page_css(),
                                   "version": __version__, "generated": generated}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def describe_failure(exc: Exception) -> str:
    """Point at the failing cell, as papermill does, in one readable line."""
    cell = getattr(exc, "exec_count", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    where = f"celle {cell}" if cell is not None else "notebook"
    return f"{where} fejlede: {ename}: {evalue}"


def render_one(job: RenderJob) -> RenderOutcome:
    """Execute the notebook for one municipality and publish its HTML; keep the old one on failure."""
    import nbformat
    import papermill

    start = time.perf_counter()
    muni = registry.get(job.code)
    reports = Path(job.reports_root)
    nb_dir = config.notebooks_out_dir(job.year, reports)
    nb_dir.mkdir(parents=True, exist_ok=True)
    executed = nb_dir / f"{muni.slug}.ipynb"
    failed = nb_dir / f"{muni.slug}.failed.ipynb"
    parameters = {"municipality_code": job.code, "year": job.year, "processed_root": job.processed_root,
                  "targets_dir": job.targets_dir,
                  "validation_dir": str(config.validation_dir(job.year, reports))}
    try:
        nb = papermill.execute_notebook(
            str(config.GREEN_ACCOUNT_NOTEBOOK), str(failed), parameters=parameters,
            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(config.ROOT),
            shutdown_kernel="immediate", extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except Exception as exc:  # noqa: BLE001 - any notebook failure keeps the last good report
        return RenderOutcome(job.code, False, error=f"{describe_failure(exc)} (se {failed})",
                             seconds=time.perf_counter() - start)
    html = to_html(nbformat.from_dict(nb), job.code, job.year, job.generated)
    target = config.reports_year_dir(job.year, reports) / f"{muni.slug}.html"
    publish.write_text(target, html)
    os.replace(failed, executed)
    return RenderOutcome(job.code, True, str(target), str(executed), seconds=time.perf_counter() - start)


def now_da() -> str:
    from pipeline.formatting import date_da

    stamp = dt.datetime.now().astimezone()
    return f"{date_da(stamp.date())} kl. {stamp:%H:%M}"


def render_all(codes: list[int], year: int, workers: int | None = None,
               processed_root: Path = config.PROCESSED, targets_dir: Path = config.TARGETS,
               reports_root: Path = config.REPORTS, progress: bool = True) -> list[RenderOutcome]:
    """Render every municipality in CODES in parallel across the CPU cores."""
    from tqdm import tqdm

    generated = now_da()
    jobs = [RenderJob(c, year, str(processed_root), str(targets_dir), str(reports_root), generated)
            for c in codes]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    outcomes: list[RenderOutcome] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(render_one, job): job for job in jobs}
        bar = tqdm(as_completed(futures), total=len(jobs), desc=f"Grønne regnskaber {year}",
                   unit="kommune", disable=not progress)
        for future in bar:
            outcome = future.result()
            bar.set_postfix_str(registry.get(outcome.code).name)
            log.debug("rendered %s in %.1f s (ok=%s)", outcome.code, outcome.seconds, outcome.ok)
            outcomes.append(outcome)
    return sorted(outcomes, key=lambda o: o.code)
