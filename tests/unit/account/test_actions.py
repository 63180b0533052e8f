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
    # reductions count live actions only: A5 (selv, forsinket, 50,5 t) and A2 (ikke startet) are at risk
    assert resp.loc["selv", "actions"] == 2 and resp.loc["selv", "reduction_t_co2e"] == 120.0
    assert math.isnan(resp.loc["fællesskab", "reduction_t_co2e"])

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


def test_the_total_counts_live_actions_only():
    """In progress and completed count; delayed and not started are at risk; abandoned is lost."""
    rows = ACTIONS + [("A6", "Energi", "Varmepumper", "selv", "opgivet", 1034.0, None)]
    t = actions.actions_table(frame("actions", rows))
    outlook = actions.reductions_by_outlook(t).set_index("outlook")
    assert list(outlook.index) == [actions.LIVE, actions.AT_RISK, actions.LOST]
    assert outlook.loc[actions.LIVE, "reduction_t_co2e"] == 320.0  # A1 120 + A3 200
    assert outlook.loc[actions.LIVE, "actions"] == 2
    assert outlook.loc[actions.AT_RISK, "reduction_t_co2e"] == 80.5  # A2 30 + A5 50,5
    assert outlook.loc[actions.LOST, "reduction_t_co2e"] == 1034.0 and outlook.loc[actions.LOST, "actions"] == 2
    assert actions.live_reduction(t).sum() == 320.0


def test_an_unknown_status_is_never_counted_as_live():
    assert actions.outlook("ukendt") == actions.AT_RISK
    assert actions.outlook("gennemført") == actions.LIVE and actions.outlook("opgivet") == actions.LOST


def test_no_actions_gives_three_empty_outlook_rows():
    outlook = actions.reductions_by_outlook(actions.actions_table(empty_frame("actions")))
    assert list(outlook["outlook"]) == [actions.LIVE, actions.AT_RISK, actions.LOST]
    assert (outlook["actions"] == 0).all() and outlook["reduction_t_co2e"].isna().all()
