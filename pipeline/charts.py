"""Altair charts rendered offline (vl-convert) to accessible inline SVG with Danish numbers."""

from __future__ import annotations

import html
import logging
import re

import altair as alt
import pandas as pd
import vl_convert as vlc

from pipeline import formatting as fmt
from pipeline import kpis
from pipeline.targets import Target

log = logging.getLogger(__name__)

# Colours with contrast ≥ 3:1 against white (graphics, WCAG 1.4.11); text colours ≥ 4.5:1.
BLUE, GREY, ORANGE, GREEN = "#1a5490", "#595959", "#a63d00", "#1e6b3a"
TEXT, GRID = "#222222", "#dddddd"
FONT = "Arial, Helvetica, 'Liberation Sans', sans-serif"
WIDTH, HEIGHT = 520, 220
VALIDATE = False  # Altair's JSON-schema check costs ~40 ms per chart; the tests switch it on
LOCALE = "da-DK"  # d3-format: decimal comma, '.' thousands; d3-time-format: Danish month names

OBSERVED, TRAJECTORY = "Målt værdi", "Målsti (stiplet)"
_CONFIG = {
    "aria": False,
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "domainColor": GREY,
        "tickColor": GREY,
        "gridColor": GRID,
        "titleFontWeight": "normal",
    },
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "titleFontWeight": "normal",
        "orient": "top",
        "direction": "horizontal",
    },
    "text": {"fontSize": 12, "fill": TEXT},
}
_NOISE = re.compile(
    r'\s(?:role="graphics-[^"]*"|aria-roledescription="[^"]*"|aria-hidden="true"'
    r'|pointer-events="none")'
)
_ID = re.compile(r'\bid="([^"]+)"')


def to_svg(chart: alt.TopLevelMixin | dict, alt_text: str, id_prefix: str) -> str:
    """Render a chart to a self-contained SVG string with role="img", aria-label and <title>."""
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=VALIDATE)
    spec = {**spec, "config": _merge(_CONFIG, spec.get("config", {}))}
    svg = vlc.vegalite_to_svg(spec, format_locale=LOCALE, time_format_locale=LOCALE)
    return finish_svg(svg, alt_text, id_prefix)


def _merge(base: dict, extra: dict) -> dict:
    """Deep-merge two Vega-Lite config dicts (extra wins)."""
    out = dict(base)
    for key, val in extra.items():
        out[key] = (
            _merge(out[key], val)
            if isinstance(val, dict) and isinstance(out.get(key), dict)
            else val
        )
    return out


def finish_svg(svg: str, alt_text: str, id_prefix: str) -> str:
    """Make an SVG safe to inline many times on one page and give it a text alternative."""
    svg = svg.strip()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    if not svg.startswith("<svg"):
        raise ValueError("vl-convert did not return an SVG document; check the chart spec")
    svg = _NOISE.sub("", svg)
    if "xlink:" not in svg.replace('xmlns:xlink="', ""):
        svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    # ids must be unique on the page: prefix every id and every reference to it
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{id_prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    label = html.escape(alt_text, quote=True)
    head_end = svg.index(">")
    head = svg[:head_end].replace(' class="marks"', "")
    return (
        f'{head} role="img" aria-label="{label}">'
        f"<title>{html.escape(alt_text, quote=False)}</title>"
        f"{svg[head_end + 1 :]}"
    )


# ---------------------------------------------------------------------------------------------
# One chart per KPI
# ---------------------------------------------------------------------------------------------


def _year_axis(first: int, last: int) -> tuple[alt.Scale, alt.Axis]:
    step = 1 if last - first <= 14 else 2
    scale = alt.Scale(domain=[first - 0.5, last + 0.5], nice=False, zero=False)
    axis = alt.Axis(format="d", values=list(range(first, last + 1, step)), grid=False, labelAngle=0)
    return scale, axis


def _value_axis(unit: str, top: float) -> tuple[alt.Scale, alt.Axis]:
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
    return alt.Scale(domain=[0, max(top * 1.15, 1)], nice=True), alt.Axis(format=",.1f")


def kpi_alt_text(
    kpi_def: kpis.KpiDef, observed: pd.Series, target: Target | None, traj: kpis.Trajectory | None
) -> str:
    """Short Danish description of a KPI chart, with its values."""
    values = "; ".join(f"{y}: {fmt.value(v, kpi_def.unit)}" for y, v in observed.items())
    text = (
        f"Linjediagram: {kpi_def.title_da}, {observed.index[0]}–{observed.index[-1]}. "
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
    kpi_def: kpis.KpiDef, history: pd.DataFrame, year: int, target: Target | None = None
) -> str | None:
    """Line + points for years ≤ year, target point, dashed trajectory; None without data."""
    s = kpis.series(history, kpi_def.kpi_id)
    observed = s[s.index <= int(year)].dropna()
    if observed.empty:
        return None
    traj = kpis.trajectory(target, history, kpi_def.kpi_id)
    first = int(min(observed.index.min(), traj.baseline_year if traj else 9999))
    last = int(max(int(year), target.target_year if target else 0))
    tops = (
        list(observed)
        + ([target.target_value] if target else [])
        + ([traj.baseline_value] if traj else [])
    )
    x_scale, x_axis = _year_axis(first, last)
    y_scale, y_axis = _value_axis(kpi_def.unit, max(tops))
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
    spec = chart.to_dict(validate=VALIDATE)
    spec["config"] = {
        "legend": {"symbolType": "stroke", "symbolSize": 500, "symbolStrokeWidth": 2.5}
    }
    return to_svg(spec, kpi_alt_text(kpi_def, observed, target, traj), f"fig-{kpi_def.kpi_id}")


# ---------------------------------------------------------------------------------------------
# Energy labels, fleet and action plan
# ---------------------------------------------------------------------------------------------

LABEL_GROUPS = {"A–C": BLUE, "D–G": ORANGE, kpis.NO_LABEL: GREY}


def _label_group(label: str) -> str:
    from pipeline.schema import D_OR_WORSE

    if label == kpis.NO_LABEL:
        return kpis.NO_LABEL
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
VEHICLE_CLASS_DA = {
    "personbil": "Personbiler",
    "varebil": "Varebiler",
    "lastbil": "Lastbiler",
    "bus": "Busser",
    "andet": "Andre køretøjer",
}
PROPULSION_DA = {
    "el": "El",
    "brint": "Brint",
    "plugin_hybrid": "Plugin-hybrid",
    "hybrid": "Hybrid",
    "benzin": "Benzin",
    "diesel": "Diesel",
    "gas": "Gas",
    "biogas": "Biogas",
    "hvo": "HVO",
}


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
