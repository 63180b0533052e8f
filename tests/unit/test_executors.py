"""Where render jobs run: the EXECUTOR value is checked, local jobs run in worker processes, and a stopped
pool is shut down before the caller goes on."""

from __future__ import annotations

import os

import pytest

from pipeline import executors
from pipeline.errors import EnvironmentProblem, ParameterError


@pytest.mark.parametrize("text,expected", [
    ("", "local"), ("local", "local"), (" local ", "local"),
    ("dask://127.0.0.1:8786", "dask://127.0.0.1:8786"), ("dask://scheduler.kommune.dk:8786", "dask://scheduler.kommune.dk:8786"),
    ("dask://[::1]:8786", "dask://[::1]:8786"),
])
def test_executor_values(text, expected):
    assert executors.parse(text) == expected


@pytest.mark.parametrize("text", ["dask://", "dask://host", "dask://host:0", "dask://host:70000", "tcp://host:8786",
                                  "dask://host:8786;touch x", "dask://$(whoami):8786", "processes"])
def test_bad_executor_values_are_refused_with_an_example(text):
    with pytest.raises(ParameterError, match="dask://127.0.0.1:8786"):
        executors.parse(text)


def test_the_scheduler_address_is_dasks_tcp_address():
    assert executors.scheduler_address("dask://10.0.0.1:8786") == "tcp://10.0.0.1:8786"


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_local_jobs_run_in_worker_processes_and_all_results_come_back():
    results = list(executors.run(_pid_and_square, range(6), executors.LOCAL, workers=2))
    assert sorted(r for _, r in results) == [0, 1, 4, 9, 16, 25]
    assert os.getpid() not in {pid for pid, _ in results}


def test_no_jobs_is_an_empty_run_that_can_be_closed():
    results = executors.run(_pid_and_square, [], executors.LOCAL, workers=2)
    assert list(results) == []
    results.close()


def test_an_unreachable_scheduler_is_an_environment_problem_naming_it(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(EnvironmentProblem, match=r"Dask-scheduleren dask://127\.0\.0\.1:9 svarer ikke"):
        executors.check("dask://127.0.0.1:9")
    executors.check(executors.LOCAL)  # nothing to check for local processes
