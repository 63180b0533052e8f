"""Read one delivery file (Danish CSV variants or Excel) into typed columns, collecting every problem."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pandas as pd

from pipeline import schema
from pipeline.errors import Problem
from pipeline.ingest.cells import (  # noqa: F401 - parse_* also imported from here
    is_blank,
    parse_category,
    parse_date,
    parse_float,
    typed_series,
)
from pipeline.ingest.columns import blank_rows, convert_column

log = logging.getLogger(__name__)


class UnreadableFile(ValueError):
    """A file in a form the readers refuse, with what was expected instead (shown to the user)."""

    def __init__(self, message: str, expected: str):
        super().__init__(message)
        self.expected = expected


CSV_EXPECTED = "en CSV-fil i UTF-8 eller Windows-1252, fx gemt i Excel som 'CSV UTF-8 (kommasepareret)'"


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise UnreadableFile("filen er gemt som UTF-16 (Excels 'Unicode-tekst')", CSV_EXPECTED)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM in front of Windows-1252 text
            raise UnreadableFile("filen begynder som UTF-8 (med BOM), men indeholder tegn i en anden "
                                 "kodning, fx Windows-1252", CSV_EXPECTED) from None
        return raw.decode("cp1252"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """Semicolon or comma, judged from the header line."""
    header = text.splitlines()[0] if text else ""
    return ";" if header.count(";") > header.count(",") else ","


def read_raw(path: Path) -> tuple[pd.DataFrame, dict]:
    """Read a CSV or XLSX as untyped cells; returns the frame and how it was read."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        header = pd.read_excel(path, sheet_name=0, header=None, nrows=1, dtype=object, engine="openpyxl")
        _keep_header(df, list(header.iloc[0]) if len(header) else [])
        return df, {"format": "xlsx", "decimal": "."}
    text, encoding = decode(path.read_bytes())
    delimiter = sniff_delimiter(text)
    df = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
        quoting=csv.QUOTE_MINIMAL, skip_blank_lines=True,
    )
    first = text.splitlines()[0] if text else ""
    _keep_header(df, next(csv.reader([first], delimiter=delimiter), []))
    decimal = "," if delimiter == ";" else "."
    return df, {"format": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal}


def _keep_header(df: pd.DataFrame, header: list) -> None:
    """Use the header as written: pandas renames a repeated column ('tonnes', 'tonnes.1'), which would
    hide that the file names a column twice (issue 11); read_dataset refuses such a file."""
    if len(header) == len(df.columns):
        df.columns = [f"unnamed: {i}" if is_blank(h) else str(h) for i, h in enumerate(header)]


def normalise_header(name: object) -> str:
    return str(name).strip().lower().replace("\ufeff", "")


def _sheet_with_columns(path: Path, required: list[str]) -> str | None:
    """The name of a later sheet whose header row holds the dataset's columns, or None."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        for sheet in book.worksheets[1:]:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            if all(c in {normalise_header(h) for h in first if h is not None} for c in required):
                return sheet.title
    finally:
        book.close()
    return None


def read_dataset(path: Path, dataset: schema.Dataset, display_path: str):
    """Typed frame for one delivery file (schema columns only) and every problem found."""
    try:
        raw, how = read_raw(path)
    except UnreadableFile as exc:
        return None, [Problem(display_path, f"filen kan ikke læses: {exc}", expected=exc.expected)]
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a user message
        kind = path.suffix.lstrip(".")
        expected = ("en .xlsx-fil fra Excel med data på første ark" if kind == "xlsx" else CSV_EXPECTED)
        return None, [Problem(display_path, f"filen kan ikke læses som {kind}: {exc}", expected=expected)]
    log.debug("read %s as %s", display_path, how)
    raw.columns = [normalise_header(c) for c in raw.columns]
    raw = raw.dropna(how="all")
    raw = raw[~blank_rows(raw)]
    problems: list[Problem] = []
    duplicated = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if duplicated:
        return None, [Problem(display_path, f"kolonnen findes flere gange: {', '.join(duplicated)}", 1,
                              duplicated[0], None, "hver kolonne én gang i overskriftsrækken (række 1)")]
    required = [c.name for c in dataset.columns if c.required]
    if how["format"] == "xlsx" and not any(c in raw.columns for c in required):
        sheet = _sheet_with_columns(path, required)
        if sheet is not None:
            return None, [Problem(display_path, f"dataene ligger på arket '{sheet}', ikke på det første ark",
                                  expected="data på første ark i projektmappen: flyt arket forrest")]
    unknown = [c for c in raw.columns if c not in dataset.column_names and not c.startswith("unnamed")]
    if unknown:
        log.warning("%s: ignoring unknown columns %s", display_path, unknown)
    out = pd.DataFrame(index=raw.index)
    for column in dataset.columns:
        if column.name not in raw.columns:
            if column.required:
                problems.append(Problem(display_path, f"kolonnen '{column.name}' mangler", 1,
                                        column.name, None,
                                        "kolonnerne " + ", ".join(dataset.column_names)))
                continue
            out[column.name] = typed_series([None] * len(raw), column, raw.index)
            continue
        out[column.name], column_problems = convert_column(raw[column.name], column,
                                                           how["decimal"], display_path)
        problems += column_problems
    out["source_row"] = (raw.index.to_numpy() + 2).astype("int64")
    return out.reset_index(drop=True), problems
