"""The year overview at national scale (issue 13, item 5): the index for all 98 municipalities (and for 29
and 6), built from a synthetic KPI table in temporary folders, opened offline in Chromium like every
published page: axe-core (WCAG 2.1 A/AA and best practice), the structural judges, no sideways scroll on a
390 px phone, and the Nu Html Checker. Then the 98 index's table is scrolled: its KPI header and the names
stay in view, at 1280 px and on the phone.

Run only this page with `pytest tests/browser/test_overview_national.py`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.account.kpis.meta import all_defs
from pipeline.publish import chromium, overview
from tests.browser import harness
from tests.browser.conftest import SCREENSHOTS, count_pages, run_vnu
from tests.factories import overview_year, synthetic_kpi_table

pytestmark = pytest.mark.browser

#: How the header is found while scrolling: the region's top edge, and the top of its first header cell.
STICKY_JS = """
() => {
  const table = document.querySelector('table.compare');
  const region = table.closest('.table-scroll');
  region.scrollTop = region.scrollHeight / 2;
  region.scrollLeft = region.scrollWidth / 2;
  const top = (el) => el.getBoundingClientRect().top;
  const left = (el) => el.getBoundingClientRect().left;
  const cells = [...table.querySelectorAll('thead th')];
  const visible = cells.filter(th => {
    const r = th.getBoundingClientRect(), box = region.getBoundingClientRect();
    return r.right > box.left && r.left < box.right;
  });
  const firstRow = table.querySelector('tbody th[scope="row"]');
  return {scrolled: region.scrollTop, region_top: top(region), header_tops: visible.map(top),
          header_texts: visible.map(th => th.textContent.trim()).slice(0, 4),
          region_left: left(region), name_left: left(firstRow), page_width: document.documentElement.scrollWidth,
          region_height: region.getBoundingClientRect().height, viewport_height: window.innerHeight};
}
"""


#: The sizes checked: all 98, a regional secretariat's 29 (Region Hovedstaden) and the sample run's 6.
SIZES = {98: list(registry.load()), 29: [c for c, m in registry.load().items() if m.region == "Hovedstaden"],
         6: [151, 665, 730, 741, 751, 766]}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory) -> dict[int, Path]:
    """index.html for each size, each in its own reports/<YEAR> folder."""
    out = {}
    for size, codes in SIZES.items():
        root = tmp_path_factory.mktemp(f"overview{size}")
        paths = overview_year(root, synthetic_kpi_table(codes))
        overview.write_year(paths, root / "no-targets", generated="nu")
        out[size] = paths.index
    return out


@pytest.fixture(scope="module")
def national_index(indexes) -> Path:
    return indexes[98]


@pytest.fixture(scope="module")
def results(indexes, open_pages, browser_stats) -> dict[int, object]:
    """Each size's index opened once (one browser), screenshots in tests/artifacts/screenshots/overview-<N>/."""
    out = {}
    for size, index in indexes.items():
        shots = SCREENSHOTS / f"overview-{size}"
        shots.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        (page,) = open_pages([index], index.parent, shots)
        count_pages([page], browser_stats, f"overview-{size}", time.perf_counter() - started)
        assert not page.load_error, page.load_error
        out[size] = page
    return out


@pytest.mark.parametrize("size", list(SIZES))
def test_the_index_passes_the_page_checks(results, size):
    result = results[size]
    problems = (
        [f"requested {url}" for url in result.blocked]
        + result.console_errors + result.page_errors
        + ([harness.format_axe_violations(result.axe_violations)] if result.axe_violations else [])
        + [p for p in (harness.lang_problem(result.facts["lang"]), harness.title_problem(result.facts["title"])) if p]
        + harness.h1_problems([h["level"] for h in result.facts["headings"]])
        + harness.table_problems(result.facts["tables"])
        + harness.chart_problems(result.facts["charts"])
        + harness.chart_role_problems(result.facts["charts"])
    )
    assert not problems, "\n".join(problems)
    assert len(result.facts["charts"]) == len(all_defs()), "one spread chart per KPI"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_index_reads_on_a_phone(results, size):
    phone = results[size].phone
    problems = harness.overflow_problems(phone) + harness.wide_table_problems(phone["tables"])
    assert not problems, "\n".join(problems)
    widths = ", ".join(f"{t['caption'][:30]!r} {t['width']} px" for t in phone["tables"])
    print(f"{size} municipalities at 390 px: page {phone['scroll_width']} px wide; tables {widths}")


def test_the_indexes_are_valid_html(indexes, browser_stats):
    pages = list(indexes.values())
    messages = run_vnu(pages, browser_stats)
    errors = harness.vnu_errors(messages)
    assert not errors, "\n".join(harness.format_vnu_message(m, pages[0].parent.parent) for m in errors)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, harness.PHONE_VIEWPORT])
def test_the_kpi_header_and_the_names_stay_in_view_while_the_table_scrolls(
    national_index, chromium_executable, viewport
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium.launch_options(chromium_executable))
        try:
            context = browser.new_context(**{**chromium.context_options(), "viewport": viewport})
            blocked: list[str] = []
            chromium.block_network(context, chromium.file_url(national_index), blocked)
            page = context.new_page()
            page.goto(chromium.file_url(national_index), wait_until="load")
            facts = page.evaluate(STICKY_JS)
        finally:
            browser.close()
    assert facts["scrolled"] > 1000, facts
    assert facts["header_tops"] and all(abs(t - facts["region_top"]) <= 1 for t in facts["header_tops"]), facts
    assert abs(facts["name_left"] - facts["region_left"]) <= 1, facts
    assert facts["region_height"] <= 0.8 * facts["viewport_height"] + 1, facts
    assert facts["page_width"] <= viewport["width"] and not blocked
