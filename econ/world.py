"""The linked model: one world per scenario, computed by stages in the order they read each other.

Each model module is a *stage* (:data:`STAGE_MODULES`): Huawei's chip supply, vendor market shares,
Huawei's own revenue, its suppliers' revenue, and investment needs. A stage declares, in one
:class:`Stage` record, the parameter groups it reads, the stages whose outputs it reads, the data
rows it draws over their ranges, and its metrics (name, unit, label, meaning). Every stage module
implements the same three functions:

``check(scenario)``
    Raise :class:`~econ.errors.InputError` for inputs the declared ranges cannot catch.
``evaluate(scenario, params, upstream) -> dict[str, ndarray]``
    The fast path: headline metrics (and the outputs later stages read) for each of ``n``
    parameter sets; ``params`` maps every drawn parameter to an ``(n,)`` array, ``upstream`` maps
    each stage in ``reads`` to what its ``evaluate`` returned.
``assess(scenario, params, upstream) -> result``
    The full answer for one scenario's draws, with breakdowns; ``upstream`` maps each stage in
    ``reads`` to its result. A result has ``outputs`` (what later stages read) and ``metrics()``.

The world links them (:func:`order`), draws every parameter once per scenario on its own seeded
stream (so a parameter two stages read has the same draws in both), and runs them::

    world = assess(scenario, draws=10_000)
    world["market_share"].shares()          # a stage's own breakdowns
    world.metrics()                         # flat {metric: value} with _p05/_p95
    world.units()                           # {metric: unit}

Parameter groups, drawn parameters, notebooks' parameters cells, sweeps and Sobol indices are all
derived from these declarations; nothing else lists them.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from econ import uncertainty
from econ.errors import InputError
from econ.scenario import Scenario, counterfactual, parameter_table

#: The stage modules, in no particular order (:func:`order` sorts them by what they read).
STAGE_MODULES = ("econ.chip_supply", "econ.market_share", "econ.huawei", "econ.revenue", "econ.investment")
#: Parameter sets evaluated at once by :func:`evaluate` (bounds memory; see each stage's bytes_per_draw).
CHUNK = 25_000


@dataclass(frozen=True)
class Metric:
    """A headline figure: its name in results.json, unit, a reader's label and a one-line meaning.

    ``interval``: reported with ``NAME_p05`` and ``NAME_p95``. ``fast``: computed by ``evaluate``
    (the sensitivity and sweep path), not only by ``assess``.
    """

    name: str
    unit: str
    label: str
    meaning: str
    interval: bool = True
    fast: bool = True


@dataclass(frozen=True)
class Stage:
    """One model of the linked world (see the module docstring for the functions it implements)."""

    name: str
    title: str
    groups: tuple[str, ...]
    reads: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    #: Data rows drawn over their low-high ranges: name -> "file: row" (read by the stage itself).
    drawn_inputs: dict = field(default_factory=dict)
    #: Memory one parameter set (draw) needs in ``assess`` at its peak, bytes (an estimate, measured).
    bytes_per_draw: int = 10_000

    @property
    def module(self):
        return importlib.import_module(f"econ.{self.name}")

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every scenario parameter of the groups this stage reads."""
        return tuple(r["name"] for r in parameter_table() if r["group"] in self.groups)

    @property
    def drawn(self) -> tuple[str, ...]:
        """The parameters this stage takes as arrays: its numbers (point or distribution)."""
        return tuple(r["name"] for r in parameter_table()
                     if r["group"] in self.groups and r["type"] == "number or distribution")

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    @property
    def fast_metrics(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics if m.fast)


@functools.lru_cache(maxsize=1)
def stages() -> dict[str, Stage]:
    """Every stage, in dependency order (a stage comes after every stage it reads)."""
    found = {}
    for path in STAGE_MODULES:
        stage = importlib.import_module(path).STAGE
        found[stage.name] = stage
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
        draw_inputs = getattr(stages()[name].module, "draw_inputs", None)
        if draw_inputs is not None:
            params.update(draw_inputs(scenario, n))
    return params


def central(scenario: Scenario, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """One parameter set at the scenario's central values (data rows at their stored values)."""
    params = {k: np.array([float(uncertainty.central(scenario.value(k)))]) for k in drawn_parameters(names)}
    for name in upstream_of(names or stages()):
        inputs = getattr(stages()[name].module, "central_inputs", None)
        if inputs is not None:
            params.update(inputs(scenario))
    return params


def check(scenario: Scenario, names: Iterable[str] | None = None) -> None:
    """Every stage's input check (InputError naming file and field), before any work."""
    for name in upstream_of(names or stages()):
        stages()[name].module.check(scenario)


@dataclass(frozen=True)
class World:
    """The linked model's answer for one scenario: each stage's result, over the same draws."""

    scenario: Scenario
    params: dict
    results: dict

    def __getitem__(self, stage: str):
        return self.results[stage]

    def metrics(self) -> dict[str, float]:
        """Every stage's metrics, flat, as results.json holds them."""
        out = {}
        for result in self.results.values():
            out.update(result.metrics())
        return out

    def units(self) -> dict[str, str]:
        table = units()
        return {k: table[k] for k in self.metrics() if k in table}


def assess(scenario: Scenario, draws: int = 10_000, names: Iterable[str] | None = None) -> World:
    """Run the named stages (default: all) and everything upstream of them for ``scenario``."""
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        raise InputError.single("argument", "draws", f"{draws!r}: give a whole number of at least 1")
    requested = set(names or stages())
    names = upstream_of(requested)
    check(scenario, names)
    params = draw(scenario, draws, names)
    # Stages that report the rules' effect (a gap, a diversion) also get their own run of the same
    # draws without the rules; the counterfactual of a scenario with no rules is the scenario.
    wanted = any(getattr(stages()[n].module, "USES_COUNTERFACTUAL", False) for n in requested)
    without = counterfactual(scenario) if wanted else None
    if without is not None and without.parameters == scenario.parameters:
        without = scenario
    results: dict = {}
    others: dict = {}
    for name in names:
        stage = stages()[name]
        module = _light(stage.module) if name not in requested else stage.module
        uses = getattr(module, "USES_COUNTERFACTUAL", False) and name in requested
        upstream = {r: results[r] for r in stage.reads}
        if without is None:
            results[name] = module.assess(scenario, params, upstream)
            continue
        if without is scenario:  # no rules: the counterfactual is the scenario's own run
            own = module.assess(scenario, params, upstream)
            results[name] = module.assess(scenario, params, {**upstream, "counterfactual": own}) if uses else own
            others[name] = results[name]
            continue
        others[name] = module.assess(without, params, {r: others[r] for r in stage.reads})
        if uses:
            upstream["counterfactual"] = others[name]
        results[name] = module.assess(scenario, params, upstream)
    return World(scenario, params, results)


class _Light:
    """A stage run only for what the stages after it read: its ``assess_light`` (smaller arrays:
    its own breakdowns are not kept) in place of ``assess``."""

    def __init__(self, module):
        self.module = module

    def assess(self, scenario, params, upstream):
        return self.module.assess_light(scenario, params, upstream)


def _light(module):
    return _Light(module) if hasattr(module, "assess_light") else module


def evaluate(scenario: Scenario, params: dict[str, np.ndarray], names: Iterable[str] | None = None,
             chunk: int = CHUNK) -> dict[str, np.ndarray]:
    """Fast metrics of the named stages (default: all) for each parameter set in ``params``.

    ``params`` maps parameters to ``(n,)`` arrays; any drawn parameter or data input it leaves
    out is held at the scenario's central value. Evaluated ``chunk`` sets at a time, so memory
    stays bounded for any ``n``.
    """
    names = upstream_of(names or stages())
    check(scenario, names)
    n = len(next(iter(params.values()))) if params else 1
    fill = central(scenario, names)
    out: dict[str, np.ndarray] = {}
    for lo in range(0, n, chunk):
        size = min(chunk, n - lo)
        part = {k: np.broadcast_to(v, (size,)).astype(float) for k, v in fill.items()}
        part.update({k: np.asarray(v[lo:lo + size], dtype=float) for k, v in params.items()})
        done: dict[str, dict] = {}
        for name in names:
            stage = stages()[name]
            done[name] = stage.module.evaluate(scenario, part, {r: done[r] for r in stage.reads})
            for metric in stage.fast_metrics:
                out.setdefault(metric, np.empty(n))[lo:lo + size] = done[name][metric]
    return out


def interval_metrics(values: dict[str, np.ndarray]) -> dict[str, float]:
    """p50 and _p05/_p95 of each array of draws (a metric's results.json entries)."""
    out = {}
    for name, x in values.items():
        iv = uncertainty.interval(np.asarray(x, dtype=float))
        out.update({name: iv["p50"], f"{name}_p05": iv["p05"], f"{name}_p95": iv["p95"]})
    return out


__all__ = ["Metric", "Stage", "World", "assess", "central", "check", "draw", "evaluate", "groups_of",
           "interval_metrics", "metrics_table", "order", "stages", "units", "upstream_of"]
