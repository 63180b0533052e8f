"""A test hook: hold a run at a named point so that a fault test can kill it exactly there.

Set GREEN_ACCOUNTS_HOLD_AT=<point>:<marker file>. When the run reaches <point> it writes its process id
to the marker file and sleeps until it is killed. Unset (always, outside the fault tests) it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

HOLD_ENV = "GREEN_ACCOUNTS_HOLD_AT"
POINTS = ("ingest-before-swap", "after-ingest", "after-validate", "after-first-render", "before-switch", "after-switch")


def checkpoint(point: str) -> None:
    if point not in POINTS:  # a misspelt point would never hold, and its fault test would pass for nothing
        raise ValueError(f"unknown hold point {point!r}; expected one of {', '.join(POINTS)}")
    spec = os.environ.get(HOLD_ENV, "")
    name, _, marker = spec.partition(":")
    if not spec or name != point:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    while True:  # until the test kills the run
        time.sleep(0.5)
