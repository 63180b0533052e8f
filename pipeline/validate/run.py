"""Validate one year: row rules once over all municipalities, split per municipality, year-over-year rules."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from pipeline import config, schema
from pipeline.ingest.store import Manifest
from pipeline.validate import checks, references, series, targets_check
from pipeline.validate.interpret import cross_table_checks, interpret
from pipeline.validate.outcomes import assemble
from pipeline.validate.runner import get_runner, prepare
from pipeline.validate.split import (
    by_municipality,
    first_source_file,
    merge_results,
    split_by_municipality,
)
from pipeline.validate.suites import load_suites, suite_version
from pipeline.validate.summary import MunicipalityValidation

log = logging.getLogger(__name__)


def validate_year(
    year: int,
    tables: dict[str, pd.DataFrame],
    manifest: Manifest,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    municipalities: list[int] | None = None,
    targets_dir: Path = config.TARGETS,
) -> dict[int, MunicipalityValidation]:
    """Validate every municipality in the manifest (or the given codes), and its targets file in
    TARGETS_DIR; keyed by code.

    Row-level rules run once per dataset on the rows of all municipalities (GX's cost is per
    expectation, not per row) and their results are split by municipality_code; the
    year-over-year rules, which compare a municipality's whole table with last year's, run per
    municipality.
    """
    started = time.perf_counter()
    suites = load_suites()
    codes = (
        sorted({int(c) for c in municipalities})
        if municipalities is not None
        else sorted(manifest.municipalities)
    )
    delivered = {
        c: manifest.delivered(c)
        for c in codes
    }
    previous = {d: by_municipality(t) for d, t in (previous_tables or {}).items() if t is not None}
    params = {
        "year": int(year),
        "year_start": f"{year}-01-01T00:00:00",
        "year_end": f"{year}-12-31T23:59:59",
        "data_year_max": int(year) - 1,
    }
    per_code: dict[int, dict[str, tuple]] = {c: {} for c in codes}
    runner = None
    for dataset in schema.DATASET_NAMES:
        delivering = [c for c in codes if dataset in delivered[c]]
        if not delivering:
            continue
        if tables.get(dataset) is None:
            raise ValueError(
                f"the manifest for {year} says {delivering} delivered {dataset}, but tables has no "
                f"{dataset!r} table; pass every table from ingest (load_processed)"
            )
        table = tables[dataset]
        if "municipality_code" not in table.columns:
            raise ValueError(
                f"the {dataset} table has no municipality_code column; validate processed tables "
                "from pipeline.ingest, which adds the provenance columns"
            )
        frame = prepare(table[table["municipality_code"].isin(delivering)])
        suite = suites[dataset]
        yoy_rules = [
            e for e in suite["expectations"] if e["meta"].get("check") == checks.YEAR_OVER_YEAR
        ]
        yoy_names = frozenset(e["meta"]["rule"] for e in yoy_rules)
        runner = runner or get_runner()
        whole = runner.run(dataset, frame, suite, yoy_names, params)
        split = split_by_municipality(whole, frame, delivering)
        groups = by_municipality(frame)
        for code in delivering:
            own = groups.get(code, frame.iloc[0:0])
            run_params, skipped, last_year = dict(params), {}, {}
            for exp in yoy_rules:
                rule = exp["meta"]["rule"]
                before = checks.previous_value(exp, previous.get(dataset, {}).get(code))
                if not before:
                    skipped[rule] = (
                        f"Ikke vurderet: der er ingen data for {year - 1} at sammenligne med."
                        if before is None
                        else f"Ikke vurderet: værdien for {year - 1} er 0, så ændringen kan ikke "
                        "beregnes."
                    )
                    continue
                low, high = checks.year_over_year_bounds(exp, before)
                run_params[f"{rule}_min"], run_params[f"{rule}_max"] = low, high
                last_year[rule] = (before, low, high)
            result = split[code]
            if last_year:
                only = frozenset(
                    e["meta"]["rule"]
                    for e in suite["expectations"]
                    if e["meta"]["rule"] not in last_year
                )
                result = merge_results(result, runner.run(dataset, own, suite, only, run_params))
            per_code[code][dataset] = (result, skipped, last_year, own)
    results = {}
    for code in codes:
        files = manifest.files(code)
        rules: list[dict] = []
        failures: list[dict] = []
        source_files = {}
        frames = {d: per_code[code][d][3] for d in delivered[code]}  # for the rules across datasets
        for dataset in delivered[code]:
            gx_json, skipped, last_year, own = per_code[code][dataset]
            source_file = files[dataset].file if dataset in files else first_source_file(gx_json)
            if source_file:
                source_files[dataset] = source_file
            ds_rules, ds_failures = interpret(
                dataset, suites[dataset], gx_json, source_file, year, skipped, last_year
            )
            row_rules, row_failures = series.check(dataset, own, source_file,
                                                   previous.get(dataset, {}).get(code), frames)
            ref_rules, ref_failures = references.check(dataset, frames, {d: f.file for d, f in files.items()})
            rules += ds_rules + row_rules + ref_rules
            failures += ds_failures + row_failures + ref_failures
        check_rules, check_failures = cross_table_checks(year, delivered[code])
        targets_rules, targets_failures = targets_check.check(code, targets_dir)
        check_rules, check_failures = check_rules + targets_rules, check_failures + targets_failures
        results[code] = assemble(
            code,
            year,
            delivered[code],
            [d for d in schema.REQUIRED_DATASETS if d not in delivered[code]],
            check_rules + rules,
            check_failures + failures,
            {d: per_code[code][d][0] for d in delivered[code]},
            {d: suite_version(suites[d]) for d in delivered[code]},
            source_files,
        )
    blocked = sum(not r.published for r in results.values())
    log.info(
        "validated %s: %d municipalities, %d blocked (%.2f s)",
        year,
        len(results),
        blocked,
        time.perf_counter() - started,
    )
    return results
