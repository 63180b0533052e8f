"""Plausibility of building_energy (checks.DATASET_RULES): each building's heat and electricity per m² against
the median of its use class in the municipality, and against its own use in last year's delivery."""

from __future__ import annotations

import logging

import pandas as pd

from pipeline import conversions, schema
from pipeline.validate import checks
from pipeline.validate.messages import (
    count_text,
    location,
    number,
    pct,
    quote,
    raw_value,
    row_ref,
    signed_pct,
)
from pipeline.validate.outcomes import ERROR, FAILED, PASSED, SKIPPED, rule_row

log = logging.getLogger(__name__)

DATASET = "building_energy"
LABELS = {"heat": "varmeforbruget", "electricity": "elforbruget"}
BUILDING_COLUMNS = ["building_id", "use", "heated_area_m2"]


def measure(frame: pd.DataFrame, what: str) -> pd.Series:
    """A building's heat (district heating + natural gas + heating oil, in kWh) or electricity in kWh."""
    if what == "heat":
        return conversions.heat_kwh(frame)
    return pd.to_numeric(frame["electricity_kwh"], errors="coerce").astype("float64")


def measure_columns(what: str) -> list[str]:
    return conversions.heat_columns() if what == "heat" else ["electricity_kwh"]


def check(frame: pd.DataFrame, source_file: str | None, previous: pd.DataFrame | None,
          buildings: pd.DataFrame | None) -> tuple[list[dict], list[dict]]:
    """Rule outcomes and failure rows of building_energy's DATASET_RULES on one municipality's rows (PREVIOUS:
    its rows last year; BUILDINGS: its buildings this year, None when not delivered)."""
    rules, failures = [], []
    for name, rule in checks.DATASET_RULES[DATASET].items():
        base = {"dataset": DATASET, "rule": name, "expectation_type": checks.CHECK_TYPE,
                "column": ", ".join(measure_columns(rule["measure"])), "severity": rule["severity"],
                "description": rule["description"], "note": rule["notes"],
                "kpis": rule.get("kpis", checks.kpis_for(DATASET))}
        per_m2_rule = rule["check"] == "per_m2"
        columns = ["building_id", *measure_columns(rule["measure"])]
        other, needed = (buildings, BUILDING_COLUMNS) if per_m2_rule else (previous, columns)
        reason = _not_judged(rule, other, frame)
        if reason:
            rules.append(rule_row(**base, outcome=SKIPPED, observed=None, element_count=None,
                                  unexpected_count=None, message=reason))
            continue
        missing = [c for c in columns if c not in frame.columns]
        missing += [f"{'buildings' if per_m2_rule else 'sidste års building_energy'}.{c}"
                    for c in needed if c not in other.columns]
        if missing:
            message = (f"{source_file or DATASET}: reglen {name} kunne ikke kontrolleres, fordi kolonnen "
                       f"{', '.join(missing)} mangler. Ret leverancen og kør valideringen igen.")
            failures.append(_failure(base, source_file, None, None, message))
            rules.append(rule_row(**base, outcome=ERROR, observed=None, element_count=None,
                                  unexpected_count=None, message=message))
            continue
        if per_m2_rule:
            found, judged, observed = per_m2(frame, buildings, rule, base)
        else:
            found, judged, observed = year_over_year(frame, previous, rule, base)
        failures += found
        rules.append(rule_row(**base, outcome=FAILED if found else PASSED, observed=observed,
                              element_count=judged, unexpected_count=len(found)))
    return rules, failures


def _not_judged(rule: dict, other: pd.DataFrame | None, frame: pd.DataFrame) -> str | None:
    if rule["check"] == "per_m2" and other is None:
        return (f"Ikke vurderet: {schema.DATASETS['buildings'].danish_name.lower()} (buildings) er ikke leveret, "
                "så forbruget pr. m² kan ikke beregnes.")
    if rule["check"] == "year_over_year" and (other is None or other.empty):
        year = int(frame["year"].iloc[0]) if "year" in frame.columns and len(frame) else None
        return f"Ikke vurderet: der er ingen data for {year - 1 if year else 'sidste år'} at sammenligne med."
    return None


def _keys(series: pd.Series) -> pd.Series:
    """Ids compared as the references compare them: text, without surrounding spaces."""
    return series.astype("string").str.strip()


def per_m2(frame: pd.DataFrame, buildings: pd.DataFrame, rule: dict, base: dict) -> tuple[list[dict], int, str]:
    """Buildings whose use per m² heated area is over max_ratio_to_median × the median of their use class."""
    ratio, what = rule["max_ratio_to_median"], rule["measure"]
    own = pd.DataFrame({"key": _keys(frame["building_id"]), "kwh": measure(frame, what), "row": frame["source_row"],
                        "file": frame["source_file"]}, index=frame.index)
    info = pd.DataFrame({"key": _keys(buildings["building_id"]), "use": buildings["use"].astype("string").str.strip(),
                         "area": pd.to_numeric(buildings["heated_area_m2"], errors="coerce")})
    info = info.dropna(subset=["key"]).drop_duplicates("key")
    both = own.reset_index().merge(info, on="key", how="inner").set_index("index")  # unknown ids: references
    both = both[both["kwh"].notna() & both["use"].notna() & (both["area"] > 0)]
    both = both.assign(per_m2=both["kwh"] / both["area"])
    found, judged = [], 0
    for use, group in both.groupby("use", sort=True):
        median = group["per_m2"].median()
        if len(group) < rule["min_buildings"] or not median > 0:
            continue
        judged += len(group)
        limit = ratio * median
        for index, r in group[group["per_m2"] > limit].iterrows():
            got = (f"{LABELS[what]} er {number(round(r.kwh))} kWh på {number(r.area)} m² opvarmet areal, dvs. "
                   f"{number(round(r.per_m2, 1))} kWh pr. m² (bygning {r.key})")
            expected = (f"højst {ratio} × medianen for kommunens bygninger med anvendelsen {quote(use)}: {ratio} × "
                        f"{number(round(median, 1))} = {number(round(limit, 1))} kWh pr. m² ({count_text(len(group))} "
                        "bygninger)")
            found.append(_row_failure(base, frame.loc[index], what, r.kwh, got, expected))
    found.sort(key=lambda f: (f["row"] is None, f["row"] or 0))
    if not judged:
        return found, 0, (f"ingen anvendelse har mindst {rule['min_buildings']} bygninger med forbrug og areal "
                          "at sammenligne")
    return found, judged, (f"{count_text(len(found))} af {count_text(judged)} bygninger over {ratio} × medianen "
                           "for deres anvendelse")


def year_over_year(frame: pd.DataFrame, previous: pd.DataFrame, rule: dict,
                   base: dict) -> tuple[list[dict], int, str]:
    """Buildings whose use changed more than max_relative_change_pct from last year's delivery."""
    limit, what = rule["max_relative_change_pct"], rule["measure"]
    before = pd.DataFrame({"key": _keys(previous["building_id"]), "kwh": measure(previous, what)})
    before = before.dropna(subset=["key"]).groupby("key")["kwh"].sum(min_count=1)
    now = measure(frame, what)
    keys = _keys(frame["building_id"])
    year = int(frame["year"].iloc[0]) if len(frame) else None
    found, judged = [], 0
    for index in frame.index:
        value, last = now[index], before.get(keys[index]) if pd.notna(keys[index]) else None
        if pd.isna(value) or last is None or pd.isna(last) or not last > 0:
            continue
        judged += 1
        change = (value - last) / last * 100
        if abs(change) > limit:
            got = (f"{LABELS[what]} er {number(round(value))} kWh i {year} mod {number(round(last))} kWh i "
                   f"{year - 1} ({signed_pct(change)} %, bygning {keys[index]})")
            found.append(_row_failure(base, frame.loc[index], what, value, got,
                                      f"højst ±{pct(limit)} % ændring fra sidste år"))
    return found, judged, (f"{count_text(len(found))} af {count_text(judged)} bygninger ændrede sig over "
                           f"±{pct(limit)} % fra {year - 1 if year else 'sidste år'}")


def _row_failure(base: dict, row: pd.Series, what: str, kwh: float, got: str, expected: str) -> dict:
    """A failure on one row, named like the GX rules name theirs (file, row, the columns the figure comes from)."""
    where, line = row.get("source_file"), row.get("source_row")
    filled = [c for c in measure_columns(what) if c in row.index and pd.notna(row[c])]
    columns = ", ".join(filled) or base["column"]
    message = f"{where}, {location(where, line)}, kolonne {columns}: {got}; forventet {expected}."
    failure = _failure(base, where, row_ref(where, line), raw_value(round(float(kwh), 3)), message)
    return {**failure, "column": columns}


def _failure(base: dict, source_file, row, value, message: str) -> dict:
    keep = ("dataset", "rule", "expectation_type", "column", "severity")
    return {**{k: base[k] for k in keep}, "note": base["note"], "source_file": source_file,
            "row": row, "value": value, "message": message}
