"""A year's publication as generations: build a complete copy beside the live one, then switch in one rename.

`reports/<YEAR>` is a symbolic link to `reports/.generations/<YEAR>-<run id>/<YEAR>`. A run copies the
live generation into a new one, lets every stage write there, and then replaces the link with
`os.replace`, which is atomic: a reader (a web server, a colleague, the next run) sees the complete old
publication or the complete new one, never a mix. A run that dies before the switch leaves the live link
untouched; its half-built generation is a left-over that the next run removes (`leftovers`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline import config, faults

log = logging.getLogger(__name__)

GENERATIONS = ".generations"
# Never carried from one generation to the next: temp files of atomic writes, failed notebooks.
NOT_CARRIED = (".*.tmp", "*.failed.ipynb")


def generations_dir(reports_root: Path) -> Path:
    return Path(reports_root) / GENERATIONS


def live(reports_root: Path, year: int) -> Path | None:
    """The folder readers see as `reports/<YEAR>`: a generation, a plain folder (before the first switch),
    or None when nothing is published."""
    link = Path(reports_root) / str(int(year))
    if link.is_symlink():
        target = link.resolve()
        return target if target.is_dir() else None
    return link if link.is_dir() else None


@dataclass(frozen=True)
class Staged:
    """A generation being built: `root` stands in for the reports root, so `root/<YEAR>` is the year."""

    root: Path
    year: int

    @property
    def year_dir(self) -> Path:
        return self.root / str(self.year)

    def paths(self, paths: config.YearPaths) -> config.YearPaths:
        """PATHS with the reports of the year going to this generation (raw and processed unchanged)."""
        return config.YearPaths(paths.year, paths.raw_root, paths.processed_root, self.root)


def _ignored(name: str) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(name, pattern) for pattern in NOT_CARRIED)


def _copy_tree(source: Path, target: Path) -> None:
    """Copy the live generation file by file (copy2 keeps the file times the PDF check compares), so a
    full disk or a missing permission surfaces as the OSError naming the file, not a list of strings."""
    target.mkdir(parents=True)
    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        there = target / here.relative_to(source)
        for name in sorted(dirs):
            (there / name).mkdir()
        for name in sorted(files):
            if not _ignored(name):
                shutil.copy2(here / name, there / name, follow_symlinks=False)


def begin(reports_root: Path, year: int, run_id: str) -> Staged:
    """A new generation holding a copy of the live publication (kept reports carry over)."""
    staged = Staged(generations_dir(reports_root) / f"{int(year)}-{run_id}", int(year))
    staged.root.mkdir(parents=True)
    current = live(reports_root, year)
    try:
        if current is not None:
            _copy_tree(current, staged.year_dir)
        else:
            staged.year_dir.mkdir()
    except BaseException:
        abandon(staged)  # e.g. the disk filled up during the copy: leave nothing behind
        raise
    log.info("building the %s publication in %s", year, staged.root)
    return staged


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def switch(reports_root: Path, staged: Staged) -> None:
    """Make STAGED the live publication in one atomic step (a symlink replaced with os.replace).

    A plain `reports/<YEAR>` folder from before generations is first moved into `.generations/` (once;
    this single step is the only moment a reader could find no folder at all).
    """
    reports_root = Path(reports_root)
    link = reports_root / str(staged.year)
    temp = reports_root / f".{staged.year}.switch-{os.getpid()}"
    temp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(staged.year_dir, reports_root), temp)
    if link.is_dir() and not link.is_symlink():
        legacy = generations_dir(reports_root) / f"{staged.year}-before-generations"
        legacy.mkdir(parents=True, exist_ok=True)
        os.replace(link, legacy / str(staged.year))
    os.replace(temp, link)
    _fsync_dir(reports_root)
    log.info("published %s: %s is now %s", staged.year, link, staged.year_dir)


def abandon(staged: Staged) -> None:
    """Remove a generation that was never switched to (the run failed before publishing)."""
    shutil.rmtree(staged.root, ignore_errors=True)


def leftovers(reports_root: Path, year: int) -> list[Path]:
    """Generations of YEAR that are not live, half-made switch links, and temp files in the live folder:
    what a killed or failed run left behind."""
    reports_root = Path(reports_root)
    current = live(reports_root, year)
    keep = current.parent if current is not None and current.parent.parent == generations_dir(reports_root) \
        else None
    found = [p for p in sorted(generations_dir(reports_root).glob(f"{int(year)}-*")) if p != keep]
    found += sorted(reports_root.glob(f".{int(year)}.switch-*"))
    if current is not None:
        found += sorted(p for pattern in NOT_CARRIED for p in current.rglob(pattern))
    return found


def remove(paths_found: list[Path]) -> list[Path]:
    """Delete left-overs; one that cannot be deleted is logged and skipped (it is retried next run)."""
    removed = []
    for path in paths_found:
        try:
            if path.is_symlink() or path.is_file():
                path.unlink()
            else:
                shutil.rmtree(path)
            removed.append(path)
        except OSError as exc:
            log.warning("could not remove the left-over %s: %s", path, exc)
    return removed


@contextlib.contextmanager
def transaction(paths: config.YearPaths, run_id: str):
    """Yield PATHS writing into a new generation; switch to it when the block ends normally.

    On any exception the generation is removed and the live publication is left exactly as it was.
    After the switch the previous generation is removed (a failure there is only logged).
    """
    staged = begin(paths.reports_root, paths.year, run_id)
    try:
        yield staged.paths(paths)
        faults.checkpoint("before-switch")
        switch(paths.reports_root, staged)
    except BaseException:
        abandon(staged)
        raise
    faults.checkpoint("after-switch")
    remove(leftovers(paths.reports_root, paths.year))  # the generation replaced, and any older one
