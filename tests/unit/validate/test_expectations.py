"""Every validation rule fails on a crafted input, with its severity and a precise message."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from pipeline import config, registry, schema, validate
from pipeline.account.kpis import KPI_DATASET, KPI_IDS
from pipeline.ingest.store import DeliveredFile, Manifest, MunicipalityDelivery
from pipeline.validate import checks, references, runner
from pipeline.validate.suites import load_suites
from tests.factories import (
    SUMMARY_KEYS,
    YEAR,
    Delivery,
    all_valid,
    source_file,
    valid_rows,
    year_paths,
)

SUITE_FILES = {d: config.EXPECTATIONS / f"{d}.json" for d in schema.DATASET_NAMES}
SUITES = {d: json.loads(p.read_text(encoding="utf-8")) for d, p in SUITE_FILES.items()}
GX_RULES = {e["meta"]["rule"]: (d, e) for d, s in SUITES.items() for e in s["expectations"]}
DATASET_RULES = {n: r for rules in checks.DATASET_RULES.values() for n, r in rules.items()}
PIPELINE_RULES = {**checks.RULES, **DATASET_RULES, **references.RULES}
ALL_RULES = sorted(set(GX_RULES) | set(PIPELINE_RULES))


# --- one crafted failing case per rule ----------------------------------------------------------


@dataclass
class Case:
    dataset: str | None
    mutate: Callable[[list[dict]], None] | None = None
    row: int | None = 3  # spreadsheet row of the failure (header = 1, so rows[1] is row 3)
    text: str = ""  # must appear in the failure message
    previous: Callable[[list[dict]], list[dict]] | None = None  # last year's rows for this dataset
    code: int | None = None  # a fixed municipality code (unknown-code cases)
    extra_column: bool = False
    delivered: dict | None = None  # datasets delivered (checks cases)
    also_fails: set = field(default_factory=set)
    targets: str | None = None  # the municipality's targets file (default: a valid one)
    with_datasets: tuple = ()  # other datasets delivered (valid rows) beside `dataset`
    with_mutate: Callable[[dict[str, list[dict]]], None] | None = None  # changes those rows


def _set(i: int, then=None, **values):
    def mutate(rows):
        rows[i].update(values)
        if then:
            then(rows)

    return mutate


def _append(row: dict, then=None):
    def mutate(rows):
        rows.append(dict(row))
        if then:
            then(rows)

    return mutate


def _shift_year(old: int, new: int):
    def mutate(rows):
        for r in rows:
            if r.get("data_year") == old:
                r["data_year"] = new

    return mutate


def _duplicate(i: int, j: int, *columns):
    def mutate(rows):
        for c in columns:
            rows[j][c] = rows[i][c]

    return mutate


def _more_rows(count: int):
    """Last year had `count` rows (copies of the valid rows with fresh ids)."""

    def previous(rows):
        return [
            {
                **rows[i % len(rows)],
                **{k: f"{v}-{i}" for k, v in rows[i % len(rows)].items() if k.endswith("_id")},
            }
            for i in range(count)
        ]

    return previous


def _scaled(column: str, factor: float):
    """Last year's rows with `column` multiplied by `factor`."""

    def previous(rows):
        return [{**r, column: r[column] * factor} for r in rows]

    return previous


UNKNOWN_CODES = iter(range(990, 999))


def _common_cases(dataset: str) -> dict[str, Case]:
    info = schema.DATASETS[dataset]
    cases = {
        f"{dataset}_columns_match": Case(
            dataset, extra_column=True, row=None, text="uventede: ekstra"
        ),
        f"{dataset}_municipality_code_known": Case(
            dataset, code=next(UNKNOWN_CODES), row=2, text="værdien"
        ),
        f"{dataset}_year_matches": Case(
            dataset, _set(1, year=2023), text="værdien 2023; forventet regnskabsåret (2024)"
        ),
    }
    if info.id_column:
        idc = info.id_column
        cases[f"{dataset}_{idc}_not_null"] = Case(
            dataset, _set(1, **{idc: None}), text="feltet er tomt"
        )
        cases[f"{dataset}_{idc}_unique"] = Case(
            dataset, _duplicate(0, 1, idc), text="forekommer 2 gange"
        )
    return cases


def _not_null(dataset: str, column: str) -> tuple[str, Case]:
    return f"{dataset}_{column}_not_null", Case(
        dataset, _set(1, **{column: None}), text="feltet er tomt"
    )


def _in_set(dataset: str, column: str, value: str = "ukendt") -> tuple[str, Case]:
    return f"{dataset}_{column}_in_set", Case(
        dataset, _set(1, **{column: value}), text=f'værdien "{value}"'
    )


CASES: dict[str, Case] = {}
for _d in schema.DATASET_NAMES:
    CASES.update(_common_cases(_d))
CASES.update(
    dict(
        [
            _not_null("buildings", "name"),
            _not_null("buildings", "use"),
            _not_null("buildings", "heated_area_m2"),
            _in_set("buildings", "energy_label", "H"),
            _not_null("construction_projects", "building_id"),
            _not_null("construction_projects", "project_type"),
            _in_set("construction_projects", "project_type", "nedrivning"),
            _not_null("construction_projects", "completed_on"),
            _not_null("construction_projects", "floor_area_m2"),
            _not_null("construction_projects", "lca_performed"),
            _in_set("construction_projects", "lca_performed", "måske"),
            _not_null("fleet", "vehicle_class"),
            _in_set("fleet", "vehicle_class", "traktor"),
            _not_null("fleet", "propulsion"),
            _in_set("fleet", "propulsion", "damp"),
            _not_null("fleet", "in_service_since"),
            _not_null("waste", "fraction"),
            _in_set("waste", "fraction", "sko"),
            _not_null("waste", "treatment"),
            _in_set("waste", "treatment", "kompost"),
            _not_null("waste", "tonnes"),
            _not_null("actions", "area"),
            _not_null("actions", "title"),
            _not_null("actions", "responsibility"),
            _in_set("actions", "responsibility", "staten"),
            _not_null("actions", "status"),
            _in_set("actions", "status", "pause"),
            _not_null("building_energy", "basis"),
            _in_set("building_energy", "basis", "gættet"),
            _not_null("transport_energy", "source"),
            _in_set("transport_energy", "source", "cykel"),
            _not_null("transport_energy", "fuel"),
            _not_null("transport_energy", "amount"),
            _not_null("transport_energy", "unit"),
        ]
    )
)
# An unknown fuel or unit is also no allowed fuel/unit pair.
CASES.update(
    {
        f"transport_energy_{column}_in_set": Case(
            "transport_energy", _set(1, **{column: value}), text=f'værdien "{value}"',
            also_fails={"transport_energy_unit_fits_fuel"},
        )
        for column, value in (("fuel", "damp"), ("unit", "liter"))
    }
)
CASES.update(
    {
        "buildings_heated_area_positive": Case(
            "buildings", _set(1, heated_area_m2=0.0), text="værdien 0;"
        ),
        "buildings_heated_area_plausible": Case(
            "buildings", _set(1, heated_area_m2=250000.0), text="250.000"
        ),
        "buildings_label_valid_until_after_2008": Case(
            "buildings", _set(1, label_valid_until="2001-01-01"), text="datoen 1. januar 2001"
        ),
        "buildings_label_date_present_if_label": Case(
            "buildings", _set(1, label_valid_until=None), text="hvor energy_label er udfyldt"
        ),
        "buildings_label_date_absent_if_no_label": Case(
            "buildings", _set(1, energy_label=None), text="hvor energy_label er tom"
        ),
        "buildings_count_year_over_year": Case(
            "buildings",
            row=None,
            previous=_more_rows(10),
            text="Antallet af bygninger er faldet med 70 % fra 2023 til 2024",
        ),
        "construction_projects_completed_on_within_year": Case(
            "construction_projects",
            _set(1, completed_on="2023-12-31"),
            text="datoen 31. december 2023",
        ),
        "construction_projects_floor_area_positive": Case(
            "construction_projects", _set(1, floor_area_m2=-10.0), text="værdien -10"
        ),
        "construction_projects_floor_area_plausible": Case(
            "construction_projects", _set(1, floor_area_m2=150000.0), text="150.000"
        ),
        "construction_projects_lca_result_present_if_lca": Case(
            "construction_projects",
            _set(2, lca_gwp_kg_co2e_m2_year=None),
            row=4,
            text='hvor lca_performed er "ja"',
        ),
        "construction_projects_lca_result_absent_if_no_lca": Case(
            "construction_projects", _set(1, lca_gwp_kg_co2e_m2_year=9.5), text="værdien 9,5"
        ),
        "construction_projects_lca_result_range": Case(
            "construction_projects",
            _set(0, lca_gwp_kg_co2e_m2_year=75.5),
            row=2,
            text="værdien 75,5",
        ),
        "construction_projects_recycled_share_range": Case(
            "construction_projects", _set(1, recycled_material_share_pct=120.0), text="værdien 120"
        ),
        "fleet_in_service_since_plausible": Case(
            "fleet", _set(1, in_service_since="2025-02-01"), text="datoen 1. februar 2025"
        ),
        "fleet_size_year_over_year": Case(
            "fleet",
            row=None,
            previous=_more_rows(10),
            text="Vognparken er faldet med 70 % fra 2023 til 2024 (over ±30 %).",
        ),
        "waste_tonnes_non_negative": Case("waste", _set(1, tonnes=-3.5), text="værdien -3,5"),
        "waste_fraction_treatment_unique": Case(
            "waste",
            _duplicate(0, 1, "fraction", "treatment"),
            text='kombinationen "madaffald / genanvendelse" forekommer 2 gange',
        ),
        "waste_total_tonnes_year_over_year": Case(
            "waste",
            row=None,
            previous=_scaled("tonnes", 2.0),
            text="Den samlede mængde husholdningsaffald er faldet med 50 % fra 2023 til 2024",
        ),
        "actions_expected_reduction_non_negative": Case(
            "actions", _set(1, expected_reduction_t_co2e_2030=-5.0), text="værdien -5"
        ),
        "actions_kpi_known": Case("actions", _set(1, kpi="co2_total"), text='værdien "co2_total"'),
        # references between datasets: a project's building_id must be in the buildings delivered
        "construction_projects_building_known": Case(
            "construction_projects",
            _set(1, building_id="B9"),
            with_datasets=("buildings",),
            text='kolonne building_id: værdien "B9"; forventet et building_id fra '
            f"data/raw/{YEAR}/{{code}}/buildings.csv (kommunale bygninger).",
        ),
        "construction_projects_building_known_for_br18": Case(
            "construction_projects",  # a new build judged by its building's use: only from July 2025
            _set(1, building_id="B9", completed_on="2025-08-01", lca_performed="ja",
                 lca_gwp_kg_co2e_m2_year=7.0),
            with_datasets=("buildings",),
            also_fails={"construction_projects_completed_on_within_year"},
            text='værdien "B9"; forventet et building_id fra '
            f"data/raw/{YEAR}/{{code}}/buildings.csv (kommunale bygninger) (gælder nybyggeri afsluttet "
            "fra 1. juli 2025 med et LCA-resultat).",
        ),
        # emissions: rows[4] is 2021's total without agriculture (row 6), so changing it leaves the
        # sectors and the other total consistent; rows[3] and rows[8] are the totals with agriculture
        "emissions_data_year_not_null": Case(
            "emissions", _set(4, data_year=None), row=6, text="feltet er tomt"
        ),
        "emissions_data_year_plausible": Case(
            "emissions",
            _set(4, data_year=2025),
            row=6,
            text="værdien 2025; forventet et dataår fra 1990 til og med 2023",
            also_fails={"emissions_data_years_contiguous"},  # 2023 and 2024 are then missing
        ),
        "emissions_sector_not_null": Case(
            "emissions", _set(4, sector=None), row=6, text="feltet er tomt"
        ),
        "emissions_sector_in_set": Case(
            "emissions", _set(4, sector="samlet"), row=6, text='værdien "samlet"'
        ),
        "emissions_total_scope_known": Case(
            "emissions",
            _set(4, sector="samlet_uafklaret"),
            row=6,
            text="(dataår 2021, sektor samlet_uafklaret, enhed t_co2e)",
        ),
        "emissions_unit_not_null": Case("emissions", _set(4, unit=None), row=6, text="feltet er tomt"),
        "emissions_unit_in_set": Case("emissions", _set(4, unit="kt_co2e"), row=6, text='"kt_co2e"'),
        "emissions_value_not_null": Case(
            "emissions", _set(4, value=None), row=6, text="kolonne t_co2e (dataår 2021"
        ),
        "emissions_value_non_negative": Case(
            "emissions",
            _append({"data_year": 2022, "sector": "spildevand", "unit": "t_co2e", "value": -0.5},
                    then=_set(8, value=166.5)),
            row=11,
            text="værdien -0,5; forventet et tal på mindst 0 (gælder rækker, hvor sector ikke er",
        ),
        "emissions_value_unique": Case(
            "emissions",
            _duplicate(3, 4, "sector", "value"),
            row=6,
            text='kombinationen "2021 / samlet_med_landbrug / t_co2e" forekommer 2 gange',
        ),
        "emissions_sectors_add_up": Case(
            "emissions",
            _set(3, value=190.0),
            row=5,
            text="værdien 190; forventet summen af sektorerne, 180, med højst ±0,5 % afvigelse",
        ),
        "emissions_data_years_contiguous": Case(
            "emissions",
            _shift_year(2022, 2023),
            row=None,
            text="udgaven har dataår 2021–2023, men 2022 mangler; forventet en sammenhængende række",
        ),
        "emissions_sector_year_to_year": Case(
            "emissions",
            _set(5, value=130.0, then=_set(8, value=207.0)),
            row=7,
            text="kolonne t_co2e (dataår 2022, sektor energi, enhed t_co2e): værdien 130; forventet "
            "højst ±25 % ændring fra 2021 (100), men ændringen er +30 %",
        ),
        "emissions_restated": Case(
            "emissions",
            row=2,
            previous=lambda rows: [dict(r, value=104.0) if i == 0 else r for i, r in enumerate(rows)],
            text="værdien 100; forventet 104 som i sidste års udgave (revideret af kilden)",
        ),
        # building_energy: rows[1] is B2 (natural gas in m³, row 3), rows[2] B3 (heating oil, row 4)
        "building_energy_electricity_non_negative": Case(
            "building_energy", _set(1, electricity_kwh=-500.0), text="værdien -500; forventet et tal på mindst 0"
        ),
        "building_energy_district_heating_non_negative": Case(
            "building_energy", _set(0, district_heating_kwh=-1.5), row=2, text="værdien -1,5"
        ),
        "building_energy_natural_gas_m3_non_negative": Case(
            "building_energy", _set(1, natural_gas_m3=-10.0), text="værdien -10"
        ),
        "building_energy_natural_gas_kwh_non_negative": Case(
            "building_energy", _set(0, natural_gas_kwh=-5.0), row=2, text="værdien -5"
        ),
        "building_energy_heating_oil_non_negative": Case(
            "building_energy", _set(2, heating_oil_l=-9000.0), row=4, text="værdien -9.000"
        ),
        "building_energy_water_non_negative": Case(
            "building_energy", _set(1, water_m3=-1.0), text="kolonne water_m3: værdien -1"
        ),
        "building_energy_quantity_present": Case(
            "building_energy",
            _set(1, electricity_kwh=None, natural_gas_m3=None, water_m3=None),
            text="kolonne electricity_kwh: feltet er tomt; forventet mindst ét forbrug i rækken "
            "(electricity_kwh, district_heating_kwh, natural_gas_m3, natural_gas_kwh, heating_oil_l eller "
            "water_m3) (gælder rækker, hvor district_heating_kwh, natural_gas_m3, natural_gas_kwh, "
            "heating_oil_l og water_m3 alle er tomme).",
        ),
        "building_energy_natural_gas_one_unit": Case(
            "building_energy",
            _set(1, natural_gas_kwh=1100000.0),
            text="kolonne natural_gas_kwh: værdien 1.100.000; forventet et tomt felt, fordi naturgassen allerede "
            "står i m³ (natural_gas_m3); opgiv den i én enhed (gælder rækker, hvor natural_gas_m3 er udfyldt).",
        ),
        "building_energy_building_known": Case(
            "building_energy",
            _set(1, building_id="B9"),
            with_datasets=("buildings",),
            text='kolonne building_id: værdien "B9"; forventet et building_id fra '
            f"data/raw/{YEAR}/{{code}}/buildings.csv (kommunale bygninger).",
        ),
        "building_energy_heat_per_m2_plausible": Case(  # three schools: 130, 137,5 and 1.398,5 kWh/m²
            "building_energy",
            _set(2, heating_oil_l=90000.0),
            row=4,
            with_datasets=("buildings",),
            with_mutate=lambda others: [b.update(use="skole") for b in others["buildings"]],
            text="kolonne heating_oil_l: varmeforbruget er 909.000 kWh på 650 m² opvarmet areal, dvs. 1.398,5 "
            "kWh pr. m² (bygning B3); forventet højst 3 × medianen for kommunens bygninger med anvendelsen "
            '"skole": 3 × 137,5 = 412,5 kWh pr. m² (3 bygninger).',
        ),
        "building_energy_electricity_per_m2_plausible": Case(  # three schools: 38, 32 and 369,2 kWh/m²
            "building_energy",
            _set(2, electricity_kwh=240000.0),
            row=4,
            with_datasets=("buildings",),
            with_mutate=lambda others: [b.update(use="skole") for b in others["buildings"]],
            text="kolonne electricity_kwh: elforbruget er 240.000 kWh på 650 m² opvarmet areal, dvs. 369,2 kWh "
            'pr. m² (bygning B3); forventet højst 3 × medianen for kommunens bygninger med anvendelsen "skole"',
        ),
        "building_energy_heat_year_over_year": Case(
            "building_energy",
            row=2,
            previous=lambda rows: [dict(r, district_heating_kwh=1300000.0) if i == 0 else r
                                   for i, r in enumerate(rows)],
            text="kolonne district_heating_kwh: varmeforbruget er 650.000 kWh i 2024 mod 1.300.000 kWh i 2023 "
            "(−50 %, bygning B1); forventet højst ±30 % ændring fra sidste år.",
        ),
        "building_energy_electricity_year_over_year": Case(
            "building_energy",
            previous=lambda rows: [dict(r, electricity_kwh=128000.0) if i == 1 else r
                                   for i, r in enumerate(rows)],
            text="kolonne electricity_kwh: elforbruget er 256.000 kWh i 2024 mod 128.000 kWh i 2023 "
            "(+100 %, bygning B2); forventet højst ±30 % ændring fra sidste år.",
        ),
        # transport_energy: rows[1] is own vehicles' electricity (row 3), rows[2] taxi diesel (row 4)
        "transport_energy_amount_non_negative": Case(
            "transport_energy", _set(1, amount=-100.0), text="kolonne amount: værdien -100"
        ),
        "transport_energy_unit_fits_fuel": Case(
            "transport_energy",
            _set(1, unit="l"),
            text='kolonne fuel, unit: kombinationen "el / l"; forventet en enhed, der passer til brændstoffet: '
            "l for diesel, benzin og hvo; kwh for el; kg eller nm3 for biogas, gas og brint (km kun ved kørsel "
            "i egen bil).",
        ),
        "transport_energy_km_only_for_own_car": Case(
            "transport_energy",
            _set(2, unit="km"),
            row=4,
            text='kolonne unit: værdien "km"; forventet en mængde i l, kwh, kg eller nm3; km kun ved kørsel i '
            'egen bil (koersel_i_egen_bil) (gælder rækker, hvor source ikke er "koersel_i_egen_bil").',
        ),
        "transport_energy_source_fuel_unit_unique": Case(
            "transport_energy",
            _set(2, source="egne_koeretoejer"),
            row=4,
            text='kombinationen "egne_koeretoejer / diesel / l" forekommer 2 gange',
        ),
        # cross-table checks (no GX)
        "delivery_not_empty": Case(
            None, row=None, delivered={}, text="ikke leveret nogen af de fem datasæt"
        ),
        "datasets_complete": Case(
            None,
            row=None,
            delivered={d: None for d in schema.DATASET_NAMES if d != "waste"},
            text="husholdningsaffald (waste) er ikke leveret for 2024",
        ),
        "targets_file_valid": Case(
            None,
            row=None,
            delivered={d: None for d in schema.DATASET_NAMES},
            targets="source: Klimaplan\ntargets:\n  residual_waste_share:\n"
            "    target: {year: 2030, value: 25 procent}\n",
            text="linje 4, nøgle 'targets.residual_waste_share.target.value': værdien i target skal være "
            "et tal (værdi: '25 procent'); forventet: en procent mellem 0 og 100",
        ),
    }
)


def valid_targets(code: int) -> str:
    """A targets file that passes targets_file_valid."""
    return (f"municipality_code: {code}\nsource: Klimaplan\ntargets:\n  household_recycling_rate:\n"
            "    target: {year: 2030, value: 60.0}\n")


@dataclass
class Batch:
    """Crafted municipalities validated together: one registry code each (there are 98), so the cases
    come in as many batches as they need; columns cases need their own run within a batch."""

    main: Delivery = field(default_factory=Delivery)
    columns: Delivery = field(default_factory=Delivery)
    previous: Delivery = field(default_factory=lambda: Delivery(YEAR - 1))
    known: list = field(default_factory=lambda: sorted(registry.load()))
    targets: dict = field(default_factory=dict)  # code → targets file text

    def code(self) -> int | None:
        return self.known.pop(0) if self.known else None


def _add_case(batch: Batch, code: int, case: Case) -> None:
    if case.delivered is not None:
        batch.main.add(code, {d: valid_rows(d) for d in case.delivered})
        return
    rows = valid_rows(case.dataset)
    if case.mutate:
        case.mutate(rows)
    year = {r.pop("year") for r in rows if "year" in r}
    target = batch.columns if case.extra_column else batch.main
    others = {d: valid_rows(d) for d in case.with_datasets}
    if case.with_mutate:
        case.with_mutate(others)
    target.add(
        code,
        {case.dataset: rows, **others},
        {case.dataset: {"ekstra": "x"}} if case.extra_column else None,
    )
    if year:  # a row from another year: overwrite the provenance column on that row
        frame = target.frames[case.dataset][-1]
        frame.loc[frame["source_row"] == case.row, "year"] = np.int64(year.pop())
    if case.previous:
        batch.previous.add(code, {case.dataset: case.previous(valid_rows(case.dataset))})


def _add_scenarios(batch: Batch, scenarios: dict[str, int]) -> None:
    main, previous = batch.main, batch.previous
    main.add(scenarios["valid"], all_valid())
    previous.add(scenarios["valid"], all_valid())
    shrunk = all_valid()
    shrunk["fleet"] = [dict(valid_rows("fleet")[i % 3], vehicle_id=f"V{i}") for i in range(6)]
    main.add(scenarios["fleet_shrink"], shrunk)
    prev = all_valid()
    prev["fleet"] = [dict(valid_rows("fleet")[i % 3], vehicle_id=f"V{i}") for i in range(10)]
    previous.add(scenarios["fleet_shrink"], prev)
    negative = all_valid()
    negative["waste"][1]["tonnes"] = -3.5
    main.add(scenarios["negative_tonnes"], negative)
    info = all_valid()
    info["buildings"][0]["heated_area_m2"] = 120000.0
    main.add(scenarios["info_only"], info)


SCENARIOS = ("valid", "fleet_shrink", "negative_tonnes", "info_only")


def build_case_inputs():
    """Crafted municipalities (one case each) plus scenarios, in batches; returns the batches, each case's
    and scenario's code and batch index."""
    batches = [Batch()]
    codes: dict[str, int] = {}
    where: dict[str, int] = {}  # case or scenario → its batch
    for rule in sorted(CASES):
        case = CASES[rule]
        code = case.code or batches[-1].code()
        if code is None:
            batches.append(Batch())
            code = batches[-1].code()
        codes[rule], where[rule] = code, len(batches) - 1
        if case.targets is not None:
            batches[-1].targets[code] = case.targets
        _add_case(batches[-1], code, case)
    if len(batches[-1].known) < len(SCENARIOS):
        batches.append(Batch())
    scenarios = {name: batches[-1].code() for name in SCENARIOS}
    where.update({name: len(batches) - 1 for name in SCENARIOS})
    _add_scenarios(batches[-1], scenarios)
    return batches, codes, scenarios, where


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    """Every case's and scenario's validation result, keyed by its name."""
    batches, codes, scenarios, where = build_case_inputs()
    by_batch = []
    for batch in batches:
        targets_dir = tmp_path_factory.mktemp("targets")
        for code in [*batch.main.manifest.municipalities, *batch.columns.manifest.municipalities]:
            text = batch.targets.get(code, valid_targets(code))
            (targets_dir / f"{code:03d}.yaml").write_text(text, encoding="utf-8")
        results = validate.validate_year(YEAR, batch.main.tables, batch.main.manifest, batch.previous.tables,
                                         targets_dir=targets_dir)
        if batch.columns.manifest.municipalities:
            results.update(validate.validate_year(YEAR, batch.columns.tables, batch.columns.manifest,
                                                  targets_dir=targets_dir))
        by_batch.append(results)
    named = {**codes, **scenarios}
    return {
        "results": {name: by_batch[where[name]][named[name]] for name in named},
        "codes": codes,
        "scenarios": scenarios,
        "batches": {name: batches[where[name]] for name in named},
    }


def _failed_rules(result) -> set[str]:
    return {r["rule"] for r in result.rules if r["outcome"] in ("failed", "error")}


# --- the suites themselves -----------------------------------------------------------------


@pytest.mark.parametrize("dataset", schema.DATASET_NAMES)
def test_suite_loads_in_plain_gx(dataset):
    import great_expectations as gx

    with open(SUITE_FILES[dataset], encoding="utf-8") as f:
        document = json.load(f)
    suite = gx.ExpectationSuite(**document)
    assert suite.name == dataset
    # GX silently drops expectations it cannot parse; every one must survive.
    assert len(suite.expectations) == len(document["expectations"]), (
        f"GX dropped expectations from {SUITE_FILES[dataset]}; "
        "run it through gx.ExpectationSuite to see why"
    )
    assert {e.severity.value for e in suite.expectations} <= set(checks.SEVERITIES)
    assert {e.meta["rule"] for e in suite.expectations} == {
        e["meta"]["rule"] for e in document["expectations"]
    }


@pytest.mark.parametrize("dataset", schema.DATASET_NAMES)
def test_suite_metadata_is_complete(dataset):
    suite = SUITES[dataset]
    assert suite["name"] == dataset
    assert suite["meta"]["version"], "bump meta.version when a rule changes"
    for exp in suite["expectations"]:
        rule = exp["meta"]["rule"]
        assert rule.startswith(f"{dataset}_"), f"{rule}: rule names start with the dataset name"
        assert exp["severity"] in checks.SEVERITIES, rule
        assert len(exp["notes"]) > 40, (
            f"{rule}: notes must say in plain Danish what the rule protects against"
        )
        assert exp["description"], rule


def test_rule_names_are_unique_across_suites():
    names = [e["meta"]["rule"] for s in SUITES.values() for e in s["expectations"]] + list(
        PIPELINE_RULES
    )
    assert len(names) == len(set(names))
    assert load_suites().keys() == SUITES.keys()


def test_required_columns_rule_lists_the_schema():
    for dataset in SUITES:
        exp = GX_RULES[f"{dataset}_columns_match"][1]
        assert (
            exp["kwargs"]["column_set"] == schema.DATASETS[dataset].column_names + schema.PROVENANCE
        )
        assert exp["kwargs"]["exact_match"] is True


def test_municipality_codes_equal_the_registry():
    registry_codes = sorted(registry.load())
    for dataset in schema.DATASET_NAMES:
        exp = GX_RULES[f"{dataset}_municipality_code_known"][1]
        assert sorted(exp["kwargs"]["value_set"]) == registry_codes, (
            f"regenerate value_set in {SUITE_FILES[dataset]} from {config.MUNICIPALITIES_CSV}"
        )


def test_category_sets_equal_the_schema():
    in_set = {
        r: e
        for r, (d, e) in GX_RULES.items()
        if e["type"] == "expect_column_values_to_be_in_set"
        and e["kwargs"]["column"] != "municipality_code"
    }
    for rule, exp in in_set.items():
        dataset = GX_RULES[rule][0]
        column = exp["kwargs"]["column"]
        if column == "kpi":
            assert exp["kwargs"]["value_set"] == list(KPI_IDS)
        else:
            assert (
                tuple(exp["kwargs"]["value_set"]) == schema.DATASETS[dataset].column(column).allowed
            ), rule
    categorical = {
        (d, c.name) for d, info in schema.DATASETS.items() for c in info.columns if c.allowed
    }
    covered = {(GX_RULES[r][0], e["kwargs"]["column"]) for r, e in in_set.items()}
    assert categorical <= covered, (
        f"categorical columns without an in-set rule: {categorical - covered}"
    )


def test_every_rule_has_a_crafted_failing_case():
    missing = sorted(set(ALL_RULES) - set(CASES))
    stale = sorted(set(CASES) - set(ALL_RULES))
    assert not missing, f"add a crafted failing case to CASES in {__file__} for: {missing}"
    assert not stale, f"CASES has cases for rules that no longer exist: {stale}"


# --- each rule fails on its crafted case -----------------------------------------------------


@pytest.mark.parametrize("rule", ALL_RULES)
def test_rule_fails_on_crafted_case(crafted, rule):
    assert rule in CASES, f"add a crafted failing case for {rule} to CASES"
    case = CASES[rule]
    code = crafted["codes"][rule]
    result = crafted["results"][rule]
    severity = GX_RULES[rule][1]["severity"] if rule in GX_RULES else PIPELINE_RULES[rule]["severity"]
    failures = [f for f in result.failures_detail if f["rule"] == rule]
    assert failures, (
        f"{rule} did not fail on its crafted case; failed instead: {_failed_rules(result)}"
    )
    expected_other = {"datasets_complete"} if case.delivered is None else set()
    assert _failed_rules(result) - {rule} == expected_other | case.also_fails, (
        f"the crafted case for {rule} must fail only that rule"
    )
    assert {f["severity"] for f in failures} == {severity}
    assert result.status == ("blocked" if severity == "critical" else "published")
    messages = " | ".join(f["message"] for f in failures)
    text = case.text.replace("{code}", str(code))
    assert text in messages, f"{rule}: expected {text!r} in {messages!r}"
    if case.dataset is not None:
        assert all(f["dataset"] == case.dataset for f in failures)
    if case.row is not None:
        here = [f for f in failures if f["row"] == case.row]
        assert here, f"{rule}: no failure on row {case.row}: {messages}"
        f = here[0]
        assert f["source_file"] == source_file(case.dataset, code)
        assert f["message"].startswith(
            f"{source_file(case.dataset, code)}, række {case.row}, kolonne "
        )
        assert "forventet" in f["message"]
        gx_type = GX_RULES[rule][1]["type"] if rule in GX_RULES else checks.CHECK_TYPE
        assert f["expectation_type"] == gx_type
    elif case.dataset is not None:
        assert failures[0]["row"] is None


# --- gating, caveats and the cross-table checks ----------------------------------------------


def test_valid_input_passes_with_no_failures(crafted):
    result = crafted["results"]["valid"]
    assert result.status == "published"
    assert result.highest_failed_severity is None
    assert result.failures == {"critical": 0, "warning": 0, "info": 0}
    assert result.failures_detail == [] and result.caveats == []
    assert result.datasets_delivered == schema.DATASET_NAMES and result.datasets_missing == []
    assert result.rules_checked == len(GX_RULES) + len(PIPELINE_RULES)
    assert {r["outcome"] for r in result.rules} == {"passed"}
    assert set(result.gx_results) == set(schema.DATASET_NAMES)
    assert all(
        r["success"] and r["statistics"]["unsuccessful_expectations"] == 0
        for r in result.gx_results.values()
    )


def test_negative_tonnage_blocks_with_file_row_and_value(crafted):
    code = crafted["scenarios"]["negative_tonnes"]
    result = crafted["results"]["negative_tonnes"]
    assert result.status == "blocked" and result.highest_failed_severity == "critical"
    [failure] = [f for f in result.failures_detail if f["rule"] == "waste_tonnes_non_negative"]
    assert failure["source_file"] == f"data/raw/{YEAR}/{code}/waste.csv"
    assert failure["row"] == 3 and failure["value"] == "-3.5" and failure["column"] == "tonnes"
    assert failure["message"] == (
        f"data/raw/{YEAR}/{code}/waste.csv, række 3, kolonne tonnes: værdien -3,5; "
        "forventet et tal på mindst 0."
    )
    assert result.summary().status == "blocked" and result.summary().to_dict()["status"] == "blocked"


def test_warning_only_is_published_with_caveat_on_the_right_kpis(crafted):
    rule = "buildings_label_date_present_if_label"
    result = crafted["results"][rule]
    assert result.status == "published" and result.highest_failed_severity == "warning"
    [caveat] = [c for c in result.caveats if c["rule"] == rule]
    assert caveat["kpis"] == [k for k, d in KPI_DATASET.items() if d == "buildings"]
    assert caveat["severity"] == "warning" and caveat["dataset"] == "buildings"
    assert "1 af 2 rækker" in caveat["message"]


def test_forty_percent_fleet_shrink_gives_warning_caveat(crafted):
    result = crafted["results"]["fleet_shrink"]
    assert result.status == "published" and result.highest_failed_severity == "warning"
    assert result.failures == {"critical": 0, "warning": 1, "info": 0}
    [caveat] = result.caveats
    assert caveat == {
        "dataset": "fleet",
        "kpis": ["zero_emission_share_passenger_cars", "zero_emission_share_vans"],
        "severity": "warning",
        "rule": "fleet_size_year_over_year",
        "message": "Vognparken er faldet med 40 % fra 2023 til 2024 (over ±30 %).",
    }
    rule = next(r for r in result.rules if r["rule"] == "fleet_size_year_over_year")
    assert rule["outcome"] == "failed" and "tilladt 7–13" in rule["observed"]


def test_year_over_year_is_skipped_without_last_year(crafted):
    result = crafted["results"]["negative_tonnes"]
    skipped = {r["rule"]: r for r in result.rules if r["outcome"] == "skipped"}
    assert set(skipped) == {
        "buildings_count_year_over_year",
        "fleet_size_year_over_year",
        "waste_total_tonnes_year_over_year",
        "building_energy_heat_year_over_year",
        "building_energy_electricity_year_over_year",
    }
    assert all("ingen data for 2023" in r["message"] for r in skipped.values())
    assert result.rules_checked == len(GX_RULES) + len(PIPELINE_RULES) - 5


def test_missing_dataset_gives_completeness_warning(crafted):
    result = crafted["results"]["datasets_complete"]
    assert result.status == "published" and result.datasets_missing == ["waste"]
    [caveat] = result.caveats
    assert caveat["rule"] == "datasets_complete" and caveat["dataset"] == "waste"
    assert caveat["kpis"] == [
        "household_recycling_rate",
        "plastic_recycling_rate",
        "residual_waste_share",
    ]
    assert result.failures["warning"] == 1


def test_info_failure_publishes_without_caveat(crafted):
    result = crafted["results"]["info_only"]
    assert result.status == "published" and result.highest_failed_severity == "info"
    assert result.failures == {"critical": 0, "warning": 0, "info": 1} and result.caveats == []


def test_unknown_municipality_code_gets_a_placeholder_name(crafted):
    result = crafted["results"]["waste_municipality_code_known"]
    assert result.slug.endswith("-ukendt") and result.status == "blocked"


def test_split_results_equal_a_direct_gx_run_per_municipality(crafted):
    """The per-municipality split of the whole-table run equals GX run on one municipality."""
    gx_runner = runner.get_runner()
    params = {
        "year": YEAR,
        "year_start": f"{YEAR}-01-01T00:00:00",
        "year_end": f"{YEAR}-12-31T23:59:59",
    }
    picks = [
        "buildings_label_date_present_if_label",
        "construction_projects_lca_result_present_if_lca",
        "waste_fraction_treatment_unique",
        "fleet_propulsion_in_set",
        "actions_action_id_unique",
        "fleet_size_year_over_year",
        "building_energy_quantity_present",  # a condition of five columns ("and")
        "transport_energy_unit_fits_fuel",  # a column pair
        "transport_energy_km_only_for_own_car",
    ]
    for rule in picks:
        code, dataset = crafted["codes"][rule], CASES[rule].dataset
        main, previous = crafted["batches"][rule].main, crafted["batches"][rule].previous
        own = main.tables[dataset]
        own = runner.prepare(own[own["municipality_code"] == code])
        run_params = dict(params)
        for exp in SUITES[dataset]["expectations"]:
            if exp["meta"].get("check"):
                before = checks.previous_value(
                    exp, previous.tables[dataset].query("municipality_code == @code")
                )
                if before:
                    low, high = checks.year_over_year_bounds(exp, before)
                    (
                        run_params[f"{exp['meta']['rule']}_min"],
                        run_params[f"{exp['meta']['rule']}_max"],
                    ) = low, high
        skip = frozenset(
            e["meta"]["rule"]
            for e in SUITES[dataset]["expectations"]
            if e["meta"].get("check") and f"{e['meta']['rule']}_min" not in run_params
        )
        direct = gx_runner.run(dataset, own, SUITES[dataset], skip, run_params)
        split = crafted["results"][rule].gx_results[dataset]
        by_rule = lambda doc: {
            r["expectation_config"]["meta"]["rule"]: (r["success"], r["result"])
            for r in doc["results"]
        }
        assert by_rule(split) == by_rule(direct), (
            f"split differs from a direct GX run for {dataset} ({rule})"
        )
        assert split["statistics"] == direct["statistics"] and split["success"] == direct["success"]


# --- writing results, cost of import, quiet output -------------------------------------------


def test_write_results_writes_summary_and_gx_json_atomically(crafted, tmp_path):
    results = {
        crafted["scenarios"][name]: crafted["results"][name] for name in ("negative_tonnes", "fleet_shrink")
    }
    paths = year_paths(tmp_path)
    written = validate.write_results(results, paths)
    folder = tmp_path / "reports" / str(YEAR) / "validation"
    assert paths.validation == folder
    assert len(written) == 4 and sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in written
    )
    code = crafted["scenarios"]["negative_tonnes"]
    slug = registry.get(code).slug
    summary = json.loads((folder / f"{slug}.summary.json").read_text(encoding="utf-8"))
    assert list(summary) == SUMMARY_KEYS
    assert summary["status"] == "blocked" and summary["page"] == f"validation/{slug}.html"
    assert set(summary["provenance"]) == {"version", "commit", "dirty", "generated", "inputs"}
    assert set(summary["failures_detail"][0]) == {
        "dataset",
        "rule",
        "expectation_type",
        "column",
        "severity",
        "note",
        "source_file",
        "row",
        "value",
        "message",
    }
    assert summary == results[code].summary().to_dict()
    document = json.loads((folder / f"{slug}.json").read_text(encoding="utf-8"))
    assert set(document["results"]) == set(schema.DATASET_NAMES)
    assert document["results"]["waste"]["success"] is False
    reloaded = validate.load_results(paths)
    assert sorted(reloaded) == sorted(results)
    assert reloaded[code].summary() == results[code].summary()
    assert reloaded[code].rules == results[code].rules


IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import pipeline

names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
for name in ("pipeline.validate.runner", "pipeline.validate.pages", "pipeline.validate.checks",
             "pipeline.account.kpis.lca", "pipeline.account.sections.kpis",
             "pipeline.account.notebook", "pipeline.publish.overview"):
    assert name in names, f"{name} was not imported"
assert "great_expectations" not in sys.modules, "GX imported at module level"
import pipeline.validate.runner
pipeline.validate.runner.get_runner()
assert "great_expectations" in sys.modules, "the runner must import GX when validation runs"
"""


def test_importing_the_modules_does_not_import_gx():
    """Every module of the package (pipeline.validate.*, pipeline.account.*, pipeline.publish.*, ...)
    imports without GX; only validate.runner imports it, once validation runs."""
    proc = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], cwd=config.ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_only_the_runner_imports_gx():
    importers = set()
    for path in sorted(config.PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            if any(m.split(".")[0] == "great_expectations" for m in modules):
                importers.add(path.relative_to(config.PACKAGE).as_posix())
    assert importers == {"validate/runner.py"}


def test_validation_prints_nothing(capfd, monkeypatch):
    monkeypatch.setattr(runner, "_RUNNER", None)  # a fresh GX context, built inside the capture
    delivery = Delivery().add(151, {"waste": valid_rows("waste")})
    validate.validate_year(YEAR, delivery.tables, delivery.manifest)
    out, err = capfd.readouterr()
    assert out == "" and err == "", f"GX leaked output (progress bars?): {(out + err)[:300]!r}"


def test_manifest_without_table_is_refused():
    manifest = Manifest(YEAR, municipalities={
        151: MunicipalityDelivery({"waste": DeliveredFile("x", "0" * 64, 1)}, [])})
    with pytest.raises(ValueError, match="load_processed"):
        validate.validate_year(YEAR, {}, manifest)


def test_missing_column_blocks_and_dependent_rules_report_errors():
    delivery = Delivery().add(840, all_valid())
    tables = delivery.tables
    tables["buildings"] = tables["buildings"].drop(columns=["use"])
    result = validate.validate_year(YEAR, tables, delivery.manifest)[840]
    assert result.status == "blocked"
    outcomes = {r["rule"]: r["outcome"] for r in result.rules}
    assert outcomes["buildings_columns_match"] == "failed"
    assert outcomes["buildings_use_not_null"] == "error"
    [columns] = [f for f in result.failures_detail if f["rule"] == "buildings_columns_match"]
    assert "mangler: use" in columns["message"]
    [error] = [f for f in result.failures_detail if f["rule"] == "buildings_use_not_null"]
    assert "kunne ikke kontrolleres" in error["message"]
