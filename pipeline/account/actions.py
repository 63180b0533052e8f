"""The action plan: one row per action with Danish labels, and counts and reductions by area and status."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.kpis import KPI_DEFS
from pipeline.formatting import danish_sort_key
from pipeline.schema import ACTION_STATUS_DA, RESPONSIBILITY_DA


def _status_da(raw: object) -> str:
    if fmt.is_missing(raw):
        return "ukendt"
    key = str(raw).strip().lower()
    return ACTION_STATUS_DA.get(key, key)


def actions_table(
    actions: pd.DataFrame, kpi_status: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per action with Danish labels, the reduction and the linked KPI's status."""
    kpi_status = kpi_status or {}
    rows = []
    for r in actions.itertuples(index=False):
        kpi = None if fmt.is_missing(r.kpi) else str(r.kpi).strip()
        resp = None if fmt.is_missing(r.responsibility) else str(r.responsibility).strip().lower()
        rows.append(
            {
                "action_id": "" if fmt.is_missing(r.action_id) else str(r.action_id),
                "area": "" if fmt.is_missing(r.area) else str(r.area).strip(),
                "title": "" if fmt.is_missing(r.title) else str(r.title),
                "responsibility": RESPONSIBILITY_DA.get(resp, resp or "ukendt"),
                "status": _status_da(r.status),
                "reduction_t_co2e": (
                    None
                    if fmt.is_missing(r.expected_reduction_t_co2e_2030)
                    else float(r.expected_reduction_t_co2e_2030)
                ),
                "kpi_id": kpi,
                "kpi_title": (KPI_DEFS[kpi].title_da if kpi in KPI_DEFS else kpi) if kpi else None,
                "kpi_status": kpi_status.get(kpi) if kpi else None,
            }
        )
    cols = [
        "action_id",
        "area",
        "title",
        "responsibility",
        "status",
        "reduction_t_co2e",
        "kpi_id",
        "kpi_title",
        "kpi_status",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["reduction_t_co2e"] = out["reduction_t_co2e"].astype("float64")
    if out.empty:
        return out
    order = sorted(
        range(len(out)),
        key=lambda i: (danish_sort_key(out["area"].iat[i]), str(out["action_id"].iat[i])),
    )
    return out.iloc[order].reset_index(drop=True)


# Which actions the expected 2030 total counts: only live ones. Abandoned reductions are lost,
# delayed and not started ones at risk (docs/kpis.md, "Handlingsplanen").
LIVE, AT_RISK, LOST = "medregnet", "i fare", "tabt"
OUTLOOK = {
    LIVE: (ACTION_STATUS_DA["i_gang"], ACTION_STATUS_DA["gennemfoert"]),
    AT_RISK: (ACTION_STATUS_DA["forsinket"], ACTION_STATUS_DA["ikke_startet"]),
    LOST: (ACTION_STATUS_DA["opgivet"],),
}


def reductions_by_outlook(table: pd.DataFrame) -> pd.DataFrame:
    """outlook (medregnet, i fare, tabt), actions, reduction_t_co2e: the expected 2030 reductions of
    live, at-risk and lost actions, always all three rows."""
    groups = table["status"].map(outlook) if len(table) else pd.Series([], dtype="str")
    g = table["reduction_t_co2e"].groupby(groups)
    out = pd.DataFrame({"actions": groups.value_counts(), "reduction_t_co2e": g.sum(min_count=1)})
    out = out.reindex(list(OUTLOOK)).fillna({"actions": 0}).astype({"actions": "int64"})
    return out.rename_axis("outlook").reset_index()


def _status_columns(table: pd.DataFrame) -> list[str]:
    known = list(ACTION_STATUS_DA.values())
    return known + sorted(set(table["status"]) - set(known))


def actions_by_area_status(table: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per area (rows) × Danish status (columns) plus 'I alt'."""
    cols = _status_columns(table)
    counts = pd.crosstab(table["area"], table["status"]) if len(table) else pd.DataFrame()
    counts = counts.reindex(columns=cols, fill_value=0)
    counts = counts.reindex(sorted(counts.index, key=danish_sort_key)).fillna(0).astype("int64")
    counts["I alt"] = counts.sum(axis=1)
    counts.index.name, counts.columns.name = "area", None
    return counts


def outlook(status_da: str) -> str:
    """LIVE, AT_RISK or LOST for an action's Danish status; an unknown status is never counted as live."""
    for group, members in OUTLOOK.items():
        if status_da in members:
            return group
    return AT_RISK


def live_reduction(table: pd.DataFrame) -> pd.Series:
    """Each action's expected reduction if it is live (in progress or completed), else NaN."""
    live = table["status"].map(outlook) == LIVE
    return table["reduction_t_co2e"].where(live)


def actions_by_responsibility(table: pd.DataFrame) -> pd.DataFrame:
    """responsibility ('selv', 'medejer', 'fællesskab'), actions, reduction_t_co2e (sum over the live
    actions only: an abandoned or not yet started action reduces nothing yet)."""
    order = list(RESPONSIBILITY_DA.values())
    order += sorted(set(table["responsibility"]) - set(order))
    g = live_reduction(table).groupby(table["responsibility"])
    out = pd.DataFrame({"actions": table.groupby("responsibility").size(), "reduction_t_co2e": g.sum(min_count=1)})
    out = out.reindex(order).fillna({"actions": 0}).astype({"actions": "int64"})
    return out.rename_axis("responsibility").reset_index()


def reductions_by_status(table: pd.DataFrame) -> pd.DataFrame:
    """status (Danish), actions, reduction_t_co2e: expected 2030 reductions summed per status."""
    order = _status_columns(table)
    g = table.groupby("status")["reduction_t_co2e"]
    out = pd.DataFrame({"actions": g.size(), "reduction_t_co2e": g.sum(min_count=1)})
    out = out.reindex(order).fillna({"actions": 0}).astype({"actions": "int64"})
    return out.rename_axis("status").reset_index()
