"""Section 'Handlingsplanen': status chart, actions by area × status, by responsibility, and the full list."""

from __future__ import annotations

from markupsafe import Markup

from pipeline import formatting as fmt
from pipeline.account import actions, charts
from pipeline.account.kpis import KPI_DEFS
from pipeline.account.sections import kpi_anchor, template


def tonnes(x: object) -> str:
    return fmt.value(x, "t CO2e", decimals=0)


def action_row(r: dict) -> dict:
    """One action for the full list: missing cells → None, numbers in Danish."""
    r = {k: (None if fmt.is_missing(v) else v) for k, v in r.items()}
    r["reduction"] = tonnes(r["reduction_t_co2e"])
    r["kpi_anchor"] = kpi_anchor(r["kpi_id"]) if r["kpi_id"] in KPI_DEFS else None
    return r


def html(acc) -> str:
    t = acc.actions
    by_area = actions.actions_by_area_status(t)
    by_resp = actions.actions_by_responsibility(t)
    by_status = actions.reductions_by_status(t)
    svg = acc.chart("actions", lambda: charts.actions_chart(by_status, acc.year))
    outlook = actions.reductions_by_outlook(t).set_index("outlook")

    def part(group: str) -> dict:
        r = outlook.loc[group]
        return {"n": int(r["actions"]), "tonnes": None if fmt.is_missing(r["reduction_t_co2e"])
                else tonnes(r["reduction_t_co2e"]), "statuses": fmt.join_da(actions.OUTLOOK[group]).replace(" og ", " eller ")}

    return template(
        "actions.html.j2",
        acc,
        n=len(t),
        live=part(actions.LIVE),
        at_risk=part(actions.AT_RISK),
        lost=part(actions.LOST),
        svg=Markup(svg) if svg else None,
        status_text=fmt.join_da(
            [f"{fmt.integer(r.actions)} {r.status}" for r in by_status.itertuples() if r.actions]
        ),
        area_head=list(by_area.columns),
        area_rows=[[str(a)] + [fmt.integer(v) for v in by_area.loc[a]] for a in by_area.index],
        resp_rows=[[r.responsibility, fmt.integer(r.actions), tonnes(r.reduction_t_co2e)]
                   for r in by_resp.itertuples()],
        status_rows=[[r.status, fmt.integer(r.actions), tonnes(r.reduction_t_co2e),
                      actions.outlook(r.status)] for r in by_status.itertuples()],
        actions=[action_row(r) for r in t.to_dict("records")],
    )
