"""What one scenario changes against another: every figure's difference, draw by draw.

Two scenarios are assessed over common random numbers: the reference is run with the scenario's
seed, and every parameter and data row has its own seeded stream (:func:`econ.uncertainty.rng_for`),
so draw ``i`` of an assumption the two scenarios share is the same number in both. The difference
of a figure is then taken draw by draw, and its median and p05-p95 are the uncertainty of the
effect itself, not the two scenarios' ranges added (a Tax-Calculator reform against its baseline,
pyfrbus's scenario minus baseline). ``prob_positive`` is the share of draws in which the scenario's
figure is above the reference's, ``prob_negative`` below it (the rest: equal).

A scenario's references are its parents (``inherits``) and the baseline. Within a batch run the
figures each comparison needs are computed once and shared by the run's notebooks
(:mod:`econ.model.figure_cache`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from econ import paths
from econ.model import figure_cache, world
from econ.model.stage import Figure, quantiles
from econ.scenario import Scenario, load_scenario

#: The scenario every other is measured against when nothing else is named.
BASELINE = "baseline"
#: The columns of differences.csv (and of :meth:`Difference.record`).
COLUMNS = ("scenario", "reference", "metric", "label", "unit", "region", "year", "median", "p05", "p95",
           "prob_positive", "prob_negative", "reference_title")
#: Common draws a page's differences use at most: paired differences need fewer draws than the ranges
#: of two scenarios, since the draws the two share cancel.
DRAWS = 4000


@dataclass(frozen=True)
class Difference:
    """One figure of ``scenario`` minus the same figure of ``reference`` over the same draws."""

    scenario: str
    reference: str
    metric: str
    label: str
    unit: str
    region: str
    year: int | None
    median: float
    p05: float
    p95: float
    prob_positive: float
    prob_negative: float = 0.0
    reference_title: str = ""
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)

    def record(self) -> dict:
        return {k: getattr(self, k) for k in COLUMNS}


def references(scenario: Scenario) -> list[Scenario]:
    """The scenarios ``scenario`` is compared with: its parents (read from the files it was built from),
    then the shipped baseline (itself excluded, and the baseline only where it exists)."""
    parents = [scenario.inherits] if isinstance(scenario.inherits, str) else list(scenario.inherits or ())
    found = {Path(f).stem: f for f in scenario.files}
    out = [load_scenario(paths.ROOT / found[p] if not Path(found[p]).is_absolute() else found[p]) if p in found
           else load_scenario(p) for p in dict.fromkeys(parents)]
    if BASELINE not in parents and scenario.name != BASELINE and (paths.SCENARIOS / f"{BASELINE}.yaml").is_file():
        out.append(load_scenario(BASELINE))
    return out


def _drawn(found: Iterable[Figure]) -> dict[str, Figure]:
    return {f.metric: f for f in found if f.draws is not None}


def between(mine: Iterable[Figure], theirs: Iterable[Figure], scenario: str, reference: str,
            reference_title: str = "") -> list[Difference]:
    """The differences of every figure both lists hold draws of (same draws, same order), in ``mine``'s order."""
    theirs = _drawn(theirs)
    declared = world.metrics_table()
    out = []
    for f in _drawn(mine).values():
        other = theirs.get(f.metric)
        if other is None or len(other.draws) != len(f.draws):
            continue
        d = f.draws - other.draws
        integer = f.metric in declared and declared[f.metric][1].integer  # a rank's difference is a whole number
        median, p05, p95 = quantiles(d, integer)
        out.append(Difference(scenario, reference, f.metric, f.label, f.unit, f.region, f.year, median, p05, p95,
                              float(np.mean(d > 0)), float(np.mean(d < 0)), reference_title or reference, d))
    return out


def with_seed(reference: Scenario, seed: int) -> Scenario:
    """``reference`` drawn on another scenario's seed (common random numbers)."""
    return reference.model_copy(update={"seed": seed})


def compare(scenario: Scenario, reference: Scenario, draws: int, stages: Iterable[str] | None = None,
            mine: list[Figure] | None = None) -> list[Difference]:
    """Every figure of the named stages (default: all) of ``scenario`` minus ``reference``'s, over
    ``draws`` common draws. ``mine``: the scenario's figures if already assessed at ``draws``."""
    stages = list(stages) if stages else None
    mine = mine if mine is not None else figure_cache.figures(scenario, draws, stages)
    theirs = figure_cache.figures(with_seed(reference, scenario.seed), draws, stages)
    return between(mine, theirs, scenario.name, reference.name, reference.short_title)


def against_references(scenario: Scenario, draws: int, stages: Iterable[str] | None = None) -> list[Difference]:
    """``scenario`` against each of its :func:`references`, one world at a time (memory: one world)."""
    stages = list(stages) if stages else None
    mine = figure_cache.figures(scenario, draws, stages)
    out = []
    for reference in references(scenario):
        out += compare(scenario, reference, draws, stages, mine)
    return out


__all__ = ["BASELINE", "COLUMNS", "DRAWS", "Difference", "against_references", "between", "compare", "references",
           "with_seed"]
