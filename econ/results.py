"""A run's figures as data: one long, tidy frame, and the codebook that says what each metric is.

Every published run holds ``results.csv`` and ``results.parquet``: one row per scenario, notebook,
figure and statistic, with the figure's unit, region and year in columns of their own (nothing to
parse out of a metric's name), and ``codebook.csv``: one row per metric, with its label, unit,
definition, stage, the notebook that writes it and its IAMC variable. Both are built from the run's
results.json files (their ``figures`` records) and the package's declarations (:mod:`econ.model`'s
stages, the parameters), so they say the same as the pages.

.. code-block:: python

    from econ import results

    frame = results.load("latest")                       # or a RUN_ID, or a run folder
    frame.query("metric == 'rated_revenue_at_risk_usd_bn' and statistic == 'median'")
    frame[frame.statistic.isin(["p05", "median", "p95"])].pivot_table(
        index=["scenario", "metric"], columns="statistic", values="value")
    results.codebook("latest").set_index("metric").loc["huawei_share_ex_china_2022", "definition"]
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from econ import paths

#: The statistics a figure may carry, in the order a reader expects them: ``value`` for a figure that is
#: not drawn (a count, a back-test score); the median, p05 and p95 of every drawn figure, and p25, p75 and
#: the mean where the run recorded them (runs from this version on).
STATISTICS = ("value", "p05", "p25", "median", "mean", "p75", "p95")
#: The columns of results.csv / results.parquet (and of :func:`load`), in order; ``n_draws`` is how many
#: Monte Carlo draws the statistics are taken over (empty for a value that is not drawn, or an older run).
COLUMNS = ["run_id", "scenario", "notebook", "metric", "label", "variable", "unit", "region", "year", "first_year",
           "stage", "n_draws", "statistic", "value"]
#: The columns of codebook.csv (and of :func:`codebook`).
CODEBOOK_COLUMNS = ["metric", "label", "variable", "unit", "region", "year", "first_year", "stage", "notebooks",
                    "statistics", "definition", "iamc_variable", "declared_in"]


def run_folder(run: str | Path = "latest", outputs: Path | None = None) -> Path:
    """A run's folder from "latest", a RUN_ID or a path; InputError naming what exists if none."""
    from econ.batch.runs import find_run

    if isinstance(run, Path) or "/" in str(run):
        folder = Path(run)
        if not (folder / "manifest.json").is_file():
            from econ.errors import InputError

            raise InputError.single(str(run), "run", "not a run folder (no manifest.json in it)")
        return folder
    return find_run(outputs or paths.OUTPUTS, str(run))


def _records(run_dir: Path) -> list[dict]:
    """Every figure record of the run's successful jobs (from its manifest and results.json files)."""
    from econ.batch.job import Job
    from econ.report.figures import figure_records

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return figure_records(run_dir, [Job(**j) for j in manifest.get("jobs", [])])


def tidy(records: list[dict], run_id: str = "") -> pd.DataFrame:
    """Figure records (results.json's ``figures``, with scenario and notebook) as a long frame: one row
    per statistic the record holds (see :data:`STATISTICS`), in :data:`COLUMNS`."""
    rows = []
    for r in records:
        single = r.get("p05") is None and not r.get("n_draws")
        for statistic in STATISTICS[1:]:
            value = r.get(statistic)
            if isinstance(value, int | float) and not isinstance(value, bool):
                rows.append({"run_id": run_id, **{k: r.get(k) for k in COLUMNS[1:-2]},
                             "statistic": "value" if single and statistic == "median" else statistic,
                             "value": float(value)})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["variable"] = frame["variable"].where(frame["variable"].astype(bool), frame["label"])
    for column in ("year", "first_year", "n_draws"):
        frame[column] = frame[column].astype("Int64")
    frame["statistic"] = pd.Categorical(frame["statistic"], categories=list(STATISTICS))
    return frame.sort_values(["scenario", "notebook", "metric", "statistic"], kind="stable").reset_index(drop=True)


def load(run: str | Path = "latest", outputs: Path | None = None) -> pd.DataFrame:
    """A run's figures, long (see :data:`COLUMNS`): "latest", a RUN_ID under outputs/runs, or a run
    folder. Reads the run's results.json files, so it works on runs published before results.csv."""
    folder = run_folder(run, outputs)
    return tidy(_records(folder), folder.name)


def declared() -> pd.DataFrame:
    """The codebook of every metric the package declares: the stages' figures and each uncertain
    assumption's range (the overview page's), without a run."""
    from econ.model import world
    from econ.report.iamc import variable_of
    from econ.scenario import parameter_table
    from econ.words import parameter_label

    rows = [{"metric": m.name, "label": m.label, "variable": m.iamc_variable, "unit": m.unit, "region": m.region,
             "year": m.year, "first_year": m.first_year, "stage": stage.name,
             "statistics": ", ".join(STATISTICS[1:] if m.interval else ("median", "mean")), "definition": m.meaning,
             "iamc_variable": variable_of(m.iamc_variable, m.first_year, m.year),
             "declared_in": f"econ.model stage '{stage.name}'"}
            for name, (stage, m) in world.metrics_table().items()]
    for r in parameter_table():
        label = f"Assumption: {parameter_label(r['name'])}"
        rows.append({"metric": r["name"], "label": label, "variable": label, "unit": r["unit"], "region": "World",
                     "year": None, "first_year": None, "stage": "assumptions", "statistics": "p05, median, p95",
                     "definition": f"{r['meaning']} (over the scenario's draws; an uncertain assumption only)",
                     "iamc_variable": "", "declared_in": "econ.scenario parameters"})
    return pd.DataFrame(rows).drop_duplicates("metric")


def codebook(run: str | Path | None = None, outputs: Path | None = None,
             records: list[dict] | None = None) -> pd.DataFrame:
    """Every metric of a run (or, without one, every declared metric), one row each, in
    :data:`CODEBOOK_COLUMNS`: a declared metric from its declaration; any other (the back-test's, the
    sensitivity page's) from the record the notebook wrote."""
    base = declared().set_index("metric")
    if run is None and records is None:
        frame = base.reset_index()
        frame["notebooks"] = ""
        return frame[CODEBOOK_COLUMNS]
    records = records if records is not None else _records(run_folder(run, outputs))
    found = pd.DataFrame(records, columns=sorted({"metric", "notebook", *(k for r in records for k in r)}))
    rows = []
    for metric, group in found.groupby("metric", sort=True):
        notebooks = ", ".join(sorted(set(group["notebook"])))
        stats = [s for s in STATISTICS[1:] if s in group and group[s].notna().any()]
        if "p05" not in stats and not ("n_draws" in group and group["n_draws"].notna().any()):
            stats = ["value"]
        if metric in base.index:
            row = base.loc[metric].to_dict()
        else:
            first = group.iloc[0]
            row = {"label": first.get("label"), "variable": first.get("variable") or first.get("label"),
                   "unit": first.get("unit"), "region": first.get("region"), "year": first.get("year"),
                   "first_year": first.get("first_year"), "stage": first.get("stage") or "",
                   "definition": first.get("meaning") or first.get("label"), "iamc_variable": "",
                   "declared_in": f"written by notebook {notebooks}"}
        rows.append({"metric": metric, **row, "notebooks": notebooks, "statistics": ", ".join(stats)})
    frame = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
    for column in ("year", "first_year"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


def write(run_dir: Path, records: list[dict]) -> dict[str, bytes]:
    """results.csv, results.parquet and codebook.csv of a run, as bytes (the caller writes them
    atomically)."""
    import io

    frame = tidy(records, run_dir.name)
    book = codebook(records=records)
    parquet = io.BytesIO()
    frame.astype({"statistic": object}).to_parquet(parquet, index=False, engine="fastparquet")
    return {"results.csv": frame.to_csv(index=False, float_format="%.10g").encode(),
            "results.parquet": parquet.getvalue(),
            "codebook.csv": book.to_csv(index=False).encode()}


__all__ = ["CODEBOOK_COLUMNS", "COLUMNS", "STATISTICS", "codebook", "declared", "load", "run_folder", "tidy", "write"]
