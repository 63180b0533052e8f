"""KPI definitions and computation, target trajectory and status, plain-Danish readings."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline import formatting as fmt
from pipeline import ingest
from pipeline.schema import (
    D_OR_WORSE,
    DATASETS,
    ENERGY_LABELS,
    KPI_DATASET,
    KPI_IDS,
    RESPONSIBILITIES,
    STATUSES,
    ZERO_EMISSION,
)
from pipeline.targets import Target

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------------------------

ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA = (
    "på sporet",
    "ikke på sporet",
    "mangler mål",
    "mangler data",
)
KPI_STATUSES = [ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA]
NO_LABEL = "Intet mærke"
TOLERANCE = 1e-9  # value == expected counts as on track (float noise)


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


GROUPS: dict[str, str] = {
    "lca": "Klimavenligt byggeri (LCA)",
    "fleet": "Kommunens vognpark",
    "waste": "Husholdningsaffald",
    "energy": "Energimærker på kommunens bygninger",
}

_SRC = {
    "construction_projects": "Kommunens indberetning af bygge- og renoveringsprojekter afsluttet i året "
    "(datasættet construction_projects) samt bygningernes anvendelse fra bygningslisten (buildings).",
    "fleet": "Kommunens indberetning af den egne vognpark ved årets udgang (datasættet fleet).",
    "waste": "Kommunens indberetning af husholdningsaffald fordelt på fraktion og behandling "
    "(datasættet waste), målt i ton.",
    "buildings": "Kommunens indberetning af de kommunale bygninger ved årets udgang med opvarmet "
    "areal og energimærke (datasættet buildings).",
}
_LCA_READING = (
    "blev der udført en livscyklusvurdering (LCA) i {value} af kommunens afsluttede "
    "bygge- og renoveringsprojekter"
)

KPI_DEFS: dict[str, KpiDef] = {
    d.kpi_id: d
    for d in [
        KpiDef(
            "lca_projects_count",
            "lca",
            "Byggeprojekter med livscyklusvurdering (LCA)",
            "Projekter med LCA",
            "antal",
            "construction_projects",
            True,
            "Antal kommunale bygge- og renoveringsprojekter (nybyggeri og renovering) afsluttet i "
            "året, hvor der er udført en livscyklusvurdering (LCA) af bygningens klimapåvirkning.",
            _SRC["construction_projects"],
            _LCA_READING,
            "Antal projekter",
        ),
        KpiDef(
            "lca_share_projects",
            "lca",
            "Andel af byggeprojekter med LCA",
            "Andel med LCA",
            "%",
            "construction_projects",
            True,
            "Antal afsluttede projekter med LCA divideret med alle bygge- og renoveringsprojekter "
            "afsluttet i året, i procent.",
            _SRC["construction_projects"],
            _LCA_READING,
            "Andel af projekterne",
        ),
        KpiDef(
            "lca_within_limit_share",
            "lca",
            "LCA-projekter inden for CO₂-grænseværdien i BR18",
            "Inden for grænseværdien",
            "%",
            "construction_projects",
            True,
            "Blandt de afsluttede projekter med LCA, som er omfattet af en grænseværdi for "
            "klimapåvirkning i bygningsreglementet (BR18, se grænseværdierne under Metode), andelen "
            "hvis LCA-resultat i kg CO₂e/m²/år er lig med eller under grænseværdien. Projekter uden "
            "oplyst LCA-resultat tælles ikke med.",
            _SRC["construction_projects"],
            "lå {value} af de LCA-beregnede projekter, som er omfattet af en CO₂-grænseværdi i "
            "bygningsreglementet, inden for grænseværdien",
            "Andel af projekterne",
        ),
        KpiDef(
            "zero_emission_share_passenger_cars",
            "fleet",
            "Personbiler på el eller brint",
            "Personbiler på el/brint",
            "%",
            "fleet",
            True,
            "Antal personbiler i kommunens egen vognpark, der kører på el eller brint, divideret med "
            "alle kommunens personbiler ved årets udgang, i procent.",
            _SRC["fleet"],
            "var {value} af kommunens personbiler el- eller brintbiler",
            "Andel af personbilerne",
        ),
        KpiDef(
            "zero_emission_share_vans",
            "fleet",
            "Varebiler på el eller brint",
            "Varebiler på el/brint",
            "%",
            "fleet",
            True,
            "Antal varebiler i kommunens egen vognpark, der kører på el eller brint, divideret med "
            "alle kommunens varebiler ved årets udgang, i procent.",
            _SRC["fleet"],
            "var {value} af kommunens varebiler el- eller brintbiler",
            "Andel af varebilerne",
        ),
        KpiDef(
            "household_recycling_rate",
            "waste",
            "Genanvendelse af husholdningsaffald",
            "Genanvendt husholdningsaffald",
            "%",
            "waste",
            True,
            "Ton husholdningsaffald sendt til genanvendelse divideret med al indsamlet "
            "husholdningsaffald i året (alle fraktioner), i procent.",
            _SRC["waste"],
            "blev {value} af husholdningsaffaldet sendt til genanvendelse",
            "Andel af affaldet (vægt)",
        ),
        KpiDef(
            "plastic_recycling_rate",
            "waste",
            "Genanvendelse af plastaffald",
            "Genanvendt plast",
            "%",
            "waste",
            True,
            "Ton plastaffald fra husholdningerne sendt til genanvendelse divideret med alt indsamlet "
            "plastaffald fra husholdningerne i året, i procent.",
            _SRC["waste"],
            "blev {value} af husholdningernes plastaffald sendt til genanvendelse",
            "Andel af plastaffaldet (vægt)",
        ),
        KpiDef(
            "residual_waste_share",
            "waste",
            "Restaffald i husholdningsaffaldet",
            "Restaffald",
            "%",
            "waste",
            False,
            "Ton restaffald divideret med al indsamlet husholdningsaffald i året, i procent. "
            "Jo lavere, jo bedre.",
            _SRC["waste"],
            "udgjorde restaffald {value} af husholdningsaffaldet",
            "Andel af affaldet (vægt)",
        ),
        KpiDef(
            "energy_label_d_or_worse_share_area",
            "energy",
            "Areal med energimærke D eller dårligere",
            "Areal med mærke D–G",
            "%",
            "buildings",
            False,
            "Opvarmet areal i kommunale bygninger med energimærke D, E, F eller G divideret med det "
            "opvarmede areal i alle kommunale bygninger, der har et energimærke, i procent. "
            "Jo lavere, jo bedre.",
            _SRC["buildings"],
            "havde {value} af det opvarmede areal i kommunens energimærkede bygninger energimærke "
            "D, E, F eller G",
            "Andel af arealet",
        ),
        KpiDef(
            "energy_label_d_or_worse_share_count",
            "energy",
            "Bygninger med energimærke D eller dårligere",
            "Bygninger med mærke D–G",
            "%",
            "buildings",
            False,
            "Antal kommunale bygninger med energimærke D, E, F eller G divideret med antallet af "
            "kommunale bygninger, der har et energimærke, i procent. Jo lavere, jo bedre.",
            _SRC["buildings"],
            "havde {value} af kommunens energimærkede bygninger energimærke D, E, F eller G",
            "Andel af bygningerne",
        ),
        KpiDef(
            "energy_label_missing_or_expired_share",
            "energy",
            "Bygninger uden gyldigt energimærke",
            "Uden gyldigt mærke",
            "%",
            "buildings",
            False,
            "Antal kommunale bygninger uden energimærke eller med et energimærke, der udløber før "
            "31. december i året, divideret med alle kommunale bygninger, i procent. "
            "Jo lavere, jo bedre.",
            _SRC["buildings"],
            "havde {value} af kommunens bygninger intet energimærke eller et mærke, der udløb før "
            "årets udgang",
            "Andel af bygningerne",
        ),
    ]
}
assert list(KPI_DEFS) == KPI_IDS, (
    "KPI_DEFS must define every id in pipeline.schema.KPI_IDS, in order"
)
assert all(d.dataset == KPI_DATASET[k] for k, d in KPI_DEFS.items())


def kpis_in_group(group: str) -> list[KpiDef]:
    """The KPI definitions of one group ('lca', 'fleet', 'waste', 'energy') in report order."""
    return [d for d in KPI_DEFS.values() if d.group == group]


# ---------------------------------------------------------------------------------------------
# BR18 climate limits
# ---------------------------------------------------------------------------------------------

BR18_2023_FROM = dt.date(2023, 1, 1)
BR18_2025_FROM = dt.date(2025, 7, 1)
BR18_2023_LIMIT = 12.0
BR18_2023_MIN_AREA_M2 = 1000.0  # the 2023 limit applies to new builds *over* 1.000 m²
BR18_2025_LIMITS = {"kontor": 7.5, "etagebolig": 7.5, "institution": 8.0, "andet": 8.0}
BR18_CATEGORY_NAMES = {
    "kontor": "Kontorer",
    "etagebolig": "Etageboliger",
    "institution": "Institutioner (skoler, dagtilbud, plejecentre m.fl.)",
    "andet": "Øvrige bygningstyper (antagelse)",
}
_USE_CATEGORY = {
    "kontor": "kontor",
    "kontorer": "kontor",
    "administration": "kontor",
    "rådhus": "kontor",
    "etagebolig": "etagebolig",
    "etageboliger": "etagebolig",
    **{
        u: "institution"
        for u in (
            "institution",
            "institutioner",
            "skole",
            "folkeskole",
            "daginstitution",
            "dagtilbud",
            "børnehave",
            "vuggestue",
            "sfo",
            "fritidshjem",
            "plejecenter",
            "plejehjem",
            "ældrebolig",
            "ældreboliger",
            "botilbud",
        )
    },
}


def br18_category(building_use: object) -> str:
    """'kontor' / 'etagebolig' / 'institution' / 'andet' from the buildings table's `use`."""
    if fmt.is_missing(building_use):
        return "andet"
    return _USE_CATEGORY.get(str(building_use).strip().lower(), "andet")


def br18_limit(
    project_type: object,
    completed_on: object,
    floor_area_m2: object,
    building_use: object = "andet",
) -> float | None:
    """The BR18 limit in kg CO2e/m²/år in force for a project, or None when none applies."""
    if fmt.is_missing(project_type) or str(project_type).strip().lower() != "nybyggeri":
        return None
    day = fmt.to_date(completed_on)
    if day is None or day < BR18_2023_FROM:
        return None
    if day >= BR18_2025_FROM:
        return BR18_2025_LIMITS[br18_category(building_use)]
    if fmt.is_missing(floor_area_m2) or float(floor_area_m2) <= BR18_2023_MIN_AREA_M2:
        return None
    return BR18_2023_LIMIT


# ---------------------------------------------------------------------------------------------
# Selecting one municipality-year
# ---------------------------------------------------------------------------------------------


def empty_frame(dataset: str) -> pd.DataFrame:
    """An empty table with the dataset's processed columns (what an absent delivery looks like)."""
    return ingest.empty_table(DATASETS[dataset])


def rows_for(
    tables: Mapping[str, pd.DataFrame], dataset: str, code: int, year: int | None = None
) -> pd.DataFrame:
    """The rows of one dataset for one municipality (and year); empty when not delivered."""
    df = tables.get(dataset)
    if df is None or df.empty:
        return empty_frame(dataset)
    mask = df["municipality_code"] == int(code)
    if year is not None and "year" in df.columns:
        mask &= df["year"] == int(year)
    return df.loc[mask.fillna(False).astype(bool)]


def _share(part: float, whole: float) -> float | None:
    """part / whole × 100, None when the denominator is 0."""
    if fmt.is_missing(whole) or whole == 0:
        return None
    return float(part) / float(whole) * 100.0


def _eq(series: pd.Series, value: str) -> pd.Series:
    """Case/space-tolerant equality that treats missing as False."""
    return series.astype("string").str.strip().str.lower().eq(value).fillna(False).astype(bool)


def _isin(series: pd.Series, values: list[str]) -> pd.Series:
    return series.astype("string").str.strip().str.lower().isin(values).fillna(False).astype(bool)


# ---------------------------------------------------------------------------------------------
# LCA
# ---------------------------------------------------------------------------------------------


def projects_with_limits(
    projects: pd.DataFrame, buildings: pd.DataFrame, year: int
) -> pd.DataFrame:
    """Projects completed in `year`, with building_use, br18_limit and within_limit columns."""
    done = pd.to_datetime(projects["completed_on"], errors="coerce")
    out = projects.loc[(done.dt.year == int(year)).fillna(False).astype(bool)].copy()
    uses = {}
    if not buildings.empty:
        b = buildings.dropna(subset=["building_id"]).drop_duplicates("building_id")
        uses = dict(zip(b["building_id"].astype(str).str.strip(), b["use"], strict=True))
        names = dict(zip(b["building_id"].astype(str).str.strip(), b["name"], strict=True))
    else:
        names = {}
    keys = out["building_id"].astype("string").str.strip()
    out["building_use"] = [uses.get(k, "andet") if not fmt.is_missing(k) else "andet" for k in keys]
    out["building_use"] = [
        ("andet" if fmt.is_missing(u) else str(u).strip().lower()) for u in out["building_use"]
    ]
    out["building_name"] = [names.get(k) if not fmt.is_missing(k) else None for k in keys]
    out["br18_limit"] = [
        br18_limit(t, d, a, u)
        for t, d, a, u in zip(
            out["project_type"],
            out["completed_on"],
            out["floor_area_m2"],
            out["building_use"],
            strict=True,
        )
    ]
    out["br18_limit"] = out["br18_limit"].astype("float64")
    lca = _eq(out["lca_performed"], "ja")
    gwp = pd.to_numeric(out["lca_gwp_kg_co2e_m2_year"], errors="coerce")
    judged = lca & out["br18_limit"].notna() & gwp.notna()
    out["lca"] = lca
    out["within_limit"] = pd.array([None] * len(out), dtype="boolean")
    out.loc[judged, "within_limit"] = gwp[judged] <= out.loc[judged, "br18_limit"] + TOLERANCE
    return out


def _lca_kpis(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    projects = frames.get("construction_projects", empty_frame("construction_projects"))
    if projects.empty:
        return dict.fromkeys(["lca_projects_count", "lca_share_projects", "lca_within_limit_share"])
    p = projects_with_limits(projects, frames.get("buildings", empty_frame("buildings")), year)
    n_lca = int(p["lca"].sum())
    judged = p["within_limit"].dropna()
    return {
        "lca_projects_count": float(n_lca),
        "lca_share_projects": _share(n_lca, len(p)),
        "lca_within_limit_share": _share(int(judged.sum()), len(judged)),
    }


# ---------------------------------------------------------------------------------------------
# Fleet
# ---------------------------------------------------------------------------------------------


def zero_emission_share(fleet: pd.DataFrame, vehicle_class: str) -> float | None:
    """(el + brint) / all vehicles of the class × 100; None without vehicles of that class."""
    of_class = fleet.loc[_eq(fleet["vehicle_class"], vehicle_class)]
    return _share(int(_isin(of_class["propulsion"], ZERO_EMISSION).sum()), len(of_class))


def fleet_counts(fleet: pd.DataFrame) -> pd.DataFrame:
    """Vehicles per class (rows) × propulsion (columns), in schema order, zeros filled."""
    from pipeline.schema import PROPULSIONS, VEHICLE_CLASSES

    if fleet.empty:
        return pd.DataFrame(index=pd.Index([], name="vehicle_class", dtype=str), dtype="int64")
    f = pd.DataFrame(
        {
            "vehicle_class": fleet["vehicle_class"].astype("string").str.strip().str.lower(),
            "propulsion": fleet["propulsion"].astype("string").str.strip().str.lower(),
        }
    ).fillna("ukendt")
    table = pd.crosstab(f["vehicle_class"], f["propulsion"])
    rows = [c for c in VEHICLE_CLASSES if c in table.index] + sorted(
        set(table.index) - set(VEHICLE_CLASSES)
    )
    cols = [c for c in PROPULSIONS if c in table.columns] + sorted(
        set(table.columns) - set(PROPULSIONS)
    )
    table = table.reindex(index=rows, columns=cols, fill_value=0).astype("int64")
    table.index.name, table.columns.name = "vehicle_class", "propulsion"
    return table


def _fleet_kpis(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    fleet = frames.get("fleet", empty_frame("fleet"))
    return {
        "zero_emission_share_passenger_cars": zero_emission_share(fleet, "personbil"),
        "zero_emission_share_vans": zero_emission_share(fleet, "varebil"),
    }


# ---------------------------------------------------------------------------------------------
# Waste
# ---------------------------------------------------------------------------------------------


def _waste_kpis(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    waste = frames.get("waste", empty_frame("waste"))
    tonnes = pd.to_numeric(waste["tonnes"], errors="coerce").fillna(0.0)
    recycled = _eq(waste["treatment"], "genanvendelse")
    plastic = _eq(waste["fraction"], "plast")
    residual = _eq(waste["fraction"], "restaffald")
    total = float(tonnes.sum()) if len(waste) else 0.0
    return {
        "household_recycling_rate": _share(tonnes[recycled].sum(), total),
        "plastic_recycling_rate": _share(tonnes[plastic & recycled].sum(), tonnes[plastic].sum()),
        "residual_waste_share": _share(tonnes[residual].sum(), total),
    }


def waste_by_fraction(waste: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per fraction: fraction, tonnes, recycled_tonnes, recycled_share (0–100)."""
    from pipeline.schema import WASTE_FRACTIONS

    f = pd.DataFrame(
        {
            "fraction": waste["fraction"].astype("string").str.strip().str.lower().fillna("ukendt"),
            "tonnes": pd.to_numeric(waste["tonnes"], errors="coerce").fillna(0.0).astype("float64"),
        }
    )
    f["recycled_tonnes"] = f["tonnes"].where(
        _eq(waste["treatment"], "genanvendelse").to_numpy(), 0.0
    )
    g = f.groupby("fraction", sort=False)[["tonnes", "recycled_tonnes"]].sum()
    order = [x for x in WASTE_FRACTIONS if x in g.index] + sorted(
        set(g.index) - set(WASTE_FRACTIONS)
    )
    g = g.reindex(order).reset_index()
    g["recycled_share"] = [
        _share(r, t) for r, t in zip(g["recycled_tonnes"], g["tonnes"], strict=True)
    ]
    g["recycled_share"] = g["recycled_share"].astype("float64")
    return g


# ---------------------------------------------------------------------------------------------
# Energy labels
# ---------------------------------------------------------------------------------------------


def _labels(buildings: pd.DataFrame) -> pd.Series:
    """Upper-cased energy label per building; missing → NaN."""
    return buildings["energy_label"].astype("string").str.strip().str.upper().replace("", pd.NA)


def label_distribution(buildings: pd.DataFrame) -> pd.DataFrame:
    """label, count, count_share, area_m2, area_share over all buildings, incl. 'Intet mærke'."""
    labels = _labels(buildings).fillna(NO_LABEL)
    area = pd.to_numeric(buildings["heated_area_m2"], errors="coerce").fillna(0.0).astype("float64")
    f = pd.DataFrame({"label": labels.to_numpy(dtype=object), "area_m2": area.to_numpy()})
    order = ENERGY_LABELS + [NO_LABEL]
    extra = sorted(set(f["label"]) - set(order))
    g = f.groupby("label").agg(count=("area_m2", "size"), area_m2=("area_m2", "sum"))
    g = g.reindex(order + extra, fill_value=0)
    g["count"] = g["count"].astype("int64")
    g["area_m2"] = g["area_m2"].astype("float64")
    n, a = int(g["count"].sum()), float(g["area_m2"].sum())
    g["count_share"] = [_share(c, n) for c in g["count"]]
    g["area_share"] = [_share(x, a) for x in g["area_m2"]]
    g = g.astype({"count_share": "float64", "area_share": "float64"})
    return g.reset_index()[["label", "count", "count_share", "area_m2", "area_share"]]


def _energy_kpis(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    b = frames.get("buildings", empty_frame("buildings"))
    labels = _labels(b)
    has_label = labels.notna().to_numpy(dtype=bool)
    bad = labels.isin(D_OR_WORSE).fillna(False).to_numpy(dtype=bool)
    area = pd.to_numeric(b["heated_area_m2"], errors="coerce").fillna(0.0).to_numpy()
    valid_until = pd.to_datetime(b["label_valid_until"], errors="coerce")
    expired = (valid_until < pd.Timestamp(int(year), 12, 31)).fillna(False).to_numpy(dtype=bool)
    return {
        "energy_label_d_or_worse_share_area": _share(area[bad].sum(), area[has_label].sum()),
        "energy_label_d_or_worse_share_count": _share(int(bad.sum()), int(has_label.sum())),
        "energy_label_missing_or_expired_share": _share(int((~has_label | expired).sum()), len(b)),
    }


# ---------------------------------------------------------------------------------------------
# All KPIs, over the years
# ---------------------------------------------------------------------------------------------

_COMPUTERS: list[Callable[[Mapping[str, pd.DataFrame], int], dict[str, float | None]]] = [
    _lca_kpis,
    _fleet_kpis,
    _waste_kpis,
    _energy_kpis,
]


def frames_for(tables: Mapping[str, pd.DataFrame], code: int, year: int) -> dict[str, pd.DataFrame]:
    """Every dataset's rows for one municipality-year (empty frame where not delivered)."""
    return {name: rows_for(tables, name, code, year) for name in DATASETS}


def compute_year(
    tables: Mapping[str, pd.DataFrame], code: int, year: int
) -> dict[str, float | None]:
    """All KPI values for one municipality-year; None where the dataset is missing or n = 0."""
    frames = frames_for(tables, code, year)
    values: dict[str, float | None] = {}
    for compute in _COMPUTERS:
        values.update(compute(frames, year))
    for kpi_id, dataset in KPI_DATASET.items():
        if frames[dataset].empty:
            values[kpi_id] = None  # not delivered → "mangler data"
    return {k: values.get(k) for k in KPI_IDS}


def compute_history(
    tables_by_year: Mapping[int, Mapping[str, pd.DataFrame]], code: int, year: int | None = None
) -> pd.DataFrame:
    """Long table year, kpi_id, value (NaN = mangler data), unit for every available year ≤ year."""
    rows = []
    for y in sorted(int(k) for k in tables_by_year):
        if year is not None and y > int(year):
            continue
        for kpi_id, v in compute_year(tables_by_year[y], code, y).items():
            rows.append((y, kpi_id, float("nan") if v is None else float(v), KPI_DEFS[kpi_id].unit))
    out = pd.DataFrame(rows, columns=["year", "kpi_id", "value", "unit"])
    return out.astype({"year": "int64", "kpi_id": "str", "value": "float64", "unit": "str"})


def series(history: pd.DataFrame, kpi_id: str) -> pd.Series:
    """One KPI's values indexed by year (NaN where missing), sorted by year."""
    if history is None or history.empty:
        return pd.Series(dtype="float64", name=kpi_id)
    h = history.loc[history["kpi_id"] == kpi_id, ["year", "value"]]
    return h.set_index("year")["value"].astype("float64").sort_index().rename(kpi_id)


def value_in(history: pd.DataFrame, kpi_id: str, year: int) -> float | None:
    """The KPI's value in `year`, None if missing."""
    s = series(history, kpi_id)
    v = s.get(int(year))
    return None if fmt.is_missing(v) else float(v)


def previous(history: pd.DataFrame, kpi_id: str, year: int) -> tuple[int, float] | None:
    """The latest (year, value) before `year` that has a value, or None."""
    s = series(history, kpi_id).dropna()
    s = s[s.index < int(year)]
    return None if s.empty else (int(s.index[-1]), float(s.iloc[-1]))


# ---------------------------------------------------------------------------------------------
# Target trajectory and status
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """Straight line from the baseline to the target; flat at the target value afterwards."""

    baseline_year: int
    baseline_value: float
    target_year: int
    target_value: float
    baseline_from_targets: bool  # False: the earliest observed value was used

    def expected(self, year: int) -> float:
        """The value the plan implies for `year`."""
        if year >= self.target_year:
            return self.target_value
        if year <= self.baseline_year:
            return self.baseline_value
        frac = (year - self.baseline_year) / (self.target_year - self.baseline_year)
        return self.baseline_value + frac * (self.target_value - self.baseline_value)


def trajectory(
    target: Target | None, history: pd.DataFrame | None = None, kpi_id: str | None = None
) -> Trajectory | None:
    """Line from the target's baseline (else the earliest observed value) to the target."""
    if target is None:
        return None
    if target.has_baseline:
        return Trajectory(
            target.baseline_year,
            target.baseline_value,
            target.target_year,
            target.target_value,
            True,
        )
    observed = series(history, kpi_id or target.kpi_id).dropna() if history is not None else None
    if observed is None or observed.empty:
        return None
    by, bv = int(observed.index[0]), float(observed.iloc[0])
    if by >= target.target_year:
        by, bv = target.target_year, target.target_value
    return Trajectory(by, bv, target.target_year, target.target_value, False)


def expected_value(
    target: Target | None, year: int, history: pd.DataFrame | None = None, kpi_id: str | None = None
) -> float | None:
    """The value on the target trajectory in `year`, None without target or baseline."""
    t = trajectory(target, history, kpi_id)
    return None if t is None else t.expected(int(year))


def status(
    kpi_def: KpiDef,
    value: float | None,
    year: int,
    target: Target | None,
    history: pd.DataFrame | None = None,
) -> str:
    """'på sporet' / 'ikke på sporet' / 'mangler mål' / 'mangler data' (rule in docs/kpis.md)."""
    if fmt.is_missing(value):
        return NO_DATA
    if target is None:
        return NO_TARGET
    expected = expected_value(target, year, history, kpi_def.kpi_id)
    if expected is None:  # no baseline and nothing observed: the value itself is the baseline
        expected = float(value)
    if kpi_def.higher_is_better:
        return ON_TRACK if float(value) >= expected - TOLERANCE else OFF_TRACK
    return ON_TRACK if float(value) <= expected + TOLERANCE else OFF_TRACK


def summary(history: pd.DataFrame, year: int, targets: Mapping[str, Target]) -> pd.DataFrame:
    """Per KPI: value this year, previous year with data, target, expected value and status."""
    rows = []
    for kpi_id, d in KPI_DEFS.items():
        v = value_in(history, kpi_id, year)
        prev = previous(history, kpi_id, year)
        t = targets.get(kpi_id)
        rows.append(
            {
                "kpi_id": kpi_id,
                "group": d.group,
                "title_da": d.title_da,
                "unit": d.unit,
                "higher_is_better": d.higher_is_better,
                "year": int(year),
                "value": v,
                "previous_year": prev[0] if prev else None,
                "previous_value": prev[1] if prev else None,
                "target_year": t.target_year if t else None,
                "target_value": t.target_value if t else None,
                "expected_value": expected_value(t, year, history, kpi_id),
                "status": status(d, v, year, t, history),
            }
        )
    out = pd.DataFrame(rows)
    for col in ("value", "previous_value", "target_value", "expected_value"):
        out[col] = out[col].astype("float64")
    for col in ("previous_year", "target_year"):
        out[col] = out[col].astype("Int64")
    return out


def sentence(kpi_def: KpiDef, history: pd.DataFrame, year: int, target: Target | None) -> str:
    """One plain-Danish sentence reading the KPI, e.g. 'I 2024 var 46 % af … op fra 31 % i 2023.'"""
    v = value_in(history, kpi_def.kpi_id, year)
    prev = previous(history, kpi_def.kpi_id, year)
    if v is None:
        text = f"Der mangler data til at beregne nøgletallet for {year}"
        if prev:
            text += f"; i {prev[0]} var værdien {fmt.value(prev[1], kpi_def.unit)}"
        text += "."
    else:
        now = fmt.value(v, kpi_def.unit)
        text = f"I {year} " + kpi_def.reading_da.format(value=now)
        if prev:
            before = fmt.value(prev[1], kpi_def.unit)
            if before == now:
                text += f", uændret fra {prev[0]}"
            else:
                text += f", {'op' if v > prev[1] else 'ned'} fra {before} i {prev[0]}"
        text += "."
    if target is None:
        return text + " Der er ikke fastsat et mål for nøgletallet."
    verb = "var" if target.target_year < int(year) else "er"
    return (
        text
        + f" Målet {verb} {fmt.value(target.target_value, kpi_def.unit)} i {target.target_year}."
    )


# ---------------------------------------------------------------------------------------------
# The action plan
# ---------------------------------------------------------------------------------------------

ACTION_STATUS_DA = {
    "ikke_startet": "ikke startet",
    "i_gang": "i gang",
    "gennemfoert": "gennemført",
    "forsinket": "forsinket",
    "opgivet": "opgivet",
}
RESPONSIBILITY_DA = {"selv": "selv", "medejer": "medejer", "faellesskab": "fællesskab"}
assert list(ACTION_STATUS_DA) == STATUSES and list(RESPONSIBILITY_DA) == RESPONSIBILITIES

_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def danish_sort_key(text: object) -> str:
    """Sort key placing æ, ø, å after z, as in a Danish dictionary."""
    return str(text).lower().translate(_DANISH_ORDER)


def _status_da(raw: object) -> str:
    if fmt.is_missing(raw):
        return "ukendt"
    key = str(raw).strip().lower()
    return ACTION_STATUS_DA.get(key, key)


def actions_table(
    actions: pd.DataFrame, kpi_status: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per action with Danish labels, the reduction and the linked KPI's status."""
    kpi_status = kpi_status or {}
    rows = []
    for r in actions.itertuples(index=False):
        kpi = None if fmt.is_missing(r.kpi) else str(r.kpi).strip()
        resp = None if fmt.is_missing(r.responsibility) else str(r.responsibility).strip().lower()
        rows.append(
            {
                "action_id": "" if fmt.is_missing(r.action_id) else str(r.action_id),
                "area": "" if fmt.is_missing(r.area) else str(r.area).strip(),
                "title": "" if fmt.is_missing(r.title) else str(r.title),
                "responsibility": RESPONSIBILITY_DA.get(resp, resp or "ukendt"),
                "status": _status_da(r.status),
                "reduction_t_co2e": (
                    None
                    if fmt.is_missing(r.expected_reduction_t_co2e_2030)
                    else float(r.expected_reduction_t_co2e_2030)
                ),
                "kpi_id": kpi,
                "kpi_title": (KPI_DEFS[kpi].title_da if kpi in KPI_DEFS else kpi) if kpi else None,
                "kpi_status": kpi_status.get(kpi) if kpi else None,
            }
        )
    cols = [
        "action_id",
        "area",
        "title",
        "responsibility",
        "status",
        "reduction_t_co2e",
        "kpi_id",
        "kpi_title",
        "kpi_status",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["reduction_t_co2e"] = out["reduction_t_co2e"].astype("float64")
    if out.empty:
        return out
    order = sorted(
        range(len(out)),
        key=lambda i: (danish_sort_key(out["area"].iat[i]), str(out["action_id"].iat[i])),
    )
    return out.iloc[order].reset_index(drop=True)


def _status_columns(table: pd.DataFrame) -> list[str]:
    known = list(ACTION_STATUS_DA.values())
    return known + sorted(set(table["status"]) - set(known))


def actions_by_area_status(table: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per area (rows) × Danish status (columns) plus 'I alt'."""
    cols = _status_columns(table)
    counts = pd.crosstab(table["area"], table["status"]) if len(table) else pd.DataFrame()
    counts = counts.reindex(columns=cols, fill_value=0)
    counts = counts.reindex(sorted(counts.index, key=danish_sort_key)).fillna(0).astype("int64")
    counts["I alt"] = counts.sum(axis=1)
    counts.index.name, counts.columns.name = "area", None
    return counts


def actions_by_responsibility(table: pd.DataFrame) -> pd.DataFrame:
    """responsibility ('selv', 'medejer', 'fællesskab'), actions, reduction_t_co2e (sum)."""
    order = list(RESPONSIBILITY_DA.values())
    order += sorted(set(table["responsibility"]) - set(order))
    g = table.groupby("responsibility")["reduction_t_co2e"]
    out = pd.DataFrame({"actions": g.size(), "reduction_t_co2e": g.sum(min_count=1)})
    out = out.reindex(order).fillna({"actions": 0}).astype({"actions": "int64"})
    return out.rename_axis("responsibility").reset_index()


def reductions_by_status(table: pd.DataFrame) -> pd.DataFrame:
    """status (Danish), actions, reduction_t_co2e: expected 2030 reductions summed per status."""
    order = _status_columns(table)
    g = table.groupby("status")["reduction_t_co2e"]
    out = pd.DataFrame({"actions": g.size(), "reduction_t_co2e": g.sum(min_count=1)})
    out = out.reindex(order).fillna({"actions": 0}).astype({"actions": "int64"})
    return out.rename_axis("status").reset_index()
