"""The pure helpers behind the browser checks and the PDFs (no browser needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline import browser, pdf

PAGE = "file:///tmp/reports/2024/151-ballerup.html"


# --- offline policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        PAGE,
        PAGE + "#chart-1",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/css,body%7B%7D",
        "about:blank",
    ],
)
def test_allowed_requests(url):
    assert browser.is_request_allowed(url, PAGE)


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.jsdelivr.net/npm/vega@5",
        "http://localhost:8000/151-ballerup.html",
        "file:///tmp/reports/2024/style.css",  # another local file: not self-contained
        "file:///tmp/reports/2024/index.html",
        "file:///tmp/reports/2024/151-ballerup.html.bak",
        "file:///tmp/reports/2024/151-ballerup.html?x=1",
        "ws://localhost:1234/",
        "blob:null/1234",
    ],
)
def test_blocked_requests(url):
    assert not browser.is_request_allowed(url, PAGE)


def test_file_url_is_absolute_and_encoded(tmp_path):
    page = tmp_path / "grønt regnskab.html"
    page.write_text("x")
    url = browser.file_url(page)
    assert url.startswith("file:///") and "%20" in url and "%C3%B8" in url
    assert browser.is_request_allowed(url, url)


def test_artifact_name_is_flat_and_unique(tmp_path):
    assert browser.artifact_name(tmp_path / "index.html", tmp_path) == "index"
    assert browser.artifact_name(tmp_path / "validation" / "index.html", tmp_path) == (
        "validation__index"
    )
    assert browser.artifact_name(tmp_path / "151-ballerup.html", tmp_path) == "151-ballerup"


# --- finding Chromium ---------------------------------------------------------------------


def _fake_exe(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_find_chromium_prefers_env(monkeypatch, tmp_path):
    exe = _fake_exe(tmp_path / "my-chromium")
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(exe))
    assert browser.find_chromium() == exe


def test_find_chromium_skips_non_executables(monkeypatch, tmp_path):
    not_exe = tmp_path / "chromium-not-executable"
    not_exe.write_text("")
    exe = _fake_exe(tmp_path / "chromium")
    monkeypatch.delenv(browser.CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", (str(not_exe), str(exe)))
    assert browser.find_chromium() == exe


def test_no_chromium_raises_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(tmp_path / "nope"))
    monkeypatch.setattr(browser, "CHROMIUM_CANDIDATES", (str(tmp_path / "missing"),))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.find_chromium() is None
    with pytest.raises(browser.BrowserNotFoundError) as info:
        browser.require_chromium()
    message = str(info.value)
    assert "Chromium blev ikke fundet" in message and "Chromium was not found" in message
    assert "apt-get install -y chromium" in message
    assert str(tmp_path / "missing") in message
    with pytest.raises(browser.BrowserNotFoundError):
        browser.launch_options()
    # print_year checks for the browser before it looks for reports
    with pytest.raises(pdf.BrowserNotFoundError):
        pdf.print_year(2024, reports_dir=tmp_path)


def test_launch_options_are_headless_and_offline(tmp_path):
    opts = browser.launch_options(Path("/usr/bin/chromium"))
    assert opts["executable_path"] == "/usr/bin/chromium" and opts["headless"] is True
    for flag in ("--no-sandbox", "--disable-background-networking", "--disable-component-update"):
        assert flag in opts["args"]


# --- page facts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([1, 2, 3, 2, 3, 3, 2], 0),
        ([1, 2, 3, 4, 2], 0),
        ([1], 0),
        ([1, 3], 1),  # skips h2
        ([1, 2, 4], 1),  # skips h3
        ([2, 1], 1),  # first heading is not the h1 (0 → 2 is not counted as a skip)
        ([1, 2, 1], 1),  # two h1
        ([], 1),  # no h1
    ],
)
def test_heading_problems(levels, expected):
    problems = browser.heading_problems(levels)
    assert len(problems) == expected, problems


def test_heading_skip_message_names_the_levels():
    (problem,) = browser.heading_problems([1, 2, 4])
    assert "<h2> followed by <h4>" in problem and "h3" in problem


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Grønt regnskab 2024 – Ballerup Kommune", True),
        ("Validering af leverancer 2024", True),
        ("", False),
        ("   ", False),
        (None, False),
        ("green_account", False),
        ("Notebook", False),
        ("151-ballerup.html", False),
        ("Rapport 1", False),  # too short
    ],
)
def test_title_problem(title, ok):
    assert (browser.title_problem(title) is None) is ok


@pytest.mark.parametrize(
    ("lang", "ok"),
    [("da", True), ("da-DK", True), ("DA", True), ("en", False), ("", False), (None, False)],
)
def test_lang_problem(lang, ok):
    assert (browser.lang_problem(lang) is None) is ok


def test_table_problems():
    tables = [
        {"index": 0, "caption": "Nøgletal", "th": 3, "rows": 4},
        {"index": 1, "caption": "Affald", "th": 0, "rows": 2},
    ]
    (problem,) = browser.table_problems(tables)
    assert "table #2" in problem and "Affald" in problem


def _chart(width, height, name="Genanvendelse 2019–2024", figure_name=""):
    return {"index": 0, "label": "#c1", "width": width, "height": height, "name": name,
            "figure_name": figure_name}  # fmt: skip


def test_chart_problems():
    assert browser.chart_problems([_chart(640, 270)]) == []
    assert len(browser.chart_problems([_chart(199, 270)])) == 1
    assert len(browser.chart_problems([_chart(640, 99)])) == 1
    assert len(browser.chart_problems([_chart(0, 0)])) == 1
    assert browser.chart_problems([], require_chart=False) == []
    assert len(browser.chart_problems([], require_chart=True)) == 1


def test_chart_name_problems():
    assert browser.chart_name_problems([_chart(640, 270)]) == []
    assert browser.chart_name_problems([_chart(640, 270, name="", figure_name="Affald")]) == []
    assert len(browser.chart_name_problems([_chart(640, 270, name="  ", figure_name="")])) == 1


def test_image_problems():
    images = [
        {"src": "data:image/png;base64,xx", "complete": True, "natural_width": 10},
        {"src": "logo.png", "complete": True, "natural_width": 0},
        {"src": "slow.png", "complete": False, "natural_width": 0},
    ]
    assert len(browser.image_problems(images)) == 2


def test_format_axe_violations_lists_nodes():
    violations = [
        {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
            "nodes": [
                {
                    "target": ["figure#c1 > figcaption"],
                    "html": "<figcaption>Kilde</figcaption>",
                    "summary": "Fix any of the following:\n  contrast 2.1",
                },
                {"target": [["iframe", "p"]], "html": "<p>x</p>", "summary": ""},
            ],
        }
    ]
    text = browser.format_axe_violations(violations)
    assert "[serious] color-contrast" in text
    assert "figure#c1 > figcaption" in text and "<figcaption>Kilde</figcaption>" in text
    assert "iframe>>p" in text and "contrast 2.1" in text


# --- vnu ------------------------------------------------------------------------------------

VNU_JSON = {
    "version": "26.9.27",
    "messages": [
        {"type": "error", "url": "file:/tmp/r/2024/151-ballerup.html", "lastLine": 12,
         "firstColumn": 3, "message": "Stray end tag “div”.", "extract": "</p></div>\n"},
        {"type": "info", "subType": "warning", "url": "file:/tmp/r/2024/index.html",
         "lastLine": 2, "message": "Consider adding a “lang” attribute."},
        {"type": "non-document-error", "subType": "io", "url": "file:/tmp/r/2024/gone.html",
         "message": "File not found."},
        {"type": "error", "subType": "fatal", "url": "file:/tmp/r/2024/gr%C3%B8n.html",
         "lastLine": 1, "message": "Fatal."},
    ],
}  # fmt: skip


def test_parse_vnu_json():
    messages = browser.parse_vnu_json(json.dumps(VNU_JSON))
    assert [m["type"] for m in messages] == ["error", "info", "non-document-error", "error"]
    assert messages[0]["file"] == "/tmp/r/2024/151-ballerup.html"
    assert messages[0]["line"] == 12 and messages[0]["column"] == 3
    assert messages[3]["file"] == "/tmp/r/2024/grøn.html"
    errors = browser.vnu_errors(messages)
    assert len(errors) == 3  # info/warning does not fail, an unreadable file does


def test_parse_vnu_json_rejects_empty_output():
    with pytest.raises(ValueError):
        browser.parse_vnu_json("  ")
    assert browser.parse_vnu_json('{"messages": []}') == []


def test_format_vnu_message_relative_path():
    (m, *_) = browser.parse_vnu_json(json.dumps(VNU_JSON))
    line = browser.format_vnu_message(m, Path("/tmp/r/2024"))
    assert line.strip().startswith("151-ballerup.html:12:3: error: Stray end tag")
    assert "</p></div>" in line


# --- pdf helpers ----------------------------------------------------------------------------


def test_count_pdf_pages():
    data = (
        b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>> endobj\n"
        b"2 0 obj <</Type /Page /Parent 1 0 R>> endobj\n"
        b"3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n"
        b"4 0 obj <</Type /PageLabel>> endobj\n"
    )
    assert pdf.count_pdf_pages(data) == 2
    assert pdf.count_pdf_pages(b"%PDF-1.4\n") == 0


def test_report_files_only_municipality_reports(tmp_path):
    for name in ("151-ballerup.html", "101-koebenhavn.html", "index.html", "151-ballerup.ipynb"):
        (tmp_path / name).write_text("x")
    (tmp_path / "validation").mkdir()
    (tmp_path / "validation" / "151-ballerup.html").write_text("x")
    names = [p.name for p in pdf.report_files(tmp_path)]
    assert names == ["101-koebenhavn.html", "151-ballerup.html"]
    assert [p.name for p in pdf.report_files(tmp_path, municipality=151)] == ["151-ballerup.html"]
    assert pdf.report_files(tmp_path, municipality=15) == []


def test_write_atomically_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "151-ballerup.pdf"
    target.write_bytes(b"old")
    pdf._write_atomically(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert os.listdir(tmp_path) == ["151-ballerup.pdf"]


def test_print_css_rules():
    css = (Path(pdf.__file__).parent / "templates" / "print.css").read_text(encoding="utf-8")
    assert "size: A4" in css and "@media print" in css
    assert "break-inside: avoid" in css and "break-after: avoid" in css
    assert ".kpi" in css and "display: none" in css
