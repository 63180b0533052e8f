"""Benchmarks that print figures: stage wall times on a throw-away copy of the project.

Run with `make bench YEAR=2024 [WORKERS=2]` (`python -m tools.bench --year 2024`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import config

COPIED = ("data/raw", "data/reference", "expectations", "notebooks")


def timed(cmd: list[str], env: dict, cwd: Path, repeat: int = 1) -> tuple[float, float, int]:
    """Median and min wall time of a command, and its last exit code."""
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), code


def run(year: int, workers: int | None = None, repeat: int = 3) -> list[tuple[str, float, float, int]]:
    """Time import costs and each stage; print one line per measurement."""
    with tempfile.TemporaryDirectory(prefix="green-accounts-bench-") as tmp:
        root = Path(tmp)
        for rel in COPIED:
            shutil.copytree(config.ROOT / rel, root / rel)
        env = {**os.environ, "GREEN_ACCOUNTS_ROOT": str(root), "PYTHONWARNINGS": "ignore"}
        py = [sys.executable]
        pipe = py + ["-m", "pipeline"]
        y = ["--year", str(year)]
        w = ["--workers", str(workers)] if workers else []
        cases = [
            ("python start-up (baseline)", py + ["-c", "pass"], repeat),
            ("import great_expectations", py + ["-c", "import great_expectations"], repeat),
            ("import kernel-side modules (account.model + sections)",
             py + ["-c", "from pipeline.account import model, sections, charts"], repeat),
            ("import papermill + nbconvert", py + ["-c", "import papermill, nbconvert"], repeat),
            (f"ingest {year}", pipe + ["ingest", *y], repeat),
            (f"validate {year} (ingest + GX + auditor pages)", pipe + ["validate", *y], repeat),
            (f"report {year} MUNICIPALITY=151 (1 notebook)",
             pipe + ["report", *y, "--municipality", "151", "--force"], repeat),
            (f"report {year} all, workers=1", pipe + ["report", *y, "--workers", "1", "--force"], 1),
            (f"report {year} all, workers={workers or os.cpu_count()}", pipe + ["report", *y, *w, "--force"],
             repeat),
            (f"report {year} again, nothing changed", pipe + ["report", *y, *w], repeat),
        ]
        results = []
        print(f"{'measurement':<52} {'median s':>9} {'min s':>7}  exit")
        for label, cmd, n in cases:
            median, best, code = timed(cmd, env, root, n)
            results.append((label, median, best, code))
            print(f"{label:<52} {median:>9.2f} {best:>7.2f}  {code}   (n={n})", flush=True)
        html = sorted((root / "reports" / str(year)).glob("[0-9][0-9][0-9]-*.html"))
        if html:
            sizes = [p.stat().st_size for p in html]
            print(f"published reports: {len(html)}, size median {statistics.median(sizes) / 1024:.0f} KB, "
                  f"max {max(sizes) / 1024:.0f} KB")
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--municipality", default=None, help="ignored (the bench runs every stage)")
    args = parser.parse_args(argv)
    run(args.year, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
