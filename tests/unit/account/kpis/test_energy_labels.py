"""Energy-label KPIs (pipeline.account.kpis.energy_labels): D–G shares, missing/expired labels."""

import pytest

from pipeline.account import kpis
from pipeline.account.kpis import energy_labels
from tests.factories import frame

CODE = 151

BUILDINGS = [
    # id, name, use, area, label, valid until
    ("B1", "Rådhuset", "kontor", 1000.0, "B", "2030-01-01"),
    ("B2", "Skolen", "skole", 3000.0, "D", "2026-05-01"),
    ("B3", "Hallen", "idrætshal", 500.0, "G", "2024-12-30"),  # expired before 31 Dec 2024
    ("B4", "Børnehuset", "daginstitution", 500.0, None, None),  # no label
    ("B5", "Plejecentret", "plejecenter", 1000.0, "C", "2024-12-31"),  # valid through year end
]


def values(tables, year=2024, code=CODE):
    return kpis.compute_year(tables, code, year)


def test_energy_label_shares():
    v = values({"buildings": frame("buildings", BUILDINGS)})
    # with a label: B1, B2, B3, B5 → area 5500, D–G area 3500
    assert v["energy_label_d_or_worse_share_area"] == pytest.approx(3500 / 5500 * 100)
    assert v["energy_label_d_or_worse_share_count"] == pytest.approx(50.0)  # 2 of 4
    # missing (B4) or expired (B3) of all 5
    assert v["energy_label_missing_or_expired_share"] == pytest.approx(40.0)


def test_compute_returns_the_groups_kpis():
    frames = kpis.frames_for({"buildings": frame("buildings", BUILDINGS)}, CODE, 2024)
    assert energy_labels.compute(frames, 2024) == {
        "energy_label_d_or_worse_share_area": pytest.approx(3500 / 5500 * 100),
        "energy_label_d_or_worse_share_count": pytest.approx(50.0),
        "energy_label_missing_or_expired_share": pytest.approx(40.0),
    }


def test_label_expiry_is_judged_at_the_end_of_the_computed_year():
    frames = kpis.frames_for({"buildings": frame("buildings", BUILDINGS, year=2025)}, CODE, 2025)
    # in 2025 B2 (valid until May 2026) is still valid; B3 and B5 have expired, B4 has none
    assert energy_labels.compute(frames, 2025)["energy_label_missing_or_expired_share"] == (
        pytest.approx(60.0)
    )


def test_lower_case_labels_count():
    rows = [
        ("B1", "x", "kontor", 100.0, "d", "2030-01-01"),
        ("B2", "y", "kontor", 100.0, "b", "2030-01-01"),
    ]
    v = values({"buildings": frame("buildings", rows)})
    assert v["energy_label_d_or_worse_share_count"] == pytest.approx(50.0)


def test_label_distribution_includes_no_label():
    d = energy_labels.label_distribution(frame("buildings", BUILDINGS)).set_index("label")
    assert list(d.index)[-1] == energy_labels.NO_LABEL == "Intet mærke"
    assert d.loc["Intet mærke", "count"] == 1
    assert d.loc["D", "area_m2"] == 3000.0
    assert d.loc["D", "area_share"] == pytest.approx(50.0)  # 3000 of 6000
    assert d.loc["A2020", "count"] == 0
    assert d["count_share"].sum() == pytest.approx(100.0)


def test_no_labels_at_all():
    rows = [("B1", "x", "kontor", 100.0, None, None)]
    v = values({"buildings": frame("buildings", rows)})
    assert v["energy_label_d_or_worse_share_area"] is None
    assert v["energy_label_d_or_worse_share_count"] is None
    assert v["energy_label_missing_or_expired_share"] == 100.0
