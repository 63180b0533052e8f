"""Section 'Kommunen som virksomhed': energy, water and fuel of the municipality's own buildings and
transport, their CO2e with the stated factors, the degree-day correction, and own effort vs supply effect."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from pipeline import formatting as fmt
from pipeline import schema
from pipeline.account import charts
from pipeline.account.operations import OperationsYear
from pipeline.account.operations.carriers import CARRIER_DA, PART_BUILDINGS, SOURCE_DA, UNIT_DA
from pipeline.account.sections import template

WORST_LABELS = tuple(schema.D_OR_WORSE)  # the renovation list: labelled D–G buildings
WORST_SHOWN = 10
NBSP = fmt.NBSP
MINUS = "\u2212"
CHART_USES = 6  # use classes drawn in the intensity chart (the largest heated areas); the table has them all


def t(x) -> str:
    return f"{fmt.integer(x)}{NBSP}t CO₂e"


def kwh_m2(x) -> str:
    return f"{fmt.number(x, 1)}{NBSP}kWh pr. m²"


def change_pct(now: float | None, then: float | None) -> str | None:
    """'9 % mindre' / '3 % mere' from THEN to NOW; None when either is missing or THEN is 0."""
    if now is None or then is None or then == 0:
        return None
    pct = (now - then) / then * 100
    return f"{fmt.percent(abs(pct))} {'mindre' if pct <= 0 else 'mere'}"


def moved(x: float) -> str:
    """'faldet med 1.216 t CO₂e' / 'steget med 12 t CO₂e' / 'uændret'."""
    if round(x) == 0:
        return "uændret"
    return f"{'faldet' if x < 0 else 'steget'} med {t(abs(x))}"


def change_words(x: float) -> str:
    """'et fald på 562 t CO₂e' / 'en stigning på 12 t CO₂e' / 'ingen ændring'."""
    if round(x) == 0:
        return "ingen ændring"
    return f"{'et fald' if x < 0 else 'en stigning'} på {t(abs(x))}"


def readings(years: list[OperationsYear], now: OperationsYear, name: str) -> list[str]:
    """The section in plain Danish sentences, newest year first compared with the first year."""
    first = years[0]
    i, out = now.intensities, []
    if i.heat_kwh_per_m2 is not None:
        text = f"I {now.year} brugte {name}s bygninger {kwh_m2(i.heat_kwh_per_m2)} opvarmet areal til varme"
        change = change_pct(i.heat_kwh_per_m2, first.intensities.heat_kwh_per_m2) if first is not now else None
        text += f" ({change} end i {first.year})." if change else "."
        if i.heat_corrected_kwh_per_m2 is not None:
            text += f" Korrigeret til et normalt år er det {kwh_m2(i.heat_corrected_kwh_per_m2)}."
        else:
            text += (f" Tallet er ikke graddagskorrigeret: der er ingen graddage for {now.year} i referencetabellen "
                     "eller i kommunens målfil, så en mild eller kold vinter kan forklare en del af ændringen.")
        out.append(text)
    if i.electricity_kwh_per_m2 is not None:
        text = f"Elforbruget var {kwh_m2(i.electricity_kwh_per_m2)}"
        if i.electricity_kwh is not None:
            text += f" ({fmt.integer(i.electricity_kwh / 1000)}{NBSP}MWh i alt)"
        out.append(text + ".")
    if i.water_m3 is not None:
        text = f"Bygningerne brugte {fmt.integer(i.water_m3)}{NBSP}m³ vand"
        if i.water_m3_per_m2 is not None:
            text += f" ({fmt.number(i.water_m3_per_m2, 2)}{NBSP}m³ pr. m²)"
        out.append(text + ".")
    f = now.footprint
    if f.total_t_co2e is not None:
        out.append(f"Kommunens egen drift udledte {t(f.total_t_co2e)} i {now.year}: bygningerne "
                   f"{t(f.buildings_t_co2e)} og transporten {t(f.transport_t_co2e)}.")
    elif f.buildings_t_co2e is not None or f.transport_t_co2e is not None:
        part, value = ("bygningerne", f.buildings_t_co2e) if f.buildings_t_co2e is not None \
            else ("transporten", f.transport_t_co2e)
        out.append(f"Kun {part} kan opgøres for {now.year}: {t(value)}; den samlede udledning mangler data.")
    e = now.effort
    if e is not None and e.year != e.reference_year:
        out.append(f"Fra {e.reference_year} til {e.year} er udledningen fra egen drift {moved(e.total_change_t_co2e)}. "
                   f"Kommunens egen indsats (ændret forbrug, regnet med {e.reference_year}-faktorerne) giver "
                   f"{change_words(e.own_effort_t_co2e)}, og forsyningen (renere el, fjernvarme og brændstof) "
                   f"{change_words(e.supply_effect_t_co2e)}.")
    return out


def per_m2_table(years: list[OperationsYear]) -> dict:
    head = ["Nøgletal"] + [str(o.year) for o in years]
    rows = [["Varme, kWh pr. m²"] + [fmt.number(o.intensities.heat_kwh_per_m2, 1) for o in years],
            ["Varme, graddagskorrigeret, kWh pr. m²"]
            + [fmt.number(o.intensities.heat_corrected_kwh_per_m2, 1) for o in years],
            ["El, kWh pr. m²"] + [fmt.number(o.intensities.electricity_kwh_per_m2, 1) for o in years],
            ["Vand, m³"] + [fmt.integer(o.intensities.water_m3) for o in years],
            ["Vand, m³ pr. m²"] + [fmt.number(o.intensities.water_m3_per_m2, 2) for o in years],
            ["Bygninger med estimerede tal"]
            + [f"{o.intensities.estimated} af {o.intensities.buildings}" for o in years]]
    return {"head": head, "rows": rows}


def use_frame(years: list[OperationsYear]) -> pd.DataFrame:
    """year, use, buildings, heat_kwh_per_m2 for every year (the intensity chart and its table)."""
    parts = [o.by_use().assign(year=o.year) for o in years]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["year", "use", "buildings", "heat_kwh_per_m2"])
    return pd.concat(parts, ignore_index=True)[["year", "use", "buildings", "heat_kwh_per_m2"]]


def largest_uses(o: OperationsYear, n: int = CHART_USES) -> list[str]:
    """The N use classes with the largest heated area in the year (the lines the chart can tell apart)."""
    by_use = o.by_use()
    if by_use.empty:
        return []
    return list(by_use.sort_values(["heated_area_m2", "use"], ascending=[False, True])["use"].head(n))


def use_table(frame: pd.DataFrame, years: list[int]) -> dict:
    rows = []
    for use in sorted(dict.fromkeys(frame["use"]), key=fmt.danish_sort_key):
        own = frame[frame["use"] == use]
        by_year = dict(zip(own["year"], own["heat_kwh_per_m2"], strict=True))
        rows.append([str(use).capitalize()] + [fmt.number(by_year.get(y), 1) for y in years])
    return {"head": ["Anvendelse"] + [str(y) for y in years], "rows": rows}


def carrier_da(carrier: str) -> str:
    """'fjernvarme' → 'fjernvarme', 'hvo' → 'HVO' (an abbreviation keeps its capitals)."""
    label = CARRIER_DA.get(carrier, carrier)
    return label if label.isupper() else label.lower()


def source_label(part: str, source: str, carrier: str) -> str:
    if part == PART_BUILDINGS:
        return f"Bygninger: {carrier_da(carrier)}"
    return f"{SOURCE_DA.get(source, source)}: {carrier_da(carrier)}"


def signed_t(x: float) -> str:
    """'−5.793 t CO₂e' with a typographic minus for a fall."""
    return f"{MINUS if round(x) < 0 else ''}{t(abs(x))}"


def co2e_frame(years: list[OperationsYear]) -> pd.DataFrame:
    """year, label, rank, t_co2e: the buildings by carrier, then the transport by source and fuel."""
    rows = []
    for o in years:
        lines = o.footprint.lines
        for r in lines.itertuples():
            rows.append({"year": o.year, "label": source_label(r.part, r.source, r.carrier),
                         "part": r.part, "t_co2e": r.t_co2e})
    frame = pd.DataFrame(rows, columns=["year", "label", "part", "t_co2e"])
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="int64"))
    frame = frame.groupby(["year", "label", "part"], sort=False, as_index=False)["t_co2e"].sum(min_count=1)
    order = list(dict.fromkeys(frame.sort_values("part", kind="stable")["label"]))
    return frame.assign(rank=frame["label"].map(order.index))


def co2e_table(frame: pd.DataFrame, years: list[OperationsYear]) -> dict:
    columns = [o.year for o in years]
    rows = []
    for label in sorted(dict.fromkeys(frame["label"]), key=lambda x: frame.loc[frame["label"] == x, "rank"].iat[0]):
        own = frame[frame["label"] == label]
        by_year = dict(zip(own["year"], own["t_co2e"], strict=True))
        rows.append([label] + [fmt.integer(by_year.get(y)) for y in columns])
    rows.append(["I alt"] + [fmt.integer(o.footprint.total_t_co2e) for o in years])
    return {"head": ["Kilde"] + [str(y) for y in columns], "rows": rows}


def effort_steps(o: OperationsYear) -> list[tuple[str, float]]:
    e = o.effort
    if e is None or e.year == e.reference_year:
        return []
    return [(f"Ændring {e.reference_year}–{e.year}", e.total_change_t_co2e),
            ("Egen indsats", e.own_effort_t_co2e), ("Renere forsyning", e.supply_effect_t_co2e)]


def worst_buildings(o: OperationsYear, limit: int = WORST_SHOWN) -> list[list[str]]:
    """The labelled D–G buildings with the most heat per m², most first: the renovation plan's list."""
    b = o.buildings
    labelled = b[b["energy_label"].isin(WORST_LABELS) & b["heat_kwh_per_m2"].notna()]
    labelled = labelled.sort_values(["heat_kwh_per_m2", "building_id"], ascending=[False, True]).head(limit)
    return [[f"{r.building_id} {r.name}".strip() if isinstance(r.name, str) else str(r.building_id),
             str(r.use), str(r.energy_label), fmt.integer(r.heated_area_m2), fmt.number(r.heat_kwh_per_m2, 1),
             schema.ENERGY_BASIS_DA.get(r.basis, str(r.basis))] for r in labelled.itertuples()]


def factor_rows(o: OperationsYear) -> list[list[str]]:
    """Every line of the year's CO2e: what, how much, the factor with its source, and the t CO2e."""
    rows = []
    for r in o.footprint.lines.itertuples():
        rows.append([source_label(r.part, r.source, r.carrier),
                     f"{fmt.integer(r.amount)}{NBSP}{UNIT_DA.get(r.unit, r.unit)}",
                     r.factor_text or "ingen faktor: udledningen kan ikke opgøres", fmt.number(r.t_co2e, 1)])
    return rows


def html(acc) -> str:
    years: list[OperationsYear] = list(getattr(acc, "operations", None) or [])
    now = next((o for o in years if o.year == acc.year), None)
    if now is None:
        return template("operations.html.j2", acc, now=None, years=years)
    name = acc.official_name
    span = fmt.year_span(years[0].year, years[-1].year)
    uses = use_frame(years)
    drawn = largest_uses(now)
    more = "" if len(drawn) == uses["use"].nunique() else " De øvrige anvendelser står i tabellen."
    intensity_svg = acc.chart("operations-intensity", lambda: charts.intensity_chart(
        uses[uses["use"].isin(drawn)],
        f"Linjediagram: varmeforbrug pr. m² opvarmet areal for {name}s bygninger fordelt på anvendelse, "
        f"{span}, for de {len(drawn)} anvendelser med størst opvarmet areal: {fmt.join_da(drawn)}. "
        f"Tallene står i tabellen.{more}"))
    sources = co2e_frame(years)
    co2e_svg = acc.chart("operations-co2e", lambda: charts.co2e_chart(
        sources, f"Søjlediagram: udledningen fra {name}s egen drift fordelt på bygningernes energiarter og "
                 f"transportens kilder, {span}. Tallene står i tabellen."))
    steps = effort_steps(now)
    effort_svg = acc.chart("operations-effort", lambda: charts.effort_chart(
        steps, "Søjlediagram: ændringen i udledningen fra egen drift siden referenceåret, delt i kommunens "
               "egen indsats og renere forsyning. " + "; ".join(f"{label}: {signed_t(v)}" for label, v in steps) + "."))
    i = now.intensities
    return template(
        "operations.html.j2", acc, now=now, years=years, readings=readings(years, now, name),
        per_m2=per_m2_table(years), uses=use_table(uses, [o.year for o in years]),
        co2e=co2e_table(sources, years), steps=[[label, signed_t(v)] for label, v in steps],
        worst=worst_buildings(now), factors=factor_rows(now), t=t,
        intensity_svg=Markup(intensity_svg) if intensity_svg else None,
        co2e_svg=Markup(co2e_svg) if co2e_svg else None, effort_svg=Markup(effort_svg) if effort_svg else None,
        estimated_pct=fmt.percent(i.estimated_share) if i.estimated_share else None,
        correction=now.correction.describe_da() if now.correction else None,
        missing_factors=now.footprint.missing_factors, effort=now.effort,
    )
