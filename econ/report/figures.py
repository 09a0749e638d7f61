"""A run's figures as frames: every results.json metric (tidy), grouped with its interval, the headline
figures across scenarios, their labels and units, and the assumptions that differ."""


from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from econ import findings, words
from econ.model import world
from econ.notebook import assumptions
from econ.scenario import Scenario

_BOUNDS = ("_p05", "_p50", "_p95")

esc = html.escape


def metrics_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every metric of every successful job: notebook, scenario, metric, value (tidy)."""
    rows = []
    for job in jobs:
        path = Path(run_dir) / job.folder / "results.json"
        if job.status != "ok" or not path.exists():
            continue
        try:
            metrics = json.loads(path.read_text(encoding="utf-8"))["metrics"]
        except (ValueError, KeyError, TypeError):
            continue
        rows += [{"notebook": job.notebook, "scenario": job.scenario, "metric": name, "value": float(value)}
                 for name, value in metrics.items() if isinstance(value, int | float) and not isinstance(value, bool)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "metric", "value"])


def metric_groups(names) -> dict[str, dict[str, str]]:
    """Group metric names: {group: {"p50": name, "p05": name, "p95": name}} (p05/p95 only when both exist).

    ``loss``, ``loss_p05``, ``loss_p95`` form the group ``loss``; so do ``loss_p50``, ``loss_p05``,
    ``loss_p95``. Any other name is a group of its own.
    """
    names = set(names)
    groups: dict[str, dict[str, str]] = {}
    taken: set[str] = set()
    for name in sorted(names):
        if name in taken:
            continue
        base = name[:-4] if name.endswith(_BOUNDS) else name
        centre = base if base in names else (f"{base}_p50" if f"{base}_p50" in names else None)
        lo, hi = f"{base}_p05", f"{base}_p95"
        if centre and lo in names and hi in names:
            groups[base] = {"p50": centre, "p05": lo, "p95": hi}
            taken |= {centre, lo, hi}
        else:
            groups[name] = {"p50": name}
            taken.add(name)
    return dict(sorted(groups.items()))


def intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per notebook, metric group and scenario: p05, p50, p95 (p05/p95 NaN for point values)."""
    rows = []
    for notebook, part in frame.groupby("notebook", sort=True):
        values = part.set_index(["scenario", "metric"])["value"]
        for group, members in metric_groups(part["metric"].unique()).items():
            for scenario in part["scenario"].unique():
                row = {"notebook": notebook, "metric": group, "scenario": scenario}
                for key in ("p05", "p50", "p95"):
                    row[key] = values.get((scenario, members[key]), math.nan) if key in members else math.nan
                if not math.isnan(row["p50"]):
                    rows.append(row)
    return pd.DataFrame(rows, columns=["notebook", "metric", "scenario", "p05", "p50", "p95"])


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
    """(label, unit) of a results.json metric: from its declaration, else from its name in words."""
    declared = world.metrics_table()
    if name in declared:
        m = declared[name][1]
        return m.label, m.unit
    for prefix, lead in (("tornado_max_swing_", "Widest one-at-a-time swing of "),
                         ("sobol_max_total_index_", "Largest total Sobol index of ")):
        if name.startswith(prefix):
            inner, unit = metric_label(name[len(prefix):])
            return lead + inner[:1].lower() + inner[1:], unit if prefix.startswith("tornado") else "fraction"
    from econ.scenario import PARAMETER_NAMES, parameter_table

    if name in PARAMETER_NAMES:
        unit = next((r["unit"] for r in parameter_table() if r["name"] == name), "")
        return f"Assumption: {words.parameter_label(name)}", unit
    fixed = {"backtest_scored": ("Published figures scored", "figures"),
             "backtest_inside_share": ("Published figures inside the model's p05-p95", "share"),
             "backtest_median_abs_log_ratio": ("Typical distance of the model's median from the figure (log ratio)", ""),
             "uncertain_parameters": ("Uncertain assumptions", "count"),
             "covered_categories": ("Product categories the rule covers", "count")}
    return fixed.get(name, (words.label(name), ""))


def headline_frame(ranges: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per scenario and headline figure: metric, scenario, p05, p50, p95 (the first notebook
    that reports it), in story order."""
    part = ranges[ranges["metric"].isin(findings.HEADLINE)].drop_duplicates(["metric", "scenario"])
    rank = {m: i for i, m in enumerate(findings.HEADLINE)}
    order = {n: i for i, n in enumerate(names)}
    part = part[part["scenario"].isin(order)].assign(r1=lambda f: f["metric"].map(rank),
                                                     r2=lambda f: f["scenario"].map(order))
    return part.sort_values(["r1", "r2"]).drop(columns=["r1", "r2"]).reset_index(drop=True)
