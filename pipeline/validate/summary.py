"""The per-municipality validation result, its summary (the report's contract) and their JSON files."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import atomic, config, provenance
from pipeline.validate import examples

log = logging.getLogger(__name__)

SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True)
class ValidationSummary:
    """`reports/<YEAR>/validation/<code>-<slug>.summary.json`: what the report and overview read.

    Shape in docs/architecture.md; `status` is "blocked" exactly when a critical rule failed.
    """

    municipality_code: int
    municipality: str
    year: int
    status: str  # "published" | "blocked"
    highest_failed_severity: str | None
    datasets_delivered: list[str]
    datasets_missing: list[str]
    rules_checked: int
    failures: dict[str, int]  # failed rules per severity (every severity present)
    caveats: list[dict]  # failed warnings with the KPIs they affect
    # at most examples.MAX_EXAMPLES_PER_RULE failing rows (or failed table-level rules) per rule
    failures_detail: list[dict]
    page: str  # the auditor's page, relative to reports/<YEAR>/
    # {version, commit, dirty, generated, inputs: [{path, sha256, kind}]}; None in files from before
    provenance: dict | None = None
    # per failed rule: dataset, rule, severity, rows (exact) and shown (examples in failures_detail)
    failure_counts: list[dict] = field(default_factory=list)

    @property
    def code(self) -> int:
        return self.municipality_code

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def slug(self) -> str:
        return Path(self.page).stem

    def to_dict(self) -> dict:
        """The JSON document, with the counts right after the examples they count."""
        doc = asdict(self)
        counts = doc.pop("failure_counts")
        out = {}
        for key, value in doc.items():
            out[key] = value
            if key == "failures_detail":
                out["failure_counts"] = counts
        return out

    @classmethod
    def from_dict(cls, doc: dict) -> ValidationSummary:
        failures = {sev: int(doc["failures"].get(sev, 0)) for sev in SEVERITIES}
        detail = list(doc["failures_detail"])
        counts = doc.get("failure_counts")  # absent in files from before: every row was kept
        return cls(int(doc["municipality_code"]), doc["municipality"], int(doc["year"]), doc["status"],
                   doc["highest_failed_severity"], list(doc["datasets_delivered"]),
                   list(doc["datasets_missing"]), int(doc["rules_checked"]), failures,
                   list(doc["caveats"]), detail, doc["page"], doc.get("provenance"),
                   [dict(c) for c in counts] if counts is not None else examples.count_rows(detail))


def load_summary(path: Path) -> ValidationSummary:
    """The one reader of a summary file."""
    return ValidationSummary.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def load_summaries(paths: config.YearPaths) -> dict[int, ValidationSummary]:
    """Every summary of the year, keyed by municipality code."""
    out = {}
    for path in sorted(paths.validation.glob("*.summary.json")):
        summary = load_summary(path)
        out[summary.code] = summary
    return out


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
    # one entry per failing row (or per failed table-level rule); read back from files: the examples
    failures_detail: list[dict]
    caveats: list[dict]  # failed warnings, mapped to the KPIs they affect
    # per failed rule: dataset, rule, severity, rows (exact), shown; empty: count failures_detail
    failure_counts: list[dict] = field(default_factory=list)
    # every rule with its outcome (the auditor's page)
    rules: list[dict] = field(default_factory=list)
    gx_results: dict[str, dict] = field(default_factory=dict)  # dataset -> GX suite result JSON
    suite_versions: dict[str, str] = field(default_factory=dict)
    source_files: dict[str, str] = field(default_factory=dict)  # dataset -> delivery file
    provenance: dict | None = None  # set by write_results: the run and the inputs it validated

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def page(self) -> str:
        """The auditor's page, relative to reports/<YEAR>/."""
        return f"validation/{self.slug}.html"

    @property
    def gx_version(self) -> str | None:
        for result in self.gx_results.values():
            return (result.get("meta") or {}).get("great_expectations_version")
        return None

    @property
    def counts(self) -> list[dict]:
        """Failure rows per failed rule, exact even when failures_detail holds only examples."""
        return [dict(c) for c in self.failure_counts] or examples.count_rows(self.failures_detail)

    def rows_failed(self, severity: str | None = None) -> int:
        """The exact number of failure rows (of one severity)."""
        return sum(c["rows"] for c in self.counts if severity is None or c["severity"] == severity)

    @property
    def examples_only(self) -> bool:
        """True when failures_detail is not every failure row (the result was read back from files)."""
        return len(self.failures_detail) < self.rows_failed()

    def summary(self) -> ValidationSummary:
        """The compact summary the report reads: every count exact, at most MAX_EXAMPLES_PER_RULE
        failure rows per rule (failures.csv has them all)."""
        return ValidationSummary(self.code, self.name, self.year, self.status, self.highest_failed_severity,
                                 list(self.datasets_delivered), list(self.datasets_missing),
                                 self.rules_checked, dict(self.failures), list(self.caveats),
                                 examples.examples(self.failures_detail), self.page, self.provenance,
                                 self.counts)

    def results_document(self) -> dict:
        """`<code>-<slug>.json`: the raw GX results per dataset plus every rule's outcome."""
        return {
            "municipality_code": self.code,
            "municipality": self.name,
            "year": self.year,
            "great_expectations_version": self.gx_version,
            "suite_versions": dict(self.suite_versions),
            "source_files": dict(self.source_files),
            "rules": list(self.rules),
            "results": {d: examples.cap_gx_result(r) for d, r in self.gx_results.items()},
            "provenance": self.provenance,
        }

    @classmethod
    def from_files(cls, summary: ValidationSummary, document: dict | None = None) -> MunicipalityValidation:
        """Rebuild from a written summary (and, if available, the results document next to it)."""
        document = document or {}
        return cls(
            code=summary.code, name=summary.municipality, slug=summary.slug, year=summary.year,
            status=summary.status, highest_failed_severity=summary.highest_failed_severity,
            datasets_delivered=list(summary.datasets_delivered),
            datasets_missing=list(summary.datasets_missing), rules_checked=summary.rules_checked,
            failures=dict(summary.failures), failures_detail=list(summary.failures_detail),
            caveats=list(summary.caveats), failure_counts=[dict(c) for c in summary.failure_counts],
            rules=list(document.get("rules", [])),
            gx_results=dict(document.get("results", {})),
            suite_versions=dict(document.get("suite_versions", {})),
            source_files=dict(document.get("source_files", {})),
            provenance=summary.provenance or document.get("provenance"),
        )


def write_json(path: Path, document: dict) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    atomic.write_text(path, text)


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value)


def write_results(results: dict[int, MunicipalityValidation], paths: config.YearPaths,
                  run: provenance.RunInfo | None = None, root: Path = config.ROOT,
                  targets_dir: Path = config.TARGETS) -> list[Path]:
    """Write `<code>-<slug>.json` (GX results) and `.summary.json` per municipality, atomically.

    Both carry the run's provenance (RUN, default: a new RunInfo): version, commit, dirty flag, run
    time and the SHA-256 of every input the validation read (its targets file in TARGETS_DIR too).
    It is also set on each result (`result.provenance`), so the auditor's pages written next show
    the same record.
    """
    wrong = [r for r in results.values() if r.year != paths.year]
    if wrong:
        raise ValueError(f"result for {wrong[0].code} is for {wrong[0].year}, not {paths.year}; "
                         f"validate {paths.year} first")
    run = run or provenance.RunInfo.now(root)
    record = validation_inputs_maker(paths, root, targets_dir)
    paths.validation.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(results):
        result = results[code]
        result.provenance = run.document(record(result))
        for path, document in (
            (paths.validation_results(result), result.results_document()),
            (paths.validation_summary(result), result.summary().to_dict()),
        ):
            write_json(path, document)
            written.append(path)
    remove_stale(paths.validation, {r.slug for r in results.values()})
    log.info("validation results written: %d files in %s", len(written), paths.validation)
    return written


def validation_inputs_maker(paths: config.YearPaths, root: Path = config.ROOT,
                            targets_dir: Path = config.TARGETS):
    """A function giving one result's validation inputs: the municipality's delivery files of the year
    (from the manifest), last year's files its year-over-year rules compared with, the suites run, and
    its targets file (targets_file_valid; recorded without a checksum when there is none)."""
    from pipeline.account.targets import path_for
    from pipeline.ingest.store import load_manifest
    from pipeline.validate import checks
    from pipeline.validate.suites import load_suites

    manifest = load_manifest(paths.year, paths.processed_root)
    previous = load_manifest(paths.year - 1, paths.processed_root)
    yoy = {e["meta"]["rule"] for suite in load_suites().values() for e in suite["expectations"]
           if (e.get("meta") or {}).get("check") == checks.YEAR_OVER_YEAR}

    def inputs(result: MunicipalityValidation) -> list[provenance.InputFile]:
        if manifest is not None and result.code in manifest.municipalities:
            found = provenance.delivery_inputs(manifest, result.code)
        else:  # no manifest on disk (validated from tables in memory): the files named by the results
            found = [provenance.file_input(provenance.resolve(f, root), "levering", root)
                     for f in result.source_files.values()]
        compared = [d for d in result.datasets_delivered
                    if any(r.get("dataset") == d and r.get("rule") in yoy and r.get("outcome") != "skipped"
                           for r in result.rules)]
        before = previous.files(result.code) if previous is not None else {}
        found += [provenance.InputFile(before[d].file, before[d].sha256, "levering", before[d].rows)
                  for d in compared if d in before]
        found += [provenance.suite_input(d, root) for d in result.datasets_delivered]
        found.append(provenance.file_input(path_for(result.code, targets_dir), "mål", root))
        return found

    return inputs


def remove_stale(directory: Path, current_slugs: set[str]) -> list[Path]:
    """Delete results and pages of municipalities this run did not validate (e.g. now unreadable),
    so an auditor never reads last run's verdict as this run's."""
    stale = [p for p in directory.glob("[0-9][0-9][0-9]-*")
             if p.is_file() and p.name.split(".")[0] not in current_slugs]
    for path in stale:
        path.unlink()
        log.info("removed stale validation file %s", path.name)
    return stale


def load_results(paths: config.YearPaths) -> dict[int, MunicipalityValidation]:
    """Read back what write_results wrote for the year (summaries plus results documents)."""
    results = {}
    for code, summary in load_summaries(paths).items():
        document_path = paths.validation_results(summary)
        document = json.loads(document_path.read_text(encoding="utf-8")) if document_path.exists() else None
        results[code] = MunicipalityValidation.from_files(summary, document)
    return results
