"""Section 'Overblik': one table with every KPI's value this year, previous year, target and status."""

from __future__ import annotations

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.sections import kpi_anchor, template
from pipeline.account.status import CAVEAT_EXPLANATION, KPI_STATUSES, NO_DATA


def qualified(row) -> bool:
    """A validation warning qualifies this KPI's status (never a status of 'mangler data')."""
    return (not fmt.is_missing(row.caveat)) and bool(row.caveat) and row.status != NO_DATA


def rows(acc) -> list[dict]:
    out = []
    table = pd.concat([acc.climate_summary, acc.summary], ignore_index=True)
    for r in table.itertuples(index=False):
        prev = (
            "–"
            if fmt.is_missing(r.previous_value)
            else f"{fmt.value(r.previous_value, r.unit)} ({int(r.previous_year)})"
        )
        goal = (
            "–"
            if fmt.is_missing(r.target_value)
            else f"{fmt.value(r.target_value, r.unit)} i {int(r.target_year)}"
        )
        out.append(
            {
                "anchor": "klimaregnskab" if r.group == "climate" else kpi_anchor(r.kpi_id),
                "title": r.title_da,
                "value": fmt.value(r.value, r.unit, missing=fmt.NO_DATA),
                "previous": prev,
                "target": goal,
                "status": r.status,
                "direction": "højere er bedre" if r.higher_is_better else "lavere er bedre",
                "caveat": qualified(r),
            }
        )
    return out


def html(acc) -> str:
    counts = pd.concat([acc.climate_summary, acc.summary])["status"].value_counts()
    table = rows(acc)
    return template(
        "summary.html.j2",
        acc,
        rows=table,
        counts=[(s, int(counts[s])) for s in KPI_STATUSES if counts.get(s, 0)],
        qualified=sum(r["caveat"] for r in table),
        caveat_explanation=CAVEAT_EXPLANATION,
    )
