"""LCA KPIs: construction projects with a life-cycle assessment, and within the BR18 climate limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from pipeline import formatting as fmt
from pipeline.account.kpis.common import TOLERANCE, eq, frame_of, share

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


def use_decides_judgement(projects: pd.DataFrame) -> pd.Series:
    """Projects judged against a BR18 limit that depends on their building's use (looked up in the
    buildings table by building_id): new builds completed from 1 July 2025 with an LCA result."""
    done = pd.to_datetime(projects["completed_on"], errors="coerce")
    from_2025 = (done >= pd.Timestamp(BR18_2025_FROM)).fillna(False).astype(bool)
    gwp = pd.to_numeric(projects["lca_gwp_kg_co2e_m2_year"], errors="coerce")
    return eq(projects["project_type"], "nybyggeri") & from_2025 & eq(projects["lca_performed"], "ja") & gwp.notna()


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
    lca = eq(out["lca_performed"], "ja")
    gwp = pd.to_numeric(out["lca_gwp_kg_co2e_m2_year"], errors="coerce")
    judged = lca & out["br18_limit"].notna() & gwp.notna()
    out["lca"] = lca
    out["within_limit"] = pd.array([None] * len(out), dtype="boolean")
    out.loc[judged, "within_limit"] = gwp[judged] <= out.loc[judged, "br18_limit"] + TOLERANCE
    return out


def compute(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    projects = frame_of(frames, "construction_projects")
    if projects.empty:
        return dict.fromkeys(["lca_projects_count", "lca_share_projects", "lca_within_limit_share"])
    p = projects_with_limits(projects, frame_of(frames, "buildings"), year)
    n_lca = int(p["lca"].sum())
    judged = p["within_limit"].dropna()
    return {
        "lca_projects_count": float(n_lca),
        "lca_share_projects": share(n_lca, len(p)),
        "lca_within_limit_share": share(int(judged.sum()), len(judged)),
    }
