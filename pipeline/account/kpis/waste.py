"""Waste KPIs: household recycling rate, plastic recycling rate and the share of residual waste."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.account.kpis.common import eq, frame_of, share
from pipeline.schema import WASTE_FRACTIONS


def compute(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    waste = frame_of(frames, "waste")
    tonnes = pd.to_numeric(waste["tonnes"], errors="coerce").fillna(0.0)
    recycled = eq(waste["treatment"], "genanvendelse")
    plastic = eq(waste["fraction"], "plast")
    residual = eq(waste["fraction"], "restaffald")
    total = float(tonnes.sum()) if len(waste) else 0.0
    return {
        "household_recycling_rate": share(tonnes[recycled].sum(), total),
        "plastic_recycling_rate": share(tonnes[plastic & recycled].sum(), tonnes[plastic].sum()),
        "residual_waste_share": share(tonnes[residual].sum(), total),
    }


def waste_by_fraction(waste: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per fraction: fraction, tonnes, recycled_tonnes, recycled_share (0–100)."""
    f = pd.DataFrame(
        {
            "fraction": waste["fraction"].astype("string").str.strip().str.lower().fillna("ukendt"),
            "tonnes": pd.to_numeric(waste["tonnes"], errors="coerce").fillna(0.0).astype("float64"),
        }
    )
    f["recycled_tonnes"] = f["tonnes"].where(
        eq(waste["treatment"], "genanvendelse").to_numpy(), 0.0
    )
    g = f.groupby("fraction", sort=False)[["tonnes", "recycled_tonnes"]].sum()
    order = [x for x in WASTE_FRACTIONS if x in g.index] + sorted(
        set(g.index) - set(WASTE_FRACTIONS)
    )
    g = g.reindex(order).reset_index()
    g["recycled_share"] = [
        share(r, t) for r, t in zip(g["recycled_tonnes"], g["tonnes"], strict=True)
    ]
    g["recycled_share"] = g["recycled_share"].astype("float64")
    return g
