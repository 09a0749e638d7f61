"""A worker process of a local run, started by :mod:`econ.batch.pool`: it runs the jobs it is sent,
one at a time, and answers with each finished job.

Protocol, over two pipes: the pool sends a config dict, then ``(job, run_dir, options)`` per job
and ``None`` to finish; the worker answers ``("ready", pid)`` once set up, then ``("done", job)``
per job.
"""

from __future__ import annotations

import os
import signal
from multiprocessing.connection import Connection

from econ.batch.job import die_with_parent


def _runner(config: dict, pipes: tuple[int, ...]):
    """What runs a job here: a warm template forking a child per job (engine ``warm``), or
    :func:`econ.batch.job.execute` in this process, each job's kernel started by papermill."""
    if config.get("engine") == "warm":
        from econ.batch.warm import Template

        return Template(config, close_in_child=pipes).execute
    from econ import report
    from econ.batch.job import execute

    # built once per worker rather than once per notebook (~2 s for the bundle, templates compile once)
    report.vega_bundle()
    report.warm_up(config.get("show_code", False))
    return execute


def main(argv: list[str]) -> None:
    jobs_fd, results_fd, parent = (int(a) for a in argv)
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle: it stops us
    jobs = Connection(jobs_fd, writable=False)
    results = Connection(results_fd, readable=False)
    config = jobs.recv()
    run_job = _runner(config, (jobs_fd, results_fd))
    results.send(("ready", os.getpid()))
    while True:
        try:
            message = jobs.recv()
        except EOFError:  # the run is gone
            break
        if message is None:
            break
        job, run_dir, options = message
        results.send(("done", run_job(job, run_dir, options)))
