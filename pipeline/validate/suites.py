"""The expectation suites (expectations/<dataset>.json): load, and refuse rules without severity or notes."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import config, schema
from pipeline.validate import checks


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
            pipeline_rules = set(checks.RULES) | {n for r in checks.DATASET_RULES.values() for n in r}
            if rule in seen or rule in pipeline_rules:
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
