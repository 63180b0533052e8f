"""Section 'Nøgletal': one sub-section per KPI group with chart, reading, values per year and caveats."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from pipeline import formatting as fmt
from pipeline.account import charts, status
from pipeline.account.kpis import GROUPS, KpiDef, kpis_in_group, series
from pipeline.account.sections import kpi_anchor, template
from pipeline.account.sections.summary import qualified
from pipeline.schema import PROPULSION_DA, VEHICLE_CLASS_DA


def kpi_block(acc, d: KpiDef) -> dict:
    t = acc.targets.get(d.kpi_id)
    row = acc.summary.set_index("kpi_id").loc[d.kpi_id]
    traj = status.trajectory(t, acc.history, d.kpi_id)
    s = series(acc.history, d.kpi_id)
    table = []
    for y, v in s.items():
        path = None if traj is None or y < traj.baseline_year else traj.expected(int(y))
        shown, path_shown = fmt.value_pair(v, path, d.unit)
        table.append({"year": int(y), "value": fmt.NO_DATA if fmt.is_missing(v) else shown,
                      "expected": "–" if path is None else path_shown})
    drawn = t is not None or not d.chart_with_target_only
    svg = acc.chart(d.kpi_id, lambda: charts.kpi_chart(d, acc.history, acc.year, t)) if drawn else None
    observed = s.dropna()
    gaps = bool(len(observed) > 1 and (observed.index.to_series().diff() > 1).any())
    on_path = row["status"] in (status.ON_TRACK, status.OFF_TRACK)
    value_text, expected_text = fmt.value_pair(row["value"], row["expected_value"], d.unit)
    first, last = (int(observed.index[0]), int(observed.index[-1])) if len(observed) else (None, None)
    return {
        "d": d,
        "anchor": kpi_anchor(d.kpi_id),
        "status": row["status"],
        "caveat": qualified(row),
        "value": fmt.value(row["value"], d.unit, missing=fmt.NO_DATA),
        "has_value": not fmt.is_missing(row["value"]),
        "sentence": status.sentence(d, acc.history, acc.year, t),
        "value_on_path": value_text if on_path else None,
        "expected": expected_text if on_path else None,
        "caveats": acc.caveats.get(d.kpi_id, []),
        "svg": Markup(svg) if svg else None,
        "span": "" if first is None else fmt.year_span(first, last),
        "gaps": gaps,
        "table": table,
        "target": t,
        "traj": traj,
        "baseline_note": baseline_note(d, row["status"], traj, acc.year),
    }


def baseline_note(d: KpiDef, kpi_status: str, traj, year: int) -> str | None:
    """Why the path starts where it does when the target has no baseline of its own."""
    if kpi_status == status.NOT_ASSESSED:
        return (f"Målet har intet udgangspunkt, og {year} er det første år med en måling. Status kan "
                "vurderes, når der er målt mindst to år.")
    if traj is None or traj.baseline_from_targets:
        return None
    return (f"Målet har intet udgangspunkt, så målstien starter ved den første målte værdi "
            f"({fmt.value(traj.baseline_value, d.unit)} i {traj.baseline_year}).")


def projects_rows(acc) -> list[list[str]]:
    rows = []
    p = acc.projects.sort_values(["completed_on", "project_id"], kind="stable")
    for r in p.itertuples(index=False):
        within = "–" if pd.isna(r.within_limit) else ("ja" if bool(r.within_limit) else "nej")
        rows.append(
            [
                str(r.project_id),
                "–" if fmt.is_missing(r.building_name) else str(r.building_name),
                "–" if fmt.is_missing(r.project_type) else str(r.project_type),
                str(r.building_use),
                fmt.date_da(r.completed_on),
                fmt.value(r.floor_area_m2, "m²", decimals=0),
                "–" if fmt.is_missing(r.lca_performed) else str(r.lca_performed),
                fmt.number(r.lca_gwp_kg_co2e_m2_year, 1),
                fmt.number(r.br18_limit, 1),
                within,
            ]
        )
    return rows


def fleet_table(acc) -> dict:
    c = acc.fleet_counts
    cols = list(c.columns)
    rows = [
        [VEHICLE_CLASS_DA.get(cls, str(cls))]
        + [fmt.integer(c.loc[cls, p]) for p in cols]
        + [fmt.integer(int(c.loc[cls].sum()))]
        for cls in c.index
    ]
    if len(c):
        rows.append(
            ["I alt"]
            + [fmt.integer(int(c[p].sum())) for p in cols]
            + [fmt.integer(int(c.to_numpy().sum()))]
        )
    return {"head": ["Køretøjsklasse"] + [PROPULSION_DA.get(p, p) for p in cols] + ["I alt"], "rows": rows}


def waste_rows(acc) -> list[list[str]]:
    w = acc.waste_fractions
    rows = [
        [
            str(r.fraction).replace("_", " ").capitalize(),
            fmt.number(r.tonnes, 1),
            fmt.number(r.recycled_tonnes, 1),
            fmt.percent(r.recycled_share),
        ]
        for r in w.itertuples(index=False)
    ]
    if len(w):
        total, rec = w["tonnes"].sum(), w["recycled_tonnes"].sum()
        rows.append(["I alt", fmt.number(total, 1), fmt.number(rec, 1),
                     fmt.percent(rec / total * 100 if total else None)])
    return rows


def label_rows(acc) -> list[list[str]]:
    return [
        [str(r.label), fmt.integer(r.count), fmt.percent(r.count_share), fmt.number(r.area_m2, 0),
         fmt.percent(r.area_share)]
        for r in acc.label_distribution.itertuples(index=False)
    ]


def html(acc) -> str:
    groups = [{"id": gid, "title": title, "kpis": [kpi_block(acc, d) for d in kpis_in_group(gid)]}
              for gid, title in GROUPS.items()]
    labels_svg = acc.chart("labels", lambda: charts.label_chart(acc.label_distribution, acc.year))
    fleet_svg = acc.chart("fleet", lambda: charts.fleet_chart(acc.fleet_counts, acc.year))
    return template(
        "kpis.html.j2",
        acc,
        groups=groups,
        projects=projects_rows(acc),
        fleet=fleet_table(acc),
        fleet_svg=Markup(fleet_svg) if fleet_svg else None,
        waste=waste_rows(acc),
        labels=label_rows(acc),
        labels_svg=Markup(labels_svg) if labels_svg else None,
    )
