"""The year's overview page and open data: reports/<YEAR>/index.html, kpis.csv and kpis.json."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jinja2
import pandas as pd

from pipeline import __version__, account, config, ingest, publish, registry
from pipeline import formatting as fmt
from pipeline.kpis import KPI_DEFS
from pipeline.render import now_da

log = logging.getLogger(__name__)

OPEN_DATA_COLUMNS = ["municipality_code", "municipality", "year", "kpi_id", "value", "unit",
                     "target_value", "target_year", "status"]


def load_summaries(year: int, reports_root: Path = config.REPORTS) -> dict[int, dict]:
    """Validation summaries of YEAR keyed by municipality code (written by pipeline.validate)."""
    folder = config.validation_dir(year, reports_root)
    out = {}
    for path in sorted(folder.glob("*.summary.json")):
        summary = json.loads(path.read_text(encoding="utf-8"))
        out[int(summary["municipality_code"])] = summary
    return out


def kpi_rows(acc: account.Account) -> list[dict]:
    """Open-data rows for one municipality: one per KPI, percentages on a 0–100 scale."""
    rows = []
    for r in acc.summary.itertuples(index=False):
        rows.append({
            "municipality_code": acc.code, "municipality": acc.municipality.name, "year": acc.year,
            "kpi_id": r.kpi_id, "value": None if fmt.is_missing(r.value) else round(float(r.value), 3),
            "unit": r.unit,
            "target_value": None if fmt.is_missing(r.target_value) else round(float(r.target_value), 3),
            "target_year": None if fmt.is_missing(r.target_year) else int(r.target_year),
            "status": r.status,
        })
    return rows


def collect(year: int, reports_root: Path, processed_root: Path, targets_dir: Path):
    """One entry per validated municipality, with its KPI rows when its report is published."""
    entries, rows = [], []
    manifest = ingest.load_manifest(year, processed_root) or {}
    validated = {int(c) for c in manifest.get("municipalities", {})}
    for code, summary in load_summaries(year, reports_root).items():
        if manifest and code not in validated:
            continue  # validated in an earlier run, not in this year's current deliveries
        muni = registry.get(code)
        report = config.reports_year_dir(year, reports_root) / f"{muni.slug}.html"
        entry = {"muni": muni, "summary": summary, "published": summary["status"] == "published",
                 "report": report.name if report.exists() else None, "kpis": {},
                 "validation_page": f"validation/{muni.slug}.html"}
        if entry["published"] and report.exists():
            acc = account.build(code, year, processed_root, targets_dir, config.validation_dir(year, reports_root))
            muni_rows = kpi_rows(acc)
            rows += muni_rows
            entry["kpis"] = {r["kpi_id"]: r for r in muni_rows}
            entry["sample_data"] = acc.sample_data
        entries.append(entry)
    for code, problems in sorted((manifest.get("blocked") or {}).items(), key=lambda kv: int(kv[0])):
        muni = registry.get(code)
        report = config.reports_year_dir(year, reports_root) / f"{muni.slug}.html"
        entries.append({"muni": muni, "published": False, "kpis": {}, "validation_page": "validation/index.html",
                        "report": report.name if report.exists() else None,
                        "summary": {"status": "blocked", "failures": {"critical": len(problems), "warning": 0}}})
    entries.sort(key=lambda e: e["muni"].code)
    return entries, rows


def render_index(year: int, entries: list[dict], generated: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(config.TEMPLATES / "overview")),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(val=lambda v, unit: fmt.value(v, unit))
    env.globals.update(badge=account.badge)
    css = (config.TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("index.html.j2").render(
        year=year, entries=entries, kpi_defs=KPI_DEFS, generated=generated, css=css, version=__version__,
        sample_data=any(e.get("sample_data") for e in entries)
        and all(e.get("sample_data") for e in entries if e["kpis"]),
    )


def write_year(year: int, reports_root: Path = config.REPORTS, processed_root: Path = config.PROCESSED,
               targets_dir: Path = config.TARGETS, generated: str | None = None) -> Path:
    """Write index.html, kpis.csv and kpis.json for YEAR from what is on disk."""
    entries, rows = collect(year, reports_root, processed_root, targets_dir)
    out = config.reports_year_dir(year, reports_root)
    table = pd.DataFrame(rows, columns=OPEN_DATA_COLUMNS)
    table["target_year"] = table["target_year"].astype("Int64")
    publish.write_text(out / "kpis.csv", table.to_csv(index=False, lineterminator="\n"))
    publish.write_text(out / "kpis.json", json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    generated = generated or now_da()
    publish.write_text(out / "index.html", render_index(year, entries, generated))
    log.info("wrote overview for %s: %d municipalities, %d KPI rows", year, len(entries), len(rows))
    return out / "index.html"
