"""The climate account of one municipality, hand-computed: totals in both scopes, status, manko,
restatements; the section's headline sentence; no emissions gives 'mangler data', not a failure."""

import pandas as pd
import pytest

from pipeline.account import actions, status
from pipeline.account.climate import account
from pipeline.account.climate.target import ClimateTarget, Milestone
from pipeline.account.sections.climate import headline
from tests.factories import empty_frame, frame

NBSP = "\u00a0"
TARGET = ClimateTarget("med_landbrug", 1990, 400_000.0, (Milestone(2030, 85.0), Milestone(2045, 100.0)))


def emissions(edition_values: dict) -> pd.DataFrame:
    """Processed emissions rows: {(data_year, sector): t CO2e}."""
    return pd.DataFrame([{"data_year": y, "sector": s, "unit": "t_co2e", "value": v}
                         for (y, s), v in edition_values.items()])


NOW = emissions({(2021, "energi"): 100_000.0, (2021, "transport"): 40_000.0, (2021, "landbrug"): 10_000.0,
                 (2022, "energi"): 90_000.0, (2022, "transport"): 38_000.0, (2022, "landbrug"): 20_000.0,
                 (2022, "samlet_med_landbrug"): 148_000.0})
BEFORE = emissions({(2021, "energi"): 104_000.0, (2021, "transport"): 40_000.0, (2021, "landbrug"): 10_000.0})
ACTIONS = actions.actions_table(frame("actions", [
    ("A1", "Energi", "Varmepumper", "selv", "gennemfoert", 20_000.0, None),
    ("A2", "Transport", "Elbusser", "selv", "ikke_startet", 5_000.0, None)]))


def test_totals_in_both_scopes_from_the_delivered_row_or_the_sectors():
    ca = account.build(2024, NOW, BEFORE, TARGET, ACTIONS)
    totals = ca.totals.set_index(["data_year", "scope"])
    assert totals.loc[(2022, "med_landbrug"), "t_co2e"] == 148_000.0 and totals.loc[(2022, "med_landbrug"), "delivered"]
    assert totals.loc[(2022, "uden_landbrug"), "t_co2e"] == 128_000.0  # 90.000 + 38.000, summed
    assert totals.loc[(2021, "med_landbrug"), "t_co2e"] == 150_000.0
    assert ca.latest == (2022, 148_000.0)


def test_status_manko_and_restatements():
    ca = account.build(2024, NOW, BEFORE, TARGET, ACTIONS)
    # path 2022: 400.000 − 32 × 8.500 = 128.000 t; 148.000 t is above it
    assert ca.status == status.OFF_TRACK and ca.expected_t_co2e == pytest.approx(128_000)
    # 148.000 − 20.000 (completed) − 60.000 (target) = 68.000 t; 5.000 t not started is at risk
    assert ca.manko.manko_t_co2e == pytest.approx(68_000) and ca.manko.at_risk_t_co2e == 5_000.0
    (r,) = ca.restatements
    assert (r.data_year, r.sector, r.before_t_co2e, r.now_t_co2e) == (2021, "energi", 104_000.0, 100_000.0)


def test_headline_in_plain_danish():
    ca = account.build(2024, NOW, BEFORE, TARGET, ACTIONS)
    assert headline(ca, "Ballerup Kommune") == (
        f"I 2022 udledte Ballerup Kommune 148.000{NBSP}ton CO₂e med landbrug (128.000{NBSP}ton CO₂e uden "
        f"landbrug), 63{NBSP}% mindre end i 1990. Målet er 85{NBSP}% mindre i 2030; målstien siger "
        f"68{NBSP}% mindre i 2022, så udledningen er ikke på sporet.")


def test_no_emissions_is_missing_data_not_a_failure():
    ca = account.build(2024, None, None, TARGET, ACTIONS)
    assert not ca.delivered and ca.status == status.NO_DATA and ca.manko is None
    assert "mangler data" in headline(ca, "Samsø Kommune")
    assert account.build(2024, empty_frame("actions").iloc[0:0].assign(
        data_year=[], sector=[], unit=[], value=[]), None, None, ACTIONS).status == status.NO_DATA


class FakeAccount:
    """What the climate section reads from an Account."""

    def __init__(self, climate):
        self.climate, self.year, self.official_name = climate, 2024, "Ballerup Kommune"

    def chart(self, key, make):
        return make()


def test_the_section_has_chart_table_bridge_and_restatements():
    from pipeline.account.sections import climate as section

    html = section.html(FakeAccount(account.build(2024, NOW, BEFORE, TARGET, ACTIONS)))
    assert html.count('role="img"') == 2, "the emissions chart and the manko bridge"
    assert "Mankoen er 68.000" in html and "ikke startede indsatser er i fare" in html
    assert f"2021: 104.000{NBSP}t i sidste års udgave, nu 100.000{NBSP}t (−3,8{NBSP}%) (Energi)" in html
    assert "I alt med landbrug" in html and "Målsti (med landbrug)" in html
    empty = section.html(FakeAccount(account.build(2024, None, None, None, ACTIONS)))
    assert "mangler data" in empty and "<svg" not in empty
