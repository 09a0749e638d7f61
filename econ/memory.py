"""Memory: what a notebook run will need, estimated before any work, so every accepted input fits.

A notebook's kernel needs a fixed amount (the interpreter, pandas, altair, statsmodels, econ, the
data) plus an amount that grows with its size arguments: ``draws`` (Monte Carlo draws), and in the
sensitivity notebook ``sobol_base`` (Saltelli's N) and ``sweep_steps`` (the heat map's grid has
``sweep_steps`` squared points). :data:`FOOTPRINTS` holds, per notebook, the fixed bytes and the
bytes per unit of each, measured as the kernel's peak resident memory (``ru_maxrss``) of the real
notebook run through papermill at two sizes (``python -m econ.memory`` measures again and prints
the table). :func:`estimate` adds them up and :func:`check` refuses inputs whose estimate exceeds
:data:`BUDGET`, naming the largest value that fits (:func:`max_units`).

For the model owner: when the models become stages, each stage can declare its own bytes per draw
(``Stage.bytes_per_draw``) and a notebook's footprint becomes the sum over the stages it runs; then
:data:`FOOTPRINTS` is built from the stages instead of this measured table, and the functions below
keep their signatures. Re-measure (``python -m econ.memory``) after any change to a model's arrays.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from econ import environment


def _budget() -> float:
    """2 GB, or ``ECON_MEMORY_BUDGET`` (bytes or a size with a unit, e.g. 8e9 or 8GB on a larger machine);
    an unusable value is refused by :func:`econ.environment.check` before any run."""
    return environment.memory_budget()


#: What one notebook run may use: the kernel's peak resident memory, in bytes (2 GB unless
#: ``ECON_MEMORY_BUDGET`` says otherwise; measuring sets it high to measure beyond it).
BUDGET = _budget()
#: Measured growth is multiplied by this before it is compared with the budget: other scenarios
#: and other machines' allocators differ from the run measured.
MARGIN = 1.25


@dataclass(frozen=True)
class Footprint:
    """Peak memory of one notebook's kernel: ``fixed`` bytes plus ``per`` bytes for each unit of a size
    argument (``draws``: one draw; ``sobol_base``: one unit of N; ``sweep_points``: one grid point)."""

    fixed: float
    per: dict[str, float] = field(default_factory=dict)


# Measured with `python -m econ.memory` (russia_pivot; this 2-core Linux machine, Python 3.11, numpy 2.4,
# numba 0.68; peak RSS of the kernel at two sizes of each argument, the others small, then near the largest
# size the slope allows; fixed = the smaller run less its variable part), 1 Dec 2026, then rounded up:
#   00 (7 Dec 2026, with the paired differences: one world at a time, at most 4,000 draws) 428 MB, then
#      0.64 GB measured at 117,109 draws: fixed 480 MB and 2,000 B/draw bound it
#   01 fixed 385 MB, 16,847 B/draw (to 75,878)
#   02 fixed 384 MB, 49,936 B/draw (to 25,086)          03 fixed 384 MB, 19,759 B/draw (to 65,465)
#   04 fixed 382 MB, 57,179 B/draw (to 21,734), 119,125 B per unit of sobol_base (to 8,192), sweep points
#      too few bytes to measure (to 70 x 70, the most the heat map draws)
#   05 fixed 382 MB, 57,975 B/draw (to 21,525)
FOOTPRINTS: dict[str, Footprint] = {
    "00_scenario_overview": Footprint(480e6, {"draws": 2_000}),
    "01_revenue_impact": Footprint(400e6, {"draws": 17_000}),
    "02_market_share": Footprint(400e6, {"draws": 50_000}),
    "03_investment_needs": Footprint(400e6, {"draws": 20_000}),
    "04_sensitivity": Footprint(400e6, {"draws": 58_000, "sobol_base": 120_000, "sweep_points": 1_000}),
    "05_backtest": Footprint(400e6, {"draws": 58_000}),
}


def units(arguments: dict) -> dict[str, int]:
    """The size units of ``arguments``: draws, sobol_base, and sweep_points (sweep_steps squared);
    Python integers, so no size overflows."""
    out = {}
    if isinstance(arguments.get("draws"), int):
        out["draws"] = arguments["draws"]
    if isinstance(arguments.get("sobol_base"), int):
        out["sobol_base"] = arguments["sobol_base"]
    if isinstance(arguments.get("sweep_steps"), int):
        out["sweep_points"] = arguments["sweep_steps"] ** 2
    return out


def footprint(notebook: str | None) -> Footprint:
    """The notebook's footprint; for a notebook not in the table (or unknown), the largest of each
    term, so the estimate errs on the safe side."""
    if notebook in FOOTPRINTS:
        return FOOTPRINTS[notebook]
    names = {k for f in FOOTPRINTS.values() for k in f.per}
    return Footprint(max(f.fixed for f in FOOTPRINTS.values()),
                     {k: max(f.per.get(k, 0) for f in FOOTPRINTS.values()) for k in names})


def estimate(notebook: str | None, arguments: dict) -> float:
    """Estimated peak bytes of a run of ``notebook`` with ``arguments`` (margin included)."""
    fp = footprint(notebook)
    return fp.fixed + MARGIN * sum(fp.per.get(k, 0) * n for k, n in units(arguments).items())


def max_units(notebook: str | None, name: str, arguments: dict) -> int:
    """The largest count of unit ``name`` (draws, sobol_base, sweep_points) that fits the budget with the
    other ``arguments`` as given."""
    fp = footprint(notebook)
    per = fp.per.get(name, 0)
    if not per:
        return sys.maxsize
    others = {k: n for k, n in units(arguments).items() if k != name}
    room = BUDGET - fp.fixed - MARGIN * sum(fp.per.get(k, 0) * n for k, n in others.items())
    return max(0, math.floor(room / (MARGIN * per)))


def check(notebook: str | None, arguments: dict) -> list[tuple[str, str]]:
    """(argument, message) when the estimate exceeds the budget, naming the size argument that needs the
    most memory and the largest value it may take with the others as given; [] when it fits."""
    total = estimate(notebook, arguments)
    if total <= BUDGET:
        return []
    fp = footprint(notebook)
    sizes = units(arguments)
    name = max(sizes, key=lambda k: fp.per.get(k, 0) * sizes[k])
    arg = "sweep_steps" if name == "sweep_points" else name
    most = max_units(notebook, name, arguments)
    largest = math.isqrt(most) if name == "sweep_points" else most
    if name == "sobol_base" and largest > 0:  # Saltelli's N is a power of 2 (econ.arguments)
        largest = 1 << (largest.bit_length() - 1)
    return [(arg, f"{arguments[arg]:,} needs about {total / 1e9:.1f} GB of memory ({notebook or 'this notebook'}); "
                  f"at most {BUDGET / 1e9:g} GB is allowed: {arg} at most {largest:,} with the other values as given")]


# --- measuring ----------------------------------------------------------------------------------------

_PEAK_CELL = ("import json as _j, resource as _r\n"
              "print('ECON_PEAK_RSS', _j.dumps(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss * 1024))")


def measure(notebook: Path, parameters: dict, kernel: str = "econ") -> int:
    """Peak resident bytes of ``notebook``'s kernel run through papermill with ``parameters`` (Linux);
    the memory check is lifted for the run (``ECON_MEMORY_BUDGET``) so that it can measure beyond it."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / notebook.name
        nbformat.write(nb, src)
        code = ("import papermill, sys, json; papermill.execute_notebook(sys.argv[1], sys.argv[2], "
                "parameters=json.loads(sys.argv[3]), kernel_name=sys.argv[4], progress_bar=False, cwd=sys.argv[5])")
        params = {**parameters, "output_dir": tmp}
        subprocess.run([sys.executable, "-c", code, str(src), str(Path(tmp) / "out.ipynb"), json.dumps(params),
                        kernel, tmp], check=True, capture_output=True, env={**os.environ, "ECON_MEMORY_BUDGET": "1e15"})
        out = nbformat.read(Path(tmp) / "out.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in out.cells[-1].outputs)
    return int(text.split("ECON_PEAK_RSS", 1)[1].split()[0])


#: Sizes measured: each argument at SMALL (the others too), then at LARGE, then near the largest size
#: the LARGE slope allows (growth is not quite linear: the revenue notebook's bytes per draw are 1.3 kB
#: from 1,000 to 20,000 draws and 3.4 kB from 100,000 up); the steeper slope is kept.
SMALL = {"draws": 1_000, "sobol_base": 64, "sweep_steps": 5}
LARGE = {"draws": 20_000, "sobol_base": 2_048, "sweep_steps": 70}
#: Largest size measured (a measurement at 10 million draws of the overview notebook takes a while).
MOST = {"draws": 2_000_000, "sobol_base": 65_536, "sweep_steps": 70}


def measure_all(scenario: str = "russia_pivot", only: str = "") -> dict[str, Footprint]:
    """Measure every shipped notebook (or those whose name starts with ``only``): fixed bytes and bytes
    per unit of each size argument it declares. Prints one line per notebook."""
    import papermill

    from econ import paths

    table = {}
    for path in sorted(paths.NOTEBOOKS.glob(f"{only}*.ipynb")):
        declared = set(papermill.inspect_notebook(str(path)))
        small = {k: v for k, v in SMALL.items() if k in declared}
        base = measure(path, {"scenario": scenario, **small})
        per, seen = {}, {}
        for name in LARGE:
            if name not in declared:
                continue
            unit = "sweep_points" if name == "sweep_steps" else name
            slope, size = 0.0, LARGE[name]
            for _ in range(2):
                grown = measure(path, {"scenario": scenario, **small, name: size})
                span = units({name: size})[unit] - units({name: SMALL[name]})[unit]
                slope = max(slope, (grown - base) / span)
                seen[name] = (size, grown)
                if slope <= 0:
                    break
                most = int((BUDGET - base) / (MARGIN * slope))
                size = min(MOST[name], most if unit != "sweep_points" else math.isqrt(most))
                if name == "sobol_base":  # Saltelli's N is a power of 2
                    size = 2 ** int(math.log2(size))
                if size <= LARGE[name]:
                    break
            per[unit] = slope
        fixed = base - sum(per[u] * n for u, n in units(small).items() if u in per)
        table[path.stem] = Footprint(fixed, per)
        print(f"{path.stem}: fixed {fixed / 1e6:.0f} MB, " + ", ".join(f"{k} {v:,.0f} B" for k, v in per.items())
              + "; measured " + ", ".join(f"{k} {n:,}: {b / 1e9:.2f} GB" for k, (n, b) in seen.items()), flush=True)
    return table


if __name__ == "__main__":  # python -m econ.memory [SCENARIO [NOTEBOOK_PREFIX]]: measure again
    measure_all(*sys.argv[1:3])
