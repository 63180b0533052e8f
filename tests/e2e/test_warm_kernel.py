"""The warm kernel on the sample data: the same pages and executed notebooks as fresh kernels, a new kernel
after a failed notebook, a reset kernel that looks new, and no kernel left running after render_all."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from pipeline import config, provenance, registry
from pipeline.account import kernels, notebook
from tests.factories import YEAR

# One run for every render here, so the pages must be identical byte for byte (footer included).
RUN = provenance.RunInfo("0.1.0", "abc1234", False, dt.datetime(2024, 12, 3, 7, 40, tzinfo=dt.UTC))
CODES = (151, 741, 665)  # rendered in this order by one worker: the 2nd and 3rd in a reused kernel
MARKER = "GREEN_ACCOUNTS_TEST_KERNEL_MARKER"


@pytest.fixture(scope="module")
def workspace(sample_project, published_reports, tmp_path_factory) -> tuple[config.YearPaths, Path, Path]:
    """(paths, targets, work dir): the sample run's processed data, and a copy of its reports/ (the
    validation summaries the notebook reads) that the renders here write into, never the published one."""
    root = tmp_path_factory.mktemp("warm-kernel")
    shutil.copytree(published_reports, root / "reports" / str(YEAR))
    paths = config.YearPaths(YEAR, sample_project / "data" / "raw", sample_project / "data" / "processed",
                             root / "reports")
    return paths, sample_project / "data" / "raw" / "targets", root / "log"


def render(workspace, codes=CODES, workers=1) -> list[notebook.RenderOutcome]:
    paths, targets, work_dir = workspace
    return notebook.render_all([registry.get(c) for c in codes], paths, workers, targets, progress=False, run=RUN,
                               work_dir=work_dir)


def published(outcome: notebook.RenderOutcome) -> tuple[bytes, dict]:
    assert outcome.ok, outcome.error
    return Path(outcome.html).read_bytes(), json.loads(Path(outcome.notebook).read_text(encoding="utf-8"))


def without_timing(nb: dict) -> dict:
    """An executed notebook without what differs between two executions of the same notebook: the
    timestamps and durations, and the id papermill draws at random for the injected parameters cell."""
    nb = json.loads(json.dumps(nb))
    for key in ("start_time", "end_time", "duration"):
        nb["metadata"]["papermill"].pop(key)
    for cell in nb["cells"]:
        cell["metadata"].pop("execution", None)
        cell["metadata"].pop("papermill", None)
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell.pop("id")
    return nb


def execution_counts(nb: dict) -> list:
    return [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def fresh(workspace) -> dict[int, tuple[bytes, dict]]:
    """The reference: every page of CODES rendered with a new kernel per notebook (papermill's own way)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(kernels.FRESH_ENV, "1")
        outcomes = render(workspace)
    assert not any(o.kernel_reused for o in outcomes)
    return {o.code: published(o) for o in outcomes}


@pytest.fixture
def warm(monkeypatch):
    monkeypatch.delenv(kernels.FRESH_ENV, raising=False)
    yield
    kernels.shutdown_all()  # the kernels a test started in this process


def test_a_reused_kernel_publishes_the_same_pages_and_notebooks_as_fresh_kernels(workspace, fresh, warm):
    outcomes = {o.code: o for o in render(workspace)}
    assert [outcomes[c].kernel_reused for c in CODES] == [False, True, True], "one kernel ran all three"
    for code in CODES:
        html, nb = published(outcomes[code])
        fresh_html, fresh_nb = fresh[code]
        assert html == fresh_html, f"{code}: the page differs from the one a fresh kernel made"
        assert execution_counts(nb) == execution_counts(fresh_nb) == list(range(1, len(execution_counts(nb)) + 1))
        assert without_timing(nb) == without_timing(fresh_nb), f"{code}: the executed notebook differs"


def poisoning_notebook(path: Path) -> Path:
    """A notebook that breaks the kernel for whoever runs next (a section module patched), then fails."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [
        nbformat.v4.new_code_cell("municipality_code = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from pipeline.account.sections import intro\n"
                                  "intro.html = lambda acc: '<p>forgiftet</p>'\n"
                                  "raise RuntimeError('planted failure')"),
    ]
    nbformat.write(nb, path)
    return path


def test_a_failed_notebook_gets_a_new_kernel_and_the_next_page_is_right(workspace, fresh, warm, monkeypatch,
                                                                        tmp_path):
    paths, targets, work_dir = workspace

    def job(code):
        return notebook.RenderJob(registry.get(code), paths, targets, RUN.generated_da, RUN, work_dir)

    kernel = kernels.current()  # render_one in this process: its warm kernel is this one
    assert notebook.render_one(job(151)).ok
    failed_kernel = kernel.km.provisioner.pid
    with monkeypatch.context() as mp:
        mp.setattr(config, "GREEN_ACCOUNT_NOTEBOOK", poisoning_notebook(tmp_path / "poison.ipynb"))
        failed = notebook.render_one(job(741))
    assert not failed.ok and "planted failure" in failed.error
    assert kernel.km is None and not psutil.pid_exists(failed_kernel), "the failed notebook's kernel is stopped"
    after = notebook.render_one(job(741))
    assert not after.kernel_reused and kernel.starts == 2
    html, _ = published(after)
    assert b"forgiftet" not in html and html == fresh[741][0]


def test_a_reset_kernel_looks_new_except_for_its_imported_modules(warm, tmp_path):
    probe = ("import os, sys, warnings\n"
             "print(sorted(globals()), get_ipython().execution_count, len(In), os.getcwd(),\n"
             "      'pipeline.account.model' in sys.modules)")
    (tmp_path / "noisy.py").write_text("import warnings\n\ndef f():\n    warnings.warn('støj', UserWarning)\n",
                                       encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    from jupyter_client import KernelManager

    plain = KernelManager(kernel_name=kernels.KERNEL_NAME)  # a new kernel, as papermill would start it
    plain.start_kernel(extra_arguments=kernels.EXTRA_ARGUMENTS, env=env, cwd=str(config.ROOT))
    try:
        new_kernel = run_in(plain, probe)
    finally:
        plain.shutdown_kernel(now=True)
    kernel = kernels.WarmKernel()
    try:
        warmed_up = run_in(kernel.acquire(env, config.ROOT), probe)
        kernel.release(ok=True)
        first = run_in(kernel.km, "import noisy\nnoisy.f()\nnoisy.f()\nx = 1\nos.chdir('/')")
        kernel.release(ok=True)
        reset = run_in(kernel.acquire(env, config.ROOT), probe)
        again = run_in(kernel.km, "import noisy\nnoisy.f()")
    finally:
        kernel.shutdown()
    assert kernel.starts == 1
    # the same names, execution counter, input history and folder as a new kernel; only the modules differ
    assert new_kernel.endswith(f" {config.ROOT} False\n") and reset.endswith(f" {config.ROOT} True\n")
    assert warmed_up == reset and reset.rsplit(" ", 1)[0] == new_kernel.rsplit(" ", 1)[0]
    assert first.count("UserWarning: støj") == 1 and again.count("UserWarning: støj") == 1, \
        "a warning shown once in the last notebook is shown again in the next one"


def run_in(km, code: str) -> str:
    """Run CODE in the kernel as a notebook cell would, and return what it printed (stdout and stderr)."""
    client = km.blocking_client()
    client.start_channels()
    out = []
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive(code, timeout=60, output_hook=lambda msg: out.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    finally:
        client.stop_channels()
    return "".join(out)


def kernels_with(marker: str) -> list[int]:
    """Process ids of the kernel processes (anywhere, orphans too) whose environment carries MARKER."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARKER) == marker and "ipykernel" in " ".join(proc.cmdline()):
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def test_no_kernel_is_left_running_after_render_all(workspace, warm, monkeypatch):
    marker = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, marker)  # every kernel started from here on carries it
    probe = kernels.WarmKernel()  # the search finds a running warm kernel (so an empty result means something)
    probe.acquire(dict(os.environ), config.ROOT)
    assert len(kernels_with(marker)) == 1
    probe.shutdown()
    assert kernels_with(marker) == []

    outcomes = render(workspace, workers=2)
    assert all(o.ok for o in outcomes) and any(o.kernel_reused for o in outcomes)
    assert kernels_with(marker) == [], "render_all left kernel processes behind"
