"""Fleet KPIs (pipeline.account.kpis.fleet): zero-emission shares and the vehicle counts table."""

import pandas as pd
import pytest

from pipeline.account import kpis
from pipeline.account.kpis import fleet
from tests.factories import empty_frame, frame

CODE = 151


def fleet_rows(n_cars=40, el=17, brint=1, vans=(("el", 2), ("diesel", 6))):
    rows = [
        (
            f"P{i}",
            "personbil",
            "el" if i < el else ("brint" if i < el + brint else "diesel"),
            "2020-01-01",
        )
        for i in range(n_cars)
    ]
    i = 0
    for propulsion, n in vans:
        for _ in range(n):
            rows.append((f"V{i}", "varebil", propulsion, "2021-06-01"))
            i += 1
    rows.append(("L1", "lastbil", "el", "2022-01-01"))
    return rows


def values(tables, year=2024, code=CODE):
    return kpis.compute_year(tables, code, year)


def test_zero_emission_share_17_el_1_brint_of_40_is_45():
    v = values({"fleet": frame("fleet", fleet_rows())})
    assert v["zero_emission_share_passenger_cars"] == pytest.approx(45.0)
    assert v["zero_emission_share_vans"] == pytest.approx(25.0)  # 2 of 8


def test_compute_returns_the_groups_kpis():
    frames = kpis.frames_for({"fleet": frame("fleet", fleet_rows())}, CODE, 2024)
    assert fleet.compute(frames, 2024) == {
        "zero_emission_share_passenger_cars": pytest.approx(45.0),
        "zero_emission_share_vans": pytest.approx(25.0),
    }


def test_zero_emission_share_is_public_under_its_documented_name():
    f = frame("fleet", fleet_rows())
    assert fleet.zero_emission_share(f, "personbil") == pytest.approx(45.0)
    assert fleet.zero_emission_share(f, "bus") is None


def test_vehicle_class_and_propulsion_are_matched_case_and_space_tolerant():
    rows = [("P1", "personbil", "el", "2020-01-01"), ("P2", "personbil", "diesel", "2020-01-01")]
    f = frame("fleet", rows)
    f["vehicle_class"] = [" Personbil", "PERSONBIL "]
    f["propulsion"] = ["EL ", "diesel"]
    assert values({"fleet": f})["zero_emission_share_passenger_cars"] == pytest.approx(50.0)


def test_other_municipalities_and_years_are_ignored():
    mine = frame("fleet", fleet_rows())
    other = frame("fleet", fleet_rows(n_cars=10, el=10), code=101)
    last_year = frame("fleet", fleet_rows(n_cars=10, el=0), year=2023)
    v = values({"fleet": pd.concat([other, mine, last_year], ignore_index=True)})
    assert v["zero_emission_share_passenger_cars"] == pytest.approx(45.0)


def test_no_vans_means_no_value():
    v = values({"fleet": frame("fleet", fleet_rows(vans=()))})
    assert v["zero_emission_share_vans"] is None
    assert v["zero_emission_share_passenger_cars"] == pytest.approx(45.0)


def test_fleet_counts_table():
    t = fleet.fleet_counts(frame("fleet", fleet_rows()))
    assert list(t.index) == ["personbil", "varebil", "lastbil"]
    assert list(t.columns) == ["el", "brint", "diesel"]
    assert t.loc["personbil", "el"] == 17 and t.loc["personbil", "brint"] == 1
    assert t.loc["personbil", "diesel"] == 22 and t.loc["varebil", "brint"] == 0
    assert int(t.to_numpy().sum()) == 49


def test_fleet_counts_of_no_vehicles_is_empty():
    t = fleet.fleet_counts(empty_frame("fleet"))
    assert t.empty and t.index.name == "vehicle_class"
