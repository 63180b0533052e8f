"""Shared fixtures: a copy of the project with the sample data, and one real `report` run on it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import ROOT, YEAR, make_project_copy, run_pipeline  # noqa: F401  (re-exported)


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


@pytest.fixture(scope="session")
def faulty_run(tmp_path_factory):
    """Ballerup publishes, then redelivers with a negative tonnage; Randers' fleet shrinks by 40 %;
    Frederiksberg (147) delivers only a fleet file; Lemvig's fleet file has a date nobody can read."""
    root = make_project_copy(tmp_path_factory.mktemp("faulty"))
    run_pipeline(root, "report", "--year", str(YEAR), "--municipality", "151", check=True)
    previous = (root / "reports" / "2024" / "151-ballerup.html").read_bytes()
    waste = root / "data/raw/2024/151/waste.csv"
    lines = waste.read_bytes().decode("cp1252").splitlines(keepends=True)
    fraction, treatment, _ = lines[6].split(";")
    lines[6] = f"{fraction};{treatment};-3,5\r\n"  # spreadsheet row 7
    waste.write_bytes("".join(lines).encode("cp1252"))
    fleet = root / "data/raw/2024/730/fleet.csv"
    rows = fleet.read_text(encoding="utf-8").splitlines(keepends=True)
    keep = rows[: 1 + round((len(rows) - 1) * 0.6)]
    fleet.write_text("".join(keep), encoding="utf-8")
    lemvig = root / "data/raw/2024/665/fleet.csv"
    lemvig_rows = lemvig.read_text(encoding="utf-8").splitlines(keepends=True)
    vehicle, vclass, propulsion, _ = lemvig_rows[3].rstrip("\n").split(",")
    lemvig_rows[3] = f"{vehicle},{vclass},{propulsion},sidste forår\n"  # spreadsheet row 4
    lemvig.write_text("".join(lemvig_rows), encoding="utf-8")
    (root / "data/raw/2024/147").mkdir()
    shutil.copy(root / "data/raw/2024/741/fleet.csv", root / "data/raw/2024/147/fleet.csv")
    proc = run_pipeline(root, "report", "--year", str(YEAR))
    return root, proc, previous


@pytest.fixture(scope="session")
def faulty_reports(faulty_run) -> Path:
    """reports/2024 of the run with planted faults: also checked in the browser."""
    return faulty_run[0] / "reports" / str(YEAR)
