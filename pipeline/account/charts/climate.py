"""Climate charts: emissions by sector over the years against the target path, and the manko bridge."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.charts.svg import BLUE, GREEN, HEIGHT, ORANGE, TEXT, WIDTH, to_svg

# Sector colours: distinct, each ≥ 3:1 against white (WCAG 1.4.11); the legend names every sector.
SECTOR_COLOURS = ["#1a5490", "#a63d00", "#1e6b3a", "#6b3fa0", "#595959", "#8a6100", "#0f6e73"]


def emissions_chart(by_sector: pd.DataFrame, sector_labels: dict[str, str], path: pd.DataFrame | None,
                    alt_text: str, id_prefix: str = "fig-klimaregnskab") -> str | None:
    """Stacked bars of t CO2e per sector and data year; the dashed target path on top.

    BY_SECTOR: data_year, sector, t_co2e (the sectors of the scope, newest edition).
    PATH: data_year, t_co2e of the target path over the same years and on to the milestones, or None.
    """
    if by_sector.empty:
        return None
    d = by_sector.assign(label=[sector_labels.get(s, s) for s in by_sector["sector"]])
    order = [sector_labels.get(s, s) for s in sector_labels if s in set(by_sector["sector"])]
    order += sorted(set(d["label"]) - set(order))
    years = sorted(set(d["data_year"]) | (set(path["data_year"]) if path is not None else set()))
    x = alt.X("data_year:O", title="År", axis=alt.Axis(labelAngle=0, values=years), scale=alt.Scale(domain=years))
    y = alt.Y("sum(t_co2e):Q", title="Udledning (t CO₂e)", axis=alt.Axis(format=",.0f"), stack="zero")
    colour = alt.Color("label:N", title="Sektor", sort=order,
                       scale=alt.Scale(domain=order, range=SECTOR_COLOURS[: len(order)]))
    layers = [alt.Chart(d).mark_bar().encode(x=x, y=y, color=colour, order=alt.Order("label:N"))]
    if path is not None and not path.empty:
        p = path.assign(serie="Målsti (stiplet)")
        layers.append(alt.Chart(p).mark_line(color=TEXT, strokeDash=[6, 4], strokeWidth=2, point=True)
                      .encode(x=x, y=alt.Y("t_co2e:Q")))
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT + 40)
    return to_svg(chart, alt_text, id_prefix)


def bridge_chart(steps: list[tuple[str, float, str]], alt_text: str, id_prefix: str = "fig-manko") -> str | None:
    """A bridge (waterfall) from the starting emissions to the 2030 target and the manko.

    STEPS: (label, t CO2e, kind) in order; kind 'level' is a bar from 0 (start, expected 2030, target),
    'change' a floating bar from the running level (a reduction is negative), 'gap' the manko from the
    target up to the expected level.
    """
    if not steps:
        return None
    rows, level = [], 0.0
    colours = {"level": BLUE, "change": GREEN, "gap": ORANGE}
    for i, (label, value, kind) in enumerate(steps):
        if kind == "level":
            low, high, level = 0.0, value, value
        elif kind == "change":
            low, high = sorted((level, level + value))
            level += value
        else:  # the gap between the target (previous level) and the expected emissions
            low, high = sorted((level, level + value))
        rows.append({"i": i, "label": label, "low": low, "high": high, "kind": kind,
                     "text": fmt.integer(value if kind != "change" else -value if value < 0 else value)})
    d = pd.DataFrame(rows)
    x = alt.X("label:N", sort=list(d["label"]), title=None, axis=alt.Axis(labelAngle=0, labelLimit=110))
    y = alt.Y("low:Q", title="t CO₂e", axis=alt.Axis(format=",.0f"))
    colour = alt.Color("kind:N", legend=None,
                       scale=alt.Scale(domain=list(colours), range=list(colours.values())))
    base = alt.Chart(d)
    chart = alt.layer(
        base.mark_bar().encode(x=x, y=y, y2="high:Q", color=colour),
        base.mark_text(dy=-6, color=TEXT).encode(x=x, y="high:Q", text="text:N"),
    ).properties(width=WIDTH, height=HEIGHT + 40)
    return to_svg(chart, alt_text, id_prefix)


