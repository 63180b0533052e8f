"""The auditor's validation pages: written, precise, escaped, offline and accessible."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from pipeline import registry, schema, validate
from pipeline.validate import outcomes
from tests.factories import YEAR, Delivery, all_valid, valid_rows, year_paths

SCRIPT = '<script>alert("x")</script>'
WHEN = dt.datetime(2025, 1, 15, 9, 30)


@pytest.fixture(scope="module")
def validated():
    codes = sorted(registry.load())[:4]
    blocked, hostile, many, clean = codes
    delivery = Delivery()
    bad = all_valid()
    bad["waste"][1]["tonnes"] = -1234.5
    delivery.add(blocked, bad)
    evil = all_valid()
    evil["actions"][1]["status"] = SCRIPT
    evil["buildings"][1]["label_valid_until"] = None
    delivery.add(hostile, evil)
    fleet = [dict(valid_rows("fleet")[0], vehicle_id=f"V{i}", propulsion="damp") for i in range(60)]
    delivery.add(many, {"fleet": fleet})
    delivery.add(clean, all_valid())
    results = validate.validate_year(YEAR, delivery.tables, delivery.manifest)
    return {
        "results": results,
        "codes": {"blocked": blocked, "hostile": hostile, "many": many, "clean": clean},
    }


@pytest.fixture(scope="module")
def pages(validated, tmp_path_factory):
    paths = year_paths(tmp_path_factory.mktemp("project"))
    written = validate.write_pages(
        paths,
        validated["results"],
        ingestion_blocked={860: [f"data/raw/{YEAR}/860/fleet.csv: {SCRIPT}"]},
        generated_at=WHEN,
    )
    return paths.validation, written


def _page(pages, code) -> str:
    out, _ = pages
    return (out / f"{registry.get(code).slug}.html").read_text(encoding="utf-8")


def test_pages_are_written(pages, validated):
    out, written = pages
    names = sorted(p.name for p in written)
    expected = sorted(
        [f"{registry.get(c).slug}.html" for c in validated["results"]] + ["index.html", "failures.csv"]
    )
    assert names == expected
    assert sorted(p.name for p in out.iterdir()) == expected, "nothing else, no temp files"
    assert all(p.parent == out for p in written)


def test_index_lists_every_municipality_and_ingestion_blocks(pages, validated):
    index = (pages[0] / "index.html").read_text(encoding="utf-8")
    for result in validated["results"].values():
        assert f'href="{result.slug}.html"' in index
    assert "Blokeret ved indlæsning" in index and "Hjørring (860)" in index
    assert (
        index.count("Blokeret</span>") == 3
    )  # negative tonnes, the <script> status, 60 unknown propulsions


def test_municipality_page_names_file_row_and_value(pages, validated):
    code = validated["codes"]["blocked"]
    html = _page(pages, code)
    assert f"data/raw/{YEAR}/{code}/waste.csv" in html
    assert "waste_tonnes_non_negative" in html
    assert '<td class="num">3</td>' in html
    assert "-1.234,5" in html  # Danish number format in the value column and the message
    assert "Fejlet" in html and "Bestået" in html and "Kritisk" in html
    assert "Rapporten for 2024 udgives ikke" in html


def test_values_are_escaped(pages, validated):
    html = _page(pages, validated["codes"]["hostile"])
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    index = (pages[0] / "index.html").read_text(encoding="utf-8")
    assert SCRIPT not in index and "&lt;script&gt;" in index
    assert "<script" not in html.lower() and "<script" not in index.lower()


def test_warning_page_shows_caveat_and_kpis(pages, validated):
    html = _page(pages, validated["codes"]["hostile"])
    assert "Forbehold i rapporten" in html
    assert "energy_label_missing_or_expired_share" in html


def test_rows_are_capped_per_rule(pages, validated):
    html = _page(pages, validated["codes"]["many"])
    assert ("Viser de første 20 af 60 fejl … og 40 rækker mere; hele listen i "
            '<a href="failures.csv">failures.csv</a>.') in html
    block = html.split("fleet_propulsion_in_set</caption>")[1].split("</table>")[0]
    assert block.count("<tr>") == 21  # header + 20 rows
    assert "<dt>Fejlrækker</dt><dd>60 kritiske, 4 advarsler, 0 info" in html  # every row counted


def test_no_remote_resources(pages):
    for path in pages[1]:
        html = path.read_text(encoding="utf-8")
        assert not re.search(
            r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE
        ), path.name
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.IGNORECASE), path.name
        assert "<link" not in html and "@import" not in html


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.stack, self.main, self.lang = [], [], [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "main":
            self.main += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables.append({"caption": False, "col_th": 0, "th_without_scope": 0})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag == "th" and self.tables:
            if attrs.get("scope") == "col":
                self.tables[-1]["col_th"] += 1
            elif attrs.get("scope") not in ("row", "col"):
                self.tables[-1]["th_without_scope"] += 1


@pytest.mark.parametrize("which", ["index", "blocked", "hostile", "many", "clean"])
def test_page_structure(pages, validated, which):
    html = (
        (pages[0] / "index.html").read_text(encoding="utf-8")
        if which == "index"
        else _page(pages, validated["codes"][which])
    )
    assert html.startswith('<!DOCTYPE html>\n<html lang="da">')
    assert '<meta charset="utf-8">' in html and '<meta name="viewport"' in html
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    assert "Validering" in title and str(YEAR) in title
    outline = _Outline()
    outline.feed(html)
    assert outline.lang == "da" and outline.main == 1
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:])), outline.headings
    assert outline.tables and all(
        t["caption"] and t["col_th"] and not t["th_without_scope"] for t in outline.tables
    )


def test_output_is_deterministic_and_same_from_summaries(validated, tmp_path):
    """Pages from validate_year's results equal pages read back from the written summaries
    (write_results records the run's provenance on the results it writes, so both show it)."""
    first, second = year_paths(tmp_path / "a"), year_paths(tmp_path / "b")
    validate.write_results(validated["results"], second)
    validate.write_pages(first, validated["results"], generated_at=WHEN)
    summaries = sorted(second.validation.glob("*.summary.json"))
    assert len(summaries) == len(validated["results"])
    assert {json.loads(p.read_text(encoding="utf-8"))["page"] for p in summaries} == {
        r.page for r in validated["results"].values()
    }
    validate.write_pages(second, None, generated_at=WHEN)  # None: read back what was written
    pages = sorted(p.name for p in first.validation.glob("*.html"))
    assert pages == sorted(p.name for p in second.validation.glob("*.html"))
    assert len(pages) == len(validated["results"]) + 1
    for name in pages:
        assert (first.validation / name).read_text(encoding="utf-8") == (
            second.validation / name
        ).read_text(encoding="utf-8"), name
    third = year_paths(tmp_path / "c")
    validate.write_pages(third, validate.load_results(second), generated_at=WHEN)
    for name in pages:
        assert (third.validation / name).read_bytes() == (first.validation / name).read_bytes(), name


@pytest.mark.parametrize("form", ["summary", "dict"])
def test_summaries_are_refused(validated, tmp_path, form):
    """write_pages takes MunicipalityValidation objects (or None), no longer summaries."""
    summaries = [r.summary() for r in validated["results"].values()]
    if form == "dict":
        summaries = [s.to_dict() for s in summaries]
    with pytest.raises(TypeError, match="MunicipalityValidation"):
        validate.write_pages(year_paths(tmp_path), summaries)


def test_wrong_year_is_refused(validated, tmp_path):
    with pytest.raises(ValueError, match="validate_year"):
        validate.write_pages(year_paths(tmp_path, YEAR + 1), validated["results"])
    assert not list((tmp_path / "reports").rglob("*.html")), "nothing is written for a wrong year"
    assert not (tmp_path / "reports").exists(), "not even the folder"


def test_every_severity_and_outcome_has_danish_text(pages):
    assert set(schema.SEVERITY_LABEL_DA) == set(schema.SEVERITY_DA) == set(schema.SEVERITIES)
    assert set(schema.OUTCOME_DA) == {
        outcomes.PASSED, outcomes.FAILED, outcomes.ERROR, outcomes.SKIPPED
    }
    assert set(schema.PUBLICATION_DA) == {"published", "blocked"}
    labels = {"out": schema.OUTCOME_DA, "sev": schema.SEVERITY_LABEL_DA, "st": schema.PUBLICATION_DA}
    seen = {kind: set() for kind in labels}
    for path in pages[1]:
        html = path.read_text(encoding="utf-8")
        for kind, code, text in re.findall(r'<span class="badge (out|sev|st)-(\w+)[^"]*">([^<]*)</span>',
                                           html):
            if code != "none":
                # exact, except the index's "Blokeret ved indlæsning" for ingestion blocks
                assert text in (labels[kind][code], f"{labels[kind][code]} ved indlæsning"), (
                    path.name, kind, code, text)
                seen[kind].add(code)
    assert seen["out"] >= {"passed", "failed", "skipped"} and seen["st"] == {"published", "blocked"}
    assert seen["sev"] == set(schema.SEVERITIES)


def test_sections_follow_the_schema_order(pages, validated):
    html = _page(pages, validated["codes"]["clean"])
    positions = [html.index(f"({dataset})</h2>") for dataset in schema.DATASET_NAMES]
    assert positions == sorted(positions)
    assert html.index("Tværgående kontroller</h2>") < positions[0]
