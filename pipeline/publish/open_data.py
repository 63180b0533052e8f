"""A report year's open data from the KPI table: kpis.csv (Danish Excel), kpis.json, datapackage.json."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import __version__, atomic, config, formatting, registry
from pipeline.account import kpi_table, targets
from pipeline.account.kpis.meta import UNITS, all_defs
from pipeline.account.status import KPI_STATUSES

log = logging.getLogger(__name__)

# Danish Excel opens a double-clicked CSV with the list separator and decimal mark of the Danish locale
# (";" and ","); the BOM makes it read UTF-8. Read it back with pd.read_csv(path, **READ_CSV).
DELIMITER, DECIMAL, ENCODING = ";", ",", "utf-8-sig"
TRUE, FALSE = "ja", "nej"
READ_CSV = {"sep": DELIMITER, "decimal": DECIMAL, "encoding": ENCODING,
            "true_values": [TRUE], "false_values": [FALSE]}
DECIMALS = 3
LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
SAMPLE_NOTE_DA = "Eksempeldata: tallene er genereret til afprøvning og er ikke kommunernes officielle tal."
SAMPLE_NOTE_EN = "Sample data: generated for testing, not the municipalities' official figures."


@dataclass(frozen=True)
class Field:
    """One column of kpis.csv/kpis.json and its Table Schema field."""

    name: str
    type: str  # Table Schema type: integer, number, string, boolean
    title: str  # Danish
    da: str
    en: str
    extra: dict = field(default_factory=dict)

    def schema(self) -> dict:
        extra = {"decimalChar": DECIMAL} if self.type == "number" else {}
        if self.type == "boolean":
            extra = {"trueValues": [TRUE], "falseValues": [FALSE]}
        return {"name": self.name, "type": self.type, "title": self.title,
                "description": f"{self.da} / {self.en}", **extra, **self.extra}


FIELDS = [
    Field("municipality_code", "integer", "Kommunekode", "Kommunens kode (fx 151)",
          "Municipality code (e.g. 151)", {"constraints": {"required": True}}),
    Field("municipality", "string", "Kommune", "Kommunens navn", "Municipality name"),
    Field("report_year", "integer", "Regnskabsår",
          "Året for det grønne regnskab (udgaven), filen hører til; det samme i alle rækker",
          "The green account's report year (edition) this file belongs to; the same on every row"),
    Field("year", "integer", "År", "Året, værdien gælder for (alle år med data, til og med regnskabsåret)",
          "The data year of the value (every year with data, up to the report year)",
          {"constraints": {"required": True}}),
    Field("data_year", "integer", "Dataår",
          "Året, tallet bygger på: det samme som year, undtagen for klimaregnskabets nøgletal, hvis tal "
          "kommer cirka to år senere (fx 2022 i regnskabet for 2024)",
          "The year the figure is from: the same as year, except for the climate account's key figures, "
          "whose data arrive about two years late (e.g. 2022 in the 2024 account)"),
    Field("kpi_id", "string", "Nøgletal (id)", "Nøgletallets faste id", "The KPI's stable id",
          {"constraints": {"required": True, "enum": list(all_defs())}}),
    Field("kpi_name_da", "string", "Nøgletal", "Nøgletallets danske navn", "The KPI's Danish name"),
    Field("value", "number", "Værdi", "Nøgletallets værdi i året i enheden i kolonnen unit; tom: mangler data",
          "The KPI's value in the year, in the unit given in the column unit; empty: no data"),
    Field("unit", "string", "Enhed", "% (0–100), antal, kg CO2e/m²/år, t CO2e, kWh/m², m³ eller m³/m²",
          "% (0-100), count (antal), kg CO2e/m²/year, t CO2e, kWh/m², m³ or m³/m²",
          {"constraints": {"enum": list(UNITS)}}),
    Field("expected_value", "number", "Værdi på målstien",
          "Værdien på målstien (den lige linje fra udgangspunkt til mål) i året; kun i regnskabsårets rækker",
          "The value on the target path (straight line from baseline to target) in the year; "
          "report-year rows only"),
    Field("target_value", "number", "Mål", "Kommunens mål for nøgletallet; kun i regnskabsårets rækker",
          "The municipality's target for the KPI; report-year rows only"),
    Field("target_year", "integer", "Målår", "Året, målet skal være nået; kun i regnskabsårets rækker",
          "The year the target is due; report-year rows only"),
    Field("status", "string", "Status",
          "Status i regnskabsåret efter reglen i docs/kpis.md; tom i tidligere år",
          "Status in the report year by the rule in docs/kpis.md; empty in earlier years",
          {"constraints": {"enum": list(KPI_STATUSES)}}),
    Field("caveat", "boolean", "Med forbehold",
          "ja: en advarsel i valideringen af de data, nøgletallet bygger på, tager forbehold for status; "
          "kun i regnskabsårets rækker",
          "yes (ja): a validation warning on the data behind the KPI qualifies the status; "
          "report-year rows only"),
    Field("sample_data", "boolean", "Eksempeldata", "ja: eksempeldata, ikke officielle tal",
          "yes (ja): sample data, not official figures"),
]
COLUMNS = [f.name for f in FIELDS]
PRIMARY_KEY = ["municipality_code", "year", "kpi_id"]
_NUMBERS = [f.name for f in FIELDS if f.type == "number"]
_INTEGERS = {f.name: "Int64" for f in FIELDS if f.type == "integer"}


def frame(table: pd.DataFrame, munis: Iterable[registry.Municipality], report_year: int,
          targets_dir: Path = config.TARGETS) -> pd.DataFrame:
    """The open-data rows: every data year × KPI of the given municipalities, numbers rounded."""
    by_code = {int(m.code): m for m in munis}
    rows = table[table["municipality_code"].isin(list(by_code))].copy()
    missing = sorted(set(by_code) - set(rows["municipality_code"]))
    if missing:
        log.warning("no KPI table rows for published municipalities %s: left out of the open data", missing)
    if "sample_data" in rows and rows["sample_data"].notna().all():  # as recorded when the page was made
        sample = rows.groupby("municipality_code")["sample_data"].any().to_dict()
    else:
        sample = {code: targets.is_sample(code, targets_dir) for code in by_code}
    rows["municipality"] = rows["municipality_code"].map(lambda c: by_code[c].name)
    rows["report_year"] = int(report_year)
    defs = all_defs()
    rows["kpi_name_da"] = rows["kpi_id"].map(lambda k: defs[k].title_da)
    rows["sample_data"] = rows["municipality_code"].map(sample).astype("boolean")
    rows["caveat"] = rows["caveat"].astype("boolean")
    rows["_order"] = rows["kpi_id"].map(list(defs).index)
    rows = rows.sort_values(["municipality_code", "year", "_order"])
    rows[_NUMBERS] = rows[_NUMBERS].astype("float64").round(DECIMALS)
    return rows[COLUMNS].astype(_INTEGERS).reset_index(drop=True)


def csv_text(rows: pd.DataFrame) -> str:
    """kpis.csv as text (the BOM is added when it is written): ';', decimal comma, ja/nej."""
    out = rows.copy()
    for name in ("caveat", "sample_data"):
        out[name] = out[name].map({True: TRUE, False: FALSE}).astype("object")
    return out.to_csv(sep=DELIMITER, decimal=DECIMAL, index=False, lineterminator="\n")


def records(rows: pd.DataFrame) -> list[dict]:
    """kpis.json's rows: plain JSON values (numbers, true/false, null)."""
    def plain(x):
        if formatting.is_missing(x):
            return None
        return x.item() if hasattr(x, "item") else x

    return [{k: plain(v) for k, v in r.items()} for r in rows.to_dict("records")]


def datapackage(report_year: int, rows: pd.DataFrame) -> dict:
    """The Frictionless Data Package describing kpis.csv (Table Schema, CSV dialect, licence, sources)."""
    flags = rows["sample_data"].fillna(False)
    sample = bool(flags.any())
    title = f"Grønne regnskaber {report_year}: kommunernes klimanøgletal"
    description = (f"Nøgletal fra kommunernes grønne regnskaber {report_year} (DK2020): én række pr. kommune, "
                   "år og nøgletal for alle år med data, og mål, målsti og status for regnskabsåret; de samme "
                   "tal som i de udgivne regnskaber. / KPIs from the Danish municipalities' green accounts "
                   f"{report_year}: one row per municipality, data year and KPI, with target, target path and "
                   "status for the report year; the figures of the published reports.")
    if sample:
        title += " (eksempeldata)" if flags.all() else ""
        description += (f" {SAMPLE_NOTE_DA} (rækker med sample_data = ja) / {SAMPLE_NOTE_EN} "
                        "(rows with sample_data = ja)")
    return {
        "profile": "tabular-data-package",
        "name": f"groenne-regnskaber-{report_year}",
        "title": title,
        "description": description,
        "licenses": [LICENSE],
        "sources": [
            {"title": f"Kommunernes indberetninger til det grønne regnskab (data/raw/<år>/<kommunekode>/), "
                      f"beregnet af green-accounts-pipeline {__version__}"},
            {"title": "Kommunernes mål fra klimahandlingsplanerne (DK2020) (data/raw/targets/<kommunekode>.yaml)"},
        ],
        "sample_data": sample,
        "resources": [{
            "name": "kpis",
            "path": "kpis.csv",
            "profile": "tabular-data-resource",
            "title": title,
            "description": "Også som JSON i kpis.json (samme kolonner). / Also as JSON in kpis.json.",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": ENCODING,
            "dialect": {"delimiter": DELIMITER, "header": True, "quoteChar": '"', "doubleQuote": True,
                        "lineTerminator": "\n"},
            "schema": {"fields": [f.schema() for f in FIELDS], "missingValues": [""],
                       "primaryKey": PRIMARY_KEY},
            "licenses": [LICENSE],
        }],
        "kpis": [{"kpi_id": k, "title_da": d.title_da, "unit": d.unit, "higher_is_better": d.higher_is_better}
                 for k, d in all_defs().items()],
    }


def package_path(paths: config.YearPaths) -> Path:
    """`reports/<YEAR>/datapackage.json`."""
    return paths.reports / "datapackage.json"


def write(paths: config.YearPaths, munis: Iterable[registry.Municipality],
          targets_dir: Path = config.TARGETS, table: pd.DataFrame | None = None) -> list[Path]:
    """Write kpis.csv, kpis.json and datapackage.json for the published MUNIS from TABLE: the KPI rows of
    the pages actually published (default: the run's KPI table)."""
    munis = list(munis)
    if not munis:
        table = pd.DataFrame(columns=kpi_table.COLUMNS)
    elif table is None:
        table = kpi_table.load(paths)
    rows = frame(table, munis, paths.year, targets_dir)
    atomic.write_bytes(paths.open_data_csv, csv_text(rows).encode(ENCODING))
    atomic.write_text(paths.open_data_json, json.dumps(records(rows), ensure_ascii=False, indent=1) + "\n")
    package = package_path(paths)
    atomic.write_text(package, json.dumps(datapackage(paths.year, rows), ensure_ascii=False, indent=1) + "\n")
    log.info("wrote open data for %s: %d municipalities, %d rows", paths.year, len(munis), len(rows))
    return [paths.open_data_csv, paths.open_data_json, package]
