"""Running every scenario through every notebook: validated first, then executed in parallel
worker processes (or on a Dask cluster), each notebook in a fresh process of its own, published as
offline HTML and indexed.

Layout of a run::

    outputs/runs/RUN_ID/index.html              scenario comparison (links to every report)
    outputs/runs/RUN_ID/manifest.json           parameters, input hashes, data hashes, versions,
                                                git commit, timings and status of every notebook
    outputs/runs/RUN_ID/metrics.csv             every results.json metric, tidy
    outputs/runs/RUN_ID/SCENARIO/NOTEBOOK/      NOTEBOOK.ipynb (executed), NOTEBOOK.html (report),
                                                results.json, job.json (this job's record)
    outputs/latest -> runs/RUN_ID               the newest run in which every notebook succeeded

The modules, in the order a run uses them:

``planning``    every scenario, data file and parameter checked before any kernel starts; the jobs
``provenance``  input hashes (what ``--resume`` compares), data hashes, versions, git commit
``runs``        run folders, publishing, ``outputs/latest``, finding and reusing earlier runs
``pool``        local worker processes; one that dies fails only its job and is replaced
``worker``      a local worker process: runs the jobs it is sent
``warm``        the warm engine: a worker pre-imports once and forks a fresh child per notebook
``inprocess``   the papermill engine the warm children use: cells run in ipykernel's shell, in-process
``cluster``     the same jobs on a Dask cluster (papermill engine)
``job``         one job: its notebook executed, its report published, its record written
``runner``      :func:`run`, the ``econ run`` entry
"""

from econ.batch.cluster import worker_facts
from econ.batch.job import DEFAULT_TIMEOUT, KERNEL_START_RETRIES, KERNEL_START_TIMEOUT, Job, execute
from econ.batch.planning import SET_BY_RUN, Plan, injected_code, notebooks, plan
from econ.batch.provenance import VERSIONED, data_digest, versions
from econ.batch.runner import ENGINES, RunResult, default_engine, run
from econ.batch.runs import RunNotPublished, find_run

__all__ = ["DEFAULT_TIMEOUT", "ENGINES", "KERNEL_START_RETRIES", "KERNEL_START_TIMEOUT", "SET_BY_RUN", "VERSIONED",
           "Job", "Plan", "RunNotPublished", "RunResult", "data_digest", "default_engine", "execute", "find_run",
           "injected_code", "notebooks", "plan", "run", "versions", "worker_facts"]
