"""Shared fixtures: a copy of the project with the sample data, and one real `report` run on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2024
COPIED = ("data/raw", "data/reference", "expectations", "notebooks")


def make_project_copy(dest: Path) -> Path:
    """A throw-away project root with the committed inputs (raw data is never touched in place)."""
    for rel in COPIED:
        shutil.copytree(ROOT / rel, dest / rel)
    (dest / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (dest / "reports").mkdir(exist_ok=True)
    return dest


def run_pipeline(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m pipeline ARGS` against ROOT, as `make` would."""
    env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(args)} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr[-6000:]}")
    return proc


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    return make_project_copy(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def report_run(sample_project) -> subprocess.CompletedProcess:
    """One real `report --year 2024` on the sample data, shared by the end-to-end and browser tests."""
    return run_pipeline(sample_project, "report", "--year", str(YEAR), check=True)


@pytest.fixture(scope="session")
def published_reports(sample_project, report_run) -> Path:
    """reports/2024 of the sample run: the pages the browser tests check."""
    return sample_project / "reports" / str(YEAR)
