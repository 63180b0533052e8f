"""The status rule (pipeline.account.status): target trajectory, status, summary and sentences."""

import pandas as pd
import pytest

from pipeline.account import status
from pipeline.account.kpis import KPI_DEFS, KPI_IDS
from pipeline.account.status import (
    NO_DATA,
    NO_TARGET,
    NOT_ASSESSED,
    NOT_REACHED,
    OFF_TRACK,
    ON_TRACK,
    REACHED,
)
from pipeline.account.targets import Target
from tests.factories import history

NBSP = "\u00a0"
RECYCLING = KPI_DEFS["household_recycling_rate"]
RESIDUAL = KPI_DEFS["residual_waste_share"]


def test_statuses_are_danish():
    assert status.KPI_STATUSES == [ON_TRACK, OFF_TRACK, REACHED, NOT_REACHED, NOT_ASSESSED, NO_TARGET,
                                   NO_DATA] == ["på sporet", "ikke på sporet", "mål nået", "mål ikke nået",
                                                "kan ikke vurderes endnu", "mangler mål", "mangler data"]
    assert set(status.EXPLANATION) == set(status.KPI_STATUSES), "every status is explained in Danish"


# ---------------------------------------------------------------------------------------------
# Trajectory and status
# ---------------------------------------------------------------------------------------------


def test_trajectory_interpolation():
    t = Target("household_recycling_rate", 2019, 48.0, 2030, 60.0, "plan")
    assert status.expected_value(t, 2019) == 48.0
    assert status.expected_value(t, 2024) == pytest.approx(48 + 5 / 11 * 12)  # 53.4545…
    assert status.expected_value(t, 2030) == 60.0
    assert status.expected_value(t, 2033) == 60.0  # after the target year: the target itself
    assert status.expected_value(t, 2017) == 48.0
    assert status.trajectory(t) == status.Trajectory(2019, 48.0, 2030, 60.0, True)


def test_trajectory_baseline_from_earliest_observation():
    t = Target("household_recycling_rate", None, None, 2030, 60.0, "plan")
    h = history("household_recycling_rate", [(2020, float("nan")), (2021, 40.0), (2024, 50.0)])
    traj = status.trajectory(t, h)
    assert (traj.baseline_year, traj.baseline_value, traj.baseline_from_targets) == (
        2021,
        40.0,
        False,
    )
    assert status.expected_value(t, 2024, h) == pytest.approx(40 + 3 / 9 * 20)  # 46.67
    assert status.status(RECYCLING, 50.0, 2024, t, h) == ON_TRACK
    assert status.status(RECYCLING, 46.0, 2024, t, h) == OFF_TRACK


def test_trajectory_without_baseline_or_observation():
    t = Target("household_recycling_rate", None, None, 2030, 60.0, "plan")
    assert status.trajectory(t) is None and status.trajectory(None) is None
    assert status.expected_value(t, 2024) is None
    empty = history("household_recycling_rate", [(2024, float("nan"))])
    assert status.trajectory(t, empty) is None
    # nothing to measure progress from: no path, so the status cannot be judged (never "på sporet")
    assert status.status(RECYCLING, 10.0, 2024, t) == NOT_ASSESSED
    # first observed after the target year: there is no path, only the target, which was not met
    late = history("household_recycling_rate", [(2031, 55.0)])
    assert status.trajectory(t, late) is None
    assert status.status(RECYCLING, 55.0, 2031, t, late) == NOT_REACHED


def test_status_higher_is_better():
    t = Target("household_recycling_rate", 2019, 48.0, 2030, 60.0, "plan")
    expected = 48 + 5 / 11 * 12
    assert status.status(RECYCLING, expected, 2024, t) == ON_TRACK  # on the line
    assert status.status(RECYCLING, 53.5, 2024, t) == ON_TRACK
    assert status.status(RECYCLING, 53.4, 2024, t) == OFF_TRACK


def test_status_lower_is_better():
    t = Target("residual_waste_share", 2020, 40.0, 2030, 20.0, "plan")  # expected 2024: 32
    assert status.status(RESIDUAL, 31.0, 2024, t) == ON_TRACK
    assert status.status(RESIDUAL, 32.0, 2024, t) == ON_TRACK
    assert status.status(RESIDUAL, 33.0, 2024, t) == OFF_TRACK
    assert status.status(RESIDUAL, 19.0, 2031, t) == REACHED
    assert status.status(RESIDUAL, 21.0, 2031, t) == NOT_REACHED


def test_one_measurement_without_baseline_cannot_be_on_track():
    """The issue's cases: a new municipality with one year of data and targets without a baseline."""
    cars = Target("zero_emission_share_passenger_cars", None, None, 2025, 100.0, "plan")
    h = history(cars.kpi_id, [(2024, 32.0)])
    assert status.assess(KPI_DEFS[cars.kpi_id], 32.0, 2024, cars, h) == (NOT_ASSESSED, None)
    area = Target("energy_label_d_or_worse_share_area", None, None, 2030, 10.0, "plan")
    h = history(area.kpi_id, [(2024, 62.0)])
    assert status.status(KPI_DEFS[area.kpi_id], 62.0, 2024, area, h) == NOT_ASSESSED
    # a second measurement gives a path from the first one
    h = history(area.kpi_id, [(2023, 62.0), (2024, 60.0)])
    kpi_status, expected = status.assess(KPI_DEFS[area.kpi_id], 60.0, 2024, area, h)
    assert kpi_status == OFF_TRACK and expected == pytest.approx(62 - 52 / 7)  # 54,57 % (lower is better)
    assert status.status(KPI_DEFS[area.kpi_id], 54.0, 2024, area, h) == ON_TRACK


def test_target_year_reached_or_not():
    """From the target year on, the value is compared with the target itself."""
    lca = Target("lca_share_projects", None, None, 2023, 100.0, "plan")
    h = history(lca.kpi_id, [(2024, 80.0)])
    assert status.assess(KPI_DEFS[lca.kpi_id], 80.0, 2024, lca, h) == (NOT_REACHED, 100.0)
    assert status.status(KPI_DEFS[lca.kpi_id], 100.0, 2024, lca, h) == REACHED
    assert status.status(KPI_DEFS[lca.kpi_id], 100.0, 2023, lca, h) == REACHED  # the target year itself
    assert status.status(KPI_DEFS[lca.kpi_id], None, 2024, lca, h) == NO_DATA
    assert status.trajectory(lca, h) is None, "no path from a measurement after the target year"


def test_a_caveat_qualifies_the_status_in_words():
    assert status.label(ON_TRACK, caveat=True) == "på sporet – med forbehold"
    assert status.label(ON_TRACK) == "på sporet"
    assert status.label(NO_DATA, caveat=True) == "mangler data", "nothing to qualify without a value"

    t = Target("residual_waste_share", 2020, 40.0, 2030, 20.0, "plan")
    assert status.status(RESIDUAL, 30.0, 2024, None) == NO_TARGET
    assert status.status(RESIDUAL, None, 2024, t) == NO_DATA
    assert status.status(RESIDUAL, float("nan"), 2024, t) == NO_DATA
    assert status.status(RESIDUAL, None, 2024, None) == NO_DATA


def test_summary():
    h = pd.concat(
        [
            history("household_recycling_rate", [(2022, 50.0), (2023, float("nan")), (2024, 55.0)]),
            history("residual_waste_share", [(2022, 30.0), (2023, 29.0), (2024, float("nan"))]),
        ]
    )
    targets = {
        "household_recycling_rate": Target("household_recycling_rate", 2019, 48.0, 2030, 60.0, "p")
    }
    s = status.summary(h, 2024, targets).set_index("kpi_id")
    assert list(s.index) == KPI_IDS
    r = s.loc["household_recycling_rate"]
    assert r["value"] == 55.0 and r["previous_year"] == 2022 and r["previous_value"] == 50.0
    assert r["target_value"] == 60.0 and r["target_year"] == 2030
    assert r["expected_value"] == pytest.approx(53.4545, abs=1e-3)
    assert r["status"] == ON_TRACK
    assert s.loc["residual_waste_share", "status"] == NO_DATA
    assert s.loc["residual_waste_share", "previous_year"] == 2023
    assert s.loc["zero_emission_share_vans", "status"] == NO_DATA
    assert s["target_year"].dtype == "Int64"
    assert pd.isna(s.loc["residual_waste_share", "target_year"])


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

CARS = KPI_DEFS["zero_emission_share_passenger_cars"]
CARS_TARGET = Target(CARS.kpi_id, None, None, 2030, 100.0, "plan")


def test_sentence_up():
    h = history(CARS.kpi_id, [(2023, 31.0), (2024, 46.0)])
    assert status.sentence(CARS, h, 2024, CARS_TARGET) == (
        f"I 2024 var 46{NBSP}% af kommunens personbiler el- eller brintbiler, op fra 31{NBSP}% i 2023. "
        f"Målet er 100{NBSP}% i 2030."
    )


def test_sentence_down_and_gap_year():
    h = history(CARS.kpi_id, [(2022, 50.0), (2023, float("nan")), (2024, 46.0)])
    s = status.sentence(CARS, h, 2024, CARS_TARGET)
    assert f", ned fra 50{NBSP}% i 2022." in s


def test_sentence_unchanged_after_rounding():
    h = history(CARS.kpi_id, [(2023, 45.8), (2024, 46.2)])
    assert ", uændret fra 2023." in status.sentence(CARS, h, 2024, CARS_TARGET)


def test_sentence_first_year_and_no_target():
    h = history(CARS.kpi_id, [(2024, 46.0)])
    assert status.sentence(CARS, h, 2024, None) == (
        f"I 2024 var 46{NBSP}% af kommunens personbiler el- eller brintbiler. "
        "Der er ikke fastsat et mål for nøgletallet."
    )


def test_sentence_no_data():
    h = history(CARS.kpi_id, [(2023, 31.0), (2024, float("nan"))])
    assert status.sentence(CARS, h, 2024, CARS_TARGET) == (
        f"Der mangler data til at beregne nøgletallet for 2024; i 2023 var værdien 31{NBSP}%. "
        f"Målet er 100{NBSP}% i 2030."
    )
    assert status.sentence(CARS, history(CARS.kpi_id, []), 2024, None).startswith(
        "Der mangler data til at beregne nøgletallet for 2024."
    )


def test_sentence_target_year_passed():
    t = Target(CARS.kpi_id, None, None, 2022, 30.0, "plan")
    h = history(CARS.kpi_id, [(2024, 46.0)])
    assert status.sentence(CARS, h, 2024, t).endswith(f"Målet var 30{NBSP}% i 2022.")


def test_sentence_count():
    d = KPI_DEFS["lca_projects_count"]
    h = history(d.kpi_id, [(2023, 1234.0), (2024, 1300.0)])
    assert "i 1.300 af kommunens afsluttede" in status.sentence(d, h, 2024, None)
    assert "op fra 1.234 i 2023" in status.sentence(d, h, 2024, None)
