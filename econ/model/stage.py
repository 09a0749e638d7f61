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

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from econ import uncertainty
from econ.scenario import parameter_table


@dataclass(frozen=True)
class Metric:
    """A figure a stage reports, declared once: its name in results.json, unit, a reader's label and a
    one-line meaning, and what it covers.

    ``variable`` is the label without its year (the IAMC variable); ``region`` where it is measured;
    ``year`` the year it refers to (the last year of a sum over ``first_year``-``year``; None: the
    year of the scenario's rule, for figures of the 12 months after it). ``interval``: reported with
    its p05 and p95. ``fast``: computed by ``evaluate`` (the sensitivity and sweep path), not only by
    ``assess``. ``integer``: a count or a rank, whose percentiles are taken among the draws' values.
    """

    name: str
    unit: str
    label: str
    meaning: str
    interval: bool = True
    fast: bool = True
    region: str = "World"
    year: int | None = None
    first_year: int | None = None
    variable: str = ""
    integer: bool = False

    @property
    def iamc_variable(self) -> str:
        return self.variable or self.label


@dataclass(frozen=True)
class Figure:
    """A published figure: a record of what it is (from its :class:`Metric`) and its median and p05-p95
    over the draws. results.json, the CSV files, the IAMC file and the pages are written from these;
    ``draws`` stays in memory (for paired differences), never in a file."""

    metric: str
    label: str
    unit: str
    region: str
    year: int | None
    median: float
    p05: float | None = None
    p95: float | None = None
    meaning: str = ""
    stage: str = ""
    variable: str = ""
    first_year: int | None = None
    #: results.json's older key for the median, where it is not the metric's name (an assumption's p50)
    median_key: str | None = None
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: the quartiles and mean of the draws, and how many draws (None: a single value, not drawn)
    p25: float | None = None
    p75: float | None = None
    mean: float | None = None
    n_draws: int | None = None

    RECORD = ("metric", "label", "unit", "region", "year", "median", "p05", "p95", "variable", "first_year",
              "stage", "meaning", "p25", "p75", "mean", "n_draws")

    def record(self) -> dict:
        """The figure as results.json and figures.csv hold it (no draws)."""
        return {k: getattr(self, k) for k in self.RECORD}

    def legacy(self) -> dict[str, float]:
        """results.json's older flat keys for this figure (``NAME``, ``NAME_p05``, ``NAME_p95``), kept for
        the tools that read them; nothing in the workbook reads them back."""
        out = {self.median_key or self.metric: self.median}
        if self.p05 is not None:
            out.update({f"{self.metric}_p05": self.p05, f"{self.metric}_p95": self.p95})
        return out


def quantiles(draws: np.ndarray, integer: bool = False) -> tuple[float, float, float]:
    """(median, p05, p95) of draws; a count or a rank takes its percentiles among the draws' values."""
    if integer:
        q = np.percentile(draws, [50, 5, 95], method="inverted_cdf")
    else:
        q = [uncertainty.interval(draws)[k] for k in ("p50", "p05", "p95")]
    return tuple(float(x) for x in q)


def figure(metric: Metric, value, stage: str = "") -> Figure:
    """``metric``'s figure from its draws (an array: median and p05-p95) or a single value (no interval)."""
    fields = dict(metric=metric.name, label=metric.label, unit=metric.unit, region=metric.region, year=metric.year,
                  meaning=metric.meaning, stage=stage, variable=metric.iamc_variable, first_year=metric.first_year)
    if np.ndim(value) == 0:
        return Figure(median=float(value), **fields)
    draws = np.asarray(value, dtype=float)
    median, p05, p95 = quantiles(draws, metric.integer)
    spread = dict(draws=draws, mean=math.fsum(draws) / draws.size, n_draws=int(draws.size), **fields)  # fsum: exact
    if not metric.interval:
        return Figure(median=median, **spread)
    p25, p75 = np.percentile(draws, [25, 75], method="inverted_cdf" if metric.integer else "linear")
    return Figure(median=median, p05=p05, p95=p95, p25=float(p25), p75=float(p75), **spread)


def figures(declaration: Declaration, values: dict) -> list[Figure]:
    """The declared figures of a stage that ``values`` holds (draws or single values), in declared order."""
    return [figure(m, values[m.name], declaration.name) for m in declaration.metrics if m.name in values]


def flat(found: list[Figure]) -> dict[str, float]:
    """The figures as results.json's older flat mapping (see :meth:`Figure.legacy`)."""
    out: dict[str, float] = {}
    for f in found:
        out.update(f.legacy())
    return out


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


__all__ = ["Declaration", "Figure", "Metric", "Stage", "figure", "figures", "flat", "quantiles"]
