"""Bad run parameters are refused with a clear message and nothing is written."""

import pytest

from tests.conftest import make_project_copy, run_pipeline


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project_copy(tmp_path_factory.mktemp("cli"))


@pytest.mark.parametrize("args,message", [
    (["report", "--year", "24"], "YEAR='24' er ikke et årstal med fire cifre"),
    (["report", "--year", "abcd"], "er ikke et årstal med fire cifre"),
    (["report", "--year", "2031"], "ingen leverancer for 2031"),
    (["report", "--year", "2024", "--municipality", "999"], "'999' is not in the municipality registry"),
    (["report", "--year", "2024", "--municipality", "Ballerup"], "is not a municipality code"),
    (["ingest", "--year", "2024", "--workers", "0"], "WORKERS='0' skal være et positivt heltal"),
])
def test_bad_parameters_are_refused_and_nothing_written(project, args, message):
    proc = run_pipeline(project, *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert list((project / "reports").iterdir()) == []
    assert list((project / "data" / "processed").iterdir()) == []


def test_ingest_reports_missing_datasets_but_succeeds(tmp_path):
    project = make_project_copy(tmp_path)
    proc = run_pipeline(project, "ingest", "--year", "2024")
    assert proc.returncode == 0, proc.stderr
    assert "Samsø (741) mangler: construction_projects" in proc.stdout
    assert sorted(p.name for p in (project / "data" / "processed" / "2024").iterdir()) == [
        "actions.parquet", "buildings.parquet", "construction_projects.parquet", "fleet.parquet",
        "manifest.json", "waste.parquet"]
