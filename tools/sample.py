"""Seeded generator of the sample deliveries (eksempeldata) in data/raw/ for six municipalities, 2019-2024.

Run with `make sample` (`python -m tools.sample`); not part of the installed pipeline package.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Font

from pipeline import config, registry
from pipeline.schema import DATASETS, ENERGY_LABELS
from tools import sample_emissions, sample_energy

log = logging.getLogger(__name__)

YEARS = range(2019, 2025)
SAMPLE_CODES = (151, 766, 751, 730, 665, 741)
FIXED_TIME = dt.datetime(2025, 1, 1)  # written into xlsx metadata so files are byte-reproducible


@dataclass(frozen=True)
class FileFormat:
    """How a municipality's system exports its files."""
    sep: str = ","
    decimal: str = "."
    date_format: str = "%Y-%m-%d"
    encoding: str = "utf-8"
    newline: str = "\n"
    xlsx: tuple[str, ...] = ()  # datasets delivered as Excel (first sheet)


@dataclass(frozen=True)
class Profile:
    code: int
    prefix: str                      # vehicle ids like "BA-1234"
    population: int
    kg_per_inhabitant: float         # household waste
    recycling: tuple[float, float]   # household recycling rate % in 2019 and 2023
    buildings: int                   # municipal buildings in 2019
    d_or_worse: float                # share of labelled buildings with label D-G in 2019
    fleet: tuple[int, ...]           # fleet size per year 2019-2024
    el_share: tuple[float, float]    # share of the fleet with propulsion "el", 2019 and 2024
    projects: tuple[int, int]        # construction projects per year (min, max)
    actions: int
    areas: int
    places: tuple[str, ...]
    fmt: FileFormat = field(default_factory=FileFormat)


# Anchors (published figures the sample data is built around):
# - Ballerup's own fleet: 17 EVs and 23 hybrids in 2022; plan for 2023: 65 EVs and 1 hybrid.
# - About 60 % of Ballerup's municipal buildings have energy label D or worse; nationally 64 % of
#   municipal buildings were labelled D-G in 2022.
# - Household waste collected for recycling 2023: Ballerup 60 %, Hedensted 57 %, Aarhus 55 %
#   (58 % nationally). Aarhus ~360,000 inhabitants, ~440 kg household waste per inhabitant;
#   Ballerup 52,000, Randers 99,000, Hedensted 47,000, Lemvig 20,000, Samsø 3,700 inhabitants.
# - BR18: from 2023 new builds over 1,000 m² must stay below 12.0 kg CO2e/m²/year (LCA);
#   from 1 July 2025 limits per building type.
# - Ballerup's DK2020 plan has 68 actions in 7 areas.
PROFILES = {
    151: Profile(151, "BA", 52_000, 460, (50.0, 60.0), 118, 0.67, (112, 115, 117, 120, 122, 124),
                 (0.0, 0.0), (2, 5), 68, 7,  # el_share unused: BALLERUP_EL gives exact counts
                 ("Ballerup", "Skovlunde", "Måløv", "Egebjerg", "Hedegården", "Lundegården", "Grantoften"),
                 FileFormat(";", ",", "%d-%m-%Y", "cp1252", "\r\n")),
    766: Profile(766, "HE", 47_000, 470, (48.5, 57.0), 134, 0.68, (), (0.04, 0.30), (3, 5), 38, 6,
                 ("Hedensted", "Juelsminde", "Tørring", "Løsning", "Daugård", "Uldum", "Hornsyld"),
                 FileFormat(xlsx=("buildings", "fleet", "actions", "emissions", "building_energy"))),
    751: Profile(751, "AA", 360_000, 440, (47.0, 55.0), 520, 0.67, (), (0.08, 0.45), (8, 15), 60, 7,
                 ("Aarhus C", "Viby", "Højbjerg", "Brabrand", "Risskov", "Skejby", "Tilst", "Lystrup",
                  "Beder", "Hasselager", "Åbyhøj", "Gellerup", "Egå", "Tranbjerg"),
                 FileFormat(encoding="utf-8-sig")),
    730: Profile(730, "RA", 99_000, 450, (49.0, 56.0), 262, 0.68, (), (0.05, 0.35), (4, 7), 45, 6,
                 ("Randers", "Assentoft", "Langå", "Spentrup", "Havndal", "Hornbæk", "Vorup", "Kristrup")),
    665: Profile(665, "LE", 20_000, 480, (47.0, 54.0), 92, 0.69, (), (0.03, 0.22), (2, 4), 28, 5,
                 ("Lemvig", "Harboøre", "Thyborøn", "Bøvlingbjerg", "Klinting", "Nørre Nissum")),
    741: Profile(741, "SA", 3_700, 520, (45.0, 52.0), 32, 0.66, (), (0.10, 0.45), (1, 2), 22, 5,
                 ("Tranebjerg", "Ballen", "Nordby", "Onsbjerg", "Kolby Kås"),
                 FileFormat(";", ",", "%d.%m.%Y", "utf-8")),
}
BASE_FLEET = {766: 118, 751: 480, 730: 212, 665: 61, 741: 22}
# Ballerup's fleet counts by propulsion (2022 and 2023 are the published figures).
BALLERUP_EL = {2019: 4, 2020: 8, 2021: 12, 2022: 17, 2023: 65, 2024: 80}
BALLERUP_HYBRID = {2019: 6, 2020: 12, 2021: 18, 2022: 23, 2023: 1, 2024: 1}
# Deliveries that are missing on purpose (reported as "mangler data").
NOT_DELIVERED = {(741, "construction_projects"): {2019, 2021, 2024}, (665, "waste"): {2019}}
LCA_SHARE = {2019: 0.2, 2020: 0.3, 2021: 0.4, 2022: 0.5, 2023: 0.65, 2024: 0.75}  # besides BR18 new builds

USES = {  # use: (weight, name in building names, heated area range m²)
    "daginstitution": (30, "Børnehus", (350, 1300)), "skole": (14, "Skole", (3000, 12000)),
    "plejecenter": (8, "Plejecenter", (2500, 8000)), "kontor": (7, "Administrationsbygning", (800, 6000)),
    "idrætsanlæg": (9, "Idrætshal", (1500, 4000)), "kulturhus": (5, "Kulturhus", (600, 2500)),
    "bibliotek": (5, "Bibliotek", (500, 3000)), "fritidsklub": (9, "Ungdomsklub", (200, 800)),
    "materielgård": (4, "Materielgård", (500, 2500)), "etagebolig": (7, "Ældreboliger", (800, 4000)),
    "svømmehal": (2, "Svømmehal", (1500, 5000)),
}
# fraction: (share of household waste before sorting is scaled, {treatment: share of the fraction})
WASTE = {
    "madaffald": (0.12, {"genanvendelse": 0.95, "forbraending": 0.05}),
    "haveaffald": (0.17, {"genanvendelse": 0.98, "forbraending": 0.02}),
    "storskrald": (0.10, {"genanvendelse": 0.45, "forbraending": 0.45, "deponi": 0.10}),
    "papir": (0.06, {"genanvendelse": 0.97, "forbraending": 0.03}),
    "pap": (0.04, {"genanvendelse": 0.95, "forbraending": 0.05}),
    "glas": (0.04, {"genanvendelse": 0.98, "deponi": 0.02}),
    "metal": (0.025, {"genanvendelse": 0.97, "deponi": 0.03}),
    "plast": (0.03, {"genanvendelse": 0.45, "forbraending": 0.55}),  # recycled share rises yearly
    "tekstil": (0.01, {"genanvendelse": 0.60, "forbraending": 0.40}),
    "mad_og_drikkekartoner": (0.007, {"genanvendelse": 0.70, "forbraending": 0.30}),
    "farligt_affald": (0.008, {"genanvendelse": 0.20, "forbraending": 0.60, "deponi": 0.20}),
}
AREAS = [  # (id prefix, area, titles); (title, kpi) links an action to a KPI
    ("E", "Energi og forsyning", [
        "Udfasning af naturgas i fjernvarmeområder",
        "Konvertering af oliefyr til varmepumper i det åbne land", "Solcelleanlæg på kommunale tage",
        "Udbygning af fjernvarmenettet", "Energifællesskaber for borgere",
        "Screening af arealer til vedvarende energi", "Overskudsvarme fra industri og datacentre",
        "Lavere fremløbstemperatur i fjernvarmen", "Biogas fra husdyrgødning og restprodukter",
        "Energirådgivning til boligejere"]),
    ("T", "Transport", [
        ("Omstilling af kommunens personbiler til el", "zero_emission_share_passenger_cars"),
        ("Nulemissionsvarebiler i driftsafdelingerne", "zero_emission_share_vans"),
        "Ladestandere til varebiler < 3,5 t på kommunens matrikler", "Flere og bedre cykelstier",
        "Krav om fossilfri kørsel i kommunale udbud", "Elbusser i den lokale kollektive trafik",
        "Samkørsel og delebiler", "Offentlig ladeinfrastruktur", "Parkér og rejs-anlæg ved stationer",
        "HVO og biogas i tunge køretøjer"]),
    ("B", "Bygninger", [
        'Udskift oliefyr & gasfyr i kommunale bygninger "hurtigt"',
        ("Energimærkning af alle kommunale bygninger", "energy_label_missing_or_expired_share"),
        ("Energirenovering af skoler og daginstitutioner", "energy_label_d_or_worse_share_area"),
        ("Livscyklusvurdering (LCA) af alt kommunalt byggeri", "lca_share_projects"),
        "CTS-styring og energiledelse", "LED-belysning i kommunale bygninger",
        "Krav om genbrugte materialer i byggeri", "Energieffektivisering af almene boliger",
        "Træbyggeri i nye daginstitutioner", "Udfasning af elvarme i kommunale bygninger"]),
    ("A", "Affald og cirkulær økonomi", [
        ("Kildesortering i ti fraktioner i alle husholdninger", "household_recycling_rate"),
        ("Øget genanvendelse af plast", "plastic_recycling_rate"),
        ("Mindre restaffald fra husholdninger", "residual_waste_share"),
        "Genbrugsbutik og byttemarked på genbrugspladsen", "Indsamling af tekstiler",
        "Cirkulære indkøb i kommunen", "Mindre madspild i kommunale køkkener",
        "Sortering af storskrald til genbrug", "Kildesortering i etageboliger",
        "Genbrug af byggematerialer"]),
    ("L", "Landbrug og natur", [
        "Udtagning af lavbundsjorde", "Skovrejsning på kommunale arealer", "Klimarådgivning til landmænd",
        "Vådområder og naturgenopretning", "Mere plantebaseret mad i kantiner",
        "Biodiversitet i grønne områder", "Klimatilpasning og regnvandshåndtering",
        "Mindre kvælstof til vandløb og fjorde", "Græsarealer med mindre pleje",
        "Kortlægning af kulstofrige jorde"]),
    ("K", "Kommunen som virksomhed", [
        "Klimaregnskab for kommunens drift", "Grønne indkøbskriterier",
        "Klimavenlig mad i kommunens køkkener", "Tjenesterejser med tog frem for fly",
        "Grøn IT og længere levetid for udstyr", "Uddannelse af energiansvarlige",
        "Fossilfri entreprenørmaskiner", "Klimamål i alle forvaltninger", "Elbesparelser i vejbelysning",
        "Cykelordning for medarbejdere"]),
    ("BE", "Borgere og erhverv", [
        "Klimapartnerskaber med lokale virksomheder", "Grøn erhvervsvejledning",
        "Klimaambassadører i lokalområderne", "Klimaundervisning i folkeskolen",
        "Kampagner om energibesparelser i hjemmet", "Grønne lokalråd",
        "Netværk for grøn omstilling i byggebranchen", "Støtte til lokale energifællesskaber",
        "Klimavenlig turisme", "Grønne arrangementer og events"]),
]


def _date_in(rng: random.Random, year: int, first: int = 1, last: int = 12) -> dt.date:
    return dt.date(year, rng.randint(first, last), rng.randint(1, 28))  # day <= 28: no leap-day trouble


def _plus_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)


def _interpolate(start: float, end: float, year: int, first: int = 2019, last: int = 2023) -> float:
    return start + (end - start) * (year - first) / (last - first)


# ---------------------------------------------------------------- buildings and construction projects
def _new_building(rng, p: Profile, number: int, names: set, use: str | None = None) -> dict:
    use = use or rng.choices(list(USES), weights=[u[0] for u in USES.values()])[0]
    _, noun, (low, high) = USES[use]
    base = name = f"{rng.choice(p.places)} {noun}"
    for k in range(2, 999):
        if name not in names:
            break
        name = f"{base} {k}"
    names.add(name)
    return {"building_id": f"{p.code}-B{number:04d}", "name": name, "use": use,
            "heated_area_m2": round(rng.uniform(low, high), 1), "label": None, "issued": None}


def _initial_buildings(rng, p: Profile) -> list[dict]:
    names = {"Skovlunde Børnehus", "Måløv Skole"} if p.code == 151 else set()
    stock = [_new_building(rng, p, n, names) for n in range(1, p.buildings + 1)]
    if p.code == 151:  # names a reader will recognise, with Danish letters (cp1252 in Ballerup's files)
        stock[0].update(name="Skovlunde Børnehus", use="daginstitution", heated_area_m2=742.5)
        stock[1].update(name="Måløv Skole", use="skole", heated_area_m2=8350.0)
    labelled = rng.sample(stock, round(0.91 * len(stock)))  # ~9 % have no label
    bad = round(p.d_or_worse * len(labelled))  # exactly this share is D-G in 2019
    for i, b in enumerate(labelled):
        b["label"] = rng.choices(["D", "E", "F", "G"], [25, 20, 12, 8])[0] if i < bad else \
            rng.choices(["A2015", "A2010", "B", "C"], [2, 6, 12, 18])[0]
        b["issued"] = _date_in(rng, rng.randint(2009, 2019))
    return stock


def _improve(label: str | None, steps: int) -> str:
    """A better label after renovation or renewal, at most up to A2010; never worse."""
    if not label:
        return "C"
    index = ENERGY_LABELS.index(label)
    return ENERGY_LABELS[min(index, max(index - steps, 2))]


def _buildings_and_projects(rng, p: Profile) -> dict[int, tuple[list[dict], list[dict]]]:
    """Building stock and completed projects per year: labels expire after 10 years and are mostly
    renewed, renovations may improve a label, new builds join the stock the year they are completed."""
    stock = _initial_buildings(rng, p)
    names = {b["name"] for b in stock}
    next_number, out = len(stock) + 1, {}
    for year in YEARS:
        year_end = dt.date(year, 12, 31)
        if year > YEARS[0]:
            stock = [b for b in stock if rng.random() > 0.005]  # sold or demolished
            for b in stock:
                if b["label"] and _plus_years(b["issued"], 10) <= year_end and rng.random() < 0.6:
                    b["label"] = _improve(b["label"], 1) if rng.random() < 0.1 else b["label"]
                    b["issued"] = _date_in(rng, year)
                elif not b["label"] and rng.random() < 0.06:
                    b["label"], b["issued"] = rng.choices(["C", "D", "E", "F"], [3, 4, 3, 1])[0], _date_in(rng, year)
        projects = []
        if year not in NOT_DELIVERED.get((p.code, "construction_projects"), ()):
            existing = list(stock)
            count = rng.randint(*p.projects)
            phase = rng.randrange(count)  # LCA on a stratified share of the projects, not a coin toss
            for k in range(count):
                completed = _date_in(rng, year)
                new = (p.code == 751 and k == 0) or rng.random() < 0.35
                if new:
                    big = (p.code == 751 and k == 0) or rng.random() < 0.8
                    area = round(rng.uniform(1100, 6000) if big else rng.uniform(300, 950), 1)
                    b = _new_building(rng, p, next_number, names,
                                      rng.choice(["skole", "daginstitution", "plejecenter", "idrætsanlæg"]))
                    b.update(heated_area_m2=area, label="A2020" if year >= 2020 else "A2015", issued=completed)
                    next_number += 1
                    stock.append(b)
                else:
                    b = rng.choice(existing)
                    area = round(b["heated_area_m2"] * rng.uniform(0.3, 1.0), 1)
                    b.update(label=_improve(b["label"], int(rng.random() < 0.5)), issued=completed)
                regulated = new and area > 1000 and year >= 2023  # BR18 limit 12.0 kg CO2e/m²/year
                lca = regulated or ((k + phase) % count + 0.5) / count < LCA_SHARE[year]
                gwp = None
                if lca:
                    gwp = rng.uniform(7.0, 11.6) if regulated else rng.triangular(6.0, 13.5, 9.5)
                    gwp = 12.6 if (p.code == 751 and year == 2023 and k == 0) else round(gwp, 2)
                recycled = round(rng.uniform(2, 10 + 5 * (year - 2019)), 1) if rng.random() < 0.55 else None
                projects.append({"project_id": f"P{year}-{k + 1:02d}", "building_id": b["building_id"],
                                 "project_type": "nybyggeri" if new else "renovering",
                                 "completed_on": completed, "floor_area_m2": area,
                                 "lca_performed": "ja" if lca else "nej", "lca_gwp_kg_co2e_m2_year": gwp,
                                 "recycled_material_share_pct": recycled})
        rows = [{"building_id": b["building_id"], "name": b["name"], "use": b["use"],
                 "heated_area_m2": b["heated_area_m2"], "energy_label": b["label"],
                 "label_valid_until": _plus_years(b["issued"], 10) if b["label"] else None} for b in stock]
        out[year] = (rows, projects)
    return out


# ---------------------------------------------------------------- fleet
COMBUSTION = ("diesel", "benzin", "plugin_hybrid", "hvo")


def _fleet(rng, p: Profile) -> dict[int, list[dict]]:
    """The fleet at each year end: ~7 % of the combustion vehicles are renewed every year, and EVs
    and hybrids reach the year's target counts by replacing cars and vans (oldest cars first)."""
    numbers = list(range(1000, 10000))
    rng.shuffle(numbers)  # vehicle ids like "BA-1234", never reused
    classes = ["personbil", "varebil", "lastbil", "andet"] + (["bus"] if p.code == 751 else [])
    weights = [46, 44, 6, 4] + ([2] if p.code == 751 else [])
    sizes = p.fleet or tuple(round(BASE_FLEET[p.code] * f) for f in (1, 1.02, 1.03, 1.05, 1.06, 1.08))
    fleet: list[dict] = []

    def vehicle(cls: str, propulsion: str | None, since: dt.date) -> dict:
        if propulsion is None and cls in ("lastbil", "bus"):
            propulsion = rng.choices(["diesel", "hvo", "biogas"], [6, 3, 1])[0]
        elif propulsion is None:
            propulsion = rng.choices(COMBUSTION, [45, 30, 15, 10])[0]
        return {"vehicle_id": f"{p.prefix}-{numbers.pop()}", "vehicle_class": cls,
                "propulsion": propulsion, "in_service_since": since}

    def replace(old: list[dict], propulsion: str | None, year: int) -> None:
        for v in old:
            fleet.remove(v)
            fleet.append(vehicle(v["vehicle_class"], propulsion, _date_in(rng, year)))

    def pick(propulsions: tuple[str, ...], n: int, light: bool = True) -> list[dict]:
        pool = [v for v in fleet if v["propulsion"] in propulsions
                and (not light or v["vehicle_class"] in ("personbil", "varebil"))]
        return sorted(pool, key=lambda v: (v["vehicle_class"] != "personbil", v["in_service_since"]))[:max(n, 0)]

    def count(propulsion: str) -> int:
        return sum(v["propulsion"] == propulsion for v in fleet)

    out = {}
    for total, year in zip(sizes, YEARS):
        if p.code == 151:
            target_el, target_hybrid = BALLERUP_EL[year], BALLERUP_HYBRID[year]
        else:
            target_el = round(total * _interpolate(*p.el_share, year, last=2024))
            target_hybrid = round(total * _interpolate(0.04, 0.06, year, last=2024))
        if not fleet:
            fleet += [vehicle(c, None, _date_in(rng, rng.randint(2008, 2019)))
                      for c in rng.choices(classes, weights, k=total)]
        else:
            renew = [v for v in fleet if v["propulsion"] not in ("el", "hybrid")]
            replace(rng.sample(renew, round(0.07 * len(renew))), None, year)
        while len(fleet) < total:  # a growing fleet buys EV cars and vans from 2021
            cls = rng.choices(classes, weights)[0]
            light = cls in ("personbil", "varebil") and year >= 2021
            fleet.append(vehicle(cls, "el" if light else None, _date_in(rng, year)))
        surplus = pick(("hybrid",), count("hybrid") - target_hybrid)  # become EVs first
        missing_el = max(target_el - count("el"), 0)
        replace(surplus[:missing_el], "el", year)
        replace(surplus[missing_el:], None, year)
        replace(rng.sample(pick(COMBUSTION, len(fleet)), max(target_el - count("el"), 0)), "el", year)
        replace(pick(COMBUSTION, target_hybrid - count("hybrid")), "hybrid", year)
        while len(fleet) > total:
            fleet.remove(pick(COMBUSTION, 1, light=False)[0])
        out[year] = sorted((dict(v) for v in fleet), key=lambda v: v["vehicle_id"])
    return out


# ---------------------------------------------------------------- waste and actions
def _waste(rng, p: Profile, year: int) -> list[dict]:
    """Rows per fraction × treatment; the separately collected fractions are scaled so that
    tonnes to genanvendelse / total tonnes hits the municipality's recycling rate for the year."""
    rate = (_interpolate(*p.recycling, min(year, 2023)) + (year == 2024)) / 100 + rng.uniform(-0.002, 0.002)
    population = p.population * (1 + 0.006 * (year - 2019))
    total = population * (p.kg_per_inhabitant + rng.uniform(-8, 8)) / 1000
    treatments = {f: dict(t) for f, (_, t) in WASTE.items()}
    plastic = 0.45 + 0.04 * (year - 2019)
    treatments["plast"] = {"genanvendelse": plastic, "forbraending": 1 - plastic}
    recyclable = sum(share * treatments[f]["genanvendelse"] for f, (share, _) in WASTE.items())
    scale = rate / recyclable
    shares = {f: share * scale for f, (share, _) in WASTE.items()}
    rest = 1 - sum(shares.values())
    rows = [{"fraction": "restaffald", "treatment": "forbraending", "tonnes": round(total * rest * 0.97, 1)},
            {"fraction": "restaffald", "treatment": "deponi", "tonnes": round(total * rest * 0.03, 1)}]
    for fraction, share in shares.items():
        for treatment, part in treatments[fraction].items():
            rows.append({"fraction": fraction, "treatment": treatment, "tonnes": round(total * share * part, 1)})
    return rows


def _actions(rng, p: Profile) -> dict[int, list[dict]]:
    areas = AREAS[:p.areas]
    counts = [p.actions // len(areas) + (i < p.actions % len(areas)) for i in range(len(areas))]
    register = []
    for (prefix, area, titles), count in zip(areas, counts):
        linked = [t for t in titles if isinstance(t, tuple) or t.startswith("Udskift") or "<" in t]
        rest = [t for t in titles if t not in linked]
        chosen = (linked + rng.sample(rest, len(rest)))[:count]
        for n, item in enumerate(chosen, 1):
            title, kpi = item if isinstance(item, tuple) else (item, None)
            start = rng.choices(range(2019, 2026), [3, 4, 4, 3, 2, 2, 1])[0]
            fate = rng.random()
            reduction = None
            if rng.random() < 0.72:
                value = rng.lognormvariate(0, 1.1) * 600 * p.population / 100_000
                reduction = round(value, 1) if value < 100 else float(round(value))
            register.append({"action_id": f"{prefix}-{n:02d}", "area": area, "title": title,
                             "responsibility": rng.choices(["selv", "medejer", "faellesskab"], [55, 30, 15])[0],
                             "start": start, "end": start + rng.randint(1, 4),
                             "delayed": 0.8 < fate < 0.9, "dropped": fate >= 0.96,
                             "expected_reduction_t_co2e_2030": reduction, "kpi": kpi})

    def status(a: dict, year: int) -> str:
        if year < a["start"]:
            return "ikke_startet"
        if a["dropped"] and year > a["start"]:
            return "opgivet"
        if year < a["end"]:
            return "i_gang"
        return "forsinket" if a["delayed"] and year < a["end"] + 2 else "gennemfoert"

    return {year: [{**a, "status": status(a, year)} for a in register] for year in YEARS}


# ---------------------------------------------------------------- writing
def _cell(value, fmt: FileFormat) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(fmt.date_format)
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", fmt.decimal)
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: list[dict], fmt: FileFormat) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=fmt.sep, lineterminator=fmt.newline)
    writer.writerow(columns)
    writer.writerows([_cell(row[c], fmt) for c in columns] for row in rows)
    path.write_bytes(buffer.getvalue().encode(fmt.encoding))  # strict: fails loudly on unencodable text


def _write_xlsx(path: Path, columns: list[str], rows: list[dict], sheet: str) -> None:
    """First sheet holds the data; a second sheet says it is sample data. Zip entries and
    document properties get fixed timestamps so the file is byte-identical on every run."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(columns)
    for row in rows:
        ws.append([row[c] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wb.create_sheet("Om data").append(["Eksempeldata – ikke officielle tal. Genereret af pipeline.sample."])
    wb.properties.creator = "pipeline.sample (eksempeldata)"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _pct(rows: list[dict], part, among=lambda r: True, weight: str | None = None) -> float:
    """Percentage of rows (or of their `weight` column) where part(row) holds, among the rows picked."""
    base = [(r[weight] if weight else 1, part(r)) for r in rows if among(r)]
    return round(100 * sum(w for w, hit in base if hit) / sum(w for w, _ in base), 1)


def _targets(p: Profile, waste_year: int, waste: list[dict], fleet2019: list[dict]) -> dict:
    """Plan targets per KPI; baselines are computed from the sample data's first delivered year."""
    def goal(year: int, value: float, baseline: tuple[int, float] | None = None) -> dict:
        start = {"baseline": {"year": baseline[0], "value": baseline[1]}} if baseline else {}
        return {**start, "target": {"year": year, "value": float(value)}}

    def waste_base(part, among=lambda r: True) -> tuple[int, float]:
        return waste_year, _pct(waste, part, among, "tonnes")

    def el_base(cls: str) -> tuple[int, float]:
        return 2019, _pct(fleet2019, lambda v: v["propulsion"] == "el", lambda v: v["vehicle_class"] == cls)

    def recycled(r: dict) -> bool:
        return r["treatment"] == "genanvendelse"

    targets = {
        "household_recycling_rate": goal(2030, 60, waste_base(recycled)),  # Ballerup's plan: 60 % in 2030
        "plastic_recycling_rate": goal(2030, 80, waste_base(recycled, lambda r: r["fraction"] == "plast")),
        "residual_waste_share": goal(2030, 25 if p.code == 151 else 30,
                                     waste_base(lambda r: r["fraction"] == "restaffald")),
        "zero_emission_share_passenger_cars": goal(2030, 100, el_base("personbil")),
        "zero_emission_share_vans": goal(2030 if p.code in (151, 751) else 2035, 100, el_base("varebil")),
        "lca_share_projects": goal(2023, 100, (2019, 20.0)),
        "lca_within_limit_share": goal(2023, 100),
        "energy_label_d_or_worse_share_area": goal(2030, 40),
        "energy_label_d_or_worse_share_count": goal(2030, 40),
        "energy_label_missing_or_expired_share": goal(2030, 0),
    }
    # Gaps on purpose, so the reports show "mangler mål": nobody has a target for lca_projects_count;
    # Lemvig has none for vans, Randers none for the label count share, Samsø none for LCA limits.
    gaps = {665: "zero_emission_share_vans", 730: "energy_label_d_or_worse_share_count",
            741: "lca_within_limit_share"}
    targets.pop(gaps.get(p.code, ""), None)
    targets.update(OPERATIONS_TARGETS.get(p.code, {}))
    return {"municipality_code": p.code,
            "source": f"Eksempeldata – mål inspireret af {registry.get(p.code).name} Kommunes "
                    "DK2020-klimahandlingsplan",
            "sample_data": True, "targets": targets, "climate": climate_target(p.code),
            "operations": operations_block(p.code)}


# The municipality as an enterprise: Hedensted's plan makes its own operations climate neutral by 2030;
# Ballerup aims at about −2 % heat per m² a year (141 kWh/m² in 2019 → 113 in 2030).
OPERATIONS_TARGETS = {766: {"operations_t_co2e": {"target": {"year": 2030, "value": 0.0}}},
                      151: {"heat_kwh_per_m2": {"target": {"year": 2030, "value": 113.0}}}}


def operations_block(code: int) -> dict:
    """The targets file's `operations:` block: the reference year of the own-effort split, and for Randers
    its district-heating company's declared factor (sample figures, labelled as such)."""
    block: dict = {"reference_year": 2019}
    if code == 730:
        block["factors"] = [
            {"carrier": "fjernvarme", "year": year, "value": value, "unit": "kg CO2e/kWh",
             "source": f"Eksempeldata: som fjernvarmeselskabets miljødeklaration for {year} (ikke Randers "
                       "Forsynings officielle tal)"}
            for year, value in ((2023, 0.0712), (2024, 0.0641))]
    return block


# The climate block per sample municipality: the plans' real milestones where known (Ballerup −85 % in
# 2030 and neutral in 2045; Hedensted −70 % from 1990 to 2030 and neutral in 2050), KL's average
# (−76 % by 2030) elsewhere; 1990 emissions set about 1.7 × the sample's 2018 account, as for Denmark.
CLIMATE = {
    151: ("med_landbrug", 460_000, [(2030, 85), (2045, 100)], 150_000),
    665: ("uden_landbrug", 300_000, [(2030, 70), (2050, 100)], None),
    730: ("med_landbrug", 760_000, [(2030, 70), (2050, 100)], None),
    741: ("med_landbrug", 52_000, [(2030, 76), (2045, 100)], None),
    751: ("med_landbrug", 2_150_000, [(2030, 76), (2050, 100)], None),
    766: ("med_landbrug", 780_000, [(2030, 70), (2050, 100)], 330_000),
}


def climate_target(code: int) -> dict:
    scope, reference, milestones, projection = CLIMATE[code]
    block = {"scope": scope, "reference": {"year": 1990, "t_co2e": reference},
             "milestones": [{"year": y, "reduction_pct": r} for y, r in milestones]}
    if projection is not None:
        block["projection_2030_t_co2e"] = projection
    block["source"] = f"Eksempeldata – klimamål inspireret af {registry.get(code).name} Kommunes DK2020-plan"
    return block


def generate(raw_dir: Path = config.RAW, seed: int = 2020) -> list[Path]:
    """Write the seeded sample deliveries for 2019-2024 (emissions: tools/sample_emissions.py; building and
    transport energy: tools/sample_energy.py) and the targets; returns the files written."""
    written: list[Path] = []
    for code in SAMPLE_CODES:
        p, rng = PROFILES[code], random.Random(seed * 1000 + code)
        built = _buildings_and_projects(rng, p)
        fleet = _fleet(rng, p)
        actions = _actions(rng, p)
        waste = {year: _waste(rng, p, year) for year in YEARS}
        emissions = sample_emissions.series(code, seed)  # its own seeded stream: the rest is unchanged
        energy = sample_energy.building_energy(code, seed, {y: built[y][0] for y in YEARS})  # own streams too
        transport = sample_energy.transport_energy(code, seed, fleet, p.population)
        for year in YEARS:
            folder = raw_dir / str(year) / str(code)
            folder.mkdir(parents=True, exist_ok=True)
            tables = {"buildings": built[year][0], "construction_projects": built[year][1],
                      "fleet": fleet[year], "waste": waste[year], "actions": actions[year]}
            for name, rows in tables.items():
                for stale in folder.glob(f"{name}.*"):
                    stale.unlink()
                if year in NOT_DELIVERED.get((code, name), ()):
                    continue
                dataset = DATASETS[name]
                if name in p.fmt.xlsx:
                    path = folder / f"{name}.xlsx"
                    _write_xlsx(path, dataset.column_names, rows, dataset.danish_name)
                else:
                    path = folder / f"{name}.csv"
                    _write_csv(path, dataset.column_names, rows, p.fmt)
                written.append(path)
            written += sample_emissions.write(folder, code, year, emissions, p.population, _write_csv,
                                              _write_xlsx, p.fmt)
            written += sample_energy.write(folder, p.fmt, {"building_energy": energy[year],
                                                           "transport_energy": transport[year]},
                                           _write_csv, _write_xlsx)
        first = next(y for y in YEARS if y not in NOT_DELIVERED.get((code, "waste"), ()))
        targets = _targets(p, first, waste[first], fleet[2019])
        path = raw_dir / "targets" / f"{code}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = "# Eksempeldata (sample data), genereret af `make sample` (tools/sample.py) - rediger ikke i hånden.\n"
        path.write_text(header + yaml.safe_dump(targets, sort_keys=False, allow_unicode=True,
                                                default_flow_style=None, width=120), encoding="utf-8")
        written.append(path)
        log.info("sample data for %s written (%d files so far)", registry.get(code).name, len(written))
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s %(name)s: %(message)s")
    print(f"{len(generate())} eksempelfiler skrevet i {config.RAW}")
