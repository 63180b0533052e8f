"""The notebook runner and the published page: only the notebook's HTML outputs (never exploration cells)
in the shared page shell, escaped title, inline CSS, no code; a failing notebook keeps the last good report."""

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from pipeline import config, registry
from pipeline.account import kernels, notebook

BALLERUP = registry.get(151)


def notebook_with_outputs():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("display(HTML(account.section_summary(acc)))")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<section><h2>Sammendrag</h2></section>",
                                                      "text/plain": "<IPython.core.display.HTML object>"}),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy library\n"),
    ]
    plain = nbformat.v4.new_code_cell("1 + 1")
    plain.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    explore = nbformat.v4.new_code_cell("acc.summary", metadata={"tags": ["udforsk"]})
    explore.outputs = [nbformat.v4.new_output("execute_result", execution_count=2,
                                              data={"text/html": "<table class='dataframe'>UDFORSK</table>"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Skabelon"), code, plain, explore]
    return nb


def test_page_has_only_html_outputs_and_danish_shell():
    html = notebook.to_html(notebook_with_outputs(), BALLERUP, 2024, "23. november 2026 kl. 12:00")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="da">' in html
    assert "<title>Grønt regnskab 2024 – Ballerup Kommune</title>" in html
    assert "<h1>Grønt regnskab 2024 – Ballerup Kommune</h1>" in html
    assert "<section><h2>Sammendrag</h2></section>" in html
    for leaked in ("display(HTML", "noisy library", "Skabelon", "1 + 1", "<script", "IPython.core",
                   "UDFORSK", "dataframe"):
        assert leaked not in html, leaked
    assert "Genereret 23. november 2026 kl. 12:00" in html
    assert ".status-on-track" in html and "@media print" in html, "report.css and print.css are inlined"


def test_failure_points_at_the_cell():
    exc = PapermillExecutionError(cell_index=3, exec_count=4, source="acc = account.build(...)",
                                  ename="FileNotFoundError", evalue="no processed data for 2024",
                                  traceback=[])
    assert notebook.describe_failure(exc) == "celle 4 fejlede: FileNotFoundError: no processed data for 2024"


def test_failed_notebook_keeps_the_last_good_report(tmp_path):
    reports = tmp_path / "reports"
    published = reports / "2024" / "151-ballerup.html"
    published.parent.mkdir(parents=True)
    published.write_text("forrige udgave", encoding="utf-8")
    paths = config.YearPaths(2024, processed_root=tmp_path / "no-processed-data", reports_root=reports)
    outcome = notebook.render_one(notebook.RenderJob(BALLERUP, paths, tmp_path, "nu"))
    assert not outcome.ok and "celle" in outcome.error and "151-ballerup.failed.ipynb" in outcome.error
    assert published.read_text(encoding="utf-8") == "forrige udgave"
    assert (reports / "2024" / "notebooks" / "151-ballerup.failed.ipynb").exists()


def test_page_shell_is_shared_with_the_overview_and_the_auditors_pages(tmp_path):
    """One page shell (templates/_page.html.j2): same head, skip link target and main landmark."""
    from pipeline import validate
    from pipeline.publish import overview

    report = notebook.to_html(notebook_with_outputs(), BALLERUP, 2024, "nu")
    index = overview.render_index(2024, [], "nu")
    paths = config.YearPaths(2024, tmp_path, tmp_path, tmp_path)
    validate.write_pages(paths, [])
    auditor = (paths.validation / "index.html").read_text(encoding="utf-8")
    for page in (report, index, auditor):
        assert page.startswith("<!DOCTYPE html>") and '<html lang="da">' in page and 'charset="utf-8"' in page
        assert '<a class="skip-link" href="#indhold">' in page and '<main id="indhold">' in page
        assert page.rstrip().endswith("</body>\n</html>")


@pytest.fixture(params=["fresh", "warm"])
def kernel_starts(request, monkeypatch):
    """Both ways of running a notebook: a fresh kernel from papermill, or the warm kernel (started here
    as a stand-in, so the kernels it starts are counted and no kernel process runs)."""
    from tests.unit.account.test_kernels import StandInManager

    starts = []
    if request.param == "fresh":
        monkeypatch.setenv(kernels.FRESH_ENV, "1")
    else:
        monkeypatch.delenv(kernels.FRESH_ENV, raising=False)
        def launch(self, env, cwd):
            starts.append(1)
            self.km = StandInManager()

        warm = kernels.WarmKernel()
        monkeypatch.setattr(kernels.WarmKernel, "_launch", launch)
        monkeypatch.setattr(kernels.WarmKernel, "_execute", lambda self, code, what, must_succeed=True: None)
        monkeypatch.setattr(kernels, "current", lambda: warm)
    return request.param, starts


def test_a_kernel_that_never_answers_is_retried_once_and_a_failing_cell_is_not(tmp_path, monkeypatch,
                                                                                kernel_starts):
    import papermill

    calls = []
    mode, starts = kernel_starts

    def never_answers(*args, **kwargs):
        assert ("km" in kwargs) == (mode == "warm")
        calls.append(1)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", never_answers)
    paths = config.YearPaths(2024, processed_root=tmp_path, reports_root=tmp_path / "reports")
    outcome = notebook.render_one(notebook.RenderJob(BALLERUP, paths, tmp_path, "nu", work_dir=tmp_path / "log"))
    assert len(calls) == 2 and outcome.retries == 1 and not outcome.ok, "one retry, then it is a failure"
    assert "didn't respond" in outcome.error
    if mode == "warm":
        assert len(starts) == 2, "the retry runs in a new kernel, not in the one that never answered"

    def cell_fails(*args, **kwargs):
        calls.append(1)
        raise PapermillExecutionError(cell_index=3, exec_count=4, source="x", ename="ValueError",
                                      evalue="bad", traceback=[])

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", cell_fails)
    outcome = notebook.render_one(notebook.RenderJob(BALLERUP, paths, tmp_path, "nu", work_dir=tmp_path / "log"))
    assert len(calls) == 1 and outcome.retries == 0 and "celle 4 fejlede" in outcome.error
    if mode == "warm":
        assert len(starts) == 3 and kernels.current().km is None, "a failed notebook's kernel is stopped"


def test_a_retried_kernel_is_named_in_the_run_summary():
    from nbclient.exceptions import DeadKernelError

    assert notebook.kernel_never_answered(DeadKernelError("Kernel died"))
    assert not notebook.kernel_never_answered(RuntimeError("something else"))
