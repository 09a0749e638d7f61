"""A run's figures as frames: every figure's record (and results.json's older flat metrics), the headline
figures across scenarios, and the assumptions that differ."""


from __future__ import annotations

from pathlib import Path

import pandas as pd

from econ import findings, words
from econ.model import world
from econ.notebook import assumptions
from econ.results import figure_records  # noqa: F401
from econ.results import job_results as _results
from econ.results import records_of as _records
from econ.scenario import Scenario


def metrics_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every metric of every successful job: notebook, scenario, metric, value (tidy)."""
    rows = [{"notebook": job.notebook, "scenario": job.scenario, "metric": name, "value": float(value)}
            for job, payload in _results(run_dir, jobs) for name, value in _records(payload, "metrics", dict).items()
            if isinstance(value, int | float) and not isinstance(value, bool)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "metric", "value"])


#: The columns of a run's figures frame: where each figure comes from, then its record.
FIGURE_COLUMNS = ["notebook", "scenario", "metric", "label", "unit", "region", "year", "first_year", "variable",
                  "median", "p05", "p95"]


def figures_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every figure of every successful job, one row each: the job's notebook and scenario, then the
    figure's record from its results.json (label, unit, region, year, median, p05, p95)."""
    rows = [{"notebook": job.notebook, "scenario": job.scenario, **{k: r.get(k) for k in FIGURE_COLUMNS[2:]}}
            for job, payload in _results(run_dir, jobs) for r in _records(payload, "figures", list)
            if isinstance(r, dict) and isinstance(r.get("median"), int | float)]
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    return frame.astype({"median": float, "p05": float, "p95": float})


TRAJECTORY_COLUMNS = ["scenario", "variable", "region", "unit", "year", "p05", "median", "p95"]


def trajectories_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every yearly path the run's notebooks recorded (:mod:`econ.trajectories`), one row per variable,
    region and year of each scenario (a path two notebooks recorded is kept once)."""
    rows = [{"scenario": job.scenario, **{k: r.get(k) for k in TRAJECTORY_COLUMNS[1:]}}
            for job, payload in _results(run_dir, jobs) for r in _records(payload, "trajectories", list)
            if isinstance(r, dict) and all(isinstance(r.get(k), int | float) for k in ("year", "median"))]
    frame = pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS)
    return frame.drop_duplicates(["scenario", "variable", "region", "year"], ignore_index=True)


def differences_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every paired difference the run's notebooks computed (:mod:`econ.model.differences`), one row each
    (differences.csv): scenario, reference, metric, label, unit, region, year, median, p05, p95,
    prob_positive, reference_title."""
    from econ.model.differences import COLUMNS

    rows = [{k: r.get(k) for k in COLUMNS} for _, payload in _results(run_dir, jobs)
            for r in _records(payload, "differences", list) if isinstance(r, dict)]
    return pd.DataFrame(rows, columns=list(COLUMNS)).drop_duplicates(["scenario", "reference", "metric"])


def differing_assumptions(scenarios: dict[str, Scenario]) -> pd.DataFrame:
    """The assumptions whose value differs between scenarios: parameter, unit, then one column each."""
    if not scenarios:
        return pd.DataFrame(columns=["parameter", "unit"])
    tables = {name: assumptions(s).set_index("parameter") for name, s in scenarios.items()}
    first = next(iter(tables.values()))
    frame = pd.DataFrame({name: t["value"] for name, t in tables.items()})
    frame.loc["seed"] = [str(s.seed) for s in scenarios.values()]
    differs = frame.nunique(axis=1) > 1
    out = frame[differs].copy()
    out.insert(0, "unit", [first["unit"].get(p, "") if p in first.index else "" for p in out.index])
    return out.rename_axis("parameter").reset_index()


def short_title(scenario: Scenario | None, name: str) -> str:
    """A scenario's title up to its dash ("August 2020 rule"), for columns and chart axes."""
    return scenario.short_title if scenario is not None else name


def metric_label(name: str) -> tuple[str, str]:
    """(label, unit) of a declared figure (the headline columns name them before any run has them)."""
    declared = world.metrics_table()
    return (declared[name][1].label, declared[name][1].unit) if name in declared else (words.label(name), "")


def headline_frame(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per scenario and headline figure (from the first notebook that reports it), in story order."""
    part = frame[frame["metric"].isin(findings.HEADLINE)].drop_duplicates(["metric", "scenario"])
    rank = {m: i for i, m in enumerate(findings.HEADLINE)}
    order = {n: i for i, n in enumerate(names)}
    part = part[part["scenario"].isin(order)].assign(r1=lambda f: f["metric"].map(rank),
                                                     r2=lambda f: f["scenario"].map(order))
    return part.sort_values(["r1", "r2"]).drop(columns=["r1", "r2"]).reset_index(drop=True)
