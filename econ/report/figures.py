"""A run's figures as frames: every figure's record (and results.json's older flat metrics), the headline
figures across scenarios, and the assumptions that differ."""


from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from econ import findings, words
from econ.model import world
from econ.notebook import assumptions
from econ.scenario import Scenario


def _results(run_dir: Path, jobs: list):
    """(job, results.json as a dict) for every successful job whose results.json reads as an object."""
    for job in jobs:
        path = Path(run_dir) / job.folder / "results.json"
        if job.status != "ok" or not path.exists():
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(payload, dict):
            yield job, payload


def _records(payload: dict, key: str, kind: type) -> list | dict:
    value = payload.get(key)
    return value if isinstance(value, kind) else kind()


def metrics_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every metric of every successful job: notebook, scenario, metric, value (tidy)."""
    rows = [{"notebook": job.notebook, "scenario": job.scenario, "metric": name, "value": float(value)}
            for job, payload in _results(run_dir, jobs) for name, value in _records(payload, "metrics", dict).items()
            if isinstance(value, int | float) and not isinstance(value, bool)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "metric", "value"])


def figure_records(run_dir: Path, jobs: list) -> list[dict]:
    """Every figure record of every successful job (results.json's ``figures``; for a notebook that
    writes only the flat ``metrics``, records made from them), with the job's scenario and notebook:
    what :mod:`econ.results` makes results.csv and codebook.csv from."""
    out = []
    for job, payload in _results(run_dir, jobs):
        found = [r for r in _records(payload, "figures", list)
                 if isinstance(r, dict) and isinstance(r.get("median"), int | float)]
        out += [{"scenario": job.scenario, "notebook": job.notebook, **r} for r in found or _from_flat(payload)]
    return out


def _from_flat(payload: dict) -> list[dict]:
    """Figure records from results.json's flat ``metrics`` and ``units`` (NAME, NAME_p05, NAME_p95)."""
    metrics, units = _records(payload, "metrics", dict), _records(payload, "units", dict)
    numbers = {k: float(v) for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    out = []
    for name, value in numbers.items():
        if name.endswith(("_p05", "_p95")) and name[:-4] in numbers:
            continue
        out.append({"metric": name, "label": name, "unit": str(units.get(name, "")), "region": "World", "year": None,
                    "median": value, "p05": numbers.get(f"{name}_p05"), "p95": numbers.get(f"{name}_p95"),
                    "variable": "", "first_year": None, "stage": "", "meaning": ""})
    return out


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
