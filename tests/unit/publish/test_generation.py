"""Generations: a run writes a copy, the switch is one rename, a failed run leaves the live one untouched."""

import os

import pytest

from pipeline import config
from pipeline.publish import generation


def live_text(root):
    return (root / "2024" / "index.html").read_text()


def test_the_switch_replaces_the_live_folder_and_removes_the_old_generation(tmp_path):
    legacy = tmp_path / "2024"
    legacy.mkdir()
    (legacy / "index.html").write_text("old")
    (legacy / ".index.html.123.tmp").write_text("half")  # a temp file of a killed writer is not carried
    paths = config.YearPaths(2024, reports_root=tmp_path)
    with generation.transaction(paths, "r1") as staged:
        assert live_text(tmp_path) == "old" and (staged.reports / "index.html").read_text() == "old"
        assert not (staged.reports / ".index.html.123.tmp").exists()
        (staged.reports / "index.html").write_text("new")
        assert live_text(tmp_path) == "old", "nothing is visible before the switch"
    assert (tmp_path / "2024").is_symlink() and live_text(tmp_path) == "new"
    assert not os.path.isabs(os.readlink(tmp_path / "2024")), "a relative link: the project can be moved"
    assert [p.name for p in (tmp_path / ".generations").iterdir()] == ["2024-r1"]
    with generation.transaction(paths, "r2") as staged:
        (staged.reports / "index.html").write_text("newer")
    assert live_text(tmp_path) == "newer" and [p.name for p in (tmp_path / ".generations").iterdir()] == ["2024-r2"]


def test_an_exception_leaves_the_live_publication_and_no_generation(tmp_path):
    paths = config.YearPaths(2024, reports_root=tmp_path)
    with generation.transaction(paths, "r1") as staged:
        (staged.reports / "index.html").write_text("good")
    with pytest.raises(RuntimeError), generation.transaction(paths, "r2") as staged:
        (staged.reports / "index.html").write_text("half")
        raise RuntimeError("a stage failed")
    assert live_text(tmp_path) == "good"
    assert [p.name for p in (tmp_path / ".generations").iterdir()] == ["2024-r1"]


def test_leftovers_are_the_generations_that_are_not_live(tmp_path):
    paths = config.YearPaths(2024, reports_root=tmp_path)
    with generation.transaction(paths, "r1") as staged:
        (staged.reports / "index.html").write_text("good")
    dead = generation.begin(tmp_path, 2024, "r2")  # a run killed while building
    other_year = generation.begin(tmp_path, 2023, "r3")
    assert generation.leftovers(tmp_path, 2024) == [dead.root]
    assert generation.remove(generation.leftovers(tmp_path, 2024)) == [dead.root]
    assert other_year.root.exists(), "another year's generation is not touched"
    assert generation.leftovers(tmp_path, 2024) == []
