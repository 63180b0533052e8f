"""A national data set for benchmarks: the six sample municipalities' deliveries copied to every registry code.

`build(dest, n)` writes a throw-away project copy (tools.bench.COPIED) whose data/raw holds, for the
first N registry codes, the deliveries of one sample municipality (cycling through the samples) for
every sample year, plus its targets file. Files keep their format and bytes; only ids that embed the
source code (`151-B0001` → `101-B0001`: building_id, also where construction projects refer to a
building) and the targets' municipality_code are rewritten. data/raw itself is never touched.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from pipeline import config, registry
from tools.bench import COPIED

_YEAR_DIR = re.compile(r"\d{4}")
_CODE_DIR = re.compile(r"\d{3}")
_JSON_CODE = re.compile(rb'("(?:municipality_code|kommunekode|kommune_kode|kommune)"\s*:\s*"?)(\d{3})(?=\D)')


def sample_codes(raw: Path) -> list[str]:
    """The sample municipalities: the codes that have a targets file and a delivery folder."""
    return sorted(p.stem for p in (raw / "targets").glob("*.yaml") if _CODE_DIR.fullmatch(p.stem))


def sample_years(raw: Path) -> list[str]:
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and _YEAR_DIR.fullmatch(p.name))


def rewrite_text_ids(data: bytes, src: str, dst: str) -> bytes:
    """CSV bytes with every field that starts with `SRC-<letter>` (an id embedding the code) now `DST-`.
    Works on the raw bytes, so the encoding, BOM, separator and line endings stay as delivered."""
    pattern = re.compile(rb'(^|[;,\t"])' + src.encode() + rb"-(?=[A-Za-z])", re.MULTILINE)
    return pattern.sub(lambda m: m.group(1) + dst.encode() + b"-", data)


def rewrite_json_code(data: bytes, src: str, dst: str) -> bytes:
    """A JSON response with its municipality code field (if it has one) set to DST."""
    return _JSON_CODE.sub(lambda m: m.group(1) + (dst.encode() if m.group(2) == src.encode() else m.group(2)), data)


def rewrite_targets(data: bytes, dst: str) -> bytes:
    return re.sub(rb"(?m)^municipality_code:\s*\d+", b"municipality_code: " + dst.encode(), data)


def rewrite_xlsx_ids(data: bytes, src: str, dst: str) -> bytes:
    """A workbook whose text cells starting with `SRC-` now start with `DST-`; the original bytes when
    no cell carries such an id (openpyxl re-saves the whole file, so only where needed)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    pattern = re.compile(re.escape(src) + r"-(?=[A-Za-z])")
    changed = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and pattern.match(cell.value):
                    cell.value = dst + cell.value[len(src):]
                    changed = True
    if not changed:
        return data
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def copy_delivery(data: bytes, name: str, src: str, dst: str) -> bytes:
    """One delivered file of SRC as DST would deliver it."""
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return rewrite_text_ids(data, src, dst)
    if suffix == ".json":
        return rewrite_json_code(data, src, dst)
    if suffix == ".xlsx":
        return rewrite_xlsx_ids(data, src, dst)
    return data


def codes(n: int | None = None) -> list[str]:
    """The first N registry codes (all 98 by default), as 3-digit strings."""
    return [m.code3 for m in sorted(registry.load().values(), key=lambda m: m.code)][:n]


def build(dest: Path, n: int | None = None, source_root: Path = config.ROOT) -> dict[str, str]:
    """A project copy at DEST with the national data set for the first N registry codes.
    Returns {target code: sample code it was copied from}."""
    dest = Path(dest)
    for rel in COPIED:
        if rel != "data/raw":
            shutil.copytree(source_root / rel, dest / rel)
    (dest / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (dest / "reports").mkdir(exist_ok=True)
    raw, out = source_root / "data" / "raw", dest / "data" / "raw"
    out.mkdir(parents=True)
    for extra in raw.iterdir():  # README and anything else that is not a delivery
        if extra.is_file():
            shutil.copy2(extra, out / extra.name)
    samples, years = sample_codes(raw), sample_years(raw)
    mapping = {dst: samples[i % len(samples)] for i, dst in enumerate(codes(n))}
    (out / "targets").mkdir()
    for dst, src in mapping.items():
        (out / "targets" / f"{dst}.yaml").write_bytes(rewrite_targets((raw / "targets" / f"{src}.yaml").read_bytes(), dst))
        for year in years:
            folder = raw / year / src
            if not folder.is_dir():
                continue
            target = out / year / dst
            target.mkdir(parents=True)
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    (target / path.name).write_bytes(copy_delivery(path.read_bytes(), path.name, src, dst))
    return mapping
