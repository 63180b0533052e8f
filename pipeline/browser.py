"""Find Debian's Chromium and drive it headless and offline (for the browser checks and the PDFs)."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.errors import PipelineError

logger = logging.getLogger(__name__)

#: Environment variable that points at a Chromium binary (overrides the search below).
CHROMIUM_ENV = "GREEN_ACCOUNTS_CHROMIUM"

#: Where Debian's `chromium` package puts the browser (the wrapper script first).
CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/lib/chromium/chromium",
)

#: Headless, sandbox-less (we run as root in CI) and quiet: without the background-networking
#: flags Chromium tries to reach Google's update/sync services on start.
LAUNCH_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

INSTALL_HINT = "apt-get install -y chromium"


class BrowserNotFoundError(PipelineError):
    """No Chromium on this machine: the PDFs and the browser checks need Debian's `chromium`."""

    def __init__(self, looked_in: Iterable[str] = ()) -> None:
        looked = ", ".join(looked_in) or ", ".join(CHROMIUM_CANDIDATES)
        super().__init__(
            "Chromium blev ikke fundet. Installér den med: "
            f"`{INSTALL_HINT}` (som root, ellers med sudo). "
            f"/ Chromium was not found. Install it with: `{INSTALL_HINT}` "
            f"(as root, otherwise with sudo), or point {CHROMIUM_ENV} at a Chromium binary. "
            f"Looked in: {looked}."
        )
        self.looked_in = looked


def _is_executable(path: str | os.PathLike[str]) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def chromium_search_path() -> list[str]:
    """The places `find_chromium` looks, in order."""
    places: list[str] = []
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        places.append(env)
    places.extend(CHROMIUM_CANDIDATES)
    places.extend(["chromium (PATH)", "chromium-browser (PATH)"])
    return places


def find_chromium() -> Path | None:
    """Path of a Chromium binary, or None. `$GREEN_ACCOUNTS_CHROMIUM` wins when it is set."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        if _is_executable(env):
            return Path(env)
        logger.warning(
            "%s=%s is not an executable file; searching the usual places", CHROMIUM_ENV, env
        )
    for candidate in CHROMIUM_CANDIDATES:
        if _is_executable(candidate):
            return Path(candidate)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_chromium() -> Path:
    """Like `find_chromium`, but raises `BrowserNotFoundError` (Danish + English) when there is none."""
    path = find_chromium()
    if path is None:
        raise BrowserNotFoundError(chromium_search_path())
    return path


def launch_options(executable: Path | None = None) -> dict:
    """Keyword arguments for Playwright's `chromium.launch(...)`."""
    exe = executable if executable is not None else require_chromium()
    return {"executable_path": str(exe), "headless": True, "args": list(LAUNCH_ARGS)}


def context_options() -> dict:
    """Keyword arguments for `browser.new_context(...)`: fixed viewport, Danish locale, no workers."""
    return {
        "viewport": {"width": 1280, "height": 900},
        "device_scale_factor": 1,
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
        "service_workers": "block",
        "java_script_enabled": True,
    }


def file_url(path: Path) -> str:
    """The file:// URL of a local file (absolute, percent-encoded)."""
    return Path(path).resolve().as_uri()


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(fragment="").geturl()


def is_request_allowed(url: str, page_url: str) -> bool:
    """Offline policy: only the page's own file and `data:` URLs may load; nothing else,
    not even other local files (a published page must be self-contained)."""
    if url.startswith("data:"):
        return True
    if url.startswith(("about:blank", "about:srcdoc")):
        return True
    return _strip_fragment(url) == _strip_fragment(page_url)


def block_network(target, page_url: str, blocked: list[str]) -> None:
    """Route every request of a Playwright page or context: allow `is_request_allowed`,
    abort the rest and append their URLs to `blocked`. Also records any request that
    bypasses routing (via the `request` event) and closes WebSockets."""

    def handle(route) -> None:
        url = route.request.url
        if is_request_allowed(url, page_url):
            route.continue_()
        else:
            if url not in blocked:
                blocked.append(url)
            route.abort("blockedbyclient")

    def on_request(request) -> None:
        url = request.url
        if not is_request_allowed(url, page_url) and url not in blocked:
            blocked.append(url)

    target.route("**/*", handle)
    target.on("request", on_request)
    route_ws: Callable | None = getattr(target, "route_web_socket", None)
    if route_ws is not None:

        def ws_handler(ws) -> None:
            blocked.append(ws.url)
            ws.close()

        route_ws("**/*", ws_handler)


# ---------------------------------------------------------------------------------------------
# Page checks: the DOM facts are gathered in the browser (PAGE_FACTS_JS); judging them is plain
# Python below, so the rules are unit-tested without a browser.
# ---------------------------------------------------------------------------------------------

#: axe-core rule tags for WCAG 2.1 level A and AA.
AXE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

AXE_RUN_JS = """
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}
"""

#: Returns the DOM facts the *_problems helpers judge. Charts: outermost <svg> inside a <figure>.
PAGE_FACTS_JS = """
() => {
  const text = (el) => (el ? (el.textContent || '').replace(/\\s+/g, ' ').trim() : '');
  const labelledby = (el) => (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .filter(Boolean).map(id => text(document.getElementById(id))).join(' ').trim();
  const nameOf = (el) => {
    if (!el) return '';
    const lb = labelledby(el);
    if (lb) return lb;
    const al = (el.getAttribute('aria-label') || '').trim();
    if (al) return al;
    if (el.tagName.toLowerCase() === 'svg') {
      const t = el.querySelector(':scope > title');
      if (text(t)) return text(t);
    }
    return '';
  };
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
      const figIsImg = !!fig && (fig.getAttribute('role') || '') === 'img';
      return {index: i, label: describe(s), width: r.width, height: r.height,
              name: nameOf(s), figure_name: figIsImg ? nameOf(fig) : ''};
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
    """Why a <title> is not descriptive, or None. Wants words (a space) and ≥ 10 characters."""
    t = (title or "").strip()
    if not t:
        return "empty <title>"
    if t.lower() in GENERIC_TITLES:
        return f"generic <title> {t!r}"
    if t.lower().endswith((".ipynb", ".html", ".htm")) or " " not in t:
        return f"<title> {t!r} looks like a file name, not a description"
    if len(t) < 10:
        return f"<title> {t!r} is too short to be descriptive"
    return None


def lang_problem(lang: str | None, expected: str = "da") -> str | None:
    """Why `<html lang>` is wrong, or None (`da` and `da-DK` are fine)."""
    value = (lang or "").strip()
    if not value:
        return f'<html> has no lang attribute (expected lang="{expected}")'
    if value.lower().split("-")[0] != expected:
        return f'<html lang="{value}"> (expected lang="{expected}")'
    return None


def heading_problems(levels: list[int]) -> list[str]:
    """Heading-order rules: exactly one h1, the first heading is the h1, and going down
    no level is skipped (h2 → h4 is a skip; h4 → h2 is fine)."""
    problems: list[str] = []
    h1s = sum(1 for level in levels if level == 1)
    if h1s != 1:
        problems.append(f"expected exactly one <h1>, found {h1s}")
    if levels and levels[0] != 1:
        problems.append(f"first heading is <h{levels[0]}>, expected <h1>")
    previous = 0
    for position, level in enumerate(levels, start=1):
        if previous and level > previous + 1:
            problems.append(
                f"heading #{position}: <h{previous}> followed by <h{level}> (skips h{previous + 1})"
            )
        previous = level
    return problems


def table_problems(tables: list[dict]) -> list[str]:
    """Every <table> needs header cells (<th>)."""
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


def chart_name_problems(charts: list[dict]) -> list[str]:
    """Every chart has an accessible name: aria-labelledby / aria-label / <title> on the <svg>,
    or on its <figure role="img">."""
    return [
        f"chart #{c['index'] + 1} {c.get('label', '')}".rstrip()
        + " has no accessible name (aria-label, aria-labelledby or <title>)"
        for c in charts
        if not (c.get("name") or "").strip() and not (c.get("figure_name") or "").strip()
    ]


def image_problems(images: list[dict]) -> list[str]:
    """Every <img> loaded (complete, naturalWidth > 0)."""
    return [
        f"image {i['src']!r} did not load (naturalWidth={i['natural_width']})"
        for i in images
        if not i.get("complete") or not i.get("natural_width")
    ]


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


# --- Nu Html Checker (vnu) ----------------------------------------------------------------

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
        if url.startswith("file:"):
            path = unquote(urlsplit(url).path)
        else:
            path = url
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
