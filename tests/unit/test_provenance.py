"""The run's provenance: git commit and dirty flag, the run time, input checksums, and where they are
recorded (each published page's sidecar, each validation summary and results document)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
import subprocess

import pytest

from pipeline import config, provenance, validate
from pipeline.account import notebook
from pipeline.ingest.store import load_manifest, load_processed
from tests.factories import YEAR
from tests.unit import traceability
from tests.unit.traceability import BALLERUP, RUN, sha

# --- git ------------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=root,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "stage.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "Makefile").write_text("all:\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# read me\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_outside_git_the_commit_is_unknown_and_not_dirty(tmp_path):
    assert provenance.git_state(tmp_path) == ("ukendt", False)
    assert provenance.git_commit(tmp_path) == "ukendt"


@needs_git
def test_clean_checkout_is_not_dirty(repo):
    commit, dirty = provenance.git_state(repo)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True)
    assert commit == head.stdout.strip() and dirty is False


@needs_git
def test_a_modified_tracked_file_makes_it_dirty(repo):
    (repo / "pipeline" / "stage.py").write_text("x = 2\n", encoding="utf-8")
    assert provenance.git_state(repo)[1] is True
    git(repo, "checkout", "--", "pipeline/stage.py")
    assert provenance.git_state(repo)[1] is False
    (repo / "Makefile").write_text("all:\n\techo changed\n", encoding="utf-8")
    assert provenance.git_state(repo)[1] is True


@needs_git
def test_untracked_files_and_other_files_do_not_count(repo):
    (repo / "pipeline" / "scratch.py").write_text("print(1)\n", encoding="utf-8")  # untracked
    (repo / "README.md").write_text("# edited docs\n", encoding="utf-8")  # tracked, but not code
    assert provenance.git_state(repo)[1] is False


# --- the run --------------------------------------------------------------------------------------


def test_run_info_is_made_once_and_travels(tmp_path):
    run = provenance.RunInfo.now(tmp_path)
    assert run.started.tzinfo is not None and run.commit == "ukendt" and run.dirty is False
    assert dt.datetime.fromisoformat(run.generated) == run.started
    assert provenance.RunInfo.from_dict(run.to_dict()) == run
    assert pickle.loads(pickle.dumps(run)) == run, "RenderJob carries it to worker processes"
    assert provenance.RunInfo.from_env({provenance.RUN_ENV: run.to_env()}) == run
    assert provenance.RunInfo.from_env({}) is None
    assert provenance.RunInfo.from_env({provenance.RUN_ENV: "not json"}) is None


def test_run_info_in_danish():
    assert RUN.generated == "2025-02-03T09:15:00+00:00"
    assert RUN.generated_da == "3. februar 2025 kl. 09:15"
    assert RUN.commit_da == "abc1234"
    assert provenance.RunInfo("0.1.0", "abc1234", True, RUN.started).commit_da == "abc1234 med lokale ændringer"


def test_input_file_kinds_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        provenance.InputFile("data/raw/x.csv", "0" * 64, "andet")
    missing = provenance.file_input(tmp_path / "data/raw/targets/999.yaml", "mål", tmp_path)
    assert missing == provenance.InputFile("data/raw/targets/999.yaml", None, "mål")
    (tmp_path / "a.txt").write_bytes(b"abc")
    found = provenance.file_input(tmp_path / "a.txt", "register", tmp_path)
    assert found.sha256 == sha(tmp_path / "a.txt") == provenance.sha256(tmp_path / "a.txt")
    assert provenance.InputFile.from_dict({**found.to_dict(), "rows": 3}).rows == 3


# --- the published page's sidecar -----------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    return traceability.build(tmp_path)


def test_the_targets_files_checksum_is_in_the_pages_provenance(project):
    page = traceability.publish(project)
    paths = project["paths"]
    assert page == paths.report(BALLERUP)
    sidecar = paths.provenance_path(BALLERUP)
    assert sidecar == paths.reports / "provenance" / "151-ballerup.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    assert {k: record[k] for k in ("version", "commit", "dirty", "generated")} == RUN.to_dict()
    by_path = {i["path"]: i for i in record["inputs"]}
    targets = by_path["data/raw/targets/151.yaml"]
    assert targets["kind"] == "mål" and targets["sha256"] == sha(project["targets_dir"] / "151.yaml")
    for year in (YEAR - 1, YEAR):  # every year of the account's history
        for dataset in traceability.DATASETS:
            entry = by_path[f"data/raw/{year}/151/{dataset}.csv"]
            assert entry["kind"] == "levering" and entry["rows"] == 3
            assert entry["sha256"] == sha(project["root"] / entry["path"])
    [registry] = [i for i in record["inputs"] if i["kind"] == "register"]
    assert registry["sha256"] == sha(config.MUNICIPALITIES_CSV)
    assert [i["kind"] for i in record["inputs"]] == ["levering"] * 4 + ["mål", "register"]


def test_a_municipality_without_targets_records_that_there_was_none(project):
    (project["targets_dir"] / "151.yaml").unlink()
    record = notebook.page_provenance(BALLERUP, project["paths"], project["targets_dir"], RUN,
                                      root=project["root"])
    [targets] = [i for i in record["inputs"] if i["kind"] == "mål"]
    assert targets == {"path": "data/raw/targets/151.yaml", "sha256": None, "kind": "mål"}


def test_render_jobs_carry_the_run(project):
    job = notebook.RenderJob(BALLERUP, project["paths"], project["targets_dir"], RUN.generated_da, RUN)
    assert pickle.loads(pickle.dumps(job)) == job


# --- the validation summary and results document --------------------------------------------------


def test_validation_files_record_the_run_and_every_input(project):
    results = traceability.validate_and_write(project)
    paths = project["paths"]
    summary = json.loads(paths.validation_summary(BALLERUP).read_text(encoding="utf-8"))
    document = json.loads(paths.validation_results(BALLERUP).read_text(encoding="utf-8"))
    record = summary["provenance"]
    assert record == document["provenance"] == results[151].provenance
    assert {k: record[k] for k in ("version", "commit", "dirty", "generated")} == RUN.to_dict()
    by_path = {i["path"]: i for i in record["inputs"]}
    for dataset in traceability.DATASETS:
        this_year = by_path[f"data/raw/{YEAR}/151/{dataset}.csv"]
        assert this_year["sha256"] == sha(project["root"] / this_year["path"])
        # both have a year-over-year rule, compared with last year's file
        last_year = by_path[f"data/raw/{YEAR - 1}/151/{dataset}.csv"]
        assert last_year["kind"] == "levering" and last_year["sha256"] == sha(project["root"] / last_year["path"])
        suite = by_path[provenance.relative(config.EXPECTATIONS / f"{dataset}.json", project["root"])]
        assert suite["kind"] == "regler" and suite["sha256"] == sha(config.EXPECTATIONS / f"{dataset}.json")
    [targets] = [i for i in record["inputs"] if i["kind"] == "mål"]  # read by targets_file_valid
    assert targets == {"path": "data/raw/targets/151.yaml", "kind": "mål",
                       "sha256": sha(project["targets_dir"] / "151.yaml")}
    assert not [i for i in record["inputs"] if i["kind"] == "register"]
    reloaded = validate.load_results(paths)[151]
    assert reloaded.provenance == record and reloaded.summary().provenance == record


def test_last_years_files_are_left_out_when_nothing_was_compared(project):
    paths = project["paths"]
    shutil.rmtree(paths.processed_root / str(YEAR - 1))

    results = validate.validate_year(YEAR, load_processed(YEAR, paths.processed_root),
                                     load_manifest(YEAR, paths.processed_root))
    validate.write_results(results, paths, RUN, root=project["root"])
    paths_in = [i["path"] for i in results[151].provenance["inputs"]]
    assert not [p for p in paths_in if f"/{YEAR - 1}/" in p]


def test_an_old_summary_without_provenance_still_loads(project):
    traceability.validate_and_write(project)
    path = project["paths"].validation_summary(BALLERUP)
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["provenance"]
    path.write_text(json.dumps(document), encoding="utf-8")
    assert validate.load_summary(path).provenance is None
