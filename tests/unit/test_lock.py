"""One run per project and year: a held lock refuses a second run; a dead holder's lock is taken over."""

import multiprocessing
import os

import pytest

from pipeline import lock


def _hold_and_die(root, year):
    with lock.hold(root, year, "report 2024"):
        os._exit(0)  # dies holding it, as a killed run would: the lock file still names this process


def test_a_second_holder_is_refused_with_who_holds_it(tmp_path):
    with lock.hold(tmp_path, 2024, "report 2024"):
        with pytest.raises(lock.RunInProgress) as refused, lock.hold(tmp_path, 2024, "report 2024"):
            pass
        assert f"proces {os.getpid()}" in str(refused.value) and "report 2024" in str(refused.value)
        with lock.hold(tmp_path, 2023, "report 2023"):  # another year is free
            pass
    assert lock.Holder.read(lock.lock_path(tmp_path, 2024)) is None, "released cleanly: the file is emptied"


def test_the_lock_of_a_dead_run_is_recognised_and_taken_over(tmp_path, caplog):
    child = multiprocessing.get_context("fork").Process(target=_hold_and_die, args=(tmp_path, 2024))
    child.start()
    child.join()
    left = lock.Holder.read(lock.lock_path(tmp_path, 2024))
    assert left is not None and left.pid == child.pid
    with lock.hold(tmp_path, 2024, "report 2024") as stale:
        assert stale.pid == child.pid
    assert "did not finish; taken over" in caplog.text
