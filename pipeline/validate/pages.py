"""The auditor's validation pages: offline, self-contained Danish HTML plus an index."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pipeline import __version__, atomic, config, formatting, registry, schema, templating
from pipeline.validate.summary import MunicipalityValidation, load_results

log = logging.getLogger(__name__)

MAX_ROWS_PER_RULE = 50


def write_pages(
    paths: config.YearPaths,
    results: dict[int, MunicipalityValidation] | list[MunicipalityValidation] | None = None,
    ingestion_blocked: dict[int, list[str] | str] | None = None,
    generated_at: dt.datetime | None = None,
) -> list[Path]:
    """Write validation/index.html and one <code>-<slug>.html per municipality; return the paths.

    `results`: validate_year's dict (or a list) of MunicipalityValidation; None reads back what
    write_results wrote for the year.
    `ingestion_blocked`: municipality code -> the problems that stopped its delivery at ingestion.
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
    }
    written = []
    for result in results:
        html = templating.render("validation/municipality.html.j2", **common, r=_page_model(result))
        written.append(atomic.write_text(paths.validation_page(result), html))
    rows = [_index_row(r) for r in results]
    blocked = _ingestion_rows(ingestion_blocked or {})
    html = templating.render(
        "validation/index.html.j2",
        **common,
        rows=rows,
        ingestion_blocked=blocked,
        blocked_count=sum(r["status"] == "blocked" for r in rows),
    )
    written.append(atomic.write_text(directory / "index.html", html))
    log.info("revisorens valideringssider skrevet: %d sider i %s", len(written), directory)
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
        "rules": rules,
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
        shown = [{**f, "value_display": _value_display(f)} for f in rows[:MAX_ROWS_PER_RULE]]
        blocks.append({"rule": rule, "rows": shown, "total": len(rows)})
    return blocks


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


def _value_display(failure: dict) -> str:
    """Quantities in Danish number format; ids, codes and text as delivered; empty as '(tom)'."""
    value = failure.get("value")
    if value is None:
        return "(tom)"
    column = failure.get("column")
    info = schema.DATASETS.get(failure.get("dataset") or "")
    kind = None
    if info and column in info.column_names:
        kind = info.column(column).kind
    if kind in (schema.FLOAT, schema.INT) or failure.get("expectation_type") in (
        "expect_table_row_count_to_be_between",
        "expect_column_sum_to_be_between",
    ):
        try:
            return formatting.decimal(float(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


