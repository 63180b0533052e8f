"""References between datasets: a construction project's building_id must name a delivered building;
critical where the building's use decides the BR18 limit (a KPI would be computed wrongly), else a warning."""

from __future__ import annotations

import json

import pytest

from pipeline import config, validate
from pipeline.account.kpis import lca
from pipeline.schema import SEVERITY_DA
from pipeline.validate import references
from tests.factories import YEAR, Delivery, all_valid, frame, valid_rows

CODE = 151
FILES = {"construction_projects": "data/raw/2025/151/construction_projects.csv",
         "buildings": "data/raw/2025/151/buildings.csv"}


@pytest.fixture(scope="module")
def planted():
    """Ballerup's project P2 (row 3) names building B9, which is not in its buildings."""
    rows = all_valid()
    rows["construction_projects"][1]["building_id"] = "B9"
    no_buildings = {d: r for d, r in all_valid().items() if d != "buildings"}
    delivery = Delivery().add(CODE, rows).add(101, no_buildings)
    return validate.validate_year(YEAR, delivery.tables, delivery.manifest)


def _rule(result, name) -> dict:
    return next(r for r in result.rules if r["rule"] == name)


def test_an_unknown_building_is_a_named_warning(planted):
    result = planted[CODE]
    [failure] = [f for f in result.failures_detail if f["rule"] == "construction_projects_building_known"]
    assert (failure["source_file"], failure["row"], failure["column"], failure["value"], failure["severity"]) == (
        f"data/raw/{YEAR}/151/construction_projects.csv", 3, "building_id", "B9", "warning")
    assert failure["message"] == (
        f"data/raw/{YEAR}/151/construction_projects.csv, række 3, kolonne building_id: værdien \"B9\"; "
        f"forventet et building_id fra data/raw/{YEAR}/151/buildings.csv (kommunale bygninger).")
    assert result.status == "published" and result.failures == {"critical": 0, "warning": 1, "info": 0}
    [caveat] = result.caveats
    assert caveat["kpis"] == [], "the LCA KPIs are computed rightly: no KPI is qualified"
    assert "1 af 3 rækker i data/raw/2024/151/construction_projects.csv" in caveat["message"]
    rule = _rule(result, "construction_projects_building_known")
    assert rule["outcome"] == "failed" and rule["observed"] == "1 af 3 rækker fejler"
    assert "advarsel" in rule["note"] and "kritisk" in rule["note"], "the notes say why this severity"
    br18 = _rule(result, "construction_projects_building_known_for_br18")
    assert br18["outcome"] == "passed" and br18["severity"] == "critical"


def test_only_checked_when_both_datasets_are_delivered(planted):
    result = planted[101]
    for name in references.RULES:
        rule = _rule(result, name)
        assert rule["outcome"] == "skipped" and "kommunale bygninger (buildings) er ikke leveret" in rule["message"]
    assert not any(f["rule"] in references.RULES for f in result.failures_detail)


def _frames(year: int, project: dict, buildings=None) -> dict:
    """One municipality's projects (the valid ones plus PROJECT) and buildings (default: the valid ones)."""
    projects = [dict(p, completed_on=f"{year}-03-15") for p in valid_rows("construction_projects")] + [project]
    out = {"construction_projects": frame("construction_projects", projects, CODE, year)}
    if buildings is not False:
        out["buildings"] = frame("buildings", buildings or valid_rows("buildings"), CODE, year)
    return out


NEW_OFFICE = {"project_id": "P9", "building_id": "B9", "project_type": "nybyggeri", "completed_on": "2025-08-01",
              "floor_area_m2": 2000.0, "lca_performed": "ja", "lca_gwp_kg_co2e_m2_year": 7.8,
              "recycled_material_share_pct": None}


def test_a_new_build_judged_by_its_buildings_use_is_critical():
    """From July 2025 the BR18 limit follows the building's use: an unknown building would be judged
    against 8,0 instead of, say, an office's 7,5, and the KPI would change."""
    frames = _frames(2025, NEW_OFFICE)
    rules, failures = references.check("construction_projects", frames, FILES)
    assert {r["rule"]: r["outcome"] for r in rules} == {
        "construction_projects_building_known_for_br18": "failed", "construction_projects_building_known": "passed"}
    [failure] = failures
    assert failure["severity"] == "critical" and failure["row"] == 5 and failure["value"] == "B9"
    assert failure["message"].endswith("(gælder nybyggeri afsluttet fra 1. juli 2025 med et LCA-resultat).")
    office = valid_rows("buildings") + [{"building_id": "B9", "name": "Nyt rådhus", "use": "kontor",
                                         "heated_area_m2": 2000.0, "energy_label": None, "label_valid_until": None}]
    right = lca.compute(_frames(2025, NEW_OFFICE, office), 2025)["lca_within_limit_share"]
    guessed = lca.compute(frames, 2025)["lca_within_limit_share"]
    assert (right, guessed) == (0.0, 100.0), "7,8 is over the office limit 7,5 but under the guessed 8,0"
    assert references.check("construction_projects", _frames(2025, NEW_OFFICE, office), FILES)[1] == []


@pytest.mark.parametrize("change", [{"completed_on": "2025-06-30"}, {"lca_performed": "nej",
                                                                      "lca_gwp_kg_co2e_m2_year": None},
                                    {"project_type": "renovering"}])
def test_where_the_use_decides_nothing_an_unknown_building_is_a_warning(change):
    _, failures = references.check("construction_projects", _frames(2025, {**NEW_OFFICE, **change}), FILES)
    assert [(f["rule"], f["severity"]) for f in failures] == [("construction_projects_building_known", "warning")]


def test_ids_compare_as_the_kpis_compare_them_and_empty_ids_are_left_to_their_own_rule():
    padded = _frames(2025, {**NEW_OFFICE, "building_id": " B1 "})
    assert references.check("construction_projects", padded, FILES)[1] == []
    empty = _frames(2025, {**NEW_OFFICE, "building_id": None})
    assert references.check("construction_projects", empty, FILES)[1] == [], "reported by ..._building_id_not_null"


def test_a_missing_key_column_is_an_error_at_the_rules_severity():
    frames = _frames(2025, NEW_OFFICE)
    frames["buildings"] = frames["buildings"].drop(columns=["building_id"])
    rules, failures = references.check("construction_projects", frames, FILES)
    assert {r["outcome"] for r in rules} == {"error"}
    assert {f["severity"] for f in failures} == {"critical", "warning"}
    assert "kolonnen buildings.building_id mangler" in failures[0]["message"]


@pytest.mark.parametrize("rule", sorted(references.RULES))
def test_reference_rules_are_documented_in_the_suite(rule):
    suite = json.loads((config.EXPECTATIONS / f"{references.RULES[rule]['dataset']}.json").read_text(encoding="utf-8"))
    assert suite["meta"]["pipeline_checks"][rule].startswith(SEVERITY_DA[references.RULES[rule]["severity"]])
    assert rule.startswith(references.RULES[rule]["dataset"] + "_") and len(references.RULES[rule]["notes"]) > 40
