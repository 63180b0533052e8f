"""Charts of the municipality as an enterprise: heat per m² by building use over the years, CO2e by source
stacked per year, and the change since the reference year split into own effort and supply effect."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.charts.climate import SECTOR_COLOURS
from pipeline.account.charts.svg import BLUE, GREEN, HEIGHT, ORANGE, TEXT, WIDTH, to_svg


def intensity_chart(by_use: pd.DataFrame, alt_text: str, id_prefix: str = "fig-varme-pr-m2") -> str | None:
    """Lines of heat per m² (kWh) per building use over the years. BY_USE: year, use, heat_kwh_per_m2."""
    d = by_use.dropna(subset=["heat_kwh_per_m2"])
    if d.empty:
        return None
    uses = list(dict.fromkeys(d["use"]))
    years = sorted(set(d["year"]))
    x = alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0, values=years))
    y = alt.Y("heat_kwh_per_m2:Q", title="Varme (kWh pr. m²)", axis=alt.Axis(format=",.0f"))
    colour = alt.Color("use:N", title="Anvendelse", sort=uses,
                       scale=alt.Scale(domain=uses, range=(SECTOR_COLOURS * 3)[: len(uses)]))
    chart = alt.Chart(d).mark_line(point=True, strokeWidth=2).encode(x=x, y=y, color=colour)
    return to_svg(chart.properties(width=WIDTH, height=HEIGHT + 20), alt_text, id_prefix)


def co2e_chart(by_source: pd.DataFrame, alt_text: str, id_prefix: str = "fig-drift-co2e") -> str | None:
    """Stacked bars of t CO2e per year and source. BY_SOURCE: year, label, t_co2e (labels in legend order)."""
    d = by_source.dropna(subset=["t_co2e"])
    if d.empty:
        return None
    order = list(dict.fromkeys(d["label"]))
    years = sorted(set(d["year"]))
    x = alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0, values=years))
    y = alt.Y("sum(t_co2e):Q", title="Udledning (t CO₂e)", axis=alt.Axis(format=",.0f"), stack="zero")
    colour = alt.Color("label:N", title="Kilde", sort=order,
                       scale=alt.Scale(domain=order, range=(SECTOR_COLOURS * 3)[: len(order)]))
    chart = alt.Chart(d).mark_bar().encode(x=x, y=y, color=colour, order=alt.Order("rank:Q"))
    return to_svg(chart.properties(width=WIDTH, height=HEIGHT + 40), alt_text, id_prefix)


def effort_chart(steps: list[tuple[str, float]], alt_text: str, id_prefix: str = "fig-egen-indsats") -> str | None:
    """Bars from 0 of the total change, the own effort and the supply effect (t CO2e; a fall is negative)."""
    if not steps:
        return None
    colours = [BLUE, GREEN, ORANGE]
    d = pd.DataFrame([{"label": label, "value": value,
                       "text": ("\u2212" if round(value) < 0 else "") + fmt.integer(abs(value))}
                      for label, value in steps])
    x = alt.X("label:N", sort=list(d["label"]), title=None, axis=alt.Axis(labelAngle=0, labelLimit=130))
    y = alt.Y("value:Q", title="Ændring (t CO₂e)", axis=alt.Axis(format=",.0f"))
    colour = alt.Color("label:N", legend=None, scale=alt.Scale(domain=list(d["label"]),
                                                                range=colours[: len(d)]))
    base = alt.Chart(d)
    chart = alt.layer(base.mark_bar().encode(x=x, y=y, color=colour),
                      base.mark_text(dy=-6, color=TEXT).encode(x=x, y="value:Q", text="text:N"))
    return to_svg(chart.properties(width=WIDTH, height=HEIGHT + 20), alt_text, id_prefix)
