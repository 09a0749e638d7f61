"""The stage contract: what every stage of the linked model declares and implements.

A stage is one model of the linked world (Huawei's chip supply, vendor market shares, Huawei's
revenue, its suppliers' revenue, investment needs). Each lives in its own package under
``econ/model/`` shaped the same way: ``declaration.py`` (a :class:`Declaration`: the parameter groups
it reads, the stages whose outputs it reads, the data rows it draws, its figures), ``model.py`` (the
functions below), ``results.py`` (what ``assess`` returns), and an ``__init__`` that binds them into
one :class:`Stage`. The linker (:mod:`econ.model.world`) imports the stages by name and orders them
by what they read; a stage never imports the linker.

The functions a stage implements, with the same signatures everywhere:

``check(scenario)``
    Raise :class:`~econ.errors.InputError` for inputs the declared ranges cannot catch.
``evaluate(scenario, params, upstream) -> dict[str, ndarray]``
    The fast path: the headline figures (and what later stages read) for each of ``n`` parameter
    sets; ``params`` maps every drawn parameter to an ``(n,)`` array, ``upstream`` each stage in
    ``reads`` to what its ``evaluate`` returned.
``assess(scenario, params, upstream) -> result``
    The full answer for one scenario's draws; ``upstream`` maps each stage in ``reads`` to its result.
    A result has ``outputs`` (what later stages read) and ``values()`` (each figure's draws).
``assess_light`` (optional)
    ``assess`` for a stage only upstream of what was asked for: its outputs, not its breakdowns.
``draw_inputs(scenario, n)`` / ``central_inputs(scenario)`` (optional)
    The data rows and estimates the stage draws itself, on its own seeded streams, or holds central.
``against(result, without)`` (optional)
    For a stage that reports an effect of the rules: its result paired with the same stage's result
    in the world without the rules over the same draws (see :func:`econ.model.world.assess`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from econ import uncertainty
from econ.scenario import parameter_table


@dataclass(frozen=True)
class Metric:
    """A headline figure: its name in results.json, unit, a reader's label and a one-line meaning.

    ``region`` and ``year`` say what the figure covers (for the IAMC file and the tables; None when it
    has no region or year of its own). ``interval``: reported with its p05 and p95. ``fast``: computed by
    ``evaluate`` (the sensitivity and sweep path), not only by ``assess``.
    """

    name: str
    unit: str
    label: str
    meaning: str
    interval: bool = True
    fast: bool = True
    region: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Declaration:
    """What a stage reads and reports, declared once: drives notebooks, sweeps, Sobol and results."""

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


@dataclass(frozen=True)
class Stage:
    """A stage: its declaration and the functions its package implements (see the module docstring)."""

    declaration: Declaration
    check: Callable
    evaluate: Callable
    assess: Callable
    assess_light: Callable | None = None
    draw_inputs: Callable | None = None
    central_inputs: Callable | None = None
    against: Callable | None = None

    name = property(lambda self: self.declaration.name)
    title = property(lambda self: self.declaration.title)
    groups = property(lambda self: self.declaration.groups)
    reads = property(lambda self: self.declaration.reads)
    metrics = property(lambda self: self.declaration.metrics)
    drawn_inputs = property(lambda self: self.declaration.drawn_inputs)
    bytes_per_draw = property(lambda self: self.declaration.bytes_per_draw)
    parameters = property(lambda self: self.declaration.parameters)
    drawn = property(lambda self: self.declaration.drawn)
    fast_metrics = property(lambda self: self.declaration.fast_metrics)

    def metric(self, name: str) -> Metric:
        return self.declaration.metric(name)

    @property
    def reports_effects(self) -> bool:
        """Whether the stage reports an effect of the rules (it needs the world without them)."""
        return self.against is not None


def interval_metrics(values: dict[str, np.ndarray]) -> dict[str, float]:
    """p50 and _p05/_p95 of each array of draws (a metric's results.json entries)."""
    out = {}
    for name, x in values.items():
        iv = uncertainty.interval(np.asarray(x, dtype=float))
        out.update({name: iv["p50"], f"{name}_p05": iv["p05"], f"{name}_p95": iv["p95"]})
    return out


__all__ = ["Declaration", "Metric", "Stage", "interval_metrics"]
