"""Helpers every KPI group uses (pipeline.account.kpis.common): rows per municipality-year, shares
and tolerant comparisons."""

import pandas as pd
import pytest

from pipeline.account.kpis import common
from pipeline.schema import DATASETS
from tests.factories import frame

FLEET = [("P1", "personbil", "el", "2020-01-01"), ("P2", "varebil", "diesel", "2021-01-01")]


def test_share():
    assert common.share(1, 4) == 25.0
    assert common.share(0, 4) == 0.0
    assert common.share(3, 0) is None
    assert common.share(3, float("nan")) is None


def test_eq_and_isin_are_case_and_space_tolerant_and_missing_is_false():
    s = pd.Series([" El", "BRINT ", None, "diesel"], dtype="object")
    assert list(common.eq(s, "el")) == [True, False, False, False]
    assert list(common.isin(s, ["el", "brint"])) == [True, True, False, False]
    assert common.eq(s, "el").dtype == bool and common.isin(s, ["el"]).dtype == bool


def test_rows_for_one_municipality_and_year():
    tables = {
        "fleet": pd.concat(
            [
                frame("fleet", FLEET),
                frame("fleet", FLEET, code=101),
                frame("fleet", FLEET, year=2023),
            ],
            ignore_index=True,
        )
    }
    rows = common.rows_for(tables, "fleet", 151, 2024)
    assert len(rows) == 2
    assert set(rows["municipality_code"]) == {151} and set(rows["year"]) == {2024}
    assert len(common.rows_for(tables, "fleet", 151)) == 4  # every year
    assert common.rows_for(tables, "waste", 151, 2024).empty  # not delivered


def test_frames_for_has_every_dataset_with_its_columns():
    frames = common.frames_for({"fleet": frame("fleet", FLEET)}, 151, 2024)
    assert list(frames) == list(DATASETS)
    assert len(frames["fleet"]) == 2
    for name, df in frames.items():
        if name != "fleet":
            assert df.empty
            assert set(DATASETS[name].column_names) <= set(df.columns), name


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_empty_frame_has_the_processed_columns(dataset):
    df = common.empty_frame(dataset)
    assert df.empty
    assert list(df.columns) == list(frame(dataset, []).columns)
