"""The auditor's validation pages: offline, self-contained Danish HTML plus an index."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pipeline import (
    __version__,
    atomic,
    config,
    formatting,
    provenance,
    registry,
    schema,
    templating,
)
from pipeline.validate.examples import MAX_EXAMPLES_PER_RULE
from pipeline.validate.failures import (  # noqa: F401  (FAILURE_COLUMNS is part of the page contract)
    FAILURE_COLUMNS,
    SEVERITY_ORDER,
    failure_anchor,
    failure_rows,
    ingestion_rows,
    rule_anchor,
    value_display,
    write_failures_csv,
)
from pipeline.validate.summary import MunicipalityValidation, load_results

log = logging.getLogger(__name__)

MAX_ROWS_PER_RULE = MAX_EXAMPLES_PER_RULE  # failure rows shown per rule; the JSON keeps the same examples
MAX_FAILURES_ON_INDEX = 200  # rows of the cross-municipality failures table; failures.csv has them all


def write_pages(
    paths: config.YearPaths,
    results: dict[int, MunicipalityValidation] | list[MunicipalityValidation] | None = None,
    ingestion_blocked: dict[int, list[str] | str] | None = None,
    generated_at: dt.datetime | None = None,
    ingestion_problems: dict | None = None,
    targets_dir: Path = config.TARGETS,
    root: Path = config.ROOT,
) -> list[Path]:
    """Write validation/index.html, failures.csv and one <code>-<slug>.html per municipality; return
    the paths.

    `results`: validate_year's dict (or a list) of MunicipalityValidation; None reads back what
    write_results wrote for the year (with the run's provenance, which write_results also sets on
    the results it is given).
    `ingestion_blocked`: municipality code -> the problems that stopped its delivery at ingestion (as
    shown: capped per file). `ingestion_problems`: the same, every one (errors.Problem), for failures.csv.
    `targets_dir`, `root`: where the targets files are and the project root input paths are
    relative to, for the checksums of a published report's inputs.
    """
    year = paths.year
    directory = paths.validation
    if results is None:
        results = load_results(paths)
    results = list(results.values() if isinstance(results, dict) else results)
    for result in results:
        if not isinstance(result, MunicipalityValidation):
            raise TypeError(f"expected MunicipalityValidation, got {type(result).__name__}; "
                            "pass validate_year's result")
        if result.year != year:
            raise ValueError(
                f"validation result for {result.code} is for {result.year}, not {year}; "
                f"pass the results of validate_year({year}, ...)"
            )
    results.sort(key=lambda r: r.code)
    directory.mkdir(parents=True, exist_ok=True)
    common = {
        "year": year,
        "css": templating.css("validation/style.css").strip(),
        "generated_at": formatting.timestamp(generated_at or dt.datetime.now().astimezone()),
        "pipeline_version": __version__,
        "gx_version": next((r.gx_version for r in results if r.gx_version), None),
        "failures_csv": paths.failures_csv.name,
        "max_examples": MAX_ROWS_PER_RULE,
    }
    written = []
    for result in results:
        model = _page_model(result)
        model["inputs"] = _input_rows(result, paths, targets_dir, root)
        html = templating.render("validation/municipality.html.j2", **common, r=model)
        written.append(atomic.write_text(paths.validation_page(result), html))
    rows = [_index_row(r) for r in results]
    blocked = _ingestion_rows(ingestion_blocked or {})
    if any(r.examples_only for r in results):  # read back from files: never overwrite the full list
        log.warning("%s not rewritten: the results read back hold only examples of their failures; "
                    "validate the year again to rewrite it", paths.failures_csv)
    else:
        written.append(write_failures_csv(paths.failures_csv, failure_rows(results)
                                          + ingestion_rows(ingestion_problems or {})))
    shown = failure_rows(results, MAX_ROWS_PER_RULE)  # the same examples in memory and read back
    html = templating.render(
        "validation/index.html.j2",
        **common,
        rows=rows,
        ingestion_blocked=blocked,
        blocked_count=sum(r["status"] == "blocked" for r in rows),
        failures=shown[:MAX_FAILURES_ON_INDEX],
        failures_total=sum(r.rows_failed() for r in results),
        per_rule=MAX_ROWS_PER_RULE,
        max_shown=MAX_FAILURES_ON_INDEX,
    )
    written.append(atomic.write_text(directory / "index.html", html))
    log.info("auditor's validation pages written: %d pages in %s", len(written), directory)
    return written


# ---------------------------------------------------------------------------------------------


def _code3(code: int) -> str:
    return f"{int(code):03d}"


def _index_row(r: MunicipalityValidation) -> dict:
    return {
        "code3": _code3(r.code),
        "name": r.name,
        "slug": r.slug,
        "status": r.status,
        "highest_failed_severity": r.highest_failed_severity,
        "datasets_delivered": r.datasets_delivered,
        "datasets_missing": r.datasets_missing,
        "rules_checked": r.rules_checked,
        "failures": r.failures,
        "failure_rows": {sev: r.rows_failed(sev) for sev in schema.SEVERITIES},
    }


def _ingestion_rows(blocked: dict) -> list[dict]:
    rows = []
    for code in sorted(blocked, key=lambda c: int(c)):
        problems = blocked[code]
        problems = [problems] if isinstance(problems, str) else [str(p) for p in problems]
        try:
            name = registry.get(code).name
        except KeyError:
            name = f"Ukendt kommunekode {code}"
        rows.append(
            {"code3": _code3(code), "name": name, "problems": problems or ["ukendt problem"]}
        )
    return rows


def _page_model(r: MunicipalityValidation) -> dict:
    """What the municipality page shows: cross-table checks, then one section per dataset."""
    sections = []
    cross = [rule for rule in r.rules if rule.get("dataset") is None]
    if cross or not r.rules:
        sections.append(
            _section(
                r,
                "Tværgående kontroller",
                "tværgående kontroller",
                None,
                cross,
                intro=None
                if r.rules
                else "Der er ingen regelresultater i resultatfilen; "
                "fejl fra resuméet vises nedenfor.",
            )
        )
    for dataset in r.datasets_delivered:
        rules = [rule for rule in r.rules if rule.get("dataset") == dataset]
        info = schema.DATASETS.get(dataset)
        danish = info.danish_name if info else dataset
        files = [
            f["source_file"]
            for f in r.failures_detail
            if f.get("dataset") == dataset and f.get("source_file")
        ]
        source_file = r.source_files.get(dataset) or (files[0] if files else None)
        sections.append(
            _section(
                r,
                f"{danish} ({dataset})",
                f"{danish.lower()} ({dataset})",
                dataset,
                rules,
                source_file=source_file,
            )
        )
    if not r.rules:  # summary without results document: show the failures we know about
        for block in _failure_blocks(
            r, [_rule_from_failure(f) for f in _unique_rules(r.failures_detail)]
        ):
            sections[0]["failed"].append(block)
    return {
        **_index_row(r),
        "caveats": r.caveats,
        "sections": sections,
        "failed_rules": _failed_rules(sections),
        "run": _run_model(r.provenance),
        "suite_versions": sorted(
            r.suite_versions.items(),
            key=lambda kv: (
                schema.DATASET_NAMES.index(kv[0]) if kv[0] in schema.DATASET_NAMES else 99
            ),
        ),
    }


def _section(r, title, caption, dataset, rules, source_file=None, intro=None) -> dict:
    failed_rules = [rule for rule in rules if rule["outcome"] in ("failed", "error")]
    return {
        "title": title,
        "caption": caption,
        "dataset": dataset,
        "rules": [{**rule, "anchor": rule_anchor(rule["rule"])
                   if rule["outcome"] in ("failed", "error") else None} for rule in rules],
        "intro": intro,
        "source_file": source_file,
        "failed_count": len(failed_rules),
        "failed": _failure_blocks(r, failed_rules),
    }


def _failure_blocks(r: MunicipalityValidation, failed_rules: list[dict]) -> list[dict]:
    blocks = []
    for rule in failed_rules:
        rows = [
            f
            for f in r.failures_detail
            if f["rule"] == rule["rule"]
            and (rule.get("dataset") is None or f.get("dataset") == rule.get("dataset"))
        ]
        if not rows:
            continue
        shown = [{**f, "value_display": value_display(f)} for f in rows[:MAX_ROWS_PER_RULE]]
        total = sum(c["rows"] for c in r.counts if c["rule"] == rule["rule"] and (
            rule.get("dataset") is None or c["dataset"] == rule.get("dataset"))) or len(rows)
        blocks.append({"rule": rule, "rows": shown, "total": total, "more": total - len(shown),
                       "anchor": failure_anchor(rule["rule"])})
    return blocks


def _failed_rules(sections: list[dict]) -> list[dict]:
    """The page's opening list: every failed rule, most severe first, linked to its rows below
    (or to its line in the rules table when there are no rows to show)."""
    found: dict[str, dict] = {}
    for section in sections:
        for block in section["failed"]:
            rule = block["rule"]
            found.setdefault(rule["rule"], {
                "rule": rule["rule"], "description": rule.get("description") or rule["rule"],
                "severity": rule["severity"], "section": section["title"], "total": block["total"],
                "href": "#" + block["anchor"]})
        for rule in section["rules"]:
            if rule.get("anchor") and rule["rule"] not in found:
                found[rule["rule"]] = {
                    "rule": rule["rule"], "description": rule.get("description") or rule["rule"],
                    "severity": rule["severity"], "section": section["title"], "total": None,
                    "href": "#" + rule["anchor"]}
    return sorted(found.values(), key=lambda f: SEVERITY_ORDER.get(f["severity"], 99))


def _run_model(record: dict | None) -> dict | None:
    """The run that validated: version, commit with the dirty flag, run time in Danish."""
    if not record:
        return None
    run = provenance.RunInfo.from_dict(record)
    return {"version": run.version, "commit": run.commit, "dirty": run.dirty, "generated": run.generated_da}


def _input_rows(r: MunicipalityValidation, paths: config.YearPaths, targets_dir: Path,
                root: Path) -> list[dict]:
    """The checksum table: what the validation read (from its provenance record) and, for a published
    municipality, what its report is built from (every year's delivery, its targets file, the registry)."""
    validated = [provenance.InputFile.from_dict(i) for i in (r.provenance or {}).get("inputs", [])]
    reported = provenance.report_inputs(paths, r.code, targets_dir, root) if r.published else []
    rows: dict[str, dict] = {}
    for use, inputs in (("validering", validated), ("rapport", reported)):
        for i in inputs:
            row = rows.setdefault(i.path, {"path": i.path, "kind": i.kind,
                                           "kind_da": provenance.KIND_DA.get(i.kind, i.kind),
                                           "rows": i.rows, "sha256": i.sha256, "uses": []})
            row["uses"].append(use)
    return list(rows.values())


def _unique_rules(failures: list[dict]) -> list[dict]:
    seen, out = set(), []
    for f in failures:
        key = (f.get("dataset"), f["rule"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _rule_from_failure(f: dict) -> dict:
    return {
        "dataset": f.get("dataset"),
        "rule": f["rule"],
        "severity": f["severity"],
        "description": f["rule"],
        "outcome": "failed",
    }


