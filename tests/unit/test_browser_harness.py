"""The browser-test harness's pure helpers (tests/browser/harness.py; no browser needed).

Judges that gave way to axe-core, and which axe rule now covers each removed case (each rule is
checked to run on every page and to fire on a broken page in tests/browser/test_pages.py):
- heading_problems: a skipped level going down ([1, 3], [1, 2, 4] and the message naming the
  levels) is `heading-order`; no <h1> at all ([]) is `page-has-heading-one`. Still judged here:
  two <h1> and an <h1> that is not the first heading (h1_problems).
- title_problem: an empty or missing <title> ("", "   ", None) is `document-title`. Still
  judged here: generic words, file names, too short.
- lang_problem: no lang ("", None) is `html-has-lang`, a malformed one `html-lang-valid`. Still
  judged here: the language is Danish ("en" fails).
- chart_name_problems (a chart without an accessible name): `svg-img-alt` on an <svg role="img">,
  `role-img-alt` on a <figure role="img">. Still judged here: that a chart has role="img" at all,
  without which axe does not ask for a name (chart_role_problems).
- table_problems stays whole: axe's th-has-data-cells, td-headers-attr, table-duplicate-name and
  empty-table-header judge the header cells a table has, not a table without any.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import harness


def test_artifact_name_is_flat_and_unique(tmp_path):
    assert harness.artifact_name(tmp_path / "index.html", tmp_path) == "index"
    assert harness.artifact_name(tmp_path / "validation" / "index.html", tmp_path) == (
        "validation__index"
    )
    assert harness.artifact_name(tmp_path / "151-ballerup.html", tmp_path) == "151-ballerup"


# --- axe --------------------------------------------------------------------------------------


def test_axe_tags_are_wcag21_aa_and_best_practice():
    assert set(harness.AXE_TAGS) == {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}
    rules = [rule for rules in harness.AXE_RULES_REPLACING_JUDGES.values() for rule in rules]
    assert len(rules) == len(set(rules)) == 11


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
    text = harness.format_axe_violations(violations)
    assert "[serious] color-contrast" in text
    assert "figure#c1 > figcaption" in text and "<figcaption>Kilde</figcaption>" in text
    assert "iframe>>p" in text and "contrast 2.1" in text


# --- the judges axe does not cover ----------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([1, 2, 3, 2, 3, 3, 2], 0),
        ([1, 2, 3, 4, 2], 0),
        ([1], 0),
        ([2, 1], 1),  # the h1 is not the first heading
        ([1, 2, 1], 1),  # two h1
        ([2, 1, 1], 2),  # both
        # axe's, not judged twice: heading-order (skips) and page-has-heading-one (no h1)
        ([1, 3], 0),
        ([1, 2, 4], 0),
        ([], 0),
        ([2, 3], 0),
    ],
)
def test_h1_problems(levels, expected):
    problems = harness.h1_problems(levels)
    assert len(problems) == expected, problems


def test_h1_problem_messages():
    assert harness.h1_problems([1, 2, 1]) == ["expected exactly one <h1>, found 2"]
    assert harness.h1_problems([3, 1]) == ["first heading is <h3>, expected the <h1>"]


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Grønt regnskab 2024 – Ballerup Kommune", True),
        ("Validering af leverancer 2024", True),
        ("green_account", False),
        ("Notebook", False),
        ("index", False),
        ("151-ballerup.html", False),
        ("Rapport 1", False),  # too short
        # axe's document-title, not judged twice
        ("", True),
        ("   ", True),
        (None, True),
    ],
)
def test_title_problem(title, ok):
    assert (harness.title_problem(title) is None) is ok


@pytest.mark.parametrize(
    ("lang", "ok"),
    [
        ("da", True),
        ("da-DK", True),
        ("DA", True),
        ("en", False),
        ("en-DK", False),
        # axe's html-has-lang, not judged twice
        ("", True),
        (None, True),
    ],
)
def test_lang_problem(lang, ok):
    assert (harness.lang_problem(lang) is None) is ok


def test_table_problems():
    tables = [
        {"index": 0, "caption": "Nøgletal", "th": 3, "rows": 4},
        {"index": 1, "caption": "Affald", "th": 0, "rows": 2},
    ]
    (problem,) = harness.table_problems(tables)
    assert "table #2" in problem and "Affald" in problem


def _chart(width, height, role="img", figure_role=""):
    return {"index": 0, "label": "#c1", "width": width, "height": height, "role": role,
            "figure_role": figure_role}  # fmt: skip


def test_chart_problems():
    assert harness.chart_problems([_chart(640, 270)]) == []
    assert len(harness.chart_problems([_chart(199, 270)])) == 1
    assert len(harness.chart_problems([_chart(640, 99)])) == 1
    assert len(harness.chart_problems([_chart(0, 0)])) == 1
    assert harness.chart_problems([], require_chart=False) == []
    assert len(harness.chart_problems([], require_chart=True)) == 1


def test_chart_role_problems():
    assert harness.chart_role_problems([_chart(640, 270)]) == []
    assert harness.chart_role_problems([_chart(640, 270, role="", figure_role="img")]) == []
    (problem,) = harness.chart_role_problems([_chart(640, 270, role="", figure_role="")])
    assert "chart #1 #c1" in problem and 'role="img"' in problem
    assert len(harness.chart_role_problems([_chart(640, 270, role="presentation")])) == 1


def test_image_problems():
    images = [
        {"src": "data:image/png;base64,xx", "complete": True, "natural_width": 10},
        {"src": "logo.png", "complete": True, "natural_width": 0},
        {"src": "slow.png", "complete": False, "natural_width": 0},
    ]
    assert len(harness.image_problems(images)) == 2


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
    messages = harness.parse_vnu_json(json.dumps(VNU_JSON))
    assert [m["type"] for m in messages] == ["error", "info", "non-document-error", "error"]
    assert messages[0]["file"] == "/tmp/r/2024/151-ballerup.html"
    assert messages[0]["line"] == 12 and messages[0]["column"] == 3
    assert messages[3]["file"] == "/tmp/r/2024/grøn.html"
    errors = harness.vnu_errors(messages)
    assert len(errors) == 3  # info/warning does not fail, an unreadable file does


def test_parse_vnu_json_rejects_empty_output():
    with pytest.raises(ValueError):
        harness.parse_vnu_json("  ")
    assert harness.parse_vnu_json('{"messages": []}') == []


def test_format_vnu_message_relative_path():
    (m, *_) = harness.parse_vnu_json(json.dumps(VNU_JSON))
    line = harness.format_vnu_message(m, Path("/tmp/r/2024"))
    assert line.strip().startswith("151-ballerup.html:12:3: error: Stray end tag")
    assert "</p></div>" in line


# --- on a phone (390 px) ----------------------------------------------------------------------


def test_phone_viewport_is_390_by_844():
    assert harness.PHONE_VIEWPORT == {"width": 390, "height": 844}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("151-ballerup", "report"),
        ("index", "index"),
        ("validation__index", "validation"),
        ("validation__151-ballerup", "validation"),
    ],
)
def test_page_type(name, kind):
    assert harness.page_type(name) == kind


def _phone(scroll_width=390, offenders=()):
    return {"viewport_width": 390, "scroll_width": scroll_width, "offenders": list(offenders)}


def test_overflow_problems_pass_a_page_that_fits():
    assert harness.overflow_problems(_phone(390)) == []
    assert harness.overflow_problems(_phone(391)) == []  # rounding


def test_overflow_problems_name_the_width_and_the_culprits():
    wide = {"element": "table.data.summary-table", "right": 535, "width": 519,
            "text": "Nøgletal for 2024"}  # fmt: skip
    problems = harness.overflow_problems(_phone(807, [wide]))
    assert problems[0] == (
        "the page is 807 px wide at a 390 px viewport: it scrolls sideways by 417 px"
    )
    assert "table.data.summary-table 'Nøgletal for 2024'" in problems[1]
    assert "519 px wide" in problems[1] and "x = 535 px" in problems[1]


def test_overflow_problems_report_content_cut_off_without_page_scroll():
    """overflow-x: hidden on <body> hides the scroll bar, not the problem."""
    cut = {"element": "code", "right": 700, "width": 650, "text": "/home/analyst/…"}
    (problem,) = harness.overflow_problems(_phone(390, [cut]))
    assert problem.startswith("code '/home/analyst/…'")


def _table(wide=True, region=None, caption="Projekter"):
    return {"index": 2, "caption": caption, "wide": wide, "width": 791, "region": region}


def _region(**kw):
    return {"element": "div.table-scroll", "role": "region", "tabindex": "0",
            "label": "Projekter", "scrolls": True, **kw}  # fmt: skip


def test_wide_table_problems():
    assert harness.wide_table_problems([_table(wide=False)]) == []
    assert harness.wide_table_problems([_table(region=_region())]) == []
    (bare,) = harness.wide_table_problems([_table()])
    assert bare == (
        "table #3 'Projekter' (791 px) is wider than the viewport and has no scroll region"
    )
    (unnamed,) = harness.wide_table_problems([_table(region=_region(label=""))])
    assert "without a label" in unnamed
    (unreachable,) = harness.wide_table_problems(
        [_table(region=_region(role="", tabindex=None, scrolls=False))]
    )
    assert 'role="region"' in unreachable and 'tabindex="0"' in unreachable
    assert "overflow-x: auto" in unreachable
    (minus_one,) = harness.wide_table_problems([_table(region=_region(tabindex="-1"))])
    assert 'tabindex="0"' in minus_one


def _row(kpi="Personbiler på el eller brint", *badges):
    return {"kpi": kpi, "badges": [{"left": a, "right": b, "width": b - a} for a, b in badges]}


def test_summary_status_problems():
    assert harness.summary_status_problems([_row("Personbiler", (22, 130))], 390) == []
    assert harness.summary_status_problems([], 390) == []
    (required,) = harness.summary_status_problems([], 390, require=True)
    assert "no summary table" in required
    (off,) = harness.summary_status_problems([_row("Personbiler", (420, 530))], 390)
    assert off == (
        "summary row 1 'Personbiler': its status badge is at x = 420–530 px, outside the 390 px"
        " viewport"
    )
    (partly,) = harness.summary_status_problems([_row("Restaffald", (300, 410))], 390)
    assert "Restaffald" in partly
    (none,) = harness.summary_status_problems([_row("Restaffald")], 390)
    assert none == "summary row 1 'Restaffald' has no status badge"
    (hidden,) = harness.summary_status_problems([_row("Restaffald", (0, 0))], 390)
    assert "outside" in hidden
