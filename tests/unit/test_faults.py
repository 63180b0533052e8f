"""The fault tests' hold points: every point the pipeline passes is a known one, and nothing holds when unset."""

import re
from pathlib import Path

import pytest

from pipeline import faults

PIPELINE = Path(faults.__file__).parent


def test_every_checkpoint_in_the_code_is_a_known_point_and_every_point_is_used():
    used = {m for p in PIPELINE.rglob("*.py") for m in re.findall(r'checkpoint\("([^"]+)"\)', p.read_text())}
    assert used == set(faults.POINTS)


def test_an_unknown_point_is_refused_and_an_unset_hook_does_nothing(monkeypatch):
    monkeypatch.delenv(faults.HOLD_ENV, raising=False)
    faults.checkpoint("before-switch")  # returns at once
    with pytest.raises(ValueError, match="unknown hold point"):
        faults.checkpoint("befor-switch")
