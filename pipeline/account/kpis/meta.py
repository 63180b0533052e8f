"""KPI metadata read from the `<group>.meta.yml` files next to each KPI group's module.

A KPI group is registered by adding its module name to GROUP_MODULES (report order): the module
`kpis/<name>.py` computes the values, `kpis/<name>.meta.yml` says what they mean.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import schema

GROUP_MODULES = ("lca", "fleet", "waste", "energy_labels")
UNITS = ("%", "antal", "kg CO2e/m²/år", "t CO2e")
_FIELDS = {"title", "short", "unit", "higher_is_better", "definition", "reading", "axis"}


@dataclass(frozen=True)
class KpiDef:
    kpi_id: str
    group: str
    title_da: str
    short_da: str
    unit: str  # "%" (0–100), "antal" or "kg CO2e/m²/år"
    dataset: str
    higher_is_better: bool
    definition_da: str
    source_da: str
    reading_da: str  # completes "I 2024 …" with {value}
    axis_da: str


@dataclass(frozen=True)
class KpiGroup:
    id: str  # the group's id in the report's HTML (e.g. "energy")
    module: str  # its module in pipeline/account/kpis/ (e.g. "energy_labels")
    title_da: str
    dataset: str
    kpis: tuple[KpiDef, ...]


class MetadataError(ValueError):
    """A `<group>.meta.yml` that cannot be used; the message names the file and what to fix."""


def _load_group(module: str) -> KpiGroup:
    path = Path(__file__).with_name(f"{module}.meta.yml")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MetadataError(f"{path}: cannot be read as YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("kpis"), dict) or not doc["kpis"]:
        raise MetadataError(f"{path}: needs a mapping with group, title, dataset, source and kpis "
                            "(kpi_id → its fields)")
    missing = [key for key in ("group", "title", "dataset", "source") if not isinstance(doc.get(key), str)]
    if missing:
        raise MetadataError(f"{path}: {', '.join(missing)} must be given as text")
    dataset = doc["dataset"]
    if dataset not in schema.DATASETS:
        raise MetadataError(f"{path}: dataset {dataset!r} is not in pipeline.schema.DATASETS")
    kpis = []
    for kpi_id, m in doc["kpis"].items():
        if not isinstance(m, dict) or set(m) != _FIELDS:
            raise MetadataError(f"{path}: {kpi_id} needs exactly the keys {sorted(_FIELDS)}")
        if m["unit"] not in UNITS:
            raise MetadataError(f"{path}: {kpi_id} has unit {m['unit']!r}; expected one of {UNITS}")
        if not isinstance(m["higher_is_better"], bool):
            raise MetadataError(f"{path}: {kpi_id}: higher_is_better must be true or false, "
                                f"not {m['higher_is_better']!r}")
        kpis.append(KpiDef(kpi_id, doc["group"], m["title"], m["short"], m["unit"], dataset,
                           m["higher_is_better"], m["definition"], doc["source"], m["reading"], m["axis"]))
    return KpiGroup(doc["group"], module, doc["title"], dataset, tuple(kpis))


@functools.cache
def groups() -> tuple[KpiGroup, ...]:
    """Every KPI group in report order; a KPI id may be defined only once."""
    out = tuple(_load_group(module) for module in GROUP_MODULES)
    seen: dict[str, str] = {}
    for group in out:
        for d in group.kpis:
            if d.kpi_id in seen:
                raise MetadataError(f"KPI id {d.kpi_id!r} is defined in both {seen[d.kpi_id]}.meta.yml "
                                    f"and {group.module}.meta.yml; KPI ids must be unique")
            seen[d.kpi_id] = group.module
    return out


GROUPS: dict[str, str] = {g.id: g.title_da for g in groups()}
KPI_DEFS: dict[str, KpiDef] = {d.kpi_id: d for g in groups() for d in g.kpis}
KPI_IDS: list[str] = list(KPI_DEFS)
KPI_DATASET: dict[str, str] = {k: d.dataset for k, d in KPI_DEFS.items()}


@functools.cache
def climate_group() -> KpiGroup:
    """The climate account's key figures (kpis/climate.meta.yml): not a per-year computed group."""
    return _load_group("climate")


def all_defs() -> dict[str, KpiDef]:
    """Every KPI with metadata: the computed groups', then the climate account's."""
    return {**KPI_DEFS, **{d.kpi_id: d for d in climate_group().kpis}}


def kpis_in_group(group: str) -> list[KpiDef]:
    """The KPI definitions of one group ('lca', 'fleet', 'waste', 'energy') in report order."""
    return [d for d in KPI_DEFS.values() if d.group == group]


def kpis_for(dataset: str) -> list[str]:
    """The KPI ids computed from a dataset, in report order."""
    return [kpi for kpi, ds in KPI_DATASET.items() if ds == dataset]
