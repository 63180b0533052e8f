"""pipeline.publish.pdf without a browser: which links a PDF keeps, and stale PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.publish import pdf


@pytest.mark.parametrize(
    ("href", "target", "kept"),
    [
        ("#metode", True, True),  # into the page: an internal destination in the PDF
        ("#findes-ikke", False, False),
        ("#", True, False),
        ("https://www.ballerup.dk/klima", True, True),
        ("http://example.org", True, True),
        ("mailto:klima@ballerup.dk", True, True),
        ("validation/151-ballerup.html", True, False),  # would become file:///…/validation/…
        ("validation/151-ballerup.html#inddata", True, False),
        ("index.html", True, False),
        ("kpis.csv", True, False),
        ("../2023/151-ballerup.html", True, False),
        ("file:///home/analyst/reports/2024/index.html", True, False),
        ("/home/analyst/reports/2024/index.html", True, False),
        ("javascript:void(0)", True, False),
        ("", True, False),
    ],
)
def test_keeps_link(href, target, kept):
    assert pdf.keeps_link(href, target) is kept


def _touch(path: Path, mtime: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def year_dir(tmp_path) -> Path:
    """reports/2024 with: a fresh PDF, one older than its report, one whose report is gone, a
    report without a PDF, and a PDF exactly as old as its report (not stale)."""
    d = tmp_path / "reports" / "2024"
    t = 1_700_000_000
    _touch(d / "151-ballerup.html", t)
    _touch(d / "pdf" / "151-ballerup.pdf", t + 60)
    _touch(d / "665-lemvig.html", t + 120)
    _touch(d / "pdf" / "665-lemvig.pdf", t + 60)
    _touch(d / "pdf" / "730-randers.pdf", t + 60)
    _touch(d / "741-samsoe.html", t)
    _touch(d / "751-aarhus.html", t)
    _touch(d / "pdf" / "751-aarhus.pdf", t)
    _touch(d / "index.html", t + 600)
    return d


def test_stale_pdfs(year_dir):
    assert [p.name for p in pdf.stale(year_dir)] == ["665-lemvig.pdf", "730-randers.pdf"]
    assert all(p.is_file() for p in pdf.stale(year_dir))  # only lists


def test_remove_stale_pdfs(year_dir):
    removed = pdf.remove_stale(year_dir)
    assert [p.name for p in removed] == ["665-lemvig.pdf", "730-randers.pdf"]
    assert not any(p.exists() for p in removed)
    left = sorted(p.name for p in (year_dir / "pdf").iterdir())
    assert left == ["151-ballerup.pdf", "751-aarhus.pdf"]
    assert (year_dir / "665-lemvig.html").is_file()  # the reports stay
    assert pdf.stale(year_dir) == [] and pdf.remove_stale(year_dir) == []


def test_stale_without_pdf_folder(tmp_path):
    assert pdf.stale(tmp_path) == [] and pdf.remove_stale(tmp_path) == []


def test_a_newer_report_makes_its_pdf_stale(year_dir):
    report = year_dir / "151-ballerup.html"
    later = (year_dir / "pdf" / "151-ballerup.pdf").stat().st_mtime + 1
    os.utime(report, (later, later))
    assert [p.name for p in pdf.stale(year_dir)][:1] == ["151-ballerup.pdf"]
