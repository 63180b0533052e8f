"""The seeded sample data: reproducible, committed unchanged, and true to its published anchors."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline import config, registry
from pipeline.account.kpis import KPI_DEFS, KPI_IDS
from pipeline.ingest import emissions
from pipeline.schema import DATASETS, EMISSIONS_TABLE
from tools import sample, sample_emissions, sample_energy

RAW = config.RAW


def _files(root) -> dict[str, bytes]:
    """Generated files under a raw folder (year folders and targets), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != "README.md"}


def _xlsx_cells(path) -> list[list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    written = sample.generate(root)
    return root, written


def _read(path) -> pd.DataFrame:
    """Read one sample CSV with the format its municipality exports."""
    fmt = sample.PROFILES[int(path.parent.name)].fmt
    return pd.read_csv(path, sep=fmt.sep, decimal=fmt.decimal, encoding=fmt.encoding)


def test_generating_twice_gives_identical_bytes(tmp_path, fresh):
    again = tmp_path / "again"
    sample.generate(again)
    first, second = _files(fresh[0]), _files(again)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not byte-reproducible: {different}"


def test_generate_returns_every_file_it_writes(fresh):
    root, written = fresh
    assert sorted(p.relative_to(root).as_posix() for p in written) == sorted(_files(root))


def test_committed_raw_data_matches_a_fresh_generation(fresh):
    committed, generated = _files(RAW), _files(fresh[0])
    assert committed.keys() == generated.keys(), (
        "data/raw differs from `make sample`: "
        f"extra {sorted(committed.keys() - generated.keys())}, "
        f"missing {sorted(generated.keys() - committed.keys())}")
    for name, content in generated.items():
        if committed[name] == content:
            continue
        assert name.endswith(".xlsx"), f"data/raw/{name} was edited by hand or is stale; run `make sample`"
        assert _xlsx_cells(RAW / name) == _xlsx_cells(fresh[0] / name), f"data/raw/{name} differs"


def test_files_have_exactly_the_schema_columns(fresh):
    for path in fresh[1]:
        if path.parent.name == "targets" or path.suffix == ".json":
            continue
        columns = (list(next(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)))
                   if path.suffix == ".xlsx" else list(_read(path).columns))
        if path.stem == "emissions":  # the table form; the per-inhabitant column may be left out
            assert columns in (EMISSIONS_TABLE.column_names, EMISSIONS_TABLE.column_names[:3]), path
            continue
        assert columns == DATASETS[path.stem].column_names, path


def test_ballerup_fleet_matches_published_ev_and_hybrid_counts():
    fleet22 = _read(RAW / "2022" / "151" / "fleet.csv")["propulsion"].value_counts()
    fleet23 = _read(RAW / "2023" / "151" / "fleet.csv")["propulsion"].value_counts()
    assert (fleet22["el"], fleet22["hybrid"]) == (17, 23)
    assert (fleet23["el"], fleet23["hybrid"]) == (65, 1)


def _recycling_rate(code: int, year: int) -> float:
    waste = _read(RAW / str(year) / str(code) / "waste.csv")
    return 100 * waste.loc[waste["treatment"] == "genanvendelse", "tonnes"].sum() / waste["tonnes"].sum()


@pytest.mark.parametrize("code, expected", [(151, 60.0), (766, 57.0), (751, 55.0)])
def test_household_recycling_rate_2023_matches_published_figure(code, expected):
    assert _recycling_rate(code, 2023) == pytest.approx(expected, abs=1.0)


def test_recycling_rate_rises_over_the_years():
    rates = [_recycling_rate(151, year) for year in sample.YEARS]
    assert rates == sorted(rates) and 48 <= rates[0] <= 52


def test_every_municipality_folder_is_a_registry_code():
    folders = [p for year in RAW.iterdir() if year.name.isdigit() for p in year.iterdir()]
    assert folders
    assert all(p.is_dir() and registry.is_known(p.name) for p in folders), folders


def test_2024_deliveries_are_complete_except_samsoe_construction_projects():
    for code in sample.SAMPLE_CODES:
        delivered = {p.stem.split("_")[0] if p.stem.startswith("emissions") else p.stem
                     for p in (RAW / "2024" / str(code)).iterdir()}
        expected = set(DATASETS) - ({"construction_projects"} if code == 741 else set())
        assert delivered == expected, code
    assert not list((RAW / "2024" / "741").glob("construction_projects.*"))


def test_targets_are_labelled_as_sample_data_and_use_known_kpis():
    for code in sample.SAMPLE_CODES:
        doc = yaml.safe_load((RAW / "targets" / f"{code}.yaml").read_text(encoding="utf-8"))
        assert doc["municipality_code"] == code and doc["sample_data"] is True
        assert doc["source"].startswith("Eksempeldata")
        assert set(doc["targets"]) <= set(KPI_IDS)
        assert "lca_projects_count" not in doc["targets"]
        for kpi_id, entry in doc["targets"].items():
            if KPI_DEFS[kpi_id].unit == "%":
                assert 0 <= entry["target"]["value"] <= 100
        assert doc["operations"]["reference_year"] == 2019
        for override in doc["operations"].get("factors", []):
            assert override["source"].startswith("Eksempeldata"), "a sample factor is labelled as sample"
    randers = yaml.safe_load((RAW / "targets" / "730.yaml").read_text(encoding="utf-8"))
    assert [f["carrier"] for f in randers["operations"]["factors"]] == ["fjernvarme", "fjernvarme"]


# --- the climate account (emissions) --------------------------------------------------------------


def _edition(year: int, code: int) -> pd.DataFrame | None:
    """One municipality's emissions edition as the ingester reads it (None when not delivered)."""
    folder = RAW / str(year) / str(code)
    table = [p for p in folder.glob("emissions.*")]
    responses = sorted(folder.glob("emissions_*.json"))
    if not table and not responses:
        return None
    frame, problems, _ = emissions.read_delivery(table[0] if table else responses,
                                                 lambda p: p.relative_to(RAW).as_posix(), code)
    assert not problems, problems
    return frame


@pytest.fixture(scope="module")
def editions() -> dict[tuple[int, int], pd.DataFrame]:
    return {(year, code): _edition(year, code) for year in sample.YEARS for code in sample.SAMPLE_CODES}


def test_each_edition_covers_2018_to_two_years_before_the_report_year(editions):
    for (year, code), frame in editions.items():
        if year == 2019:
            assert frame is None, "no data year is published yet in 2019: no emissions file"
            continue
        assert sorted(set(frame["data_year"])) == list(range(2018, year - 1)), (year, code)
        assert set(frame["sector"]) >= {"energi", "transport", "landbrug", "samlet_med_landbrug"}
        assert "samlet_uafklaret" not in set(frame["sector"]), "every sample total can be labelled"


def test_two_municipalities_deliver_saved_api_responses_the_others_tables():
    forms = {code: sorted({p.suffix for p in (RAW / "2024" / str(code)).glob("emissions*")})
             for code in sample.SAMPLE_CODES}
    assert forms == {151: [".json"], 665: [".json"], 730: [".csv"], 741: [".csv"], 751: [".csv"],
                     766: [".xlsx"]}
    for path in (RAW / "2024" / "151").glob("emissions_*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["eksempeldata"].startswith("Eksempeldata"), "labelled as sample data"
        samlet = [r for r in document["data"] if r["sektor"] == "Samlet" and r["enhed"] == "Ton CO2e"]
        assert len(samlet) == 2, "like the real API: two totals (with and without agriculture)"
        [ve] = [r for r in document["data"] if r["type"].startswith("VE-el")]
        assert ve["enhed"] == "%" and ve["værdi"] < 1, "like the real API: a ratio under the unit %"
    assert "Om data" in openpyxl.load_workbook(RAW / "2024" / "766" / "emissions.xlsx").sheetnames


def test_one_restatement_ballerup_2021_revised_in_the_2024_edition(editions):
    key = ["data_year", "sector", "unit"]
    changes = []
    for year in range(2021, 2025):
        for code in sample.SAMPLE_CODES:
            before = editions[(year - 1, code)].set_index(key)["value"]
            now = editions[(year, code)].set_index(key)["value"].reindex(before.index)
            changed = before[before != now]
            changes += [(year, code, *i, before[i], now[i]) for i in changed.index]
    assert {(year, code, data_year) for year, code, data_year, *_ in changes} == {(2024, 151, 2021)}
    energy = next(c for c in changes if c[3] == "energi" and c[4] == "t_co2e")
    assert energy[-1] / energy[-2] == pytest.approx(0.975, abs=1e-5)
    total = next(c for c in changes if c[3] == "samlet_med_landbrug" and c[4] == "t_co2e")
    assert (total[-2], total[-1]) == (226376.1, 222206.6)


def _tonnes(code: int) -> pd.DataFrame:
    frame = _edition(2024, code)
    return frame[frame["unit"] == "t_co2e"].pivot(index="sector", columns="data_year", values="value")


def test_magnitudes_follow_the_published_national_trend_and_profiles():
    totals = {code: _tonnes(code).loc["samlet_med_landbrug"] for code in sample.SAMPLE_CODES}
    for code, total in totals.items():
        assert 0.65 < total[2022] / total[2018] < 0.92, code  # energy-heavy towns fall the most
    combined = sum(totals.values())
    assert 0.78 < combined[2022] / combined[2018] < 0.84  # Denmark: 47 → 38 million t CO2e (−19 %)
    for code in (665, 741, 766):  # rural: agriculture is the largest sector
        sectors = _tonnes(code).drop(index=[s for s in ("samlet_med_landbrug", "samlet_uden_landbrug")
                                             if s in _tonnes(code).index])
        assert sectors[2018].idxmax() == "landbrug", code
    for code in (151, 751):  # urban: energy and transport
        tonnes = _tonnes(code)
        share = (tonnes.loc["energi"] + tonnes.loc["transport"]) / tonnes.loc["samlet_med_landbrug"]
        assert (share > 0.8).all(), code
    assert 250_000 < totals[151][2018] < 300_000 and 1_000_000 < totals[751][2018] < 1_500_000


def test_emissions_generator_draws_from_its_own_stream():
    """The emissions sample has its own seeded random stream, so the other sample files are unchanged."""
    assert sample_emissions.series(151, 2020) == sample_emissions.series(151, 2020)
    assert sample_emissions.series(151, 2020) != sample_emissions.series(151, 2021)


# --- the municipality as an enterprise (building_energy, transport_energy) -----------------------------


def _ingested(year: int, dataset: str, code: int) -> pd.DataFrame:
    """One municipality's table as ingestion reads it (Danish labels normalised)."""
    from pipeline.ingest.readers import read_dataset

    [path] = (RAW / str(year) / str(code)).glob(f"{dataset}.*")
    table, problems = read_dataset(path, DATASETS[dataset], path.as_posix())
    assert not problems, problems
    return table


def test_every_building_has_one_energy_row_with_the_same_id():
    for year in sample.YEARS:
        for code in sample.SAMPLE_CODES:
            buildings, energy = _ingested(year, "buildings", code), _ingested(year, "building_energy", code)
            assert energy["building_id"].tolist() == buildings["building_id"].tolist(), (year, code)


def _per_m2(year: int, code: int) -> pd.DataFrame:
    from pipeline import conversions

    energy = _ingested(year, "building_energy", code).merge(
        _ingested(year, "buildings", code)[["building_id", "use", "heated_area_m2"]], on="building_id")
    return energy.assign(heat=conversions.heat_kwh(energy))


def test_heat_electricity_and_water_per_m2_are_around_albertslunds_figures():
    for code in sample.SAMPLE_CODES:
        first, last = _per_m2(2019, code), _per_m2(2024, code)
        if code == 741:
            last = last.iloc[1:]  # without the planted figure
        heat = [t["heat"].sum() / t["heated_area_m2"].sum() for t in (first, last)]
        assert 135 < heat[0] < 150 and 125 < heat[1] < 140 and heat[1] < heat[0], (code, heat)
        electricity = last["electricity_kwh"].sum() / last["heated_area_m2"].sum()
        water = last["water_m3"].sum() / last["heated_area_m2"].sum()
        assert 32 < electricity < 40 and 0.2 < water < 0.45, (code, electricity, water)


def test_mostly_district_heating_some_gas_a_few_oil_and_a_few_estimated_rows():
    energy = pd.concat(_ingested(2024, "building_energy", code) for code in sample.SAMPLE_CODES)
    carriers = energy[["district_heating_kwh", "natural_gas_m3", "natural_gas_kwh", "heating_oil_l"]].notna().mean()
    assert carriers["district_heating_kwh"] > 0.8 and carriers["heating_oil_l"] < carriers["natural_gas_m3"]
    assert 0 < carriers["natural_gas_kwh"] < 0.05, "Aarhus reports its gas in kWh"
    assert 0.01 < (energy["basis"] == "estimeret").mean() < 0.1


def test_one_planted_implausible_heat_figure_samsoe_2024():
    table = _per_m2(2024, 741)
    table = table.assign(per_m2=table["heat"] / table["heated_area_m2"])
    medians = table.groupby("use")["per_m2"].transform("median")
    [planted] = table[table["per_m2"] > 3 * medians]["building_id"].tolist()
    before = _per_m2(2023, 741).set_index("building_id")["heat"]
    assert planted == "741-B0001" and table.set_index("building_id")["heat"][planted] / before[planted] > 8
    for year in sample.YEARS:
        for code in sample.SAMPLE_CODES:
            if (year, code) == (2024, 741):
                continue
            t = _per_m2(year, code).assign(per_m2=lambda f: f["heat"] / f["heated_area_m2"])
            assert (t["per_m2"] <= 2 * t.groupby("use")["per_m2"].transform("median")).all(), (year, code)


def test_the_fleets_electricity_grows_and_ballerup_writes_danish_labels():
    for code in sample.SAMPLE_CODES:
        own = {year: _ingested(year, "transport_energy", code).query("source == 'egne_koeretoejer'")
               .set_index("fuel")["amount"] for year in (2019, 2024)}
        assert own[2024]["el"] > 2 * own[2019]["el"], code
    transport = _ingested(2024, "transport_energy", 151)
    assert {"nm3", "km", "kwh", "l"} <= set(transport["unit"])
    assert set(transport["source"]) == set(DATASETS["transport_energy"].column("source").allowed)
    raw = (RAW / "2024" / "151" / "transport_energy.csv").read_bytes().decode("cp1252")
    assert "Kørsel i egen bil;Benzin" in raw and ";Nm³" in raw


def test_energy_generator_draws_from_its_own_streams():
    """The energy samples have their own seeded random streams, so the other sample files are unchanged."""
    buildings = {year: [{"building_id": "X", "use": "skole", "heated_area_m2": 1000.0}] for year in sample.YEARS}
    assert sample_energy.building_energy(151, 2020, buildings) == sample_energy.building_energy(151, 2020, buildings)
    assert sample_energy.building_energy(151, 2020, buildings) != sample_energy.building_energy(151, 2021, buildings)
