"""A kept older report after a newer delivery was blocked: the notice is added once, at the top of <main>,
links to the reason, and is removed again without a trace."""

from __future__ import annotations

import re

from pipeline import registry
from pipeline.publish import superseded
from tests.factories import YEAR, year_paths

BALLERUP = registry.get(151)
PAGE = ('<!DOCTYPE html>\n<html lang="da">\n<head>\n<meta charset="utf-8"/>\n<title>Grønt regnskab</title>\n'
        '</head>\n<body>\n<a class="skip-link" href="#indhold">Spring til indholdet</a>\n<header></header>\n'
        '<main id="indhold">\n<section id="overblik"><h2>Overblik</h2><p>Æ, ø og å – 46\u00a0%</p></section>\n'
        '</main>\n<footer class="page-footer"><p>Genereret</p></footer>\n</body>\n</html>')


def kept(tmp_path):
    paths = year_paths(tmp_path)
    paths.report(BALLERUP).parent.mkdir(parents=True)
    paths.report(BALLERUP).write_bytes(PAGE.encode("utf-8"))
    return paths


def test_the_notice_is_added_once_at_the_top_of_main_and_links_to_the_reason(tmp_path):
    paths = kept(tmp_path)
    href = superseded.reason_href(BALLERUP)
    assert href == "validation/151-ballerup.html"
    assert superseded.mark_superseded(paths, BALLERUP, href) is True
    html = paths.report(BALLERUP).read_text(encoding="utf-8")
    main = html.split('<main id="indhold">', 1)[1]
    assert main.startswith("\n" + superseded.START)
    notice = main.split(superseded.END, 1)[0]
    assert f"En nyere leverance for {YEAR} er blokeret" in notice
    assert re.findall(r'href="([^"]+)"', notice) == [href]
    assert superseded.is_superseded(paths, BALLERUP)

    assert superseded.mark_superseded(paths, BALLERUP, href) is False, "idempotent"
    assert paths.report(BALLERUP).read_text(encoding="utf-8") == html
    assert html.count("En nyere leverance") == 1


def test_nothing_else_in_the_page_changes(tmp_path):
    paths = kept(tmp_path)
    superseded.mark_superseded(paths, BALLERUP, "validation/151-ballerup.html")
    html = paths.report(BALLERUP).read_text(encoding="utf-8")
    start = html.index("\n" + superseded.START)
    end = html.index(superseded.END) + len(superseded.END)
    assert html[:start] + html[end:] == PAGE
    assert superseded.clear_superseded(paths, BALLERUP) is True
    assert paths.report(BALLERUP).read_bytes() == PAGE.encode("utf-8")
    assert superseded.clear_superseded(paths, BALLERUP) is False
    assert not superseded.is_superseded(paths, BALLERUP)


def test_another_reason_replaces_the_notice(tmp_path):
    paths = kept(tmp_path)
    superseded.mark_superseded(paths, BALLERUP, superseded.reason_href(BALLERUP))
    unreadable = superseded.reason_href(BALLERUP, blocked_at_ingestion=True)
    assert unreadable == "validation/index.html"
    assert superseded.mark_superseded(paths, BALLERUP, unreadable) is True
    html = paths.report(BALLERUP).read_text(encoding="utf-8")
    assert html.count(superseded.START) == 1 and 'href="validation/index.html"' in html
    assert 'href="validation/151-ballerup.html"' not in html


def test_the_link_is_escaped(tmp_path):
    paths = kept(tmp_path)
    superseded.mark_superseded(paths, BALLERUP, 'validation/x.html"><script>')
    html = paths.report(BALLERUP).read_text(encoding="utf-8")
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html


def test_no_kept_report_or_no_main_changes_nothing(tmp_path):
    paths = year_paths(tmp_path)
    assert superseded.mark_superseded(paths, BALLERUP, "validation/index.html") is False
    assert not paths.report(BALLERUP).exists()
    paths.report(BALLERUP).parent.mkdir(parents=True)
    paths.report(BALLERUP).write_text("<html><body>ingen main</body></html>", encoding="utf-8")
    assert superseded.mark_superseded(paths, BALLERUP, "validation/index.html") is False
    assert paths.report(BALLERUP).read_text(encoding="utf-8") == "<html><body>ingen main</body></html>"
    assert list(paths.reports.iterdir()) == [paths.report(BALLERUP)], "no temp files left"
