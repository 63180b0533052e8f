"""The per-municipality validation result (MunicipalityValidation) and its JSON (de)serialisation."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import publish

log = logging.getLogger(__name__)

MONTHS_DA = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass
class MunicipalityValidation:
    """One municipality and year: status, failures, caveats and the GX results."""

    code: int
    name: str
    slug: str
    year: int
    status: str  # "published" | "blocked"
    highest_failed_severity: str | None  # "critical" | "warning" | "info" | None
    datasets_delivered: list[str]
    datasets_missing: list[str]
    rules_checked: int
    failures: dict[str, int]  # failed rules per severity
    failures_detail: list[dict]  # one entry per failing row (or per failed table-level rule)
    caveats: list[dict]  # failed warnings, mapped to the KPIs they affect
    # every rule with its outcome (the auditor's page)
    rules: list[dict] = field(default_factory=list)
    gx_results: dict[str, dict] = field(default_factory=dict)  # dataset -> GX suite result JSON
    suite_versions: dict[str, str] = field(default_factory=dict)
    source_files: dict[str, str] = field(default_factory=dict)  # dataset -> delivery file

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def page(self) -> str:
        """The auditor's page, relative to reports/<YEAR>/."""
        return f"validation/{self.slug}.html"

    def summary(self) -> dict:
        """The compact summary the report reads (shape: docs/architecture.md)."""
        return {
            "municipality_code": self.code,
            "municipality": self.name,
            "year": self.year,
            "status": self.status,
            "highest_failed_severity": self.highest_failed_severity,
            "datasets_delivered": list(self.datasets_delivered),
            "datasets_missing": list(self.datasets_missing),
            "rules_checked": self.rules_checked,
            "failures": dict(self.failures),
            "caveats": list(self.caveats),
            "failures_detail": list(self.failures_detail),
            "page": self.page,
        }

    def results_document(self) -> dict:
        """`<code>-<slug>.json`: the raw GX results per dataset plus every rule's outcome."""
        return {
            "municipality_code": self.code,
            "municipality": self.name,
            "year": self.year,
            "great_expectations_version": _gx_version(self.gx_results),
            "suite_versions": dict(self.suite_versions),
            "source_files": dict(self.source_files),
            "rules": list(self.rules),
            "results": dict(self.gx_results),
        }

    @classmethod
    def from_files(cls, summary: dict, document: dict | None = None) -> MunicipalityValidation:
        """Rebuild from a written summary (and, if available, the results document next to it)."""
        document = document or {}
        code = int(summary["municipality_code"])
        return cls(
            code=code,
            name=summary["municipality"],
            slug=Path(summary["page"]).stem,
            year=int(summary["year"]),
            status=summary["status"],
            highest_failed_severity=summary["highest_failed_severity"],
            datasets_delivered=list(summary["datasets_delivered"]),
            datasets_missing=list(summary["datasets_missing"]),
            rules_checked=int(summary["rules_checked"]),
            failures=dict(summary["failures"]),
            failures_detail=list(summary["failures_detail"]),
            caveats=list(summary["caveats"]),
            rules=list(document.get("rules", [])),
            gx_results=dict(document.get("results", {})),
            suite_versions=dict(document.get("suite_versions", {})),
            source_files=dict(document.get("source_files", {})),
        )


def _gx_version(gx_results: dict) -> str | None:
    for result in gx_results.values():
        return (result.get("meta") or {}).get("great_expectations_version")
    return None


def _write_json_atomic(path: Path, document: dict) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    publish.write_text(path, text)


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value)
