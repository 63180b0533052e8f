"""KPI metadata read from the `<group>.meta.yml` files next to each KPI group's module.

A KPI group is registered by adding its module name to GROUP_MODULES (report order): the module
`kpis/<name>.py` computes the values, `kpis/<name>.meta.yml` says what they mean. A KPI computed from other
datasets than its group's names them in `datasets` (each must be delivered, else "mangler data"), and a KPI
whose value may be below 0 (a change) says `can_be_negative: true`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import schema

GROUP_MODULES = ("lca", "fleet", "waste", "energy_labels", "operations")
UNITS = ("%", "antal", "kg CO2e/m²/år", "t CO2e", "kWh/m²", "m³", "m³/m²")
_FIELDS = {"title", "short", "unit", "higher_is_better", "definition", "reading", "axis"}
_OPTIONAL = {"datasets", "can_be_negative"}


@dataclass(frozen=True)
class KpiDef:
    kpi_id: str
    group: str
    title_da: str
    short_da: str
    unit: str  # one of UNITS: "%" (0–100), "antal", "kg CO2e/m²/år", "t CO2e", "kWh/m²", "m³", "m³/m²"
    dataset: str  # the first of `datasets`
    higher_is_better: bool
    definition_da: str
    source_da: str
    reading_da: str  # completes "I 2024 …" with {value}
    axis_da: str
    datasets: tuple[str, ...] = ()  # every dataset the KPI needs (default: the group's)
    can_be_negative: bool = False  # a change (e.g. own effort) may be below 0; every other value is ≥ 0
    chart_with_target_only: bool = False  # the group's `chart: with_target`: its own report section has the
    # charts, so a KPI block in 'Nøgletal' draws one only when the municipality has a target for it


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
    chart = doc.get("chart", "always")
    if chart not in ("always", "with_target"):
        raise MetadataError(f"{path}: chart must be 'always' or 'with_target', not {chart!r}")
    dataset = doc["dataset"]
    if dataset not in schema.DATASETS:
        raise MetadataError(f"{path}: dataset {dataset!r} is not in pipeline.schema.DATASETS")
    kpis = []
    for kpi_id, m in doc["kpis"].items():
        if not isinstance(m, dict) or not _FIELDS <= set(m) <= _FIELDS | _OPTIONAL:
            raise MetadataError(f"{path}: {kpi_id} needs exactly the keys {sorted(_FIELDS)} "
                                f"(and may have {sorted(_OPTIONAL)})")
        if m["unit"] not in UNITS:
            raise MetadataError(f"{path}: {kpi_id} has unit {m['unit']!r}; expected one of {UNITS}")
        if not isinstance(m["higher_is_better"], bool):
            raise MetadataError(f"{path}: {kpi_id}: higher_is_better must be true or false, "
                                f"not {m['higher_is_better']!r}")
        datasets = m.get("datasets", [dataset])
        if not (isinstance(datasets, list) and datasets and all(d in schema.DATASETS for d in datasets)):
            raise MetadataError(f"{path}: {kpi_id}: datasets must be a list of datasets in "
                                f"pipeline.schema.DATASETS, not {datasets!r}")
        negative = m.get("can_be_negative", False)
        if not isinstance(negative, bool):
            raise MetadataError(f"{path}: {kpi_id}: can_be_negative must be true or false, not {negative!r}")
        kpis.append(KpiDef(kpi_id, doc["group"], m["title"], m["short"], m["unit"], datasets[0],
                           m["higher_is_better"], m["definition"], doc["source"], m["reading"], m["axis"],
                           tuple(datasets), negative, chart == "with_target"))
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
KPI_DATASET: dict[str, str] = {k: d.dataset for k, d in KPI_DEFS.items()}  # the first dataset of each
KPI_DATASETS: dict[str, tuple[str, ...]] = {k: d.datasets for k, d in KPI_DEFS.items()}  # every dataset of each


@functools.cache
def climate_group() -> KpiGroup:
    """The climate account's key figures (kpis/climate.meta.yml): not a per-year computed group."""
    return _load_group("climate")


def all_defs() -> dict[str, KpiDef]:
    """Every KPI with metadata: the computed groups', then the climate account's."""
    return {**KPI_DEFS, **{d.kpi_id: d for d in climate_group().kpis}}


def kpis_in_group(group: str) -> list[KpiDef]:
    """The KPI definitions of one group ('lca', 'fleet', 'waste', 'energy', 'operations') in report order."""
    return [d for d in KPI_DEFS.values() if d.group == group]


def kpis_for(dataset: str) -> list[str]:
    """The KPI ids computed from a dataset (among others), in report order."""
    return [kpi for kpi, ds in KPI_DATASETS.items() if dataset in ds]
