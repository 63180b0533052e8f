"""A delivery with 50.000 failing rows: every failure counted exactly and kept in failures.csv, but only
a few examples per rule in the summary and results JSON, on the auditor's pages and on the console."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from pipeline import cli, validate
from pipeline.run import ValidationRun
from pipeline.validate import examples
from tests.factories import YEAR, Delivery, all_valid, year_paths
from tests.unit import traceability

CODE, ROWS, LATE = 151, 50_000, 1_000  # Ballerup; failing rows; of them also in service after year end
PROPULSION, IN_SERVICE = "fleet_propulsion_in_set", "fleet_in_service_since_plausible"


@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    """Ballerup's fleet: 50.000 vehicles with an unknown propulsion (critical), 1.000 of them also put
    in service after the year (warning); built in pandas, validated through GX like any delivery."""
    fleet = pd.DataFrame({"vehicle_id": [f"V{i}" for i in range(ROWS)], "vehicle_class": "personbil",
                          "propulsion": "damp", "in_service_since": pd.Timestamp("2020-01-01")})
    fleet.loc[fleet.index[-LATE:], "in_service_since"] = pd.Timestamp("2025-02-01")
    delivery = Delivery().add(CODE, {**all_valid(), "fleet": fleet.to_dict("records")})
    results = validate.validate_year(YEAR, delivery.tables, delivery.manifest)
    paths = year_paths(tmp_path_factory.mktemp("flood"))
    validate.write_results(results, paths, traceability.RUN)
    validate.write_pages(paths, results)
    return {"result": results[CODE], "results": results, "paths": paths}


def _csv(paths) -> list[dict]:
    return list(csv.DictReader(io.StringIO(paths.failures_csv.read_text(encoding="utf-8-sig")), delimiter=";"))


def test_every_failure_is_counted_exactly(flood):
    r = flood["result"]
    assert r.status == "blocked" and r.highest_failed_severity == "critical"
    assert r.failures == {"critical": 1, "warning": 1, "info": 0}, "failed rules per severity"
    assert r.rows_failed("critical") == ROWS and r.rows_failed("warning") == LATE
    assert len(r.failures_detail) == ROWS + LATE, "in memory, every row is kept"
    [caveat] = r.caveats
    assert caveat["rule"] == IN_SERVICE and "1.000 af 50.000 rækker" in caveat["message"]


def test_the_summary_json_keeps_examples_and_exact_counts(flood):
    path = flood["paths"].validation_summary(flood["result"])
    assert path.stat().st_size < 200_000, f"{path.stat().st_size} bytes"
    doc = json.loads(path.read_text(encoding="utf-8"))
    rules = [f["rule"] for f in doc["failures_detail"]]
    assert rules.count(PROPULSION) == rules.count(IN_SERVICE) == examples.MAX_EXAMPLES_PER_RULE
    counts = {c["rule"]: c for c in doc["failure_counts"]}
    assert counts[PROPULSION] == {"dataset": "fleet", "rule": PROPULSION, "severity": "critical", "rows": ROWS,
                                  "shown": 20, "more": "… og 49.980 rækker mere; hele listen i failures.csv"}
    assert counts[IN_SERVICE]["rows"] == LATE and counts[IN_SERVICE]["severity"] == "warning"
    assert doc["status"] == "blocked" and doc["failures"] == {"critical": 1, "warning": 1, "info": 0}
    assert len(doc["caveats"]) == 1


def test_the_results_json_keeps_examples_with_gx_counts(flood):
    path = flood["paths"].validation_results(flood["result"])
    assert path.stat().st_size < 500_000, f"{path.stat().st_size} bytes"
    fleet = json.loads(path.read_text(encoding="utf-8"))["results"]["fleet"]
    [hit] = [x for x in fleet["results"] if x["expectation_config"]["meta"]["rule"] == PROPULSION]
    assert hit["result"]["unexpected_count"] == ROWS and hit["success"] is False
    assert len(hit["result"]["unexpected_index_list"]) == 20
    assert hit["result"]["examples_note"] == ("Kun de første 20 af 50.000 rækker er med her; hele listen "
                                              "står i failures.csv.")
    in_memory = flood["result"].gx_results["fleet"]["results"]
    assert max(len(x["result"].get("unexpected_index_list") or []) for x in in_memory) == ROWS, "not cut in memory"


def test_failures_csv_has_every_failing_row(flood):
    rows = _csv(flood["paths"])
    assert len(rows) == ROWS + LATE
    propulsion = [r for r in rows if r["Regel"] == PROPULSION]
    assert sorted(int(r["Række"]) for r in propulsion) == list(range(2, ROWS + 2))
    assert all(r["Værdi"] == "damp" and r["Kolonne"] == "propulsion" for r in propulsion)


def test_the_auditors_pages_show_examples_and_link_the_full_list(flood):
    paths = flood["paths"]
    page = paths.validation_page(flood["result"]).read_text(encoding="utf-8")
    assert len(page) < 200_000
    assert ("Viser de første 20 af 50.000 fejl … og 49.980 rækker mere; hele listen i "
            '<a href="failures.csv">failures.csv</a>.') in page
    block = page.split(f"{PROPULSION}</caption>")[1].split("</table>")[0]
    assert block.count("<tr>") == 21  # header + 20 examples
    assert "<dt>Fejlrækker</dt><dd>50.000 kritiske, 1.000 advarsler, 0 info" in page
    index = (paths.validation / "index.html").read_text(encoding="utf-8")
    assert "Viser 40 af 51.000 fejl (højst 20 pr. regel og 200 i alt) … og 50.960 fejl mere" in index


def test_the_console_prints_a_few_lines_and_where_the_rest_are(flood):
    out = io.StringIO()
    blocked = cli.print_failures(ValidationRun(flood["results"], {}), flood["paths"], out)
    lines = out.getvalue().strip().splitlines()
    assert blocked == 1 and len(lines) == 1 + cli.MAX_PRINTED + 1, lines
    assert sum(line.startswith("  - ") for line in lines) == cli.MAX_PRINTED
    assert lines[-1].startswith("  … og 49.990 fejl mere; hele listen i ")
    assert str(flood["paths"].failures_csv) in lines[-1] and "151-ballerup.html" in lines[-1]


def test_read_back_results_keep_exact_counts_and_never_shrink_failures_csv(flood):
    paths = flood["paths"]
    back = validate.load_results(paths)[CODE]
    assert back.examples_only and len(back.failures_detail) == 40
    assert back.rows_failed("critical") == ROWS and back.rows_failed("warning") == LATE
    assert back.summary() == flood["result"].summary()
    before = paths.failures_csv.read_bytes()
    validate.write_pages(paths, None)  # pages from the written files: failures.csv is left alone
    assert paths.failures_csv.read_bytes() == before
    assert "… og 49.980 rækker mere" in paths.validation_page(back).read_text(encoding="utf-8")
