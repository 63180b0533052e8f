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
