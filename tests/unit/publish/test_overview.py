"""The year overview and open data come from the KPI table and the validation summaries: no Account is
built in the parent process, and a published municipality's rows equal its KPI table rows."""

import json

import pandas as pd
import pytest

from pipeline import config, registry
from pipeline.account import kpi_table, model
from pipeline.publish import overview
from pipeline.validate.summary import ValidationSummary, write_json
from tests.factories import processed_tree

FLEET = [("P1", "personbil", "el", "2020-01-01"), ("P2", "personbil", "diesel", "2020-01-01"),
         ("V1", "varebil", "el", "2020-01-01")]


def summary(code: int, status: str = "published") -> ValidationSummary:
    muni = registry.get(code)
    return ValidationSummary(code, muni.name, 2024, status, None, ["fleet"], [], 10,
                             {"critical": int(status == "blocked"), "warning": 0, "info": 0}, [], [],
                             f"validation/{muni.slug}.html")


@pytest.fixture
def year(tmp_path, monkeypatch):
    processed = processed_tree(tmp_path / "processed", {2024: {151: {"fleet": FLEET}, 153: {"fleet": FLEET}}})
    paths = config.YearPaths(2024, tmp_path / "raw", processed, tmp_path / "reports")
    targets = tmp_path / "targets"
    targets.mkdir()
    (targets / "151.yaml").write_text("municipality_code: 151\nsource: Eksempeldata\ntargets:\n"
                                      "  zero_emission_share_passenger_cars:\n"
                                      "    target: {year: 2030, value: 100}\n", encoding="utf-8")
    kpi_table.run(paths, [151], targets)
    for code, status in ((151, "published"), (153, "blocked")):
        write_json(paths.validation_summary(registry.get(code)), summary(code, status).to_dict())
    paths.reports.mkdir(parents=True, exist_ok=True)
    paths.report(registry.get(151)).write_text("<html></html>", encoding="utf-8")

    def no_account(*args, **kwargs):
        raise AssertionError("the overview must not build an Account")

    monkeypatch.setattr(model, "load", no_account)
    return paths, targets


def test_overview_reads_the_kpi_table_not_accounts(year):
    paths, targets = year
    overview.write_year(paths, targets, generated="nu")
    table = pd.read_csv(paths.open_data_csv, sep=";", decimal=",", encoding="utf-8-sig")
    assert sorted(table["municipality_code"].unique()) == [151], "only the published municipality"
    cars = table.set_index("kpi_id").loc["zero_emission_share_passenger_cars"]
    assert cars["value"] == pytest.approx(50.0) and cars["target_value"] == 100 and cars["target_year"] == 2030
    rows = kpi_table.load(paths, 151)
    now = rows[rows["year"] == 2024].set_index("kpi_id")
    assert list(table["status"]) == list(now["status"])
    assert json.loads(paths.open_data_json.read_text(encoding="utf-8"))[0]["municipality"] == "Ballerup"
    index = paths.index.read_text(encoding="utf-8")
    assert "151 Ballerup" in index and "153 Brøndby" in index and "Eksempeldata." in index


def test_blocked_municipality_has_no_open_data_rows(year):
    paths, targets = year
    entries, rows = overview.collect(paths, targets)
    by_code = {e["muni"].code: e for e in entries}
    assert by_code[153]["kpis"] == {} and not by_code[153]["published"]
    assert {r["municipality_code"] for r in rows} == {151}


def test_a_page_kept_after_a_failed_render_keeps_its_own_figures_in_the_overview_and_open_data(year):
    """The run's KPI table has new figures for Ballerup, but its notebook failed: the overview and the open
    data show the figures of the page still published (the previous publication's rows), and say so."""
    from pipeline import provenance
    from pipeline.publish import publication

    paths, targets = year
    old = kpi_table.load(paths)
    publication.write_table(paths, old)  # the previous publication's rows (a copy carried into the new one)
    new = old.copy()
    new.loc[new["kpi_id"] == "zero_emission_share_passenger_cars", "value"] = 99.0
    run = provenance.RunInfo("1.0", "abc1234", False, pd.Timestamp("2025-01-02T03:04:05+01:00").to_pydatetime())
    record, table = publication.compose(paths, new, {151: False}, [153], run, {151: "celle 7 fejlede"})
    assert record.municipalities[151].state == publication.RENDER_FAILED
    assert record.municipalities[151].note == "celle 7 fejlede"
    assert record.municipalities[153].state == publication.BLOCKED and record.municipalities[153].page is None
    publication.write_table(paths, table)
    publication.seal(paths, record)
    overview.write_year(paths, targets, generated="nu")
    csv = pd.read_csv(paths.open_data_csv, sep=";", decimal=",", encoding="utf-8-sig").set_index("kpi_id")
    assert csv.loc["zero_emission_share_passenger_cars", "value"] == pytest.approx(50.0), "the kept page's value"
    index = paths.index.read_text(encoding="utf-8")
    assert "Ikke opdateret" in index and "(ældre rapport)" in index and "Udgivet: læs" not in index
    assert "index.html: ikke i udgivelsen" in publication.differences(paths.reports), "written after the seal"


def test_a_page_rendered_in_the_run_takes_the_new_figures(year):
    from pipeline import provenance
    from pipeline.publish import publication

    paths, _ = year
    publication.write_table(paths, kpi_table.load(paths).assign(value=1.0))  # an older publication's rows
    run = provenance.RunInfo("1.0", "abc1234", False, pd.Timestamp("2025-01-02T03:04:05+01:00").to_pydatetime())
    record, table = publication.compose(paths, kpi_table.load(paths), {151: True}, [], run)
    assert record.municipalities[151].state == publication.PUBLISHED
    assert record.municipalities[151].page_generated == run.generated
    pd.testing.assert_frame_equal(table.reset_index(drop=True),
                                  kpi_table.load(paths)[list(table.columns)].reset_index(drop=True))


def test_a_blocked_municipality_with_a_bad_targets_file_does_not_stop_the_overview(year):
    """Issue 11: its targets file blocked it in validation; the overview and the open data never read
    that file, even when its last published report is kept."""
    paths, targets = year
    (targets / "153.yaml").write_text("municipality_code: 153\nsource: [ikke afsluttet\n", encoding="utf-8")
    paths.report(registry.get(153)).write_text("<html>sidste godkendte</html>", encoding="utf-8")
    overview.write_year(paths, targets, generated="nu")
    table = pd.read_csv(paths.open_data_csv, sep=";", decimal=",", encoding="utf-8-sig")
    assert set(table["municipality_code"]) == {151}
    assert "153 Brøndby" in paths.index.read_text(encoding="utf-8")
