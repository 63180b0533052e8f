"""Where render jobs run: worker processes on this machine (default) or a Dask cluster (`dask://host:port`).

Only the notebooks are distributed. Ingest, validation (one Great Expectations import per run) and the
overview stay in the pipeline process. A Dask worker must see the same project folder at the same path
(a shared file system) and have this package installed with the `dask` extra (`pip install ".[dask]"`).
Dask's own distributed client does the scheduling; nothing here is a scheduler.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from pipeline.errors import EnvironmentProblem, ParameterError

log = logging.getLogger(__name__)

LOCAL = "local"
DASK_PREFIX = "dask://"
_ADDRESS = re.compile(r"^dask://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")
CONNECT_TIMEOUT = "20s"


def parse(text: str | None) -> str:
    """'local' (also for an empty value) or 'dask://host:port'; anything else is a parameter error."""
    text = (text or "").strip()
    if text in ("", LOCAL):
        return LOCAL
    match = _ADDRESS.match(text)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise ParameterError(f"EXECUTOR='{text}' skal være 'local' eller en Dask-scheduler som "
                             "dask://127.0.0.1:8786 (vært og port)")
    return text


def scheduler_address(executor: str) -> str:
    """dask://host:port → tcp://host:port, the address Dask's client connects to."""
    return "tcp://" + executor.removeprefix(DASK_PREFIX)


def run_local(fn: Callable, jobs: list, workers: int, initializer: Callable | None = None) -> Iterator:
    """FN(job) for every job in worker processes (spawned, so no state leaks from this process); results
    as they complete."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer) as pool:
        futures = [pool.submit(fn, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def connect(executor: str):
    """A Dask client for EXECUTOR. Dask not installed, or a scheduler that cannot be reached, is an
    environment problem, named with its address and what to do."""
    try:
        from distributed import Client
    except ImportError:
        raise EnvironmentProblem(f"EXECUTOR={executor} kræver Dask: installér pakken med `pip install "
                                 "\".[dask]\"` (distributed), eller kør uden EXECUTOR") from None
    try:
        return Client(scheduler_address(executor), timeout=CONNECT_TIMEOUT, set_as_default=False)
    except OSError as exc:
        raise EnvironmentProblem(f"Dask-scheduleren {executor} svarer ikke ({exc}). Start den (`dask scheduler` "
                                 "og `dask worker` på en fælles projektmappe), eller kør uden EXECUTOR") from None


def check(executor: str) -> None:
    """Fail early (before ingest and validation) when EXECUTOR cannot be used."""
    if executor != LOCAL:
        connect(executor).close()


def run_dask(fn: Callable, jobs: list, executor: str) -> Iterator:
    """FN(job) for every job on the Dask cluster at EXECUTOR; results as they complete."""
    from distributed import as_completed as dask_completed

    client = connect(executor)
    address = scheduler_address(executor)
    try:
        log.info("render jobs on Dask at %s (%d workers)", address, len(client.scheduler_info().get("workers", {})))
        # pure=False: the same job submitted twice (a re-run) must run again, not be served from a cache
        futures = client.map(fn, jobs, pure=False, retries=0)
        try:
            for future in dask_completed(futures, loop=client.loop):
                yield future.result()
        finally:  # stopped early (an error, Ctrl-C): the jobs not yet started are not run
            client.cancel([f for f in futures if not f.done()])
    finally:
        client.close()


def _nothing() -> Iterator:
    yield from ()


def run(fn: Callable, jobs: Iterable, executor: str = LOCAL, workers: int = 1,
        initializer: Callable | None = None) -> Iterator:
    """FN(job) for each job, on EXECUTOR; results in completion order, from a generator: close it (or let it
    end) to shut the pool down."""
    jobs = list(jobs)
    if not jobs:
        return _nothing()
    if executor == LOCAL:
        return run_local(fn, jobs, workers, initializer)
    return run_dask(fn, jobs, executor)
