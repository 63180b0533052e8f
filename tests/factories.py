"""Test factories in one place: processed frames, rows that pass every validation rule, deliveries
with their manifest, processed trees on disk, KPI histories, and throw-away copies of the project to
run the real CLI on."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import config, schema
from pipeline.ingest.store import DeliveredFile, Manifest, MunicipalityDelivery, write_processed

ROOT = Path(__file__).resolve().parent.parent
# The documented keys of a validation summary JSON, in order (docs/architecture.md).
SUMMARY_KEYS = [
    "municipality_code",
    "municipality",
    "year",
    "status",
    "highest_failed_severity",
    "datasets_delivered",
    "datasets_missing",
    "rules_checked",
    "failures",
    "caveats",
    "failures_detail",
    "failure_counts",
    "page",
    "provenance",
]
YEAR = 2024
COPIED = ("data/raw", "data/reference", "expectations", "notebooks")
FORMATS = ROOT / "tests" / "fixtures" / "formats"


# --- processed tables ----------------------------------------------------------------------------


def source_file(dataset: str, code: int, year: int = YEAR) -> str:
    return f"data/raw/{year}/{code}/{dataset}.csv"


def frame(dataset: str, rows, code: int = 151, year: int = YEAR, extra: dict | None = None) -> pd.DataFrame:
    """A processed table as ingestion writes it: schema columns, dtypes and provenance.

    `rows`: tuples in the schema's column order, or dicts keyed by column name.
    """
    info = schema.DATASETS[dataset]
    df = pd.DataFrame(list(rows), columns=info.column_names)
    for column in info.columns:
        if column.kind in (schema.TEXT, schema.CATEGORY, schema.YESNO):
            df[column.name] = df[column.name].astype("str").where(df[column.name].notna())
        elif column.kind == schema.FLOAT:
            df[column.name] = pd.to_numeric(df[column.name]).astype("float64")
        elif column.kind == schema.INT:
            df[column.name] = pd.array([None if pd.isna(v) else int(v) for v in df[column.name]],
                                       dtype="Int64")
        elif column.kind == schema.DATE:
            df[column.name] = pd.to_datetime(df[column.name])
    df["municipality_code"] = pd.Series([code] * len(df), dtype="int64")
    df["year"] = pd.Series([year] * len(df), dtype="int64")
    df["source_file"] = pd.Series([source_file(dataset, code, year)] * len(df), dtype="str")
    df["source_row"] = np.arange(2, len(df) + 2, dtype="int64")
    for name, value in (extra or {}).items():
        df[name] = value
    return df


def empty_frame(dataset: str, year: int = YEAR) -> pd.DataFrame:
    return frame(dataset, [], 0, year).iloc[0:0]


class Delivery:
    """Collects municipalities' deliveries into processed tables and a Manifest, as ingestion would."""

    def __init__(self, year: int = YEAR):
        self.year = year
        self.frames: dict[str, list[pd.DataFrame]] = {d: [] for d in schema.DATASET_NAMES}
        self.manifest = Manifest(year, generated_by="tests")

    def add(self, code: int, datasets: dict[str, list], extra: dict[str, dict] | None = None) -> Delivery:
        entry = self.manifest.municipalities.setdefault(code, MunicipalityDelivery())
        for dataset, rows in datasets.items():
            self.frames[dataset].append(frame(dataset, rows, code, self.year, (extra or {}).get(dataset)))
            entry.datasets[dataset] = DeliveredFile(source_file(dataset, code, self.year),
                                                    f"{code:03d}{self.year}{dataset}".ljust(64, "0")[:64],
                                                    len(rows))
        entry.missing = [d for d in schema.REQUIRED_DATASETS if d not in entry.datasets]
        return self

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {d: pd.concat(f, ignore_index=True) if f else empty_frame(d, self.year)
                for d, f in self.frames.items()}


def processed_tree(processed: Path, deliveries: dict[int, dict[int, dict[str, list]]]) -> Path:
    """Write data/processed/<year>/ for {year: {code: {dataset: rows}}} with the real store writer."""
    for year, by_code in deliveries.items():
        delivery = Delivery(year)
        for code, datasets in by_code.items():
            delivery.add(code, datasets)
        write_processed(year, delivery.tables, delivery.manifest, Path(processed))
    return Path(processed)


# --- rows that pass every validation rule --------------------------------------------------------

VALID_ROWS: dict[str, list[dict]] = {
    "buildings": [
        {"building_id": "B1", "name": "Rådhuset", "use": "kontor", "heated_area_m2": 5000.5,
         "energy_label": "C", "label_valid_until": "2030-01-01"},
        {"building_id": "B2", "name": "Skolen", "use": "skole", "heated_area_m2": 8000.0,
         "energy_label": "A2020", "label_valid_until": "2031-06-30"},
        {"building_id": "B3", "name": "Børnehuset", "use": "daginstitution", "heated_area_m2": 650.0,
         "energy_label": None, "label_valid_until": None},
    ],
    "construction_projects": [
        {"project_id": "P1", "building_id": "B1", "project_type": "renovering",
         "completed_on": "2024-03-15", "floor_area_m2": 1200.0, "lca_performed": "ja",
         "lca_gwp_kg_co2e_m2_year": 8.5, "recycled_material_share_pct": 25.0},
        {"project_id": "P2", "building_id": "B2", "project_type": "nybyggeri",
         "completed_on": "2024-09-01", "floor_area_m2": 3000.0, "lca_performed": "nej",
         "lca_gwp_kg_co2e_m2_year": None, "recycled_material_share_pct": 10.0},
        {"project_id": "P3", "building_id": "B3", "project_type": "renovering",
         "completed_on": "2024-11-30", "floor_area_m2": 400.0, "lca_performed": "ja",
         "lca_gwp_kg_co2e_m2_year": 11.0, "recycled_material_share_pct": None},
    ],
    "fleet": [
        {"vehicle_id": "V1", "vehicle_class": "personbil", "propulsion": "el",
         "in_service_since": "2020-01-01"},
        {"vehicle_id": "V2", "vehicle_class": "varebil", "propulsion": "diesel",
         "in_service_since": "2018-05-01"},
        {"vehicle_id": "V3", "vehicle_class": "personbil", "propulsion": "benzin",
         "in_service_since": "2015-03-01"},
    ],
    "waste": [
        {"fraction": "madaffald", "treatment": "genanvendelse", "tonnes": 1500.5},
        {"fraction": "restaffald", "treatment": "forbraending", "tonnes": 9000.0},
        {"fraction": "papir", "treatment": "genanvendelse", "tonnes": 1200.0},
    ],
    "actions": [
        {"action_id": "A1", "area": "energi", "title": "Solceller på skoler", "responsibility": "selv",
         "status": "i_gang", "expected_reduction_t_co2e_2030": 120.0, "kpi": None},
        {"action_id": "A2", "area": "transport", "title": "Elbiler i hjemmeplejen",
         "responsibility": "selv", "status": "gennemfoert", "expected_reduction_t_co2e_2030": 35.0,
         "kpi": "zero_emission_share_passenger_cars"},
        {"action_id": "A3", "area": "affald", "title": "Bedre sortering",
         "responsibility": "faellesskab", "status": "ikke_startet",
         "expected_reduction_t_co2e_2030": None, "kpi": "household_recycling_rate"},
    ],
    "emissions": [  # two data years whose sectors add up to both totals; no sector moves over 25 %
        {"data_year": 2021, "sector": "energi", "unit": "t_co2e", "value": 100.0},
        {"data_year": 2021, "sector": "transport", "unit": "t_co2e", "value": 50.0},
        {"data_year": 2021, "sector": "landbrug", "unit": "t_co2e", "value": 30.0},
        {"data_year": 2021, "sector": "samlet_med_landbrug", "unit": "t_co2e", "value": 180.0},
        {"data_year": 2021, "sector": "samlet_uden_landbrug", "unit": "t_co2e", "value": 150.0},
        {"data_year": 2022, "sector": "energi", "unit": "t_co2e", "value": 90.0},
        {"data_year": 2022, "sector": "transport", "unit": "t_co2e", "value": 48.0},
        {"data_year": 2022, "sector": "landbrug", "unit": "t_co2e", "value": 29.0},
        {"data_year": 2022, "sector": "samlet_med_landbrug", "unit": "t_co2e", "value": 167.0},
    ],
    "building_energy": [  # the three buildings above: 130, 137,5 and 138,5 kWh heat per m²
        {"building_id": "B1", "electricity_kwh": 190000.0, "district_heating_kwh": 650000.0,
         "natural_gas_m3": None, "natural_gas_kwh": None, "heating_oil_l": None, "water_m3": 1000.0,
         "basis": "maalt"},
        {"building_id": "B2", "electricity_kwh": 256000.0, "district_heating_kwh": None,
         "natural_gas_m3": 100000.0, "natural_gas_kwh": None, "heating_oil_l": None, "water_m3": 2400.5,
         "basis": "maalt"},
        {"building_id": "B3", "electricity_kwh": 24000.0, "district_heating_kwh": None,
         "natural_gas_m3": None, "natural_gas_kwh": None, "heating_oil_l": 9000.0, "water_m3": 230.0,
         "basis": "estimeret"},
    ],
    "transport_energy": [
        {"source": "egne_koeretoejer", "fuel": "diesel", "amount": 12500.5, "unit": "l"},
        {"source": "egne_koeretoejer", "fuel": "el", "amount": 21000.0, "unit": "kwh"},
        {"source": "taxakoersel", "fuel": "diesel", "amount": 3100.0, "unit": "l"},
        {"source": "koersel_i_egen_bil", "fuel": "benzin", "amount": 35000.0, "unit": "km"},
    ],
}


def valid_rows(dataset: str) -> list[dict]:
    """Rows (a fresh copy; three, nine for emissions, four for transport_energy) that pass every rule of
    the dataset's suite."""
    return copy.deepcopy(VALID_ROWS[dataset])


def all_valid() -> dict[str, list[dict]]:
    """A complete delivery that passes every validation rule: {dataset: valid_rows(dataset)}."""
    return {d: valid_rows(d) for d in schema.DATASET_NAMES}


# --- KPI histories -------------------------------------------------------------------------------


def history(kpi_id: str, pairs) -> pd.DataFrame:
    """A KPI history as account.kpis.compute_history returns it: [(year, value), ...]."""
    from pipeline.account.kpis import KPI_DEFS

    return pd.DataFrame({"year": [y for y, _ in pairs], "kpi_id": kpi_id,
                         "value": [v for _, v in pairs], "unit": KPI_DEFS[kpi_id].unit})


# --- project copies and the real CLI -------------------------------------------------------------


def make_project_copy(dest: Path) -> Path:
    """A throw-away project root with the committed inputs (raw data is never touched in place)."""
    for rel in COPIED:
        shutil.copytree(ROOT / rel, dest / rel)
    (dest / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (dest / "reports").mkdir(exist_ok=True)
    return dest


def year_paths(root: Path, year: int = YEAR) -> config.YearPaths:
    """The YearPaths of a project copy."""
    return config.YearPaths(year, root / "data" / "raw", root / "data" / "processed", root / "reports")


def run_pipeline(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m pipeline ARGS` against ROOT in a new process, as `make` would."""
    env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(args)} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr[-6000:]}")
    return proc


def synthetic_kpi_table(codes, year: int = YEAR, seed: int = 13, overrides: dict | None = None) -> pd.DataFrame:
    """A KPI table (account.kpi_table's COLUMNS and DTYPES) for CODES in the report year, without computing
    any KPI: seeded values on each KPI's scale, every status, some values missing and some caveats.
    OVERRIDES: {(code, kpi_id): value} for hand-computed cases (None = missing)."""
    from pipeline.account import kpi_table
    from pipeline.account.kpis.meta import all_defs
    from pipeline.account.status import KPI_STATUSES, NO_DATA

    rng = np.random.default_rng(seed)
    rows = []
    for code in sorted(codes):
        for kpi_id, d in all_defs().items():
            top = {"%": 100.0, "antal": 40.0, "t CO2e": 600_000.0}.get(d.unit, 50.0)
            value = None if rng.random() < 0.04 else round(float(rng.uniform(0, top)), 3)
            value = (overrides or {}).get((code, kpi_id), value)
            status = NO_DATA if value is None else KPI_STATUSES[int(rng.integers(0, len(KPI_STATUSES) - 1))]
            rows.append({"municipality_code": code, "year": year, "data_year": year, "kpi_id": kpi_id,
                         "value": np.nan if value is None else value, "unit": d.unit, "status": status,
                         "caveat": bool(rng.random() < 0.05)})
    table = pd.DataFrame(rows).reindex(columns=kpi_table.COLUMNS)
    return table.astype(kpi_table.DTYPES)


def overview_year(root: Path, table: pd.DataFrame, year: int = YEAR, blocked=()) -> config.YearPaths:
    """A year as the overview reads it, without running the pipeline: TABLE as the KPI table, a validation
    summary for each of its municipalities (BLOCKED ones blocked) and a published page for the others."""
    from pipeline import registry
    from pipeline.validate.summary import ValidationSummary, write_json

    paths = year_paths(root, year)
    paths.processed.mkdir(parents=True, exist_ok=True)
    table.to_parquet(paths.kpis, index=False)
    paths.reports.mkdir(parents=True, exist_ok=True)
    for code in sorted(set(table["municipality_code"]) | set(blocked)):
        muni = registry.get(code)
        status = "blocked" if code in blocked else "published"
        summary = ValidationSummary(code, muni.name, year, status, None, ["fleet"], [], 10,
                                    {"critical": int(code in blocked), "warning": 0, "info": 0}, [], [],
                                    f"validation/{muni.slug}.html")
        write_json(paths.validation_summary(muni), summary.to_dict())
        if code not in blocked:
            paths.report(muni).write_text("<html></html>", encoding="utf-8")
    return paths
