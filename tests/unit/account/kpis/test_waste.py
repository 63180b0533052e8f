"""Waste KPIs (pipeline.account.kpis.waste): recycling rates, residual share, tonnes by fraction."""

import pytest

from pipeline.account import kpis
from pipeline.account.kpis import waste
from tests.factories import frame

CODE = 151

WASTE = [
    ("madaffald", "genanvendelse", 30.0),
    ("plast", "genanvendelse", 6.0),
    ("plast", "forbraending", 4.0),
    ("restaffald", "forbraending", 50.0),
    ("glas", "genanvendelse", 10.0),
]  # total 100 t, recycled 46 t


def values(tables, year=2024, code=CODE):
    return kpis.compute_year(tables, code, year)


def test_waste_rates():
    v = values({"waste": frame("waste", WASTE)})
    assert v["household_recycling_rate"] == pytest.approx(46.0)
    assert v["plastic_recycling_rate"] == pytest.approx(60.0)
    assert v["residual_waste_share"] == pytest.approx(50.0)


def test_compute_returns_the_groups_kpis():
    frames = kpis.frames_for({"waste": frame("waste", WASTE)}, CODE, 2024)
    assert waste.compute(frames, 2024) == {
        "household_recycling_rate": pytest.approx(46.0),
        "plastic_recycling_rate": pytest.approx(60.0),
        "residual_waste_share": pytest.approx(50.0),
    }


def test_no_plastic_means_no_plastic_rate():
    v = values({"waste": frame("waste", [w for w in WASTE if w[0] != "plast"])})
    assert v["plastic_recycling_rate"] is None
    assert v["household_recycling_rate"] == pytest.approx(40 / 90 * 100)


def test_zero_tonnes_means_no_value():
    v = values({"waste": frame("waste", [("plast", "genanvendelse", 0.0)])})
    assert v["household_recycling_rate"] is None and v["residual_waste_share"] is None


def test_waste_by_fraction():
    t = waste.waste_by_fraction(frame("waste", WASTE))
    assert list(t["fraction"]) == ["madaffald", "glas", "plast", "restaffald"]  # schema order
    plast = t.set_index("fraction").loc["plast"]
    assert plast["tonnes"] == 10.0 and plast["recycled_tonnes"] == 6.0
    assert plast["recycled_share"] == pytest.approx(60.0)
    rest = t.set_index("fraction").loc["restaffald"]
    assert rest["recycled_tonnes"] == 0.0 and rest["recycled_share"] == 0.0


def test_waste_by_fraction_puts_unknown_fractions_last():
    rows = [("zzz", "deponi", 1.0), *WASTE, ("aaa", "deponi", 2.0)]
    t = waste.waste_by_fraction(frame("waste", rows))
    assert list(t["fraction"]) == ["madaffald", "glas", "plast", "restaffald", "aaa", "zzz"]
