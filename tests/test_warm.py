"""The warm engine (econ.batch.warm, econ.batch.inprocess): the same notebooks as papermill's, every
notebook in a fresh process that no other notebook touched, and the same guarantees (timeout,
retries, a dead notebook process or worker failing only its job, Ctrl-C, resume)."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from econ import batch
from econ.batch import warm
from econ.batch.job import THREAD_VARS, Job
from tests.batch_helpers import (
    end_process_group,
    manifest,
    processes_in,
    published_runs,
    results_of,
    running_cell,
    tiny_cli,
    tiny_run,
    wait_for,
)
from tests.conftest import FIXTURE_NOTEBOOKS, write

ISOLATION = Path(__file__).parent / "fixtures" / "isolation"
# statsmodels prints the time of printing in its summary tables: the one thing that differs
_CLOCK = re.compile(r"\b\d\d:\d\d:\d\d\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4}\b")
# papermill gives the cells it inserts (parameters, error banner) new random ids, on every run
_CELL_ID = re.compile(r"cell-id=[0-9a-f-]+")


def _outputs(cell) -> list[dict]:
    """A cell's outputs, consecutive stream writes joined (a kernel sends them as it flushes)."""
    merged: list[dict] = []
    for out in cell.get("outputs", []):
        out = dict(out)
        if merged and out["output_type"] == "stream" and merged[-1]["output_type"] == "stream" \
                and merged[-1]["name"] == out["name"]:
            merged[-1] = dict(merged[-1], text=merged[-1]["text"] + out["text"])
        else:
            merged.append(out)
    return merged


def comparable(path: Path) -> dict:
    """An executed notebook less what may differ between two executions: timings, execution
    metadata, papermill's paths and times, the time printed in statsmodels' summaries."""
    nb = nbformat.read(path, as_version=4)
    cells = [{"type": c.cell_type, "source": c.source, "count": c.get("execution_count"),
              "tags": c.metadata.get("tags", []), "status": c.metadata.get("papermill", {}).get("status"),
              "exception": c.metadata.get("papermill", {}).get("exception"),
              "outputs": _CLOCK.sub("<time>", json.dumps(_outputs(c), sort_keys=True))} for c in nb.cells]
    papermill = {k: nb.metadata.papermill.get(k) for k in ("parameters", "default_parameters", "exception")}
    return {"cells": cells, "papermill": papermill,
            "metadata": {k: v for k, v in nb.metadata.items() if k != "papermill"}}


def assert_same_job(a: Path, b: Path, job: str, notebook: str) -> None:
    folder_a, folder_b = a / job, b / job
    if (folder_a / "results.json").exists() or (folder_b / "results.json").exists():
        assert results_of(folder_a / "results.json") == results_of(folder_b / "results.json"), job
    assert comparable(folder_a / f"{notebook}.ipynb") == comparable(folder_b / f"{notebook}.ipynb"), job
    html = [_CELL_ID.sub("cell-id=<id>", _CLOCK.sub("<time>", (f / f"{notebook}.html").read_text()))
            for f in (folder_a, folder_b)]
    assert html[0] == html[1], f"{job}: the reports differ"


# --- the same notebooks ---------------------------------------------------------------------------

#: Small sizes: comparing the engines needs every code path and output, not the full model's sizes.
SMALL = {"draws": 1000, "sobol_base": 64, "sweep_steps": 5}


@pytest.mark.slow
@pytest.mark.notebooks
def test_warm_engine_matches_papermill_on_every_shipped_notebook(tmp_path):
    """Every shipped notebook for one scenario under both engines (the only papermill run of the
    real notebooks in the suite; the published run is warm)."""
    runs = {engine: batch.run(["russia_pivot"], overrides=SMALL, engine=engine, outputs=tmp_path / engine,
                              progress=False) for engine in ("warm", "papermill")}
    for engine, result in runs.items():
        assert result.exit_code == 0, [j.error for j in result.jobs if j.status != "ok"]
        assert manifest(result.run_dir)["options"]["engine"] == engine and {j.engine for j in result.jobs} == {engine}
    assert {j.notebook for j in runs["warm"].jobs} == {p.stem for p in batch.notebooks()}
    warm_hashes = {(j.scenario, j.notebook): j.input_hash for j in runs["warm"].jobs}
    for job in runs["papermill"].jobs:
        assert job.input_hash == warm_hashes[(job.scenario, job.notebook)], "the engine is not an input"
        assert_same_job(runs["papermill"].run_dir, runs["warm"].run_dir, job.folder, job.notebook)


@pytest.mark.slow
@pytest.mark.notebooks
def test_same_notebooks_on_the_fixtures_failures_included(tmp_path, tiny_scenarios):
    runs = {engine: tiny_run(tiny_scenarios, tmp_path / engine, overrides={"fail_for": "b"}, engine=engine)
            for engine in ("warm", "papermill")}
    for job in runs["warm"].jobs:
        assert_same_job(runs["warm"].run_dir, runs["papermill"].run_dir, job.folder, job.notebook)
    failed = {(j.scenario, j.notebook): j for j in runs["warm"].jobs}[("b", "00_tiny")]
    assert failed.error["name"] == "ValueError" and failed.error["cell"] == 4
    executed = nbformat.read(runs["warm"].run_dir / "b" / "00_tiny" / "00_tiny.ipynb", as_version=4)
    assert "An Exception was encountered" in executed.cells[0].source  # papermill's banner
    assert [c.metadata.papermill.status for c in executed.cells if c.cell_type == "code"][-2:] == ["failed", "pending"]


@pytest.mark.slow
@pytest.mark.notebooks
def test_every_notebook_gets_a_process_no_other_notebook_touched(tmp_path, tiny_scenarios):
    write(tiny_scenarios / "c.yaml", "title: C\ndescription: Third\nparameters: {}\n")
    result = batch.run(["a", "b", "c"], outputs=tmp_path / "out", scenario_dir=tiny_scenarios, notebook_dir=ISOLATION,
                       workers=1, progress=False)
    assert result.exit_code == 0, [j.error for j in result.jobs]
    metrics = [json.loads((result.run_dir / j.folder / "results.json").read_text())["metrics"] for j in result.jobs]
    assert [m["leaks"] for m in metrics] == [0, 0, 0], "a notebook saw what another left behind"
    assert len({m["pid"] for m in metrics}) == 3 and len({m["random"] for m in metrics}) == 3
    assert len({m["numpy_random"] for m in metrics}) == 3, "forked children reseed NumPy's global generator"
    assert len({m["execution_count"] for m in metrics}) == 1, "each notebook starts with a fresh shell"
    assert len(list((result.run_dir / "logs").glob("worker-*.log"))) == 1, "one template served the three"


@pytest.mark.slow
@pytest.mark.notebooks
def test_template_is_single_threaded_when_it_forks(tmp_path):
    """Threads do not survive a fork: with one BLAS thread per kernel the template has no thread but its own."""
    code = warm.entry("econ.kernel").replace("from econ.batch.worker import main\nmain(sys.argv[1:])\n", "") + (
        "import os\nfrom econ.batch import planning, warm\n"
        "t = warm.Template({'preload': warm.notebook_imports(planning.notebooks()), 'extensions': ['econ.kernel']})\n"
        "print(len(os.listdir('/proc/self/task')), t.unimported, file=sys.__stdout__)\n")
    env = dict(os.environ, **dict.fromkeys(THREAD_VARS, "1"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["1", "[]"], out.stderr


def test_notebook_imports_are_read_from_the_import_statements(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%matplotlib inline\nimport pandas as pd\n"
                                                                   "from econ import charts, data\nx = 1"),
                                         nbformat.v4.new_code_cell("from . import nothing\nimport numpy.linalg")])
    nbformat.write(nb, tmp_path / "00_x.ipynb")
    assert warm.notebook_imports([tmp_path / "00_x.ipynb"]) == ["pandas", "econ", "econ.charts", "econ.data",
                                                                 "numpy.linalg"]


def test_no_package_main_is_imported_ahead():
    """A package's __main__ runs on import (econ.backtest's rewrites docs/backtest.md and takes seconds)."""
    modules = warm.econ_modules()
    assert "econ.backtest.run" in modules and not [m for m in modules if m.endswith("__main__")]


def test_the_kernels_the_warm_engine_stands_in_for():
    assert warm.kernel_flavour("python3") == (warm.Flavour("ipykernel_launcher"), None)
    # ipykernel, with econ imported before its shell and the guard loaded before any cell
    assert warm.kernel_flavour("econ") == (warm.Flavour("econ.kernel", "econ.kernel"), None)
    assert "no kernel named" in warm.kernel_flavour("no-such-kernel")[1]


def test_a_fork_that_fails_is_retried(tmp_path, monkeypatch):
    template = warm.Template.__new__(warm.Template)
    calls = []

    def flaky(job, run_dir, options):
        calls.append(1)
        if len(calls) < 3:
            raise OSError(11, "Resource temporarily unavailable")
        return warm._Outcome(job, True, False, 0)

    monkeypatch.setattr(template, "_run_child", flaky)
    monkeypatch.setattr(warm.time, "sleep", lambda s: None)
    job = Job("a", "00_tiny", str(FIXTURE_NOTEBOOKS / "00_tiny.ipynb"), {"scenario": "a"}, status="ok")
    assert template.execute(job, str(tmp_path), {"timeout": 60, "show_code": False}).attempts == 3


# --- the same guarantees --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("engine, error", [("warm", "NotebookProcessDied"), ("papermill", "DeadKernelError")])
def test_notebook_process_killed_fails_only_its_job(engine, error, tmp_path, tiny_scenarios):
    """kill -9 of the process running a notebook (the warm child, or papermill's kernel)."""
    out = tmp_path / "out"
    write(tiny_scenarios / "c.yaml", "title: C\ndescription: Third\ninherits: a\nparameters: {}\n")
    proc = subprocess.Popen(tiny_cli(tiny_scenarios, out, "a", "b", "c", "-p", "sleep", "300", "-p", "sleep_for", "a",
                                     "--workers", "1", "--notebook", "00_tiny", "--engine", engine),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        partial = wait_for(lambda: next((out / "runs").glob(".*.partial"), None))
        folder = partial / "a" / "00_tiny"
        [notebook_process] = wait_for(lambda: processes_in(folder), what="a's notebook process")
        if engine == "papermill":  # past the kernel's start (a kernel dying before its first reply is retried)
            wait_for(lambda: running_cell(folder / "00_tiny.ipynb") == 4, what="the sleeping cell")
        os.kill(notebook_process, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=180)
    finally:
        end_process_group(proc)
    assert proc.returncode == 1, stderr
    [run_dir] = published_runs(out)
    jobs = {j["scenario"]: j for j in manifest(run_dir)["jobs"]}
    assert jobs["a"]["status"] == "failed" and jobs["a"]["error"]["name"] == error, jobs["a"]["error"]
    assert jobs["b"]["status"] == jobs["c"]["status"] == "ok"
    assert len(list((run_dir / "logs").glob("worker-*.log"))) == 1, "the worker itself survived"
    assert not (out / "latest").exists()


@pytest.mark.slow
@pytest.mark.notebooks
def test_ctrl_c_stops_everything_and_keeps_what_finished(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    first = tiny_run(tiny_scenarios, out, "a")
    proc = subprocess.Popen(tiny_cli(tiny_scenarios, out, "a", "b", "-p", "sleep", "300", "-p", "sleep_for", "a",
                                     "--workers", "1", "--notebook", "00_tiny"),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        partial = wait_for(lambda: next((out / "runs").glob(".*.partial"), None))
        wait_for(lambda: processes_in(partial / "a" / "00_tiny"), what="a's notebook process")
        status = Path(f"/proc/{proc.pid}/status")
        signals = [ln for ln in status.read_text().splitlines() if ln.startswith("Sig")] if status.exists() else []
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"econ run did not stop within 60 s of Ctrl-C; its signal masks then: {signals}")
        leftovers = wait_for(lambda: not processes_in(partial) or None, timeout=20, what="the notebook to stop") \
            and processes_in(partial)
    finally:
        end_process_group(proc)
    assert proc.returncode == 130, stderr
    assert f"econ run --resume {partial.name[1:-len('.partial')]}" in stderr
    assert not leftovers
    assert published_runs(out) == [first.run_dir] and os.readlink(out / "latest") == f"runs/{first.run_id}"
    assert not (partial / "manifest.json").exists()


@pytest.mark.slow
@pytest.mark.notebooks
def test_resume_across_engines(tmp_path, tiny_scenarios):
    warm_run = tiny_run(tiny_scenarios, tmp_path / "out", engine="warm")
    resumed = tiny_run(tiny_scenarios, tmp_path / "out", engine="papermill", resume=warm_run.run_id)
    assert manifest(resumed.run_dir)["summary"]["reused"] == 2, "input hashes do not depend on the engine"


def test_dask_uses_the_papermill_engine(tmp_path, tiny_scenarios, capsys):
    from econ import cli

    code = cli.main(["run", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--engine", "warm",
                     "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS),
                     "--outputs", str(tmp_path / "out")])
    assert code == 2 and "the Dask executor uses --engine papermill" in capsys.readouterr().err
    assert batch.default_engine("dask") == "papermill"
