"""Print each published municipality report of a year to an A4 PDF with page numbers via headless Chromium."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from pipeline import config
from pipeline.publish import chromium
from pipeline.publish.chromium import BrowserNotFoundError

__all__ = [
    "BrowserNotFoundError",
    "count_pdf_pages",
    "keeps_link",
    "print_year",
    "remove_stale",
    "report_files",
    "stale",
]

logger = logging.getLogger(__name__)

#: Municipality reports directly in reports/<YEAR>/ (codes are three digits: 101-860).
REPORT_GLOB = "[0-9][0-9][0-9]-*.html"

#: Same as the @page margins in templates/print.css; the bottom one holds the footer.
PDF_MARGIN = {"top": "18mm", "right": "16mm", "bottom": "20mm", "left": "16mm"}

HEADER_TEMPLATE = "<span></span>"
FOOTER_TEMPLATE = (
    '<div style="box-sizing:border-box;width:100%;padding:0 16mm;font-size:8pt;'
    "font-family:sans-serif;"
    'color:#333;text-align:right;">'
    'Side <span class="pageNumber"></span> af <span class="totalPages"></span>'
    "</div>"
)

_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")

#: Schemes whose links a PDF keeps: they mean the same wherever the PDF is read.
KEPT_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

#: Every link of the page: its href as written, and whether a fragment link finds its target.
LINKS_JS = """
() => [...document.querySelectorAll('a[href], area[href]')].map(a => {
  const href = a.getAttribute('href') || '';
  let target = false;
  if (href.startsWith('#')) {
    try { target = !!document.getElementById(decodeURIComponent(href.slice(1))); } catch (e) {}
  }
  return {href, target};
})
"""

#: Removes the href of the links at the given indices (same order as LINKS_JS): the text stays.
DELINK_JS = """
(drop) => {
  const links = [...document.querySelectorAll('a[href], area[href]')];
  for (const i of drop) links[i].removeAttribute('href');
  return drop.length;
}
"""


def count_pdf_pages(data: bytes) -> int:
    """Number of page objects in a PDF (`/Type /Page`, not `/Pages`); Chromium's PDFs do not
    hide them in compressed object streams."""
    return len(_PAGE_OBJECT.findall(data))


def keeps_link(href: str, target_exists: bool = True) -> bool:
    """Whether a link stays a link in the PDF: a link into the page itself (`#metode`, when the
    target exists; Chromium makes it an internal destination) or to the web (http, https, mailto).
    Any other link (`validation/151-ballerup.html`, `index.html`, `kpis.csv`) is resolved by
    Chromium against the page's file:// address, so the PDF would carry the absolute path of the
    folder it was printed in, and the link would break once the PDF is published: it is removed,
    its text stays."""
    h = (href or "").strip()
    if h.startswith("#"):
        return len(h) > 1 and target_exists
    return urlsplit(h).scheme.lower() in KEPT_LINK_SCHEMES


def stale(year_dir: Path) -> list[Path]:
    """PDFs in `<year_dir>/pdf/` that no longer match their report: older than their report's
    HTML (`<year_dir>/<code>-<slug>.html`), or whose report no longer exists. Sorted by name."""
    year_dir = Path(year_dir)
    found: list[Path] = []
    for pdf_path in sorted((year_dir / "pdf").glob("*.pdf")):
        html = year_dir / f"{pdf_path.stem}.html"
        if not html.is_file() or pdf_path.stat().st_mtime_ns < html.stat().st_mtime_ns:
            found.append(pdf_path)
    return found


def remove_stale(year_dir: Path) -> list[Path]:
    """Delete the `stale` PDFs of a year folder and return them (`make pdf` prints them anew)."""
    removed = stale(year_dir)
    for pdf_path in removed:
        pdf_path.unlink(missing_ok=True)
        logger.info("removed stale PDF %s", pdf_path)
    return removed


def _year_dir(year: int, reports_dir: Path | None) -> tuple[Path, Path]:
    """(reports/<YEAR>, reports/<YEAR>/pdf). `reports_dir` is the reports root (like
    `config.REPORTS`); a path that is itself the `<YEAR>` folder is accepted too."""
    root = Path(reports_dir) if reports_dir is not None else config.REPORTS
    year_dir = config.YearPaths(year, reports_root=root).reports
    if not year_dir.is_dir() and root.name == str(year) and root.is_dir():
        year_dir = root
    return year_dir, year_dir / "pdf"


def report_files(year_dir: Path, municipality: int | None = None) -> list[Path]:
    """The municipality reports of a year folder, sorted by code (optionally just one)."""
    files = sorted(p for p in Path(year_dir).glob(REPORT_GLOB) if p.is_file())
    if municipality is not None:
        files = [p for p in files if p.name.split("-", 1)[0] == f"{int(municipality):03d}"]
    return files


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _print_one(browser, html: Path, out_dir: Path) -> Path:
    started = time.perf_counter()
    url = chromium.file_url(html)
    context = browser.new_context(**chromium.context_options())
    blocked: list[str] = []
    try:
        chromium.block_network(context, url, blocked)
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        links = page.evaluate(LINKS_JS)
        drop = [i for i, link in enumerate(links) if not keeps_link(link["href"], link["target"])]
        if drop:
            page.evaluate(DELINK_JS, drop)
        data = page.pdf(
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=HEADER_TEMPLATE,
            footer_template=FOOTER_TEMPLATE,
            margin=PDF_MARGIN,
            outline=True,
            tagged=True,
        )
    finally:
        context.close()
    if blocked:
        logger.warning(
            "%s asked for %d resource(s) outside the file, blocked: %s",
            html.name,
            len(blocked),
            ", ".join(blocked[:5]),
        )
    target = out_dir / f"{html.stem}.pdf"
    _write_atomically(target, data)
    logger.info(
        "printed %s (%d pages, %.1f s)",
        target,
        count_pdf_pages(data),
        time.perf_counter() - started,
    )
    return target


def print_year(
    year: int, reports_dir: Path | None = None, municipality: int | None = None
) -> list[Path]:
    """Print reports/<YEAR>/<code>-<slug>.html to reports/<YEAR>/pdf/<code>-<slug>.pdf.

    Every report is printed anew, so every stale or missing PDF is refreshed; a PDF whose report
    no longer exists is removed (`stale`). `reports_dir` is the reports root (default
    `config.REPORTS`). Network is blocked: only the report file itself and data: URLs load.
    Links to other local files are removed (`keeps_link`), so no PDF carries a file:// address.
    Raises `BrowserNotFoundError` when there is no Chromium, FileNotFoundError when there is no
    report to print."""
    executable = chromium.require_chromium()
    year_dir, out_dir = _year_dir(year, reports_dir)
    for orphan in stale(year_dir):
        if not (year_dir / f"{orphan.stem}.html").is_file():
            orphan.unlink(missing_ok=True)
            logger.info("removed %s: its report no longer exists", orphan)
    files = report_files(year_dir, municipality)
    if not files:
        which = f"municipality {municipality}" if municipality is not None else "any municipality"
        raise FileNotFoundError(
            f"Ingen rapporter at printe for {which} i {year_dir} (kør `make report` først). "
            f"/ No reports to print for {which} in {year_dir} (run `make report` first)."
        )
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    printed: list[Path] = []
    started = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium.launch_options(executable))
        try:
            logger.info(
                "Chromium %s: printing %d report(s) of %s", browser.version, len(files), year
            )
            for html in files:
                printed.append(_print_one(browser, html, out_dir))
        finally:
            browser.close()
    logger.info(
        "printed %d PDF(s) to %s in %.1f s", len(printed), out_dir, time.perf_counter() - started
    )
    return printed
