"""KPI computation, BR18 limits, target trajectory, status, sentences and action-plan tables."""

import datetime as dt
import math

import pandas as pd
import pytest

from pipeline import kpis
from pipeline.kpis import KPI_DEFS
from pipeline.schema import DATASETS, KPI_IDS
from pipeline.targets import Target
from tests.unit.frames import frame, history

CODE = 151
NBSP = "\u00a0"


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


# ---------------------------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------------------------


def test_every_kpi_is_defined():
    assert list(KPI_DEFS) == KPI_IDS
    for d in KPI_DEFS.values():
        assert d.title_da and d.short_da and d.definition_da and d.source_da and d.axis_da
        assert d.unit in ("%", "antal", "kg CO2e/m²/år")
        assert "{value}" in d.reading_da
    lower = {k for k, d in KPI_DEFS.items() if not d.higher_is_better}
    assert lower == {
        "residual_waste_share",
        "energy_label_d_or_worse_share_area",
        "energy_label_d_or_worse_share_count",
        "energy_label_missing_or_expired_share",
    }


# ---------------------------------------------------------------------------------------------
# Fleet
# ---------------------------------------------------------------------------------------------


def test_zero_emission_share_17_el_1_brint_of_40_is_45():
    v = values({"fleet": frame("fleet", fleet_rows())})
    assert v["zero_emission_share_passenger_cars"] == pytest.approx(45.0)
    assert v["zero_emission_share_vans"] == pytest.approx(25.0)  # 2 of 8


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
    t = kpis.fleet_counts(frame("fleet", fleet_rows()))
    assert list(t.index) == ["personbil", "varebil", "lastbil"]
    assert list(t.columns) == ["el", "brint", "diesel"]
    assert t.loc["personbil", "el"] == 17 and t.loc["personbil", "brint"] == 1
    assert t.loc["personbil", "diesel"] == 22 and t.loc["varebil", "brint"] == 0
    assert int(t.to_numpy().sum()) == 49


# ---------------------------------------------------------------------------------------------
# Waste
# ---------------------------------------------------------------------------------------------

WASTE = [
    ("madaffald", "genanvendelse", 30.0),
    ("plast", "genanvendelse", 6.0),
    ("plast", "forbraending", 4.0),
    ("restaffald", "forbraending", 50.0),
    ("glas", "genanvendelse", 10.0),
]  # total 100 t, recycled 46 t


def test_waste_rates():
    v = values({"waste": frame("waste", WASTE)})
    assert v["household_recycling_rate"] == pytest.approx(46.0)
    assert v["plastic_recycling_rate"] == pytest.approx(60.0)
    assert v["residual_waste_share"] == pytest.approx(50.0)


def test_no_plastic_means_no_plastic_rate():
    v = values({"waste": frame("waste", [w for w in WASTE if w[0] != "plast"])})
    assert v["plastic_recycling_rate"] is None
    assert v["household_recycling_rate"] == pytest.approx(40 / 90 * 100)


def test_zero_tonnes_means_no_value():
    v = values({"waste": frame("waste", [("plast", "genanvendelse", 0.0)])})
    assert v["household_recycling_rate"] is None and v["residual_waste_share"] is None


def test_waste_by_fraction():
    t = kpis.waste_by_fraction(frame("waste", WASTE))
    assert list(t["fraction"]) == ["madaffald", "glas", "plast", "restaffald"]  # schema order
    plast = t.set_index("fraction").loc["plast"]
    assert plast["tonnes"] == 10.0 and plast["recycled_tonnes"] == 6.0
    assert plast["recycled_share"] == pytest.approx(60.0)


# ---------------------------------------------------------------------------------------------
# Energy labels
# ---------------------------------------------------------------------------------------------

BUILDINGS = [
    # id, name, use, area, label, valid until
    ("B1", "Rådhuset", "kontor", 1000.0, "B", "2030-01-01"),
    ("B2", "Skolen", "skole", 3000.0, "D", "2026-05-01"),
    ("B3", "Hallen", "idrætshal", 500.0, "G", "2024-12-30"),  # expired before 31 Dec 2024
    ("B4", "Børnehuset", "daginstitution", 500.0, None, None),  # no label
    ("B5", "Plejecentret", "plejecenter", 1000.0, "C", "2024-12-31"),  # valid through year end
]


def test_energy_label_shares():
    v = values({"buildings": frame("buildings", BUILDINGS)})
    # with a label: B1, B2, B3, B5 → area 5500, D–G area 3500
    assert v["energy_label_d_or_worse_share_area"] == pytest.approx(3500 / 5500 * 100)
    assert v["energy_label_d_or_worse_share_count"] == pytest.approx(50.0)  # 2 of 4
    # missing (B4) or expired (B3) of all 5
    assert v["energy_label_missing_or_expired_share"] == pytest.approx(40.0)


def test_label_distribution_includes_no_label():
    d = kpis.label_distribution(frame("buildings", BUILDINGS)).set_index("label")
    assert list(d.index)[-1] == "Intet mærke"
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


# ---------------------------------------------------------------------------------------------
# BR18 limits and LCA
# ---------------------------------------------------------------------------------------------


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
    assert kpis.br18_limit(ptype, day, area, use) == expected


def test_br18_limit_accepts_plain_dates():
    assert kpis.br18_limit("nybyggeri", dt.date(2023, 1, 1), 1001.0) == 12.0


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


def test_lca_kpis():
    tables = {
        "construction_projects": frame("construction_projects", PROJECTS),
        "buildings": frame("buildings", BUILDINGS),
    }
    v = values(tables)
    assert v["lca_projects_count"] == 5.0  # P1 P2 P3 P4 P7
    assert v["lca_share_projects"] == pytest.approx(5 / 7 * 100)
    assert v["lca_within_limit_share"] == pytest.approx(50.0)  # P1 within, P2 over


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
    p = kpis.projects_with_limits(projects, buildings, 2025).set_index("project_id")
    assert p.loc["P1", "building_use"] == "kontor" and p.loc["P1", "br18_limit"] == 7.5
    assert not p.loc["P1", "within_limit"]
    assert p.loc["P2", "br18_limit"] == 8.0 and p.loc["P2", "within_limit"]
    assert p.loc["P3", "building_use"] == "andet" and p.loc["P3", "br18_limit"] == 8.0
    assert p.loc["P1", "building_name"] == "Rådhuset"


def test_lca_without_applicable_limit_has_no_within_share():
    rows = [("P1", "B1", "renovering", "2024-03-01", 1500.0, "ja", 11.0, None)]
    v = values({"construction_projects": frame("construction_projects", rows)})
    assert v["lca_projects_count"] == 1.0 and v["lca_share_projects"] == 100.0
    assert v["lca_within_limit_share"] is None


def test_delivered_projects_without_lca_count_zero():
    rows = [("P1", "B1", "renovering", "2024-03-01", 1500.0, "nej", None, None)]
    v = values({"construction_projects": frame("construction_projects", rows)})
    assert v["lca_projects_count"] == 0.0 and v["lca_share_projects"] == 0.0


# ---------------------------------------------------------------------------------------------
# Missing datasets and history
# ---------------------------------------------------------------------------------------------


def test_missing_datasets_give_none():
    v = values({"fleet": frame("fleet", fleet_rows())})
    for kpi_id in KPI_IDS:
        if not kpi_id.startswith("zero_emission"):
            assert v[kpi_id] is None, kpi_id
    # delivered by another municipality only → still missing for us
    v = values({"waste": frame("waste", WASTE, code=101)})
    assert v["household_recycling_rate"] is None


def test_empty_frames_are_missing():
    empty = {name: kpis.empty_frame(name) for name in DATASETS}
    assert all(v is None for v in values(empty).values())


def test_compute_history():
    tables = {
        2022: {"fleet": frame("fleet", fleet_rows(n_cars=10, el=1, brint=0), year=2022)},
        2023: {"fleet": frame("fleet", fleet_rows(n_cars=10, el=3, brint=0), year=2023)},
        2024: {"fleet": frame("fleet", fleet_rows(), year=2024)},
        2025: {"fleet": frame("fleet", fleet_rows(n_cars=10, el=10, brint=0), year=2025)},
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


# ---------------------------------------------------------------------------------------------
# Trajectory and status
# ---------------------------------------------------------------------------------------------




RECYCLING = KPI_DEFS["household_recycling_rate"]
RESIDUAL = KPI_DEFS["residual_waste_share"]


def test_trajectory_interpolation():
    t = Target("household_recycling_rate", 2019, 48.0, 2030, 60.0, "plan")
    assert kpis.expected_value(t, 2019) == 48.0
    assert kpis.expected_value(t, 2024) == pytest.approx(48 + 5 / 11 * 12)  # 53.4545…
    assert kpis.expected_value(t, 2030) == 60.0
    assert kpis.expected_value(t, 2033) == 60.0  # after the target year: the target itself
    assert kpis.expected_value(t, 2017) == 48.0


def test_trajectory_baseline_from_earliest_observation():
    t = Target("household_recycling_rate", None, None, 2030, 60.0, "plan")
    h = history("household_recycling_rate", [(2020, float("nan")), (2021, 40.0), (2024, 50.0)])
    traj = kpis.trajectory(t, h)
    assert (traj.baseline_year, traj.baseline_value, traj.baseline_from_targets) == (
        2021,
        40.0,
        False,
    )
    assert kpis.expected_value(t, 2024, h) == pytest.approx(40 + 3 / 9 * 20)  # 46.67
    assert kpis.status(RECYCLING, 50.0, 2024, t, h) == kpis.ON_TRACK
    assert kpis.status(RECYCLING, 46.0, 2024, t, h) == kpis.OFF_TRACK


def test_status_higher_is_better():
    t = Target("household_recycling_rate", 2019, 48.0, 2030, 60.0, "plan")
    expected = 48 + 5 / 11 * 12
    assert kpis.status(RECYCLING, expected, 2024, t) == kpis.ON_TRACK  # on the line
    assert kpis.status(RECYCLING, 53.5, 2024, t) == kpis.ON_TRACK
    assert kpis.status(RECYCLING, 53.4, 2024, t) == kpis.OFF_TRACK


def test_status_lower_is_better():
    t = Target("residual_waste_share", 2020, 40.0, 2030, 20.0, "plan")  # expected 2024: 32
    assert kpis.status(RESIDUAL, 31.0, 2024, t) == kpis.ON_TRACK
    assert kpis.status(RESIDUAL, 32.0, 2024, t) == kpis.ON_TRACK
    assert kpis.status(RESIDUAL, 33.0, 2024, t) == kpis.OFF_TRACK
    assert kpis.status(RESIDUAL, 19.0, 2031, t) == kpis.ON_TRACK
    assert kpis.status(RESIDUAL, 21.0, 2031, t) == kpis.OFF_TRACK


def test_status_missing_target_and_data():
    t = Target("residual_waste_share", 2020, 40.0, 2030, 20.0, "plan")
    assert kpis.status(RESIDUAL, 30.0, 2024, None) == kpis.NO_TARGET
    assert kpis.status(RESIDUAL, None, 2024, t) == kpis.NO_DATA
    assert kpis.status(RESIDUAL, float("nan"), 2024, t) == kpis.NO_DATA
    assert kpis.status(RESIDUAL, None, 2024, None) == kpis.NO_DATA


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
    s = kpis.summary(h, 2024, targets).set_index("kpi_id")
    assert list(s.index) == KPI_IDS
    r = s.loc["household_recycling_rate"]
    assert r["value"] == 55.0 and r["previous_year"] == 2022 and r["previous_value"] == 50.0
    assert r["target_value"] == 60.0 and r["target_year"] == 2030
    assert r["expected_value"] == pytest.approx(53.4545, abs=1e-3)
    assert r["status"] == kpis.ON_TRACK
    assert s.loc["residual_waste_share", "status"] == kpis.NO_DATA
    assert s.loc["zero_emission_share_vans", "status"] == kpis.NO_DATA


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

CARS = KPI_DEFS["zero_emission_share_passenger_cars"]
CARS_TARGET = Target(CARS.kpi_id, None, None, 2030, 100.0, "plan")


def test_sentence_up():
    h = history(CARS.kpi_id, [(2023, 31.0), (2024, 46.0)])
    assert kpis.sentence(CARS, h, 2024, CARS_TARGET) == (
        f"I 2024 var 46{NBSP}% af kommunens personbiler el- eller brintbiler, op fra 31{NBSP}% i 2023. "
        f"Målet er 100{NBSP}% i 2030."
    )


def test_sentence_down_and_gap_year():
    h = history(CARS.kpi_id, [(2022, 50.0), (2023, float("nan")), (2024, 46.0)])
    s = kpis.sentence(CARS, h, 2024, CARS_TARGET)
    assert f", ned fra 50{NBSP}% i 2022." in s


def test_sentence_unchanged_after_rounding():
    h = history(CARS.kpi_id, [(2023, 45.8), (2024, 46.2)])
    assert ", uændret fra 2023." in kpis.sentence(CARS, h, 2024, CARS_TARGET)


def test_sentence_first_year_and_no_target():
    h = history(CARS.kpi_id, [(2024, 46.0)])
    assert kpis.sentence(CARS, h, 2024, None) == (
        f"I 2024 var 46{NBSP}% af kommunens personbiler el- eller brintbiler. "
        "Der er ikke fastsat et mål for nøgletallet."
    )


def test_sentence_no_data():
    h = history(CARS.kpi_id, [(2023, 31.0), (2024, float("nan"))])
    assert kpis.sentence(CARS, h, 2024, CARS_TARGET) == (
        f"Der mangler data til at beregne nøgletallet for 2024; i 2023 var værdien 31{NBSP}%. "
        f"Målet er 100{NBSP}% i 2030."
    )
    assert kpis.sentence(CARS, history(CARS.kpi_id, []), 2024, None).startswith(
        "Der mangler data til at beregne nøgletallet for 2024."
    )


def test_sentence_target_year_passed():
    t = Target(CARS.kpi_id, None, None, 2022, 30.0, "plan")
    h = history(CARS.kpi_id, [(2024, 46.0)])
    assert kpis.sentence(CARS, h, 2024, t).endswith(f"Målet var 30{NBSP}% i 2022.")


def test_sentence_count():
    d = KPI_DEFS["lca_projects_count"]
    h = history(d.kpi_id, [(2023, 1234.0), (2024, 1300.0)])
    assert "i 1.300 af kommunens afsluttede" in kpis.sentence(d, h, 2024, None)
    assert "op fra 1.234 i 2023" in kpis.sentence(d, h, 2024, None)


# ---------------------------------------------------------------------------------------------
# Action plan
# ---------------------------------------------------------------------------------------------

ACTIONS = [
    (
        "A1",
        "Transport",
        "Elbiler i hjemmeplejen",
        "selv",
        "i_gang",
        120.0,
        "zero_emission_share_passenger_cars",
    ),
    ("A2", "Transport", "Delebiler", "faellesskab", "ikke_startet", 30.0, None),
    (
        "A3",
        "Affald",
        "Sortering i 10 fraktioner",
        "medejer",
        "gennemfoert",
        200.0,
        "household_recycling_rate",
    ),
    ("A4", "Affald", "Genbrugsbutik", "faellesskab", "opgivet", None, None),
    ("A5", "Energi", "Solceller på skoler", "selv", "forsinket", 50.5, "no_such_kpi"),
]


def test_actions_tables():
    status = {
        "zero_emission_share_passenger_cars": kpis.OFF_TRACK,
        "household_recycling_rate": kpis.ON_TRACK,
    }
    t = kpis.actions_table(frame("actions", ACTIONS), status)
    assert list(t["area"]) == ["Affald", "Affald", "Energi", "Transport", "Transport"]
    a1 = t.set_index("action_id").loc["A1"]
    assert a1["status"] == "i gang" and a1["responsibility"] == "selv"
    assert a1["kpi_status"] == kpis.OFF_TRACK
    assert a1["kpi_title"] == "Personbiler på el eller brint"
    assert set(t["responsibility"]) == {"selv", "fællesskab", "medejer"}
    assert t.set_index("action_id").loc["A5", "kpi_title"] == "no_such_kpi"

    area = kpis.actions_by_area_status(t)
    assert list(area.columns) == [
        "ikke startet",
        "i gang",
        "gennemført",
        "forsinket",
        "opgivet",
        "I alt",
    ]
    assert area.loc["Affald", "gennemført"] == 1 and area.loc["Affald", "I alt"] == 2
    assert area.loc["Transport", "I alt"] == 2

    resp = kpis.actions_by_responsibility(t).set_index("responsibility")
    assert list(resp.index) == ["selv", "medejer", "fællesskab"]
    assert resp.loc["selv", "actions"] == 2 and resp.loc["selv", "reduction_t_co2e"] == 170.5
    assert resp.loc["fællesskab", "reduction_t_co2e"] == 30.0

    red = kpis.reductions_by_status(t).set_index("status")
    assert red.loc["gennemført", "reduction_t_co2e"] == 200.0
    assert math.isnan(red.loc["opgivet", "reduction_t_co2e"])  # only an empty value
    assert red["actions"].sum() == 5


def test_danish_sort_order():
    assert sorted(["Åbyen", "Æblehaven", "Østerbro", "Zoo"], key=kpis.danish_sort_key) == [
        "Zoo",
        "Æblehaven",
        "Østerbro",
        "Åbyen",
    ]
