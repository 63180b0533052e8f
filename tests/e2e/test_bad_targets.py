"""End to end (issue 11): a bad targets file blocks only its municipality; the rest of the year is published."""

from __future__ import annotations

import json

import pandas as pd

from tests.factories import YEAR, make_project_copy, run_pipeline

OTHERS = ("151-ballerup", "665-lemvig", "730-randers", "751-aarhus", "766-hedensted")
TARGETS = "data/raw/targets/741.yaml"


def test_a_bad_targets_file_blocks_only_that_municipality(tmp_path):
    """Samsø published once; then its targets file gets text where a number belongs (line 8) and a
    target year before its baseline year (line 19). The next run blocks Samsø only, keeps its last
    report with a notice, and publishes the others, the index and the open data."""
    root = make_project_copy(tmp_path)
    run_pipeline(root, "report", "--year", str(YEAR), "--municipality", "741", check=True)
    reports = root / "reports" / str(YEAR)
    published_before = (reports / "kpis.csv").read_text(encoding="utf-8-sig")
    path = root / TARGETS
    text = path.read_text(encoding="utf-8")
    text = text.replace("target: {year: 2030, value: 60.0}", "target: {year: 2030, value: tres procent}", 1)
    text = text.replace("target: {year: 2035, value: 100.0}", "target: {year: 2018, value: 100.0}", 1)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    number_line = 1 + next(i for i, line in enumerate(lines) if "tres procent" in line)
    year_line = 1 + next(i for i, line in enumerate(lines) if "year: 2018" in line)

    proc = run_pipeline(root, "report", "--year", str(YEAR))

    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    # the console: every problem, naming file, line, key, value and what was expected
    assert "BLOKERET: Samsø (741) 2024 - rapporten udgives ikke; den seneste udgivne rapport beholdes." \
        in proc.stderr
    assert (f"{TARGETS}, linje {number_line}, nøgle 'targets.household_recycling_rate.target.value': værdien i "
            "target skal være et tal (værdi: 'tres procent'); forventet: en procent mellem 0 og 100") in proc.stderr
    assert (f"{TARGETS}, linje {year_line}, nøgle 'targets.zero_emission_share_vans.target.year': målåret skal "
            "ligge efter udgangsåret (baseline) 2019 (værdi: 2018)") in proc.stderr
    summary_line = next(line for line in proc.stdout.splitlines() if line.startswith("  741 "))
    assert f"BLOKERET (seneste udgivne regnskab beholdes): {TARGETS}, linje {number_line}" in summary_line
    assert "Udgivet: 5" in proc.stdout and "blokeret: 1, fejlet: 0." in proc.stdout
    assert "Afslutningskode 1: mindst én kommune er blokeret" in proc.stdout

    # validation: blocked by targets_file_valid, both problems on the auditor's page
    summary = json.loads((reports / "validation/741-samsoe.summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "blocked" and summary["highest_failed_severity"] == "critical"
    assert [(f["row"], f["column"], f["severity"]) for f in summary["failures_detail"]
            if f["rule"] == "targets_file_valid"] == [
        (number_line, "targets.household_recycling_rate.target.value", "critical"),
        (year_line, "targets.zero_emission_share_vans.target.year", "critical")]
    audit = (reports / "validation/741-samsoe.html").read_text(encoding="utf-8")
    assert "targets_file_valid" in audit and TARGETS in audit and "tres procent" in audit

    # the last published report is kept, with a notice; the others are published
    kept = (reports / "741-samsoe.html").read_text(encoding="utf-8")
    assert "En nyere leverance for 2024 er blokeret" in kept
    for slug in OTHERS:
        assert (reports / f"{slug}.html").stat().st_mtime > path.stat().st_mtime, slug
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert index.count("741 Samsø") == 1 and "Seneste godkendte version" in index
    assert "<strong>Blokeret</strong> af en kritisk datafejl" in index
    # the open data are rewritten; Samsø keeps the figures of its kept page, never newer ones
    table = pd.read_csv(reports / "kpis.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert sorted(table["municipality_code"].unique()) == [151, 665, 730, 741, 751, 766]
    assert (reports / "kpis.csv").stat().st_mtime > path.stat().st_mtime
    samsoe_rows = [line for line in (reports / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()
                   if line.startswith("741;")]
    assert samsoe_rows and samsoe_rows == [line for line in published_before.splitlines() if line.startswith("741;")]
    assert "Samsø (ældre rapport)" in index
    records = json.loads((reports / "kpis.json").read_text(encoding="utf-8"))
    assert {r["municipality_code"] for r in records} == {151, 665, 730, 741, 751, 766}
