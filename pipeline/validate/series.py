"""The rules of a dataset that compare its rows with each other (checks.DATASET_RULES): for emissions,
the sectors against the totals per data year and unit, the data years without gaps, and the change
of each sector from one data year to the next; building_energy's are in validate/plausibility.py.
Reported like the dataset's GX expectations."""

from __future__ import annotations

import math

import pandas as pd

from pipeline import schema
from pipeline.ingest.totals import sector_sums
from pipeline.validate import checks, plausibility
from pipeline.validate.messages import (
    column_ref,
    count_text,
    emissions_context,
    location,
    number,
    pct,
    raw_value,
    row_ref,
    signed_pct,
)
from pipeline.validate.outcomes import ERROR, FAILED, PASSED, rule_row

NEEDED = ["data_year", "sector", "unit", "value", "source_file", "source_row"]


def check(dataset: str, frame: pd.DataFrame, source_file: str | None,
          previous: pd.DataFrame | None = None, frames: dict | None = None) -> tuple[list[dict], list[dict]]:
    """Rule outcomes and failure rows of the dataset's DATASET_RULES on one municipality's rows
    (PREVIOUS: its rows in last year's edition or delivery; FRAMES: every dataset it delivered this
    year, for rules that need another dataset)."""
    if dataset == plausibility.DATASET:
        return plausibility.check(frame, source_file, previous, (frames or {}).get("buildings"))
    rules, failures = [], []
    for name, rule in checks.DATASET_RULES.get(dataset, {}).items():
        base = {"dataset": dataset, "rule": name, "expectation_type": checks.CHECK_TYPE,
                "column": "value", "severity": rule["severity"], "description": rule["description"],
                "note": rule["notes"], "kpis": checks.kpis_for(dataset)}
        missing = [c for c in NEEDED if c not in frame.columns]
        if missing:
            message = (f"{source_file or dataset}: reglen {name} kunne ikke kontrolleres, fordi "
                       f"kolonnerne {', '.join(missing)} mangler. Ret leverancen og kør valideringen igen.")
            failures.append(_failure(base, source_file, None, None, message))
            rules.append(rule_row(**base, outcome=ERROR, observed=None, element_count=None,
                                  unexpected_count=None, message=message))
            continue
        rows = frame[frame["data_year"].notna()]
        if name == "emissions_restated":
            found, observed = restated(rows, previous, base)
        else:
            found, observed = CHECKS[name](rows, rule, base, source_file)
        failures += found
        rules.append(rule_row(**base, outcome=FAILED if found else PASSED, observed=observed,
                              element_count=None, unexpected_count=len(found) or None))
    return rules, failures


def _failure(base: dict, source_file, row, value, message: str) -> dict:
    keep = ("dataset", "rule", "expectation_type", "column", "severity")
    return {**{k: base[k] for k in keep}, "note": base["note"], "source_file": source_file,
            "row": row, "value": value, "message": message}


def _row_failure(base: dict, r, got: str, expected: str) -> dict:
    """A failure on one row, named like the GX rules name theirs (file, row or JSON path, column)."""
    entry = {"data_year": r.data_year, "sector": r.sector, "unit": r.unit}
    where = f"{r.source_file}, {location(r.source_file, r.source_row)}, " \
            f"{column_ref('emissions', r.source_file, 'value', entry)}{emissions_context(entry)}"
    return _failure(base, r.source_file, row_ref(r.source_file, r.source_row), raw_value(r.value),
                    f"{where}: {got}; forventet {expected}.")


def _sectors(group: pd.DataFrame) -> dict[str, float]:
    own = group[group["sector"].isin(schema.EMISSION_SECTORS) & group["value"].notna()]
    return own.groupby("sector")["value"].sum().to_dict()


def sectors_add_up(rows: pd.DataFrame, rule: dict, base: dict, source_file) -> tuple[list[dict], str]:
    tolerance = rule["tolerance_pct"] / 100
    found, checked = [], 0
    scoped = (schema.TOTAL_WITH_AGRICULTURE, schema.TOTAL_WITHOUT_AGRICULTURE)
    for (_, _), group in rows.groupby(["data_year", "unit"], sort=True):
        sectors = _sectors(group)
        if not sectors:
            continue
        with_, without, gross = sector_sums(sectors)
        for r in group[group["sector"].isin(scoped) & group["value"].notna()].itertuples():
            checked += 1
            expected = with_ if r.sector == schema.TOTAL_WITH_AGRICULTURE else without
            scale = max(gross, abs(r.value))
            if abs(r.value - expected) <= tolerance * scale + 1e-9:
                continue
            what = "summen af sektorerne" + ("" if r.sector == schema.TOTAL_WITH_AGRICULTURE
                                             else " uden landbrug og arealanvendelse")
            off = (r.value - expected) / scale * 100
            found.append(_row_failure(
                base, r, f"værdien {number(r.value)}",
                f"{what}, {number(round(expected, 3))}, med højst ±{pct(rule['tolerance_pct'])} % "
                f"afvigelse (afvigelsen er {signed_pct(off)} %)"))
    return found, f"{count_text(len(found))} af {count_text(checked)} totaler afviger fra sektorerne"


def data_years_contiguous(rows: pd.DataFrame, rule: dict, base: dict, source_file) -> tuple[list[dict], str]:
    years = sorted({int(y) for y in rows["data_year"]})
    if not years:
        return [], "ingen dataår"
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in years]
    span = f"dataår {years[0]}–{years[-1]}" if len(years) > 1 else f"dataår {years[0]}"
    if not gaps:
        return [], span
    shown = ", ".join(map(str, gaps))
    message = (f"{source_file or 'emissions'}: udgaven har {span}, men {shown} mangler; forventet "
               "en sammenhængende række af dataår uden huller.")
    return [_failure(base, source_file, None, shown, message)], f"{span}; mangler {shown}"


def sector_year_to_year(rows: pd.DataFrame, rule: dict, base: dict, source_file) -> tuple[list[dict], str]:
    limit, floor = rule["max_relative_change_pct"], rule["materiality_pct"] / 100
    tonnes = rows[(rows["unit"] == "t_co2e") & rows["value"].notna()]
    totals = {}
    for year, group in tonnes.groupby("data_year"):
        stated = group.loc[group["sector"] == schema.TOTAL_WITH_AGRICULTURE, "value"]
        totals[int(year)] = abs(stated.iloc[0]) if len(stated) else sector_sums(_sectors(group))[2]
    found, compared = [], 0
    for sector, group in tonnes[tonnes["sector"].isin(schema.EMISSION_SECTORS)].groupby("sector"):
        by_year = {int(r.data_year): r for r in group.itertuples()}
        for year in sorted(by_year):
            before, now = by_year.get(year - 1), by_year[year]
            if before is None or before.value == 0:
                continue
            shares = [abs(before.value) / totals[year - 1] if totals[year - 1] else math.inf,
                      abs(now.value) / totals[year] if totals[year] else math.inf]
            if max(shares) < floor:
                continue  # a sector this small swings in percent without meaning anything
            compared += 1
            change = (now.value - before.value) / abs(before.value) * 100
            if abs(change) > limit:
                found.append(_row_failure(
                    base, now, f"værdien {number(now.value)}",
                    f"højst ±{pct(limit)} % ændring fra {year - 1} ({number(before.value)}), men "
                    f"ændringen er {signed_pct(change)} %"))
    return found, f"{count_text(len(found))} af {count_text(compared)} ændringer over ±{pct(limit)} %"


def restated(rows: pd.DataFrame, previous: pd.DataFrame | None, base: dict) -> tuple[list[dict], str]:
    """Every value of a past data year that differs from last year's edition (info, never blocking)."""
    if previous is None or previous.empty or "data_year" not in previous.columns:
        return [], "ingen udgave fra sidste år at sammenligne med"
    key = ["data_year", "sector", "unit"]
    before = previous[key + ["value"]].dropna(subset=["data_year"])
    both = rows.merge(before, on=key, suffixes=("", "_before"))
    changed = both[(both["value"] - both["value_before"]).abs() > 1e-9 * both["value_before"].abs().clip(lower=1)]
    found = [_row_failure(base, r, f"værdien {number(r.value)}",
                          f"{number(r.value_before)} som i sidste års udgave (revideret af kilden)")
             for r in changed.sort_values(key).itertuples()]
    return found, f"{count_text(len(found))} af {count_text(len(both))} værdier ændret siden sidste års udgave"


CHECKS = {
    "emissions_restated": restated,
    "emissions_sectors_add_up": sectors_add_up,
    "emissions_data_years_contiguous": data_years_contiguous,
    "emissions_sector_year_to_year": sector_year_to_year,
}
assert set(CHECKS) == set(checks.DATASET_RULES["emissions"])
assert set(checks.DATASET_RULES) == {"emissions", plausibility.DATASET}
