"""One small chart per KPI for the year overview: every municipality as a stroke on the KPI's scale, one
line per kommunegruppe with the group's median as a diamond, and the median of all as a dashed line."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.charts.svg import BLUE, GREY, ORANGE, to_svg
from pipeline.publish.comparison import ALL, Spread

CHART_WIDTH = 300
ROW_STEP = 24
# Coordinates in path data and transforms, rounded to 0.1 px: a chart has a stroke per municipality
# (twice), and 98 municipalities × 14 KPIs of 15-digit coordinates is bytes no reader sees.
_GEOMETRY = re.compile(r'\b(d|transform)="([^"]*)"')
_LONG_NUMBER = re.compile(r"-?\d+\.\d{2,}")


def _compact(svg: str) -> str:
    def shorten(m: re.Match) -> str:
        return f'{m.group(1)}="' + _LONG_NUMBER.sub(lambda n: f"{float(n.group()):.1f}".removesuffix(".0"),
                                                    m.group(2)) + '"'
    return _GEOMETRY.sub(shorten, svg)


def _axis(spread: Spread) -> tuple[alt.Scale, alt.Axis]:
    if spread.kpi.unit == "%":
        return (alt.Scale(domain=[0, 100]),
                alt.Axis(values=[0, 25, 50, 75, 100], labelExpr="datum.label + '\u00a0%'"))
    top = max(float(spread.highest or 0), 0.0)
    low = min(float(spread.lowest or 0), 0.0)
    decimals = ",.0f" if spread.kpi.unit in ("antal", "t CO2e") else ",.1f"
    return alt.Scale(domain=[low, max(top * 1.05, 1)], nice=True), alt.Axis(format=decimals, tickCount=4)


def alt_text(spread: Spread, year: int) -> str:
    """The chart's text alternative: what it shows, then the figures a reader would take from it."""
    unit = spread.kpi.unit
    groups = "; ".join(f"{group.lower()} {fmt.value(median, unit)} ({fmt.count_da(n, 'kommune', 'kommuner')})"
                       for group, (median, n) in spread.group_medians.items() if group != ALL and n)
    return (f"Prikdiagram: {spread.kpi.title_da} i {year}, én streg pr. kommune, på én linje pr. "
            f"kommunegruppe; rombe = gruppens median, stiplet linje = medianen for alle. {spread.summary_da(year)} "
            f"Gruppernes medianer: {groups}.")


def spread_chart(spread: Spread, year: int, groups: tuple[str, ...]) -> str | None:
    """The chart as accessible inline SVG, or None when no municipality has a value."""
    if not spread.n:
        return None
    rows = [g for g in groups if spread.group_medians[g][1]]
    medians = pd.DataFrame([{"group": g, "value": spread.group_medians[g][0]} for g in rows])
    overall = pd.DataFrame([{"value": spread.median}])
    scale, axis = _axis(spread)
    x = alt.X("value:Q", title=spread.kpi.axis_da, scale=scale, axis=axis)
    y = alt.Y("group:N", title=None, sort=rows, scale=alt.Scale(domain=rows))
    chart = alt.layer(
        alt.Chart(overall).mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=1.5).encode(x=x),
        alt.Chart(spread.values[["group", "value"]]).mark_tick(color=BLUE, thickness=1.5, size=16, opacity=0.7)
        .encode(x=x, y=y),
        alt.Chart(medians).mark_point(shape="diamond", filled=True, size=110, color=ORANGE, opacity=1,
                                      stroke="#ffffff", strokeWidth=1).encode(x=x, y=y),
    ).properties(width=CHART_WIDTH, height=alt.Step(ROW_STEP))
    return _compact(to_svg(chart, alt_text(spread, year), f"fig-spredning-{spread.kpi.kpi_id}"))
