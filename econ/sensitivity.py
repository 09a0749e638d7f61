"""What moves a figure: the tornado (each assumption moved alone), Sobol indices (the share of a figure's
variance each assumption accounts for, alone and with the others), and the fans of a figure's draws over
the years, all over the linked model's fast path (:func:`econ.sweep.run_stages`), one pass of the model
for every stage at once."""

from __future__ import annotations

import pandas as pd

from econ import uncertainty
from econ.errors import InputError
from econ.model import world
from econ.model.stage import Figure
from econ.scenario import Scenario
from econ.sweep import RANGES, _models, _unit, declared_range, run_stages, scenario_range


def tornado(scenario: Scenario, models=None, ranges: str = "scenario") -> pd.DataFrame:
    """Each parameter a stage reads moved alone (others at the scenario's central values): the
    metric at the low and high ends, per stage and metric.

    ``ranges="scenario"`` moves each parameter the scenario gives a distribution over its own
    p05-p95; ``"declared"`` moves every numeric parameter over its declared range. Sorted so the
    widest swing comes first within each metric.
    """
    if ranges not in RANGES:
        raise InputError.single("argument", "ranges", f"{ranges!r}; allowed: {', '.join(RANGES)}")
    chosen = _models(models)
    spans_of = {}
    for model in chosen:
        names = model.numeric()
        if ranges == "scenario":
            spans_of[model.name] = {k: r for k in names if (r := scenario_range(scenario, k)) is not None}
        else:
            spans_of[model.name] = {k: declared_range(k) for k in names}
    spans = {k: r for found in spans_of.values() for k, r in found.items()}
    rows = []
    if spans:  # every stage and every parameter in one pass of the model (1 + 2k points)
        base = {k: uncertainty.central(scenario.value(k)) for k in spans}
        stages = [m.name for m in chosen if spans_of[m.name]]
        found = uncertainty.one_at_a_time(lambda pts: run_stages(scenario, stages, pts), base, spans)
        for model in chosen:
            metrics = set(model.metrics)
            rows += [{"model": model.name, **row, "unit": _unit(row["parameter"]), "ranges": ranges}
                     for row in found if row["metric"] in metrics and row["parameter"] in spans_of[model.name]]
    columns = ["model", "metric", "parameter", "low", "high", "base", "at_low", "at_high", "swing", "unit", "ranges"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["model", "metric", "swing"], ascending=[True, True, False], ignore_index=True)


# --- global (variance-based) -------------------------------------------------------------------------

def global_indices(scenario: Scenario, n_base: int = 1024, models=None) -> pd.DataFrame:
    """Sobol first-order and total indices over the scenario's uncertain parameters, per model.

    One design over every uncertain parameter the chosen models read (``n_base`` * (k + 2) points),
    evaluated in one pass of the linked model for all of them; each model then reports its own
    metrics against the parameters it reads (a parameter it does not read has no row). Only
    parameters given a distribution in the scenario enter; a model with none is skipped.
    """
    chosen = _models(models)
    own = {m.name: [k for k in m.drawn if uncertainty.is_distribution(scenario.value(k))] for m in chosen}
    dists = {k: scenario.value(k) for names in own.values() for k in names}
    if not dists:
        return pd.DataFrame(columns=GLOBAL_COLUMNS)
    names = [m.name for m in chosen if own[m.name]]
    found = pd.DataFrame(uncertainty.sobol(lambda pts: run_stages(scenario, names, pts), dists, n_base,
                                           scenario.seed))
    rows = []
    for model in chosen:
        if not own[model.name]:
            continue
        mine = found[found["metric"].isin(model.metrics) & found["parameter"].isin(own[model.name])]
        rows.append(mine.assign(model=model.name))
    return pd.concat(rows, ignore_index=True)[GLOBAL_COLUMNS]


GLOBAL_COLUMNS = ["model", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf", "n_base", "evaluations"]


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
