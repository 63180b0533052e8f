"""Tiny processed tables for unit tests, typed and with provenance exactly as ingestion writes them."""

import pandas as pd

from pipeline.kpis import KPI_DEFS
from pipeline.schema import DATASETS


def frame(dataset, rows, code=151, year=2024):
    """A processed table as ingestion writes it: schema columns, dtypes and provenance."""
    cols = DATASETS[dataset].columns
    df = pd.DataFrame(rows, columns=[c.name for c in cols])
    for c in cols:
        if c.kind in ("text", "category", "yesno"):
            df[c.name] = df[c.name].astype("str").where(df[c.name].notna())
        elif c.kind == "float":
            df[c.name] = df[c.name].astype("float64")
        elif c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name])
    df["municipality_code"] = pd.Series([code] * len(df), dtype="int64")
    df["year"] = pd.Series([year] * len(df), dtype="int64")
    df["source_file"] = f"data/raw/{year}/{code}/{dataset}.csv"
    df["source_row"] = pd.Series(range(2, len(df) + 2), dtype="int64")
    return df


def history(kpi_id, pairs):
    """A KPI history as pipeline.kpis.compute_history returns it: [(year, value), ...]."""
    return pd.DataFrame(
        {
            "year": [y for y, _ in pairs],
            "kpi_id": kpi_id,
            "value": [v for _, v in pairs],
            "unit": KPI_DEFS[kpi_id].unit,
        }
    )
