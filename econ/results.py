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
import os
from pathlib import Path

import pandas as pd

from econ import paths, safe_text

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


def latest_id(outputs: Path | None = None) -> str | None:
    """The RUN_ID ``outputs/latest`` points to, if any."""
    latest = Path(outputs or paths.OUTPUTS) / "latest"
    return Path(os.readlink(latest)).name if latest.is_symlink() else None


def run_folder(run: str | Path = "latest", outputs: Path | None = None, field: str = "run") -> Path:
    """A run's folder from "latest", a RUN_ID (complete, or an interrupted ``.RUN_ID.partial``) or a
    path; InputError naming the runs there if none (``field``: what the user typed it as)."""
    from econ.errors import InputError
    from econ.scenario import SAFE_NAME

    if isinstance(run, Path) or "/" in str(run):
        folder = Path(run)
        if not (folder / "manifest.json").is_file():
            raise InputError.single(str(run), field, "not a run folder (no manifest.json in it)")
        return folder
    outputs = Path(outputs or paths.OUTPUTS)
    runs = outputs / "runs"
    if run == "latest" and (outputs / "latest").exists():
        return (outputs / "latest").resolve()
    if SAFE_NAME.fullmatch(str(run)):
        for candidate in (runs / str(run), runs / f".{run}.partial"):
            if candidate.is_dir():
                return candidate
    have = sorted(p.name for p in runs.iterdir()) if runs.is_dir() else []
    raise InputError.single(field, str(run), f"no such run in {paths.relative(runs)}; have: {', '.join(have) or '(none)'}")


def job_results(run_dir: Path, jobs: list):
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


def records_of(payload: dict, key: str, kind: type) -> list | dict:
    """``payload[key]`` when it is a ``kind``, else an empty one."""
    value = payload.get(key)
    return value if isinstance(value, kind) else kind()


def figure_records(run_dir: Path, jobs: list) -> list[dict]:
    """Every figure record of every successful job (results.json's ``figures``; for a notebook that
    writes only the flat ``metrics``, records made from them), with the job's scenario and notebook:
    what results.csv and codebook.csv are made from."""
    out = []
    for job, payload in job_results(run_dir, jobs):
        found = [r for r in records_of(payload, "figures", list)
                 if isinstance(r, dict) and isinstance(r.get("median"), int | float)]
        out += [{"scenario": job.scenario, "notebook": job.notebook, **r} for r in found or _from_flat(payload)]
    return out


def _from_flat(payload: dict) -> list[dict]:
    """Figure records from results.json's flat ``metrics`` and ``units`` (NAME, NAME_p05, NAME_p95)."""
    metrics, units = records_of(payload, "metrics", dict), records_of(payload, "units", dict)
    numbers = {k: float(v) for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    out = []
    for name, value in numbers.items():
        if name.endswith(("_p05", "_p95")) and name[:-4] in numbers:
            continue
        out.append({"metric": name, "label": name, "unit": str(units.get(name, "")), "region": "World", "year": None,
                    "median": value, "p05": numbers.get(f"{name}_p05"), "p95": numbers.get(f"{name}_p95"),
                    "variable": "", "first_year": None, "stage": "", "meaning": ""})
    return out


def _records(run_dir: Path) -> list[dict]:
    """Every figure record of the run's successful jobs (from its manifest and results.json files)."""
    from types import SimpleNamespace

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    jobs = [SimpleNamespace(**j, folder=f"{j['scenario']}/{j['notebook']}") for j in manifest.get("jobs", [])]
    return figure_records(run_dir, jobs)


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


#: The IAMC variable of each declared variable (a stage's ``Metric.iamc_variable``): the one place the
#: workbook's figures get their ``|`` names. The region is a column of its own, never part of a name.
VARIABLES = {
    "Huawei's handset chip needs met": "Chip Supply|Huawei|Handsets",
    "Huawei's base-station chip needs met": "Chip Supply|Huawei|Base Stations",
    "Huawei's 5G handset chip needs met": "Chip Supply|Huawei|Handsets (5G)",
    "Huawei's share worldwide": "Market Share|New Contracts|Huawei",
    "Huawei's share outside China": "Market Share|New Contracts|Huawei",
    "Huawei's share in China": "Market Share|New Contracts|Huawei",
    "Huawei's share in Russia": "Market Share|New Contracts|Huawei",
    "Huawei's share in Europe": "Market Share|New Contracts|Huawei",
    "Ericsson's share outside China": "Market Share|New Contracts|Ericsson",
    "Nokia's share outside China": "Market Share|New Contracts|Nokia",
    "ZTE's share outside China": "Market Share|New Contracts|ZTE",
    "Russian-made kit's share in Russia": "Market Share|New Contracts|Russian-made",
    "Huawei's share of Russia's installed equipment": "Market Share|Installed Base|Huawei",
    "Russia's rank among Huawei's foreign markets": "Huawei|Foreign Markets|Rank of Russia",
    "Chance Russia is Huawei's largest foreign market": "Huawei|Foreign Markets|Probability Russia Largest",
    "Huawei's equipment sales outside China": "Huawei|Equipment Sales",
    "Huawei's carrier revenue": "Huawei|Revenue|Carrier",
    "Huawei's consumer revenue": "Huawei|Revenue|Consumer",
    "Huawei's revenue lost to the rules": "Huawei|Revenue Lost to the Rules",
    "Huawei's phone shipments": "Huawei|Phones|Shipments",
    "Russia's 5G capex": "Investment|5G|Capex",
    "Russia's 5G capex (nominal)": "Investment|5G|Capex (Nominal)",
    "Russia's 5G capex in dollars": "Investment|5G|Capex (USD at 2020 Rates)",
    "Present value of Russia's 5G capex": "Investment|5G|Capex (Present Value)",
    "Russia's 5G base stations": "Investment|5G|Base Stations",
    "Capex beyond the operators' 5G budgets": "Investment|5G|Capex Beyond Budgets",
    "UK rip-and-replace cost, added by the ban": "Investment|Rip and Replace|Added",
    "UK rip-and-replace cost, gross": "Investment|Rip and Replace|Gross",
    "US rip-and-replace cost, added by the removal": "Investment|Rip and Replace|Added",
    "US rip-and-replace cost, gross": "Investment|Rip and Replace|Gross",
    "Rip-and-replace cost elsewhere, added by the removals": "Investment|Rip and Replace|Added",
    "Suppliers' net revenue loss": "Suppliers|Net Revenue Loss",
    "Suppliers' net revenue loss|Direct": "Suppliers|Direct Net Revenue Loss",
    "Suppliers' net revenue loss|Indirect": "Suppliers|Indirect Net Revenue Loss",
    "Suppliers' revenue at risk": "Suppliers|Revenue at Risk",
    "Suppliers' revenue at risk|Direct": "Suppliers|Direct Revenue at Risk",
    "Suppliers' revenue at risk|Indirect": "Suppliers|Indirect Revenue at Risk",
}
def variable_of(declared: str, first_year=None, year=None) -> str:
    """The IAMC variable of a declared variable (a sum over years says its period)."""
    name = VARIABLES.get(declared, declared)
    return f"{name}|Sum {int(first_year)}-{int(year)}" if pd.notna(first_year) and pd.notna(year) else name


def declared() -> pd.DataFrame:
    """The codebook of every metric the package declares: the stages' figures and each uncertain
    assumption's range (the overview page's), without a run."""
    from econ.model import world
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
    return {"results.csv": safe_text.csv_text(frame, float_format="%.10g").encode(),
            "results.parquet": parquet.getvalue(),
            "codebook.csv": safe_text.csv_text(book).encode()}


__all__ = ["CODEBOOK_COLUMNS", "COLUMNS", "STATISTICS", "codebook", "declared", "load", "run_folder", "tidy", "write"]
