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
