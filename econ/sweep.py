"""Sensitivity and sweeps over the linked model's fast path: tornado, Sobol indices, parameter grids.

The "models" here are the stages of :mod:`econ.model.world`, taken from its registry: a stage is
evaluated with everything upstream of it (``world.evaluate``), so moving a parameter moves every
stage that reads it. Parameters a stage reads as scenario-level values (integers such as a year,
fixed fractions) are varied by re-validating the scenario for each distinct value, so every
numeric parameter can be moved; dates, lists and categories cannot.

The tornado moves each uncertain parameter over the scenario's own p05-p95 (``ranges="scenario"``,
the default: what the scenario's uncertainty means for each figure) or each numeric parameter
over its whole declared range (``ranges="declared"``: how far a figure could go at all).

``econ sweep SCENARIO --param NAME=LOW:HIGH:STEPS ... --out FILE.csv`` evaluates the grid
in-process (no notebook per point), in chunks, and writes a tidy CSV.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from econ import safe_text, uncertainty
from econ.errors import InputError
from econ.model import world
from econ.scenario import Parameters, Scenario, parameter_table, with_values

#: Largest grid a sweep accepts, and the points evaluated per chunk.
MAX_POINTS = 2_000_000
CHUNK = 20_000
RANGES = ("scenario", "declared")


@dataclass(frozen=True)
class Model:
    """One stage of the linked model, evaluated with everything upstream of it."""

    name: str

    @property
    def stage(self) -> world.Stage:
        return world.stages()[self.name]

    @property
    def groups(self) -> tuple[str, ...]:
        return world.groups_of([self.name])

    @property
    def drawn(self) -> tuple[str, ...]:
        """Parameters taken as arrays by this stage and its upstream stages."""
        return world.drawn_parameters([self.name])

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.stage.fast_metrics

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(r["name"] for r in parameter_table() if r["group"] in self.groups)

    def numeric(self) -> tuple[str, ...]:
        """The parameters this stage (or its upstream) reads that can be moved: numbers."""
        return tuple(n for n in self.reads if n in NUMERIC)

    def run(self, scenario: Scenario, points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Metrics at each point; parameters not in ``points`` keep the scenario's central values."""
        return run_stages(scenario, [self.name], points)


def run_stages(scenario: Scenario, names, points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The fast metrics of the named stages at each point (one pass of the linked model for all of them);
    parameters not in ``points`` keep the scenario's central values. Scenario-level parameters (a year,
    an integer) are moved by re-validating the scenario once per distinct value."""
    names = list(names)
    drawn = world.drawn_parameters(names)
    groups = world.groups_of(names)
    reads = {r["name"] for r in parameter_table() if r["group"] in groups}
    metrics = [m for name in names for m in world.stages()[name].fast_metrics]
    n = len(next(iter(points.values()))) if points else 1
    arrays = {k: np.full(n, float(uncertainty.central(scenario.value(k)))) for k in drawn}
    arrays.update({k: np.asarray(v, dtype=float) for k, v in points.items() if k in drawn})

    def evaluate(scn, values):
        out = world.evaluate(scn, values, names)
        return {m: out[m] for m in metrics}

    fixed = [k for k in points if k not in drawn and k in reads]
    if not fixed:
        return evaluate(scenario, arrays)
    keys = np.stack([np.asarray(points[k], dtype=float) for k in fixed], axis=1)
    distinct, which = np.unique(keys, axis=0, return_inverse=True)
    out = {m: np.empty(n) for m in metrics}
    for g, values in enumerate(distinct):
        rows = np.flatnonzero(which.ravel() == g)
        typed = {k: _typed(k, v) for k, v in zip(fixed, values)}
        own = all(getattr(scenario.parameters, k) == v and type(getattr(scenario.parameters, k)) is type(v)
                  for k, v in typed.items())
        scn = scenario if own else with_values(scenario, typed)  # the scenario's own values: itself, not a copy
        part = evaluate(scn, {k: v[rows] for k, v in arrays.items()})
        for m in metrics:
            out[m][rows] = part[m]
    return out


def _numeric_parameters() -> dict[str, str]:
    return {r["name"]: r["type"] for r in parameter_table() if r["type"] in ("number or distribution", "int", "float")}


NUMERIC = _numeric_parameters()


def _typed(name: str, value: float):
    if NUMERIC[name] == "int":
        if value != round(value):
            raise InputError.single("override", name, f"{value:g} is not a whole number ({name} is an integer)")
        return int(round(value))
    return float(value)


class _Registry(dict):
    """The stages as sweepable models, built from :func:`econ.model.world.stages` when first used."""

    def _fill(self):
        if not dict.__len__(self):
            dict.update(self, {name: Model(name) for name in world.stages()})

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __contains__(self, key):
        self._fill()
        return dict.__contains__(self, key)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def keys(self):
        self._fill()
        return dict.keys(self)


MODELS: dict[str, Model] = _Registry()


def declared_range(name: str) -> tuple[float, float]:
    extra = Parameters.model_fields[name].json_schema_extra
    return float(extra["low"]), float(extra["high"])


def scenario_range(scenario: Scenario, name: str) -> tuple[float, float] | None:
    """p05 and p95 of a parameter's distribution in the scenario (None for a point value)."""
    value = scenario.value(name)
    if not uncertainty.is_distribution(value):
        return None
    low, high = value.ppf(np.array([0.05, 0.95]))
    return float(low), float(high)


def _unit(name: str) -> str:
    return Parameters.model_fields[name].json_schema_extra["unit"]


def _models(names) -> list[Model]:
    names = list(names or MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise InputError.single("command line", "--model", f"unknown model {', '.join(unknown)}; "
                                f"allowed: {', '.join(MODELS)}")
    return [MODELS[n] for n in names]


# --- grids -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Axis:
    name: str
    low: float
    high: float
    steps: int

    def values(self) -> np.ndarray:
        return np.linspace(self.low, self.high, self.steps)


def parse_axis(text: str) -> Axis:
    """``NAME=LOW:HIGH:STEPS`` as given to ``econ sweep --param``; InputError naming what is wrong."""
    field = f"--param {text}"
    name, eq, rest = text.partition("=")
    parts = rest.split(":")
    if not eq or len(parts) != 3:
        raise InputError.single("command line", field, "expected NAME LOW:HIGH:STEPS (or NAME=LOW:HIGH:STEPS), "
                                "e.g. -p substitution_rate 0:1:11")
    try:
        low, high = float(parts[0]), float(parts[1])
        steps = int(parts[2])
    except ValueError:
        raise InputError.single("command line", field, "LOW and HIGH must be numbers and STEPS a whole number") from None
    return Axis(name.strip(), low, high, steps)


def check_axes(axes: list[Axis], models) -> list[Model]:
    """Every problem with the grid at once: names, ranges, steps, size. Returns the models to run."""
    chosen = _models(models)
    readable = {n for m in chosen for n in m.numeric()}
    problems = [] if axes else [("command line", "--param", "give at least one NAME=LOW:HIGH:STEPS")]
    names = [a.name for a in axes]
    problems += [("command line", f"--param {a.name}", "given twice") for i, a in enumerate(axes) if a.name in names[:i]]
    for axis in axes:
        if axis.name not in readable:
            problems.append(("command line", f"--param {axis.name}", f"not a numeric parameter of "
                             f"{', '.join(m.name for m in chosen)}; allowed: {', '.join(sorted(readable))}"))
        else:
            problems += [("command line", f"--param {axis.name}", why) for why in _axis_problems(axis)]
    if problems:
        raise InputError(problems)
    size = math.prod(a.steps for a in axes)  # Python integers: no overflow (numpy's int64 wraps to 0)
    if size > MAX_POINTS:
        raise InputError.single("command line", "--param", f"the grid has {size:,} points; at most "
                                f"{MAX_POINTS:,} are evaluated (about {size * 9 * 40 / 1e9:.1f} GB of CSV): "
                                "use fewer steps")
    return [m for m in chosen if any(a.name in m.reads for a in axes)]


def _axis_problems(axis: Axis) -> list[str]:
    """What is wrong with one axis of a parameter the models read: its range, its steps."""
    problems = []
    low, high = declared_range(axis.name)
    if not (np.isfinite(axis.low) and np.isfinite(axis.high)) or axis.low >= axis.high:
        problems.append(f"LOW ({axis.low:g}) must be below HIGH ({axis.high:g})")
    elif axis.low < low or axis.high > high:
        problems.append(f"[{axis.low:g}, {axis.high:g}] is outside the allowed range [{low:g}, {high:g}] "
                        f"({_unit(axis.name)})")
    if axis.steps < 2:
        problems.append(f"STEPS must be at least 2, got {axis.steps}")
    elif axis.steps > MAX_POINTS:
        problems.append(f"STEPS is {axis.steps:,}: at most {MAX_POINTS:,} points are evaluated in all")
    elif NUMERIC[axis.name] == "int" and not _whole_points(axis):
        problems.append(f"{axis.name} is a whole number: choose LOW and HIGH whole and STEPS so that the points are "
                        f"whole ({_whole_steps(axis)})")
    return problems


def _whole_points(axis: Axis) -> bool:
    """Whether every point of an integer parameter's axis is whole, by arithmetic (nothing allocated):
    LOW and HIGH whole and (HIGH - LOW) divisible by STEPS - 1."""
    if not (float(axis.low).is_integer() and float(axis.high).is_integer()):
        return False
    return (int(axis.high) - int(axis.low)) % (axis.steps - 1) == 0


def _whole_steps(axis: Axis) -> str:
    """The STEPS that give whole points from LOW to HIGH (when both are whole), for a message."""
    if not (float(axis.low).is_integer() and float(axis.high).is_integer()):
        return f"e.g. {math.floor(axis.low)}:{math.ceil(axis.high)}:{math.ceil(axis.high) - math.floor(axis.low) + 1}"
    span = int(axis.high) - int(axis.low)
    small = [d for d in range(1, math.isqrt(span) + 1) if span % d == 0]
    steps = sorted({d + 1 for d in small} | {span // d + 1 for d in small})
    return "STEPS may be " + ", ".join(f"{n:,}" for n in steps[:12]) + (", ..." if len(steps) > 12 else "")


def _append(path: Path, frame: pd.DataFrame, first: bool) -> None:
    """Add a chunk of rows to a CSV file, or to a Parquet file when ``path``'s name says .parquet."""
    if path.name.endswith(".parquet.partial"):
        import fastparquet

        fastparquet.write(str(path), frame, append=not first)
    else:
        safe_text.defuse_frame(frame).to_csv(path, mode="w" if first else "a", header=first, index=False)


def _chunk_frame(index: np.ndarray, points: dict[str, np.ndarray], chosen: list[Model],
                 result: dict[str, np.ndarray]) -> pd.DataFrame:
    """One chunk's tidy rows (point, the axes, model, metric, value), model by model, metric by metric;
    model and metric as categories (small in memory and in Parquet)."""
    pairs = [(m.name, metric) for m in chosen for metric in m.metrics]
    n = len(index)
    models = pd.Categorical([p[0] for p in pairs], categories=[m.name for m in chosen])
    metrics = pd.Categorical([p[1] for p in pairs], categories=list(dict.fromkeys(p[1] for p in pairs)))
    return pd.DataFrame({"point": np.tile(index, len(pairs)), **{k: np.tile(v, len(pairs)) for k, v in points.items()},
                         "model": models.repeat(n), "metric": metrics.repeat(n),
                         "value": np.concatenate([result[metric] for _, metric in pairs])})


def sweep(scenario: Scenario, axes: list[Axis], models=None, out: Path | None = None,
          progress: bool = False) -> pd.DataFrame:
    """Evaluate the models over the grid of ``axes``; tidy rows: point, the axes, model, metric, value.

    Checks everything first (InputError). With ``out``, rows are appended to ``out`` chunk by
    chunk (memory stays bounded; CSV, or Parquet for a name ending .parquet) and the file appears only
    when complete; the frame returned is then empty. ``progress``: a bar with the points done and the
    time left, on stderr.
    """
    from tqdm import tqdm

    chosen = check_axes(axes, models)
    grid = itertools.product(*(a.values() for a in axes))
    names = [a.name for a in axes]
    tmp = Path(f"{out}.partial") if out else None
    frames, point, header = [], 0, True
    total = int(np.prod([a.steps for a in axes]))
    bar = tqdm(total=total, unit="points", desc="sweep", disable=not progress, file=sys.stderr)
    try:
        while chunk := list(itertools.islice(grid, CHUNK)):
            values = np.array(chunk)
            points = {name: values[:, j] for j, name in enumerate(names)}
            # every chosen model in one pass of the linked model (a stage's outputs depend only on its own
            # and its upstream stages' parameters, so one pass gives each model what its own pass would)
            result = run_stages(scenario, [m.name for m in chosen], points)
            frame = _chunk_frame(np.arange(point, point + len(values)), points, chosen, result)
            if tmp is not None:
                _append(tmp, frame, header)
                header = False
            else:  # in memory: plain text, so sorting and comparing behave as for any frame
                frames.append(frame.astype({"model": str, "metric": str}))
            point += len(values)
            bar.update(len(values))
        if tmp is not None:
            os.replace(tmp, out)
    finally:
        bar.close()
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --- the sensitivity notebook's heat map ------------------------------------------------------------

def square(scenario: Scenario, x: str, y: str, steps: int = 21) -> tuple[pd.DataFrame, str]:
    """A two-parameter sweep over both declared ranges; the rows and the metric to map (the first
    headline metric of the first model that reads ``x``)."""
    axes = [Axis(name, *declared_range(name), steps) for name in (x, y)]
    chosen = check_axes(axes, None)
    both = [m for m in chosen if x in m.reads and y in m.reads] or [m for m in chosen if x in m.reads]
    return sweep(scenario, axes, [both[0].name]), both[0].metrics[0]
