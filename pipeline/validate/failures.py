"""Every validation failure across municipalities: the rows of the index's table and failures.csv,
and the anchors that link a failure to its rule on a municipality's page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pipeline import atomic, formatting, schema
from pipeline.validate.examples import examples
from pipeline.validate.summary import MunicipalityValidation

SEVERITY_ORDER = {sev: i for i, sev in enumerate(schema.SEVERITIES)}
FAILURE_COLUMNS = ("Kommune", "Kommunekode", "Fil", "Række", "Kolonne", "Værdi", "Regel", "Alvorlighed",
                   "Besked")


def _anchor_part(rule: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(rule).lower()).strip("-") or "regel"


def failure_anchor(rule: str) -> str:
    """Id of a failed rule's rows on the municipality page: 'fejl-waste_tonnes_non_negative'."""
    return f"fejl-{_anchor_part(rule)}"


def rule_anchor(rule: str) -> str:
    """Id of a failed rule's line in the rules table: 'regel-waste_tonnes_non_negative'."""
    return f"regel-{_anchor_part(rule)}"


def failure_rows(results: list[MunicipalityValidation], per_rule: int | None = None) -> list[dict]:
    """One row per failure of every municipality (PER_RULE: only the first that many of each rule):
    municipality, file, row, column, value, rule and severity, sorted by municipality, severity
    (critical first), file and row."""
    rows = []
    for r in results:
        for f in (r.failures_detail if per_rule is None else examples(r.failures_detail, per_rule)):
            rows.append({
                "code": r.code, "code3": _code3(r.code), "name": r.name, "slug": r.slug,
                "file": f.get("source_file"), "row": f.get("row"), "column": f.get("column"),
                "value": value_display(f) if _about_a_cell(f) else "", "rule": f["rule"],
                "severity": f["severity"],
                "message": f.get("message") or "", "anchor": failure_anchor(f["rule"]),
            })
    rows.sort(key=lambda x: (x["code"], SEVERITY_ORDER.get(x["severity"], 99), x["file"] or "",
                             _row_number(x["row"])))
    return rows


def _about_a_cell(failure: dict) -> bool:
    """A failure with a value to show: one that names a row (whose cell may be empty) or carries a value;
    not a rule about the whole table without one (e.g. a missing dataset)."""
    return failure.get("row") is not None or failure.get("value") is not None


def _row_number(row) -> int:
    try:
        return int(row)
    except (TypeError, ValueError):
        return -1


def write_failures_csv(path: Path, rows: list[dict]) -> Path:
    """failures.csv for Danish Excel: UTF-8 with BOM, semicolons, one line per failure (all of them)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FAILURE_COLUMNS)
    for x in rows:
        writer.writerow([x["name"], x["code3"], x["file"] or "", "" if x["row"] is None else x["row"],
                         x["column"] or "", x["value"], x["rule"], schema.SEVERITY_LABEL_DA.get(x["severity"],
                                                                                               x["severity"]),
                         x["message"]])
    return atomic.write_bytes(path, out.getvalue().encode("utf-8-sig"))


def value_display(failure: dict) -> str:
    """Quantities in Danish number format; ids, codes and text as delivered; empty as '(tom)'."""
    value = failure.get("value")
    if value is None:
        return "(tom)"
    column = failure.get("column")
    info = schema.DATASETS.get(failure.get("dataset") or "")
    kind = None
    if info and column in info.column_names:
        kind = info.column(column).kind
    if kind in (schema.FLOAT, schema.INT) or failure.get("expectation_type") in (
        "expect_table_row_count_to_be_between",
        "expect_column_sum_to_be_between",
    ):
        try:
            return formatting.decimal(float(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _code3(code: int) -> str:
    return f"{int(code):03d}"


INGESTION_RULE = "leverancen_kan_laeses"  # the rule name failures.csv gives a problem found while reading


def ingestion_rows(problems_by_code: dict) -> list[dict]:
    """failures.csv rows for every problem that stopped a delivery at ingestion (errors.Problem objects)."""
    from pipeline import registry

    rows = []
    for code, problems in sorted(problems_by_code.items()):
        muni = registry.get(code)
        for p in problems:
            rows.append({"code": muni.code, "code3": _code3(muni.code), "name": muni.name, "slug": muni.slug,
                         "file": p.file, "row": p.row, "column": p.column,
                         "value": "" if p.value is None else str(p.value), "rule": INGESTION_RULE,
                         "severity": "critical", "message": str(p), "anchor": ""})
    return rows
