"""Local worker processes that outlive each other's deaths.

Each worker is a fresh interpreter (``python -c 'from econ.batch.worker import main; ...'``) that
runs one job at a time, sent over a pipe. A worker that dies under a job (kill -9, the out-of-memory
killer, a crash in a C extension) fails only that job: the pool records it as failed, with a report
saying what happened, starts a replacement and goes on with the queue. (concurrent.futures'
process pool, used before, declares the whole pool broken and fails every queued job.)

Workers die with the run: each asks the kernel to send it SIGTERM when its parent dies
(PR_SET_PDEATHSIG, Linux), and the kernels they start exit when their worker is gone.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path

from econ import paths
from econ.batch import warm
from econ.batch.job import THREAD_VARS, Job, record_crash

#: Workers that die before they are ready, in a row, before the pool gives up on the rest of the
#: queue (a broken environment would otherwise start a new worker for every job).
START_FAILURES = 3
_ENTRY = "import sys; from econ.batch.worker import main; main(sys.argv[1:])"


def _environment(threads: int | None) -> dict:
    env = dict(os.environ)
    if threads:  # each kernel gets its share of the cores, unless the user chose
        for var in THREAD_VARS:
            env.setdefault(var, str(threads))
    return env


def _death(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering and was killed"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        why = " (kill -9, or the out-of-memory killer)" if -returncode == signal.SIGKILL else ""
        return f"was killed by {name}{why}"
    return f"exited with code {returncode}"


class Worker:
    """One worker process, and the job it is running."""

    def __init__(self, number: int, config: dict, log_dir: Path):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.number, self.job, self.ready = number, None, False
        self.log = log_dir / f"worker-{number}.log"
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        try:
            with open(self.log, "ab") as log:  # the worker's and its kernels' stray output
                entry = warm.entry(config["kernel_module"]) if config.get("engine") == "warm" else _ENTRY
                self.process = subprocess.Popen(
                    [sys.executable, "-c", entry, str(jobs_r), str(results_w), str(os.getpid())],
                    pass_fds=(jobs_r, results_w), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    env=_environment(config.get("threads")))
        except BaseException:
            os.close(jobs_w)
            os.close(results_r)
            raise
        finally:
            os.close(jobs_r)
            os.close(results_w)
        self.jobs = Connection(jobs_w, readable=False)
        self.results = Connection(results_r, writable=False)
        self.jobs.send(config)

    def give(self, job: Job, run_dir: Path, options: dict) -> bool:
        """Send ``job``; False when the worker is already gone (the job stays unassigned)."""
        try:
            self.jobs.send((job, str(run_dir), options))
        except OSError:
            return False
        self.job = job
        return True

    def reap(self) -> str:
        """Wait for the dead worker and say how it died."""
        try:
            returncode = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # its pipe closed but it lives on: end it
            self.process.kill()
            self.process.wait()
            returncode = None
        self._close()
        return f"the worker process (pid {self.process.pid}) running this notebook {_death(returncode)}"

    def stop(self, now: bool = False) -> None:
        """Ask the worker to finish (or, ``now``, terminate it) and wait; kill it if it lingers."""
        if self.process.poll() is None:
            try:
                if now:
                    self.process.terminate()
                else:
                    self.jobs.send(None)
            except OSError:
                pass
            try:
                self.process.wait(timeout=3 if now else 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()

    def _close(self) -> None:
        for conn in (self.jobs, self.results):
            try:
                conn.close()
            except OSError:
                pass


class _Pool:
    """The workers of one run and the jobs still to give them (see :func:`run_jobs`)."""

    def __init__(self, todo: list[Job], run_dir: Path, options: dict, workers: int, config: dict,
                 finished: Callable[[Job], None]):
        self.queue, self.run_dir, self.options, self.config, self.finished = deque(todo), run_dir, options, config, finished
        self.numbers = itertools.count(1)
        self.log_dir = Path(run_dir) / "logs"
        self.workers = [self.new_worker() for _ in range(min(workers, len(self.queue)))]
        self.start_failures = 0

    def new_worker(self) -> Worker:
        return Worker(next(self.numbers), self.config, self.log_dir)

    @property
    def busy(self) -> bool:
        return bool(self.workers) and bool(self.queue or any(w.job for w in self.workers))

    def hand_out(self) -> None:
        for w in self.workers:
            if w.ready and w.job is None and self.queue:
                job = self.queue.popleft()
                if not w.give(job, self.run_dir, self.options):
                    self.queue.appendleft(job)  # the worker died idle: its death is read below

    def died(self, w: Worker) -> None:
        """A worker is gone: its job fails with the reason, a new worker takes its place, and after
        START_FAILURES deaths before being ready in a row, the jobs left fail instead."""
        self.workers.remove(w)
        reason = w.reap()
        if w.job is not None:
            self.finished(record_crash(w.job, self.run_dir, self.options, "WorkerDied",
                                       f"{reason}; the other notebooks went on in a new worker"))
        self.start_failures = self.start_failures + 1 if not w.ready else 0
        if self.start_failures >= START_FAILURES:
            for job in self.queue:
                self.finished(record_crash(job, self.run_dir, self.options, "WorkerStartFailed",
                                           f"{START_FAILURES} worker processes in a row died before they were "
                                           f"ready; see {paths.relative(w.log)}"))
            self.queue.clear()
        elif self.queue:
            self.workers.append(self.new_worker())

    def listen(self) -> None:
        """Wait for any worker to say something (ready, a finished job) or to die, and act on it."""
        owner = {w.results: w for w in self.workers}
        for conn in wait(list(owner)):
            w = owner[conn]
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                self.died(w)
                continue
            if kind == "ready":
                w.ready, self.start_failures = True, 0
            else:
                w.job = None
                self.finished(payload)


def run_jobs(todo: list[Job], run_dir: Path, options: dict, workers: int, config: dict,
             finished: Callable[[Job], None]) -> None:
    """Run ``todo`` on ``workers`` local worker processes, calling ``finished`` with each job as it ends.

    ``config`` is sent to every worker when it starts (engine, BLAS threads, modules to preload).
    Raises KeyboardInterrupt after stopping every worker at once.
    """
    pool = _Pool(todo, run_dir, options, workers, config, finished)
    try:
        while pool.busy:
            pool.hand_out()
            pool.listen()
    except KeyboardInterrupt:
        # workers ignore Ctrl-C and would finish their notebooks first: stop them now (their kernels
        # notice their worker is gone and exit)
        for w in pool.workers:
            w.stop(now=True)
        raise
    for w in pool.workers:
        w.stop()
