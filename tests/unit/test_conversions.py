"""Heat in kWh from the delivered units, with the energy contents the operations account uses."""

from __future__ import annotations

import math

import pandas as pd

from pipeline import conversions, schema


def test_the_energy_contents_are_the_committed_ones():
    assert conversions.kwh_per_unit("natural_gas_m3") == 11.0 and conversions.kwh_per_unit("heating_oil_l") == 10.1
    assert conversions.kwh_per_unit("district_heating_kwh") == 1.0


def test_the_heat_columns_are_building_energys_columns_for_heat():
    columns = schema.DATASETS["building_energy"].column_names
    assert set(conversions.heat_columns()) == {c for c in columns if c not in (
        "building_id", "electricity_kwh", "water_m3", "basis")}


def test_heat_is_the_sum_of_the_filled_columns_in_kwh():
    frame = pd.DataFrame({"district_heating_kwh": [100_000.0, None, None, 50.0],
                          "natural_gas_m3": [None, 1_000.0, None, None],
                          "natural_gas_kwh": [None, None, None, None],
                          "heating_oil_l": [None, 200.0, None, 5.0]})
    heat = conversions.heat_kwh(frame).tolist()
    # 1.000 m³ × 11,0 + 200 l × 10,1 = 11.000 + 2.020; 50 + 5 l × 10,1 = 100,5
    assert heat[:2] == [100_000.0, 13_020.0] and math.isnan(heat[2]) and heat[3] == 100.5


def test_gas_in_kwh_is_used_as_delivered_when_both_units_are_given():
    frame = pd.DataFrame({"natural_gas_kwh": [500.0], "natural_gas_m3": [1_000.0]})
    assert conversions.heat_kwh(frame).tolist() == [500.0]
