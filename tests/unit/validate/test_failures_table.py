"""The auditor's pages for tracing a failure: each municipality page opens with its failed rules linked to
their rows, the index lists every failure across municipalities, failures.csv holds them all for Danish
Excel, and each page carries the checksums of its inputs with the commit and the run time."""

from __future__ import annotations

import csv
import io
import re

import pytest

from pipeline import provenance, registry, validate
from pipeline.validate import pages as pages_module
from tests.factories import YEAR, Delivery, all_valid, valid_rows, year_paths
from tests.unit import traceability

NEGATIVE, PROPULSION, CLEAN = 101, 147, 151  # København, Frederiksberg, Ballerup


@pytest.fixture(scope="module")
def validated():
    negative = all_valid()
    negative["waste"][1]["tonnes"] = -1234.5
    negative["waste"][2]["tonnes"] = -7.0
    propulsion = all_valid()
    propulsion["fleet"] = [dict(valid_rows("fleet")[0], vehicle_id=f"V{i}", propulsion="damp") for i in range(3)]
    delivery = Delivery().add(NEGATIVE, negative).add(PROPULSION, propulsion).add(CLEAN, all_valid())
    return validate.validate_year(YEAR, delivery.tables, delivery.manifest)


@pytest.fixture(scope="module")
def written(validated, tmp_path_factory):
    paths = year_paths(tmp_path_factory.mktemp("project"))
    validate.write_results(validated, paths, traceability.RUN)
    validate.write_pages(paths, validated)
    return paths


def every_failure(validated) -> list[tuple]:
    return sorted((r.code, f.get("source_file"), f.get("row"), f.get("column"), f["rule"], f["severity"])
                  for r in validated.values() for f in r.failures_detail)


def read_csv(paths) -> list[dict]:
    raw = paths.failures_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Danish Excel reads æøå"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_failures_csv_holds_every_failure_with_file_row_column_and_value(written, validated):
    rows = read_csv(written)
    assert list(rows[0]) == list(pages_module.FAILURE_COLUMNS)
    assert len(rows) == sum(len(r.failures_detail) for r in validated.values()) >= 5
    seen = sorted((int(r["Kommunekode"]), r["Fil"] or None, int(r["Række"]) if r["Række"] else None,
                   r["Kolonne"] or None, r["Regel"], {"Kritisk": "critical", "Advarsel": "warning",
                                                       "Info": "info"}[r["Alvorlighed"]]) for r in rows)
    assert seen == every_failure(validated)
    tonnes = [r for r in rows if r["Regel"] == "waste_tonnes_non_negative"]
    assert [(r["Kommune"], r["Fil"], r["Række"], r["Kolonne"], r["Værdi"]) for r in tonnes] == [
        ("København", f"data/raw/{YEAR}/101/waste.csv", "3", "tonnes", "-1.234,5"),
        ("København", f"data/raw/{YEAR}/101/waste.csv", "4", "tonnes", "-7"),
    ]
    assert all(r["Besked"] for r in rows)


def test_failures_are_sorted_by_municipality_severity_file_and_row(written):
    rows = read_csv(written)
    order = {"Kritisk": 0, "Advarsel": 1, "Info": 2}
    keys = [(int(r["Kommunekode"]), order[r["Alvorlighed"]], r["Fil"], int(r["Række"] or -1)) for r in rows]
    assert keys == sorted(keys)


def test_the_index_lists_every_failure_and_links_the_csv(written, validated):
    index = (written.validation / "index.html").read_text(encoding="utf-8")
    assert 'href="failures.csv"' in index
    table = index.split('id="alle-fejl-tabel"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    assert body.count("<tr>") == sum(len(r.failures_detail) for r in validated.values())
    assert f"<code>data/raw/{YEAR}/101/waste.csv</code>" in body and "-1.234,5" in body
    assert "<code>tonnes</code>" in body and "<code>waste_tonnes_non_negative</code>" in body
    assert 'href="101-koebenhavn.html#fejl-waste_tonnes_non_negative"' in body
    assert "<th scope=\"col\">Kommune</th>" in table and "Alvorlighed</th>" in table


def test_the_index_caps_the_table_but_not_the_csv(validated, tmp_path, monkeypatch):
    monkeypatch.setattr(pages_module, "MAX_FAILURES_ON_INDEX", 2)
    paths = year_paths(tmp_path)
    validate.write_pages(paths, validated)
    total = sum(len(r.failures_detail) for r in validated.values())
    index = (paths.validation / "index.html").read_text(encoding="utf-8")
    assert f"Viser 2 af {total} fejl (højst 20 pr. regel og 2 i alt) … og {total - 2} fejl mere" in index
    body = index.split('id="alle-fejl-tabel"')[1].split("</table>")[0].split("<tbody>")[1]
    assert body.count("<tr>") == 2
    assert len(read_csv(paths)) == total


def test_no_failures_gives_a_header_only_csv(tmp_path):
    results = validate.validate_year(YEAR, Delivery().add(CLEAN, all_valid()).tables,
                                     Delivery().add(CLEAN, all_valid()).manifest)
    paths = year_paths(tmp_path)
    validate.write_pages(paths, results)
    assert read_csv(paths) == []
    assert "Ingen regler fejlede for nogen kommune" in (paths.validation / "index.html").read_text(encoding="utf-8")


def _page(paths, code) -> str:
    return (paths.validation / f"{registry.get(code).slug}.html").read_text(encoding="utf-8")


def test_each_page_starts_with_its_failed_rules_linked_to_their_rows(written):
    html = _page(written, NEGATIVE)
    after_heading = html.split("</h1>", 1)[1]
    assert after_heading.lstrip().startswith('<section id="fejlede-regler"')
    opening = after_heading.split("</section>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">', opening)
    assert "fejl-waste_tonnes_non_negative" in links
    for anchor in links:
        assert html.count(f'id="{anchor}"') == 1, anchor
    target = html.split('id="fejl-waste_tonnes_non_negative"', 1)[1]
    assert f"data/raw/{YEAR}/101/waste.csv" in target.split("</table>", 1)[0]
    assert opening.index("Kritisk") < opening.index("Rapporten for 2024 udgives ikke")


def test_a_page_without_failures_says_so(written):
    opening = _page(written, CLEAN).split("</h1>", 1)[1].split("</section>", 1)[0]
    assert "Ingen regler fejlede" in opening


def test_the_auditors_page_has_the_checksums_the_commit_and_the_run_time(written, validated):
    html = _page(written, CLEAN)
    inputs = html.split('<section id="inddata"', 1)[1]
    for entry in validated[CLEAN].provenance["inputs"]:
        assert f"<code>{entry['path']}</code>" in inputs
        if entry["sha256"]:
            assert entry["sha256"] in inputs
    assert "data/raw/targets/151.yaml" in inputs, "a published report's targets file"
    assert "Målfil" in inputs and "Kommuneregister" in inputs and "Regelsæt" in inputs
    assert "git-commit <code>abc1234</code>" in html and "3. februar 2025 kl. 09:15" in html
    assert "lokale ændringer" not in html


def test_a_dirty_run_is_flagged_on_the_auditors_page(validated, tmp_path):
    dirty = provenance.RunInfo("0.1.0", "abc1234", True, traceability.RUN.started)
    paths = year_paths(tmp_path)
    results = {CLEAN: validated[CLEAN]}
    validate.write_results(results, paths, dirty)
    validate.write_pages(paths, results)
    assert "<strong>med lokale ændringer</strong>" in _page(paths, CLEAN)
    validate.write_results(results, paths, traceability.RUN)  # leave the shared result as it was
