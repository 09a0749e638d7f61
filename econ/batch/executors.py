"""Where jobs run: local worker processes, or the workers of a Dask cluster."""

from __future__ import annotations

import os
import platform
import signal
import sys
from pathlib import Path

from tqdm import tqdm

from econ import __version__, report
from econ.batch.job import THREAD_VARS, Job, execute
from econ.errors import InputError


def _crashed(job: Job, exc: BaseException) -> Job:
    """A job whose worker died (killed, out of memory) or whose result never came back."""
    job.status = "failed"
    job.error = {"cell": None, "name": type(exc).__name__, "message": (str(exc) or repr(exc))[:2000]}
    return job


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


def execute_all(todo: list[Job], run_dir: Path, options: dict, workers: int, client, bar: tqdm) -> list[Job]:
    """Run ``todo`` in local worker processes, or on the Dask cluster of ``client``; the finished jobs."""
    done: list[Job] = []

    def finished(job: Job) -> None:
        done.append(job)
        if job.status != "ok":
            bar.write(f"FAILED {job.folder}: {job.error.get('name')}: {str(job.error.get('message'))[:200]}")
        bar.set_postfix_str(f"{job.folder}: {job.status}", refresh=False)
        bar.update()

    if not todo:
        return done
    if client is not None:
        from distributed import as_completed as dask_completed

        futures = {client.submit(execute, job, str(run_dir), options, pure=False,
                                 key=f"econ-{run_dir.name.strip('.')}-{job.scenario}-{job.notebook}"): job
                   for job in todo}
        try:
            for fut in dask_completed(futures):
                try:
                    finished(fut.result())
                except Exception as e:  # a worker lost, a task cancelled
                    finished(_crashed(futures[fut], e))
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
        return done

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Built once here, inherited by every forked worker, rather than once per worker (~2 s each).
    report.vega_bundle()
    report.exporter(options["show_code"])
    # fork: workers inherit the imported modules; nothing but the main thread runs at this point
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(options.get("threads"), str(run_dir / "logs")))
    try:
        futures = {pool.submit(execute, job, str(run_dir), options): job for job in todo}
        for fut in as_completed(futures):
            try:
                finished(fut.result())
            except Exception as e:  # the worker died (killed, out of memory)
                finished(_crashed(futures[fut], e))
    except KeyboardInterrupt:
        # workers ignore Ctrl-C and would finish their notebooks first: stop them now (their kernels
        # notice their parent is gone and exit)
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return done


def _worker_init(threads: int | None, log_dir: str | None) -> None:
    """Worker processes: die with the parent (so ``kill -9`` leaves no orphans computing), leave
    Ctrl-C to the parent, give each kernel its share of the cores, and send their own and their
    kernels' stray output to ``log_dir/worker-PID.log`` rather than over the progress bar."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        fd = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if threads:
        for var in THREAD_VARS:
            os.environ.setdefault(var, str(threads))
