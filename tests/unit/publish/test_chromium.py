"""The package's browser helpers (no browser needed): finding and launching Chromium offline
(pipeline.publish.chromium) and the PDF helpers (pipeline.publish.pdf). The browser-test
harness's own helpers are tested in test_browser_harness.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import config
from pipeline.publish import chromium, pdf

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
    assert chromium.is_request_allowed(url, PAGE)


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
    assert not chromium.is_request_allowed(url, PAGE)


def test_file_url_is_absolute_and_encoded(tmp_path):
    page = tmp_path / "grønt regnskab.html"
    page.write_text("x")
    url = chromium.file_url(page)
    assert url.startswith("file:///") and "%20" in url and "%C3%B8" in url
    assert chromium.is_request_allowed(url, url)


# --- finding Chromium ---------------------------------------------------------------------


def _fake_exe(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_find_chromium_prefers_env(monkeypatch, tmp_path):
    exe = _fake_exe(tmp_path / "my-chromium")
    monkeypatch.setenv(chromium.CHROMIUM_ENV, str(exe))
    assert chromium.find_chromium() == exe


def test_find_chromium_skips_non_executables(monkeypatch, tmp_path):
    not_exe = tmp_path / "chromium-not-executable"
    not_exe.write_text("")
    exe = _fake_exe(tmp_path / "chromium")
    monkeypatch.delenv(chromium.CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(chromium, "CHROMIUM_CANDIDATES", (str(not_exe), str(exe)))
    assert chromium.find_chromium() == exe


def test_no_chromium_raises_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(chromium.CHROMIUM_ENV, str(tmp_path / "nope"))
    monkeypatch.setattr(chromium, "CHROMIUM_CANDIDATES", (str(tmp_path / "missing"),))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chromium.find_chromium() is None
    with pytest.raises(chromium.BrowserNotFoundError) as info:
        chromium.require_chromium()
    message = str(info.value)
    assert "Chromium blev ikke fundet" in message and "Chromium was not found" in message
    assert "apt-get install -y chromium" in message
    assert str(tmp_path / "missing") in message
    with pytest.raises(chromium.BrowserNotFoundError):
        chromium.launch_options()
    # print_year checks for the browser before it looks for reports
    with pytest.raises(pdf.BrowserNotFoundError):
        pdf.print_year(2024, reports_dir=tmp_path)


def test_launch_options_are_headless_and_offline(tmp_path):
    opts = chromium.launch_options(Path("/usr/bin/chromium"))
    assert opts["executable_path"] == "/usr/bin/chromium" and opts["headless"] is True
    for flag in ("--no-sandbox", "--disable-background-networking", "--disable-component-update"):
        assert flag in opts["args"]


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
    css = (config.TEMPLATES / "print.css").read_text(encoding="utf-8")
    assert "size: A4" in css and "@media print" in css
    assert "break-inside: avoid" in css and "break-after: avoid" in css
    assert ".kpi" in css and "display: none" in css
