"""Build one municipality's green account and render its HTML sections (Jinja2, autoescaped)."""

from __future__ import annotations

import functools
import json
import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

import pipeline
from pipeline import charts, config, ingest, kpis, registry
from pipeline import formatting as fmt
from pipeline import targets as targets_mod
from pipeline.errors import PipelineError
from pipeline.schema import DATASETS, KPI_DATASET

log = logging.getLogger(__name__)

TEMPLATE_DIR = config.TEMPLATES / "account"
CSS_PATH = config.TEMPLATES / "report.css"
STATUS_CLASS = {
    kpis.ON_TRACK: "on-track",
    kpis.OFF_TRACK: "off-track",
    kpis.NO_TARGET: "no-target",
    kpis.NO_DATA: "no-data",
}
STATUS_SYMBOL = {kpis.ON_TRACK: "✔", kpis.OFF_TRACK: "✖", kpis.NO_TARGET: "?", kpis.NO_DATA: "–"}
SEVERITY_DA = {"critical": "kritisk", "warning": "advarsel", "info": "information"}
# Municipalities whose official name is not "<name> Kommune".


class NoProcessedDataError(PipelineError, FileNotFoundError):
    """The report year has not been ingested yet."""


@dataclass
class Account:
    """Everything one municipality's green account shows for one year (charts render lazily)."""

    code: int
    year: int
    municipality: registry.Municipality
    official_name: str
    years: list[int]
    tables: dict[int, dict[str, pd.DataFrame]]
    history: pd.DataFrame
    summary: pd.DataFrame
    targets: targets_mod.TargetFile
    validation: dict | None
    validation_page: str
    caveats: dict[str, list[dict]]
    manifests: dict[int, dict]
    sample_data: bool
    delivered: list[str]
    missing: list[str]
    projects: pd.DataFrame
    fleet_counts: pd.DataFrame
    waste_fractions: pd.DataFrame
    label_distribution: pd.DataFrame
    actions: pd.DataFrame
    _charts: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def slug(self) -> str:
        return self.municipality.slug

    def frame(self, dataset: str, year: int | None = None) -> pd.DataFrame:
        """This municipality's rows of a dataset in `year` (default: the report year)."""
        return self.tables.get(year or self.year, {}).get(dataset, kpis.empty_frame(dataset))

    def chart(self, key: str, make) -> str | None:
        """Render a chart once per Account (charts are the slow part)."""
        if key not in self._charts:
            self._charts[key] = make()
        return self._charts[key]


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def available_years(year: int, processed_root: Path = config.PROCESSED) -> list[int]:
    """Years ≤ `year` that have a folder under processed_root."""
    root = Path(processed_root)
    if not root.is_dir():
        return []
    return sorted(
        int(p.name)
        for p in root.iterdir()
        if p.is_dir() and p.name.isdigit() and int(p.name) <= int(year)
    )


def load_tables(
    code: int, year: int, processed_root: Path = config.PROCESSED
) -> dict[int, dict[str, pd.DataFrame]]:
    """year → dataset → this municipality's rows, for every processed year ≤ `year`."""
    out: dict[int, dict[str, pd.DataFrame]] = {}
    for y in available_years(year, processed_root):
        out[y] = {}
        for name in DATASETS:
            path = config.processed_year_dir(y, Path(processed_root)) / f"{name}.parquet"
            if path.exists():
                out[y][name] = pd.read_parquet(
                    path, filters=[("municipality_code", "==", int(code))]
                )
            else:
                out[y][name] = kpis.empty_frame(name)
    return out


def load_validation(m: registry.Municipality, validation_dir: Path | None) -> dict | None:
    """The validation summary `<validation_dir>/<code>-<slug>.summary.json`, or None."""
    if validation_dir is None:
        return None
    path = Path(validation_dir) / f"{m.slug}.summary.json"
    if not path.exists():
        log.warning("no validation summary %s: the report says so in 'Datakvalitet'", path)
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def caveats_by_kpi(validation: dict | None) -> dict[str, list[dict]]:
    """kpi_id → caveats; a caveat naming no KPIs applies to every KPI of its dataset."""
    out: dict[str, list[dict]] = {}
    for c in (validation or {}).get("caveats", []) or []:
        ids = c.get("kpis") or [k for k, d in KPI_DATASET.items() if d == c.get("dataset")]
        for kpi_id in ids:
            out.setdefault(kpi_id, []).append(c)
    return out


def _validation_page(m: registry.Municipality, validation: dict | None) -> str:
    """Relative link (from reports/<YEAR>/) to the municipality's validation page."""
    page = (validation or {}).get("page")
    if isinstance(page, str) and page.startswith("validation/") and ":" not in page:
        return page
    return f"validation/{m.slug}.html"


def build(
    code: int,
    year: int,
    processed_root: Path | None = config.PROCESSED,
    targets_dir: Path | None = config.TARGETS,
    validation_dir: Path | None = None,
) -> Account:
    """Load every input of one municipality's green account for `year` and compute its content.

    None for a path means the default from pipeline.config (the notebook passes None): processed
    tables from data/processed, targets from data/raw/targets and the validation summary from
    reports/<year>/validation/<code>-<slug>.summary.json (a missing summary is allowed).
    """
    m = registry.get(code)
    year = int(year)
    processed_root = Path(processed_root) if processed_root is not None else config.PROCESSED
    targets_dir = Path(targets_dir) if targets_dir is not None else config.TARGETS
    if validation_dir is None:
        validation_dir = config.validation_dir(year, config.REPORTS)
    all_tables = load_tables(m.code, year, processed_root)
    if year not in all_tables:
        raise NoProcessedDataError(
            f"no processed data for {year} in "
            f"{config.processed_year_dir(year, Path(processed_root))}; "
            f"run `make ingest YEAR={year}` first"
        )
    # history starts at the first year the municipality delivered anything
    years = [
        y for y in all_tables if y == year or any(not df.empty for df in all_tables[y].values())
    ]
    tables = {y: all_tables[y] for y in years}
    history = kpis.compute_history(tables, m.code, year)
    tf = targets_mod.load_file(m.code, targets_dir)
    summary = kpis.summary(history, year, tf.targets)
    validation = load_validation(m, validation_dir)
    manifests = {y: man for y in years if (man := ingest.load_manifest(y, Path(processed_root))) is not None}
    now = tables[year]
    delivered = [d for d in DATASETS if not now[d].empty]
    status_by_kpi = dict(zip(summary["kpi_id"], summary["status"], strict=True))
    source_text = (tf.source or "").lower()
    acc = Account(
        code=m.code,
        year=year,
        municipality=m,
        official_name=m.official_name,
        years=years,
        tables=tables,
        history=history,
        summary=summary,
        targets=tf,
        validation=validation,
        validation_page=_validation_page(m, validation),
        caveats=caveats_by_kpi(validation),
        manifests=manifests,
        sample_data=tf.sample_data or "eksempeldata" in source_text or "sample data" in source_text,
        delivered=delivered,
        missing=[d for d in DATASETS if d not in delivered],
        projects=kpis.projects_with_limits(now["construction_projects"], now["buildings"], year),
        fleet_counts=kpis.fleet_counts(now["fleet"]),
        waste_fractions=kpis.waste_by_fraction(now["waste"]),
        label_distribution=kpis.label_distribution(now["buildings"]),
        actions=kpis.actions_table(now["actions"], status_by_kpi),
    )
    log.info("built account %s %s: %d years, datasets %s", m.slug, year, len(years), delivered)
    return acc


# ---------------------------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------------------------


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=fmt.number, integer=fmt.integer, pct=fmt.percent, val=fmt.value, date_da=fmt.date_da
    )
    env.globals.update(badge=badge, dataset_da=dataset_da, join_da=join_da)
    return env


def _render(template: str, **context) -> str:
    return _env().get_template(template).render(**context).strip() + "\n"


def badge(status: str) -> Markup:
    """Status badge with symbol and text, e.g. '✔ på sporet' (not colour alone)."""
    cls = STATUS_CLASS.get(status, "no-data")
    return Markup(
        '<span class="status status-{}"><span class="status-symbol" aria-hidden="true">'
        "{}</span> {}</span>"
    ).format(cls, STATUS_SYMBOL.get(status, "–"), status)


def dataset_da(name: str) -> str:
    """The Danish name of a dataset ('fleet' → 'Kommunens egen vognpark')."""
    d = DATASETS.get(name)
    return d.danish_name if d and d.danish_name else str(name)


def join_da(items: list[str]) -> str:
    """['a', 'b', 'c'] → 'a, b og c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def kpi_anchor(kpi_id: str) -> str:
    """Stable HTML id of a KPI block: 'kpi-lca-projects-count'."""
    return "kpi-" + kpi_id.replace("_", "-")


def _na(x: object) -> bool:
    return fmt.is_missing(x)


def _base(acc: Account) -> dict:
    return {"acc": acc, "year": acc.year, "name": acc.official_name}


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def section_intro(acc: Account) -> str:
    """Who, what year, what the report covers; sample-data and blocked notices."""
    counts = acc.summary["status"].value_counts()
    return _render(
        "intro.html.j2",
        **_base(acc),
        n_kpis=len(acc.summary),
        counts={s: int(counts.get(s, 0)) for s in kpis.KPI_STATUSES},
        blocked=(acc.validation or {}).get("status") == "blocked",
        targets_source=acc.targets.source,
        first_year=min(acc.years),
    )


def _summary_rows(acc: Account) -> list[dict]:
    rows = []
    for r in acc.summary.itertuples(index=False):
        prev = (
            "–"
            if _na(r.previous_value)
            else f"{fmt.value(r.previous_value, r.unit)} ({int(r.previous_year)})"
        )
        goal = (
            "–"
            if _na(r.target_value)
            else f"{fmt.value(r.target_value, r.unit)} i {int(r.target_year)}"
        )
        rows.append(
            {
                "anchor": kpi_anchor(r.kpi_id),
                "title": r.title_da,
                "value": fmt.value(r.value, r.unit, missing=fmt.NO_DATA),
                "previous": prev,
                "target": goal,
                "status": r.status,
                "direction": "højere er bedre" if r.higher_is_better else "lavere er bedre",
                "caveat": bool(acc.caveats.get(r.kpi_id)),
            }
        )
    return rows


def section_summary(acc: Account) -> str:
    """One table: every KPI's value this year, previous year, target and status."""
    counts = acc.summary["status"].value_counts()
    return _render(
        "summary.html.j2",
        **_base(acc),
        rows=_summary_rows(acc),
        counts=[(s, int(counts.get(s, 0))) for s in kpis.KPI_STATUSES],
    )


def _kpi_block(acc: Account, d: kpis.KpiDef) -> dict:
    t = acc.targets.get(d.kpi_id)
    row = acc.summary.set_index("kpi_id").loc[d.kpi_id]
    traj = kpis.trajectory(t, acc.history, d.kpi_id)
    s = kpis.series(acc.history, d.kpi_id)
    table = [
        {
            "year": int(y),
            "value": fmt.value(v, d.unit, missing=fmt.NO_DATA),
            "expected": "–"
            if traj is None or y < traj.baseline_year
            else fmt.value(traj.expected(int(y)), d.unit, decimals=1 if d.unit == "%" else None),
        }
        for y, v in s.items()
    ]
    svg = acc.chart(d.kpi_id, lambda: charts.kpi_chart(d, acc.history, acc.year, t))
    observed = s.dropna()
    gaps = bool(len(observed) > 1 and (observed.index.to_series().diff() > 1).any())
    return {
        "d": d,
        "anchor": kpi_anchor(d.kpi_id),
        "status": row["status"],
        "value": fmt.value(row["value"], d.unit, missing=fmt.NO_DATA),
        "has_value": not _na(row["value"]),
        "sentence": kpis.sentence(d, acc.history, acc.year, t),
        "expected": None
        if _na(row["expected_value"]) or _na(row["value"])
        else fmt.value(row["expected_value"], d.unit, decimals=1 if d.unit == "%" else None),
        "caveats": acc.caveats.get(d.kpi_id, []),
        "svg": Markup(svg) if svg else None,
        "span": f"{int(observed.index[0])}–{int(observed.index[-1])}" if len(observed) else "",
        "gaps": gaps,
        "table": table,
        "target": t,
        "traj": traj,
        "baseline_note": None
        if traj is None or traj.baseline_from_targets
        else f"Målet har intet udgangspunkt, så målstien starter ved den første målte værdi "
        f"({fmt.value(traj.baseline_value, d.unit)} i {traj.baseline_year}).",
    }


def _projects_rows(acc: Account) -> list[dict]:
    rows = []
    p = acc.projects.sort_values(["completed_on", "project_id"], kind="stable")
    for r in p.itertuples(index=False):
        within = "–" if pd.isna(r.within_limit) else ("ja" if bool(r.within_limit) else "nej")
        rows.append(
            [
                str(r.project_id),
                "–" if _na(r.building_name) else str(r.building_name),
                "–" if _na(r.project_type) else str(r.project_type),
                str(r.building_use),
                fmt.date_da(r.completed_on),
                fmt.value(r.floor_area_m2, "m²", decimals=0),
                "–" if _na(r.lca_performed) else str(r.lca_performed),
                fmt.number(r.lca_gwp_kg_co2e_m2_year, 1),
                fmt.number(r.br18_limit, 1),
                within,
            ]
        )
    return rows


def _fleet_table(acc: Account) -> dict:
    c = acc.fleet_counts
    cols = list(c.columns)
    rows = [
        [charts.VEHICLE_CLASS_DA.get(cls, str(cls))]
        + [fmt.integer(c.loc[cls, p]) for p in cols]
        + [fmt.integer(int(c.loc[cls].sum()))]
        for cls in c.index
    ]
    if len(c):
        rows.append(
            ["I alt"]
            + [fmt.integer(int(c[p].sum())) for p in cols]
            + [fmt.integer(int(c.to_numpy().sum()))]
        )
    return {
        "head": ["Køretøjsklasse"] + [charts.PROPULSION_DA.get(p, p) for p in cols] + ["I alt"],
        "rows": rows,
    }


def _waste_rows(acc: Account) -> list[list[str]]:
    w = acc.waste_fractions
    rows = [
        [
            str(r.fraction).replace("_", " ").capitalize(),
            fmt.number(r.tonnes, 1),
            fmt.number(r.recycled_tonnes, 1),
            fmt.percent(r.recycled_share),
        ]
        for r in w.itertuples(index=False)
    ]
    if len(w):
        total, rec = w["tonnes"].sum(), w["recycled_tonnes"].sum()
        rows.append(
            [
                "I alt",
                fmt.number(total, 1),
                fmt.number(rec, 1),
                fmt.percent(rec / total * 100 if total else None),
            ]
        )
    return rows


def _label_rows(acc: Account) -> list[list[str]]:
    dist = acc.label_distribution
    return [
        [
            str(r.label),
            fmt.integer(r.count),
            fmt.percent(r.count_share),
            fmt.number(r.area_m2, 0),
            fmt.percent(r.area_share),
        ]
        for r in dist.itertuples(index=False)
    ]


def section_kpis(acc: Account) -> str:
    """One sub-section per KPI group with chart, reading, numbers per year and caveats."""
    groups = []
    for gid, title in kpis.GROUPS.items():
        groups.append(
            {
                "id": gid,
                "title": title,
                "kpis": [_kpi_block(acc, d) for d in kpis.kpis_in_group(gid)],
            }
        )
    labels_svg = acc.chart("labels", lambda: charts.label_chart(acc.label_distribution, acc.year))
    fleet_svg = acc.chart("fleet", lambda: charts.fleet_chart(acc.fleet_counts, acc.year))
    return _render(
        "kpis.html.j2",
        **_base(acc),
        groups=groups,
        projects=_projects_rows(acc),
        fleet=_fleet_table(acc),
        fleet_svg=Markup(fleet_svg) if fleet_svg else None,
        waste=_waste_rows(acc),
        labels=_label_rows(acc),
        labels_svg=Markup(labels_svg) if labels_svg else None,
    )


def _tonnes(x: object) -> str:
    return fmt.value(x, "t CO2e", decimals=0)


def _action_row(r: dict) -> dict:
    """One action for the full list: missing cells → None, numbers in Danish."""
    r = {k: (None if _na(v) else v) for k, v in r.items()}
    r["reduction"] = _tonnes(r["reduction_t_co2e"])
    r["kpi_anchor"] = kpi_anchor(r["kpi_id"]) if r["kpi_id"] in kpis.KPI_DEFS else None
    return r


def section_actions(acc: Account) -> str:
    """The action plan: status chart, by area × status, by responsibility, reductions, full list."""
    t = acc.actions
    by_area = kpis.actions_by_area_status(t)
    by_resp = kpis.actions_by_responsibility(t)
    by_status = kpis.reductions_by_status(t)
    svg = acc.chart("actions", lambda: charts.actions_chart(by_status, acc.year))
    total = t["reduction_t_co2e"].sum(min_count=1)
    return _render(
        "actions.html.j2",
        **_base(acc),
        n=len(t),
        total=None if _na(total) else _tonnes(total),
        svg=Markup(svg) if svg else None,
        status_text=join_da(
            [f"{fmt.integer(r.actions)} {r.status}" for r in by_status.itertuples() if r.actions]
        ),
        area_head=list(by_area.columns),
        area_rows=[[str(a)] + [fmt.integer(v) for v in by_area.loc[a]] for a in by_area.index],
        resp_rows=[
            [r.responsibility, fmt.integer(r.actions), _tonnes(r.reduction_t_co2e)]
            for r in by_resp.itertuples()
        ],
        status_rows=[
            [r.status, fmt.integer(r.actions), _tonnes(r.reduction_t_co2e)]
            for r in by_status.itertuples()
        ],
        actions=[_action_row(r) for r in t.to_dict("records")],
    )


def section_data_quality(acc: Account) -> str:
    """This municipality's validation summary, its caveats and the link to the auditor's page."""
    v = acc.validation
    caveats = []
    for c in (v or {}).get("caveats", []) or []:
        ids = c.get("kpis") or []
        caveats.append(
            {
                "dataset": dataset_da(c.get("dataset", "")),
                "severity": SEVERITY_DA.get(c.get("severity"), c.get("severity") or ""),
                "kpis": [kpis.KPI_DEFS[k].title_da if k in kpis.KPI_DEFS else k for k in ids],
                "message": c.get("message", ""),
            }
        )
    failures = (v or {}).get("failures", {}) or {}
    return _render(
        "data_quality.html.j2",
        **_base(acc),
        v=v,
        caveats=caveats,
        page=acc.validation_page,
        failures=[(SEVERITY_DA[s], int(failures.get(s, 0) or 0)) for s in SEVERITY_DA],
        rules=(v or {}).get("rules_checked"),
        delivered=[dataset_da(d) for d in acc.delivered],
        missing=[dataset_da(d) for d in acc.missing],
    )


def section_method(acc: Account) -> str:
    """Each KPI's definition and source, the status rule, BR18 limits and assumptions."""
    return _render(
        "method.html.j2",
        **_base(acc),
        defs=list(kpis.KPI_DEFS.values()),
        groups=kpis.GROUPS,
        limit_2023=fmt.value(kpis.BR18_2023_LIMIT, "kg CO2e/m²/år"),
        area_2023=fmt.number(kpis.BR18_2023_MIN_AREA_M2, 0),
        from_2023=fmt.date_da(kpis.BR18_2023_FROM),
        from_2025=fmt.date_da(kpis.BR18_2025_FROM),
        limits_2025=[
            (kpis.BR18_CATEGORY_NAMES[k], fmt.value(v, "kg CO2e/m²/år"))
            for k, v in kpis.BR18_2025_LIMITS.items()
        ],
        targets_source=acc.targets.source,
    )


@functools.cache
def git_commit(root: Path = config.ROOT) -> str:
    """Short git commit of the pipeline checkout, 'ukendt' outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "ukendt"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "ukendt"


def input_files(acc: Account) -> list[dict]:
    """year, dataset, file, sha256, rows of every input file this account used (from manifests)."""
    rows = []
    for y in sorted(acc.manifests, reverse=True):
        entry = (acc.manifests[y].get("municipalities") or {}).get(str(acc.code)) or {}
        for name, info in (entry.get("datasets") or {}).items():
            rows.append(
                {
                    "year": y,
                    "dataset": dataset_da(name),
                    "file": info.get("file", ""),
                    "sha256": info.get("sha256", ""),
                    "rows": info.get("rows"),
                }
            )
    return rows


def section_footer(acc: Account) -> str:
    """Pipeline version, git commit and the sha256 of every input file."""
    return _render(
        "footer.html.j2",
        **_base(acc),
        version=pipeline.__version__,
        commit=git_commit(config.ROOT),
        files=input_files(acc),
    )


def sections(acc: Account) -> list[str]:
    """All sections in report order (convenience for the notebook and tests)."""
    return [
        section_intro(acc),
        section_summary(acc),
        section_kpis(acc),
        section_actions(acc),
        section_data_quality(acc),
        section_method(acc),
        section_footer(acc),
    ]
