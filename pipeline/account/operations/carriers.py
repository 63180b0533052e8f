"""The energy carriers and physical units of the municipality's own operations, and their Danish names."""

from __future__ import annotations

from pipeline import schema

# building_energy's columns → (carrier, physical unit). Natural gas comes in kWh or m³ (kWh wins when both
# are given for a building: see buildings.py); heating oil in litres.
BUILDING_COLUMNS: dict[str, tuple[str, str]] = {
    "electricity_kwh": ("el", "kwh"),
    "district_heating_kwh": ("fjernvarme", "kwh"),
    "natural_gas_kwh": ("naturgas", "kwh"),
    "natural_gas_m3": ("naturgas", "m3"),
    "heating_oil_l": ("fyringsolie", "l"),
}
HEAT_CARRIERS = ("fjernvarme", "naturgas", "fyringsolie")  # heat for degree-day correction; el is not
BUILDING_CARRIERS = ("el", "fjernvarme", "naturgas", "fyringsolie")
TRANSPORT_CARRIERS = tuple(schema.TRANSPORT_FUELS)  # a transport row's fuel is its carrier
CARRIERS = tuple(dict.fromkeys(BUILDING_CARRIERS + TRANSPORT_CARRIERS))

# Physical units as the tables hold them (lower case, ³ → 3) and as a reader sees them.
UNITS = ("kwh", "l", "m3", "nm3", "kg", "km")
UNIT_DA = {"kwh": "kWh", "l": "liter", "m3": "m³", "nm3": "Nm³", "kg": "kg", "km": "km"}
FACTOR_UNIT_PREFIX = "kg CO2e/"

# Every (carrier, unit) a delivery can hold: the ones a factor override in a targets file may name.
USES: frozenset[tuple[str, str]] = frozenset(
    set(BUILDING_COLUMNS.values()) | {(f, u) for f in TRANSPORT_CARRIERS for u in schema.TRANSPORT_UNITS})

CARRIER_DA = {"el": "El", "fjernvarme": "Fjernvarme", "naturgas": "Naturgas", "fyringsolie": "Fyringsolie",
              **schema.TRANSPORT_FUEL_DA}
PART_BUILDINGS, PART_TRANSPORT = "bygninger", "transport"
PART_DA = {PART_BUILDINGS: "Bygninger", PART_TRANSPORT: "Transport"}
BUILDINGS_SOURCE = "bygninger"  # the `source` of a building line (transport lines carry their own)
SOURCE_DA = {BUILDINGS_SOURCE: "Kommunens bygninger", **schema.TRANSPORT_SOURCE_DA}


def normal_unit(text: object) -> str:
    """'Nm³' / 'kWh' / 'M3' → 'nm3' / 'kwh' / 'm3' (the tables' spelling)."""
    return str(text).strip().lower().replace("³", "3")


def factor_unit(text: object) -> str | None:
    """'kg CO2e/kWh' → 'kwh'; None when TEXT is not 'kg CO2e/<one of UNITS>'."""
    raw = str(text).strip()
    if not raw.lower().startswith(FACTOR_UNIT_PREFIX.lower()):
        return None
    unit = normal_unit(raw[len(FACTOR_UNIT_PREFIX):])
    return unit if unit in UNITS else None


def factor_unit_da(unit: str) -> str:
    """'kwh' → 'kg CO₂e/kWh' (as a reader sees a factor's unit)."""
    return f"kg CO₂e/{UNIT_DA.get(unit, unit)}"


def amount_da(unit: str) -> str:
    """The Danish name of a physical unit: 'kwh' → 'kWh'."""
    return UNIT_DA.get(unit, unit)
