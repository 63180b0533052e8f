"""The warm kernel's policy, on a stand-in kernel: reused while the environment is the same, replaced after
a failed notebook, after RESTART_EVERY notebooks, when it died or when the run changed; one per thread."""

import threading

import pytest

from pipeline.account import kernels


class StandInManager:
    """What WarmKernel asks of jupyter_client's AsyncKernelManager."""

    def __init__(self):
        self.alive = True

    async def is_alive(self):
        return self.alive

    async def shutdown_kernel(self, now=False):
        assert now, "a warm kernel is stopped at once"
        self.alive = False


@pytest.fixture
def stand_in(monkeypatch):
    """WarmKernel without kernel processes: _launch makes a StandInManager, _execute records the code."""
    executed = []

    def launch(self, env, cwd):
        self.km = StandInManager()

    monkeypatch.setattr(kernels.WarmKernel, "_launch", launch)
    monkeypatch.setattr(kernels.WarmKernel, "_execute", lambda self, code, what, must_succeed=True: executed.append(what))
    return executed


ENV = {"GREEN_ACCOUNTS_RUN": '{"run": 1}', "PATH": "/usr/bin"}


def test_the_kernel_is_reset_and_reused_while_the_environment_is_the_same(stand_in, tmp_path):
    kernel = kernels.WarmKernel()
    first = kernel.acquire(ENV, tmp_path)
    kernel.release(ok=True)
    assert not kernel.reused
    assert kernel.acquire(dict(ENV), tmp_path) is first and kernel.reused
    kernel.release(ok=True)
    assert kernel.starts == 1 and first.alive
    assert stand_in == ["reset", "reset"], "every notebook starts in a reset namespace"


def test_a_failed_notebook_a_new_run_or_a_dead_kernel_gets_a_new_kernel(stand_in, tmp_path):
    kernel = kernels.WarmKernel()
    first = kernel.acquire(ENV, tmp_path)
    kernel.release(ok=False)
    assert not first.alive and kernel.km is None, "the kernel of a failed notebook is stopped at once"
    second = kernel.acquire(ENV, tmp_path)
    assert second is not first and not kernel.reused
    kernel.release(ok=True)
    third = kernel.acquire({**ENV, "GREEN_ACCOUNTS_RUN": '{"run": 2}'}, tmp_path)
    assert third is not second and not second.alive, "another run's footer needs the new run's environment"
    kernel.release(ok=True)
    assert kernel.acquire(ENV | {"GREEN_ACCOUNTS_RUN": '{"run": 2}'}, tmp_path / "elsewhere") is not third
    kernel.release(ok=True)
    kernel.km.alive = False  # died between two notebooks
    fourth = kernel.km
    assert kernel.acquire(ENV | {"GREEN_ACCOUNTS_RUN": '{"run": 2}'}, tmp_path / "elsewhere") is not fourth
    assert kernel.starts == 5


def test_a_kernel_is_replaced_after_restart_every_notebooks(stand_in, tmp_path):
    kernel = kernels.WarmKernel(restart_every=3)
    managers = []
    for _ in range(7):
        managers.append(kernel.acquire(ENV, tmp_path))
        kernel.release(ok=True)
    assert [len({id(m) for m in managers[i:i + 3]}) for i in (0, 3, 6)] == [1, 1, 1]
    assert kernel.starts == 3 and not managers[0].alive and not managers[3].alive and managers[6].alive
    assert kernels.RESTART_EVERY == 25


def test_a_kernel_that_does_not_start_leaves_nothing_behind(monkeypatch, tmp_path):
    def launch(self, env, cwd):
        self.km = StandInManager()
        raise kernels.KernelNotReady("Kernel didn't respond in 60 seconds (warm-up: timeout)")

    monkeypatch.setattr(kernels.WarmKernel, "_launch", launch)
    kernel = kernels.WarmKernel()
    with pytest.raises(kernels.KernelNotReady, match="didn't respond"):
        kernel.acquire(ENV, tmp_path)
    assert kernel.km is None and kernel.started_with is None


def test_each_thread_and_each_process_has_its_own_warm_kernel(monkeypatch):
    mine = kernels.current()
    assert kernels.current() is mine
    other = []
    thread = threading.Thread(target=lambda: other.append(kernels.current()))
    thread.start()
    thread.join()
    assert other[0] is not mine, "two notebooks running at once never share a kernel"
    monkeypatch.setattr(mine, "pid", -1)  # as if this object had been inherited from a parent process
    assert kernels.current() is not mine


def test_fresh_kernels_are_switched_on_by_the_environment(monkeypatch):
    monkeypatch.delenv(kernels.FRESH_ENV, raising=False)
    assert not kernels.fresh_kernels()
    monkeypatch.setenv(kernels.FRESH_ENV, "1")
    assert kernels.fresh_kernels()


# Every functools cache in pipeline/: a warm kernel keeps them from one notebook to the next (only a new
# environment, i.e. a new run, gets a new kernel). Each is safe because it holds no municipality's data
# and nothing a run sets; a new cache must be added here with its reason, or be keyed or reset so.
REVIEWED_CACHES = {
    "pipeline.account.kpis.computers": "the KPI groups' compute functions (code)",
    "pipeline.account.kpis.meta.climate_group": "kpis/climate.meta.yml (package metadata)",
    "pipeline.account.kpis.meta.groups": "kpis/*.meta.yml (package metadata)",
    "pipeline.account.operations.reference.degree_days": "data/reference/degree_days.csv, keyed by path",
    "pipeline.account.operations.reference.emission_factors": "data/reference/emission_factors.csv, keyed by path",
    "pipeline.account.operations.reference.energy_per_unit": "data/reference/energy_per_unit.csv, keyed by path",
    "pipeline.account.operations.reference.parameters": "data/reference/operations_parameters.csv, keyed by path",
    "pipeline.peer_groups._read": "data/reference/municipality_groups.csv, keyed by path",
    "pipeline.publish.keys._code_key": "the code's content hash, keyed by its folders (used by the run, not a page)",
    "pipeline.provenance._standalone_run": "only without GREEN_ACCOUNTS_RUN, which a warm kernel always has",
    "pipeline.registry.load": "data/reference/municipalities.csv, keyed by path",
    "pipeline.templating.environment": "the Jinja environment (templates reloaded when changed)",
}


def test_every_cache_a_warm_kernel_keeps_between_notebooks_has_been_reviewed():
    import importlib
    import pkgutil
    import sys

    import pipeline

    for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if info.name != "pipeline.__main__":
            importlib.import_module(info.name)
    found = {f"{name}.{attr}" for name, module in list(sys.modules.items()) if name.startswith("pipeline")
             for attr, value in vars(module).items()
             if hasattr(value, "cache_clear") and getattr(value, "__module__", None) == name}
    assert found == set(REVIEWED_CACHES), "a cache was added or removed: review it for the warm kernel"
