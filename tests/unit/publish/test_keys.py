"""Content-hash keys: a municipality's key changes with its own files and nothing else's; the run key with any
input; the validation digest with what the validation says, never with its times."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline import config
from pipeline.publish import keys
from pipeline.validate.summary import MunicipalityValidation


@pytest.fixture
def project(tmp_path) -> config.YearPaths:
    raw = tmp_path / "raw"
    for year in (2023, 2024, 2025):
        for code in (151, 741):
            folder = raw / str(year) / str(code)
            folder.mkdir(parents=True)
            (folder / "fleet.csv").write_bytes(f"vehicle_id;propulsion\n{code}-{year};el\n".encode("cp1252"))
    targets = raw / "targets"
    targets.mkdir()
    for code in (151, 741):
        (targets / f"{code}.yaml").write_text(f"municipality_code: {code}\n", encoding="utf-8")
    return config.YearPaths(2024, raw_root=raw)


def targets(paths: config.YearPaths) -> Path:
    return paths.raw_root / "targets"


def test_a_municipality_key_follows_its_own_files_only(project):
    t = targets(project)
    before = {c: keys.inputs_key(project, c, t) for c in (151, 741)}
    assert before[151] != before[741]
    (project.raw_root / "2024" / "151" / "fleet.csv").write_bytes(b"vehicle_id;propulsion\n151-2024;diesel\n")
    after = {c: keys.inputs_key(project, c, t) for c in (151, 741)}
    assert after[151] != before[151]
    assert after[741] == before[741], "another municipality's file does not change Samsø's key"


def test_the_targets_count_later_years_do_not(project):
    t = targets(project)
    key = keys.inputs_key(project, 151, t)
    (t / "151.yaml").write_text("municipality_code: 151\nsample_data: true\n", encoding="utf-8")
    assert keys.inputs_key(project, 151, t) != key
    key = keys.inputs_key(project, 151, t)
    (project.raw_root / "2025" / "151" / "fleet.csv").write_bytes(b"next year")
    assert keys.inputs_key(project, 151, t) == key, "a later year is not part of the 2024 page"


def test_history_year_changes_the_key(project):
    t = targets(project)
    key = keys.inputs_key(project, 151, t)
    (project.raw_root / "2023" / "151" / "fleet.csv").write_bytes(b"vehicle_id;propulsion\n151-2023;diesel\n")
    assert keys.inputs_key(project, 151, t) != key


def test_a_new_or_removed_file_changes_the_key(project):
    t = targets(project)
    key = keys.inputs_key(project, 151, t)
    extra = project.raw_root / "2024" / "151" / "waste.csv"
    extra.write_bytes(b"a;b\n1;2\n")
    with_file = keys.inputs_key(project, 151, t)
    assert with_file != key
    extra.unlink()
    assert keys.inputs_key(project, 151, t) == key
    (t / "151.yaml").unlink()
    assert keys.inputs_key(project, 151, t) != key, "a missing targets file is an input too"


def test_the_run_key_follows_every_input(project):
    t = targets(project)
    key = keys.run_key(project, t)
    assert keys.run_key(project, t) == key, "the same bytes give the same key"
    (project.raw_root / "2024" / "741" / "fleet.csv").write_bytes(b"x")
    assert keys.run_key(project, t) != key
    key = keys.run_key(project, t)
    (t / "999.yaml").write_text("new", encoding="utf-8")
    assert keys.run_key(project, t) != key
    key = keys.run_key(project, t)
    new_muni = project.raw_root / "2024" / "101"
    new_muni.mkdir()
    (new_muni / "fleet.csv").write_bytes(b"a")
    assert keys.run_key(project, t) != key


def test_the_code_is_part_of_every_key(project, monkeypatch, tmp_path):
    t = targets(project)
    key = keys.inputs_key(project, 151, t)
    run = keys.run_key(project, t)
    notebook = tmp_path / "other.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(config, "GREEN_ACCOUNT_NOTEBOOK", notebook)
    assert keys.inputs_key(project, 151, t) != key
    assert keys.run_key(project, t) != run


def validation(**changes) -> MunicipalityValidation:
    base = MunicipalityValidation(151, "Ballerup", "151-ballerup", 2024, "published", None, ["fleet"], [], 70,
                                  {"critical": 0}, [], [], gx_results={"fleet": {"meta": {"run_time": "12:00"}}})
    return dataclasses.replace(base, **changes)


def test_the_validation_digest_ignores_times_but_not_findings():
    digest = keys.validation_digest(validation())
    assert keys.validation_digest(validation(gx_results={"fleet": {"meta": {"run_time": "13:00"}}})) == digest
    assert keys.validation_digest(validation(provenance={"generated": "later"})) == digest
    caveat = [{"kpi": "fleet_share_zero_emission", "message": "1 række afviger"}]
    assert keys.validation_digest(validation(caveats=caveat)) != digest
    assert keys.validation_digest(validation(status="blocked")) != digest
    assert keys.page_key("a", validation()) != keys.page_key("b", validation())
