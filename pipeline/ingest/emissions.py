"""The dataset `emissions` in its two delivery forms, read into one row per data year, sector and unit.

- Energi- og CO2-regnskabet's API response for one data year, saved unchanged as
  `emissions_<data year>.json` (`{"data": [...]}`, rows with `sektor`, `type`, `enhed`, `værdi`,
  `kategori`, `undertype_3`), optionally with `emissions_fetch.json` beside it (written by
  `python -m pipeline fetch-emissions`: URL, parameters and time of each request, and each file's
  checksum). Only rows of type "Samlet CO2-udledning" are emissions; the other key figures
  (energy use, `VE-el selvforsyningsgrad`, which the API gives as a ratio, 1.71, under the unit
  "%") are not read. `source_row` is the row's index in `data`: the JSON path is `data[<i>]`.
- A plain table, `emissions.csv` or `.xlsx` (`schema.EMISSIONS_TABLE`): columns `year` (the data
  year), `sector`, `t_co2e` and optionally `t_co2e_per_inhabitant`; each value cell becomes one row.

The delivery folder is the *edition* (`year`, the report year); `data_year` is the year the figures are for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import config, schema
from pipeline.errors import Problem
from pipeline.ingest import totals
from pipeline.ingest.readers import parse_category, parse_float, read_dataset
from pipeline.ingest.store import DeliveredFile, sha256

log = logging.getLogger(__name__)

NAME = "emissions"
API_FILE = re.compile(r"^emissions_(\d{4})\.json$", re.IGNORECASE)
FETCH_RECORD = config.EMISSIONS_FETCH_RECORD
EMISSIONS_TYPE = "samlet co2-udledning"
API_UNITS = {"ton co2e": "t_co2e", "ton co2e/indb.": "t_co2e_per_inhabitant",
             "ton co2e/km2": "t_co2e_per_km2"}
API_SHAPE = 'API-svaret gemt uændret: {"data": [{"sektor": …, "type": …, "enhed": …, "værdi": …}, …]}'
COLUMNS = ["data_year", "sector", "unit", "value", "source_file", "source_row"]


def claims(path: Path) -> bool:
    """True for the files of the API form: emissions_<data year>.json and emissions_fetch.json."""
    return bool(API_FILE.match(path.name)) or path.name.lower() == FETCH_RECORD


def _text(value: object) -> str:
    return str(value or "").strip().lower().replace("₂", "2").replace("²", "2")


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=COLUMNS)
    return pd.DataFrame({
        "data_year": pd.Series(frame["data_year"].tolist(), dtype="Int64"),
        "sector": pd.Series(frame["sector"].tolist(), dtype="str"),
        "unit": pd.Series(frame["unit"].tolist(), dtype="str"),
        "value": pd.Series(frame["value"].tolist(), dtype="float64"),
        "source_file": pd.Series(frame["source_file"].tolist(), dtype="str"),
        "source_row": pd.Series(frame["source_row"].tolist(), dtype="int64"),
    })


def _number(raw: object) -> float:
    """`værdi` as a float: a JSON number, or text with a decimal point; None is missing (NaN)."""
    if raw is None:
        return np.nan
    if isinstance(raw, bool):
        raise TypeError(raw)
    return parse_float(raw, ".")


def read_api_response(path: Path, data_year: int, shown: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The emissions rows of one saved API response; every row that cannot be read is a problem."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(shown, f"filen kan ikke læses som JSON: {exc}", expected=API_SHAPE)]
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        return None, [Problem(shown, "filen har ingen liste 'data'", expected=API_SHAPE)]
    problems, rows, skipped = [], [], Counter()
    for i, item in enumerate(data):
        where = f"{shown}, data[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "rækken er ikke et JSON-objekt", value=item, expected=API_SHAPE))
            continue
        if _text(item.get("type")) != EMISSIONS_TYPE:
            skipped[str(item.get("type"))] += 1  # energy use, VE-el selvforsyningsgrad, …: not emissions
            continue
        unit = API_UNITS.get(_text(item.get("enhed")))
        if unit is None:
            problems.append(Problem(where, "ukendt enhed for 'Samlet CO2-udledning' i feltet 'enhed'",
                                    value=item.get("enhed"), expected="Ton CO2e, Ton CO2e/indb. eller Ton CO2e/km²"))
            continue
        try:
            value = _number(item.get("værdi"))
        except (ValueError, TypeError):
            problems.append(Problem(where, "feltet 'værdi' kan ikke læses som tal", value=item.get("værdi"),
                                    expected="et tal, fx 1234.5"))
            continue
        sector = item.get("sektor")
        sector = parse_category(sector, schema.DATASETS[NAME].column("sector")) if sector else None
        rows.append({"data_year": data_year, "sector": sector, "unit": unit, "value": value,
                     "source_file": shown, "source_row": i, "hint": totals.scope_hint(item)})
    if skipped:
        log.debug("%s: %d rows of other key figures not read (%s)", shown, sum(skipped.values()),
                  ", ".join(sorted(skipped)))
    _label_totals(rows, shown)
    return _frame(rows), problems


def _label_totals(rows: list[dict], shown: str) -> None:
    """Give every "Samlet" row its scope (pipeline.ingest.totals), unit by unit, in place."""
    for unit in schema.EMISSION_UNITS:
        own = [r for r in rows if r["unit"] == unit]
        samlet = [r for r in own if r["sector"] == "samlet"]
        if not samlet:
            continue
        sectors: dict[str, float] = {}
        for r in own:
            if r["sector"] in schema.EMISSION_SECTORS and not math.isnan(r["value"]):
                sectors[r["sector"]] = sectors.get(r["sector"], 0.0) + r["value"]
        labels = totals.label_totals([(r["value"], r["hint"]) for r in samlet], sectors)
        for r, label in zip(samlet, labels, strict=True):
            r["sector"] = label
            how = "teksten i rækken" if r["hint"] else "summen af sektorerne"
            log.info("%s, data[%d]: 'Samlet' (%s) = %s, afgjort ud fra %s", shown, r["source_row"],
                     unit, label, how)


def read_table(path: Path, shown: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The plain-table form: one row per value cell (t_co2e always, per inhabitant when filled in)."""
    cells, problems = read_dataset(path, schema.EMISSIONS_TABLE, shown)
    if cells is None or problems:
        return None, problems
    parts = []
    for unit in ("t_co2e", "t_co2e_per_inhabitant"):
        keep = pd.Series(True, index=cells.index) if unit == "t_co2e" else cells[unit].notna()
        part = cells[keep]
        parts.append(pd.DataFrame({"data_year": part["year"], "sector": part["sector"], "unit": unit,
                                   "value": part[unit], "source_file": shown,
                                   "source_row": part["source_row"], "order": 0 if unit == "t_co2e" else 1}))
    rows = pd.concat(parts, ignore_index=True).sort_values(["source_row", "order"], kind="stable")
    return _frame(rows.drop(columns="order").to_dict("records")), []


def check_record(record: Path, responses: dict[int, Path], code: int,
                 shown: Callable[[Path], str]) -> list[Problem]:
    """emissions_fetch.json must describe exactly the responses beside it, unchanged since the fetch."""
    try:
        document = json.loads(record.read_text(encoding="utf-8"))
        requests = [r for r in document["requests"] if r.get("file")]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        return [Problem(shown(record), f"hentningsloggen kan ikke læses: {exc}",
                        expected="den fil, `make fetch-emissions` skrev")]
    problems = []
    listed = {r["file"]: r for r in requests}
    for year, path in sorted(responses.items()):
        entry = listed.get(path.name)
        params = (entry or {}).get("params") or {}
        if entry is None:
            problems.append(Problem(shown(path), f"filen står ikke i {FETCH_RECORD}",
                                    expected="kun de svar, hentningen skrev"))
        elif str(params.get("year")) != str(year) or str(params.get("municipality")) != str(code):
            problems.append(Problem(shown(path), "filnavnet passer ikke til hentningens parametre",
                                    value=f"municipality={params.get('municipality')}, year={params.get('year')}",
                                    expected=f"municipality={code}, year={year}"))
        elif entry.get("sha256") and entry["sha256"] != sha256(path):
            problems.append(Problem(shown(path), "filen er ændret, siden den blev hentet (sha256 afviger "
                                    f"fra {FETCH_RECORD})", expected="API-svaret uændret"))
    for name in sorted(set(listed) - {p.name for p in responses.values()}):
        problems.append(Problem(shown(record), f"{name} står i hentningsloggen, men filen mangler"))
    return problems


def read_delivery(files: Path | list[Path], shown: Callable[[Path], str], code: int
                  ) -> tuple[pd.DataFrame | None, list[Problem], DeliveredFile | None]:
    """One municipality's emissions for the edition: the table, every problem, and what was read."""
    if isinstance(files, Path):
        table, problems = read_table(files, shown(files))
        delivered = DeliveredFile(shown(files), sha256(files), len(table)) if table is not None else None
        return table, problems, delivered
    responses = {int(m.group(1)): p for p in files if (m := API_FILE.match(p.name))}
    record = next((p for p in files if p.name.lower() == FETCH_RECORD), None)
    problems = check_record(record, responses, code, shown) if record else []
    frames, parts = [], []
    for year, path in sorted(responses.items()):
        frame, read_problems = read_api_response(path, year, shown(path))
        problems += read_problems
        if frame is not None:
            frames.append(frame)
            parts.append(DeliveredFile(shown(path), sha256(path), len(frame)))
    if record:
        parts.append(DeliveredFile(shown(record), sha256(record), 0))
    if not responses:
        problems.append(Problem(shown(record), f"{FETCH_RECORD} er leveret uden API-svar",
                                expected="emissions_<dataår>.json ved siden af"))
    if problems:
        return None, problems, None
    table = pd.concat(frames, ignore_index=True)
    folder = shown(files[0]).rsplit("/", 1)[0]
    digest = hashlib.sha256("".join(f"{p.file} {p.sha256}\n" for p in parts).encode()).hexdigest()
    return table, [], DeliveredFile(f"{folder}/emissions_*.json", digest, len(table), tuple(parts))
