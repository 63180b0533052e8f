"""A multi-year back-fill renders every municipality-year in one pool, locally or on a Dask cluster, and the
two give the same publication (apart from when it was made)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config
from pipeline.publish import publication
from tests.e2e.test_reliability import small_project
from tests.factories import run_pipeline

pytestmark = pytest.mark.e2e

FROM, TO = 2023, 2024
# What differs between two runs of the same inputs: when and by which run they were made.
_RUN_SPECIFIC = [
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d"),  # ISO times (provenance, records)
    re.compile(r"\d{1,2}\. [a-zæøå]+ \d{4} kl\. \d\d:\d\d"),  # "3. december 2026 kl. 12:00"
    re.compile(r"\b\d{8}T\d{6}-\d+\b"),  # run ids
    re.compile(r"\d{8}T\d{6}\.\d+Z"),  # Great Expectations' run times
    re.compile(r"\b[0-9a-f]{64}\b"),  # checksums of files that carry the times above (keys: compared apart)
    re.compile(r'"(commit|dirty)": [^,}\n]+'),
]


def normalised(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for pattern in _RUN_SPECIFIC:
        text = pattern.sub("…", text)
    return text


def published_files(root: Path, year: int) -> dict[str, Path]:
    year_dir = (root / "reports" / str(year)).resolve()
    return {p.relative_to(year_dir).as_posix(): p for p in sorted(year_dir.rglob("*"))
            if p.is_file() and p.suffix in (".html", ".json", ".csv")}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return small_project(tmp_path_factory.mktemp("backfill"))


@pytest.fixture(scope="module")
def local_backfill(project, tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("backfill-local") / "project"
    shutil.copytree(project, root, symlinks=True)
    done = run_pipeline(root, "backfill", "--from", str(FROM), "--to", str(TO), "--workers", "2")
    return root, done


def test_a_local_backfill_publishes_every_year_in_one_run(local_backfill):
    root, done = local_backfill
    assert done.returncode == 0, done.stdout + done.stderr
    for year in (FROM, TO):
        assert f"Grønne regnskaber {year}:" in done.stdout
        record = publication.load(config.YearPaths(year, reports_root=root / "reports"))
        assert {c: p.state for c, p in record.municipalities.items()} == {151: "published", 741: "published"}
        assert record.inputs_key, "a full back-fill records the inputs it was made from"
        assert (root / "reports" / str(year) / "index.html").is_file()
    runs = sorted((root / "logs" / str(TO)).glob("*/run.log"))
    assert len(runs) == 1, "one run (one log) for both years"
    log = runs[0].read_text(encoding="utf-8")
    assert len(re.findall(r"rendered \d+ in ", log)) == 4, "2 municipalities × 2 years in one pool"
    again = run_pipeline(root, "backfill", "--from", str(FROM), "--to", str(TO))
    assert again.returncode == 0 and again.stdout.count("intet ændret") == 2, again.stdout + again.stderr


def test_backfill_parameters_are_checked(project):
    done = run_pipeline(project, "backfill", "--from", "2024", "--to", "2023")
    assert done.returncode == 2 and "FROM=2024 ligger efter TO=2023" in done.stderr
    done = run_pipeline(project, "backfill", "--from", "20x4", "--to", "2024")
    assert done.returncode == 2 and "FROM='20x4'" in done.stderr
    done = run_pipeline(project, "backfill", "--from", "2023", "--to", "2024", "--executor", "ftp://x")
    assert done.returncode == 2 and "dask://127.0.0.1:8786" in done.stderr


def test_an_unreachable_scheduler_is_an_environment_problem(project):
    """Port 9 on loopback (discard) has no scheduler: a clear message and exit 4, nothing published."""
    done = run_pipeline(project, "backfill", "--from", str(FROM), "--to", str(TO), "--executor",
                        "dask://127.0.0.1:9")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Dask-scheduleren dask://127.0.0.1:9 svarer ikke" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "reports" / str(TO)).exists() and not (project / "data" / "processed" / str(TO)).exists(), \
        "refused before anything was read or written"


def test_a_dask_backfill_gives_the_local_outputs(project, local_backfill, tmp_path):
    distributed = pytest.importorskip("distributed")
    local_root, local_done = local_backfill
    assert local_done.returncode == 0
    root = tmp_path / "project"
    shutil.copytree(project, root, symlinks=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        done = run_pipeline(root, "backfill", "--from", str(FROM), "--to", str(TO), "--executor",
                            f"dask://{address}")
    assert done.returncode == 0, done.stdout + done.stderr
    log = max((root / "logs" / str(TO)).glob("*/run.log")).read_text(encoding="utf-8")
    assert f"render jobs on Dask at tcp://{address}" in log
    for year in (FROM, TO):
        local, dask = published_files(local_root, year), published_files(root, year)
        assert sorted(dask) == sorted(local)
        assert any(name.endswith(".html") and name[:3].isdigit() for name in dask)
        for name in local:
            assert normalised(dask[name]) == normalised(local[name]), f"{year}/{name} differs"
        paths = [config.YearPaths(year, reports_root=r / "reports") for r in (local_root, root)]
        tables = [publication.load_table(p) for p in paths]
        pd.testing.assert_frame_equal(tables[0], tables[1])
        keys = [{c: p.key for c, p in publication.load(p).municipalities.items()} for p in paths]
        assert keys[0] == keys[1], "the same inputs give the same page keys wherever they are rendered"
        record = json.loads((root / "reports" / str(year) / "provenance" / "publication.json").read_text())
        assert set(record["municipalities"]) == {"151", "741"}
