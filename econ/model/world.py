"""The linker: one world per scenario, computed by stages in the order they read each other.

The stages (:data:`STAGE_PACKAGES`: Huawei's chip supply, vendor market shares, Huawei's own revenue,
its suppliers' revenue, investment needs) are imported here by name; each declares what it reads
and reports and implements the same functions (:mod:`econ.model.stage`). The world orders them by
what they read (:func:`order`), draws every parameter once per scenario on its own seeded stream (so
a parameter two stages read has the same draws in both), and runs them::

    world = assess(scenario, draws=10_000)
    world["market_share"].shares()          # a stage's own breakdowns
    world.metrics()                         # flat {metric: value} with _p05/_p95
    world.units()                           # {metric: unit}

A stage that reports an effect of the rules (Huawei's revenue gap, where its lost sales went) is
paired with the same stage in a second world: the scenario without its ``policy`` group, over the
same draws (:func:`assess`), so an effect is a subtraction of two worlds.

Parameter groups, drawn parameters, notebooks' parameters cells, sweeps and Sobol indices are all
derived from the declarations; nothing else lists them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from econ import uncertainty
from econ.errors import InputError
from econ.model import chip_supply, huawei, investment, market_share, revenue
from econ.model.stage import Figure, Metric, Stage, flat
from econ.scenario import Scenario, counterfactual

#: The stages, in no particular order (:func:`order` sorts them by what they read).
STAGE_PACKAGES = (chip_supply, market_share, huawei, revenue, investment)
#: Parameter sets evaluated at once by :func:`evaluate` (bounds memory; see each stage's bytes_per_draw).
CHUNK = 25_000


@functools.lru_cache(maxsize=1)
def stages() -> dict[str, Stage]:
    """Every stage, in dependency order (a stage comes after every stage it reads)."""
    found = {package.STAGE.name: package.STAGE for package in STAGE_PACKAGES}
    return {name: found[name] for name in order(found.values())}


def order(items: Iterable[Stage]) -> list[str]:
    """Stage names sorted so that each comes after the stages it reads; ValueError on a cycle."""
    items = {s.name: s for s in items}
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name, path=()):
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"stages read each other in a cycle: {' -> '.join((*path, name))}")
        if name not in items:
            raise ValueError(f"stage {path[-1] if path else '?'} reads unknown stage {name!r}")
        visiting.add(name)
        for upstream in items[name].reads:
            visit(upstream, (*path, name))
        visiting.discard(name)
        done.append(name)

    for name in sorted(items):
        visit(name)
    return done


def upstream_of(names: Iterable[str]) -> list[str]:
    """The named stages and every stage they read, directly or not, in dependency order."""
    table = stages()
    needed: set[str] = set()

    def add(name):
        if name not in table:
            raise InputError.single("stage", name, f"unknown stage; allowed: {', '.join(table)}")
        if name not in needed:
            needed.add(name)
            for up in table[name].reads:
                add(up)

    for n in names:
        add(n)
    return [n for n in table if n in needed]


def groups_of(names: Iterable[str]) -> tuple[str, ...]:
    """Parameter groups read by the named stages and everything upstream of them."""
    table = stages()
    seen: dict[str, None] = {}
    for n in upstream_of(names):
        seen.update(dict.fromkeys(table[n].groups))
    return tuple(seen)


def drawn_parameters(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """Drawn parameters of the named stages and their upstream (default: the whole world)."""
    table = stages()
    seen: dict[str, None] = {}
    for n in upstream_of(names or table):
        seen.update(dict.fromkeys(table[n].drawn))
    return tuple(seen)


def metrics_table() -> dict[str, tuple[Stage, Metric]]:
    """Every declared metric: name -> (stage, declaration)."""
    return {m.name: (s, m) for s in stages().values() for m in s.metrics}


def units() -> dict[str, str]:
    """Metric name -> unit, for every declared metric and its _p05/_p95."""
    out = {}
    for name, (_, m) in metrics_table().items():
        out[name] = m.unit
        if m.interval:
            out[f"{name}_p05"] = out[f"{name}_p95"] = m.unit
    return out


# --- drawing and running ---------------------------------------------------------------------------

def draw(scenario: Scenario, n: int, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """``n`` seeded draws of every drawn parameter of the named stages (and upstream), and of the
    data rows those stages draw over their ranges."""
    params = {k: uncertainty.draw(scenario.value(k), n, scenario.seed, k) for k in drawn_parameters(names)}
    for name in upstream_of(names or stages()):
        if stages()[name].draw_inputs is not None:
            params.update(stages()[name].draw_inputs(scenario, n))
    return params


def central(scenario: Scenario, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """One parameter set at the scenario's central values (data rows at their stored values)."""
    params = {k: np.array([float(uncertainty.central(scenario.value(k)))]) for k in drawn_parameters(names)}
    for name in upstream_of(names or stages()):
        if stages()[name].central_inputs is not None:
            params.update(stages()[name].central_inputs(scenario))
    return params


def check(scenario: Scenario, names: Iterable[str] | None = None) -> None:
    """Every stage's input check (InputError naming file and field), before any work."""
    for name in upstream_of(names or stages()):
        stages()[name].check(scenario)


@dataclass(frozen=True)
class World:
    """The linked model's answer for one scenario: each stage's result, over the same draws.

    ``without``: the same draws without the scenario's rules, for the stages that report their
    effect (None when none was asked for)."""

    scenario: Scenario
    params: dict
    results: dict
    without: World | None = field(default=None, repr=False)

    def __getitem__(self, stage: str):
        return self.results[stage]

    def figures(self, stages: Iterable[str] | None = None) -> list[Figure]:
        """Every figure of the named stages (default: all), as records with their draws."""
        return [f for name in (stages or self.results) for f in self.results[name].figures()]

    def metrics(self) -> dict[str, float]:
        """Every stage's figures as results.json's older flat keys (see :meth:`Figure.legacy`)."""
        return flat(self.figures())

    def units(self) -> dict[str, str]:
        table = units()
        return {k: table[k] for k in self.metrics() if k in table}


def _check_draws(draws) -> None:
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        raise InputError.single("argument", "draws", f"{draws!r}: give a whole number of at least 1")


def _run(scenario: Scenario, params: dict, names: list[str], requested: set[str]) -> dict:
    """Each named stage's result in order; a stage only upstream of what was asked for runs light."""
    results: dict = {}
    for name in names:
        stage = stages()[name]
        run = stage.assess_light if name not in requested and stage.assess_light else stage.assess
        results[name] = run(scenario, params, {r: results[r] for r in stage.reads})
    return results


def assess(scenario: Scenario, draws: int = 10_000, names: Iterable[str] | None = None,
           effects: bool = True) -> World:
    """Run the named stages (default: all) and everything upstream of them for ``scenario``.

    A requested stage that reports an effect of the rules is paired (its ``against``) with the same
    stage in a second world: the scenario without its ``policy`` group (:func:`econ.scenario.
    counterfactual`) over the same draws. A scenario with no rules is its own second world.
    ``effects=False`` skips the second world, for a caller that reads only the scenario's own paths
    (the sensitivity page's fans): the same numbers, without the rules' effects.
    """
    _check_draws(draws)
    requested = set(names or stages())
    names = upstream_of(requested)
    check(scenario, names)
    params = draw(scenario, draws, names)
    results = _run(scenario, params, names, requested)
    paired = [n for n in names if n in requested and stages()[n].reports_effects] if effects else []
    if not paired:
        return World(scenario, params, results)
    without = counterfactual(scenario)
    if without.parameters == scenario.parameters:
        other = World(scenario, params, results)
    else:
        other = World(without, params, _run(without, params, upstream_of(paired), set(paired)))
    return World(scenario, params, {**results, **{n: stages()[n].against(results[n], other[n]) for n in paired}}, other)


def evaluate(scenario: Scenario, params: dict[str, np.ndarray], names: Iterable[str] | None = None,
             chunk: int = CHUNK) -> dict[str, np.ndarray]:
    """Fast metrics of the named stages (default: all) for each parameter set in ``params``.

    ``params`` maps parameters to ``(n,)`` arrays; any drawn parameter or data input it leaves
    out is held at the scenario's central value. Evaluated ``chunk`` sets at a time, so memory
    stays bounded for any ``n``. A stage runs once per distinct set of the values it reads (its own
    and its upstream stages' parameters and data inputs): the points of a Sobol design or a tornado
    that move only what a stage does not read share its answer (each set's answer is its own, so the
    numbers are those of a run over every set).
    """
    names = upstream_of(names or stages())
    check(scenario, names)
    n = len(next(iter(params.values()))) if params else 1
    fill = central(scenario, names)
    reads = {name: [k for k in central(scenario, [name]) if k in params] for name in names}
    out: dict[str, np.ndarray] = {}
    for lo in range(0, n, chunk):
        size = min(chunk, n - lo)
        part = {k: np.broadcast_to(v, (size,)).astype(float) for k, v in fill.items()}
        part.update({k: np.asarray(v[lo:lo + size], dtype=float) for k, v in params.items()})
        done: dict[str, tuple] = {}  # stage -> (outputs, sets they were computed for, row of them each set reads)
        for name in names:
            stage = stages()[name]
            distinct = _distinct([part[k] for k in reads[name]], size)
            first, which = distinct if distinct is not None else (None, None)
            values = part if first is None else _rows(part, first, size)
            found = stage.evaluate(scenario, values, {r: _at(*done[r], first) for r in stage.reads})
            done[name] = (found, size if first is None else len(first), which)
            for metric in stage.fast_metrics:
                out.setdefault(metric, np.empty(n))[lo:lo + size] = found[metric] if which is None else found[metric][which]
    return out


#: Fewest sets for which :func:`evaluate` looks for repeated ones, and the largest share of distinct sets
#: for which running a stage on them alone is worth it.
DISTINCT_FROM, DISTINCT_SHARE = 256, 0.9


def _distinct(columns: list[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(the first row of each distinct combination of ``columns``' values, each row's combination), or
    None when there are too few rows or too few repeats to be worth it. Rows are grouped by a weighted sum
    of their values, then checked equal to their group's first row element by element (a sum that two
    different rows share only sends the caller to the plain path)."""
    if size < DISTINCT_FROM:
        return None
    if not columns:
        return np.zeros(1, dtype=np.intp), np.zeros(size, dtype=np.intp)
    matrix = np.stack(columns, axis=1)
    weights = 1.0 + np.arange(len(columns)) * 0.6180339887498949
    inverse, uniques = pd.factorize(matrix @ weights)
    if len(uniques) > DISTINCT_SHARE * size or inverse.min() < 0:  # too few repeats, or a NaN
        return None
    first = np.full(len(uniques), size, dtype=np.intp)
    np.minimum.at(first, inverse, np.arange(size))
    if not np.array_equal(matrix, matrix[first[inverse]]):
        return None
    return first, inverse.astype(np.intp)


def _at(found: dict, count: int, which: np.ndarray | None, rows: np.ndarray | None) -> dict:
    """A stage's outputs ``found`` (for ``count`` sets) at the chunk's sets ``rows`` (None: every set), where
    ``which`` gives the row of ``found`` each set of the chunk reads (None: the stage ran for every set)."""
    if which is None:
        return found if rows is None else _rows(found, rows, count)
    return _rows(found, which if rows is None else which[rows], count)


def _rows(values, rows: np.ndarray, size: int):
    """``values`` (a dict of per-set arrays, nested dicts, or anything else) at ``rows``: an array whose first
    axis has ``size`` sets is indexed, anything else (a value shared by every set) is kept."""
    if isinstance(values, dict):
        return {k: _rows(v, rows, size) for k, v in values.items()}
    if isinstance(values, np.ndarray) and values.ndim and values.shape[0] == size:
        return values[rows]
    return values


__all__ = ["Metric", "Stage", "World", "assess", "central", "check", "draw", "evaluate", "groups_of",
           "metrics_table", "order", "stages", "units", "upstream_of"]
