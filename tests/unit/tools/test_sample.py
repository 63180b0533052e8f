"""The seeded sample data: reproducible, committed unchanged, and true to its published anchors."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline import config, registry
from pipeline.account.kpis import KPI_IDS
from pipeline.schema import DATASETS, REQUIRED_DATASETS
from tools import sample

RAW = config.RAW


def _files(root) -> dict[str, bytes]:
    """Generated files under a raw folder (year folders and targets), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != "README.md"}


def _xlsx_cells(path) -> list[list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    written = sample.generate(root)
    return root, written


def _read(path) -> pd.DataFrame:
    """Read one sample CSV with the format its municipality exports."""
    fmt = sample.PROFILES[int(path.parent.name)].fmt
    return pd.read_csv(path, sep=fmt.sep, decimal=fmt.decimal, encoding=fmt.encoding)


def test_generating_twice_gives_identical_bytes(tmp_path, fresh):
    again = tmp_path / "again"
    sample.generate(again)
    first, second = _files(fresh[0]), _files(again)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not byte-reproducible: {different}"


def test_generate_returns_every_file_it_writes(fresh):
    root, written = fresh
    assert sorted(p.relative_to(root).as_posix() for p in written) == sorted(_files(root))


def test_committed_raw_data_matches_a_fresh_generation(fresh):
    committed, generated = _files(RAW), _files(fresh[0])
    assert committed.keys() == generated.keys(), (
        "data/raw differs from `make sample`: "
        f"extra {sorted(committed.keys() - generated.keys())}, "
        f"missing {sorted(generated.keys() - committed.keys())}")
    for name, content in generated.items():
        if committed[name] == content:
            continue
        assert name.endswith(".xlsx"), f"data/raw/{name} was edited by hand or is stale; run `make sample`"
        assert _xlsx_cells(RAW / name) == _xlsx_cells(fresh[0] / name), f"data/raw/{name} differs"


def test_files_have_exactly_the_schema_columns(fresh):
    for path in fresh[1]:
        if path.parent.name == "targets":
            continue
        columns = (list(next(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)))
                   if path.suffix == ".xlsx" else list(_read(path).columns))
        assert columns == DATASETS[path.stem].column_names, path


def test_ballerup_fleet_matches_published_ev_and_hybrid_counts():
    fleet22 = _read(RAW / "2022" / "151" / "fleet.csv")["propulsion"].value_counts()
    fleet23 = _read(RAW / "2023" / "151" / "fleet.csv")["propulsion"].value_counts()
    assert (fleet22["el"], fleet22["hybrid"]) == (17, 23)
    assert (fleet23["el"], fleet23["hybrid"]) == (65, 1)


def _recycling_rate(code: int, year: int) -> float:
    waste = _read(RAW / str(year) / str(code) / "waste.csv")
    return 100 * waste.loc[waste["treatment"] == "genanvendelse", "tonnes"].sum() / waste["tonnes"].sum()


@pytest.mark.parametrize("code, expected", [(151, 60.0), (766, 57.0), (751, 55.0)])
def test_household_recycling_rate_2023_matches_published_figure(code, expected):
    assert _recycling_rate(code, 2023) == pytest.approx(expected, abs=1.0)


def test_recycling_rate_rises_over_the_years():
    rates = [_recycling_rate(151, year) for year in sample.YEARS]
    assert rates == sorted(rates) and 48 <= rates[0] <= 52


def test_every_municipality_folder_is_a_registry_code():
    folders = [p for year in RAW.iterdir() if year.name.isdigit() for p in year.iterdir()]
    assert folders
    assert all(p.is_dir() and registry.is_known(p.name) for p in folders), folders


def test_2024_deliveries_are_complete_except_samsoe_construction_projects():
    for code in sample.SAMPLE_CODES:
        delivered = {p.stem for p in (RAW / "2024" / str(code)).iterdir()}
        expected = set(REQUIRED_DATASETS) - ({"construction_projects"} if code == 741 else set())
        assert delivered == expected, code
    assert not list((RAW / "2024" / "741").glob("construction_projects.*"))


def test_targets_are_labelled_as_sample_data_and_use_known_kpis():
    for code in sample.SAMPLE_CODES:
        doc = yaml.safe_load((RAW / "targets" / f"{code}.yaml").read_text(encoding="utf-8"))
        assert doc["municipality_code"] == code and doc["sample_data"] is True
        assert doc["source"].startswith("Eksempeldata")
        assert set(doc["targets"]) <= set(KPI_IDS)
        assert "lca_projects_count" not in doc["targets"]
        for entry in doc["targets"].values():
            assert 0 <= entry["target"]["value"] <= 100
