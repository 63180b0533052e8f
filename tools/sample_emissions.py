"""Seeded sample editions of the dataset emissions (eksempeldata), written by tools/sample.py.

Each report year R has one edition holding the data years 2018 … R-2 (Energi- og CO2-regnskabet
starts with 2018 and its figures arrive about two years late), so 2019 has no edition at all and
2024's covers 2018-2022. The editions agree on every figure except one planted restatement:
Ballerup's 2021 energy sector is revised down 2.5 % in the 2024 edition (ENS revises past years).

Anchors: Danish territorial emissions fell from about 47 to 38 million t CO2e 2018-2022 (-19 %),
mostly in energy; agriculture dominates rural municipalities (Lemvig, Samsø, Hedensted), energy and
transport urban ones (Aarhus, Ballerup). The figures are invented around those facts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pipeline import config
from pipeline.schema import EMISSIONS_TABLE

DATA_YEARS = range(2018, 2023)
FIRST_EDITION = 2020  # the first report year with a data year (2018) available
API_FORM = (151, 665)  # saved API responses; the others deliver a table
SAMPLE_LABEL = "Eksempeldata (sample data) – ikke officielle tal. Genereret af tools/sample_emissions.py."
# code: (t CO2e in 2018, sector shares in 2018, area km², table options)
PROFILES = {
    151: (270_000, {"energi": 0.76, "transport": 0.20, "landbrug": 0.003, "affaldsdeponi": 0.018,
                    "kemiske_processer": 0.015, "spildevand": 0.004}, 34, {}),
    766: (520_000, {"energi": 0.36, "transport": 0.22, "landbrug": 0.40, "arealanvendelse": -0.03,
                    "affaldsdeponi": 0.01, "kemiske_processer": 0.008, "spildevand": 0.002}, 551,
          {"per_inhabitant": True, "without_agriculture": True}),
    751: (1_300_000, {"energi": 0.58, "transport": 0.31, "landbrug": 0.04, "affaldsdeponi": 0.03,
                      "kemiske_processer": 0.03, "spildevand": 0.01}, 468, {"per_inhabitant": True}),
    730: (480_000, {"energi": 0.24, "transport": 0.31, "landbrug": 0.41, "affaldsdeponi": 0.02,
                    "kemiske_processer": 0.015, "spildevand": 0.005}, 746, {"without_agriculture": True}),
    665: (420_000, {"energi": 0.30, "transport": 0.08, "landbrug": 0.58, "affaldsdeponi": 0.02,
                    "kemiske_processer": 0.01, "spildevand": 0.01}, 509, {}),
    741: (33_000, {"energi": 0.14, "transport": 0.32, "landbrug": 0.51, "affaldsdeponi": 0.015,
                   "kemiske_processer": 0.01, "spildevand": 0.005}, 114, {}),
}
# Each sector's level 2018-2022 relative to 2018 (energy falls most: about -19 % in all)
TREND = {
    "energi": (1.00, 0.86, 0.80, 0.82, 0.66), "transport": (1.00, 1.01, 0.92, 0.94, 0.92),
    "landbrug": (1.00, 0.98, 0.98, 0.97, 0.94), "arealanvendelse": (1.00, 1.02, 1.04, 1.05, 1.07),
    "affaldsdeponi": (1.00, 0.97, 0.95, 0.93, 0.90), "kemiske_processer": (1.00, 0.85, 0.80, 0.82, 0.70),
    "spildevand": (1.00, 0.99, 0.99, 0.98, 0.97),
}
RESTATED = {(151, 2021, "energi"): (2024, 0.975)}  # (code, data year, sector): (from edition, factor)
API_NAMES = {"energi": "Energi", "transport": "Transport", "landbrug": "Landbrug",
             "affaldsdeponi": "Affaldsdeponi", "kemiske_processer": "Kemiske processer",
             "spildevand": "Spildevand"}
API_UNITS = {"t_co2e": "Ton CO2e", "t_co2e_per_inhabitant": "Ton CO2e/indb.", "t_co2e_per_km2": "Ton CO2e/km²"}
TOTAL_TYPE = "Samlet CO2-udledning"


def series(code: int, seed: int) -> dict[int, dict[str, float]]:
    """t CO2e per data year and sector, as first published (rounded to 0.1 t)."""
    rng = random.Random(f"{seed}-emissions-{code}")
    total, shares, _, _ = PROFILES[code]
    return {year: {s: round(total * share * TREND[s][i] * rng.uniform(0.98, 1.02), 1)
                   for s, share in shares.items()}
            for i, year in enumerate(DATA_YEARS)}


def edition(first: dict[int, dict[str, float]], code: int, report_year: int) -> dict[int, dict[str, float]]:
    """The data years report year R publishes (2018 … R-2), with the restatements made by then."""
    out = {}
    for year in (y for y in DATA_YEARS if y <= report_year - 2):
        out[year] = {s: round(v * RESTATED[(code, year, s)][1], 1)
                     if (code, year, s) in RESTATED and report_year >= RESTATED[(code, year, s)][0] else v
                     for s, v in first[year].items()}
    return out


def totals(sectors: dict[str, float]) -> tuple[float, float]:
    with_ = round(sum(sectors.values()), 1)
    return with_, round(with_ - sectors.get("landbrug", 0.0) - sectors.get("arealanvendelse", 0.0), 1)


def _population(population_2019: int, year: int) -> float:
    return population_2019 * (1 + 0.006 * (year - 2019))


def api_response(code: int, year: int, sectors: dict[str, float], population_2019: int) -> dict:
    """One data year as Energi- og CO2-regnskabet's API answers type=Nøgletal: every sector and the
    two 'Samlet' totals (with and without agriculture, in varying order) in t, t/indb. and t/km², plus
    key figures that are not emissions (energy use; VE-el selvforsyningsgrad as a ratio under '%')."""
    _, _, area, _ = PROFILES[code]
    people = _population(population_2019, year)
    with_, without = totals(sectors)

    def row(sektor, type_, enhed, value):
        return {"sektor": sektor, "type": type_, "enhed": enhed, "værdi": value, "kategori": None,
                "undertype_3": None}

    rows = []
    for k, unit in enumerate(API_UNITS):
        scale = {"t_co2e": (1, 1), "t_co2e_per_inhabitant": (people, 3), "t_co2e_per_km2": (area, 1)}[unit]
        rows += [row(API_NAMES[s], TOTAL_TYPE, API_UNITS[unit], round(v / scale[0], scale[1]))
                 for s, v in sectors.items()]
        pair = [round(without / scale[0], scale[1]), round(with_ / scale[0], scale[1])]
        rows += [row("Samlet", TOTAL_TYPE, API_UNITS[unit], v) for v in (pair if (year + k) % 2 else pair[::-1])]
    ratio = 0.011 + 0.001 * (year - 2018) if code == 151 else 2.4 + 0.1 * (year - 2018)
    energy_tj = round(people * (52 if code == 151 else 98) / 1000, 1)
    rows += [row("Samlet", "VE-el selvforsyningsgrad (Vind-, sol- og vandbaseret-elproduktion)", "%",
                 round(ratio, 4)),
             row("Samlet", "Samlet slutenergiforbrug", "TJ", energy_tj),
             row("Samlet", "Samlet slutenergiforbrug", "GJ/indb.", round(energy_tj * 1000 / people, 1))]
    return {"eksempeldata": SAMPLE_LABEL, "data": rows}


def table_rows(code: int, published: dict[int, dict[str, float]], population_2019: int,
               decimal: str) -> tuple[list[str], list[dict]]:
    """The table form: columns year, sector, t_co2e (and t_co2e_per_inhabitant), one row per sector
    and total. Per-inhabitant values are written as text with three decimals."""
    options = PROFILES[code][3]
    columns = [c.name for c in EMISSIONS_TABLE.columns][: 4 if options.get("per_inhabitant") else 3]
    rows = []
    for year, sectors in published.items():
        with_, without = totals(sectors)
        lines = [*sectors.items(), ("samlet_med_landbrug", with_)]
        if options.get("without_agriculture"):
            lines.append(("samlet_uden_landbrug", without))
        for sector, value in lines:
            row = {"year": year, "sector": sector, "t_co2e": value}
            if options.get("per_inhabitant"):
                per = round(value / _population(population_2019, year), 3)
                row["t_co2e_per_inhabitant"] = per if decimal is None else f"{per:.3f}".replace(".", decimal)
            rows.append(row)
    return columns, rows


def write(folder: Path, code: int, report_year: int, first: dict, population_2019: int,
          write_csv, write_xlsx, fmt) -> list[Path]:
    """Write one municipality's edition for the report year; returns the files (none before 2020)."""
    for stale in [*folder.glob("emissions.*"), *folder.glob("emissions_*.json")]:
        stale.unlink()
    published = edition(first, code, report_year)
    if not published:
        return []
    if code in API_FORM:
        written = []
        for year, sectors in published.items():
            path = folder / config.EMISSIONS_RESPONSE.format(data_year=year)
            document = api_response(code, year, sectors, population_2019)
            rows = ",\n".join(json.dumps(r, ensure_ascii=False) for r in document["data"])
            label = json.dumps(document["eksempeldata"], ensure_ascii=False)
            path.write_text(f'{{"eksempeldata": {label},\n"data": [\n{rows}\n]}}\n', encoding="utf-8")
            written.append(path)
        return written
    if "emissions" in fmt.xlsx:
        columns, rows = table_rows(code, published, population_2019, None)
        path = folder / "emissions.xlsx"
        write_xlsx(path, columns, rows, "Klimaregnskab")
    else:
        columns, rows = table_rows(code, published, population_2019, fmt.decimal)
        path = folder / "emissions.csv"
        write_csv(path, columns, rows, fmt)
    return [path]
