"""Redo only what changed: an unchanged `make report` does nothing and says so; a changed delivery re-renders
only its municipality (and the overview); FORCE=1 re-renders every one. Judged by what was rendered and
written, never by time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import config
from pipeline.publish import publication
from tests.e2e.test_reliability import small_project
from tests.factories import YEAR, run_pipeline

pytestmark = pytest.mark.e2e


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under the project's outputs (reports, data, logs) with its kind, size and mtime."""
    out = {}
    for top in ("reports", "data", "logs"):
        for path in sorted((root / top).rglob("*")):
            st = path.lstat()
            out[path.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                                       os.readlink(path) if path.is_symlink() else None)
    return out


def record(root: Path) -> publication.Publication:
    return publication.load(config.YearPaths(YEAR, reports_root=root / "reports"))


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = small_project(tmp_path_factory.mktemp("incremental"))
    run_pipeline(root, "report", "--year", str(YEAR), check=True)
    return root


def in_process_report(root: Path, *extra: str) -> subprocess.CompletedProcess:
    """`python -m pipeline report` in a fresh interpreter that also says which heavy libraries it imported."""
    code = (f"import sys; from pipeline import cli; rc = cli.main(['report', '--year', '{YEAR}', *sys.argv[1:]]); "
            "print('IMPORTED', sorted(m for m in ('great_expectations', 'papermill', 'nbclient', 'altair') "
            "if m in sys.modules)); sys.exit(rc)")
    env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-c", code, *extra], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_first_run_records_the_keys(published):
    rec = record(published)
    assert rec.inputs_key and len(rec.inputs_key) == 64
    assert {c: (p.state, len(p.key or "")) for c, p in rec.municipalities.items()} == {
        151: ("published", 64), 741: ("published", 64)}


def test_unchanged_rerun_does_nothing_and_says_so(published):
    before = snapshot(published)
    done = in_process_report(published)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intet ændret" in done.stdout
    assert "IMPORTED []" in done.stdout, "decided before Great Expectations, papermill or Altair is imported"
    assert snapshot(published) == before, "an unchanged re-run writes nothing: no generation, no log, no lock"


def test_a_changed_fleet_file_rerenders_only_that_municipality(published, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(published, root, symlinks=True)
    reports = config.YearPaths(YEAR, reports_root=root / "reports")
    old = record(root)
    samsoe_page = (reports.reports / "741-samsoe.html").read_bytes()
    ballerup_page = (reports.reports / "151-ballerup.html").read_bytes()
    old_index = reports.index.read_bytes()
    fleet = root / "data" / "raw" / str(YEAR) / "151" / "fleet.csv"
    text = fleet.read_text(encoding="utf-8")
    assert "BA-1022;varebil;diesel" in text
    fleet.write_text(text.replace("BA-1022;varebil;diesel", "BA-1022;varebil;el"), encoding="utf-8")

    done = run_pipeline(root, "report", "--year", str(YEAR))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intet ændret" not in done.stdout
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ")}
    assert "uændret" in lines["741"] and "ikke dannet igen" in lines["741"]
    assert "uændret" not in lines["151"] and "udgivet" in lines["151"]
    assert "heraf 1 uændrede" in done.stdout

    new = record(root)
    assert new.municipalities[741].page_generated == old.municipalities[741].page_generated
    assert new.municipalities[741].key == old.municipalities[741].key
    assert new.municipalities[151].page_generated != old.municipalities[151].page_generated
    assert new.municipalities[151].key != old.municipalities[151].key
    assert new.inputs_key != old.inputs_key
    assert (reports.reports / "741-samsoe.html").read_bytes() == samsoe_page, "the unchanged page is kept as is"
    assert (reports.reports / "151-ballerup.html").read_bytes() != ballerup_page
    assert reports.index.read_bytes() != old_index, "the overview is made again"
    # The kept municipality's figures are still in the publication, the open data and the overview.
    table = publication.load_table(reports)
    assert set(table["municipality_code"]) == {151, 741}
    assert "Samsø" in reports.index.read_text(encoding="utf-8")
    opened = reports.open_data_csv.read_text(encoding="utf-8")
    assert "741" in opened and "151" in opened
    # The auditor's pages cover both municipalities, from this run's validation.
    for slug in ("151-ballerup", "741-samsoe"):
        summary = json.loads((reports.validation / f"{slug}.summary.json").read_text(encoding="utf-8"))
        assert summary["provenance"]["generated"] == new.run["generated"]
    assert not publication.differences(reports.reports), "the sealed record matches every file"

    again = in_process_report(root)
    assert "intet ændret" in again.stdout, again.stdout + again.stderr

    forced = run_pipeline(root, "report", "--year", str(YEAR), "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "uændret" not in forced.stdout
    after = record(root)
    assert {after.municipalities[c].page_generated for c in (151, 741)} == {after.run["generated"]}


def test_a_failed_page_is_not_unchanged(published, tmp_path):
    """A page whose notebook failed is tried again even when no input changed."""
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(published, root, symlinks=True)
    paths = config.YearPaths(YEAR, reports_root=root / "reports")
    rec = record(root)
    rec.municipalities[741].state = publication.RENDER_FAILED
    publication.write(paths, rec)
    done = in_process_report(root)
    assert "intet ændret" not in done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ")}
    assert "uændret" in lines["151"] and "udgivet" in lines["741"] and "uændret" not in lines["741"]
