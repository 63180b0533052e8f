"""One warm Jupyter kernel per worker process (and thread), reset between notebooks instead of started anew."""

from __future__ import annotations

import atexit
import logging
import multiprocessing.util
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
# What nbclient gives the kernels it starts itself (papermill's fresh kernels), so both kinds run alike:
# errors only in the kernel's log, and the IPython history in memory (never a shared SQLite file).
EXTRA_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
#: Notebooks one kernel runs before it is replaced: bounds what a kernel can accumulate (memory, caches).
RESTART_EVERY = 25
#: Seconds a kernel may take to start, warm up or reset (papermill's own start timeout).
START_TIMEOUT = 60
#: "1": every notebook gets a new kernel, as papermill does on its own (the reference the warm kernel
#: is tested against).
FRESH_ENV = "GREEN_ACCOUNTS_FRESH_KERNELS"

# Run once in a new kernel: pay the notebook's imports and vl-convert's engine start before the first
# notebook (the reset below removes every name it leaves behind).
WARM_UP = """
import importlib
import altair as alt
import pandas as pd
from IPython.display import HTML, display
from pipeline.account import charts, model, sections
from pipeline.account.charts import svg
for name in sections.SECTIONS:
    importlib.import_module(f"pipeline.account.sections.{name}")
svg.to_svg(alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(x="x:Q"), "opvarmning", "opvarmning")
"""

# Run before every notebook as `_reset(<the kernel's working directory>)`: what a new kernel would be.
# The namespace and the output and input history are emptied and the execution counter is back at 1
# (IPython's reset for a new session); warnings shown once are shown again; the working directory is
# the one the kernel was started in. Imported modules stay loaded: that is the saving. So do the modules'
# caches (functools.cache): none holds a municipality's data or a run's settings (the run is read from the
# environment, and a new environment gets a new kernel); tests/unit/account/test_kernels.py lists each.
RESET = """
def _reset(cwd):
    import os
    import warnings

    ip = get_ipython()
    module = {k: v for k, v in ip.user_ns.items() if k in ("__doc__", "__loader__", "__package__", "__spec__")}
    ip.reset(new_session=True)
    ip.user_ns.update(module, _="", __="", ___="")  # as a new kernel has them
    os.chdir(cwd)
    warnings.onceregistry.clear()
    getattr(warnings, "_filters_mutated", lambda: None)()  # forgets every module's "already shown"
"""


class KernelNotReady(RuntimeError):
    """The kernel did not start, warm up or reset in time (the message says "didn't respond", so
    notebook.kernel_never_answered retries it with a new kernel)."""


class WarmKernel:
    """A kernel kept between notebooks: reset before each one; replaced after a failed notebook, after
    RESTART_EVERY notebooks, when it died, and when the environment it would be started with changed
    (a new run: the footer reads the run from the environment)."""

    def __init__(self, restart_every: int = RESTART_EVERY):
        self.restart_every = restart_every
        self.km = None  # jupyter_client's AsyncKernelManager (what nbclient uses for its own kernels)
        self.client = None  # our blocking client, for the warm-up and the resets
        self.nbclients: list = []  # nbclient's clients: one per notebook, never stopped by nbclient, which
        # does not own the manager; release() stops them
        self.started_with: tuple[dict[str, str], str] | None = None
        self.notebooks = 0  # notebooks handed out since the kernel started
        self.starts = 0  # kernels this object started
        self.pid = os.getpid()  # the process whose kernel this is

    @property
    def reused(self) -> bool:
        """Whether the notebook last handed out runs in a kernel that has run one before."""
        return self.notebooks > 1

    def acquire(self, env: dict[str, str], cwd: Path):
        """The kernel manager to run the next notebook in, reset; a kernel is started when needed."""
        wanted = (dict(env), str(cwd))
        if self.km is not None:
            reason = self._stale(wanted)
            if reason:
                log.debug("replacing the warm kernel: %s", reason)
                self.shutdown()
        if self.km is None:
            self.started_with, self.notebooks = wanted, 0
            self.starts += 1
            try:
                self._launch(*wanted)
            except BaseException:
                self.shutdown()
                raise
        self._execute(f"{RESET}_reset({self.started_with[1]!r})\n", "reset")
        self.notebooks += 1
        return self.km

    def release(self, ok: bool) -> None:
        """After a notebook: a kernel whose notebook failed (or never answered) is not used again."""
        self._stop_nbclients()
        if not ok:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the kernel now (no graceful shutdown: it holds no state worth keeping)."""
        km, self.km, self.started_with, self.notebooks = self.km, None, None, 0
        self._stop_nbclients()
        client, self.client = self.client, None
        if client is not None:
            client.stop_channels()
        if km is None:
            return
        from jupyter_core.utils import run_sync

        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception as exc:  # noqa: BLE001 - a kernel that is already gone needs no stopping
            log.debug("stopping the warm kernel: %s", exc)

    def _stale(self, wanted: tuple[dict[str, str], str]) -> str | None:
        from jupyter_core.utils import run_sync

        if self.started_with != wanted:
            env, cwd = self.started_with or ({}, "")
            changed = sorted(k for k in set(env) | set(wanted[0]) if env.get(k) != wanted[0].get(k))
            return f"environment changed ({', '.join(changed) or f'cwd {cwd} -> {wanted[1]}'})"
        if self.notebooks >= self.restart_every:
            return f"{self.notebooks} notebooks run"
        if not run_sync(self.km.is_alive)():
            return "the kernel died"
        return None

    def _launch(self, env: dict[str, str], cwd: str) -> None:
        """Start the kernel process and warm it up."""
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        make_client = self.km.client

        def tracked_client(**kwargs):
            client = make_client(**kwargs)
            self.nbclients.append(client)
            return client

        self.km.client = tracked_client
        run_sync(self.km.start_kernel)(extra_arguments=list(EXTRA_ARGUMENTS), env=dict(env), cwd=cwd)
        self._execute(WARM_UP, "warm-up", must_succeed=False)

    def _execute(self, code: str, what: str, must_succeed: bool = True) -> None:
        """Run CODE silently in the kernel; KernelNotReady when it does not answer in START_TIMEOUT.
        A failing warm-up is only logged: the notebook then fails in its own cell, with its own message."""
        try:
            if self.client is None:  # one client for the kernel's life: connecting costs ~0.2 s each time
                self.client = self.km.blocking_client()
                self.client.start_channels()
                self.client.wait_for_ready(timeout=START_TIMEOUT)
            reply = self.client.execute_interactive(code, silent=True, store_history=False, timeout=START_TIMEOUT,
                                                    output_hook=lambda msg: None)
        except (RuntimeError, TimeoutError) as exc:
            self.shutdown()
            raise KernelNotReady(f"Kernel didn't respond in {START_TIMEOUT} seconds ({what}: {exc})") from exc
        content = reply["content"]
        if content["status"] != "ok":
            message = f"the kernel's {what} failed: {content.get('ename')}: {content.get('evalue')}"
            if must_succeed:
                self.shutdown()
                raise RuntimeError(message)
            log.warning("%s", message)

    def _stop_nbclients(self) -> None:
        clients, self.nbclients = self.nbclients, []
        for client in clients:
            client.stop_channels()


_local = threading.local()
_all: list[WarmKernel] = []  # this process's warm kernels, one per thread that ran a notebook
_lock = threading.Lock()
_exit_registered_in: int | None = None  # the process id that registered shutdown_all


def fresh_kernels() -> bool:
    """Whether every notebook gets a new kernel (FRESH_ENV=1) instead of the warm one."""
    return os.environ.get(FRESH_ENV, "").strip() == "1"


def current() -> WarmKernel:
    """This process's (this thread's) warm kernel, made on first use and stopped when the process ends.

    Per thread, so that a worker running several notebooks at once (a Dask worker's threads) never
    shares one; per process id, so that a forked child never uses or stops its parent's kernel."""
    global _exit_registered_in
    kernel = getattr(_local, "kernel", None)
    if kernel is None or kernel.pid != os.getpid():
        kernel = WarmKernel()
        with _lock:
            if _exit_registered_in != os.getpid():
                _all[:] = [k for k in _all if k.pid == os.getpid()]
                atexit.register(shutdown_all)
                # multiprocessing's own exit path too (a forked worker leaves with os._exit, skipping atexit)
                multiprocessing.util.Finalize(None, shutdown_all, exitpriority=100)
                _exit_registered_in = os.getpid()
            _all.append(kernel)
        _local.kernel = kernel
    return kernel


def shutdown_all() -> None:
    """Stop every warm kernel this process started (at exit; idempotent)."""
    with _lock:
        kernels = [k for k in _all if k.pid == os.getpid() and k.km is not None]
    for kernel in kernels:
        kernel.shutdown()
