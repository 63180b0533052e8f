"""National benchmark: the pipeline on all 98 municipalities against the floor of papermill + nbconvert.

Run with `make bench-national [YEAR=2024] [WORKERS=2] [PAIRS=3] [MUNICIPALITIES=98]`
(`python -m tools.bench_national`). On a national data set in a scratch directory (tools.national_data),
it times, alternating A B A B, the floor F (a trivial notebook run through papermill and converted with
nbconvert for every municipality, same worker count) and the clean run P (`python -m pipeline report`
with processed/ and reports/ emptied); then an unchanged re-run and a re-run after one value changed in
one municipality's fleet file. Prints one `name: value` line per figure. No figure is checked.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Self

from pipeline.cli import parse_workers, parse_year
from tools import national_data

KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# run.log lines that end a stage (pipeline.run.report): (stage, pattern, first or last match)
STAGE_MARKS = [
    ("ingest", r"building the \d+ publication", "first"),
    ("validate", r"validation results written|auditor's validation pages written", "last"),
    ("kpi_table", r"pipeline\.account\.kpi_table: KPI table", "first"),
    ("render", r"rendered \d+ in ", "last"),
    ("overview", r"published \d+: ", "first"),
]
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


# --- output ----------------------------------------------------------------------------------------


def format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def format_lines(figures: dict) -> list[str]:
    """One `name: value` line per figure, in order; None values are left out."""
    return [f"{name}: {format_value(value)}" for name, value in figures.items() if value is not None]


def ratio_median(pipeline_s: list[float], floor_s: list[float]) -> float:
    """The median of the per-pair ratios P/F (pairs measured back to back share the machine's noise)."""
    return statistics.median(p / f for p, f in zip(pipeline_s, floor_s, strict=True))


# --- memory: the peak of the summed RSS of a process tree ------------------------------------------


class TreePeak:
    """Samples the summed RSS of PID and all its descendants every INTERVAL seconds, in a thread."""

    def __init__(self, pid: int, interval: float = 0.2):
        import psutil

        self._psutil, self.pid, self.interval, self.peak = psutil, pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> int:
        try:
            root = self._psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except self._psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except self._psutil.Error:
                pass
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak / 2**20


# --- the floor: a trivial notebook per municipality ------------------------------------------------


def write_floor_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("municipality_code = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _floor_one(job: tuple[str, str, str]) -> None:
    import papermill
    from nbconvert import HTMLExporter

    notebook, out_dir, code = job
    executed = Path(out_dir) / f"{code}.ipynb"
    nb = papermill.execute_notebook(notebook, str(executed), parameters={"municipality_code": int(code)},
                                    kernel_name="python3", progress_bar=False, log_output=False, cwd=out_dir,
                                    shutdown_kernel="immediate", extra_arguments=KERNEL_ARGS)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (Path(out_dir) / f"{code}.html").write_text(html, encoding="utf-8")


def floor(codes: list[str], workers: int, scratch: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of the trivial notebook for every code in a pool of WORKERS processes."""
    out = scratch / "floor-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    notebook = write_floor_notebook(scratch / "floor.ipynb")
    jobs = [(str(notebook), str(out), code) for code in codes]
    with TreePeak(os.getpid()) as peak:
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_floor_one, jobs))
        seconds = time.perf_counter() - start
    return seconds, peak.peak_mib


# --- the pipeline run -------------------------------------------------------------------------------


def clean(root: Path) -> None:
    """Empty processed/ and reports/ (and the validation preview), as `make clean` does; raw data stays."""
    for rel in ("data/processed", "reports", "data/interim"):
        shutil.rmtree(root / rel, ignore_errors=True)
        (root / rel).mkdir(parents=True, exist_ok=True)


def pipeline_run(root: Path, year: int, workers: int) -> dict:
    """Time `python -m pipeline report` on ROOT; its wall time, exit code, peak RSS and stage split."""
    env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, "-m", "pipeline", "report", "--year", str(year), "--workers", str(workers)]
    before = latest_run_log(root, year)
    with open(root / "bench-stdout.txt", "wb") as out, open(root / "bench-stderr.txt", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=err)
        with TreePeak(proc.pid) as peak:
            code = proc.wait()
        seconds = time.perf_counter() - start
    log = latest_run_log(root, year)
    log = log if log != before else None  # an unchanged re-run writes no log folder at all
    text = log.read_text(encoding="utf-8", errors="replace") if log else ""
    said = (root / "bench-stdout.txt").read_text(encoding="utf-8", errors="replace")
    return {"seconds": seconds, "exit": code, "peak_mib": peak.peak_mib, "stages": stage_split(text),
            "rendered": len(re.findall(r"rendered \d+ in ", text)), "nothing_changed": "intet ændret" in said}


def latest_run_log(root: Path, year: int) -> Path | None:
    logs = sorted((root / "logs" / str(year)).glob("*/run.log"))
    return logs[-1] if logs else None


def stage_split(log_text: str) -> dict[str, float]:
    """Seconds per stage from the timestamps of a run.log: each stage ends at its mark (STAGE_MARKS) and
    starts where the previous one ended (the first line of the log for ingest). Missing marks: left out."""
    lines = [(m.group(1), line) for line in log_text.splitlines() if (m := _STAMP.match(line))]
    if not lines:
        return {}

    def stamp(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")

    previous, split = stamp(lines[0][0]), {}
    for stage, pattern, which in STAGE_MARKS:
        hits = [stamp(t) for t, line in lines if re.search(pattern, line)]
        if not hits:
            continue
        end = hits[0] if which == "first" else hits[-1]
        split[stage] = max(0.0, (end - previous).total_seconds())
        previous = end
    return split


def change_one_fleet_value(root: Path, year: int, code: str) -> str:
    """Switch the propulsion of the first vehicle in CODE's fleet file of YEAR (el ↔ diesel); says what."""
    folder = root / "data" / "raw" / str(year) / code
    csv = folder / "fleet.csv"
    if csv.exists():
        data = csv.read_bytes()
        text = data.decode("latin-1")  # byte-preserving round trip whatever the encoding
        lines = text.split("\n")
        sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
        header = [h.strip().lstrip("\ufeff").lstrip("ï»¿") for h in lines[0].split(sep)]
        fields = lines[1].split(sep)
        col = header.index("propulsion")
        old = fields[col]
        fields[col] = "diesel" if old != "diesel" else "el"
        lines[1] = sep.join(fields)
        csv.write_bytes("\n".join(lines).encode("latin-1"))
        return f"{csv.relative_to(root)} row 2 propulsion {old} -> {fields[col]}"
    import openpyxl

    xlsx = folder / "fleet.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.worksheets[0]
    col = [c.value for c in ws[1]].index("propulsion") + 1
    old = ws.cell(row=2, column=col).value
    ws.cell(row=2, column=col).value = "diesel" if old != "diesel" else "el"
    wb.save(xlsx)
    return f"{xlsx.relative_to(root)} row 2 propulsion {old} -> {ws.cell(row=2, column=col).value}"


# --- the benchmark ------------------------------------------------------------------------------------


def _median(values) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def run(year: int, workers: int, pairs: int, n: int, emit=print) -> dict:
    """Build the data set, measure, and emit each figure as soon as it is known; returns them all."""
    figures: dict = {}

    def put(name: str, value) -> None:
        figures[name] = value
        for line in format_lines({name: value}):
            emit(line)
            sys.stdout.flush()

    with tempfile.TemporaryDirectory(prefix="green-accounts-bench-national-") as tmp:
        scratch = Path(tmp)
        root = scratch / "project"
        start = time.perf_counter()
        mapping = national_data.build(root, n)
        codes = list(mapping)
        put("municipalities", len(codes))
        put("year", year)
        put("workers", workers)
        put("pairs", pairs)
        put("build_dataset_s", time.perf_counter() - start)
        floors, runs = [], []
        for i in range(1, pairs + 1):
            f_s, f_peak = floor(codes, workers, scratch)
            floors.append((f_s, f_peak))
            put(f"floor_{i}_s", f_s)
            clean(root)
            p = pipeline_run(root, year, workers)
            runs.append(p)
            put(f"pipeline_{i}_s", p["seconds"])
            put(f"pipeline_{i}_exit", p["exit"])
        p_s, f_s = [r["seconds"] for r in runs], [f for f, _ in floors]
        put("floor_median_s", statistics.median(f_s))
        put("pipeline_median_s", statistics.median(p_s))
        put("ratio_p_over_f", ratio_median(p_s, f_s))
        for stage, _, _ in STAGE_MARKS:
            put(f"stage_{stage}_median_s", _median(r["stages"][stage] for r in runs if stage in r["stages"]))
        unchanged = pipeline_run(root, year, workers)
        put("rerun_unchanged_s", unchanged["seconds"])
        put("rerun_unchanged_exit", unchanged["exit"])
        put("rerun_unchanged_rendered", unchanged["rendered"])
        put("rerun_unchanged_said_nothing_changed", unchanged["nothing_changed"])
        put("rerun_one_file_changed", change_one_fleet_value(root, year, codes[0]))
        one = pipeline_run(root, year, workers)
        put("rerun_one_file_s", one["seconds"])
        put("rerun_one_file_exit", one["exit"])
        put("rerun_one_file_rendered", one["rendered"])
        put("peak_rss_mib", max(r["peak_mib"] for r in [*runs, unchanged, one]))
        put("floor_peak_rss_mib", max(peak for _, peak in floors))
    return figures


def parse_count(name: str, low: int, high: int | None = None):
    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < low or (high is not None and int(text) > high):
            bound = f"mellem {low} og {high}" if high is not None else f"mindst {low}"
            raise argparse.ArgumentTypeError(f"{name}='{text}' skal være et heltal {bound}")
        return int(text)
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_national", description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=parse_year, default=2024)
    parser.add_argument("--workers", type=parse_workers, default=None, help="default: the number of CPUs")
    parser.add_argument("--pairs", type=parse_count("PAIRS", 1), default=3, help="A B pairs (default 3)")
    parser.add_argument("--municipalities", type=parse_count("MUNICIPALITIES", 1, 98), default=98,
                        help="the first N registry codes (default 98)")
    args = parser.parse_args(argv)
    run(args.year, args.workers or os.cpu_count() or 1, args.pairs, args.municipalities)
    return 0


if __name__ == "__main__":
    sys.exit(main())
