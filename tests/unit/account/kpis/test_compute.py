"""The KPI package (pipeline.account.kpis): all KPI values per municipality-year, and histories."""

import math

import pandas as pd
import pytest

from pipeline.account import kpis
from pipeline.account.kpis import KPI_IDS
from pipeline.schema import DATASETS
from tests.factories import frame, history

CODE = 151
WASTE = [("madaffald", "genanvendelse", 30.0), ("restaffald", "forbraending", 70.0)]


def cars(n_cars=40, zero_emission=18):
    """`n_cars` passenger cars of which the first `zero_emission` run on electricity."""
    return [
        (f"P{i}", "personbil", "el" if i < zero_emission else "diesel", "2020-01-01")
        for i in range(n_cars)
    ]


def values(tables, year=2024, code=CODE):
    return kpis.compute_year(tables, code, year)


def test_missing_datasets_give_none():
    v = values({"fleet": frame("fleet", cars())})
    assert list(v) == KPI_IDS
    assert v["zero_emission_share_passenger_cars"] == pytest.approx(45.0)
    for kpi_id in KPI_IDS:
        if not kpi_id.startswith("zero_emission"):
            assert v[kpi_id] is None, kpi_id
    # delivered by another municipality only → still missing for us
    v = values({"waste": frame("waste", WASTE, code=101)})
    assert v["household_recycling_rate"] is None


def test_empty_frames_are_missing():
    empty = {name: kpis.empty_frame(name) for name in DATASETS}
    v = values(empty)
    assert list(v) == KPI_IDS  # every KPI is there, as None: not an empty dict
    assert all(x is None for x in v.values())


def test_compute_history():
    tables = {
        2022: {"fleet": frame("fleet", cars(10, 1), year=2022)},
        2023: {"fleet": frame("fleet", cars(10, 3), year=2023)},
        2024: {"fleet": frame("fleet", cars(), year=2024)},
        2025: {"fleet": frame("fleet", cars(10, 10), year=2025)},
    }
    h = kpis.compute_history(tables, CODE, 2024)
    assert list(h.columns) == ["year", "kpi_id", "value", "unit"]
    assert sorted(h["year"].unique()) == [2022, 2023, 2024]
    assert len(h) == 3 * len(KPI_IDS)
    s = kpis.series(h, "zero_emission_share_passenger_cars")
    assert list(s) == pytest.approx([10.0, 30.0, 45.0])
    assert math.isnan(kpis.series(h, "household_recycling_rate").loc[2024])
    assert kpis.previous(h, "zero_emission_share_passenger_cars", 2024) == (
        2023,
        pytest.approx(30.0),
    )
    assert kpis.previous(h, "zero_emission_share_passenger_cars", 2022) is None
    assert h.set_index(["year", "kpi_id"]).loc[(2024, "lca_projects_count"), "unit"] == "antal"


def test_compute_history_without_a_year_takes_every_year():
    tables = {2025: {"fleet": frame("fleet", cars(10, 10), year=2025)},
              2023: {"fleet": frame("fleet", cars(10, 3), year=2023)}}
    h = kpis.compute_history(tables, CODE)
    assert list(kpis.series(h, "zero_emission_share_passenger_cars").index) == [2023, 2025]


def test_series_value_in_and_previous_skip_missing_years():
    h = history("residual_waste_share", [(2024, 30.0), (2021, 40.0), (2023, float("nan"))])
    s = kpis.series(h, "residual_waste_share")
    assert list(s.index) == [2021, 2023, 2024]  # sorted by year
    assert kpis.value_in(h, "residual_waste_share", 2024) == 30.0
    assert kpis.value_in(h, "residual_waste_share", 2023) is None  # NaN → None
    assert kpis.value_in(h, "residual_waste_share", 2030) is None  # no row
    assert kpis.previous(h, "residual_waste_share", 2024) == (2021, 40.0)
    assert kpis.series(pd.DataFrame(), "residual_waste_share").empty
