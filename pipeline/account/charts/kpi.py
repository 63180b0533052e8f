"""One line chart per KPI: measured values, the dashed target path and the target point."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.charts.svg import BLUE, GREY, HEIGHT, ORANGE, WIDTH, to_svg
from pipeline.account.kpis import KpiDef, series
from pipeline.account.status import Trajectory, trajectory
from pipeline.account.targets import Target

OBSERVED, TRAJECTORY = "Målt værdi", "Målsti (stiplet)"


def _year_axis(first: int, last: int) -> tuple[alt.Scale, alt.Axis]:
    step = 1 if last - first <= 14 else 2
    scale = alt.Scale(domain=[first - 0.5, last + 0.5], nice=False, zero=False)
    axis = alt.Axis(format="d", values=list(range(first, last + 1, step)), grid=False, labelAngle=0)
    return scale, axis


def _value_axis(unit: str, top: float, bottom: float = 0.0) -> tuple[alt.Scale, alt.Axis]:
    if unit == "%":
        return (
            alt.Scale(domain=[0, 100]),
            alt.Axis(values=[0, 20, 40, 60, 80, 100], labelExpr="datum.label + '\u00a0%'"),
        )
    if unit == "antal":
        return (
            alt.Scale(domain=[0, max(top * 1.15, 4)], nice=True),
            alt.Axis(format=",.0f", tickMinStep=1),
        )
    # a change (own effort, supply effect) may be below 0: the axis then reaches below 0 too
    low = min(bottom * 1.15, 0.0)
    return alt.Scale(domain=[low, max(top * 1.15, 1 if low == 0 else 0)], nice=True), alt.Axis(format=",.1f")


def kpi_alt_text(
    kpi_def: KpiDef, observed: pd.Series, target: Target | None, traj: Trajectory | None
) -> str:
    """Short Danish description of a KPI chart, with its values."""
    values = "; ".join(f"{y}: {fmt.value(v, kpi_def.unit)}" for y, v in observed.items())
    text = (
        f"Linjediagram: {kpi_def.title_da}, {fmt.year_span(observed.index[0], observed.index[-1])}. "
        f"Målte værdier {values}."
    )
    if target is not None:
        text += f" Mål: {fmt.value(target.target_value, kpi_def.unit)} i {target.target_year}."
    if traj is not None:
        text += (
            f" Stiplet målsti fra {fmt.value(traj.baseline_value, kpi_def.unit)} i "
            f"{traj.baseline_year} til målet."
        )
    return text


def kpi_chart(
    kpi_def: KpiDef, history: pd.DataFrame, year: int, target: Target | None = None
) -> str | None:
    """Line + points for years ≤ year, target point, dashed trajectory; None without data."""
    s = series(history, kpi_def.kpi_id)
    observed = s[s.index <= int(year)].dropna()
    if observed.empty:
        return None
    traj = trajectory(target, history, kpi_def.kpi_id)
    first = int(min(observed.index.min(), traj.baseline_year if traj else 9999))
    last = int(max(int(year), target.target_year if target else 0))
    tops = (
        list(observed)
        + ([target.target_value] if target else [])
        + ([traj.baseline_value] if traj else [])
    )
    x_scale, x_axis = _year_axis(first, last)
    y_scale, y_axis = _value_axis(kpi_def.unit, max(tops), min(tops))
    x = alt.X("year:Q", title="År", scale=x_scale, axis=x_axis)
    y = alt.Y("value:Q", title=kpi_def.axis_da, scale=y_scale, axis=y_axis)
    series_domain = [OBSERVED] + ([TRAJECTORY] if traj else [])
    color = alt.Color(
        "serie:N",
        title=None,
        sort=series_domain,
        scale=alt.Scale(domain=series_domain, range=[BLUE, GREY][: len(series_domain)]),
    )
    dash = alt.StrokeDash(
        "serie:N",
        title=None,
        sort=series_domain,
        scale=alt.Scale(domain=series_domain, range=[[1, 0], [6, 4]][: len(series_domain)]),
    )
    obs = pd.DataFrame(
        {"year": observed.index.astype("int64"), "value": observed.to_numpy(), "serie": OBSERVED}
    )
    # a year without data breaks the line instead of bridging it
    obs["segment"] = (obs["year"].diff() > 1).cumsum().astype("int64")
    obs["label"] = ""
    obs.loc[obs.index[-1], "label"] = fmt.value(obs["value"].iat[-1], kpi_def.unit)
    # the target label sits above the target point: move the latest value below if they meet
    meets_target = target is not None and target.target_year == int(obs["year"].iat[-1])
    layers = []
    if traj is not None:
        tr = pd.DataFrame(
            {
                "year": [traj.baseline_year, traj.target_year],
                "value": [traj.baseline_value, traj.target_value],
                "serie": TRAJECTORY,
            }
        )
        layers.append(
            alt.Chart(tr).mark_line(strokeWidth=2).encode(x=x, y=y, color=color, strokeDash=dash)
        )
    layers.append(
        alt.Chart(obs)
        .mark_line(strokeWidth=2.5)
        .encode(x=x, y=y, color=color, strokeDash=dash, detail="segment:N")
    )
    layers.append(
        alt.Chart(obs).mark_point(filled=True, size=60, opacity=1, color=BLUE).encode(x=x, y=y)
    )
    layers.append(
        alt.Chart(obs.iloc[[-1]])
        .mark_text(dy=18 if meets_target else -14, fontWeight="bold", color=BLUE)
        .encode(x=x, y=y, text="label:N")
    )
    if target is not None:
        goal = f"Mål {target.target_year}: {fmt.value(target.target_value, kpi_def.unit)}"
        tg = pd.DataFrame(
            {"year": [target.target_year], "value": [target.target_value], "label": [goal]}
        )
        layers.append(
            alt.Chart(tg)
            .mark_point(shape="diamond", filled=True, size=160, opacity=1, color=ORANGE)
            .encode(x=x, y=y)
        )
        # put the label on the side of the point that the trajectory does not come from
        falling = traj is not None and traj.baseline_value > target.target_value
        top = 100 if kpi_def.unit == "%" else max(tops)
        room_below = target.target_value / top * HEIGHT > 24 if top else False
        dy = (16 if room_below else -26) if falling else -10
        layers.append(
            alt.Chart(tg)
            .mark_text(align="right", dx=-12, dy=dy, fontWeight="bold", color=ORANGE)
            .encode(x=x, y=y, text="label:N")
        )
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT, padding={"top": 8, "left": 5, "right": 12, "bottom": 5}
    )
    chart = chart.configure_legend(symbolType="stroke", symbolSize=500, symbolStrokeWidth=2.5)
    return to_svg(chart, kpi_alt_text(kpi_def, observed, target, traj), f"fig-{kpi_def.kpi_id}")
