"""Section 'Om rapporten': pipeline version, git commit and the SHA-256 of every input file used."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pipeline
from pipeline import config
from pipeline.account.sections import template
from pipeline.templating import dataset_da


@functools.cache
def git_commit(root: Path = config.ROOT) -> str:
    """Short git commit of the pipeline checkout, 'ukendt' outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "ukendt"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "ukendt"


def input_files(acc) -> list[dict]:
    """year, dataset, file, sha256, rows of every input file this account used (from manifests)."""
    return [
        {"year": y, "dataset": dataset_da(name), "file": f.file, "sha256": f.sha256, "rows": f.rows}
        for y in sorted(acc.manifests, reverse=True)
        for name, f in acc.manifests[y].files(acc.code).items()
    ]


def html(acc) -> str:
    return template("footer.html.j2", acc, version=pipeline.__version__, commit=git_commit(config.ROOT),
                    files=input_files(acc))
