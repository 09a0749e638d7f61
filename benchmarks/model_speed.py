"""How fast the linked model runs: 100,000 draws of every stage together, and 10,000 parameter
sets of each stage on its own (its upstream stages' outputs given), as `world.evaluate` runs them
for sweeps, tornado and Sobol. Prints the figures and writes benchmarks/model_speed.json.

    .venv/bin/python benchmarks/model_speed.py [SCENARIO]

Each figure is the median (and the best) of five timed runs after one untimed run (numba compiles the
kernels on first use and caches them): wall-clock seconds on this machine, all cores. The machine's
core count and load average are saved with the figures (issue 26's target: a median of at most 0.5 s
for 100,000 draws on 2 idle cores).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from econ.model import world  # noqa: E402
from econ.scenario import load_scenario  # noqa: E402

REPEATS = 5


def timed(fn) -> list[float]:
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def best(fn) -> float:
    return min(timed(fn))


def stage_alone(scenario, name: str, n: int):
    """A callable running stage ``name`` on ``n`` parameter sets, its upstream outputs computed once."""
    stages = world.stages()
    params = world.draw(scenario, n, [name])
    upstream: dict = {}
    for other in world.upstream_of([name]):
        if other == name:
            break
        upstream[other] = stages[other].evaluate(scenario, params, {r: upstream[r] for r in stages[other].reads})
    reads = {r: upstream[r] for r in stages[name].reads}
    return lambda: stages[name].evaluate(scenario, params, reads)


def main(name: str = "russia_pivot") -> dict:
    scenario = load_scenario(name)
    big = world.draw(scenario, 100_000)
    load_before = os.getloadavg()[0]
    times = timed(lambda: world.evaluate(scenario, big))
    out = {"scenario": name, "cpus": os.cpu_count(), "repeats": REPEATS, "load_average_1min_before": load_before,
           "world_100k_draws_s": min(times), "world_100k_draws_median_s": statistics.median(times),
           "world_100k_draws_runs_s": times,
           "stages_10k_s": {s: best(stage_alone(scenario, s, 10_000)) for s in world.stages()}}
    print(f"linked model, 100,000 draws, every stage: median {out['world_100k_draws_median_s']:.3f} s, best "
          f"{out['world_100k_draws_s']:.3f} s (target: median 0.5 s); load average before {load_before:.2f}")
    for s, t in out["stages_10k_s"].items():
        print(f"  {s:14s} 10,000 parameter sets: {t:.3f} s (target 0.1 s)")
    (ROOT / "benchmarks" / "model_speed.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    main(*sys.argv[1:2])
