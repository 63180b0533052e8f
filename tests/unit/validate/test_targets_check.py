"""targets_file_valid: a bad targets file blocks only its municipality, with every problem named."""

from __future__ import annotations

import csv
import io

import pytest

from pipeline import cli, registry, validate
from pipeline import run as stages
from pipeline.validate import checks, targets_check
from tests.factories import YEAR, Delivery, all_valid, year_paths

BAD, GOOD, NONE = 101, 147, 151  # København: a bad targets file; Frederiksberg: a good one; Ballerup: none
HEADER = "municipality_code: {code}\nsource: Klimaplan\ntargets:\n"
GOOD_TARGETS = HEADER + "  household_recycling_rate:\n    target: {{year: 2030, value: 60.0}}\n"

# (file text, problem line, key, value, what the message says): the kinds of bad file from issue 11
BAD_FILES = {
    "invalid YAML": (HEADER + "  residual_waste_share:\n    target: {{year: 2030, value: 25\n",
                     5, None, None, "er ikke gyldig YAML"),
    "not UTF-8": ("municipality_code: {code}\nsource: Køge Kommunes klimaplan\n",
                  2, None, None, "er ikke UTF-8-tekst"),
    "unknown KPI id": (HEADER + "  lca_renovation:\n    target: {{year: 2030, value: 60}}\n",
                       4, "targets.lca_renovation", "lca_renovation", "ukendt nøgletal (kpi_id) 'lca_renovation'"),
    "target year before baseline year": (
        HEADER + "  lca_share_projects:\n    baseline: {{year: 2026, value: 20}}\n"
        "    target: {{year: 2025, value: 100}}\n",
        6, "targets.lca_share_projects.target.year", "2025", "efter udgangsåret (baseline) 2026"),
    "text for a number": (HEADER + "  residual_waste_share:\n    target: {{year: 2030, value: femogtyve}}\n",
                          5, "targets.residual_waste_share.target.value", "femogtyve", "skal være et tal"),
    "bad climate block": (("municipality_code: {code}\nsource: Klimaplan\nclimate:\n  scope: begge\n"
                          "  reference: {{year: 1990, t_co2e: 1000}}\n  milestones: [{{year: 2030, reduction_pct: 70}}]\n"),
                          4, "climate.scope", "begge", "'scope' skal sige"),
}


def write(targets_dir, code: int, text: str):
    path = targets_dir / f"{code:03d}.yaml"
    encoding = "cp1252" if "Køge" in text else "utf-8"
    path.write_bytes(text.format(code=code).encode(encoding))
    return path


@pytest.mark.parametrize("kind", BAD_FILES)
def test_each_bad_file_fails_the_rule_naming_file_line_key_and_value(tmp_path, kind):
    text, line, key, value, says = BAD_FILES[kind]
    path = write(tmp_path, BAD, text)
    [rule], [failure] = targets_check.check(BAD, tmp_path)
    assert rule["rule"] == "targets_file_valid" and rule["outcome"] == "failed"
    assert rule["severity"] == "critical" and rule["unexpected_count"] == 1
    assert failure["source_file"] == str(path) and failure["row"] == line
    assert (failure["column"], failure["value"]) == (key, value)
    assert failure["severity"] == "critical" and failure["dataset"] is None
    message = failure["message"]
    assert message.startswith(f"{path}, linje {line}") and says in message and "; forventet: " in message
    if key is not None:
        assert f"nøgle '{key}'" in message and "(værdi: " in message and value in message


def test_every_problem_of_a_file_is_a_failure_row(tmp_path):
    write(tmp_path, BAD, HEADER + "  nope:\n    target: {{year: 2030, value: 1}}\n"
          "  residual_waste_share:\n    target: {{year: 2030, value: 120}}\n")
    [rule], failures = targets_check.check(BAD, tmp_path)
    assert rule["unexpected_count"] == 2 and rule["observed"].endswith(": 2 problemer")
    assert [(f["row"], f["column"]) for f in failures] == [
        (4, "targets.nope"), (7, "targets.residual_waste_share.target.value")]


def test_a_good_file_passes_and_a_missing_one_is_not_judged(tmp_path):
    write(tmp_path, GOOD, GOOD_TARGETS)
    [rule], failures = targets_check.check(GOOD, tmp_path)
    assert rule["outcome"] == "passed" and failures == [] and rule["observed"].endswith(": 1 mål")
    [rule], failures = targets_check.check(NONE, tmp_path)
    assert rule["outcome"] == "skipped" and failures == []
    assert rule["message"].startswith("Ikke vurderet: der er ingen målfil") and "'mangler mål'" in rule["message"]


def test_the_rule_is_described_like_the_other_pipeline_checks():
    rule = checks.RULES["targets_file_valid"]
    assert rule["severity"] == "critical" and rule["description"] and len(rule["notes"]) > 40
    assert "targets_file_valid" not in checks.COMPLETENESS_RULES


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Three municipalities with valid deliveries: a bad targets file, a good one, and none."""
    root = tmp_path_factory.mktemp("project")
    targets_dir = root / "data" / "raw" / "targets"
    targets_dir.mkdir(parents=True)
    write(targets_dir, BAD, BAD_FILES["text for a number"][0])
    write(targets_dir, GOOD, GOOD_TARGETS)
    delivery = Delivery().add(BAD, all_valid()).add(GOOD, all_valid()).add(NONE, all_valid())
    results = validate.validate_year(YEAR, delivery.tables, delivery.manifest, targets_dir=targets_dir)
    paths = year_paths(root)
    validate.write_results(results, paths)
    validate.write_pages(paths, results, targets_dir=targets_dir)
    return results, paths


def test_a_bad_targets_file_blocks_only_its_municipality(validated):
    results, paths = validated
    assert results[BAD].status == "blocked" and results[BAD].highest_failed_severity == "critical"
    assert results[BAD].failures["critical"] == 1
    assert results[GOOD].status == results[NONE].status == "published"
    assert results[NONE].highest_failed_severity is None, "no targets file: no failure (as before)"
    summary = validate.load_summaries(paths)[BAD]
    assert summary.status == "blocked"
    [failure] = summary.failures_detail
    assert failure["rule"] == "targets_file_valid" and "'femogtyve'" in failure["message"]


def test_the_auditors_page_and_failures_csv_name_file_line_key_and_value(validated):
    results, paths = validated
    html = paths.validation_page(results[BAD]).read_text(encoding="utf-8")
    assert "targets_file_valid" in html and "Målfilen kan læses og er gyldig" in html
    assert "101.yaml" in html
    assert "targets.residual_waste_share.target.value" in html and "femogtyve" in html
    assert "Rapporten for 2024 udgives ikke" in html
    rows = list(csv.reader(io.StringIO(paths.failures_csv.read_bytes().decode("utf-8-sig")), delimiter=";"))
    [row] = [r for r in rows[1:] if r[6] == "targets_file_valid"]
    assert row[:2] == ["København", "101"] and row[2].endswith("data/raw/targets/101.yaml")
    assert row[3:6] == ["5", "targets.residual_waste_share.target.value", "femogtyve"]


def test_the_console_lists_the_problem_of_a_blocked_municipality(validated):
    results, paths = validated
    run = stages.ValidationRun(results, {})
    assert [m.code for m in run.passed] == [GOOD, NONE], "the KPI table and notebooks get only these"
    stream = io.StringIO()
    assert cli.print_failures(run, paths, stream) == 1
    err = stream.getvalue()
    assert f"BLOKERET: {registry.get(BAD).name} ({BAD}) {YEAR} - rapporten udgives ikke" in err
    assert "linje 5, nøgle 'targets.residual_waste_share.target.value'" in err and "femogtyve" in err
