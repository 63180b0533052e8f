"""The validation summary: one dataclass, one reader, and the JSON files write_results leaves behind."""

from __future__ import annotations

import json

import pytest

from pipeline import registry, schema, validate
from pipeline.validate import MunicipalityValidation, ValidationSummary
from tests.factories import SUMMARY_KEYS, YEAR, Delivery, all_valid, year_paths

BLOCKED, CAVEAT, CLEAN = 101, 147, 151


def results_free_summary() -> dict:
    return {"municipality_code": "151", "municipality": "Ballerup", "year": "2024",
            "status": "published", "highest_failed_severity": "warning",
            "datasets_delivered": ["fleet"], "datasets_missing": [], "rules_checked": "7",
            "failures": {"critical": 0, "warning": 1, "info": 0}, "caveats": [],
            "failures_detail": [], "page": "validation/151-ballerup.html"}


@pytest.fixture(scope="module")
def results() -> dict[int, MunicipalityValidation]:
    negative = all_valid()
    negative["waste"][1]["tonnes"] = -3.5
    no_waste = {d: rows for d, rows in all_valid().items() if d != "waste"}
    delivery = Delivery().add(BLOCKED, negative).add(CAVEAT, no_waste).add(CLEAN, all_valid())
    return validate.validate_year(YEAR, delivery.tables, delivery.manifest)


@pytest.fixture
def paths(results, tmp_path):
    paths = year_paths(tmp_path)
    validate.write_results(results, paths)
    return paths


def test_summary_json_has_the_documented_shape(results, paths):
    for code, result in results.items():
        slug = registry.get(code).slug
        document = json.loads(paths.validation_summary(result).read_text(encoding="utf-8"))
        assert list(document) == SUMMARY_KEYS
        assert document["municipality_code"] == code and document["year"] == YEAR
        assert document["municipality"] == registry.get(code).name
        assert document["page"] == f"validation/{slug}.html"
        assert list(document["failures"]) == list(schema.SEVERITIES)
        assert document == result.summary().to_dict()
    blocked = json.loads(paths.validation_summary(results[BLOCKED]).read_text(encoding="utf-8"))
    assert blocked["status"] == "blocked" and blocked["highest_failed_severity"] == "critical"
    assert blocked["failures"] == {"critical": 1, "warning": 0, "info": 0}
    [failure] = blocked["failures_detail"]
    assert failure["rule"] == "waste_tonnes_non_negative" and failure["row"] == 3
    caveat = json.loads(paths.validation_summary(results[CAVEAT]).read_text(encoding="utf-8"))
    assert caveat["status"] == "published" and caveat["datasets_missing"] == ["waste"]
    assert [c["rule"] for c in caveat["caveats"]] == ["datasets_complete"]


def test_danish_names_are_written_as_letters(results, paths):
    text = paths.validation_summary(results[BLOCKED]).read_text(encoding="utf-8")
    assert '"municipality": "København"' in text


def test_round_trip_through_dict_and_file(results, paths):
    for result in results.values():
        summary = result.summary()
        assert isinstance(summary, ValidationSummary)
        assert ValidationSummary.from_dict(summary.to_dict()) == summary
        assert validate.load_summary(paths.validation_summary(result)) == summary


def test_summary_properties(results):
    summary = results[BLOCKED].summary()
    assert summary.code == BLOCKED and summary.slug == registry.get(BLOCKED).slug
    assert summary.published is False and results[CLEAN].summary().published is True
    assert summary.page == results[BLOCKED].page


def test_from_dict_lists_every_severity():
    document = results_free_summary()
    document["failures"] = {"warning": 2}
    summary = ValidationSummary.from_dict(document)
    assert summary.failures == {"critical": 0, "warning": 2, "info": 0}
    assert list(summary.to_dict()["failures"]) == list(schema.SEVERITIES)


def test_from_dict_types_the_fields():
    summary = ValidationSummary.from_dict(results_free_summary())
    assert (summary.code, summary.year, summary.rules_checked) == (151, 2024, 7)
    assert summary.slug == "151-ballerup"


def test_load_summaries_keys_by_code(results, paths):
    summaries = validate.load_summaries(paths)
    assert list(summaries) == sorted(results)
    assert summaries == {code: r.summary() for code, r in results.items()}


def test_load_summaries_of_a_year_without_validation_is_empty(tmp_path):
    assert validate.load_summaries(year_paths(tmp_path)) == {}
    assert validate.load_results(year_paths(tmp_path)) == {}


def test_load_results_reads_summary_and_results_document(results, paths):
    reloaded = validate.load_results(paths)
    for code, result in results.items():
        assert reloaded[code].summary() == result.summary()
        assert reloaded[code].rules == result.rules
        assert reloaded[code].suite_versions == result.suite_versions
        assert reloaded[code].source_files == result.source_files
        assert set(reloaded[code].gx_results) == set(result.gx_results)


def test_load_results_without_results_document_keeps_the_summary(results, paths):
    paths.validation_results(results[CLEAN]).unlink()
    reloaded = validate.load_results(paths)[CLEAN]
    assert reloaded.summary() == results[CLEAN].summary()
    assert reloaded.rules == [] and reloaded.gx_results == {}


def test_write_results_removes_files_of_municipalities_not_in_this_run(results, paths):
    stale_page = paths.validation_page(results[CAVEAT])
    stale_page.write_text("last run", encoding="utf-8")
    (paths.validation / "index.html").write_text("index", encoding="utf-8")
    validate.write_results({c: r for c, r in results.items() if c != CAVEAT}, paths)
    names = sorted(p.name for p in paths.validation.iterdir())
    assert not [n for n in names if n.startswith(f"{registry.get(CAVEAT).slug}.")]
    assert "index.html" in names and len(names) == 2 * (len(results) - 1) + 1
    assert sorted(validate.load_summaries(paths)) == [BLOCKED, CLEAN]


def test_write_results_refuses_another_years_results(results, tmp_path):
    with pytest.raises(ValueError, match=f"validate {YEAR + 1}"):
        validate.write_results(results, year_paths(tmp_path, YEAR + 1))
