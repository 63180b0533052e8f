"""The KPI table stage output (data/processed/<YEAR>/kpis.parquet): history per municipality from its
first delivered year, status only in the report year, one reader with a clear error."""

import pandas as pd
import pytest

from pipeline import config
from pipeline.account import kpi_table
from tests.factories import processed_tree

CARS = [("P1", "personbil", "el", "2020-01-01"), ("P2", "personbil", "diesel", "2020-01-01")]
WASTE = [("restaffald", "forbraending", 10.0), ("papir", "genanvendelse", 30.0)]


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    root = tmp_path_factory.mktemp("kpis")
    processed_tree(root / "processed", {
        2022: {151: {"waste": WASTE}},
        2023: {153: {"fleet": CARS}},
        2024: {151: {"waste": WASTE, "fleet": CARS}, 153: {"fleet": CARS}},
    })
    paths = config.YearPaths(2024, root / "raw", root / "processed", root / "reports")
    kpi_table.run(paths, [151, 153], root / "no-targets")
    return paths


def test_history_starts_at_the_first_delivered_year(paths):
    table = kpi_table.load(paths)
    years = table.groupby("municipality_code")["year"].agg(lambda s: sorted(set(s))).to_dict()
    assert years == {151: [2022, 2024], 153: [2023, 2024]}
    assert list(table.columns) == kpi_table.COLUMNS


def test_status_and_previous_value_only_in_the_report_year(paths):
    rows = kpi_table.load(paths, 151).set_index(["year", "kpi_id"])
    now = rows.loc[(2024, "household_recycling_rate")]
    assert now["value"] == pytest.approx(75.0) and now["status"] == "mangler mål"
    assert now["previous_year"] == 2022 and now["previous_value"] == pytest.approx(75.0)
    assert pd.isna(rows.loc[(2022, "household_recycling_rate"), "status"])
    assert rows.loc[(2024, "lca_projects_count"), "status"] == "mangler data"


def test_load_without_the_table_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="make report YEAR=2024"):
        kpi_table.load(config.YearPaths(2024, tmp_path, tmp_path, tmp_path))


def test_empty_run_writes_an_empty_table_with_the_columns(paths):
    empty = kpi_table.build(paths, [])
    assert empty.empty and list(empty.columns) == kpi_table.COLUMNS


def test_shared_out_over_worker_processes_the_table_is_the_same(paths, monkeypatch):
    """At national scale the municipalities are shared out over worker processes; same rows, same order."""
    serial = kpi_table.build(paths, [153, 151], paths.processed_root.parent / "no-targets",
                             {151: {"household_recycling_rate"}})
    monkeypatch.setattr(kpi_table, "PARALLEL_FROM", 2)
    parallel = kpi_table.build(paths, [153, 151], paths.processed_root.parent / "no-targets",
                               {151: {"household_recycling_rate"}}, workers=2)
    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)
    assert parallel["caveat"].any(), "the caveats reach the worker processes"
    assert list(parallel["municipality_code"].unique()) == [151, 153]
