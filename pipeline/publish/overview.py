"""The year's overview page and open data (index.html, kpis.csv, kpis.json), read from the KPI table."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from pipeline import __version__, atomic, config, formatting, peer_groups, registry, templating
from pipeline.account import kpi_table, targets
from pipeline.account.kpis import KPI_DEFS
from pipeline.account.kpis.meta import all_defs
from pipeline.account.status import (
    KPI_STATUSES,
    NO_DATA,
    NO_TARGET,
    NOT_ASSESSED,
    NOT_REACHED,
    OFF_TRACK,
    ON_TRACK,
    REACHED,
)
from pipeline.ingest import load_manifest
from pipeline.publish import comparison, open_data, publication, spread_chart
from pipeline.templating import STATUS_SYMBOL
from pipeline.validate import load_summaries

log = logging.getLogger(__name__)

# The overview's count columns: each status, with the met/not-met target counted beside on/off track.
STATUS_COLUMNS = [("På sporet eller mål nået", (ON_TRACK, REACHED)),
                  ("Ikke på sporet eller mål ikke nået", (OFF_TRACK, NOT_REACHED)),
                  ("Kan ikke vurderes endnu", (NOT_ASSESSED,)), ("Mangler mål", (NO_TARGET,)),
                  ("Mangler data", (NO_DATA,))]

OPEN_DATA_COLUMNS = ["municipality_code", "municipality", "year", "kpi_id", "value", "unit",
                     "target_value", "target_year", "status"]


def _rounded(x) -> float | None:
    return None if formatting.is_missing(x) else round(float(x), 3)


def open_data_rows(muni: registry.Municipality, year: int, rows: pd.DataFrame) -> list[dict]:
    """Open-data rows for one municipality: one per KPI, percentages on a 0–100 scale."""
    now = rows[rows["year"] == year].set_index("kpi_id").reindex(list(KPI_DEFS))
    return [{"municipality_code": muni.code, "municipality": muni.name, "year": year, "kpi_id": kpi_id,
             "value": _rounded(r.value), "unit": r.unit, "target_value": _rounded(r.target_value),
             "target_year": None if formatting.is_missing(r.target_year) else int(r.target_year),
             "status": r.status} for kpi_id, r in now.iterrows()]


def index_cells(rows: pd.DataFrame, year: int) -> dict[str, dict]:
    """kpi_id → value, unit, status and caveat of the report year, for the overview's tables."""
    now = rows[rows["year"] == year].set_index("kpi_id").reindex(list(all_defs()))
    return {kpi_id: {"value": r.value, "unit": r.unit, "status": r.status,
                     "caveat": bool(r.caveat) and not formatting.is_missing(r.caveat)}
            for kpi_id, r in now.iterrows()}


def published_rows(paths: config.YearPaths) -> tuple[publication.Publication | None, pd.DataFrame | None]:
    """The publication record and the KPI rows of the pages it holds; without a record (a folder written
    outside a pipeline run), the run's KPI table."""
    record = publication.load(paths)
    if record is not None:
        return record, publication.load_table(paths)
    return None, kpi_table.load(paths) if paths.kpis.exists() else None


def _state(record, code: int, published: bool) -> str:
    if record is not None and code in record.municipalities:
        return record.municipalities[code].state
    return publication.PUBLISHED if published else publication.BLOCKED


def collect(paths: config.YearPaths, targets_dir: Path = config.TARGETS):
    """One entry per validated municipality, with the KPI rows of its published page (a kept older page
    keeps its own figures: never newer ones than the page shows)."""
    entries, rows = [], []
    manifest = load_manifest(paths.year, paths.processed_root)
    record, table = published_rows(paths)
    summaries = {code: summary for code, summary in load_summaries(paths).items()
                 if manifest is None or code in manifest.municipalities}  # not those of earlier deliveries
    for code, problems in sorted((manifest.blocked if manifest else {}).items()):
        summaries[code] = {"status": "blocked", "failures": {"critical": len(problems), "warning": 0}}
    for code, summary in sorted(summaries.items()):
        muni = registry.get(code)
        report = paths.report(muni)
        state = _state(record, code, not isinstance(summary, dict) and summary.published)
        entry = {"muni": muni, "summary": summary, "state": state, "published": state == publication.PUBLISHED,
                 "report": report.name if report.exists() else None, "kpis": {},
                 "validation_page": "validation/index.html" if isinstance(summary, dict)
                 else f"validation/{muni.slug}.html"}
        own = table[table["municipality_code"] == code] if table is not None else None
        shown = report.exists() and (record is not None or entry["published"])
        if shown and own is not None and not own.empty:
            rows += open_data_rows(muni, paths.year, own)
            entry["kpis"] = index_cells(own, paths.year)
            recorded = own.get("sample_data")
            entry["sample_data"] = bool(recorded.any()) if recorded is not None and recorded.notna().all() \
                else targets.is_sample(code, targets_dir)
        entries.append(entry)
    return entries, rows


def render_index(year: int, entries: list[dict], generated: str) -> str:
    """The overview page: municipalities as rows grouped by region, KPIs as columns, and per KPI the spread
    (a chart with a text alternative) and the median of each kommunegruppe."""
    kpi_defs = all_defs()
    compared = comparison.build(entries, kpi_defs)
    charts = {}  # our own SVG, its text alternative escaped by account.charts.svg
    for kpi_id, spread in compared.spreads.items() if compared.rows else ():
        svg = spread_chart.spread_chart(spread, year, compared.groups)
        charts[kpi_id] = Markup(svg) if svg else None
    return templating.render(
        "overview/index.html.j2", year=year, entries=entries, kpi_defs=kpi_defs, generated=generated,
        css=templating.css("report.css"), version=__version__, columns=STATUS_COLUMNS,
        legend=[(status, STATUS_SYMBOL[status]) for status in KPI_STATUSES],
        sample_data=any(e.get("sample_data") for e in entries)
        and all(e.get("sample_data") for e in entries if e["kpis"]),
        regions=comparison.by_region(entries), comparison=compared, charts=charts,
        min_for_quarters=comparison.MIN_FOR_QUARTERS, all_label=comparison.ALL,
        groups_source=peer_groups.source(),
    )


def write_year(paths: config.YearPaths, targets_dir: Path = config.TARGETS, generated: str | None = None) -> Path:
    """Write index.html and the open data (kpis.csv, kpis.json, datapackage.json) for the year."""
    entries, rows = collect(paths, targets_dir)
    open_data.write(paths, [e["muni"] for e in entries if e["kpis"]], targets_dir, published_rows(paths)[1])
    atomic.write_text(paths.index, render_index(paths.year, entries, generated or formatting.now()))
    log.info("wrote overview for %s: %d municipalities, %d KPI rows", paths.year, len(entries), len(rows))
    return paths.index
