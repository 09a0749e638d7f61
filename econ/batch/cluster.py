"""Running the jobs on an existing Dask distributed cluster (``--executor dask``).

The workers need this environment (econ at the same version, the same Python) and the same files at
the same paths (the repository and the outputs folder on a shared file system): :func:`dask_client`
checks both before anything is written. Each task is one job through the papermill engine, its
kernel started by the Dask worker. A task whose worker is lost fails only that job.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from pathlib import Path

from econ import __version__
from econ.batch.job import Job, execute, record_crash
from econ.errors import InputError


def worker_facts(check_paths: list[str]) -> dict:
    """What a (Dask) worker has: econ's version and source hash, Python's, and which paths it cannot see."""
    return {"econ": __version__, "python": platform.python_version(),
            "missing": [p for p in check_paths if not os.path.exists(p)]}


def dask_client(scheduler: str, check_paths: list[str]):
    """A client of the cluster at ``scheduler`` whose workers run this econ and see our files; InputError if not."""
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
    problems = []
    for worker, f in sorted(facts.items()):
        if f["econ"] != __version__ or f["python"].rsplit(".", 1)[0] != platform.python_version().rsplit(".", 1)[0]:
            problems.append(("--scheduler", worker, f"runs econ {f['econ']} on Python {f['python']}; this is econ "
                             f"{__version__} on Python {platform.python_version()}"))
        if f["missing"]:
            problems.append(("--scheduler", worker, f"cannot see {', '.join(f['missing'])}: workers need the same "
                             "files at the same paths (a shared filesystem)"))
    if not facts:
        problems.append(("--scheduler", scheduler, "the cluster has no workers"))
    if problems:
        client.close()
        raise InputError(problems)
    return client



def run_jobs(todo: list[Job], run_dir: Path, options: dict, client, finished: Callable[[Job], None]) -> None:
    """Submit ``todo`` to the cluster of ``client`` and call ``finished`` with each job as it ends."""
    from distributed import as_completed

    futures = {client.submit(execute, job, str(run_dir), options, pure=False,
                             key=f"econ-{run_dir.name.strip('.')}-{job.scenario}-{job.notebook}"): job
               for job in todo}
    try:
        for fut in as_completed(futures):
            try:
                finished(fut.result())
            except Exception as e:  # a worker lost, a task cancelled
                finished(record_crash(futures[fut], run_dir, options, type(e).__name__, str(e) or repr(e)))
    except KeyboardInterrupt:
        client.cancel(list(futures))
        raise
