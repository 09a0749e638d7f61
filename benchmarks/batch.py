"""Benchmark: the default batch (`econ run`, warm engine) against the papermill engine and against the
same notebooks run one after another with the papermill CLI, side by side in one run.

Every shipped scenario through every shipped notebook, on this machine, four ways:

(a) warm       `econ run` (default: parallel workers, each notebook in a fresh fork of a pre-imported
               process, HTML published in it);
(b) papermill  `econ run --engine papermill` (parallel workers, a kernel started per notebook);
(c) CLI        one after another: the papermill CLI per notebook (a new interpreter and kernel each);
(d) CLI+HTML   (c) then `jupyter nbconvert --to html` per notebook (with --with-nbconvert; it is what
               the reports of (a) and (b) include).

Figures:

* batch ratio: wall time of (a), and of (b), over wall time of (c) (target for (a): at most 0.10, and
  (a) itself at most 60 s on 2 idle cores: issue 26).
* per-notebook overhead beyond the cells' own work: for each notebook run, its wall time as its
  worker saw it (fork or kernel start, papermill, the cells, the HTML report, the record) less the
  time its cells spent executing in (a), where the imports were already done (so a cell's time is
  its own work); the mean over the notebook runs, for (a) and (b) (target for (a): at most 0.5 s).
  Measured while the batch runs, so with the workers sharing the cores.

Prints a table and saves the figures to outputs/benchmarks/batch.json. Run (several minutes):
    .venv/bin/python benchmarks/batch.py [--repeats N] [--with-nbconvert]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dateutil.parser
import nbformat

from econ import batch, paths
from econ.notebook import RUN_WIDE, RUN_WIDE_FOLDER
from econ.scenario import scenario_names

BIN = Path(sys.executable).parent
TARGETS = {"warm_over_cli": 0.10, "warm_seconds": 60.0, "warm_overhead_seconds": 0.5}


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run_batch(work: Path, engine: str) -> tuple[float, Path]:
    out = work / engine
    seconds = _wall([str(BIN / "econ"), "run", "--engine", engine, "--outputs", str(out), "--no-progress"])
    [run_dir] = [d for d in (out / "runs").iterdir() if not d.name.startswith(".")]
    return seconds, run_dir


def run_cli(work: Path, jobs: list[tuple[str, Path]], html: bool) -> float:
    t0 = time.perf_counter()
    for scenario, nb in jobs:
        folder = work / ("cli_html" if html else "cli") / scenario / nb.stem
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / nb.name
        given = [] if scenario == RUN_WIDE_FOLDER else ["-p", "scenario", scenario]  # a run-wide notebook takes none
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), *given,
                        "-p", "output_dir", str(folder), "--cwd", str(nb.parent), "--no-progress-bar"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if html:
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cells_seconds(executed: Path) -> float:
    """Time the cells spent executing (the kernel's execute_input to execute_reply, per cell)."""
    total = 0.0
    for cell in nbformat.read(executed, as_version=4).cells:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            total += (dateutil.parser.parse(timing["shell.execute_reply"])
                      - dateutil.parser.parse(timing["iopub.execute_input"])).total_seconds()
    return total


def overheads(run_dir: Path, own_work: dict[str, float]) -> list[dict]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    rows = []
    for job in manifest["jobs"]:
        key = f"{job['scenario']}/{job['notebook']}"
        rows.append({"job": key, "engine": job["engine"], "seconds": job["seconds"],
                     "cells_seconds": round(cells_seconds(run_dir / key / f"{job['notebook']}.ipynb"), 3),
                     "own_work_seconds": round(own_work[key], 3), "publish_seconds": job["publish_seconds"],
                     "overhead_seconds": round(job["seconds"] - own_work[key], 3)})
    return rows


def one_round(jobs: list[tuple[str, Path]], html: bool, engine: bool = True) -> dict:
    with tempfile.TemporaryDirectory(prefix="econ-bench-") as tmp:
        work = Path(tmp)
        warm_s, warm_dir = run_batch(work, "warm")
        papermill_s, papermill_dir = run_batch(work, "papermill") if engine else (float("nan"), None)
        cli_s = run_cli(work, jobs, html=False)
        cli_html_s = run_cli(work, jobs, html=True) if html else None
        own = {f"{s}/{nb.stem}": cells_seconds(warm_dir / s / nb.stem / nb.name) for s, nb in jobs}
        rows = {"warm": overheads(warm_dir, own), **({"papermill": overheads(papermill_dir, own)} if engine else {})}
    figures = {"warm_seconds": round(warm_s, 1), "papermill_seconds": round(papermill_s, 1),
               "cli_seconds": round(cli_s, 1), "cli_html_seconds": cli_html_s and round(cli_html_s, 1),
               "warm_over_cli": round(warm_s / cli_s, 3), "papermill_over_cli": round(papermill_s / cli_s, 3),
               "warm_over_cli_html": cli_html_s and round(warm_s / cli_html_s, 3),
               "papermill_over_cli_html": cli_html_s and round(papermill_s / cli_html_s, 3)}
    for engine, per_job in rows.items():
        figures[f"{engine}_overhead_seconds"] = round(statistics.mean(r["overhead_seconds"] for r in per_job), 3)
        figures[f"{engine}_overhead_max_seconds"] = round(max(r["overhead_seconds"] for r in per_job), 3)
    figures["per_job"] = rows
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1, help="rounds; the median of each figure is reported")
    parser.add_argument("--with-nbconvert", action="store_true", help="also time (d): papermill CLI + nbconvert")
    parser.add_argument("--without-papermill-engine", action="store_true",
                        help="skip (b), econ run --engine papermill (the ratio of issue 26 needs (a) and (c) only)")
    args = parser.parse_args()
    notebooks, scenarios = batch.notebooks(), scenario_names()
    jobs = [(s, nb) for nb in notebooks if nb.stem not in RUN_WIDE for s in scenarios]
    jobs += [(RUN_WIDE_FOLDER, nb) for nb in notebooks if nb.stem in RUN_WIDE]  # once per run, as econ run does
    figures: dict = {"date": dt.datetime.now().isoformat(timespec="minutes"), "cpus": os.cpu_count(),
                     "python": platform.python_version(), "platform": platform.platform(),
                     "notebook_runs": len(jobs), "scenarios": scenarios, "notebooks": [nb.stem for nb in notebooks],
                     "load_average_before": os.getloadavg(), "rounds": []}
    for r in range(args.repeats):
        figures["rounds"].append(one_round(jobs, args.with_nbconvert, not args.without_papermill_engine))
        f = figures["rounds"][-1]
        print(f"round {r + 1}: warm {f['warm_seconds']} s, papermill engine {f['papermill_seconds']} s, "
              f"papermill CLI {f['cli_seconds']} s; warm/CLI {f['warm_over_cli']:.2f}; overhead per notebook: "
              f"warm {f['warm_overhead_seconds']:.2f} s, "
              f"papermill {f.get('papermill_overhead_seconds', float('nan')):.2f} s", flush=True)
    figures["load_average_after"] = os.getloadavg()
    keys = [k for k, v in figures["rounds"][0].items() if isinstance(v, int | float)]
    summary = {k: statistics.median(r[k] for r in figures["rounds"]) for k in keys}
    summary["targets"] = TARGETS
    summary["met"] = {k: summary[k] <= v for k, v in TARGETS.items()}
    figures["summary"] = summary
    n = len(jobs)
    print(f"\n{n} notebook runs ({len(scenarios)} scenarios x {len(notebooks)} notebooks), {os.cpu_count()} CPUs, "
          f"median of {args.repeats} round(s); load average {figures['load_average_before'][0]:.1f} before")
    print(f"{'':44}{'wall s':>8}{'per nb s':>10}{'/ CLI':>8}{'overhead/nb s':>15}")
    rows = [("(a) econ run, warm engine (default)", "warm_seconds", "warm_over_cli", "warm_overhead_seconds"),
            ("(b) econ run --engine papermill", "papermill_seconds", "papermill_over_cli", "papermill_overhead_seconds"),
            ("(c) papermill CLI, one after another", "cli_seconds", None, None)]
    if args.with_nbconvert:
        rows.append(("(d) papermill CLI + nbconvert, in turn", "cli_html_seconds", None, None))
    rows = [r for r in rows if all(k is None or k in summary for k in r[1:])]  # (b) left out when skipped
    for label, wall, ratio, overhead in rows:
        print(f"{label:44}{summary[wall]:>8.1f}{summary[wall] / n:>10.2f}"
              f"{(f'{summary[ratio]:.2f}' if ratio else ''):>8}{(f'{summary[overhead]:.2f}' if overhead else ''):>15}")
    for key, target in TARGETS.items():
        print(f"{key}: {summary[key]:.2f} (target <= {target}: {'met' if summary['met'][key] else 'MISSED'})")
    out = paths.OUTPUTS / "benchmarks" / "batch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {paths.relative(out)}")


if __name__ == "__main__":
    main()
