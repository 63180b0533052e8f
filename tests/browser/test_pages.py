"""Every published page, opened offline in headless Chromium: self-contained, error-free, charts
drawn, accessible (WCAG 2.1 AA via axe-core and structural rules) and valid HTML (Nu Html Checker).

Each test looks at all pages and lists every offending page, so one run shows everything to fix."""

from __future__ import annotations

import pytest

from pipeline import browser

pytestmark = pytest.mark.browser


def _fail_if(problems: dict[str, list[str]], what: str) -> None:
    problems = {page: lines for page, lines in problems.items() if lines}
    if problems:
        listing = "\n".join(
            f"{page}:\n" + "\n".join(f"  - {line}" for line in lines)
            for page, lines in sorted(problems.items())
        )
        pytest.fail(f"{what} on {len(problems)} page(s):\n{listing}", pytrace=False)


def _loaded(page_results):
    return [r for r in page_results if not r.load_error]


def test_pages_found(report_pages, reports_dir):
    names = {str(p.relative_to(reports_dir)) for p in report_pages}
    assert "index.html" in names, f"no index.html in {reports_dir}: {sorted(names)}"
    assert "validation/index.html" in names, f"no validation/index.html in {reports_dir}"
    reports = [
        p for p in report_pages if p.parent == reports_dir and p.match("[0-9][0-9][0-9]-*.html")
    ]
    assert reports, f"no municipality report (<code>-<slug>.html) in {reports_dir}"


def test_pages_load(page_results):
    _fail_if({r.name: [r.load_error] if r.load_error else [] for r in page_results}, "Load errors")


def test_no_requests_beyond_the_file(page_results):
    """Self-contained: nothing but the page's own file and data: URLs (no other local files)."""
    _fail_if(
        {r.name: [f"requested {url}" for url in r.blocked] for r in page_results},
        "Requests beyond the page itself (blocked)",
    )


def test_no_console_or_page_errors(page_results):
    _fail_if(
        {
            r.name: [f"console error: {e}" for e in r.console_errors]
            + [f"page error: {e}" for e in r.page_errors]
            for r in page_results
        },
        "Console/page errors",
    )


def test_charts_drawn(page_results):
    """Every chart (<svg> in a <figure>) has a bounding box of at least 200×100 px;
    a municipality report has at least one."""
    _fail_if(
        {
            r.name: browser.chart_problems(r.facts["charts"], require_chart=r.is_report)
            for r in _loaded(page_results)
        },
        "Charts not drawn",
    )


def test_images_loaded(page_results):
    _fail_if(
        {r.name: browser.image_problems(r.facts["images"]) for r in _loaded(page_results)},
        "Images not loaded",
    )


def test_screenshots_saved(page_results):
    missing = [
        r.name for r in _loaded(page_results) if not (r.screenshot and r.screenshot.is_file())
    ]
    assert not missing, f"no screenshot for {missing}"


def test_axe_wcag21_aa(page_results):
    """axe-core with the WCAG 2.0/2.1 A and AA rule tags: zero violations."""
    failing = {r.name: r.axe_violations for r in _loaded(page_results) if r.axe_violations}
    if failing:
        listing = "\n".join(
            f"{name} ({len(v)} rule(s)):\n{browser.format_axe_violations(v)}"
            for name, v in sorted(failing.items())
        )
        pytest.fail(
            f"axe-core WCAG 2.1 AA violations on {len(failing)} page(s):\n{listing}", pytrace=False
        )


def test_lang_and_title(page_results):
    _fail_if(
        {
            r.name: [
                p
                for p in (
                    browser.lang_problem(r.facts["lang"]),
                    browser.title_problem(r.facts["title"]),
                )
                if p
            ]
            for r in _loaded(page_results)
        },
        "Language/title problems",
    )


def test_heading_order(page_results):
    _fail_if(
        {
            r.name: browser.heading_problems([h["level"] for h in r.facts["headings"]])
            for r in _loaded(page_results)
        },
        "Heading structure problems",
    )


def test_tables_have_header_cells(page_results):
    _fail_if(
        {r.name: browser.table_problems(r.facts["tables"]) for r in _loaded(page_results)},
        "Tables without header cells",
    )


def test_charts_have_accessible_names(page_results):
    _fail_if(
        {r.name: browser.chart_name_problems(r.facts["charts"]) for r in _loaded(page_results)},
        "Charts without an accessible name",
    )


def test_valid_html(vnu_messages, reports_dir):
    """Nu Html Checker: zero errors. Warnings and info are printed, not failing."""
    errors = browser.vnu_errors(vnu_messages)
    others = [m for m in vnu_messages if m not in errors]
    if others:
        print(f"vnu: {len(others)} warning/info message(s):")
        for m in others:
            print(browser.format_vnu_message(m, reports_dir))
    if errors:
        listing = "\n".join(browser.format_vnu_message(m, reports_dir) for m in errors)
        pytest.fail(f"Nu Html Checker: {len(errors)} error(s):\n{listing}", pytrace=False)
