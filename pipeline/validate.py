"""Validate processed tables with Great Expectations and gate publication on the worst failure."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import checks, config, schema
from pipeline.validation_outcomes import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    TABLE_LEVEL,
    _assemble,
    _cross_table_checks,
    _interpret,
)
from pipeline.validation_results import MONTHS_DA, MunicipalityValidation, _write_json_atomic
from pipeline.validation_split import (
    INDEX_COLUMNS,
    RESULT_FORMAT,
    _by_municipality,
    _first_source_file,
    _merge_results,
    _split_by_municipality,
)

log = logging.getLogger(__name__)

__all__ = [
    "ERROR",
    "FAILED",
    "INDEX_COLUMNS",
    "MONTHS_DA",
    "PASSED",
    "RESULT_FORMAT",
    "SKIPPED",
    "TABLE_LEVEL",
    "MunicipalityValidation",
    "load_results",
    "load_suites",
    "remove_stale",
    "suite_version",
    "validate_year",
    "write_results",
]


# ---------------------------------------------------------------------------------------------
# Suites


def load_suites(expectations_dir: Path | None = None) -> dict[str, dict]:
    """Read and sanity-check expectations/<dataset>.json (plain JSON, no GX import)."""
    directory = Path(expectations_dir or config.EXPECTATIONS)
    suites = {}
    seen: dict[str, str] = {}
    for dataset in schema.DATASET_NAMES:
        path = directory / f"{dataset}.json"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing; every dataset needs a suite (restore it from git)"
            )
        suite = json.loads(path.read_text(encoding="utf-8"))
        for i, exp in enumerate(suite.get("expectations", [])):
            rule = (exp.get("meta") or {}).get("rule")
            problems = [
                what
                for what, ok in [
                    ("meta.rule", bool(rule)),
                    ("severity (critical|warning|info)", exp.get("severity") in checks.SEVERITIES),
                    ("notes", bool(exp.get("notes"))),
                    ("description", bool(exp.get("description"))),
                ]
                if not ok
            ]
            if problems:
                raise ValueError(
                    f"{path}: expectation #{i} ({exp.get('type')}) lacks {', '.join(problems)}; "
                    "add them (see docs/validation.md)"
                )
            if rule in seen or rule in checks.RULES:
                raise ValueError(
                    f"{path}: rule name {rule!r} is already used in "
                    f"{seen.get(rule, 'pipeline.checks')}; "
                    "rule names must be unique across all suites"
                )
            seen[rule] = path.name
        suites[dataset] = suite
    return suites


def suite_version(suite: dict) -> str:
    return str((suite.get("meta") or {}).get("version", "?"))


# ---------------------------------------------------------------------------------------------
# Great Expectations (imported lazily: it takes seconds)


@contextlib.contextmanager
def _quiet():
    """Silence GX's deprecation warnings and chatter while it runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _Runner:
    """One ephemeral GX context per process, with one pandas asset per dataset."""

    def __init__(self):
        started = time.perf_counter()
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with _quiet():
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            self.gx = gx
            project_config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                analytics_enabled=False,
            )
            self.context = gx.get_context(mode="ephemeral", project_config=project_config)
            self.source = self.context.data_sources.add_pandas("green_accounts")
        self.version = gx.__version__
        self._batch_definitions: dict[str, object] = {}
        self._suites: dict[tuple, object] = {}
        log.debug(
            "Great Expectations %s ready in %.1f s", self.version, time.perf_counter() - started
        )

    def _batch_definition(self, dataset: str):
        if dataset not in self._batch_definitions:
            asset = self.source.add_dataframe_asset(dataset)
            self._batch_definitions[dataset] = asset.add_batch_definition_whole_dataframe(
                "whole_table"
            )
        return self._batch_definitions[dataset]

    def _suite(self, suite: dict, skip: frozenset[str]):
        digest = hashlib.sha256(json.dumps(suite, sort_keys=True).encode()).hexdigest()
        key = (digest, skip)
        if key not in self._suites:
            config_ = dict(suite)
            config_["expectations"] = [
                e for e in suite["expectations"] if e["meta"]["rule"] not in skip
            ]
            with _quiet():
                gx_suite = self.gx.ExpectationSuite(**config_)
            if len(gx_suite.expectations) != len(config_["expectations"]):
                loaded = {e.meta.get("rule") for e in gx_suite.expectations}
                bad = [
                    e["meta"]["rule"]
                    for e in config_["expectations"]
                    if e["meta"]["rule"] not in loaded
                ]
                raise ValueError(
                    f"Great Expectations rejected rule(s) {bad} in suite {suite['name']!r}; "
                    f"fix expectations/{suite['name']}.json (GX logs the reason at ERROR level)"
                )
            self._suites[key] = gx_suite
        return self._suites[key]

    def run(
        self, dataset: str, frame: pd.DataFrame, suite: dict, skip: frozenset[str], params: dict
    ) -> dict:
        gx_suite = self._suite(suite, skip)
        with _quiet():
            batch = self._batch_definition(dataset).get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(
                gx_suite, result_format=RESULT_FORMAT, expectation_parameters=params
            )
        return result.to_json_dict()


_RUNNER: _Runner | None = None


def _runner() -> _Runner:
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = _Runner()
    return _RUNNER


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """GX's vectorised date comparisons need nanosecond datetimes; pandas 3 reads microseconds."""
    out = frame
    for column, dtype in frame.dtypes.items():
        if (
            isinstance(dtype, np.dtype)
            and dtype.kind == "M"
            and dtype != np.dtype("datetime64[ns]")
        ):
            if out is frame:
                out = frame.copy()
            out[column] = frame[column].astype("datetime64[ns]")
    return out


# ---------------------------------------------------------------------------------------------
# Validation


def validate_year(
    year: int,
    tables: dict[str, pd.DataFrame],
    manifest: dict,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    municipalities: list[int] | None = None,
) -> dict[int, MunicipalityValidation]:
    """Validate every municipality in the manifest (or the given codes); keyed by code.

    Row-level rules run once per dataset on the rows of all municipalities (GX's cost is per
    expectation, not per row) and their results are split by municipality_code; the
    year-over-year rules, which compare a municipality's whole table with last year's, run per
    municipality.
    """
    started = time.perf_counter()
    suites = load_suites()
    entries = {int(code): entry for code, entry in (manifest.get("municipalities") or {}).items()}
    codes = (
        sorted({int(c) for c in municipalities}) if municipalities is not None else sorted(entries)
    )
    delivered = {
        c: [d for d in schema.DATASET_NAMES if d in ((entries.get(c) or {}).get("datasets") or {})]
        for c in codes
    }
    previous = {d: _by_municipality(t) for d, t in (previous_tables or {}).items() if t is not None}
    params = {
        "year": int(year),
        "year_start": f"{year}-01-01T00:00:00",
        "year_end": f"{year}-12-31T23:59:59",
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
        frame = _prepare(table[table["municipality_code"].isin(delivering)])
        suite = suites[dataset]
        yoy_rules = [
            e for e in suite["expectations"] if e["meta"].get("check") == checks.YEAR_OVER_YEAR
        ]
        yoy_names = frozenset(e["meta"]["rule"] for e in yoy_rules)
        runner = runner or _runner()
        whole = runner.run(dataset, frame, suite, yoy_names, params)
        split = _split_by_municipality(whole, frame, delivering)
        groups = _by_municipality(frame)
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
                result = _merge_results(result, runner.run(dataset, own, suite, only, run_params))
            per_code[code][dataset] = (result, skipped, last_year)
    results = {}
    for code in codes:
        entry = (entries.get(code) or {}).get("datasets") or {}
        rules: list[dict] = []
        failures: list[dict] = []
        source_files = {}
        for dataset in delivered[code]:
            gx_json, skipped, last_year = per_code[code][dataset]
            source_file = (entry[dataset] or {}).get("file") or _first_source_file(gx_json)
            if source_file:
                source_files[dataset] = source_file
            ds_rules, ds_failures = _interpret(
                dataset, suites[dataset], gx_json, source_file, year, skipped, last_year
            )
            rules += ds_rules
            failures += ds_failures
        check_rules, check_failures = _cross_table_checks(year, delivered[code])
        results[code] = _assemble(
            code,
            year,
            delivered[code],
            [d for d in schema.DATASET_NAMES if d not in delivered[code]],
            check_rules + rules,
            check_failures + failures,
            {d: per_code[code][d][0] for d in delivered[code]},
            {d: suite_version(suites[d]) for d in delivered[code]},
            source_files,
        )
    blocked = sum(not r.published for r in results.values())
    log.info(
        "validering %s: %d kommuner, %d blokeret (%.2f s)",
        year,
        len(results),
        blocked,
        time.perf_counter() - started,
    )
    return results


# ---------------------------------------------------------------------------------------------
# Writing


def write_results(
    results: dict[int, MunicipalityValidation], year: int, out_dir: Path | None = None
) -> list[Path]:
    """Write `<code>-<slug>.json` (GX results) and `.summary.json` per municipality, atomically."""
    directory = Path(out_dir) if out_dir is not None else config.validation_dir(year)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(results):
        result = results[code]
        if result.year != year:
            raise ValueError(
                f"result for {result.code} is for {result.year}, not {year}; validate {year} first"
            )
        for path, document in (
            (directory / f"{result.slug}.json", result.results_document()),
            (directory / f"{result.slug}.summary.json", result.summary()),
        ):
            _write_json_atomic(path, document)
            written.append(path)
    remove_stale(directory, {r.slug for r in results.values()})
    log.info("valideringsresultater skrevet: %d filer i %s", len(written), directory)
    return written


def remove_stale(directory: Path, current_slugs: set[str]) -> list[Path]:
    """Delete results and pages of municipalities this run did not validate (e.g. now unreadable),
    so an auditor never reads last run's verdict as this run's."""
    stale = [p for p in directory.glob("[0-9][0-9][0-9]-*")
             if p.is_file() and p.name.split(".")[0] not in current_slugs]
    for path in stale:
        path.unlink()
        log.info("fjernet forældet valideringsfil %s", path.name)
    return stale


def load_results(year: int, out_dir: Path | None = None) -> dict[int, MunicipalityValidation]:
    """Read back what write_results wrote for YEAR (summaries plus results documents)."""
    directory = Path(out_dir) if out_dir is not None else config.validation_dir(year)
    results = {}
    for path in sorted(directory.glob("*.summary.json")):
        summary = json.loads(path.read_text(encoding="utf-8"))
        document_path = path.with_name(path.name.replace(".summary.json", ".json"))
        document = (
            json.loads(document_path.read_text(encoding="utf-8"))
            if document_path.exists()
            else None
        )
        result = MunicipalityValidation.from_files(summary, document)
        results[result.code] = result
    return results
