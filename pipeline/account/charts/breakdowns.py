"""Breakdown charts: energy labels by area and count, the fleet by propulsion, the actions by status."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.charts.svg import BLUE, GREEN, GREY, ORANGE, TEXT, WIDTH, to_svg
from pipeline.account.kpis.energy_labels import NO_LABEL
from pipeline.schema import D_OR_WORSE, VEHICLE_CLASS_DA

LABEL_GROUPS = {"A–C": BLUE, "D–G": ORANGE, NO_LABEL: GREY}


def _label_group(label: str) -> str:
    if label == NO_LABEL:
        return NO_LABEL
    return "D–G" if label in D_OR_WORSE else "A–C"


def label_chart(dist: pd.DataFrame, year: int, id_prefix: str = "fig-energimaerker") -> str | None:
    """Two horizontal bar panels: share of heated area and share of buildings per energy label."""
    if dist.empty or int(dist["count"].sum()) == 0:
        return None
    order = list(dist["label"])
    parts = []
    for i, (share_col, title) in enumerate(
        (("area_share", "Andel af opvarmet areal"), ("count_share", "Andel af bygninger"))
    ):
        d = pd.DataFrame({"label": dist["label"], "share": dist[share_col].fillna(0.0)})
        d["group"] = [_label_group(x) for x in d["label"]]
        d["text"] = [fmt.percent(v) for v in d["share"]]
        y = alt.Y("label:N", sort=order, title="Energimærke" if i == 0 else None)
        x = alt.X(
            "share:Q",
            title=title,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(values=[0, 25, 50, 75, 100], labelExpr="datum.label + '\u00a0%'"),
        )
        color = alt.Color(
            "group:N",
            title="Mærke",
            scale=alt.Scale(domain=list(LABEL_GROUPS), range=list(LABEL_GROUPS.values())),
        )
        base = alt.Chart(d)
        parts.append(
            alt.layer(
                base.mark_bar().encode(x=x, y=y, color=color),
                base.mark_text(align="left", dx=4).encode(x=x, y=y, text="text:N"),
            ).properties(width=230, height=alt.Step(20))
        )
    chart = alt.hconcat(*parts, spacing=30)
    top = dist.sort_values("area_share", ascending=False).iloc[0]
    alt_text = (
        f"Søjlediagram: kommunens bygninger fordelt på energimærke i {year}, som andel af "
        f"det opvarmede areal og som andel af bygningerne. Største gruppe efter areal: "
        f"{top['label']} med {fmt.percent(top['area_share'])}. Alle tal står i tabellen."
    )
    return to_svg(chart, alt_text, id_prefix)


FLEET_GROUPS = {
    "el/brint": ["el", "brint"],
    "hybrid": ["plugin_hybrid", "hybrid"],
    "forbrændingsmotor": ["benzin", "diesel", "gas", "biogas", "hvo"],
}
FLEET_COLORS = [GREEN, BLUE, GREY]
def fleet_chart(counts: pd.DataFrame, year: int, id_prefix: str = "fig-vognpark") -> str | None:
    """Grouped bars per vehicle class: el/brint, hybrid, combustion (labels name the group)."""
    if counts.empty or int(counts.to_numpy().sum()) == 0:
        return None
    rows = []
    for cls in counts.index:
        for group, members in FLEET_GROUPS.items():
            n = int(sum(counts.loc[cls, c] for c in members if c in counts.columns))
            rows.append(
                {
                    "class": VEHICLE_CLASS_DA.get(cls, str(cls)),
                    "group": group,
                    "n": n,
                    "text": f"{fmt.integer(n)} {group}",
                }
            )
        other = [c for c in counts.columns if not any(c in m for m in FLEET_GROUPS.values())]
        if other:
            n = int(counts.loc[cls, other].sum())
            rows.append(
                {
                    "class": VEHICLE_CLASS_DA.get(cls, str(cls)),
                    "group": "ukendt",
                    "n": n,
                    "text": f"{fmt.integer(n)} ukendt",
                }
            )
    d = pd.DataFrame(rows)
    groups = list(FLEET_GROUPS) + (["ukendt"] if "ukendt" in set(d["group"]) else [])
    top = int(d["n"].max())
    y = alt.Y("class:N", sort=[VEHICLE_CLASS_DA.get(c, str(c)) for c in counts.index], title=None)
    x = alt.X(
        "n:Q",
        title="Antal køretøjer",
        scale=alt.Scale(domain=[0, max(top * 1.3, 5)], nice=True),
        axis=alt.Axis(format=",.0f", tickMinStep=1),
    )
    y_offset = alt.YOffset("group:N", sort=groups, scale=alt.Scale(domain=groups))
    color = alt.Color(
        "group:N",
        title="Drivmiddel",
        sort=groups,
        scale=alt.Scale(domain=groups, range=(FLEET_COLORS + [TEXT])[: len(groups)]),
    )
    base = alt.Chart(d)
    chart = alt.layer(
        base.mark_bar().encode(x=x, y=y, yOffset=y_offset, color=color),
        base.mark_text(align="left", dx=4).encode(x=x, y=y, yOffset=y_offset, text="text:N"),
    ).properties(width=WIDTH - 60, height=alt.Step(20, **{"for": "offset"}))
    parts = []
    for cls in counts.index:
        zero = int(sum(counts.loc[cls, c] for c in FLEET_GROUPS["el/brint"] if c in counts.columns))
        parts.append(
            f"{VEHICLE_CLASS_DA.get(cls, cls).lower()} {fmt.integer(zero)} af "
            f"{fmt.integer(int(counts.loc[cls].sum()))}"
        )
    alt_text = (
        f"Søjlediagram: kommunens køretøjer ved udgangen af {year} fordelt på klasse og "
        f"drivmiddel. Køretøjer på el eller brint: {'; '.join(parts)}."
    )
    return to_svg(chart, alt_text, id_prefix)


def actions_chart(
    by_status: pd.DataFrame, year: int, id_prefix: str = "fig-handlingsplan"
) -> str | None:
    """Horizontal bars: number of actions per status (Danish labels), counts written on the bars."""
    if by_status.empty or int(by_status["actions"].sum()) == 0:
        return None
    d = by_status[["status", "actions"]].copy()
    d["text"] = [fmt.integer(n) for n in d["actions"]]
    top = int(d["actions"].max())
    y = alt.Y("status:N", sort=list(d["status"]), title=None)
    x = alt.X(
        "actions:Q",
        title="Antal indsatser",
        scale=alt.Scale(domain=[0, max(top * 1.15, 5)]),
        axis=alt.Axis(format=",.0f", tickMinStep=1),
    )
    base = alt.Chart(d)
    chart = alt.layer(
        base.mark_bar(color=BLUE).encode(x=x, y=y),
        base.mark_text(align="left", dx=4).encode(x=x, y=y, text="text:N"),
    ).properties(width=WIDTH - 80, height=alt.Step(24))
    listing = "; ".join(
        f"{s}: {fmt.integer(n)}" for s, n in zip(d["status"], d["actions"], strict=True)
    )
    alt_text = f"Søjlediagram: handlingsplanens indsatser fordelt på status i {year}. {listing}."
    return to_svg(chart, alt_text, id_prefix)
