"""End to end: the real `report` path on the sample data, and on deliveries with planted faults."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import frictionless
import pandas as pd
import pytest

from pipeline import registry
from pipeline.account.climate import kpis as climate_kpis
from pipeline.account.kpis import KPI_IDS
from pipeline.account.status import KPI_STATUSES
from pipeline.publish import open_data
from tests.conftest import ROOT, YEAR, run_pipeline
from tests.factories import year_paths

SAMPLE = {151: "151-ballerup", 665: "665-lemvig", 730: "730-randers", 741: "741-samsoe",
          751: "751-aarhus", 766: "766-hedensted"}
# src/href/url() pointing at a network location: the only thing a published page may never do
REMOTE_LOAD = re.compile(r"""(?:\b(?:src|href|srcset|action|data|poster)\s*=\s*["']?\s*(?:https?:)?//)"""
                         r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""", re.IGNORECASE)


def test_report_publishes_every_sample_municipality(report_run, published_reports):
    for slug in SAMPLE.values():
        assert (published_reports / f"{slug}.html").stat().st_size > 50_000
        assert (published_reports / "notebooks" / f"{slug}.ipynb").exists()
        assert (published_reports / "validation" / f"{slug}.html").exists()
    for name in ("index.html", "kpis.csv", "kpis.json", "validation/index.html"):
        assert (published_reports / name).exists(), name
    assert "Udgivet: 6 (heraf 1 med advarsler), blokeret: 0, fejlet: 0." in report_run.stdout
    assert "Afslutningskode 0: alle valgte kommuner er udgivet." in report_run.stdout
    assert not list(published_reports.glob("**/*.tmp")) and not list(published_reports.glob("**/*.failed.ipynb"))


def read_open_data(path) -> pd.DataFrame:
    """kpis.csv read with the options the README documents (Danish Excel's ';' and decimal comma)."""
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", true_values=["ja"],
                       false_values=["nej"], dtype={"municipality_code": int})


def test_open_data_has_one_row_per_municipality_year_and_kpi(published_reports):
    assert (published_reports / "kpis.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_open_data(published_reports / "kpis.csv")
    assert list(table.columns) == open_data.COLUMNS
    years = range(2019, YEAR + 1)
    # every data year × KPI, plus the climate account's three key figures in the report year
    assert len(table) == len(SAMPLE) * (len(years) * len(KPI_IDS) + len(climate_kpis.IDS))
    assert sorted(table["year"].unique()) == list(years) and (table["report_year"] == YEAR).all()
    assert not table.duplicated(["municipality_code", "year", "kpi_id"]).any()
    now = table[table["year"] == YEAR]
    assert set(now["status"]) <= set(KPI_STATUSES) and table.loc[table["year"] < YEAR, "status"].isna().all()
    assert table["sample_data"].all(), "the embedded data is sample data"
    pct = table[table.unit == "%"]["value"].dropna()
    assert pct.between(0, 100).all() and pct.max() > 1, "percentages are on a 0-100 scale"
    assert list(json.loads((published_reports / "kpis.json").read_text(encoding="utf-8"))[0]) == open_data.COLUMNS
    samsoe = now[(now.municipality_code == 741) & (now.kpi_id == "lca_share_projects")].iloc[0]
    assert samsoe["status"] == "mangler data", "Samsø delivered no construction projects in 2024"
    report = frictionless.validate(str(published_reports / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_no_published_html_loads_anything_from_the_network(published_reports):
    pages = sorted(published_reports.glob("**/*.html"))
    assert len(pages) >= 2 * len(SAMPLE) + 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not REMOTE_LOAD.search(html), f"{page.name} loads {REMOTE_LOAD.search(html).group(0)!r}"
        assert "<script" not in html.lower(), f"{page.name} contains a script"


def test_report_is_danish_with_danish_number_formats(published_reports):
    html = (published_reports / "151-ballerup.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html and "<title>Grønt regnskab 2024 – Ballerup Kommune</title>" in html
    assert re.search(r"\d+\u00a0%", html), "percentages are written '46 %' with a no-break space"
    assert re.search(r"\d\.\d{3}", html), "thousands are separated by a dot"
    assert "Eksempeldata" in html
    assert "import " not in html and "account.section" not in html, "code cells are hidden"


def test_notebook_runs_under_the_papermill_cli(sample_project, report_run, tmp_path):
    papermill = [sys.executable, "-m", "papermill"]
    out = tmp_path / "out.ipynb"
    env_root = {"GREEN_ACCOUNTS_ROOT": str(sample_project)}
    import os

    proc = subprocess.run([*papermill, str(ROOT / "notebooks" / "green_account.ipynb"), str(out),
                           "-p", "municipality_code", "751", "-p", "year", "2024", "--no-progress-bar"],
                          cwd=sample_project, env={**os.environ, **env_root}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text(encoding="utf-8"))
    published = [c for c in nb["cells"] if "udforsk" not in c["metadata"].get("tags", [])]
    html_outputs = [o for c in published for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert len(html_outputs) == 9 and "Aarhus Kommune" in "".join(html_outputs[0]["data"]["text/html"])
    explored = [c for c in nb["cells"] if "udforsk" in c["metadata"].get("tags", [])]
    assert len(explored) == 9 and all(c["outputs"] for c in explored), "each section has its data cell"


def test_exploration_cells_never_reach_the_published_page(published_reports):
    """The executed notebook keeps the analyst's data cells; the published page does not."""
    nb = json.loads((published_reports / "notebooks" / "151-ballerup.ipynb").read_text(encoding="utf-8"))
    explored = [c for c in nb["cells"] if "udforsk" in c["metadata"].get("tags", [])]
    assert any('class="dataframe' in "".join(o.get("data", {}).get("text/html", ""))
               for c in explored for o in c["outputs"]), "the data cells show tables in the notebook"
    html = (published_reports / "151-ballerup.html").read_text(encoding="utf-8")
    assert 'class="dataframe' not in html and "acc.summary" not in html


def test_published_open_data_equals_the_frozen_backtest(published_reports):
    """The report year's rows of the published open data are the frozen figures the backtest checks
    (compared by value: the file's format is Danish Excel's, the frozen file's is pandas' default)."""
    expected = pd.read_csv(ROOT / "tests" / "backtests" / "expected" / "kpis_2024.csv")
    table = read_open_data(published_reports / "kpis.csv")
    actual = table[(table["year"] == YEAR) & table["kpi_id"].isin(KPI_IDS)][list(expected.columns)]
    actual = actual.reset_index(drop=True)
    pd.testing.assert_frame_equal(actual.astype({"target_year": "Int64"}),
                                  expected.astype({"target_year": "Int64"}), check_exact=False, rtol=1e-9,
                                  atol=1e-6)


def test_kpi_table_is_a_stage_output(sample_project, report_run):
    table = pd.read_parquet(sample_project / "data" / "processed" / str(YEAR) / "kpis.parquet")
    assert sorted(table["municipality_code"].unique()) == sorted(SAMPLE)
    assert len(table[table["year"] == YEAR]) == len(SAMPLE) * (len(KPI_IDS) + len(climate_kpis.IDS))


def test_same_inputs_give_the_same_html(sample_project, report_run, published_reports):
    before = (published_reports / "741-samsoe.html").read_text(encoding="utf-8")
    run_pipeline(sample_project, "report", "--year", str(YEAR), "--municipality", "741", check=True)
    after = (published_reports / "741-samsoe.html").read_text(encoding="utf-8")
    # only the run's time differs: "Genereret 3. december 2026 kl. 08:21" and "den 3. december … ud fra"
    strip = re.compile(r"Genereret [^<]*|\), den [^<]*? ud fra")
    assert strip.sub("", before) == strip.sub("", after)


def test_run_summary_lists_every_municipality_with_its_outcome(faulty_run):
    """Published, published with named warnings, blocked with the first reason; exit code explained."""
    _, proc, _ = faulty_run
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if re.match(r"  \d{3} ", line)}
    assert sorted(lines) == ["147", "151", "665", "730", "741", "751", "766"]
    assert "BLOKERET (seneste udgivne regnskab beholdes): data/raw/2024/151/waste.csv, række 7" in lines["151"]
    assert "BLOKERET (intet tidligere regnskab): leverancen kan ikke læses: data/raw/2024/665/fleet.csv" in lines["665"]
    assert "udgivet med 1 advarsel: Vognparken er faldet med" in lines["730"]
    assert "ingen målfil" in lines["147"] and "kun 1 af 5 datasæt leveret" in lines["147"]
    assert lines["751"].split("[")[0].strip().endswith("udgivet")
    assert "Udgivet: 5 (heraf 3 med advarsler), blokeret: 2, fejlet: 0." in proc.stdout
    assert "Afslutningskode 1: mindst én kommune er blokeret" in proc.stdout
    assert "der er ingen tidligere udgivet rapport" in proc.stderr  # Lemvig never published


def test_negative_tonnage_blocks_only_that_municipality(faulty_run):
    root, proc, previous = faulty_run
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "BLOKERET: Ballerup (151)" in proc.stderr
    assert "data/raw/2024/151/waste.csv, række 7, kolonne tonnes: værdien -3,5" in proc.stderr
    kept = (root / "reports/2024/151-ballerup.html").read_text(encoding="utf-8")
    assert "En nyere leverance for 2024 er blokeret" in kept and 'href="validation/151-ballerup.html"' in kept
    from pipeline.publish import superseded

    paths = year_paths(root)
    superseded.clear_superseded(paths, registry.get(151))
    assert paths.report(registry.get(151)).read_bytes() == previous, "the last good report is kept as it was"
    superseded.mark_superseded(paths, registry.get(151), superseded.reason_href(registry.get(151)))
    for slug in ("730-randers", "741-samsoe", "751-aarhus", "766-hedensted", "147-frederiksberg"):
        assert (root / f"reports/2024/{slug}.html").exists(), slug
    index = (root / "reports/2024/index.html").read_text(encoding="utf-8")
    assert "Blokeret" in index and "Seneste godkendte version" in index


def test_fleet_shrink_is_published_with_a_caveat(faulty_run):
    root, _, _ = faulty_run
    html = (root / "reports/2024/730-randers.html").read_text(encoding="utf-8")
    assert "Forbehold" in html
    summary = json.loads((root / "reports/2024/validation/730-randers.summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "published" and summary["failures"]["warning"] >= 1
    assert any(c["dataset"] == "fleet" for c in summary["caveats"])


def test_auditor_pages_show_both_cases(faulty_run):
    root, _, _ = faulty_run
    ballerup = (root / "reports/2024/validation/151-ballerup.html").read_text(encoding="utf-8")
    assert "data/raw/2024/151/waste.csv" in ballerup and "-3,5" in ballerup
    randers = (root / "reports/2024/validation/730-randers.html").read_text(encoding="utf-8")
    assert "advarsel" in randers.lower()
    overview = (root / "reports/2024/validation/index.html").read_text(encoding="utf-8")
    assert "Ballerup" in overview and "blokeret" in overview.lower()


def test_fleet_only_delivery_gets_a_report_with_missing_data(faulty_run):
    root, _, _ = faulty_run
    html = (root / "reports/2024/147-frederiksberg.html").read_text(encoding="utf-8")
    assert "Personbiler på el eller brint" in html
    assert html.count("mangler data") >= 8
    table = read_open_data(root / "reports/2024/kpis.csv")
    frb = table[(table.municipality_code == 147) & (table.year == YEAR)].set_index("kpi_id")["status"]
    assert frb["household_recycling_rate"] == "mangler data"
    assert frb["zero_emission_share_passenger_cars"] in {"mangler mål", "på sporet", "ikke på sporet"}


def test_unreadable_delivery_blocks_only_that_municipality(faulty_run):
    root, proc, _ = faulty_run
    assert "BLOKERET: Lemvig (665) - leverancen kan ikke læses" in proc.stderr
    assert "data/raw/2024/665/fleet.csv, række 4, kolonne 'in_service_since'" in proc.stderr
    assert "'sidste forår'" in proc.stderr and "forventet: en dato" in proc.stderr
    assert not (root / "reports/2024/665-lemvig.html").exists()
    assert (root / "reports/2024/751-aarhus.html").exists()
    audit = (root / "reports/2024/validation/index.html").read_text(encoding="utf-8")
    assert "sidste forår" in audit and "Lemvig" in audit
    index = (root / "reports/2024/index.html").read_text(encoding="utf-8")
    assert index.count("665 Lemvig") == 1 and "intet tidligere regnskab" in index
    assert not list((root / "reports/2024/validation").glob("665-lemvig*")), \
        "last run's verdict for Lemvig must not stay on the auditor's pages"


def test_exit_codes_through_make(faulty_run):
    """GNU make exits 2 whenever a recipe fails (its own rule; it cannot pass 1 on), so the Makefile
    prints the pipeline's code on the last line and make's own message names it: Error 1 for a blocked
    municipality, Error 2 for bad parameters. The CLI's exit codes themselves are 0, 1 and 2."""
    import os

    root, proc, _ = faulty_run
    assert proc.returncode == 1
    env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
    blocked = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "report", "YEAR=2024"], env=env,
                             capture_output=True, text=True, timeout=900, check=False)
    assert blocked.returncode == 2 and "Error 1" in blocked.stderr, blocked.stderr[-2000:]
    assert "Afslutningskode 1" in blocked.stdout
    bad = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "report", "YEAR=20x4"], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert bad.returncode == 2 and "Error 2" in bad.stderr and "YEAR='20x4'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_verify_names_the_page_whose_input_changed(tmp_path):
    """`make verify` after a real run (Ballerup: emissions as one saved API response per data year, each
    recorded with its own checksum): all inputs match; then one byte of the targets file changes."""
    from tests.factories import make_project_copy

    root = make_project_copy(tmp_path)
    run_pipeline(root, "report", "--year", str(YEAR), "--municipality", "151", check=True)
    clean = run_pipeline(root, "verify", "--year", str(YEAR))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    targets = root / "data/raw/targets/151.yaml"
    targets.write_bytes(targets.read_bytes().replace(b"source:", b"source: ", 1))
    changed = run_pipeline(root, "verify", "--year", str(YEAR))
    assert changed.returncode == 1
    assert "151-ballerup.html: data/raw/targets/151.yaml er ændret siden udgivelsen" in changed.stdout
    assert "emissions_" not in changed.stdout, "every saved API response still matches"


@pytest.mark.parametrize("variable", ["YEAR=2024;touch {marker}", "YEAR=2024 --municipality 151",
                                      "MUNICIPALITY=`touch {marker}`", "MUNICIPALITY=$(shell touch {marker})",
                                      "WORKERS=$$(touch {marker})"])
def test_make_variables_are_values_never_commands(tmp_path, variable):
    """Issue 11: a make variable reaches the CLI as one quoted argument; make never expands it."""
    marker = tmp_path / "pwned"
    args = [variable.format(marker=marker)] + ([] if variable.startswith("YEAR=") else ["YEAR=2024"])
    proc = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "report", *args],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "Error 2" in proc.stderr, proc.stderr[-1500:]
    assert not marker.exists(), f"{variable} ran a command"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("target,variables", [
    ("backfill", ["FROM=2019;touch {marker}", "TO=2024"]),
    ("backfill", ["FROM=2019", "TO=$(shell touch {marker})"]),
    ("backfill", ["FROM=2019", "TO=2024", "EXECUTOR=`touch {marker}`"]),
    ("backfill", ["FROM=2019", "TO=2024", "EXECUTOR=dask://$$(touch {marker}):8786"]),
    ("report", ["YEAR=20x4", "FORCE=$(shell touch {marker})"]),
])
def test_backfill_and_render_variables_are_values_never_commands(tmp_path, target, variables):
    """FROM, TO, EXECUTOR and FORCE reach the CLI as values (FORCE only switches --force on); bad ones are
    refused with exit 2 before anything is read."""
    marker = tmp_path / "pwned"
    proc = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", target,
                           *[v.format(marker=marker) for v in variables]],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "Error 2" in proc.stderr, proc.stderr[-1500:]
    assert not marker.exists(), f"{variables} ran a command"
    assert "Traceback" not in proc.stderr


def test_operations_kpi_blocks_draw_a_chart_only_with_a_target(published_reports):
    """Issue 12: the section 'Kommunen som virksomhed' has the group's charts; in 'Nøgletal' an operations KPI
    block draws one only when the municipality has a target (Ballerup: heat per m², 113 kWh/m² by 2030)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup((published_reports / "151-ballerup.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find(id="kpi-heat-kwh-per-m2").find("svg") is not None
    assert page.find(id="kpi-water-m3").find("svg") is None
    section = page.find(id="kommunen-som-virksomhed")
    assert len(section.find_all("svg")) == 3 and section.find("table", class_="operations-factors-table")


@pytest.mark.parametrize("variable", ["PAIRS=1;touch {marker}", "PAIRS=`touch {marker}`",
                                      "MUNICIPALITIES=$(shell touch {marker})", "MUNICIPALITIES=3 --year 1066"])
def test_bench_national_variables_are_values_never_commands(tmp_path, variable):
    """Issue 13: the new make variables of bench-national are validated and passed quoted, like YEAR."""
    marker = tmp_path / "pwned"
    proc = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "bench-national",
                           variable.format(marker=marker), "YEAR=2024"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "Error 2" in proc.stderr, proc.stderr[-1500:]
    assert not marker.exists(), f"{variable} ran a command"
    assert "Traceback" not in proc.stderr
