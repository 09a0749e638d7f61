"""Benchmark: the models' fast paths for sensitivity analysis and sweeps.

For each model in econ.sweep.MODELS, on one scenario:
- 10,000 parameter sets through the vectorised path (``Model.run``, what ``econ sweep``, the
  tornado and the Sobol indices use); target: well under a second;
- the same sets through the single-scenario path (``load_scenario`` with overrides, then
  ``world.assess(scenario, 1, [stage]).metrics()``) in a Python loop: timed on LOOP_SAMPLE sets and scaled to
  10,000; target: the vectorised path at least 50x faster;
- 100,000 Monte Carlo draws of the scenario's distributions with p05/p50/p95 of every headline
  metric through the fast path; target: about a second.

Prints the figures and saves them to outputs/benchmarks/sensitivity.json. Run:
    .venv/bin/python benchmarks/sensitivity.py
"""

import json
import os
import platform
import time

import numpy as np

from econ import paths, sweep, uncertainty
from econ.model import world
from econ.scenario import load_scenario

SETS = 10_000
DRAWS = 100_000
LOOP_SAMPLE = 30
REPEATS = 3
SCENARIO = "russia_pivot"


def _timed(fn, repeats=REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    scn = load_scenario(SCENARIO)
    rng = np.random.default_rng(0)
    figures = {"scenario": SCENARIO, "sets": SETS, "draws": DRAWS, "cpus": os.cpu_count(),
               "python": platform.python_version(), "models": {}}
    for name, model in sweep.MODELS.items():
        model.run(scn, {})                                                  # warm caches (data, calibration)
        lows_highs = {k: sweep.declared_range(k) for k in model.drawn}
        points = {k: rng.uniform(lo, hi, SETS) for k, (lo, hi) in lows_highs.items()}
        fast = _timed(lambda m=model, pts=points: m.run(scn, pts))
        loop_points = [{k: float(v[i]) for k, v in points.items()} for i in range(LOOP_SAMPLE)]
        t0 = time.perf_counter()
        for p in loop_points:
            world.assess(load_scenario(SCENARIO, overrides=p), 1, [name]).metrics()
        per_call = (time.perf_counter() - t0) / LOOP_SAMPLE
        draws = {k: uncertainty.draw(scn.value(k), DRAWS, scn.seed, k) for k in model.drawn}

        def monte_carlo(model=model, draws=draws):
            out = model.run(scn, draws)
            return {m: uncertainty.interval(v) for m, v in out.items()}

        mc = _timed(monte_carlo)
        row = {"sets_seconds": fast, "loop_seconds_per_set": per_call, "loop_seconds_for_sets": per_call * SETS,
               "speedup": per_call * SETS / fast, "draws_seconds": mc}
        figures["models"][name] = row
        print(f"{name}: {SETS:,} parameter sets in {fast:.3f} s (vectorised); single-scenario loop "
              f"{per_call * 1000:.1f} ms per set = {per_call * SETS:.0f} s for {SETS:,} -> {row['speedup']:.0f}x; "
              f"{DRAWS:,} Monte Carlo draws with p05/p50/p95 in {mc:.3f} s")
    out = paths.OUTPUTS / "benchmarks" / "sensitivity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {paths.relative(out)}")


if __name__ == "__main__":
    main()
