"""Energy-label KPIs: area and buildings with label D or worse, and buildings without a valid label."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.account.kpis.common import frame_of, share
from pipeline.schema import D_OR_WORSE, ENERGY_LABELS

NO_LABEL = "Intet mærke"


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
    g["count_share"] = [share(c, n) for c in g["count"]]
    g["area_share"] = [share(x, a) for x in g["area_m2"]]
    g = g.astype({"count_share": "float64", "area_share": "float64"})
    return g.reset_index()[["label", "count", "count_share", "area_m2", "area_share"]]


def compute(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, float | None]:
    b = frame_of(frames, "buildings")
    labels = _labels(b)
    has_label = labels.notna().to_numpy(dtype=bool)
    bad = labels.isin(D_OR_WORSE).fillna(False).to_numpy(dtype=bool)
    area = pd.to_numeric(b["heated_area_m2"], errors="coerce").fillna(0.0).to_numpy()
    valid_until = pd.to_datetime(b["label_valid_until"], errors="coerce")
    expired = (valid_until < pd.Timestamp(int(year), 12, 31)).fillna(False).to_numpy(dtype=bool)
    return {
        "energy_label_d_or_worse_share_area": share(area[bad].sum(), area[has_label].sum()),
        "energy_label_d_or_worse_share_count": share(int(bad.sum()), int(has_label.sum())),
        "energy_label_missing_or_expired_share": share(int((~has_label | expired).sum()), len(b)),
    }
