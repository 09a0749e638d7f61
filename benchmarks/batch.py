"""Benchmark: the default batch (`econ run`) against the same work done by hand, and against the floor.

Three ways to get the same reports, all on this machine, every shipped scenario through every notebook:

(a) batch       `econ run` (parallel workers, one kernel per notebook, HTML published in the worker);
(b) by hand     one after another: the papermill CLI, then `jupyter nbconvert --to html`, per notebook;
(c) floor       per notebook, a notebook holding only the real notebook's parameters cell and import
                statements, executed by papermill (Python API, so no interpreter start is counted):
                what it costs at the least to run a notebook in a fresh kernel.

Figures reported:

* batch / by hand: wall time of (a) over wall time of (b) (target: at most 0.6).
* per-notebook overhead / floor: for each notebook run in (a), its wall time (kernel start, papermill,
  cells, HTML) less the time its cells spent on the model itself (the cells' time less the imports'
  time measured in (c)), divided by the floor (c) of that notebook; the mean over the batch
  (target: at most 1.5). It is what the batch adds to running a notebook beyond the model's own work,
  measured while the batch runs (so it includes the sharing of the cores by parallel workers).

Prints a table and saves the figures to outputs/benchmarks/batch.json. Run (a few minutes):
    .venv/bin/python benchmarks/batch.py [--repeats N]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from econ import batch, paths
from econ.scenario import scenario_names

BIN = Path(sys.executable).parent


def _wall(cmd: list[str], **kwargs) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - t0


def run_batch(work: Path) -> tuple[float, dict]:
    out = work / "batch"
    seconds = _wall([str(BIN / "econ"), "run", "--outputs", str(out), "--no-progress"])
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    return seconds, manifest


def run_by_hand(work: Path, jobs: list[tuple[str, Path]]) -> float:
    t0 = time.perf_counter()
    for scenario, nb in jobs:
        folder = work / "by_hand" / scenario / nb.stem
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / nb.name
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-p", "scenario", scenario,
                        "-p", "output_dir", str(folder), "--cwd", str(nb.parent), "--no-progress-bar"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def floor_notebook(nb: Path, target: Path) -> Path:
    """``nb``'s parameters cell and its import statements, nothing else."""
    source = nbformat.read(nb, as_version=4)
    keep = [c for c in source.cells if "parameters" in c.metadata.get("tags", [])]
    imports = []
    for cell in source.cells:
        if cell.cell_type != "code" or cell in keep:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                imports.append(ast.unparse(node))
    floor = nbformat.v4.new_notebook(cells=keep + [nbformat.v4.new_code_cell("\n".join(imports))],
                                     metadata=source.metadata)
    nbformat.write(floor, target)
    return target


def run_floor(work: Path, nb: Path, scenario: str) -> tuple[float, float]:
    """(wall seconds, seconds in cells) of the floor notebook of ``nb`` through papermill."""
    folder = work / "floor" / nb.stem
    folder.mkdir(parents=True, exist_ok=True)
    floor = floor_notebook(nb, folder / f"floor_{nb.name}")
    t0 = time.perf_counter()
    executed = papermill.execute_notebook(str(floor), str(folder / "executed.ipynb"), cwd=str(nb.parent),
                                          parameters={"scenario": scenario, "output_dir": str(folder)},
                                          progress_bar=False)
    wall = time.perf_counter() - t0
    cells = sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in executed.cells)
    return wall, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2, help="rounds of (a), (b), (c); the median is reported")
    args = parser.parse_args()
    notebooks = batch.notebooks()
    scenarios = scenario_names()
    jobs = [(s, nb) for nb in notebooks for s in scenarios]
    figures: dict = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                     "notebook_runs": len(jobs), "scenarios": scenarios, "notebooks": [nb.stem for nb in notebooks],
                     "repeats": args.repeats, "load_average_before": os.getloadavg(), "rounds": []}
    for r in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="econ-bench-") as tmp:
            work = Path(tmp)
            batch_s, manifest = run_batch(work)
            by_hand_s = run_by_hand(work, jobs)
            floors = {}
            for nb in notebooks:
                samples = [run_floor(work, nb, scenarios[0]) for _ in range(2)]
                floors[nb.stem] = {"wall": statistics.median(w for w, _ in samples),
                                   "imports": statistics.median(c for _, c in samples)}
        overheads = []
        for job in manifest["jobs"]:
            floor = floors[job["notebook"]]
            model = max(0.0, job["cells_seconds"] - floor["imports"])
            overheads.append({"job": f"{job['scenario']}/{job['notebook']}", "seconds": job["seconds"],
                              "cells_seconds": job["cells_seconds"], "publish_seconds": job.get("publish_seconds"),
                              "model_seconds": round(model, 2), "overhead_seconds": round(job["seconds"] - model, 2),
                              "floor_seconds": round(floor["wall"], 2),
                              "overhead_over_floor": round((job["seconds"] - model) / floor["wall"], 3)})
        round_figures = {
            "batch_seconds": round(batch_s, 1), "batch_workers": manifest["options"]["workers"],
            "by_hand_seconds": round(by_hand_s, 1),
            "floor_seconds_per_notebook": {k: round(v["wall"], 2) for k, v in floors.items()},
            "floor_imports_seconds": {k: round(v["imports"], 2) for k, v in floors.items()},
            "floor_seconds_total": round(sum(floors[nb.stem]["wall"] for _, nb in jobs), 1),
            "batch_over_by_hand": round(batch_s / by_hand_s, 3),
            "overhead_over_floor_mean": round(statistics.mean(o["overhead_over_floor"] for o in overheads), 3),
            "overhead_seconds_mean": round(statistics.mean(o["overhead_seconds"] for o in overheads), 2),
            "per_job": overheads,
        }
        figures["rounds"].append(round_figures)
        print(f"round {r + 1}: batch {batch_s:.1f} s, by hand {by_hand_s:.1f} s, ratio "
              f"{round_figures['batch_over_by_hand']:.2f}; overhead/floor {round_figures['overhead_over_floor_mean']:.2f}",
              flush=True)
    rounds = figures["rounds"]
    figures["load_average_after"] = os.getloadavg()
    summary = {key: statistics.median(r[key] for r in rounds) for key in
               ("batch_seconds", "by_hand_seconds", "floor_seconds_total", "batch_over_by_hand",
                "overhead_seconds_mean", "overhead_over_floor_mean")}
    summary["targets"] = {"batch_over_by_hand": 0.6, "overhead_over_floor_mean": 1.5}
    summary["met"] = {"batch_over_by_hand": summary["batch_over_by_hand"] <= 0.6,
                      "overhead_over_floor_mean": summary["overhead_over_floor_mean"] <= 1.5}
    figures["summary"] = summary
    n = len(jobs)
    print(f"\n{n} notebook runs ({len(scenarios)} scenarios x {len(notebooks)} notebooks), {os.cpu_count()} CPUs, "
          f"median of {len(rounds)} round(s)")
    print(f"{'':38}{'wall s':>9}{'per notebook s':>16}")
    print(f"{'(a) econ run (batch)':38}{summary['batch_seconds']:>9.1f}{summary['batch_seconds'] / n:>16.2f}")
    print(f"{'(b) papermill + nbconvert, in turn':38}{summary['by_hand_seconds']:>9.1f}"
          f"{summary['by_hand_seconds'] / n:>16.2f}")
    print(f"{'(c) floor: imports only, papermill':38}{summary['floor_seconds_total']:>9.1f}"
          f"{summary['floor_seconds_total'] / n:>16.2f}")
    print(f"batch / by hand: {summary['batch_over_by_hand']:.2f} (target <= 0.6: "
          f"{'met' if summary['met']['batch_over_by_hand'] else 'MISSED'})")
    print(f"per-notebook overhead in the batch: {summary['overhead_seconds_mean']:.2f} s = "
          f"{summary['overhead_over_floor_mean']:.2f} x the floor (target <= 1.5: "
          f"{'met' if summary['met']['overhead_over_floor_mean'] else 'MISSED'})")
    out = paths.OUTPUTS / "benchmarks" / "batch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {paths.relative(out)}")


if __name__ == "__main__":
    main()
