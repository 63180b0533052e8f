"""Degree-day correction: the space-heating part scaled to the normal year, the hot-water part left alone."""

import pytest

from pipeline.account.operations import correct, correction
from pipeline.account.operations.settings import DegreeDayOverride, OperationsSettings


def test_the_correction_by_hand():
    # 100.000 kWh in a year of 2.800 degree days, normal year 3.112, hot-water share 0,25:
    #   space heating 75.000 kWh × 3.112 / 2.800 = 75.000 × 1,111428… = 83.357,142857 kWh
    #   hot water     25.000 kWh, not corrected
    #   corrected     108.357,142857 kWh
    assert correct(100_000, 2800, 3112, 0.25) == pytest.approx(108_357.142857, abs=1e-5)


def test_a_normal_year_is_left_as_it_is_and_a_cold_year_is_corrected_down():
    assert correct(100_000, 3112, 3112, 0.25) == pytest.approx(100_000)
    # 3.500 degree days: 75.000 × 3.112 / 3.500 + 25.000 = 66.685,714… + 25.000 = 91.685,714…
    assert correct(100_000, 3500, 3112, 0.25) == pytest.approx(91_685.714286, abs=1e-5)


def test_the_correction_of_a_reference_year_names_its_sources():
    c = correction(2016)
    assert (c.degree_days, c.normal, c.hot_water_share) == (2715.1, 3112, 0.25)
    assert c.multiplier == pytest.approx(0.75 * 3112 / 2715.1 + 0.25)
    assert c.apply(100_000) == pytest.approx(100_000 * c.multiplier)
    text = c.describe_da()
    assert "2.715,1 graddage i 2016" in text and "normalår på 3.112 graddage" in text and "25 %" in text
    assert c.own == ()


def test_a_year_without_degree_days_has_no_correction():
    assert correction(2024) is None


def test_the_municipality_can_give_its_own_numbers():
    own = OperationsSettings(degree_days=(DegreeDayOverride(2024, 2800.0, "Fjernvarmeselskabet", "151.yaml", 12),),
                             normal_year_degree_days=3000.0, hot_water_share=0.3, file="151.yaml")
    c = correction(2024, own)
    assert (c.degree_days, c.normal, c.hot_water_share) == (2800.0, 3000.0, 0.3)
    assert c.own == ("degree_days", "normal", "hot_water_share")
    assert "kommunens eget tal fra 151.yaml" in c.normal_source
    # 100.000 × 0,7 × 3.000 / 2.800 + 100.000 × 0,3 = 75.000 + 30.000 = 105.000
    assert c.apply(100_000) == pytest.approx(105_000)
