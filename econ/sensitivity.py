"""What moves a figure: the tornado (each assumption moved alone), Sobol indices (the share of a figure's
variance each assumption accounts for, alone and with the others), and the fans of a figure's draws over
the years, all over the linked model's fast path (:func:`econ.sweep.run_stages`), one pass of the model
for every stage at once. :func:`analyse` gives the sensitivity page's three tables from one pass over
one design (both tornados' points and Saltelli's); :func:`tornado` and :func:`global_indices` give one
each, with the same numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import uncertainty
from econ.errors import InputError
from econ.model import world
from econ.model.stage import Figure
from econ.scenario import Scenario
from econ.sweep import RANGES, _models, _unit, declared_range, run_stages, scenario_range


@dataclass(frozen=True)
class Sensitivity:
    """The sensitivity page's tables for one scenario: the tornado over the scenario's own p05-p95, the
    tornado over the declared ranges, and the Sobol indices (as :func:`tornado` and :func:`global_indices`)."""

    tornado: pd.DataFrame
    declared: pd.DataFrame
    indices: pd.DataFrame


def analyse(scenario: Scenario, n_base: int = 1024, models=None) -> Sensitivity:
    """Both tornados and the Sobol indices from one evaluation of the model over one shared design.

    The tornados' points (1 + 2 k each) and Saltelli's design (``n_base`` * (k + 2) points) go through
    one pass of the linked model together (:func:`econ.sweep.run_stages`); the scenario's ranges, central
    values and distributions are read once. The same numbers as :func:`tornado` (both ``ranges``) and
    :func:`global_indices` called one by one: each point's metrics depend on that point alone.
    """
    chosen = _models(models)
    plans = [_tornado_plan(scenario, chosen, "scenario"), _tornado_plan(scenario, chosen, "declared"),
             _sobol_plan(scenario, chosen, n_base)]
    return Sensitivity(*(plan.table(out) for plan, out in zip(plans, _evaluate(scenario, plans))))


def tornado(scenario: Scenario, models=None, ranges: str = "scenario") -> pd.DataFrame:
    """Each parameter a stage reads moved alone (others at the scenario's central values): the
    metric at the low and high ends, per stage and metric.

    ``ranges="scenario"`` moves each parameter the scenario gives a distribution over its own
    p05-p95; ``"declared"`` moves every numeric parameter over its declared range. Sorted so the
    widest swing comes first within each metric.
    """
    if ranges not in RANGES:
        raise InputError.single("argument", "ranges", f"{ranges!r}; allowed: {', '.join(RANGES)}")
    plan = _tornado_plan(scenario, _models(models), ranges)
    return plan.table(_evaluate(scenario, [plan])[0])


# --- global (variance-based) -------------------------------------------------------------------------

def global_indices(scenario: Scenario, n_base: int = 1024, models=None) -> pd.DataFrame:
    """Sobol first-order and total indices over the scenario's uncertain parameters, per model.

    One design over every uncertain parameter the chosen models read (``n_base`` * (k + 2) points),
    evaluated in one pass of the linked model for all of them; each model then reports its own
    metrics against the parameters it reads (a parameter it does not read has no row). Only
    parameters given a distribution in the scenario enter; a model with none is skipped.
    """
    plan = _sobol_plan(scenario, _models(models), n_base)
    return plan.table(_evaluate(scenario, [plan])[0])


GLOBAL_COLUMNS = ["model", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf", "n_base", "evaluations"]
TORNADO_COLUMNS = ["model", "metric", "parameter", "low", "high", "base", "at_low", "at_high", "swing", "unit",
                   "ranges"]


# --- one design for all: what each table needs evaluated, and how it reads the answer --------------------

@dataclass(frozen=True)
class _Plan:
    """Points to evaluate (``{parameter: (n,)}``, none when there is nothing to move), the stages whose
    metrics the table reads (in the order a table of its own would name them), and the table from them."""

    points: dict[str, np.ndarray]
    stages: list[str]
    table: Callable[[dict[str, np.ndarray]], pd.DataFrame]

    @property
    def size(self) -> int:
        return len(next(iter(self.points.values()))) if self.points else 0


def _tornado_plan(scenario: Scenario, chosen: list, ranges: str) -> _Plan:
    spans_of = {}
    for model in chosen:
        names = model.numeric()
        if ranges == "scenario":
            spans_of[model.name] = {k: r for k in names if (r := scenario_range(scenario, k)) is not None}
        else:
            spans_of[model.name] = {k: declared_range(k) for k in names}
    spans = {k: r for found in spans_of.values() for k, r in found.items()}

    def table(out):
        rows = []
        found = uncertainty.one_at_a_time_rows(out, spans) if spans else []
        for model in chosen:
            metrics = set(model.metrics)
            rows += [{"model": model.name, **row, "unit": _unit(row["parameter"]), "ranges": ranges}
                     for row in found if row["metric"] in metrics and row["parameter"] in spans_of[model.name]]
        frame = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
        return frame.sort_values(["model", "metric", "swing"], ascending=[True, True, False], ignore_index=True)

    if not spans:
        return _Plan({}, [], table)
    base = {k: uncertainty.central(scenario.value(k)) for k in spans}  # every stage and parameter: 1 + 2k points
    return _Plan(uncertainty.one_at_a_time_points(base, spans), [m.name for m in chosen if spans_of[m.name]], table)


def _sobol_plan(scenario: Scenario, chosen: list, n_base: int) -> _Plan:
    own = {m.name: [k for k in m.drawn if uncertainty.is_distribution(scenario.value(k))] for m in chosen}
    dists = {k: scenario.value(k) for names in own.values() for k in names}

    def table(out):
        if not dists:
            return pd.DataFrame(columns=GLOBAL_COLUMNS)
        found = pd.DataFrame(uncertainty.sobol_rows(out, list(dists), n_base, scenario.seed))
        rows = []
        for model in chosen:
            if not own[model.name]:
                continue
            mine = found[found["metric"].isin(model.metrics) & found["parameter"].isin(own[model.name])]
            rows.append(mine.assign(model=model.name))
        return pd.concat(rows, ignore_index=True)[GLOBAL_COLUMNS]

    if not dists:
        return _Plan({}, [], table)
    return _Plan(uncertainty.saltelli_design(dists, n_base, scenario.seed), [m.name for m in chosen if own[m.name]], table)


def _evaluate(scenario: Scenario, plans: list[_Plan]) -> list[dict[str, np.ndarray]]:
    """Every plan's points in one call of :func:`econ.sweep.run_stages` (a parameter a plan leaves out
    at the scenario's central value, as run_stages would hold it); each plan's metrics, in its own order."""
    live = [p for p in plans if p.size]
    if not live:
        return [{} for _ in plans]
    table = world.stages()
    names = [n for n in table if any(n in p.stages for p in live)]
    columns = list(dict.fromkeys(k for p in live for k in p.points))
    fill = {k: float(uncertainty.central(scenario.value(k))) for k in columns}
    points = {k: np.concatenate([p.points[k] if k in p.points else np.full(p.size, fill[k]) for p in live])
              for k in columns}
    out = run_stages(scenario, names, points)
    found, start = [], 0
    for plan in plans:
        rows = slice(start, start + plan.size)
        found.append({m: out[m][rows] for n in plan.stages for m in table[n].fast_metrics})
        start += plan.size
    return found


def fans(scenario: Scenario, draws: int) -> list[dict]:
    """Year-by-year (or month-by-month) metrics over draws, for fan charts: frame, title, axis, source."""
    from econ.model import investment

    result = world.assess(scenario, draws, ["revenue", "market_share", "investment"], effects=False)  # own paths only
    rev, shares, needs = result["revenue"], result["market_share"], result["investment"]
    return [
        {"frame": needs.fan(), "title": "Russia's 5G capex by year", "y_title": f"RUB bn ({investment.REAL})",
         "source": needs.source},
        {"frame": rev.fan(), "title": "Asia-Pacific revenue loss by month after the rule",
         "y_title": "USD bn per month, nominal", "source": rev.source},
        {"frame": shares.fan("huawei", "world_ex_china"), "title": "Huawei's share of new contracts outside China",
         "y_title": "share", "source": shares.source},
        {"frame": shares.fan("huawei", "russia"), "title": "Huawei's share of new contracts in Russia",
         "y_title": "share", "source": shares.source},
    ]


def summary_figures(tornado_rows: pd.DataFrame, indices: pd.DataFrame) -> list[Figure]:
    """For results.json: per figure, the widest tornado swing (in the figure's unit) and the largest total
    Sobol index (a fraction of its variance)."""
    declared = world.metrics_table()

    def about(metric):
        m = declared[metric][1] if metric in declared else None
        return (m.label, m.unit, m.region, m.year) if m else (metric, "", "World", None)

    found = []
    for metric, value in tornado_rows.groupby("metric")["swing"].max().items():
        label, unit, region, year = about(metric)
        found.append(Figure(f"tornado_max_swing_{metric}", f"Widest one-at-a-time swing of {label[:1].lower()}"
                            f"{label[1:]}", unit, region, year, float(value)))
    for metric, value in indices.groupby("metric")["ST"].max().items():
        label, _, region, year = about(metric)
        found.append(Figure(f"sobol_max_total_index_{metric}", f"Largest total Sobol index of {label[:1].lower()}"
                            f"{label[1:]}", "fraction of variance", region, year, float(value)))
    return found
