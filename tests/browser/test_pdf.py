"""Printing the municipality reports to A4 PDFs with headless Chromium (pipeline.publish.pdf)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.publish import chromium, pdf

pytestmark = pytest.mark.browser

MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
LINK_ANNOTATION = re.compile(rb"/Subtype\s*/Link\b(.*?)>>", re.DOTALL)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def printed(
    tmp_path_factory, browser_stats, chromium_executable, request
) -> tuple[list[Path], list[Path]]:
    """(reports, PDFs): a copy of reports/<YEAR> printed with pdf.print_year, so the
    PDFs do not land in the shared published tree."""
    override = os.environ.get("GREEN_ACCOUNTS_CHECK_DIR", "").strip()
    reports_dir = Path(override).resolve() if override else request.getfixturevalue("published_reports")
    root = tmp_path_factory.mktemp("pdf") / "reports"
    year_dir = root / reports_dir.name
    shutil.copytree(reports_dir, year_dir, ignore=shutil.ignore_patterns("pdf", "notebooks"))
    started = time.perf_counter()
    pdfs = pdf.print_year(int(reports_dir.name), reports_dir=root)
    browser_stats.pdf_seconds = time.perf_counter() - started
    for p in pdfs:
        browser_stats.pdf_pages[p.name] = pdf.count_pdf_pages(p.read_bytes())
    return pdf.report_files(year_dir), pdfs


def test_every_report_printed(printed):
    reports, pdfs = printed
    assert reports, "no municipality report to print"
    assert [p.stem for p in pdfs] == [r.stem for r in reports]
    for p in pdfs:
        assert p.parent.name == "pdf" and p.parent.parent == reports[0].parent
    leftovers = [p.name for p in pdfs[0].parent.iterdir() if p.suffix != ".pdf"]
    assert not leftovers, f"temporary files left behind: {leftovers}"


def test_pdfs_are_multi_page_a4(printed):
    _, pdfs = printed
    for p in pdfs:
        data = p.read_bytes()
        assert data.startswith(b"%PDF-"), f"{p.name} is not a PDF"
        pages = pdf.count_pdf_pages(data)
        assert pages >= 2, f"{p.name} has {pages} page(s); a green account fills at least 2"
        # A4 is 595.28 × 841.89 pt; Chromium rounds it to whole CSS pixels (595.92 × 842.88).
        boxes = MEDIABOX.findall(data)
        assert len(boxes) == pages, f"{p.name}: {len(boxes)} MediaBox(es) for {pages} pages"
        for width, height in boxes:
            assert abs(float(width) - 595.3) < 2 and abs(float(height) - 841.9) < 2, (
                f"{p.name} page is {float(width):.1f}×{float(height):.1f} pt, not A4 portrait"
            )


def test_no_file_links_or_machine_paths(printed, request):
    """No PDF carries a file:// address or an absolute path of this machine (the folder it was
    printed in, the folder the report was rendered in, the project): a link into the page stays
    an internal destination, a link to another local file is removed (pdf.keeps_link)."""
    reports, pdfs = printed
    year_dir = reports[0].parent.resolve()
    override = os.environ.get("GREEN_ACCOUNTS_CHECK_DIR", "").strip()
    source = Path(override).resolve() if override else request.getfixturevalue("published_reports")
    # where it was printed, the project the report was rendered in, this checkout
    machine_paths = {
        str(year_dir.parent.parent),
        str(Path(source).resolve().parent.parent),
        str(REPO),
    }
    pdftotext = shutil.which("pdftotext")
    for p in pdfs:
        data = p.read_bytes()
        assert b"file:" not in data, f"{p.name} contains a file: address"
        for path in machine_paths:
            assert path.encode() not in data, f"{p.name} contains the absolute path {path}"
        links = LINK_ANNOTATION.findall(data)
        assert links, f"{p.name} has no links (the summary table links to each KPI)"
        for link in links:
            assert re.search(rb"/Dest\b", link) or re.search(rb"/URI\s*\((https?|mailto):", link), (
                f"{p.name}: a link is neither internal nor to the web: {link[:200]!r}"
            )
        if pdftotext:
            text = subprocess.run(
                [pdftotext, str(p), "-"], check=True, capture_output=True, text=True
            ).stdout
            assert "file:" not in text
            assert not any(path in text for path in machine_paths), f"{p.name}: a path in the text"


def test_print_year_removes_pdfs_of_reports_that_are_gone(printed, tmp_path):
    """make pdf refreshes the year: every report printed anew, a PDF without its report removed."""
    reports, _ = printed
    first = reports[0]
    year_dir = tmp_path / "reports" / first.parent.name
    (year_dir / "pdf").mkdir(parents=True)
    shutil.copy(first, year_dir / first.name)
    gone = year_dir / "pdf" / "999-udgaaet.pdf"
    gone.write_bytes(b"%PDF-1.4 old")
    old = year_dir / "pdf" / f"{first.stem}.pdf"
    old.write_bytes(b"%PDF-1.4 old")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    assert {p.name for p in pdf.stale(year_dir)} == {gone.name, old.name}
    out = pdf.print_year(int(first.parent.name), reports_dir=year_dir.parent)
    assert [p.name for p in out] == [old.name] and not gone.exists()
    assert old.read_bytes().startswith(b"%PDF-") and pdf.count_pdf_pages(old.read_bytes()) >= 2
    assert pdf.stale(year_dir) == []


def test_print_one_municipality(printed, tmp_path):
    reports, _ = printed
    first = reports[0]
    code = int(first.name.split("-", 1)[0])
    root = tmp_path / "reports"
    (root / first.parent.name).mkdir(parents=True)
    shutil.copy(first, root / first.parent.name / first.name)
    out = pdf.print_year(int(first.parent.name), reports_dir=root, municipality=code)
    assert [p.name for p in out] == [f"{first.stem}.pdf"]
    with pytest.raises(FileNotFoundError, match="make report"):
        pdf.print_year(int(first.parent.name), reports_dir=root, municipality=999)


def test_missing_chromium_gives_clear_error(monkeypatch, tmp_path):
    """No Chromium: a BrowserNotFoundError telling the user (Danish + English) to install it."""
    monkeypatch.setattr(chromium, "find_chromium", lambda: None)
    with pytest.raises(chromium.BrowserNotFoundError) as info:
        pdf.print_year(2024, reports_dir=tmp_path)
    message = str(info.value)
    assert "apt-get install" in message and "chromium" in message
    assert "blev ikke fundet" in message and "was not found" in message
    assert pdf.BrowserNotFoundError is chromium.BrowserNotFoundError


def test_footer_has_page_numbers(printed):
    """'Side N af M' in the footer of every page (checked with poppler's pdftotext when present)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("optional check: pdftotext (poppler-utils) is not installed")
    _, pdfs = printed
    for p in pdfs:
        pages = pdf.count_pdf_pages(p.read_bytes())
        text = subprocess.run(
            [pdftotext, "-layout", str(p), "-"], check=True, capture_output=True, text=True
        ).stdout
        for n in range(1, pages + 1):
            assert f"Side {n} af {pages}" in text, f"{p.name}: no 'Side {n} af {pages}' footer"
