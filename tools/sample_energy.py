"""Seeded sample deliveries of building_energy and transport_energy (eksempeldata), written by tools/sample.py.

building_energy has one row per building of the year's buildings (same ids): heat, electricity and water per
m² heated area by use, around Albertslund's published figures (institutions' heat 144 → 131 kWh/m² from 2015
to 2016, degree-day corrected; its buildings' electricity 37 → 36 kWh/m² from 2017 to 2018). Heat falls 1,6 %
a year, electricity 1 % (the weather is not modelled); most buildings have district heating, some natural gas (m³;
Aarhus in kWh), a few heating oil, and oil and gas buildings move to district heating. A few rows are
estimated. One figure is planted: Samsø's first day-care institution with district heating reports ten
times its heat in 2024 (an extra zero), so the validation warns (3 × the median, ±30 % from last year).

transport_energy has the year's fuel and electricity of the own fleet (from the fleet delivery: its
vehicles by class and propulsion, so the electric share grows as the fleet's does), taxi trips and staff
driving their own cars (km). Own random streams: the other sample files are unchanged.
"""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.schema import DATASETS, TRANSPORT_FUEL_DA, TRANSPORT_SOURCE_DA

YEARS = range(2019, 2025)
# use: (heat kWh/m², electricity kWh/m², water m³/m²) in 2019; area-weighted about 140, 35 and 0,33
INTENSITY = {
    "daginstitution": (143, 32, 0.36), "skole": (128, 29, 0.20), "plejecenter": (152, 43, 0.50),
    "kontor": (114, 41, 0.16), "idrætsanlæg": (138, 34, 0.32), "kulturhus": (128, 36, 0.18),
    "bibliotek": (119, 38, 0.11), "fritidsklub": (143, 31, 0.27), "materielgård": (133, 27, 0.23),
    "etagebolig": (133, 27, 0.50), "svømmehal": (314, 108, 2.0),
}
HEAT_TREND, ELECTRICITY_TREND = 0.016, 0.01  # yearly fall; the weather is not modelled
# code: shares of buildings heated by (district heating, natural gas, heating oil) in 2019; Samsø has no gas grid
HEATING = {151: (0.88, 0.10, 0.02), 751: (0.92, 0.07, 0.01), 730: (0.78, 0.18, 0.04), 766: (0.65, 0.27, 0.08),
           665: (0.70, 0.20, 0.10), 741: (0.75, 0.00, 0.25)}
GAS_IN_KWH = (751,)  # Aarhus's energy management system reports natural gas in kWh
GAS_KWH_PER_M3, OIL_KWH_PER_L = 11.0, 10.0  # round figures for generating litres (the account converts with energy_per_unit.csv)
ESTIMATED = {2019: 0.08, 2020: 0.07, 2021: 0.06, 2022: 0.05, 2023: 0.04, 2024: 0.03}
PLANTED = (741, 2024, "daginstitution", 10)  # (code, year, use, factor): the implausible heat figure
# (vehicle class, propulsion): {fuel: amount a year} for the own fleet (litres, kWh, kg)
PER_VEHICLE = {
    "personbil": {"benzin": {"benzin": 750}, "diesel": {"diesel": 650}, "hybrid": {"benzin": 480},
                  "plugin_hybrid": {"benzin": 300, "el": 1200}, "el": {"el": 2300}, "hvo": {"hvo": 650},
                  "biogas": {"biogas": 550}, "gas": {"gas": 550}, "brint": {"brint": 110}},
    "varebil": {"benzin": {"benzin": 1500}, "diesel": {"diesel": 1400}, "hybrid": {"benzin": 1000},
                "plugin_hybrid": {"benzin": 600, "el": 2000}, "el": {"el": 3800}, "hvo": {"hvo": 1400},
                "biogas": {"biogas": 1200}, "gas": {"gas": 1200}, "brint": {"brint": 200}},
    "lastbil": {"diesel": {"diesel": 9000}, "hvo": {"hvo": 9000}, "biogas": {"biogas": 8500}, "el": {"el": 45000}},
    "bus": {"diesel": {"diesel": 18000}, "hvo": {"hvo": 18000}, "biogas": {"biogas": 16000}, "el": {"el": 90000}},
    "andet": {"diesel": {"diesel": 2500}, "hvo": {"hvo": 2500}, "benzin": {"benzin": 600},
              "plugin_hybrid": {"benzin": 350, "el": 1500}, "el": {"el": 6000}},
}
UNITS = {"diesel": "l", "benzin": "l", "hvo": "l", "el": "kwh", "biogas": "kg", "gas": "kg", "brint": "kg"}
NM3_PER_KG = 1.39  # upgraded biogas: about 0,72 kg per Nm³; Ballerup's supplier bills biogas in Nm³
DANISH_LABELS = (151, 741, 766)  # these exports write "Egne køretøjer", "El", "kWh", "Nm³"
UNIT_DA = {"l": "l", "kwh": "kWh", "kg": "kg", "nm3": "Nm³", "km": "km"}
TAXI_EL = {2019: 0.05, 2020: 0.08, 2021: 0.12, 2022: 0.20, 2023: 0.30, 2024: 0.40}  # share of taxi km
OWN_CAR_EL = {2019: 0.0, 2020: 0.0, 2021: 0.05, 2022: 0.09, 2023: 0.14, 2024: 0.20}  # share of staff km


def _carrier(rng: random.Random, code: int) -> str:
    return rng.choices(["dh", "gas", "oil"], HEATING[code])[0]


def building_energy(code: int, seed: int, buildings: dict[int, list[dict]]) -> dict[int, list[dict]]:
    """Rows per year: one per building of that year's buildings, in their order."""
    rng = random.Random(f"{seed}-building-energy-{code}")
    traits: dict[str, dict] = {}  # drawn once per building, the first year it appears
    out = {}
    for year in YEARS:
        rows = []
        for b in buildings[year]:
            t = traits.get(b["building_id"])
            if t is None:
                t = traits[b["building_id"]] = {"heat": rng.uniform(0.8, 1.25), "el": rng.uniform(0.8, 1.25),
                                                "water": rng.uniform(0.7, 1.3), "carrier": _carrier(rng, code),
                                                "metered_water": rng.random() > 0.02}
            elif t["carrier"] != "dh" and rng.random() < (0.08 if t["carrier"] == "oil" else 0.04):
                t["carrier"] = "dh"  # oil and gas boilers replaced by district heating
            heat_m2, el_m2, water_m2 = INTENSITY[b["use"]]
            area, years = b["heated_area_m2"], year - YEARS[0]
            heat = area * heat_m2 * t["heat"] * (1 - HEAT_TREND * years) * rng.uniform(0.96, 1.04)
            el = area * el_m2 * t["el"] * (1 - ELECTRICITY_TREND * years) * rng.uniform(0.96, 1.04)
            water = area * water_m2 * t["water"] * rng.uniform(0.95, 1.05)
            estimated = rng.random() < ESTIMATED[year]
            if estimated:  # an estimate is a round figure
                heat, el = round(heat, -3), round(el, -3)
            rows.append({**_heat_columns(code, t["carrier"], heat), "building_id": b["building_id"],
                         "electricity_kwh": float(round(el)), "water_m3": round(water, 1) if t["metered_water"]
                         else None, "basis": "estimeret" if estimated else "målt", "use": b["use"]})
        out[year] = rows
    _plant(code, out)
    return {year: [{k: r[k] for k in DATASETS["building_energy"].column_names} for r in rows]
            for year, rows in out.items()}


def _heat_columns(code: int, carrier: str, heat: float) -> dict:
    columns = {"district_heating_kwh": None, "natural_gas_m3": None, "natural_gas_kwh": None, "heating_oil_l": None}
    if carrier == "dh":
        columns["district_heating_kwh"] = float(round(heat))
    elif carrier == "gas" and code in GAS_IN_KWH:
        columns["natural_gas_kwh"] = float(round(heat))
    elif carrier == "gas":
        columns["natural_gas_m3"] = float(round(heat / GAS_KWH_PER_M3))
    else:
        columns["heating_oil_l"] = float(round(heat / OIL_KWH_PER_L))
    return columns


def _plant(code: int, rows_by_year: dict[int, list[dict]]) -> None:
    """The one implausible figure: an extra zero on a day-care institution's district heating."""
    planted_code, year, use, factor = PLANTED
    if code != planted_code:
        return
    same_use = [r for r in rows_by_year[year] if r["use"] == use]
    target = next(r for r in same_use if r["district_heating_kwh"])
    assert len(same_use) >= 3, "the 3 × median rule needs at least three buildings of the use"
    target["district_heating_kwh"] *= factor


def transport_energy(code: int, seed: int, fleet: dict[int, list[dict]], population: int) -> dict[int, list[dict]]:
    """Rows per year: the own fleet's fuels, taxi trips and staff driving their own cars (km)."""
    rng = random.Random(f"{seed}-transport-energy-{code}")
    out = {}
    for year in YEARS:
        own: dict[str, float] = {}
        for v in fleet[year]:
            for fuel, amount in PER_VEHICLE[v["vehicle_class"]][v["propulsion"]].items():
                own[fuel] = own.get(fuel, 0.0) + amount * rng.uniform(0.85, 1.15)
        rows = [("egne_koeretoejer", fuel, amount, UNITS[fuel]) for fuel, amount in own.items()]
        if code == 151 and "biogas" in own:
            rows = [(s, f, a * NM3_PER_KG, "nm3") if f == "biogas" else (s, f, a, u) for s, f, a, u in rows]
        taxi_km = population * 1.5 * rng.uniform(0.95, 1.05)
        rows += [("taxakoersel", "diesel", taxi_km * (1 - TAXI_EL[year]) / 15, "l"),
                 ("taxakoersel", "el", taxi_km * TAXI_EL[year] * 0.19, "kwh")]
        staff_km = population * 0.9 * rng.uniform(0.95, 1.05)
        rows += [("koersel_i_egen_bil", "benzin", staff_km * (1 - OWN_CAR_EL[year]), "km")]
        if OWN_CAR_EL[year]:
            rows += [("koersel_i_egen_bil", "el", staff_km * OWN_CAR_EL[year], "km")]
        order = {f: i for i, f in enumerate(UNITS)}
        rows.sort(key=lambda r: (list(TRANSPORT_SOURCE_DA).index(r[0]), order[r[1]]))
        out[year] = [_delivered(code, source, fuel, amount, unit) for source, fuel, amount, unit in rows]
    return out


def _delivered(code: int, source: str, fuel: str, amount: float, unit: str) -> dict:
    """A row as the municipality's system exports it: Danish labels or the schema's values."""
    if code in DANISH_LABELS:
        source, fuel, unit = TRANSPORT_SOURCE_DA[source], TRANSPORT_FUEL_DA[fuel], UNIT_DA[unit]
    return {"source": source, "fuel": fuel, "amount": float(round(amount)), "unit": unit}


def write(folder: Path, fmt, rows: dict[str, list[dict]], write_csv, write_xlsx) -> list[Path]:
    """Write the year's two datasets in the municipality's format; returns the files."""
    written = []
    for name, table in rows.items():
        for stale in folder.glob(f"{name}.*"):
            stale.unlink()
        dataset = DATASETS[name]
        if name in fmt.xlsx:
            path = folder / f"{name}.xlsx"
            write_xlsx(path, dataset.column_names, table, dataset.danish_name)
        else:
            path = folder / f"{name}.csv"
            write_csv(path, dataset.column_names, table, fmt)
        written.append(path)
    return written
