"""Browser checks of the published pages: fixtures, the session-wide run and the closing summary.

Every page under reports/<YEAR> (the `published_reports` fixture) is opened once, offline, in
headless Debian Chromium; the facts gathered there (requests, console errors, DOM facts, axe-core
results, screenshot) are judged by the tests in test_pages.py, with the axe run and the judges in
harness.py; Chromium is found and opened offline as for the PDFs (pipeline.publish.chromium). The
Nu Html Checker runs once for all pages in one Java process. Missing tools skip these tests
loudly, or fail them when CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.publish import chromium
from tests.browser import harness

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PRINT_CSS = REPO / "pipeline" / "templates" / "print.css"


# --- missing tools: skip locally, fail in CI ---------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def tool_missing(reason: str, stats: BrowserStats | None = None) -> None:
    """Skip (locally) or fail (CI=true) with a loud reason."""
    message = f"BROWSER CHECKS NOT RUN: {reason}"
    if stats is not None:
        stats.not_run.add(reason)
    if in_ci():
        pytest.fail(
            message + " (CI=true, so this is a failure; .ci/run installs it)", pytrace=False
        )
    pytest.skip(message)


def require_chromium(stats: BrowserStats) -> Path:
    path = chromium.find_chromium()
    if path is None:
        tool_missing(
            f"no Chromium found (looked in {', '.join(chromium.chromium_search_path())}); "
            f"install it with `{chromium.INSTALL_HINT}`",
            stats,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        tool_missing("the Python package playwright is not installed in .venv (make setup)", stats)
    return path


# --- the collector behind the closing summary ----------------------------------------------


@dataclass
class BrowserStats:
    pages_checked: int = 0
    page_check_seconds: float = 0.0
    axe_violations: int | None = None  # violated rules, summed over pages
    axe_nodes: int = 0
    external_requests: int | None = None
    console_errors: int | None = None
    vnu_files: int = 0
    vnu_errors: int | None = None
    vnu_warnings: int = 0
    vnu_seconds: float = 0.0
    pdf_seconds: float = 0.0
    pdf_pages: dict[str, int] = field(default_factory=dict)
    phone_pages: int = 0
    phone_too_wide: list[str] = field(default_factory=list)  # "<scenario>/<page>: <width> px"
    phone_widest: dict[str, int] = field(default_factory=dict)  # page type → widest page, px
    summary_rows: int = 0
    summary_rows_on_screen: int = 0
    chromium_version: str = ""
    not_run: set[str] = field(default_factory=set)


STATS_KEY = pytest.StashKey[BrowserStats]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[STATS_KEY] = BrowserStats()


def _count(value: int | None) -> str:
    return "not run" if value is None else str(value)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    stats = config.stash.get(STATS_KEY, None)
    if stats is None:
        return
    tr = terminalreporter
    tr.section("browser checks (tests/browser)")
    tr.write_line(
        f"pages checked: {stats.pages_checked} | axe violations: {_count(stats.axe_violations)}"
        f" | vnu errors: {_count(stats.vnu_errors)}"
        f" | external requests: {_count(stats.external_requests)}"
        f" | console errors: {_count(stats.console_errors)}"
    )
    if stats.pages_checked:
        tr.write_line(
            f"timing: {stats.pages_checked} pages (load, DOM checks, screenshot, axe) in "
            f"{stats.page_check_seconds:.1f} s "
            f"({stats.page_check_seconds / stats.pages_checked:.2f} s/page)"
        )
    if stats.phone_pages:
        w, h = harness.PHONE_VIEWPORT["width"], harness.PHONE_VIEWPORT["height"]
        widest = ", ".join(f"{kind} {px} px" for kind, px in sorted(stats.phone_widest.items()))
        tr.write_line(
            f"phone {w}×{h}: {stats.phone_pages} pages, {len(stats.phone_too_wide)} scroll sideways"
            f" (widest: {widest}) | summary status on screen: {stats.summary_rows_on_screen}"
            f" of {stats.summary_rows} KPI rows"
        )
        for line in stats.phone_too_wide:
            tr.write_line(f"  too wide at {w} px: {line}", red=True)
    if stats.vnu_files:
        tr.write_line(
            f"vnu: {stats.vnu_files} files in {stats.vnu_seconds:.1f} s, "
            f"{stats.vnu_warnings} warning/info message(s)"
        )
    if stats.pdf_pages:
        n = len(stats.pdf_pages)
        pages = ", ".join(f"{name}: {count}" for name, count in sorted(stats.pdf_pages.items()))
        tr.write_line(
            f"pdf: {n} report(s) in {stats.pdf_seconds:.1f} s ({stats.pdf_seconds / n:.2f} s/report);"
            f" pages: {pages}"
        )
    if stats.chromium_version:
        tr.write_line(f"chromium: {stats.chromium_version}")
    if stats.pages_checked:
        tr.write_line(f"screenshots: {SCREENSHOTS}")
    for reason in sorted(stats.not_run):
        tr.write_line(f"NOT RUN: {reason}", red=True, bold=True)


@pytest.fixture(scope="session")
def browser_stats(request: pytest.FixtureRequest) -> BrowserStats:
    return request.config.stash[STATS_KEY]


# --- which pages ----------------------------------------------------------------------------


#: Check an existing reports/<YEAR> folder instead of fresh pipeline runs, e.g.
#: `GREEN_ACCOUNTS_CHECK_DIR=reports/2024 .venv/bin/python -m pytest tests/browser`.
CHECK_DIR_ENV = "GREEN_ACCOUNTS_CHECK_DIR"


#: Which published trees are checked: the clean sample run, and the run with planted faults
#: (a blocked municipality, an unreadable delivery, a caveat, a fleet-only delivery).
SCENARIOS = {"sample": "published_reports", "faults": "faulty_reports"}
SCENARIO_OF: dict[Path, str] = {}


@pytest.fixture(scope="session", params=list(SCENARIOS))
def reports_dir(request: pytest.FixtureRequest) -> Path:
    """reports/<YEAR> under test, once per scenario (fixtures in tests/conftest.py), unless
    $GREEN_ACCOUNTS_CHECK_DIR names one folder to check instead."""
    override = os.environ.get(CHECK_DIR_ENV, "").strip()
    if override:
        if request.param != "sample":
            pytest.skip(f"{CHECK_DIR_ENV} is set: only that folder is checked")
        path = Path(override).resolve()
        if not path.is_dir() or not path.name.isdigit():
            pytest.fail(f"{CHECK_DIR_ENV}={override} is not a reports/<YEAR> folder", pytrace=False)
    else:
        path = Path(request.getfixturevalue(SCENARIOS[request.param]))
    SCENARIO_OF[path] = request.param
    return path


@pytest.fixture(scope="session")
def report_pages(reports_dir: Path) -> list[Path]:
    """Every generated HTML page under reports/<YEAR>, recursively (reports, index, validation)."""
    return sorted(p for p in reports_dir.rglob("*.html") if p.is_file())


def is_municipality_report(page: Path, year_dir: Path) -> bool:
    """reports/<YEAR>/<code>-<slug>.html (not the index, not a validation page)."""
    return page.parent.resolve() == year_dir.resolve() and page.match("[0-9][0-9][0-9]-*.html")


# --- the page run ---------------------------------------------------------------------------


@dataclass
class PageResult:
    path: Path
    name: str
    is_report: bool
    load_error: str = ""
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    axe_violations: list[dict] = field(default_factory=list)
    axe_rules_run: list[str] = field(default_factory=list)
    phone: dict = field(default_factory=dict)  # harness.PHONE_FACTS_JS at harness.PHONE_VIEWPORT
    screenshot: Path | None = None
    phone_screenshot: Path | None = None
    seconds: float = 0.0


def _check_page(browser, page_path: Path, year_dir: Path, screenshots: Path | None) -> PageResult:
    started = time.perf_counter()
    name = harness.artifact_name(page_path, year_dir)
    result = PageResult(page_path, name, is_municipality_report(page_path, year_dir))
    url = chromium.file_url(page_path)
    context = browser.new_context(**chromium.context_options())
    try:
        chromium.block_network(context, url, result.blocked)
        page = context.new_page()

        def on_console(msg) -> None:
            if msg.type == "error":
                loc = msg.location or {}
                where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc else ""
                result.console_errors.append(msg.text + where)

        page.on("console", on_console)
        page.on("pageerror", lambda err: result.page_errors.append(str(err)))
        try:
            page.goto(url, wait_until="load", timeout=30_000)
            page.evaluate("document.fonts.ready.then(() => true)")
        except Exception as exc:  # noqa: BLE001 - reported as a test failure, not a crash
            result.load_error = f"{type(exc).__name__}: {exc}"
            return result
        result.facts = page.evaluate(harness.PAGE_FACTS_JS)
        if screenshots is not None:
            shot = screenshots / f"{name}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            result.screenshot = shot
        page.add_script_tag(path=str(AXE_JS))
        axe = page.evaluate(
            harness.AXE_RUN_JS, [list(harness.AXE_TAGS), list(harness.AXE_INCOMPLETE_FAILS)]
        )
        result.axe_violations, result.axe_rules_run = axe["violations"], axe["ran"]
        # The same page on a phone: resized, so the layout (media queries included) is redone.
        page.set_viewport_size(harness.PHONE_VIEWPORT)
        result.phone = page.evaluate(harness.PHONE_FACTS_JS, harness.OVERFLOW_TOLERANCE)
        if screenshots is not None:
            shot = screenshots / f"{name}@{harness.PHONE_VIEWPORT['width']}px.png"
            page.screenshot(path=str(shot), full_page=True)
            result.phone_screenshot = shot
    finally:
        context.close()
        result.seconds = time.perf_counter() - started
    return result


@pytest.fixture(scope="session")
def chromium_executable(browser_stats: BrowserStats) -> Path:
    """Path of Debian's Chromium (skips locally / fails in CI when there is none)."""
    return require_chromium(browser_stats)


@pytest.fixture(scope="session")
def open_pages(
    chromium_executable: Path, browser_stats: BrowserStats
) -> Callable[..., list[PageResult]]:
    """open_pages(pages, root, screenshots=None): open each page once, offline, in one Chromium
    (a fresh context per page), gather its facts and run axe; screenshots go to that folder."""
    if not AXE_JS.is_file():
        tool_missing(f"{AXE_JS.relative_to(REPO)} is missing; run `npm ci`", browser_stats)

    def run(pages: list[Path], root: Path, screenshots: Path | None = None) -> list[PageResult]:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium.launch_options(chromium_executable))
            try:
                browser_stats.chromium_version = browser.version
                return [_check_page(browser, page, root, screenshots) for page in pages]
            finally:
                browser.close()

    return run


@pytest.fixture(scope="session")
def page_results(
    report_pages: list[Path],
    reports_dir: Path,
    browser_stats: BrowserStats,
    open_pages: Callable[..., list[PageResult]],
) -> list[PageResult]:
    """Open every page once (one browser per scenario, a fresh context per page)."""
    screenshots = SCREENSHOTS / SCENARIO_OF.get(reports_dir, "pages")
    screenshots.mkdir(parents=True, exist_ok=True)
    for old in screenshots.glob("*.png"):
        old.unlink()  # only this run's pages in the artifacts
    started = time.perf_counter()
    results = open_pages(report_pages, reports_dir, screenshots)
    count_pages(results, browser_stats, SCENARIO_OF.get(reports_dir, "pages"), time.perf_counter() - started)
    return results


def count_pages(results: list[PageResult], stats: BrowserStats, scenario: str, seconds: float) -> None:
    """Add the pages' findings to the closing summary."""
    stats.page_check_seconds += seconds
    stats.pages_checked += len(results)
    stats.external_requests = (stats.external_requests or 0) + sum(len(r.blocked) for r in results)
    stats.console_errors = (stats.console_errors or 0) + sum(
        len(r.console_errors) + len(r.page_errors) for r in results
    )
    stats.axe_violations = (stats.axe_violations or 0) + sum(len(r.axe_violations) for r in results)
    stats.axe_nodes += sum(len(v["nodes"]) for r in results for v in r.axe_violations)
    for r in results:
        if not r.phone:
            continue
        stats.phone_pages += 1
        width, kind = r.phone["scroll_width"], harness.page_type(r.name)
        stats.phone_widest[kind] = max(stats.phone_widest.get(kind, 0), width)
        if harness.overflow_problems(r.phone):
            stats.phone_too_wide.append(f"{scenario}/{r.name}: {width} px")
        rows = r.phone["summary_rows"]
        stats.summary_rows += len(rows)
        stats.summary_rows_on_screen += sum(
            1
            for row in rows
            if not harness.summary_status_problems([row], r.phone["viewport_width"])
        )


@pytest.fixture(scope="session")
def vnu_messages(report_pages: list[Path], browser_stats: BrowserStats) -> list[dict]:
    """Nu Html Checker messages for all pages, from one Java process."""
    return run_vnu(report_pages, browser_stats)


def run_vnu(pages: list[Path], browser_stats: BrowserStats) -> list[dict]:
    """Nu Html Checker messages for PAGES, from one Java process (skips or fails without Java/vnu)."""
    java = shutil.which("java")
    if java is None:
        tool_missing("no `java` on PATH (the Nu Html Checker needs Java 11+)", browser_stats)
    if not VNU_JAR.is_file():
        tool_missing(f"{VNU_JAR.relative_to(REPO)} is missing; run `npm ci`", browser_stats)
    if not pages:
        return []
    cmd = [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", "--stdout"]
    started = time.perf_counter()
    proc = subprocess.run(
        cmd + [str(p) for p in pages],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    browser_stats.vnu_seconds += time.perf_counter() - started
    browser_stats.vnu_files += len(pages)
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail(
            f"vnu failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}\n{proc.stdout[-3000:]}",
            pytrace=False,
        )
    messages = harness.parse_vnu_json(proc.stdout)
    errors = harness.vnu_errors(messages)
    browser_stats.vnu_errors = (browser_stats.vnu_errors or 0) + len(errors)
    browser_stats.vnu_warnings += len(messages) - len(errors)
    return messages
