"""Running the jobs on an existing Dask distributed cluster (``--executor dask``).

The workers need this environment (econ at the same version and from the same source, the same
Python) and the same files at the same paths (the repository and the outputs folder on a shared file
system): :func:`dask_client` checks both before anything is written. Each task is one job through
the papermill engine, its kernel started by the Dask worker. A task whose worker is lost fails only
that job; a cluster left with no worker at all would hold its tasks forever, so :func:`run_jobs`
fails the jobs still waiting once no worker has been alive for ``worker_timeout`` seconds, and the
run ends with its finished notebooks kept for ``--resume``.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from econ import __version__, digests
from econ.batch.job import Job, execute, record_crash
from econ.errors import InputError

#: Seconds a run waits with no live Dask worker before it fails the jobs still waiting
#: (``--worker-timeout``): long enough for a worker to be restarted, short enough to notice.
WORKER_TIMEOUT = 60.0
#: Seconds between looks at the cluster while no job finishes (also how late a finished job is seen).
POLL_SECONDS = 0.5


def source_digest() -> str:
    """The SHA-256 of econ's source tree, as every job's input hash holds it (:func:`econ.digests.source_digest`,
    the one definition of which files count, about 15 ms). Computed on every call: the kernels a worker
    starts import econ from disk, so an edit since the worker started counts."""
    return digests.source_digest()


def worker_facts(check_paths: list[str]) -> dict:
    """What a (Dask) worker has: econ's version and source digest, Python's, and which paths it cannot see."""
    return {"econ": __version__, "econ_source": source_digest(), "python": platform.python_version(),
            "missing": [p for p in check_paths if not os.path.exists(p)]}


def _worker_problems(facts: dict[str, dict], scheduler: str) -> list[tuple[str, str, str]]:
    """Each worker whose econ, econ source or Python differs from ours, or that cannot see our files."""
    ours = source_digest()
    problems = []
    for worker, f in sorted(facts.items()):
        if f["econ"] != __version__ or f["python"].rsplit(".", 1)[0] != platform.python_version().rsplit(".", 1)[0]:
            problems.append(("--scheduler", worker, f"runs econ {f['econ']} on Python {f['python']}; this is econ "
                             f"{__version__} on Python {platform.python_version()}"))
        elif f.get("econ_source") != ours:
            problems.append(("--scheduler", worker, f"its econ source differs from this checkout's (sha256 "
                             f"{str(f.get('econ_source'))[:12]}, here {ours[:12]}): the worker runs another "
                             "checkout of econ; start it from this one"))
        if f["missing"]:
            problems.append(("--scheduler", worker, f"cannot see {', '.join(f['missing'])}: workers need the same "
                             "files at the same paths (a shared filesystem)"))
    if not facts:
        problems.append(("--scheduler", scheduler, "the cluster has no workers"))
    return problems


def check_worker_timeout(worker_timeout: float) -> None:
    """InputError unless ``worker_timeout`` is a number of seconds > 0 (``inf``: wait for workers forever)."""
    if isinstance(worker_timeout, bool) or not isinstance(worker_timeout, (int, float)) \
            or math.isnan(worker_timeout) or worker_timeout <= 0:
        raise InputError.single("command line", "--worker-timeout", f"{worker_timeout!r}: give seconds > 0")


def dask_client(scheduler: str, check_paths: list[str], worker_timeout: float = WORKER_TIMEOUT):
    """A client of the cluster at ``scheduler`` whose workers run this econ and see our files; InputError if not."""
    check_worker_timeout(worker_timeout)
    try:
        from distributed import Client
    except ImportError:
        raise InputError.single("command line", "--executor", "dask needs the packages dask and distributed") from None
    try:
        client = Client(scheduler, timeout="30s")
    except Exception as e:
        raise InputError.single("command line", "--scheduler", f"cannot reach {scheduler}: {e}") from None
    try:
        facts = client.run(worker_facts, check_paths)
    except Exception as e:
        client.close()
        raise InputError.single("command line", "--scheduler", f"the workers at {scheduler} cannot run econ "
                                f"({type(e).__name__}: {e}); start them in this project's environment") from None
    problems = _worker_problems(facts, scheduler)
    if problems:
        client.close()
        raise InputError(problems)
    return client


class _WorkerWatch:
    """How long the cluster of ``client`` has had no live worker (a scheduler that does not answer
    counts as none: its tasks cannot finish either)."""

    def __init__(self, client, worker_timeout: float):
        self.client = client
        self.worker_timeout = worker_timeout
        self.none_since: float | None = None

    def expired(self) -> bool:
        """True once no worker has been alive for ``worker_timeout`` seconds; a worker seen resets it."""
        try:
            alive = bool(self.client.nthreads())
        except Exception:  # noqa: BLE001 - the scheduler is gone or restarting
            alive = False
        now = time.monotonic()
        if alive:
            self.none_since = None
        elif self.none_since is None:
            self.none_since = now
            tqdm.write(f"note: no Dask worker alive at {self.address()}; the jobs still waiting fail in "
                       f"{self.worker_timeout:g} s unless one starts", file=sys.stderr)
        return self.none_since is not None and now - self.none_since >= self.worker_timeout

    def address(self) -> str:
        try:
            return self.client.scheduler.address
        except Exception:  # noqa: BLE001 - only for a message
            return "the scheduler"

    def message(self, run_dir: Path) -> str:
        run_id = run_dir.name.removeprefix(".").removesuffix(".partial")
        return (f"no Dask worker alive for {self.worker_timeout:g} s at {self.address()}: start workers and resume "
                f"with `econ run --resume {run_id}`")


def _outcome(fut, job: Job, run_dir: Path, options: dict) -> Job:
    """The finished job a completed future carries, or ``job`` failed with why its task did not finish."""
    try:
        return fut.result()
    except Exception as e:  # a worker lost, a task cancelled
        return record_crash(job, run_dir, options, type(e).__name__, str(e) or repr(e))


def run_jobs(todo: list[Job], run_dir: Path, options: dict, client, finished: Callable[[Job], None]) -> None:
    """Submit ``todo`` to the cluster of ``client`` and call ``finished`` with each job as it ends.

    While no job finishes the cluster is watched: once it has had no live worker for
    ``options["worker_timeout"]`` seconds (default :data:`WORKER_TIMEOUT`), the jobs still waiting are
    cancelled and each is recorded as failed with a message saying how to resume.
    """
    from distributed import as_completed

    futures = {client.submit(execute, job, str(run_dir), options, pure=False,
                             key=f"econ-{run_dir.name.strip('.')}-{job.scenario}-{job.notebook}"): job
               for job in todo}
    watch = _WorkerWatch(client, options.get("worker_timeout", WORKER_TIMEOUT))
    completed = as_completed(futures)
    try:
        while futures:
            batch = completed.next_batch(block=False)
            for fut in batch:  # dropped once read: the cluster need not keep (or recompute) its result
                finished(_outcome(fut, futures.pop(fut), run_dir, options))
            if batch or not futures:
                continue
            if watch.expired():
                client.cancel(list(futures))
                for fut in sorted(futures, key=lambda f: f.key):
                    finished(record_crash(futures[fut], run_dir, options, "NoDaskWorker", watch.message(run_dir)))
                return
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        client.cancel(list(futures))
        raise
