"""The published page shell: only the notebook's HTML outputs, escaped title, inline CSS, no code."""

import nbformat
from papermill.exceptions import PapermillExecutionError

from pipeline import render


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
    nb.cells = [nbformat.v4.new_markdown_cell("# Skabelon"), code, plain]
    return nb


def test_page_has_only_html_outputs_and_danish_shell():
    html = render.to_html(notebook_with_outputs(), 151, 2024, "23. november 2026 kl. 12:00")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="da">' in html
    assert "<title>Grønt regnskab 2024 – Ballerup Kommune</title>" in html
    assert "<h1>Grønt regnskab 2024 – Ballerup Kommune</h1>" in html
    assert "<section><h2>Sammendrag</h2></section>" in html
    for leaked in ("display(HTML", "noisy library", "Skabelon", "1 + 1", "<script", "IPython.core"):
        assert leaked not in html, leaked
    assert "Genereret 23. november 2026 kl. 12:00" in html
    assert ".status-on-track" in html and "@media print" in html, "report.css and print.css are inlined"


def test_failure_points_at_the_cell():
    exc = PapermillExecutionError(cell_index=3, exec_count=4, source="acc = account.build(...)",
                                  ename="FileNotFoundError", evalue="no processed data for 2024",
                                  traceback=[])
    assert render.describe_failure(exc) == "celle 4 fejlede: FileNotFoundError: no processed data for 2024"


def test_failed_notebook_keeps_the_last_good_report(tmp_path):
    reports = tmp_path / "reports"
    published = reports / "2024" / "151-ballerup.html"
    published.parent.mkdir(parents=True)
    published.write_text("forrige udgave", encoding="utf-8")
    job = render.RenderJob(151, 2024, str(tmp_path / "no-processed-data"), str(tmp_path), str(reports), "nu")
    outcome = render.render_one(job)
    assert not outcome.ok and "celle" in outcome.error and "151-ballerup.failed.ipynb" in outcome.error
    assert published.read_text(encoding="utf-8") == "forrige udgave"
    assert (reports / "2024" / "notebooks" / "151-ballerup.failed.ipynb").exists()
