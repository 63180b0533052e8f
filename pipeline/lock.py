"""One run per project and year: a lock file held with flock, which the kernel releases when a run dies."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

log = logging.getLogger(__name__)


class RunInProgress(PipelineError):
    """Another run holds the lock of the same project and year."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a lock: written into the lock file for the message a second run prints."""

    pid: int
    host: str
    command: str
    started: str

    @classmethod
    def read(cls, path: Path) -> Holder | None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8") or "{}")
            return cls(int(doc["pid"]), str(doc["host"]), str(doc["command"]), str(doc["started"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        return f"'{self.command}' (proces {self.pid} på {self.host}, startet {self.started})"


def lock_path(reports_root: Path, year: int) -> Path:
    """`reports/.lock-<YEAR>`: beside the publication it protects."""
    return Path(reports_root) / f".lock-{int(year)}"


@contextlib.contextmanager
def hold(reports_root: Path, year: int, command: str):
    """Hold the year's lock for the block; raise RunInProgress at once when another run holds it.

    flock is released by the kernel when the holder's process (and any child it forked) ends, however
    it ends, so a lock file left by a killed run is recognised as free: the run says so and takes it.
    Yields the previous holder when it was left by a run that did not finish (else None).
    """
    path = lock_path(reports_root, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = Holder.read(path)
            who = holder.describe() if holder else "en anden kørsel"
            raise RunInProgress(
                f"{who} arbejder allerede på {year} i dette projekt (låsen {path}). Vent, til den er "
                f"færdig, og kør så igen; to kørsler på samme år ad gangen ville blande udgivelserne.") from None
        stale = Holder.read(path)  # still written: the last holder did not get to release it
        if stale is not None:
            log.warning("the lock %s was left by %s, which did not finish; taken over", path, stale.describe())
        me = Holder(os.getpid(), socket.gethostname(), command,
                    dt.datetime.now().astimezone().replace(microsecond=0).isoformat())
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me.__dict__).encode("utf-8"), 0)
        try:
            yield stale
        finally:
            os.ftruncate(fd, 0)  # released cleanly: an empty lock file means "not left by a dead run"
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
