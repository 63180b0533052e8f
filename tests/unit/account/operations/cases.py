"""Small hand-computable deliveries for the operations tests (one municipality, 151)."""

from tests.factories import frame

CODE = 151


def buildings(year=2024, code=CODE):
    return frame("buildings", [
        {"building_id": "B1", "name": "Rådhuset", "use": "kontor", "heated_area_m2": 1000.0, "energy_label": "D",
         "label_valid_until": None},
        {"building_id": "B2", "name": "Skolen", "use": "skole", "heated_area_m2": 2000.0, "energy_label": "B",
         "label_valid_until": None},
    ], code, year)


def energy(year=2024, code=CODE):
    """B1: el 40.000, fjernvarme 100.000 kWh, 300 m³ water; B2: el 60.000 kWh, 10.000 m³ natural gas
    (= 110.000 kWh), 500 m³ water, estimated; B3 (not in buildings): el 5.000, fjernvarme 20.000, 50 m³."""
    return frame("building_energy", [
        {"building_id": "B1", "electricity_kwh": 40_000.0, "district_heating_kwh": 100_000.0, "water_m3": 300.0,
         "basis": "maalt"},
        {"building_id": "B2", "electricity_kwh": 60_000.0, "natural_gas_m3": 10_000.0, "water_m3": 500.0,
         "basis": "estimeret"},
        {"building_id": "B3", "electricity_kwh": 5_000.0, "district_heating_kwh": 20_000.0, "water_m3": 50.0,
         "basis": "maalt"},
    ], code, year)


def transport(year=2024, code=CODE):
    return frame("transport_energy", [
        {"source": "egne_koeretoejer", "fuel": "diesel", "amount": 10_000.0, "unit": "l"},
        {"source": "egne_koeretoejer", "fuel": "el", "amount": 20_000.0, "unit": "kwh"},
        {"source": "taxakoersel", "fuel": "benzin", "amount": 1_000.0, "unit": "l"},
        {"source": "koersel_i_egen_bil", "fuel": "benzin", "amount": 50_000.0, "unit": "km"},
    ], code, year)
