"""Heat in kWh from the delivered units, with the committed factors and their sources."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline import conversions, schema


def test_the_factors_are_the_stated_ones_each_with_a_source():
    table = conversions.load()
    assert {c: f.kwh_per_unit for c, f in table.items()} == {
        "district_heating_kwh": 1.0, "natural_gas_kwh": 1.0, "natural_gas_m3": 11.0, "heating_oil_l": 10.0}
    assert all(len(f.source) > 20 for f in table.values())


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
    assert heat[:2] == [100_000.0, 11_000.0 + 2_000.0] and math.isnan(heat[2]) and heat[3] == 100.0


def test_a_table_without_a_source_is_refused(tmp_path):
    path = tmp_path / "conversions.csv"
    path.write_text("column,carrier,unit,kwh_per_unit,source\nnatural_gas_m3,natural_gas,m³,11.0,\n",
                    encoding="utf-8")
    with pytest.raises(conversions.ConversionsError, match="source"):
        conversions.load(path)
