"""Benchmark: notebook 04 (sensitivity)'s econ calls per scenario, as the notebook makes them.

For each of SCENARIOS: the scenario's tornado over its own p05-p95, the tornado over the declared
ranges, the Sobol indices (``sobol_base`` 1024), the fans over 10,000 draws, the two-parameter heat map
and the charts of the page (tornado and Sobol charts per headline figure, the fans, the heat map, each
turned into its Vega-Lite spec as a page does). Each repetition runs in a fresh fork of a process that
has imported every econ module and read every dataset, as the batch's warm engine's template does
(:mod:`econ.batch.warm`; like it, the template runs no model, whose compiled kernels start threads
that a fork does not carry): nothing computed for one scenario is reused by the next or by another
repetition. The median of REPEATS repetitions per scenario and call; the first fork is a warm-up
(the compiled kernels' on-disk cache read into the page cache) and is not counted.

Prints the figures and saves them to outputs/benchmarks/notebook04.json (another name under
outputs/benchmarks with NOTEBOOK04_JSON=NAME.json). Run:
    .venv/bin/python benchmarks/notebook04.py [SCENARIO ...]
"""

import json
import os
import pickle
import platform
import sys
import time

import numpy as np

from econ import charts, findings, paths, sensitivity, sweep
from econ.scenario import load_scenario

SCENARIOS = ("history", "russia_pivot", "baseline")
REPEATS = int(os.environ.get("NOTEBOOK04_REPEATS", "3"))
DRAWS, SOBOL_BASE, SWEEP = 10_000, 1024, ("substitution_rate", "licence_approval_rate", 21)


def notebook_calls(name: str) -> dict[str, float]:
    """Seconds of each of the notebook's calls for scenario ``name``, in the notebook's order (wall clock;
    ``cpu_*``: the process's CPU seconds, every thread's, steadier when other jobs share the machine).

    ``tables``: both tornados and the Sobol indices, by ``sensitivity.analyse`` (one shared design) where
    econ has it, else by the three calls the notebook made before (``tornado``, ``tornado_declared`` and
    ``sobol`` then timed one by one), so the same script measures a checkout of either."""
    times: dict[str, float] = {}

    def timed(label, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times[label], times[f"cpu_{label}"] = time.perf_counter() - t0, time.process_time() - c0
        return out

    scn = timed("load", lambda: load_scenario(name))
    if hasattr(sensitivity, "analyse"):
        found = timed("tables", lambda: sensitivity.analyse(scn, SOBOL_BASE))
        tornado, declared, indices = found.tornado, found.declared, found.indices
    else:
        tornado = timed("tornado", lambda: sensitivity.tornado(scn))
        declared = timed("tornado_declared", lambda: sensitivity.tornado(scn, ranges="declared"))
        indices = timed("sobol", lambda: sensitivity.global_indices(scn, SOBOL_BASE))
        for prefix in ("", "cpu_"):
            times[f"{prefix}tables"] = sum(times[f"{prefix}{k}"] for k in ("tornado", "tornado_declared", "sobol"))
    fans = timed("fans", lambda: sensitivity.fans(scn, DRAWS))
    grid, metric = timed("square", lambda: sweep.square(scn, *SWEEP))

    def draw_charts():
        made = [charts.stacked([charts.fan(f["frame"], f["title"], f["y_title"], f["source"]) for f in fans]),
                charts.sweep_heatmap(grid, SWEEP[0], SWEEP[1], metric, "workbook model")]
        for m in [m for m in findings.HEADLINE if m in set(tornado["metric"])]:
            if tornado.loc[tornado["metric"] == m, "swing"].max() > 0:
                made.append(charts.tornado(tornado, m, declared=declared))
            if indices.loc[indices["metric"] == m, "ST"].max() > 0.01:
                made.append(charts.sobol_indices(indices, m))
        return [c.to_dict() for c in made]

    timed("charts", draw_charts)
    for prefix in ("", "cpu_"):
        times[f"{prefix}econ_calls"] = sum(times[f"{prefix}{k}"] for k in ("load", "tables", "fans", "square"))
        times[f"{prefix}total"] = times[f"{prefix}econ_calls"] + times[f"{prefix}charts"]
    return times


def in_child(name: str) -> dict[str, float]:
    """:func:`notebook_calls` in a fresh fork (a notebook's process under the warm engine)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the times back, exit without cleaning up the parent's state
        os.close(read)
        try:
            payload = pickle.dumps(notebook_calls(name))
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            payload = pickle.dumps(RuntimeError(f"{name}: {exc!r}"))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        found = pickle.loads(pipe.read())
    os.waitpid(pid, 0)
    if isinstance(found, BaseException):
        raise found
    return found


def main(names=SCENARIOS) -> None:
    import importlib

    from econ.batch import warm

    for module in warm.econ_modules():  # what the warm engine's template holds: econ imported, data read
        importlib.import_module(module)
    warm._load_data()
    in_child(names[0])  # warm-up
    figures = {"repeats": REPEATS, "draws": DRAWS, "sobol_base": SOBOL_BASE,
               "cpus": os.cpu_count(), "python": platform.python_version(), "scenarios": {}}
    for name in names:
        runs = [in_child(name) for _ in range(REPEATS)]
        median = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        figures["scenarios"][name] = {"median_seconds": median, "runs": runs}
        print(f"{name}: " + ", ".join(f"{k} {v:.2f} s" for k, v in median.items() if not k.startswith("cpu_")))
        print(f"{' ' * len(name)}  CPU: " + ", ".join(f"{k[4:]} {v:.2f} s" for k, v in median.items()
                                                     if k.startswith("cpu_")))
    out = paths.OUTPUTS / "benchmarks" / os.environ.get("NOTEBOOK04_JSON", "notebook04.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {paths.relative(out)}")


if __name__ == "__main__":
    main(sys.argv[1:] or SCENARIOS)
