"""The command line, in process: bad run parameters are refused with a clear Danish message, exit code 2,
and nothing is written; `ingest` reports missing datasets but succeeds."""

import pytest

from pipeline import cli, config
from tests.factories import make_project_copy


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project_copy(tmp_path)
    monkeypatch.setattr(config, "RAW", root / "data" / "raw")
    monkeypatch.setattr(config, "PROCESSED", root / "data" / "processed")
    monkeypatch.setattr(config, "REPORTS", root / "reports")
    return root


@pytest.mark.parametrize("args,message", [
    (["report", "--year", "24"], "YEAR='24' er ikke et årstal med fire cifre"),
    (["report", "--year", "abcd"], "er ikke et årstal med fire cifre"),
    (["report", "--year", "2031"], "ingen leverancer for 2031"),
    (["report", "--year", "2024", "--municipality", "999"], "'999' findes ikke i kommuneregistret"),
    (["report", "--year", "2024", "--municipality", "Ballerup"], "er ikke en kommunekode"),
    (["ingest", "--year", "2024", "--workers", "0"], "WORKERS='0' skal være et positivt heltal"),
])
def test_bad_parameters_are_refused_and_nothing_written(project, capsys, args, message):
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse refuses the value before main runs a stage
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list((project / "reports").iterdir()) == []
    assert list((project / "data" / "processed").iterdir()) == []


def test_ingest_reports_missing_datasets_but_succeeds(project, capsys):
    assert cli.main(["ingest", "--year", "2024"]) == 0
    assert "Samsø (741) mangler: construction_projects" in capsys.readouterr().out
    assert sorted(p.name for p in (project / "data" / "processed" / "2024").iterdir()) == [
        "actions.parquet", "building_energy.parquet", "buildings.parquet", "construction_projects.parquet",
        "emissions.parquet", "fleet.parquet", "manifest.json", "transport_energy.parquet", "waste.parquet"]


def test_sample_and_bench_are_tools_not_pipeline_commands(capsys):
    """The sample generator and the benchmark live in tools/ (make sample, make bench)."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["sample"])
    assert exc.value.code == 2 and "invalid choice: 'sample'" in capsys.readouterr().err
