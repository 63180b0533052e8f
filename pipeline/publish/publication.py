"""What a year's publication holds: each municipality's page state, the KPI rows of the pages actually
published, and the checksum of every file (`provenance/publication.json`, `provenance/kpis.parquet`).

The overview and the open data read the KPI rows from here, never from the run's newer KPI table: a
municipality whose new delivery is blocked, or whose notebook failed, keeps its older page, and the
overview and open data keep that page's figures with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import atomic, config, provenance, registry

log = logging.getLogger(__name__)

PUBLISHED, RENDER_FAILED, BLOCKED = "published", "render_failed", "blocked"
STATES = (PUBLISHED, RENDER_FAILED, BLOCKED)
STATE_FILE, TABLE_FILE = "publication.json", "kpis.parquet"


def state_path(paths: config.YearPaths) -> Path:
    return paths.provenance / STATE_FILE


def table_path(paths: config.YearPaths) -> Path:
    return paths.provenance / TABLE_FILE


@dataclass
class Page:
    """One municipality in the publication: its state, its page (if any) and the run that made the page."""

    state: str
    page: str | None = None
    page_generated: str | None = None  # RunInfo.generated of the run that rendered the page
    note: str = ""
    key: str | None = None  # the page's content-hash key (publish.keys.page_key) when it was rendered

    def to_dict(self) -> dict:
        return {"state": self.state, "page": self.page, "page_generated": self.page_generated, "note": self.note,
                "key": self.key}


@dataclass
class Publication:
    year: int
    run: dict
    municipalities: dict[int, Page] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path relative to reports/<YEAR>/ → SHA-256
    # publish.keys.run_key of the inputs this publication was made from, when one run covered every
    # municipality (None after a MUNICIPALITY=… run or a run with render failures)
    inputs_key: str | None = None

    def to_dict(self) -> dict:
        return {"year": self.year, "run": self.run, "inputs_key": self.inputs_key,
                "municipalities": {f"{c:03d}": p.to_dict() for c, p in sorted(self.municipalities.items())},
                "files": dict(sorted(self.files.items()))}

    @classmethod
    def from_dict(cls, doc: dict) -> Publication:
        return cls(int(doc["year"]), dict(doc["run"]),
                   {int(c): Page(**p) for c, p in doc["municipalities"].items()}, dict(doc.get("files", {})),
                   doc.get("inputs_key"))

    def counts(self) -> dict[str, int]:
        """How many municipalities are in each state."""
        return {state: sum(p.state == state for p in self.municipalities.values()) for state in STATES}


def load(paths: config.YearPaths) -> Publication | None:
    """The publication record of the year folder PATHS points at (None before the first run that wrote one)."""
    path = state_path(paths)
    if not path.exists():
        return None
    try:
        return Publication.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("%s cannot be read (%s); the publication is treated as having no record", path, exc)
        return None


def load_table(paths: config.YearPaths) -> pd.DataFrame | None:
    path = table_path(paths)
    return pd.read_parquet(path) if path.exists() else None


def with_sample_flag(table: pd.DataFrame, targets_dir: Path = config.TARGETS) -> pd.DataFrame:
    """TABLE with `sample_data` from each municipality's targets file as it is now, so a kept page keeps
    the flag it was published with even if the file is later changed or broken."""
    from pipeline.account import targets

    flags = {int(code): targets.is_sample(int(code), targets_dir) for code in table["municipality_code"].unique()}
    return table.assign(sample_data=table["municipality_code"].map(flags).astype("boolean"))


def compose(paths: config.YearPaths, new_table: pd.DataFrame, rendered: Mapping[int, bool],
            blocked: Iterable[int], run: provenance.RunInfo, notes: Mapping[int, str] | None = None,
            keys: Mapping[int, str] | None = None) -> tuple[Publication, pd.DataFrame]:
    """The publication after this run's rendering, in the staged year folder PATHS.

    RENDERED: code → whether its page was rendered in this run. BLOCKED: codes blocked in this run
    (validation or unreadable files). A page not rendered in this run (unchanged, or another municipality's
    run) keeps the rows, the state and the key it had. KEYS: code → the page key of a page rendered now.
    """
    keys = dict(keys or {})
    previous = load(paths)
    old_table = load_table(paths)
    notes = dict(notes or {})
    blocked = set(blocked)
    pages: dict[int, Page] = {}
    parts = []
    for page_path in sorted(paths.reports.glob("[0-9][0-9][0-9]-*.html")):
        code = int(page_path.name[:3])
        pages[code] = Page(PUBLISHED, page_path.name)
    codes = set(pages) | set(rendered) | blocked
    for code in sorted(codes):
        before = previous.municipalities.get(code) if previous else None
        page = pages.get(code)
        name = page.page if page else None
        if rendered.get(code):
            pages[code] = Page(PUBLISHED, name, run.generated, key=keys.get(code))
            parts.append(new_table[new_table["municipality_code"] == code])
            continue
        if code in blocked:
            state = BLOCKED
        elif code in rendered:  # tried in this run and failed
            state = RENDER_FAILED
        else:  # not rendered in this run (a run for another municipality): as it was
            state = before.state if before else PUBLISHED
        pages[code] = Page(state, name, before.page_generated if before else None,
                           notes.get(code, before.note if before and state == before.state else ""),
                           before.key if before else None)
        if name is None:
            continue
        kept = old_table[old_table["municipality_code"] == code] if old_table is not None else None
        if kept is None or kept.empty:
            log.warning("%s: the kept page %s has no recorded KPI rows; its figures are left out of the "
                        "overview and the open data", registry.get(code).name, name)
        else:
            parts.append(kept)
    columns = new_table.columns if old_table is None else old_table.columns.union(new_table.columns, sort=False)
    table = pd.concat([p for p in parts if not p.empty] or [new_table.iloc[0:0]], ignore_index=True)
    table = table.reindex(columns=list(columns))
    return Publication(paths.year, run.to_dict(), pages), table


def checksums(year_dir: Path) -> dict[str, str]:
    """SHA-256 of every file in the year folder except the publication record itself."""
    out = {}
    for path in sorted(p for p in Path(year_dir).rglob("*") if p.is_file()):
        relative = path.relative_to(year_dir).as_posix()
        if relative != f"provenance/{STATE_FILE}":
            out[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def write_table(paths: config.YearPaths, table: pd.DataFrame) -> None:
    import io

    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    atomic.write_bytes(table_path(paths), buffer.getvalue())


def write(paths: config.YearPaths, publication: Publication) -> None:
    """Write the record (the overview reads the states from it)."""
    atomic.write_text(state_path(paths), json.dumps(publication.to_dict(), ensure_ascii=False, indent=1) + "\n")


def seal(paths: config.YearPaths, publication: Publication) -> Publication:
    """Write the record last, with the checksum of every other file in the staged year folder."""
    publication.files = checksums(paths.reports)
    write(paths, publication)
    return publication


def differences(year_dir: Path) -> list[str]:
    """Files of a year folder that do not match its publication record (empty: the folder is whole)."""
    paths = config.YearPaths(int(Path(year_dir).name), reports_root=Path(year_dir).parent)
    record = load(paths)
    if record is None:
        return [f"{state_path(paths)} mangler"]
    actual = checksums(year_dir)
    wrong = [f"{name}: ændret" for name in sorted(set(actual) & set(record.files))
             if actual[name] != record.files[name]]
    wrong += [f"{name}: mangler" for name in sorted(set(record.files) - set(actual))]
    wrong += [f"{name}: ikke i udgivelsen" for name in sorted(set(actual) - set(record.files))]
    return wrong
