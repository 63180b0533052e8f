"""The auditor's validation pages: offline, self-contained Danish HTML plus an index."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from pipeline import __version__, config, publish, registry, schema
from pipeline.validation_results import MONTHS_DA, MunicipalityValidation

log = logging.getLogger(__name__)

MAX_ROWS_PER_RULE = 50
TEMPLATE_DIR = config.TEMPLATES / "validation"
SEVERITY_DA = {"critical": "Kritisk", "warning": "Advarsel", "info": "Info"}
STATUS_DA = {"published": "Offentliggøres", "blocked": "Blokeret"}
OUTCOME_DA = {
    "passed": "Bestået",
    "failed": "Fejlet",
    "error": "Fejl under kontrollen",
    "skipped": "Ikke vurderet",
}


def write_validation_pages(
    year: int,
    results_or_summaries,
    out_dir: Path | None = None,
    ingestion_blocked: dict[int, list[str] | str] | None = None,
    generated_at: dt.datetime | None = None,
) -> list[Path]:
    """Write validation/index.html and one <code>-<slug>.html per municipality; return the paths.

    `results_or_summaries`: validate_year's dict (or a list) of MunicipalityValidation, or summary
    dicts as written by write_results (each page then also reads <code>-<slug>.json next to it
    for the rule list).
    `ingestion_blocked`: municipality code -> the problems that stopped its delivery at ingestion.
    """
    directory = Path(out_dir) if out_dir is not None else config.validation_dir(year)
    directory.mkdir(parents=True, exist_ok=True)
    results = _normalise(results_or_summaries, directory)
    for result in results:
        if result.year != year:
            raise ValueError(
                f"validation result for {result.code} is for {result.year}, not {year}; "
                f"pass the results of validate_year({year}, ...)"
            )
    env = _environment()
    common = {
        "year": year,
        "css": _css(),
        "generated_at": _timestamp(generated_at or dt.datetime.now().astimezone()),
        "pipeline_version": __version__,
        "gx_version": next((v for v in (_gx_version(r) for r in results) if v), None),
    }
    written = []
    for result in results:
        html = env.get_template("municipality.html.j2").render(**common, r=_page_model(result))
        written.append(publish.write_text(directory / f"{result.slug}.html", html))
    rows = [_index_row(r) for r in results]
    blocked = _ingestion_rows(ingestion_blocked or {})
    html = env.get_template("index.html.j2").render(
        **common,
        rows=rows,
        ingestion_blocked=blocked,
        blocked_count=sum(r["status"] == "blocked" for r in rows),
    )
    written.append(publish.write_text(directory / "index.html", html))
    log.info("revisorens valideringssider skrevet: %d sider i %s", len(written), directory)
    return written


# ---------------------------------------------------------------------------------------------


def _normalise(items, directory: Path) -> list[MunicipalityValidation]:
    values = list(items.values()) if isinstance(items, dict) else list(items or [])
    results = []
    for item in values:
        if isinstance(item, MunicipalityValidation):
            results.append(item)
        elif isinstance(item, dict):
            slug = Path(item["page"]).stem
            document_path = directory / f"{slug}.json"
            document = (
                json.loads(document_path.read_text(encoding="utf-8"))
                if document_path.exists()
                else None
            )
            results.append(MunicipalityValidation.from_files(item, document))
        else:
            raise TypeError(
                f"expected MunicipalityValidation or a summary dict, got {type(item).__name__}; "
                "pass validate_year's result or the *.summary.json contents"
            )
    return sorted(results, key=lambda r: r.code)


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=_num,
        severity_da=lambda s: SEVERITY_DA.get(s, s),
        status_da=lambda s: STATUS_DA.get(s, s),
        outcome_da=lambda s: OUTCOME_DA.get(s, s),
    )
    return env


def _css():
    from markupsafe import Markup

    css = (TEMPLATE_DIR / "style.css").read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(
            f"{TEMPLATE_DIR / 'style.css'} must not contain '</' "
            "(it is inlined in a <style> element)"
        )
    return Markup(css.strip())


def _num(value) -> str:
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, locale="da_DK")


def _timestamp(moment: dt.datetime) -> str:
    return f"{moment.day}. {MONTHS_DA[moment.month - 1]} {moment.year} kl. {moment:%H:%M}"


def _gx_version(result: MunicipalityValidation) -> str | None:
    for gx_json in result.gx_results.values():
        return (gx_json.get("meta") or {}).get("great_expectations_version")
    return None


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
            return _num(float(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


