"""Validation of emissions as delivered: messages name the JSON path of a saved API response, and a
municipality that delivers no emissions gets no new failure (emissions is an optional dataset)."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline import ingest, schema, validate
from pipeline.validate import checks, references
from tests.factories import ROOT, YEAR, Delivery, all_valid

API = ROOT / "tests" / "fixtures" / "emissions" / "api_response_samlet_twice_and_ve_ratio.json"
SUITE = json.loads((ROOT / "expectations" / "emissions.json").read_text(encoding="utf-8"))


def _validate_api(tmp_path, rows=None):
    folder = tmp_path / "raw" / str(YEAR) / "151"
    folder.mkdir(parents=True)
    if rows is None:
        shutil.copy(API, folder / "emissions_2022.json")
    else:
        (folder / "emissions_2022.json").write_text(json.dumps({"data": rows}), encoding="utf-8")
    result = ingest.ingest_year(YEAR, tmp_path / "raw", root=tmp_path)
    return validate.validate_year(YEAR, result.tables, result.manifest)[151]


def _row(sektor, value, enhed="Ton CO2e"):
    return {"sektor": sektor, "type": "Samlet CO2-udledning", "enhed": enhed, "værdi": value,
            "kategori": None, "undertype_3": None}


def test_the_saved_api_response_passes_every_rule(tmp_path):
    result = _validate_api(tmp_path)
    emission_rules = [r for r in result.rules if r["dataset"] == "emissions"]
    assert len(emission_rules) == len(SUITE["expectations"]) + len(checks.DATASET_RULES["emissions"])
    assert {r["outcome"] for r in emission_rules} == {"passed"}
    assert result.source_files["emissions"] == "raw/2024/151/emissions_*.json"


def test_a_failure_in_a_json_response_names_its_json_path(tmp_path):
    rows = [_row("Energi", 100.0), _row("Transport", -5.0), _row("Samlet", 95.0), _row("Samlet", 95.0)]
    result = _validate_api(tmp_path, rows)
    assert result.status == "blocked"
    [failure] = [f for f in result.failures_detail if f["rule"] == "emissions_value_non_negative"]
    assert failure["row"] == "data[1]" and failure["value"] == "-5.0"
    assert failure["source_file"] == "raw/2024/151/emissions_2022.json"
    assert failure["message"].startswith(
        'raw/2024/151/emissions_2022.json, data[1], felt "værdi" (dataår 2022, sektor transport, '
        "enhed t_co2e): værdien -5; forventet et tal på mindst 0")


def test_an_undecidable_samlet_row_is_kept_and_warned_about_with_its_path(tmp_path):
    """Without agriculture the two totals cannot be told apart: both stay, as samlet_uafklaret."""
    rows = [_row("Energi", 100.0), _row("Transport", 50.0), _row("Samlet", 150.0), _row("Samlet", 150.0)]
    result = _validate_api(tmp_path, rows)
    assert result.status == "published" and result.highest_failed_severity == "warning"
    failures = [f for f in result.failures_detail if f["rule"] == "emissions_total_scope_known"]
    assert [f["row"] for f in failures] == ["data[2]", "data[3]"]
    assert all("sektor samlet_uafklaret" in f["message"] for f in failures)
    assert {c["rule"] for c in result.caveats if c["dataset"] == "emissions"} == {
        "emissions_total_scope_known"}


def test_a_table_total_that_does_not_add_up_is_critical_and_names_row_and_column(tmp_path):
    folder = tmp_path / "raw" / str(YEAR) / "151"
    folder.mkdir(parents=True)
    (folder / "emissions.csv").write_text(
        "year;sector;t_co2e;t_co2e_per_inhabitant\n"
        "2022;energi;100;2,0\n2022;landbrug;30;0,6\n2022;samlet_med_landbrug;130;2,9\n",
        encoding="utf-8")
    result = ingest.ingest_year(YEAR, tmp_path / "raw", root=tmp_path)
    validated = validate.validate_year(YEAR, result.tables, result.manifest)[151]
    assert validated.status == "blocked"
    [failure] = [f for f in validated.failures_detail if f["rule"] == "emissions_sectors_add_up"]
    assert failure["row"] == 4 and failure["value"] == "2.9"
    assert failure["message"] == (
        "raw/2024/151/emissions.csv, række 4, kolonne t_co2e_per_inhabitant (dataår 2022, sektor "
        "samlet_med_landbrug, enhed t_co2e_per_inhabitant): værdien 2,9; forventet summen af "
        "sektorerne, 2,6, med højst ±0,5 % afvigelse (afvigelsen er +10,3 %).")


def test_a_municipality_without_emissions_gets_no_new_failure():
    delivery = Delivery()
    five = {d: rows for d, rows in all_valid().items() if d in schema.REQUIRED_DATASETS}
    delivery.add(151, five)
    result = validate.validate_year(YEAR, delivery.tables, delivery.manifest)[151]
    assert result.status == "published" and result.failures_detail == [] and result.caveats == []
    assert result.datasets_missing == [] and "emissions" not in result.datasets_delivered
    gx_rules = sum(len(json.loads((ROOT / "expectations" / f"{d}.json").read_text())["expectations"])
                   for d in schema.REQUIRED_DATASETS)
    references_checked = sum(len(references.rules_for(d)) for d in schema.REQUIRED_DATASETS)
    assert result.rules_checked == gx_rules + len(checks.RULES) + references_checked - 3, \
        "as before emissions (no yoy data)"
    [complete] = [r for r in result.rules if r["rule"] == "datasets_complete"]
    assert complete["outcome"] == "passed" and complete["observed"] == "5 af 5 datasæt leveret"


def test_emissions_alone_still_warns_about_the_five_required_datasets():
    delivery = Delivery().add(151, {"emissions": all_valid()["emissions"]})
    result = validate.validate_year(YEAR, delivery.tables, delivery.manifest)[151]
    missing = [f["dataset"] for f in result.failures_detail if f["rule"] == "datasets_complete"]
    assert missing == schema.REQUIRED_DATASETS


@pytest.mark.parametrize("rule", sorted(checks.DATASET_RULES["emissions"]))
def test_pipeline_checks_are_documented_in_the_suite(rule):
    assert rule in SUITE["meta"]["pipeline_checks"]
    definition = checks.DATASET_RULES["emissions"][rule]
    assert definition["severity"] in checks.SEVERITIES and len(definition["notes"]) > 40


def test_a_restated_past_year_is_info_for_the_auditor_and_never_blocks():
    """Last year's edition said 2021 energi = 104.000 t; this edition says 100.000 t."""
    def rows(energi_2021):
        return [{"data_year": 2021, "sector": s, "unit": "t_co2e", "value": v}
                for s, v in (("energi", energi_2021), ("transport", 40_000.0))]

    now = Delivery(YEAR).add(151, {"emissions": rows(100_000.0)})
    before = Delivery(YEAR - 1).add(151, {"emissions": rows(104_000.0)})
    result = validate.validate_year(YEAR, now.tables, now.manifest, before.tables)[151]
    (rule,) = [r for r in result.rules if r["rule"] == "emissions_restated"]
    assert rule["outcome"] == "failed" and rule["severity"] == "info"
    (failure,) = [f for f in result.failures_detail if f["rule"] == "emissions_restated"]
    assert "værdien 100.000" in failure["message"] and "104.000 som i sidste års udgave" in failure["message"]
    assert result.status == "published" and not any(c["rule"] == "emissions_restated" for c in result.caveats)
    unchanged = validate.validate_year(YEAR, now.tables, now.manifest, Delivery(YEAR - 1).add(
        151, {"emissions": rows(100_000.0)}).tables)[151]
    assert [r["outcome"] for r in unchanged.rules if r["rule"] == "emissions_restated"] == ["passed"]
