"""A folder per run, `logs/<YEAR>/<run id>/`: the run's debug log with any traceback, and failed notebooks."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from pipeline import config

log = logging.getLogger(__name__)

KEEP = 20  # run folders kept per year; older ones are removed when a run starts
LOG_NAME = "run.log"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _OursInDetail(logging.Filter):
    """Debug lines of the pipeline itself; from libraries only INFO and above (GX and Jupyter are chatty)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("pipeline") or record.levelno >= logging.INFO


def start(year: int, run_id: str, logs_root: Path = config.LOGS) -> Path | None:
    """Create the run's folder and send the whole log there; None (and a warning) if it cannot be written."""
    folder = Path(logs_root) / str(int(year)) / run_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(folder / LOG_NAME, encoding="utf-8")
    except OSError as exc:
        log.warning("no log file for this run: %s cannot be written (%s)", folder, exc.strerror or exc)
        return None
    handler.setLevel(logging.DEBUG)
    handler.addFilter(_OursInDetail())
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    prune(Path(logs_root) / str(int(year)))
    return folder


def prune(year_logs: Path, keep: int = KEEP) -> None:
    """Remove all but the newest KEEP run folders of a year (run ids sort by start time)."""
    folders = sorted(p for p in year_logs.iterdir() if p.is_dir()) if year_logs.is_dir() else []
    for old in folders[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def stop() -> None:
    """Close the run's log file (tests call main() more than once in a process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, logging.FileHandler)]:
        root.removeHandler(handler)
        handler.close()
