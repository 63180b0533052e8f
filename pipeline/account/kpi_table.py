"""The year's KPI table, `data/processed/<YEAR>/kpis.parquet`: computed once per run, read by every report.

One row per municipality × data year × KPI with its value (the climate account's key figures: one row in
the report year, with the emissions' own `data_year`); the rows of the report year also carry
the previous value, the target, the value on the target path, the status and whether a validation
warning qualifies it (`caveat`). The notebook, the year
overview and the open data all read this table, so they cannot disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import config
from pipeline.account import actions, status, targets
from pipeline.account.climate import account as climate
from pipeline.account.climate import kpis as climate_kpis
from pipeline.account.climate.target import ClimateTarget
from pipeline.account.kpis import compute_history, rows_for
from pipeline.ingest import load_processed

log = logging.getLogger(__name__)

COLUMNS = ["municipality_code", "year", "data_year", "kpi_id", "value", "unit", "previous_year", "previous_value",
           "target_year", "target_value", "expected_value", "status", "caveat"]
NUMBERS = ["value", "previous_value", "target_value", "expected_value"]
DTYPES = {"municipality_code": "int64", "year": "int64", "data_year": "Int64", "kpi_id": "str", "value": "float64",
          "unit": "str", "previous_year": "Int64", "previous_value": "float64", "target_year": "Int64",
          "target_value": "float64", "expected_value": "float64", "status": "str", "caveat": "boolean"}


def processed_years(paths: config.YearPaths) -> list[int]:
    """Years ≤ the report year that have a folder under the processed root."""
    root = paths.processed_root
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir()
                  if p.is_dir() and p.name.isdigit() and int(p.name) <= paths.year)


def municipality_years(tables_by_year: dict[int, dict[str, pd.DataFrame]], code: int, year: int) -> list[int]:
    """The report year and every earlier year in which the municipality delivered anything."""
    return [y for y, tables in sorted(tables_by_year.items())
            if y == year or any(not rows_for(tables, name, code).empty for name in tables)]


def municipality_rows(tables_by_year: dict[int, dict[str, pd.DataFrame]], code: int, year: int,
                      targets_dir: Path = config.TARGETS, caveats: Iterable[str] = ()) -> pd.DataFrame:
    """The KPI table's rows for one municipality: its history, and the status in the report year
    (CAVEATS: the KPI ids a validation warning qualifies)."""
    years = municipality_years(tables_by_year, code, year)
    target_file = targets.load_file(code, targets_dir)  # read once: KPI targets, climate and operations blocks
    history = compute_history({y: tables_by_year[y] for y in years}, code, year, target_file.operations)
    summary = status.summary(history, year, target_file.targets)
    history["municipality_code"] = int(code)
    now = summary.drop(columns=["group", "title_da", "unit", "higher_is_better", "value"])
    now["caveat"] = now["kpi_id"].isin(set(caveats))
    table = history.merge(now, on=["year", "kpi_id"], how="left")
    table["data_year"] = table["year"]
    climate = climate_kpis.rows(climate_account(tables_by_year, code, year, target_file.climate), code, year)
    return finite(pd.concat([table[COLUMNS].astype(DTYPES), climate[COLUMNS].astype(DTYPES)], ignore_index=True))


def finite(table: pd.DataFrame) -> pd.DataFrame:
    """The last guard before kpis.parquet (and so kpis.csv/json and every page): a number that is not
    finite becomes missing, and a value that was one reads "mangler data" (logged; the KPI groups and
    the climate account already do this where they compute, so this should never fire)."""
    bad = {c: np.isinf(table[c].to_numpy(dtype="float64")) for c in NUMBERS}
    if not any(b.any() for b in bad.values()):
        return table
    table = table.copy()
    for column, mask in bad.items():
        if mask.any():
            log.warning("KPI table: %s is not finite for %s; published as 'mangler data'", column,
                        ", ".join(f"{r.municipality_code} {r.year} {r.kpi_id}" for r in table[mask].itertuples()))
            table[column] = table[column].mask(mask)
    table.loc[bad["value"] & table["status"].notna().to_numpy(), "status"] = status.NO_DATA
    return table


def climate_account(tables_by_year: dict[int, dict[str, pd.DataFrame]], code: int, year: int,
                    target: ClimateTarget | None):
    """The municipality's climate account from this edition's and last edition's emissions rows."""
    current = tables_by_year[year]
    previous = tables_by_year.get(year - 1, {})
    emissions = rows_for(current, "emissions", code) if "emissions" in current else None
    before = rows_for(previous, "emissions", code) if "emissions" in previous else None
    action_table = actions.actions_table(rows_for(current, "actions", code))
    return climate.build(year, emissions, before, target, action_table)


PARALLEL_FROM = 24  # municipalities: below this, starting worker processes costs more than it saves


def build(paths: config.YearPaths, codes: Iterable[int], targets_dir: Path = config.TARGETS,
          caveats: Mapping[int, Iterable[str]] | None = None, workers: int = 1) -> pd.DataFrame:
    """The KPI table for the given municipalities (every processed year ≤ the report year is read once);
    CAVEATS: municipality code → the KPI ids a validation warning qualifies. With WORKERS > 1 and at least
    PARALLEL_FROM municipalities, they are shared out over worker processes; the table is the same."""
    codes = sorted(int(c) for c in codes)
    caveats = caveats or {}
    if workers > 1 and len(codes) >= PARALLEL_FROM:
        return _build_parallel(paths, codes, targets_dir, caveats, workers)
    return _build(paths, codes, targets_dir, caveats)


def _build_parallel(paths: config.YearPaths, codes: list[int], targets_dir: Path,
                    caveats: Mapping[int, Iterable[str]], workers: int) -> pd.DataFrame:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    shares = [codes[i::workers] for i in range(workers)]
    jobs = [(paths, share, targets_dir, {c: set(caveats.get(c, ())) for c in share}) for share in shares if share]
    with ProcessPoolExecutor(len(jobs), mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_logging, initargs=(logging.getLogger().getEffectiveLevel(),)) as pool:
        parts = list(pool.map(_build_share, jobs))
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values("municipality_code", kind="stable", ignore_index=True)  # as _build orders them


def _worker_logging(level: int) -> None:
    """A worker process logs warnings to stderr in the pipeline's format (it has no handler of its own)."""
    from pipeline import runlog

    logging.basicConfig(level=max(level, logging.WARNING), format=runlog.FORMAT, datefmt="%H:%M:%S")


def _build_share(job) -> pd.DataFrame:
    paths, codes, targets_dir, caveats = job
    return _build(paths, codes, targets_dir, caveats)


def _build(paths: config.YearPaths, codes: list[int], targets_dir: Path,
           caveats: Mapping[int, Iterable[str]]) -> pd.DataFrame:
    tables_by_year = {y: load_processed(y, paths.processed_root) for y in processed_years(paths)}
    if paths.year not in tables_by_year:
        raise FileNotFoundError(f"der er ingen indlæste data for {paths.year} i {paths.processed}; "
                                f"kør først `make ingest YEAR={paths.year}`")
    by_code = {y: split_by_municipality(tables) for y, tables in tables_by_year.items()}
    parts = [municipality_rows(own_tables(by_code, tables_by_year, code), code, paths.year, targets_dir,
                               caveats.get(code, ()))
             for code in codes]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in DTYPES.items()})[COLUMNS]
    return pd.concat(parts, ignore_index=True)


def split_by_municipality(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[int, pd.DataFrame]]:
    """dataset → municipality code → its rows (index kept), in one pass per table: the KPI groups then
    filter a municipality's own rows, not the whole country's, once per KPI (98 × 98 masks otherwise)."""
    return {name: {int(code): rows for code, rows in table.groupby("municipality_code", sort=False)}
            for name, table in tables.items() if not table.empty}


def own_tables(by_code: Mapping[int, Mapping[str, Mapping[int, pd.DataFrame]]],
               tables_by_year: Mapping[int, Mapping[str, pd.DataFrame]], code: int) -> dict[int, dict[str, pd.DataFrame]]:
    """Every year's tables with only CODE's rows (an empty slice of the table where it delivered none)."""
    return {y: {name: by_code[y].get(name, {}).get(int(code), table.iloc[0:0]) for name, table in tables.items()}
            for y, tables in tables_by_year.items()}


def run(paths: config.YearPaths, codes: Iterable[int], targets_dir: Path = config.TARGETS,
        caveats: Mapping[int, Iterable[str]] | None = None, kept: pd.DataFrame | None = None,
        kept_codes: Iterable[int] = (), workers: int = 1) -> Path:
    """Compute and write `data/processed/<YEAR>/kpis.parquet` atomically. KEPT_CODES: municipalities whose
    rows are taken from KEPT (the published rows of a page whose inputs have not changed) instead."""
    from pipeline import atomic

    table = build(paths, codes, targets_dir, caveats, workers)
    kept_codes = {int(c) for c in kept_codes}
    if kept is not None and kept_codes:
        reused = kept[kept["municipality_code"].isin(kept_codes)][COLUMNS].astype(DTYPES)
        table = pd.concat([t for t in (table, reused) if not t.empty] or [table], ignore_index=True)
        table = table.sort_values("municipality_code", kind="stable", ignore_index=True)
    atomic.write_bytes(paths.kpis, table.to_parquet(index=False))
    log.info("KPI table %s: %d municipalities, %d rows", paths.kpis,
             table["municipality_code"].nunique(), len(table))
    return paths.kpis


def load(paths: config.YearPaths, code: int | None = None) -> pd.DataFrame:
    """The year's KPI table (optionally one municipality's rows); FileNotFoundError names the fix."""
    if not paths.kpis.exists():
        raise FileNotFoundError(f"{paths.kpis} findes ikke; kør `make report YEAR={paths.year}` "
                                "(den beregner nøgletalstabellen, før notebooks køres)")
    filters = [("municipality_code", "==", int(code))] if code is not None else None
    return pd.read_parquet(paths.kpis, filters=filters).astype(DTYPES)


def history(table: pd.DataFrame) -> pd.DataFrame:
    """year, kpi_id, value, unit of one municipality's rows (what kpis.series and the charts read)."""
    return table[["year", "kpi_id", "value", "unit"]].reset_index(drop=True)
