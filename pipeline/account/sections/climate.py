"""Section 'Klimaregnskab': the municipality's CO2e by sector against its DK2020 target path, per
inhabitant, the manko bridge and the restated years."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from pipeline import formatting as fmt
from pipeline import schema
from pipeline.account import charts, status
from pipeline.account.climate.account import SECTOR_DA, ClimateAccount
from pipeline.account.climate.target import SCOPES
from pipeline.account.sections import template

STATUS_PHRASE = {
    status.ON_TRACK: "så udledningen er på sporet",
    status.OFF_TRACK: "så udledningen er ikke på sporet",
    status.REACHED: "så målet er nået",
    status.NOT_REACHED: "så målet er ikke nået",
}


def sector_da(sector: str) -> str:
    """'energi' → 'Energi', 'samlet_med_landbrug' → 'I alt med landbrug' (pipeline.schema's labels)."""
    return schema.SECTOR_DA.get(sector, sector.replace("_", " "))


def t(x) -> str:
    return f"{fmt.integer(x)}{fmt.NBSP}ton CO₂e"


def headline(ca: ClimateAccount, name: str) -> str:
    """The climate account in one plain Danish sentence."""
    latest = ca.latest
    if latest is None:
        return f"{name} har ikke leveret et klimaregnskab med udgaven for {ca.edition} (mangler data)."
    year, value = latest
    other = "uden_landbrug" if ca.scope == "med_landbrug" else "med_landbrug"
    text = f"I {year} udledte {name} {t(value)} {SCOPES[ca.scope]}"
    other_value = ca.total(other, year)
    if other_value is not None:
        text += f" ({t(other_value)} {SCOPES[other]})"
    target = ca.target
    if target is None:
        return text + ". Kommunen har ikke angivet et klimamål i sin målfil, så udviklingen kan ikke vurderes."
    reduction = target.reduction_pct(value)
    direction = "mindre" if reduction >= 0 else "mere"
    text += f", {fmt.percent(abs(reduction))} {direction} end i {target.reference_year}."
    goal = next((m for m in target.milestones if m.year >= year), target.milestones[-1])
    text += f" Målet er {fmt.percent(goal.reduction_pct)} mindre i {goal.year}"
    if ca.status in STATUS_PHRASE and ca.expected_t_co2e is not None:
        path_pct = target.reduction_pct(ca.expected_t_co2e)
        text += f"; målstien siger {fmt.percent(path_pct)} mindre i {year}, {STATUS_PHRASE[ca.status]}."
    else:
        text += "."
    return text


def sector_table(ca: ClimateAccount) -> dict:
    years = sorted(set(ca.sectors["data_year"]) | set(ca.totals["data_year"]))
    rows = []
    for sector, label in SECTOR_DA.items():
        own = ca.sectors[ca.sectors["sector"] == sector]
        if own.empty:
            continue
        by_year = dict(zip(own["data_year"], own["t_co2e"], strict=True))
        rows.append([label] + [fmt.integer(by_year.get(y)) for y in years])
    for scope, label in SCOPES.items():
        own = ca.totals[ca.totals["scope"] == scope]
        by_year = dict(zip(own["data_year"], own["t_co2e"], strict=True))
        rows.append([f"I alt {label}"] + [fmt.integer(by_year.get(y)) for y in years])
    if ca.target is not None:
        rows.append([f"Målsti ({SCOPES[ca.scope]})"] + [fmt.integer(ca.target.path(y)) for y in years])
    per = ca.per_inhabitant[ca.per_inhabitant["scope"] == ca.scope]
    if not per.empty:
        by_year = dict(zip(per["data_year"], per["t_co2e_per_inhabitant"], strict=True))
        rows.append([f"Pr. indbygger ({SCOPES[ca.scope]}, ton)"] + [fmt.number(by_year.get(y), 1) for y in years])
    return {"head": ["Sektor"] + [str(y) for y in years], "rows": rows, "years": years}


def manko_rows(ca: ClimateAccount) -> list[tuple[str, float, str]]:
    """The bridge's steps: (label, t CO2e, kind) — see charts.climate.bridge_chart."""
    m = ca.manko
    start = "Fremskrivning 2030" if m.start_is_projection else f"Udledning {m.start_year}"
    steps = [(start, m.start_t_co2e, "level"),
             ("Gennemført", -m.completed_t_co2e, "change"),
             ("I gang", -m.in_progress_t_co2e, "change"),
             ("Forventet 2030", m.expected_2030_t_co2e, "level"),
             ("Mål 2030", m.target_t_co2e, "level")]
    if m.manko_t_co2e > 0:
        steps.append(("Manko", m.manko_t_co2e, "gap"))
    return steps


def html(acc) -> str:
    ca: ClimateAccount = acc.climate
    table = sector_table(ca) if ca.delivered else None
    svg = bridge = None
    if ca.delivered:
        path = None
        if ca.target is not None:
            years = table["years"] + [m.year for m in ca.target.milestones]
            path = pd.DataFrame({"data_year": years, "t_co2e": [ca.target.path(y) for y in years]})
        in_scope = ca.sectors if ca.scope == "med_landbrug" else ca.sectors[~ca.sectors["sector"].isin(
            ("landbrug", "arealanvendelse"))]
        alt_text = (f"Søjlediagram: {acc.official_name}s udledning af drivhusgasser fordelt på sektorer, "
                    f"{fmt.year_span(table['years'][0], table['years'][-1])}"
                    + (", med den stiplede målsti frem til målet" if path is not None else "")
                    + ". Tallene står i tabellen.")
        svg = acc.chart("climate", lambda: charts.emissions_chart(in_scope, SECTOR_DA, path, alt_text))
    if ca.manko is not None:
        steps = manko_rows(ca)
        listing = "; ".join(f"{label}: {fmt.integer(abs(v))} t" for label, v, _ in steps)
        bridge = acc.chart("manko", lambda: charts.bridge_chart(
            steps, f"Broddiagram fra udledningen til målet for 2030 og mankoen. {listing}."))
    return template(
        "climate.html.j2", acc, ca=ca, headline=headline(ca, acc.official_name), table=table,
        svg=Markup(svg) if svg else None, bridge=Markup(bridge) if bridge else None,
        manko=ca.manko, manko_steps=manko_rows(ca) if ca.manko else [], t=t,
        restated=[f"{r.text()} ({sector_da(r.sector)})" for r in ca.restatements],
        scope_da=SCOPES[ca.scope],
    )
