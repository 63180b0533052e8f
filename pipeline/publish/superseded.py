"""A kept older report whose newer delivery was blocked: a notice at the top of its <main>, added and removed
in place (atomically, idempotently, between two marker comments, touching no other byte of the page)."""

from __future__ import annotations

import logging
import re

from markupsafe import escape

from pipeline import atomic, config

log = logging.getLogger(__name__)

START = "<!-- superseded-notice -->"
END = "<!-- /superseded-notice -->"
_MAIN = re.compile(r"<main\b[^>]*>")
# The notice as inserted: a newline, the markers and the notice between them (see notice()).
_INSERTED = re.compile(r"\n?" + re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def reason_href(muni, blocked_at_ingestion: bool = False) -> str:
    """Where the reason is, relative to reports/<YEAR>/: the municipality's validation page, or the
    validation index for a delivery that could not be read (it has no page of its own)."""
    return "validation/index.html" if blocked_at_ingestion else f"validation/{muni.slug}.html"


def notice(year: int, href: str) -> str:
    """The notice's HTML, markers included."""
    return (f'{START}<div class="notice notice-blocked superseded-notice" role="note">'
            f"<p><strong>En nyere leverance for {int(year)} er blokeret</strong>, så denne rapport bygger "
            f"ikke på kommunens seneste data. Den vises, indtil en rettet leverance er godkendt. "
            f'<a href="{escape(href)}">Se hvorfor leverancen er blokeret</a>.</p></div>{END}')


def mark_superseded(paths: config.YearPaths, muni, reason_href: str) -> bool:
    """Put the notice at the top of <main> in the kept report of MUNI; True when the file changed.

    Idempotent: a page that already carries the same notice is left alone; one that carries a notice
    with another link gets the new one instead (never two). No report, or no <main>: nothing is done.
    """
    page = paths.report(muni)
    if not page.exists():
        return False
    html = page.read_text(encoding="utf-8")
    wanted = notice(paths.year, reason_href)
    existing = _INSERTED.search(html)
    if existing:
        if existing.group(0).lstrip("\n") == wanted:
            return False
        updated = html[:existing.start()] + "\n" + wanted + html[existing.end():]
    else:
        main = _MAIN.search(html)
        if main is None:
            log.warning("%s has no <main>; the notice of the blocked delivery was not added", page)
            return False
        updated = html[:main.end()] + "\n" + wanted + html[main.end():]
    atomic.write_text(page, updated)
    log.info("%s: marked as superseded by a blocked delivery (%s)", page.name, reason_href)
    return True


def clear_superseded(paths: config.YearPaths, muni) -> bool:
    """Remove the notice from MUNI's report (e.g. when a newer delivery is published); True when changed."""
    page = paths.report(muni)
    if not page.exists():
        return False
    html = page.read_text(encoding="utf-8")
    updated = _INSERTED.sub("", html)
    if updated == html:
        return False
    atomic.write_text(page, updated)
    return True


def is_superseded(paths: config.YearPaths, muni) -> bool:
    page = paths.report(muni)
    return page.exists() and START in page.read_text(encoding="utf-8")
