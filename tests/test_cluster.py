"""econ.batch.cluster: a Dask run whose every worker dies ends (the waiting jobs failed, the finished
ones kept); workers running another checkout of econ are refused before anything is written."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from econ import cli
from econ.batch import cluster
from econ.errors import InputError
from tests.batch_helpers import manifest, processes_in, published_runs, tiny_cli, wait_for
from tests.batch_helpers import tiny_run as _tiny_run

DASK = str(Path(sys.executable).parent / "dask")


@pytest.fixture
def environment_restored():
    """Importing distributed sets MALLOC_TRIM_THRESHOLD_ and the BLAS thread variables in this process's
    environment (see the fixture of the same name in test_batch.py); later runs must not inherit them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_cli_worker_timeout_default_matches_cluster():
    assert cli.batch_defaults["worker_timeout"] == cluster.WORKER_TIMEOUT


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), "60", True])
def test_bad_worker_timeout_refused_before_connecting(value):
    with pytest.raises(InputError, match="--worker-timeout"):
        cluster.dask_client("tcp://127.0.0.1:1", [], worker_timeout=value)


class _Cluster:
    """A client's view of a cluster whose workers come and go (``None``: the scheduler does not answer)."""

    def __init__(self, seen):
        self.seen = list(seen)

    def nthreads(self):
        workers = self.seen.pop(0)
        if workers is None:
            raise OSError("scheduler gone")
        return {f"tcp://w{i}:1": 2 for i in range(workers)}


def test_jobs_fail_only_after_the_grace_period_with_no_worker(monkeypatch):
    clock = iter([0, 10, 20, 30, 40, 50, 59, 60, 61, 125])
    monkeypatch.setattr(cluster.time, "monotonic", lambda: next(clock))
    # two workers, one lost (others alive: keep going), none, one back (start again), none, unreachable
    watch = cluster._WorkerWatch(_Cluster([2, 1, 0, 0, 1, 0, 0, None, None, None]), worker_timeout=60)
    assert [watch.expired() for _ in range(10)] == [False] * 9 + [True]


@pytest.mark.dask
def test_worker_with_other_econ_source_refused(tmp_path, tiny_scenarios, monkeypatch, environment_restored):
    distributed = pytest.importorskip("distributed")
    ours = cluster.source_digest()

    def digest_in_workers_view():
        """The workers share this process (processes=False) but run `client.run`'s functions on the
        cluster's event loop thread: there, and only there, econ's source looks different."""
        return ours if threading.current_thread() is threading.main_thread() else "0" * 64

    monkeypatch.setattr(cluster, "source_digest", digest_in_workers_view)
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as dc:
        with pytest.raises(InputError, match="econ source differs") as raised:
            cluster.dask_client(dc.scheduler_address, [str(tmp_path)])
        [worker] = dc.scheduler_info["workers"]
        assert f"{worker}: its econ source differs" in str(raised.value)
        with pytest.raises(InputError, match="another checkout of econ"):
            _tiny_run(tiny_scenarios, out, "a", executor="dask", scheduler=dc.scheduler_address)
    assert not (out / "runs").exists() or list((out / "runs").iterdir()) == []  # nothing written


@contextlib.contextmanager
def _worker(address: str):
    """A Dask worker without a nanny (so a kill is final), in a session of its own, killed at the end."""
    proc = subprocess.Popen([DASK, "worker", address, "--no-nanny", "--nthreads", "2", "--no-dashboard"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.faults
def test_run_ends_when_every_dask_worker_dies(tmp_path, tiny_scenarios, environment_restored):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=None) as dc, \
            distributed.Client(dc.scheduler_address) as watcher, _worker(dc.scheduler_address) as worker:
        watcher.wait_for_workers(1, timeout=60)

        def kill_when_b_sleeps():  # a has finished, b's kernel sleeps: the only worker dies
            wait_for(lambda: list((out / "runs").glob(".*.partial/a/00_tiny/job.json"))
                     and list((out / "runs").glob(".*.partial/b/00_tiny/00_tiny.ipynb")), timeout=120)
            time.sleep(1)
            os.killpg(worker.pid, signal.SIGKILL)
            killed.append(time.monotonic())

        killed: list[float] = []
        killer = threading.Thread(target=kill_when_b_sleeps, daemon=True)
        killer.start()
        try:  # the fault this guards against is a run that never ends: bounded, not waited on
            run = subprocess.run(tiny_cli(tiny_scenarios, out, "a", "b", "--notebook", "00_tiny", "--executor", "dask",
                                          "--scheduler", dc.scheduler_address, "--worker-timeout", "5",
                                          "-p", "sleep", "300", "-p", "sleep_for", "b"),
                                 capture_output=True, text=True, timeout=180)
        finally:
            for pid in processes_in(out):  # b's kernel, orphaned by the kill
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        killer.join(timeout=10)
    assert killed and time.monotonic() - killed[0] < 60, "ended long after the grace period"
    assert run.returncode == 1, run.stderr  # published with a failure, as any failed notebook
    [run_dir] = published_runs(out)
    jobs = {j["scenario"]: j for j in manifest(run_dir)["jobs"]}
    assert jobs["a"]["status"] == "ok" and (run_dir / "a" / "00_tiny" / "results.json").exists()
    assert jobs["b"]["status"] == "failed" and jobs["b"]["error"]["name"] == "NoDaskWorker"
    message = jobs["b"]["error"]["message"]
    assert "no Dask worker alive for 5 s at tcp://" in message
    assert f"econ run --resume {run_dir.name}" in message
    # said as it happens, not only in the report
    assert "note: no Dask worker alive at tcp://" in run.stderr and "fail in 5 s" in run.stderr
    assert "FAILED b/00_tiny: NoDaskWorker: no Dask worker alive" in run.stdout
