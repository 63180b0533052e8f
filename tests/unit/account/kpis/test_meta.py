"""KPI metadata as data: kpis/<group>.meta.yml next to the code, read by account.kpis.meta."""

import importlib
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import schema
from pipeline.account import kpis
from pipeline.account.kpis import GROUPS, KPI_DATASET, KPI_DEFS, KPI_IDS, meta

META_DIR = Path(meta.__file__).parent
# The KPIs and their datasets as pipeline.schema stated them before the metadata moved to YAML.
KPI_DATASET_BEFORE = {
    "lca_projects_count": "construction_projects",
    "lca_share_projects": "construction_projects",
    "lca_within_limit_share": "construction_projects",
    "zero_emission_share_passenger_cars": "fleet",
    "zero_emission_share_vans": "fleet",
    "household_recycling_rate": "waste",
    "plastic_recycling_rate": "waste",
    "residual_waste_share": "waste",
    "energy_label_d_or_worse_share_area": "buildings",
    "energy_label_d_or_worse_share_count": "buildings",
    "energy_label_missing_or_expired_share": "buildings",
}
# Issue 12, the municipality as an enterprise: each KPI's first dataset (the ones needing both list both).
KPI_DATASET_BEFORE.update({
    "heat_kwh_per_m2": "building_energy",
    "heat_corrected_kwh_per_m2": "building_energy",
    "electricity_kwh_per_m2": "building_energy",
    "water_m3": "building_energy",
    "water_m3_per_m2": "building_energy",
    "operations_t_co2e": "building_energy",
    "operations_buildings_t_co2e": "building_energy",
    "operations_transport_t_co2e": "transport_energy",
    "operations_own_effort_t_co2e": "building_energy",
    "operations_supply_effect_t_co2e": "building_energy",
})
OPERATIONS = [k for k in KPI_DATASET_BEFORE if list(KPI_DATASET_BEFORE).index(k) >= 11]


def raw(module):
    return yaml.safe_load((META_DIR / f"{module}.meta.yml").read_text(encoding="utf-8"))


def test_every_kpi_is_defined():
    assert KPI_IDS == list(KPI_DEFS) == list(KPI_DATASET_BEFORE)
    for d in KPI_DEFS.values():
        assert d.title_da and d.short_da and d.definition_da and d.source_da and d.axis_da
        assert d.unit in meta.UNITS == ("%", "antal", "kg CO2e/m²/år", "t CO2e", "kWh/m²", "m³", "m³/m²")
        assert "{value}" in d.reading_da
        assert isinstance(d.higher_is_better, bool)
    lower = {k for k, d in KPI_DEFS.items() if not d.higher_is_better}
    assert lower == {
        "residual_waste_share",
        "energy_label_d_or_worse_share_area",
        "energy_label_d_or_worse_share_count",
        "energy_label_missing_or_expired_share",
        *OPERATIONS,  # every consumption and emission: lower is better
    }
    assert {k for k, d in KPI_DEFS.items() if d.unit == "antal"} == {"lca_projects_count"}
    assert {k for k, d in KPI_DEFS.items() if d.can_be_negative} == {"operations_own_effort_t_co2e",
                                                                    "operations_supply_effect_t_co2e"}


def test_each_kpi_states_its_dataset_once_and_it_exists():
    assert KPI_DATASET == KPI_DATASET_BEFORE
    for group in meta.groups():
        assert group.dataset in schema.DATASETS
        assert "dataset" not in {key for m in raw(group.module)["kpis"].values() for key in m}
        for d in group.kpis:  # a KPI's own `datasets` (only where it needs others than the group's)
            assert set(d.datasets) <= set(schema.DATASETS) and d.dataset == d.datasets[0]
            assert d.datasets == tuple(raw(group.module)["kpis"][d.kpi_id].get("datasets", [group.dataset]))
        if group.id != "operations":
            assert {d.dataset for d in group.kpis} == {group.dataset}
    assert kpis.kpis_for("waste") == [
        "household_recycling_rate", "plastic_recycling_rate", "residual_waste_share"
    ]
    assert kpis.kpis_for("actions") == []
    # a KPI computed from two datasets is qualified by a warning on either
    both = ["operations_t_co2e", "operations_own_effort_t_co2e", "operations_supply_effect_t_co2e"]
    assert kpis.kpis_for("transport_energy") == [both[0], "operations_transport_t_co2e", *both[1:]]
    assert kpis.KPI_DATASETS["operations_t_co2e"] == ("building_energy", "transport_energy")


@pytest.mark.parametrize("module", meta.GROUP_MODULES)
def test_direction_is_a_yaml_boolean(module):
    """`higher_is_better: "false"` would read as True: write the direction as a YAML boolean."""
    for kpi_id, m in raw(module)["kpis"].items():
        assert isinstance(m["higher_is_better"], bool), f"{module}.meta.yml: {kpi_id}"


def test_group_order():
    assert meta.GROUP_MODULES == ("lca", "fleet", "waste", "energy_labels", "operations")
    assert list(GROUPS) == ["lca", "fleet", "waste", "energy", "operations"]
    assert [g.module for g in meta.groups()] == list(meta.GROUP_MODULES)
    assert GROUPS["energy"] == "Energimærker på kommunens bygninger"
    # KPI_IDS run group by group, in report order
    assert [KPI_DEFS[k].group for k in KPI_IDS] == sorted(
        (KPI_DEFS[k].group for k in KPI_IDS), key=list(GROUPS).index
    )
    assert [d.kpi_id for d in kpis.kpis_in_group("energy")] == [
        "energy_label_d_or_worse_share_area",
        "energy_label_d_or_worse_share_count",
        "energy_label_missing_or_expired_share",
    ]
    assert kpis.kpis_in_group("energy_labels") == []  # the group id, not the module name


def test_every_meta_file_is_registered_and_every_group_has_one():
    on_disk = sorted(p.name.removesuffix(".meta.yml") for p in META_DIR.glob("*.meta.yml"))
    assert on_disk == sorted([*meta.GROUP_MODULES, "climate"])  # climate: the climate account's figures
    assert [d.kpi_id for d in meta.climate_group().kpis] == ["emissions_total_t_co2e", "emissions_reduction_pct",
                                                            "manko_t_co2e_2030"]


def test_kpi_ids_are_unique():
    class Strict(yaml.SafeLoader):
        """Refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def no_duplicates(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        assert not duplicates, f"{node.start_mark}: {sorted(duplicates)} given twice"
        return loader.construct_mapping(node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)
    ids = []
    for module in meta.GROUP_MODULES:
        text = (META_DIR / f"{module}.meta.yml").read_text(encoding="utf-8")
        ids += list(yaml.load(text, Loader=Strict)["kpis"])
    assert len(ids) == len(set(ids)) == len(KPI_DEFS)


@pytest.mark.parametrize("module", meta.GROUP_MODULES)
def test_each_group_computes_exactly_its_metadatas_kpis(module):
    group = next(g for g in meta.groups() if g.module == module)
    compute = importlib.import_module(f"pipeline.account.kpis.{module}").compute
    computed = compute(kpis.frames_for({}, 151, 2024), 2024)
    assert list(computed) == [d.kpi_id for d in group.kpis]


# --- a broken .meta.yml ---------------------------------------------------------------------------


@pytest.fixture
def meta_copy(tmp_path, monkeypatch):
    """The real .meta.yml files in tmp_path, read by meta.groups() as if next to meta.py."""
    for module in meta.GROUP_MODULES:
        shutil.copy(META_DIR / f"{module}.meta.yml", tmp_path)
    monkeypatch.setattr(meta, "__file__", str(tmp_path / "meta.py"))
    meta.groups.cache_clear()
    yield tmp_path
    meta.groups.cache_clear()  # the next caller reads the real files again


def test_the_copied_meta_files_load(meta_copy):
    assert [d.kpi_id for g in meta.groups() for d in g.kpis] == KPI_IDS


BREAKAGES = {
    "unknown dataset": (("dataset: fleet", "dataset: cars"), "'cars'"),
    "unknown unit": (("unit: '%'", "unit: procent"), "'procent'"),
    "missing key": (("    axis: Andel af personbilerne\n", ""), "needs exactly the keys"),
    "extra key": (
        ("    axis: Andel af varebilerne\n", "    axis: x\n    note: y\n"), "needs exactly"
    ),
}
BREAKAGES.update({
    "invalid YAML": (("group: fleet", "group: [fleet"), "cannot be read as YAML"),
    "no dataset": (("dataset: fleet\n", ""), "dataset must be given as text"),
    "no kpis": (("kpis:\n", "kpis_:\n"), "kpis"),
    "direction as text": (("higher_is_better: true", "higher_is_better: 'false'"), "higher_is_better"),
    "unknown dataset of a KPI": (("    axis: Andel af varebilerne\n", "    axis: x\n    datasets: [cars]\n"),
                                 "datasets must be a list of datasets"),
    "negative as text": (("    axis: Andel af varebilerne\n", "    axis: x\n    can_be_negative: 'ja'\n"),
                         "can_be_negative must be true or false"),
})


@pytest.mark.parametrize(
    ("edit", "hint"),
    [pytest.param(*v, id=k) for k, v in BREAKAGES.items()],
)
def test_a_broken_meta_file_is_named_in_the_error(meta_copy, edit, hint):
    path = meta_copy / "fleet.meta.yml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(meta.MetadataError) as err:
        meta.groups()
    assert str(path) in str(err.value) and hint in str(err.value)


def test_a_kpi_id_defined_twice_is_refused(meta_copy):
    waste = meta_copy / "waste.meta.yml"
    waste.write_text(waste.read_text(encoding="utf-8").replace(
        "plastic_recycling_rate:", "zero_emission_share_vans:"), encoding="utf-8")
    with pytest.raises(meta.MetadataError, match="zero_emission_share_vans.*fleet.meta.yml and waste.meta.yml"):
        meta.groups()
