"""LCA KPIs (pipeline.account.kpis.lca): BR18 limits, projects with limits, the three LCA KPIs."""

import datetime as dt

import pandas as pd
import pytest

from pipeline.account import kpis
from pipeline.account.kpis import lca
from tests.factories import empty_frame, frame

CODE = 151

BUILDINGS = [
    # id, name, use, area, label, valid until
    ("B1", "Rådhuset", "kontor", 1000.0, "B", "2030-01-01"),
    ("B2", "Skolen", "skole", 3000.0, "D", "2026-05-01"),
]

PROJECTS = [
    # id, building, type, completed, area, lca, gwp, recycled
    ("P1", "B1", "nybyggeri", "2024-03-01", 1500.0, "ja", 11.0, None),  # limit 12 → within
    ("P2", "B2", "nybyggeri", "2024-05-01", 2000.0, "ja", 13.5, None),  # limit 12 → over
    ("P3", "B9", "nybyggeri", "2024-06-01", 800.0, "ja", 9.0, None),  # ≤1000 m² → no limit
    ("P4", "B1", "renovering", "2024-07-01", 3000.0, "ja", 5.0, None),  # renovation → no limit
    ("P5", "B2", "nybyggeri", "2024-08-01", 4000.0, "nej", None, None),
    ("P6", "B2", "renovering", "2024-09-01", 300.0, "nej", None, None),
    ("P7", "B1", "nybyggeri", "2024-10-01", 1200.0, "ja", None, None),  # LCA without result
    ("P8", "B1", "nybyggeri", "2023-12-01", 1200.0, "ja", 1.0, None),  # completed last year
]


def values(tables, year=2024, code=CODE):
    return kpis.compute_year(tables, code, year)


@pytest.mark.parametrize(
    ("ptype", "date", "area", "use", "expected"),
    [
        ("nybyggeri", "2022-12-31", 5000, "kontor", None),
        ("nybyggeri", "2023-01-01", 1500, "kontor", 12.0),
        ("nybyggeri", "2023-01-01", 1000, "kontor", None),  # "over 1.000 m²"
        ("nybyggeri", "2024-06-01", 900, "skole", None),
        ("nybyggeri", "2025-06-30", 1500, "kontor", 12.0),
        ("nybyggeri", "2025-07-01", 500, "kontor", 7.5),
        ("nybyggeri", "2025-07-01", 500, "etagebolig", 7.5),
        ("nybyggeri", "2025-07-01", 5000, "institution", 8.0),
        ("nybyggeri", "2025-07-01", 5000, "Skole", 8.0),
        ("nybyggeri", "2025-07-01", 5000, "daginstitution", 8.0),
        ("nybyggeri", "2025-07-01", 5000, "idrætshal", 8.0),
        ("nybyggeri", "2025-07-01", 5000, None, 8.0),
        ("renovering", "2025-07-01", 5000, "kontor", None),
        ("renovering", "2023-06-01", 5000, "kontor", None),
        ("nybyggeri", None, 5000, "kontor", None),
    ],
)
def test_br18_limit(ptype, date, area, use, expected):
    day = pd.Timestamp(date) if date else pd.NaT
    assert lca.br18_limit(ptype, day, area, use) == expected


def test_br18_limit_accepts_plain_dates():
    assert lca.br18_limit("nybyggeri", dt.date(2023, 1, 1), 1001.0) == lca.BR18_2023_LIMIT == 12.0


@pytest.mark.parametrize(
    ("use", "category"),
    [
        ("Rådhus", "kontor"),
        (" kontorer ", "kontor"),
        ("Etageboliger", "etagebolig"),
        ("plejehjem", "institution"),
        ("SFO", "institution"),
        ("idrætshal", "andet"),
        (None, "andet"),
        (float("nan"), "andet"),
    ],
)
def test_br18_category(use, category):
    assert lca.br18_category(use) == category
    assert category in lca.BR18_2025_LIMITS and category in lca.BR18_CATEGORY_NAMES


def test_lca_kpis():
    tables = {
        "construction_projects": frame("construction_projects", PROJECTS),
        "buildings": frame("buildings", BUILDINGS),
    }
    v = values(tables)
    assert v["lca_projects_count"] == 5.0  # P1 P2 P3 P4 P7
    assert v["lca_share_projects"] == pytest.approx(5 / 7 * 100)
    assert v["lca_within_limit_share"] == pytest.approx(50.0)  # P1 within, P2 over


def test_compute_returns_the_groups_kpis():
    tables = {"construction_projects": frame("construction_projects", PROJECTS)}
    assert lca.compute(kpis.frames_for(tables, CODE, 2024), 2024) == {
        "lca_projects_count": 5.0,
        "lca_share_projects": pytest.approx(5 / 7 * 100),
        "lca_within_limit_share": pytest.approx(50.0),
    }
    no_projects = kpis.frames_for({}, CODE, 2024)
    assert lca.compute(no_projects, 2024) == dict.fromkeys(
        ["lca_projects_count", "lca_share_projects", "lca_within_limit_share"]
    )


def test_projects_with_limits_uses_building_use_from_same_year():
    projects = frame(
        "construction_projects",
        [
            ("P1", "B1", "nybyggeri", "2025-08-01", 500.0, "ja", 7.9, None),
            ("P2", "B2", "nybyggeri", "2025-08-01", 500.0, "ja", 7.9, None),
            ("P3", "B404", "nybyggeri", "2025-08-01", 500.0, "ja", 7.9, None),
        ],
        year=2025,
    )
    buildings = frame("buildings", BUILDINGS, year=2025)
    p = lca.projects_with_limits(projects, buildings, 2025).set_index("project_id")
    assert p.loc["P1", "building_use"] == "kontor" and p.loc["P1", "br18_limit"] == 7.5
    assert not p.loc["P1", "within_limit"]
    assert p.loc["P2", "br18_limit"] == 8.0 and p.loc["P2", "within_limit"]
    assert p.loc["P3", "building_use"] == "andet" and p.loc["P3", "br18_limit"] == 8.0
    assert p.loc["P1", "building_name"] == "Rådhuset"


def test_projects_with_limits_without_buildings():
    p = lca.projects_with_limits(
        frame("construction_projects", PROJECTS), empty_frame("buildings"), 2024
    ).set_index("project_id")
    assert "P8" not in p.index  # completed in 2023
    assert set(p["building_use"]) == {"andet"} and p["building_name"].isna().all()
    assert p.loc["P7", "lca"] and pd.isna(p.loc["P7", "within_limit"])  # no result: not judged


def test_result_on_the_limit_is_within():
    rows = [("P1", "B1", "nybyggeri", "2024-03-01", 1500.0, "ja", 12.0, None)]
    v = values({"construction_projects": frame("construction_projects", rows)})
    assert v["lca_within_limit_share"] == 100.0


def test_lca_without_applicable_limit_has_no_within_share():
    rows = [("P1", "B1", "renovering", "2024-03-01", 1500.0, "ja", 11.0, None)]
    v = values({"construction_projects": frame("construction_projects", rows)})
    assert v["lca_projects_count"] == 1.0 and v["lca_share_projects"] == 100.0
    assert v["lca_within_limit_share"] is None


def test_delivered_projects_without_lca_count_zero():
    rows = [("P1", "B1", "renovering", "2024-03-01", 1500.0, "nej", None, None)]
    v = values({"construction_projects": frame("construction_projects", rows)})
    assert v["lca_projects_count"] == 0.0 and v["lca_share_projects"] == 0.0
