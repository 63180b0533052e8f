"""What the browser checks run in a page and how they judge it: axe-core, page facts, vnu output.

Opening a page offline (Chromium, network blocking, file URLs) is `pipeline.publish.chromium`,
which the PDFs use too. axe-core judges accessibility, including what hand-written judges used
to check (`AXE_RULES_REPLACING_JUDGES`); the judges below are only what axe does not judge.
They are plain Python over the facts `PAGE_FACTS_JS` gathers, so they are unit-tested without a
browser (tests/unit/test_browser_harness.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

# --- axe-core ---------------------------------------------------------------------------------

#: axe-core rule tags: WCAG 2.0/2.1 level A and AA, plus axe's `best-practice` rules (which
#: include heading-order, page-has-heading-one, table-duplicate-name and empty-table-header).
AXE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

#: The hand-written judges axe-core replaced, and the axe rules (selected by AXE_TAGS) that
#: judge the same thing now. tests/browser/test_pages.py checks that axe ran them all on every
#: page and that each one fires on a deliberately broken page.
AXE_RULES_REPLACING_JUDGES: dict[str, tuple[str, ...]] = {
    "<title> present and not empty": ("document-title",),
    "<html lang> present and valid": ("html-has-lang", "html-lang-valid"),
    "no heading level skipped, an <h1> exists": ("heading-order", "page-has-heading-one"),
    "table header cells": (
        "th-has-data-cells",
        "td-headers-attr",
        "table-duplicate-name",
        "empty-table-header",
    ),
    "charts have an accessible name": ("svg-img-alt", "role-img-alt"),
}

#: Rules whose "needs review" (incomplete) result fails a page like a violation: in axe-core 4.x
#: th-has-data-cells reports a header cell without data cells only as incomplete, never as a
#: violation, so without this it could not fail.
AXE_INCOMPLETE_FAILS: tuple[str, ...] = ("th-has-data-cells",)

#: Runs axe: AXE_RUN_JS([tags, incomplete_fails]) → {violations: [...], ran: [every rule id run]}.
AXE_RUN_JS = """
async ([tags, incompleteFails]) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations', 'incomplete']});
  const failing = [...r.violations, ...r.incomplete.filter(v => incompleteFails.includes(v.id))];
  return {
    violations: failing.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
    })),
    ran: [...r.violations, ...r.passes, ...r.incomplete, ...r.inapplicable].map(x => x.id),
  };
}
"""


def format_axe_violations(violations: list[dict]) -> str:
    """A developer-readable listing: rule id, impact, help, then each node's selector and HTML."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"  [{v.get('impact') or '?'}] {v['id']}: {v.get('help', '')}")
        if v.get("helpUrl"):
            lines.append(f"      {v['helpUrl']}")
        for node in v.get("nodes", []):
            target = " ".join(
                ">>".join(t) if isinstance(t, list) else str(t) for t in node.get("target", [])
            )
            lines.append(f"      at {target}")
            lines.append(f"         {(node.get('html') or '')[:300]}")
            if node.get("summary"):
                summary = " ".join(node["summary"].split())
                lines.append(f"         {summary[:300]}")
    return "\n".join(lines)


# --- page facts and the judges axe does not cover ---------------------------------------------

#: Returns the DOM facts the *_problem(s) judges need. Charts: outermost <svg> inside a <figure>.
PAGE_FACTS_JS = """
() => {
  const text = (el) => (el ? (el.textContent || '').replace(/\\s+/g, ' ').trim() : '');
  const describe = (el) => {
    const fig = el.closest('figure');
    const id = el.id || (fig && fig.id) || '';
    const cap = fig ? text(fig.querySelector('figcaption')) : '';
    return (id ? '#' + id : '') + (cap ? ' "' + cap.slice(0, 60) + '"' : '');
  };
  const charts = [...document.querySelectorAll('figure svg')]
    .filter(s => !(s.parentElement && s.parentElement.closest('svg')))
    .map((s, i) => {
      const r = s.getBoundingClientRect();
      const fig = s.closest('figure');
      return {index: i, label: describe(s), width: r.width, height: r.height,
              role: (s.getAttribute('role') || '').trim(),
              figure_role: fig ? (fig.getAttribute('role') || '').trim() : ''};
    });
  const tables = [...document.querySelectorAll('table')].map((t, i) => ({
    index: i, caption: text(t.querySelector('caption')).slice(0, 60),
    th: t.querySelectorAll('th').length, rows: t.rows.length}));
  const images = [...document.images].map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 80), complete: img.complete,
    natural_width: img.naturalWidth}));
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => ({
    level: Number(h.tagName[1]), text: text(h).slice(0, 80)}));
  return {lang: document.documentElement.getAttribute('lang'), title: document.title,
          headings, tables, charts, images};
}
"""

#: Titles that say nothing about the page (compared lower-cased).
GENERIC_TITLES = frozenset(
    {
        "untitled",
        "document",
        "notebook",
        "index",
        "page",
        "report",
        "rapport",
        "side",
        "green_account",
    }
)

MIN_CHART_WIDTH = 200
MIN_CHART_HEIGHT = 100


def title_problem(title: str | None) -> str | None:
    """Why a <title> is not descriptive, or None: a generic word, a file name, no words (no
    space) or under 10 characters. A missing or empty title is axe's `document-title`."""
    t = (title or "").strip()
    if not t:
        return None
    if t.lower() in GENERIC_TITLES:
        return f"generic <title> {t!r}"
    if t.lower().endswith((".ipynb", ".html", ".htm")) or " " not in t:
        return f"<title> {t!r} looks like a file name, not a description"
    if len(t) < 10:
        return f"<title> {t!r} is too short to be descriptive"
    return None


def lang_problem(lang: str | None, expected: str = "da") -> str | None:
    """Why `<html lang>` does not say the page is Danish, or None (`da`, `da-DK` are fine).
    A missing or invalid lang is axe's `html-has-lang` / `html-lang-valid`; axe does not know
    which language the page should be in."""
    value = (lang or "").strip()
    if value and value.lower().split("-")[0] != expected:
        return f'<html lang="{value}"> (expected lang="{expected}")'
    return None


def h1_problems(levels: list[int]) -> list[str]:
    """At most one <h1>, and it is the first heading. (axe's heading-order only judges skipped
    levels going down, and page-has-heading-one only that there is an <h1>.)"""
    problems: list[str] = []
    h1s = sum(1 for level in levels if level == 1)
    if h1s > 1:
        problems.append(f"expected exactly one <h1>, found {h1s}")
    if h1s and levels[0] != 1:
        problems.append(f"first heading is <h{levels[0]}>, expected the <h1>")
    return problems


def table_problems(tables: list[dict]) -> list[str]:
    """Every <table> has header cells (<th>). axe's table rules judge the header cells a table
    has; a table without any it takes for a layout table and does not judge."""
    return [
        f"table #{t['index'] + 1}{' ' + repr(t['caption']) if t.get('caption') else ''} "
        f"has no <th> header cells"
        for t in tables
        if not t.get("th")
    ]


def chart_problems(
    charts: list[dict],
    require_chart: bool = False,
    min_width: float = MIN_CHART_WIDTH,
    min_height: float = MIN_CHART_HEIGHT,
) -> list[str]:
    """Every chart (outermost <svg> in a <figure>) is drawn at ≥ min_width × min_height px."""
    problems: list[str] = []
    if require_chart and not charts:
        problems.append("no chart (<figure> with an inline <svg>) on a municipality report")
    for c in charts:
        if c["width"] < min_width or c["height"] < min_height:
            problems.append(
                f"chart #{c['index'] + 1} {c.get('label', '')}".rstrip()
                + f" is {c['width']:.0f}×{c['height']:.0f} px (needs ≥ {min_width}×{min_height})"
            )
    return problems


def chart_role_problems(charts: list[dict]) -> list[str]:
    """Every chart is exposed as an image: role="img" on the <svg> or on its <figure>. Then axe
    judges its name (svg-img-alt, role-img-alt); an <svg> without a role it does not judge."""
    return [
        f"chart #{c['index'] + 1} {c.get('label', '')}".rstrip()
        + ' has no role="img" on its <svg> or <figure>, so its name is not checked'
        for c in charts
        if "img" not in (c.get("role") or "").split()
        and "img" not in (c.get("figure_role") or "").split()
    ]


def image_problems(images: list[dict]) -> list[str]:
    """Every <img> loaded (complete, naturalWidth > 0)."""
    return [
        f"image {i['src']!r} did not load (naturalWidth={i['natural_width']})"
        for i in images
        if not i.get("complete") or not i.get("natural_width")
    ]


# --- a phone: 390 px wide --------------------------------------------------------------------

#: The phone the pages are also checked on (an iPhone 12-15's CSS viewport). Each page is first
#: checked at chromium.context_options()' 1280×900, then resized to this and measured again.
PHONE_VIEWPORT = {"width": 390, "height": 844}

#: Overflow up to this many CSS px is rounding, not a sideways scroll.
OVERFLOW_TOLERANCE = 1

#: PHONE_FACTS_JS(OVERFLOW_TOLERANCE) returns what the phone judges need: the page's width
#: against the viewport, the outermost elements that stick out past its right edge (an element
#: inside a scroll region scrolls with it and does not count; overflow hidden on <body> or <html>
#: hides nothing here), every table, whether it is wider than the room it has, and the scroll
#: region around it, and where each summary table row's status badge is.
PHONE_FACTS_JS = """
(tol) => {
  const vw = window.innerWidth;
  const root = document.documentElement;
  const text = (el) => (el ? (el.textContent || '').replace(/\\s+/g, ' ').trim() : '');
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (typeof el.className === 'string' ? el.className : '').trim();
    if (cls) s += '.' + cls.split(/\\s+/).join('.');
    return s;
  };
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return p;
    }
    return null;
  };
  const sticksOut = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + tol;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || scroller(el)) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && sticksOut(parent)) continue;
    const r = el.getBoundingClientRect();
    offenders.push({element: name(el), right: Math.round(r.right), width: Math.round(r.width),
                    text: text(el).slice(0, 60)});
  }
  const labelOf = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const byIds = ids.map(id => text(document.getElementById(id))).filter(Boolean).join(' ');
    return byIds || (el.getAttribute('aria-label') || '').trim();
  };
  const tables = [...document.querySelectorAll('table')].map((t, i) => {
    const box = scroller(t);
    const room = box ? box.clientWidth : vw;
    const wide = t.getBoundingClientRect().width > room + tol;
    return {index: i, caption: text(t.querySelector('caption')).slice(0, 60), wide,
            width: Math.round(t.getBoundingClientRect().width),
            region: box ? {element: name(box), role: (box.getAttribute('role') || '').trim(),
                           tabindex: box.getAttribute('tabindex'), label: labelOf(box).slice(0, 60),
                           scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)}
                        : null};
  });
  const summary_rows = [...document.querySelectorAll('table.summary-table tbody tr')].map(tr => ({
    kpi: text(tr.querySelector('th')).slice(0, 60),
    badges: [...tr.querySelectorAll('.status')].map(b => {
      const r = b.getBoundingClientRect();
      return {left: Math.round(r.left), right: Math.round(r.right), width: Math.round(r.width)};
    })}));
  return {viewport_width: vw, scroll_width: root.scrollWidth, offenders, tables, summary_rows};
}
"""


def page_type(name: str) -> str:
    """'report', 'index' or 'validation' for a page's artifact name (see `artifact_name`)."""
    if name.startswith("validation__"):
        return "validation"
    return "index" if name == "index" else "report"


def overflow_problems(facts: dict, tolerance: int = OVERFLOW_TOLERANCE) -> list[str]:
    """Why the page scrolls sideways at this viewport, or []: the page is wider than the viewport
    (`document.documentElement.scrollWidth > window.innerWidth`), and each element that sticks
    out past its right edge without a scroll region of its own. An element sticking out while the
    page does not scroll (overflow hidden on <body>) is cut off, and a problem too."""
    problems: list[str] = []
    vw, width = facts["viewport_width"], facts["scroll_width"]
    if width > vw + tolerance:
        problems.append(
            f"the page is {width} px wide at a {vw} px viewport: it scrolls sideways by {width - vw} px"
        )
    for o in facts.get("offenders", []):
        text = f" {o['text']!r}" if o.get("text") else ""
        problems.append(
            f"{o['element']}{text} is {o['width']} px wide and reaches x = {o['right']} px"
            f" (past the viewport's {vw} px)"
        )
    return problems


def wide_table_problems(tables: list[dict]) -> list[str]:
    """Every table wider than the room it has is in a scroll region a keyboard can reach and a
    screen reader names: overflow-x auto or scroll, role="region", tabindex="0" and a label
    (aria-labelledby its caption, or aria-label). A table that is not wide needs none."""
    problems: list[str] = []
    for t in tables:
        if not t.get("wide"):
            continue
        what = f"table #{t['index'] + 1}" + (f" {t['caption']!r}" if t.get("caption") else "")
        what += f" ({t['width']} px)"
        region = t.get("region")
        if region is None:
            problems.append(f"{what} is wider than the viewport and has no scroll region")
            continue
        missing = []
        if not region.get("scrolls"):
            missing.append("overflow-x: auto")
        if region.get("role") != "region":
            missing.append('role="region"')
        if (region.get("tabindex") or "").strip() != "0":
            missing.append('tabindex="0"')
        if not region.get("label"):
            missing.append("a label (aria-labelledby the caption)")
        if missing:
            problems.append(f"{what} scrolls in {region['element']} without " + ", ".join(missing))
    return problems


def summary_status_problems(
    rows: list[dict], viewport_width: int, require: bool = False
) -> list[str]:
    """Each KPI row of the summary table shows its status badge within the viewport (the phone
    reader must not scroll sideways to see whether a KPI is on track). `require`: the page must
    have a summary table (a municipality report)."""
    if require and not rows:
        return ["no summary table (table.summary-table) with KPI rows"]
    problems: list[str] = []
    for i, row in enumerate(rows, start=1):
        kpi = row.get("kpi") or f"row {i}"
        badges = row.get("badges") or []
        if not badges:
            problems.append(f"summary row {i} {kpi!r} has no status badge")
            continue
        for b in badges:
            if b["width"] <= 0 or b["left"] < 0 or b["right"] > viewport_width + OVERFLOW_TOLERANCE:
                problems.append(
                    f"summary row {i} {kpi!r}: its status badge is at x = {b['left']}–{b['right']}"
                    f" px, outside the {viewport_width} px viewport"
                )
    return problems


# --- Nu Html Checker (vnu) --------------------------------------------------------------------

VNU_ERROR_TYPES = frozenset({"error", "non-document-error"})


def parse_vnu_json(text: str) -> list[dict]:
    """Messages from `vnu --format json`: each with file (a path), type, subtype, line, column,
    message, extract. A fatal error (subtype "fatal") stays type "error"."""
    text = text.strip()
    if not text:
        raise ValueError("vnu printed no JSON")
    data = json.loads(text)
    messages = []
    for m in data.get("messages", []):
        url = m.get("url") or ""
        path = unquote(urlsplit(url).path) if url.startswith("file:") else url
        messages.append(
            {
                "file": path,
                "type": m.get("type", ""),
                "subtype": m.get("subType", ""),
                "line": m.get("lastLine", m.get("firstLine")),
                "column": m.get("firstColumn", m.get("lastColumn")),
                "message": m.get("message", ""),
                "extract": m.get("extract", ""),
            }
        )
    return messages


def vnu_errors(messages: list[dict]) -> list[dict]:
    """The messages that fail the check (errors, including I/O "non-document-error")."""
    return [m for m in messages if m["type"] in VNU_ERROR_TYPES]


def format_vnu_message(m: dict, root: Path | None = None) -> str:
    path = m["file"]
    if root is not None:
        try:
            path = str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    kind = m["type"] + (f"/{m['subtype']}" if m.get("subtype") else "")
    where = f"{path}:{m['line']}" + (f":{m['column']}" if m.get("column") else "")
    extract = " ".join((m.get("extract") or "").split())
    return f"  {where}: {kind}: {m['message']}" + (f"\n      …{extract}…" if extract else "")


def artifact_name(page: Path, root: Path) -> str:
    """A flat, unique file stem for a page under `root`: `validation/151-ballerup.html` →
    `validation__151-ballerup` (so index.html and validation/index.html do not collide)."""
    rel = Path(page).resolve().relative_to(Path(root).resolve())
    return "__".join(rel.with_suffix("").parts)
