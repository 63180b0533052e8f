"""The manko against hand-computed values: start − live reductions − target, at-risk shown apart."""

import pytest

from pipeline.account import actions
from pipeline.account.climate import manko
from pipeline.account.climate.target import ClimateTarget, Milestone
from tests.factories import frame

TARGET = ClimateTarget("med_landbrug", 1990, 400_000.0, (Milestone(2030, 85.0),))  # 2030: 60.000 t
ACTIONS = [
    ("A1", "Energi", "Varmepumper", "selv", "gennemfoert", 20_000.0, None),
    ("A2", "Transport", "Elbusser", "selv", "i_gang", 15_000.0, None),
    ("A3", "Transport", "Cykelstier", "selv", "forsinket", 4_000.0, None),
    ("A4", "Energi", "Solceller", "medejer", "ikke_startet", 6_000.0, None),
    ("A5", "Affald", "Biogas", "faellesskab", "opgivet", 1_034.0, None),
]


def test_manko_from_the_latest_emissions_when_the_plan_has_no_projection():
    m = manko.compute(TARGET, actions.actions_table(frame("actions", ACTIONS)), (2022, 150_000.0))
    assert (m.start_t_co2e, m.start_is_projection, m.start_year) == (150_000.0, False, 2022)
    assert (m.completed_t_co2e, m.in_progress_t_co2e) == (20_000.0, 15_000.0)
    assert m.at_risk_t_co2e == 10_000.0 and m.lost_t_co2e == 1_034.0
    assert m.target_t_co2e == pytest.approx(60_000.0)
    # 150.000 − (20.000 + 15.000) − 60.000 = 55.000 t not covered by live actions
    assert m.expected_2030_t_co2e == 115_000.0 and m.manko_t_co2e == pytest.approx(55_000.0)
    assert m.manko_if_at_risk_delivered_t_co2e == pytest.approx(45_000.0)


def test_the_plans_projection_is_the_start_when_given():
    with_projection = ClimateTarget("med_landbrug", 1990, 400_000.0, (Milestone(2030, 85.0),), 130_000.0)
    m = manko.compute(with_projection, actions.actions_table(frame("actions", ACTIONS)), (2022, 150_000.0))
    assert m.start_is_projection and m.start_year == 2030
    assert m.manko_t_co2e == pytest.approx(130_000 - 35_000 - 60_000)


def test_no_2030_milestone_or_no_start_gives_no_manko():
    late = ClimateTarget("med_landbrug", 1990, 1.0, (Milestone(2045, 100.0),))
    table = actions.actions_table(frame("actions", ACTIONS))
    assert manko.compute(late, table, (2022, 1.0)) is None
    assert manko.compute(TARGET, table, None) is None
    assert manko.compute(None, table, (2022, 1.0)) is None
