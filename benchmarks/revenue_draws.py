"""Benchmark: how long the revenue model takes for 100,000 Monte Carlo draws (target about 1 s).

Prints the figures and saves them to outputs/benchmarks/revenue_draws.json. Run:
    .venv/bin/python benchmarks/revenue_draws.py
"""

import json
import os
import platform
import time

import numpy as np

from econ import paths, revenue
from econ.scenario import load_scenario

DRAWS = 100_000
REPEATS = 5


def main() -> None:
    calib = revenue.default_calibration()  # solved once, reused by every scenario
    figures = {"draws": DRAWS, "repeats": REPEATS, "cpus": os.cpu_count(), "python": platform.python_version(),
               "scenarios": {}}
    for name in ("may2020_fdpr", "aug2020_expansion"):
        scn = load_scenario(name)
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            impact = revenue.assess(scn, DRAWS, calib)
            impact.metrics()
            times.append(time.perf_counter() - t0)
        figures["scenarios"][name] = {"median_seconds": float(np.median(times)), "min_seconds": min(times)}
        print(f"{name}: {DRAWS:,} draws, draws + model + p05/p50/p95 in {np.median(times):.3f} s "
              f"(median of {REPEATS}; best {min(times):.3f} s)")
    t0 = time.perf_counter()
    revenue.calibrate(revenue.SupplyChain.load(), load_scenario("may2020_fdpr"))
    figures["calibration_seconds"] = time.perf_counter() - t0
    print(f"calibration (two Brent solves on {revenue.CALIBRATION_DRAWS:,} draws): "
          f"{figures['calibration_seconds']:.2f} s")
    out = paths.OUTPUTS / "benchmarks" / "revenue_draws.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {paths.relative(out)}")


if __name__ == "__main__":
    main()
