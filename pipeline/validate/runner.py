"""Great Expectations, imported lazily once per process: one ephemeral context, one asset per dataset."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import warnings

import numpy as np
import pandas as pd

from pipeline.validate.split import result_format

log = logging.getLogger(__name__)

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
                gx_suite, result_format=result_format(dataset), expectation_parameters=params
            )
        return result.to_json_dict()


_RUNNER: _Runner | None = None


def get_runner() -> _Runner:
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = _Runner()
    return _RUNNER


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
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
