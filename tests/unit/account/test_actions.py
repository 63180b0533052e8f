"""The action plan (pipeline.account.actions): Danish labels, counts and reductions by status."""

import math

from pipeline.account import actions
from pipeline.account.status import OFF_TRACK, ON_TRACK
from pipeline.schema import ACTION_STATUS_DA
from tests.factories import empty_frame, frame

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
        "zero_emission_share_passenger_cars": OFF_TRACK,
        "household_recycling_rate": ON_TRACK,
    }
    t = actions.actions_table(frame("actions", ACTIONS), status)
    assert list(t["area"]) == ["Affald", "Affald", "Energi", "Transport", "Transport"]
    a1 = t.set_index("action_id").loc["A1"]
    assert a1["status"] == "i gang" and a1["responsibility"] == "selv"
    assert a1["kpi_status"] == OFF_TRACK
    assert a1["kpi_title"] == "Personbiler på el eller brint"
    assert set(t["responsibility"]) == {"selv", "fællesskab", "medejer"}
    assert t.set_index("action_id").loc["A5", "kpi_title"] == "no_such_kpi"

    area = actions.actions_by_area_status(t)
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

    resp = actions.actions_by_responsibility(t).set_index("responsibility")
    assert list(resp.index) == ["selv", "medejer", "fællesskab"]
    assert resp.loc["selv", "actions"] == 2 and resp.loc["selv", "reduction_t_co2e"] == 170.5
    assert resp.loc["fællesskab", "reduction_t_co2e"] == 30.0

    red = actions.reductions_by_status(t).set_index("status")
    assert red.loc["gennemført", "reduction_t_co2e"] == 200.0
    assert math.isnan(red.loc["opgivet", "reduction_t_co2e"])  # only an empty value
    assert red["actions"].sum() == 5


def test_areas_sort_the_danish_way_and_statuses_use_the_schema_vocabulary():
    rows = [
        ("B1", "Østerbro", "x", "selv", "i_gang", 1.0, None),
        ("B2", "Åbyen", "x", "selv", "ukendt_status", 1.0, None),
        ("B3", "Zoo", "x", "selv", None, 1.0, None),
        ("B4", "Æblehaven", "x", "selv", "gennemfoert", 1.0, None),
    ]
    t = actions.actions_table(frame("actions", rows))
    assert list(t["area"]) == ["Zoo", "Æblehaven", "Østerbro", "Åbyen"]
    assert list(t["status"]) == ["ukendt", "gennemført", "i gang", "ukendt_status"]
    assert t["kpi_status"].isna().all()
    area = actions.actions_by_area_status(t)
    assert list(area.index) == ["Zoo", "Æblehaven", "Østerbro", "Åbyen"]
    # the schema's statuses first, in schema order; unknown ones after them
    assert list(area.columns) == [*ACTION_STATUS_DA.values(), "ukendt", "ukendt_status", "I alt"]


def test_no_actions():
    t = actions.actions_table(empty_frame("actions"))
    assert t.empty and "kpi_status" in t.columns
    assert actions.actions_by_area_status(t).empty
    by_status = actions.reductions_by_status(t)
    assert list(by_status["status"]) == list(ACTION_STATUS_DA.values())
    assert (by_status["actions"] == 0).all()
    resp = actions.actions_by_responsibility(t)
    assert list(resp["responsibility"]) == ["selv", "medejer", "fællesskab"]
    assert (resp["actions"] == 0).all() and resp["reduction_t_co2e"].isna().all()
