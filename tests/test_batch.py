"""econ.batch: validation before any kernel, failure isolation, atomic runs, resume, determinism, Dask.
The fault classes (dead workers, full disks, unwritable outputs) are in test_batch_faults.py."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from econ import batch, cli, paths
from econ.errors import InputError
from econ.notebook import RUN_WIDE, RUN_WIDE_FOLDER
from tests.batch_helpers import ECON, processes_in, published_runs, results_of, wait_for
from tests.batch_helpers import manifest as _manifest
from tests.batch_helpers import tiny_run as _tiny_run
from tests.conftest import FIXTURE_NOTEBOOKS, HOSTILE_TITLE, write

EVIL = "x=__import__('os').system('touch {marker}');y"


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if anything tries to execute a notebook."""
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


# --- validation before any kernel starts --------------------------------------------------------

def test_injection_name_refused_before_any_kernel(tmp_path, tiny_scenarios, no_kernel, capsys):
    marker = tmp_path / "pwned"
    evil = EVIL.format(marker=marker)
    code = cli.main(["run", "a", "-p", evil, "1", "--scenario-dir", str(tiny_scenarios),
                     "--notebook-dir", str(FIXTURE_NOTEBOOKS), "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "00_tiny.ipynb" in err and repr(evil) in err and "not declared in the notebook's parameters cell" in err
    assert not marker.exists()
    assert not (tmp_path / "out" / "runs").exists(), "nothing may be written before validation passes"


def test_injection_name_refused_for_shipped_notebooks(no_kernel):
    with pytest.raises(InputError, match="not declared in the notebook's parameters cell"):
        batch.plan(["baseline"], overrides={EVIL.format(marker="/tmp/pwned"): 1})


def test_injection_via_scenario_file_refused(tmp_path, tiny_scenarios, no_kernel, capsys):
    marker = tmp_path / "pwned"
    write(tiny_scenarios / "evil.yaml", f'title: E\ndescription: E\nparameters:\n  "{EVIL.format(marker=marker)}": 1\n')
    code = cli.main(["run", "evil", "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS),
                     "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "evil.yaml" in err and "parameters.x=__import__" in err and "unknown parameter" in err
    assert not marker.exists()


@pytest.mark.parametrize("args, where, what", [
    (["-p", "substitution_rate", "1.7"], "substitution_rate", "outside the allowed range"),
    (["-p", "draws", "many"], "parameter 'draws'", "not a whole number"),
    (["-p", "draws", "0"], "parameter 'draws'", "outside"),
    (["-p", "output_dir", "/etc"], "parameter 'output_dir'", "set by `econ run`"),
    (["-p", "sleep", "!!python/object/apply:os.system ['true']"], "-p sleep", "not valid YAML"),
    (["-p", "sleep", "2020-01-01"], "parameter 'sleep'", "not a number"),
    (["no_such_scenario"], "no_such_scenario.yaml", "no scenario named"),
    (["../etc/passwd"], "scenario", "not a scenario name"),
    (["--notebook", "99_missing"], "--notebook", "no notebook '99_missing'"),
    (["--resume", "no-such-run"], "--resume", "no such run"),
    (["--executor", "dask"], "--scheduler", "needs --scheduler"),
])
def test_bad_input_named_and_nothing_runs(args, where, what, tmp_path, tiny_scenarios, no_kernel, capsys):
    code = cli.main(["run", *args, "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS),
                     "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert where in err and what in err, err


def test_injected_code_is_only_literal_assignments():
    hostile = {"scenario": 'a"; import os; os.system("x") #\\', "output_dir": "\\\"\n'''", "draws": 3,
               "fail_for": "\x00\u2028}", "sleep": -0.0}
    code = batch.injected_code(hostile, hostile)
    namespace: dict = {}
    exec(compile(code, "<parameters>", "exec"), {"__builtins__": {}}, namespace)  # literals only: no builtins needed
    assert namespace == hostile
    with pytest.raises(InputError):
        batch.injected_code({"x=1;y": 1}, ["x=1;y"])
    with pytest.raises(InputError):
        batch.injected_code({"undeclared": 1}, ["scenario"])


def test_plan_of_shipped_work_and_stable_hashes(tmp_path):
    work = batch.plan()
    wide = [nb for nb in batch.notebooks() if nb.stem in RUN_WIDE]
    assert len(work.jobs) == len(work.scenarios) * (len(batch.notebooks()) - len(wide)) + len(wide) >= 8
    assert [j.scenario for j in work.jobs if j.notebook == "05_backtest"] == [RUN_WIDE_FOLDER]
    again = batch.plan()
    assert [j.input_hash for j in work.jobs] == [j.input_hash for j in again.jobs]
    assert len({j.input_hash for j in work.jobs}) == len(work.jobs)
    assert batch.plan(overrides={"draws": 500}).jobs[0].input_hash != work.jobs[0].input_hash
    assert batch.plan(show_code=True).jobs[0].input_hash != work.jobs[0].input_hash


def test_the_backtest_runs_once_per_run_and_takes_no_scenario_override():
    """Notebook 05 does not depend on the scenario: one job for the run, whatever the scenarios, and a
    scenario override is not injected into it (its page never says "modified run" over unchanged numbers)."""
    work = batch.plan(["baseline", "may2020_fdpr"], overrides={"substitution_rate": 0.3})
    backtests = [j for j in work.jobs if j.notebook == "05_backtest"]
    assert len(backtests) == 1 and backtests[0].scenario == RUN_WIDE_FOLDER
    assert "substitution_rate" not in backtests[0].parameters and "scenario" not in backtests[0].parameters
    assert any("05_backtest" in n and "not injected there" in n for n in work.notes)
    # the same back-test whatever scenarios run with it (a --resume of a full run reuses it)
    alone = batch.plan(["baseline"], overrides={"substitution_rate": 0.3}).jobs
    assert [j.input_hash for j in alone if j.notebook == "05_backtest"] == [backtests[0].input_hash]


def test_hash_follows_scenario_files_including_parents(tiny_scenarios):
    before = {j.scenario: j.input_hash for j in batch.plan(scenario_dir=tiny_scenarios,
                                                           notebook_dir=FIXTURE_NOTEBOOKS, only=["00_tiny"]).jobs}
    path = tiny_scenarios / "a.yaml"
    path.write_text(path.read_text().replace("0.2", "0.25"))
    after = {j.scenario: j.input_hash for j in batch.plan(scenario_dir=tiny_scenarios,
                                                          notebook_dir=FIXTURE_NOTEBOOKS, only=["00_tiny"]).jobs}
    assert before["a"] != after["a"] and before["b"] != after["b"]  # b inherits a


def test_override_only_injected_where_declared(tiny_scenarios):
    work = batch.plan(overrides={"sleep": 0.5}, scenario_dir=tiny_scenarios, notebook_dir=FIXTURE_NOTEBOOKS)
    params = {(j.scenario, j.notebook): j.parameters for j in work.jobs}
    assert params[("a", "00_tiny")]["sleep"] == 0.5 and "sleep" not in params[("a", "01_second")]
    assert any("not read by 01_second" in n for n in work.notes)


def test_cli_timeout_default_matches_batch():
    assert cli.batch_defaults["timeout"] == batch.DEFAULT_TIMEOUT


# --- executing one job: retries and failures (no real kernel) -------------------------------------

def _job(tmp_path) -> batch.Job:
    nb = FIXTURE_NOTEBOOKS / "01_second.ipynb"
    return batch.Job("a", "01_second", str(nb), {"scenario": "a"}, title=HOSTILE_TITLE)


def test_kernel_start_failure_is_retried(tmp_path, monkeypatch):
    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(time, "sleep", lambda s: None)
    job = batch.execute(_job(tmp_path), str(tmp_path), {"timeout": 60, "show_code": False})
    assert job.status == "ok" and job.attempts == 3 and len(calls) == 3
    assert calls[0]["parameters"]["output_dir"] == "." and calls[0]["resources"]["metadata"]["path"].startswith(
        str(tmp_path))
    assert (tmp_path / "a" / "01_second" / "01_second.html").exists()
    assert json.loads((tmp_path / "a" / "01_second" / "job.json").read_text())["status"] == "ok"


def test_kernel_that_never_starts_gives_a_failed_job_with_a_report(tmp_path, monkeypatch):
    def dead(*args, **kwargs):
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    monkeypatch.setattr(time, "sleep", lambda s: None)
    job = batch.execute(_job(tmp_path), str(tmp_path), {"timeout": 60, "show_code": False})
    assert job.status == "failed" and job.attempts == batch.KERNEL_START_RETRIES
    page = (tmp_path / "a" / "01_second" / "01_second.html").read_text()
    assert "Kernel didn&#x27;t respond" in page and "<script>alert" not in page and "&lt;script&gt;" in page


def test_other_errors_are_not_retried(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import NoSuchKernel

    calls = []

    def missing(*args, **kwargs):
        calls.append(1)
        raise NoSuchKernel("python3")

    monkeypatch.setattr(papermill, "execute_notebook", missing)
    job = batch.execute(_job(tmp_path), str(tmp_path), {"timeout": 60, "show_code": False})
    assert job.status == "failed" and len(calls) == 1 and job.error["name"] == "NoSuchKernel"


# --- whole runs on tiny notebooks -----------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.notebooks
def test_one_failure_does_not_stop_the_others(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    result = _tiny_run(tiny_scenarios, out, only=None, overrides={"fail_for": "b"})
    assert result.exit_code == 1
    status = {(j.scenario, j.notebook): j for j in result.jobs}
    assert status[("a", "00_tiny")].status == "ok" and status[("a", "01_second")].status == "ok"
    assert status[("b", "01_second")].status == "ok"
    failed = status[("b", "00_tiny")]
    assert failed.status == "failed"
    assert failed.error["name"] == "ValueError" and failed.error["cell"] == 4  # the 4th cell of 00_tiny
    assert "deliberate failure for b" in failed.error["message"]
    manifest = _manifest(result.run_dir)
    assert manifest["status"] == "complete" and manifest["summary"]["failed"] == 1
    recorded = {(j["scenario"], j["notebook"]): j for j in manifest["jobs"]}
    assert recorded[("b", "00_tiny")]["error"]["name"] == "ValueError"
    assert all(recorded[k]["input_hash"] and "seconds" in recorded[k] for k in recorded)
    assert manifest["git"]["commit"] and manifest["versions"]["papermill"] and manifest["data_sha256"]
    index = (result.run_dir / "index.html").read_text()
    assert "Failures (1)" in index and "href='b/00_tiny/00_tiny.html'" in index and "deliberate failure for b" in index
    failed_page = (result.run_dir / "b" / "00_tiny" / "00_tiny.html").read_text()
    assert "An Exception was encountered" in failed_page  # papermill's banner, published
    # a hostile scenario title is text wherever it appears
    for page in [index, (result.run_dir / "a" / "00_tiny" / "00_tiny.html").read_text()]:
        assert "<script>alert(" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page
    # a run with a failure is published and indexed, but does not become latest unless asked
    assert not (out / "latest").exists() and manifest["latest"]["moved"] is False
    assert "did not become <code>outputs/latest</code>: 1 notebook failed" in index
    assert f"econ run --resume {result.run_id}" in index
    forced = _tiny_run(tiny_scenarios, out, "b", overrides={"fail_for": "b"}, latest_even_if_failed=True)
    assert forced.exit_code == 1 and os.readlink(out / "latest") == f"runs/{forced.run_id}"
    assert "--latest-even-if-failed was given" in (forced.run_dir / "index.html").read_text()


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("engine, timeout", [("warm", 4), ("papermill", 8)])  # papermill: kernel start included
def test_timeout_per_notebook(engine, timeout, tmp_path, tiny_scenarios):
    result = _tiny_run(tiny_scenarios, tmp_path / "out", "a", "b", overrides={"sleep": 120, "sleep_for": "a"},
                       timeout=timeout, engine=engine)
    job = result.jobs[0]
    assert result.exit_code == 1 and job.status == "failed" and job.error["name"] == "Timeout"
    assert job.seconds < 60 and result.jobs[1].status == "ok"
    page = (result.run_dir / "a" / "00_tiny" / "00_tiny.html").read_text()
    assert f"did not finish within {timeout} s" in page
    executed = nbformat.read(result.run_dir / "a" / "00_tiny" / "00_tiny.ipynb", as_version=4)
    assert "This notebook failed: Timeout" in executed.cells[0].source


@pytest.mark.slow
@pytest.mark.notebooks
def test_resume_reuses_unchanged_and_reruns_changed(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    first = _tiny_run(tiny_scenarios, out)
    assert first.exit_code == 0 and _manifest(first.run_dir)["summary"]["executed"] == 2
    second = _tiny_run(tiny_scenarios, out, resume=first.run_id)
    summary = _manifest(second.run_dir)["summary"]
    assert summary["executed"] == 0 and summary["reused"] == 2 and second.run_id != first.run_id
    for s in ("a", "b"):
        assert (second.run_dir / s / "00_tiny" / "results.json").read_bytes() == \
            (first.run_dir / s / "00_tiny" / "results.json").read_bytes()
    b = tiny_scenarios / "b.yaml"
    b.write_text(b.read_text().replace("0.4", "0.6"))
    third = _tiny_run(tiny_scenarios, out, resume=second.run_id, latest=True)  # a partial run, made latest by choice
    jobs = {j.scenario: j for j in third.jobs}
    assert _manifest(third.run_dir)["summary"]["executed"] == 1
    assert jobs["a"].reused_from == first.run_id and jobs["b"].reused_from is None
    assert (third.run_dir / "b" / "00_tiny" / "results.json").read_bytes() != \
        (first.run_dir / "b" / "00_tiny" / "results.json").read_bytes()
    assert (first.run_dir / "b" / "00_tiny" / "results.json").exists(), "earlier runs are left as they were"
    latest = _tiny_run(tiny_scenarios, out, resume="latest")
    assert _manifest(latest.run_dir)["summary"]["executed"] == 0


@pytest.mark.slow
@pytest.mark.notebooks
def test_resume_trusts_only_what_the_earlier_run_wrote(tmp_path, tiny_scenarios, capsys):
    """A folder of an earlier run with a file edited by hand, a file added, or a symbolic link planted
    in it is run again, never republished, and the note names the path; a link is never followed."""
    out = tmp_path / "out"
    first = _tiny_run(tiny_scenarios, out)
    record = json.loads((first.run_dir / "a" / "00_tiny" / "job.json").read_text())
    assert set(record["files_sha256"]) >= {"00_tiny.ipynb", "00_tiny.html", "results.json"}
    secret = tmp_path / "private.txt"
    secret.write_text("not for publishing")
    edited = first.run_dir / "a" / "00_tiny" / "results.json"
    edited.write_text(edited.read_text().replace('"loss_usd_bn"', '"loss_usd_bn_forged"'))
    (first.run_dir / "b" / "00_tiny" / "stolen.txt").symlink_to(secret)
    capsys.readouterr()
    second = _tiny_run(tiny_scenarios, out, resume=first.run_id)
    err = capsys.readouterr().err
    assert _manifest(second.run_dir)["summary"]["reused"] == 0
    assert "a/00_tiny/results.json was changed after the run" in err
    assert "b/00_tiny/stolen.txt is a symbolic link" in err
    assert "forged" not in (second.run_dir / "a" / "00_tiny" / "results.json").read_text()
    assert not [p for p in second.run_dir.rglob("*") if p.is_symlink() or "not for publishing" in _text(p)]
    third = _tiny_run(tiny_scenarios, out, resume=second.run_id)  # untouched: reused
    assert _manifest(third.run_dir)["summary"]["reused"] == 2
    assert json.loads((third.run_dir / "a" / "00_tiny" / "job.json").read_text())["files_sha256"]
    reused = third.run_dir / "a" / "00_tiny" / "results.json"
    reused.write_text(reused.read_text().replace("loss_usd_bn", "edited_in_the_new_run"))
    assert "edited_in_the_new_run" not in (second.run_dir / "a" / "00_tiny" / "results.json").read_text()


@pytest.mark.slow
@pytest.mark.notebooks
def test_a_complete_run_of_other_notebooks_does_not_take_latest(tmp_path, tiny_scenarios):
    """Every scenario of another folder through every notebook of another folder is not the workbook's
    full run: outputs/latest stays where it was unless --latest is given."""
    out = tmp_path / "out"
    first = _tiny_run(tiny_scenarios, out, "a")  # the first run takes latest
    assert os.readlink(out / "latest") == f"runs/{first.run_id}"
    every = _tiny_run(tiny_scenarios, out, only=None)
    assert every.exit_code == 0 and os.readlink(out / "latest") == f"runs/{first.run_id}"
    assert "not every shipped scenario" in _manifest(every.run_dir)["latest"]["reason"]


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace") if path.is_file() else ""
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.notebooks
def test_a_scenario_edited_mid_run_is_recorded_and_never_reused(tmp_path, tiny_scenarios, capsys):
    import threading

    out, a = tmp_path / "out", tiny_scenarios / "a.yaml"
    original = a.read_text()

    def edit_while_it_sleeps():  # once the notebook is under way (its executed copy is saved cell by cell)
        wait_for(lambda: any((out / "runs").glob(".*.partial/a/00_tiny/00_tiny.ipynb")), timeout=60)
        time.sleep(0.5)
        a.write_text(original.replace("0.2", "0.3"))

    editor = threading.Thread(target=edit_while_it_sleeps)
    editor.start()
    first = _tiny_run(tiny_scenarios, out, "a", overrides={"sleep": 6})
    editor.join()
    job = first.jobs[0]
    assert job.status == "ok" and job.input_hash == "" and any(n.endswith("a.yaml") for n in job.inputs_changed)
    assert "changed while a/00_tiny ran" in capsys.readouterr().err
    a.write_text(original)  # back to the planned value: the result still is not reused (it may have read either)
    again = _tiny_run(tiny_scenarios, out, "a", resume=first.run_id, overrides={"sleep": 6})
    assert _manifest(again.run_dir)["summary"]["executed"] == 1


@pytest.mark.slow
@pytest.mark.notebooks
def test_same_inputs_same_results(tmp_path, tiny_scenarios):
    one = _tiny_run(tiny_scenarios, tmp_path / "one")
    two = _tiny_run(tiny_scenarios, tmp_path / "two")
    for s in ("a", "b"):
        assert results_of(one.run_dir / s / "00_tiny" / "results.json") == \
            results_of(two.run_dir / s / "00_tiny" / "results.json")


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and PR_SET_PDEATHSIG")
def test_kill_9_midway_leaves_the_previous_run_published(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    first = _tiny_run(tiny_scenarios, out, only=["01_second"])
    assert first.exit_code == 0
    cmd = [ECON, "run", "a", "b", "-p", "sleep", "300", "--workers", "3", "--no-progress", "--outputs", str(out),
           "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS)]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the quick notebooks are done and the sleepers are running
            partial = next((out / "runs").glob(".*.partial"), None)
            if partial and len(list(partial.glob("*/01_second/job.json"))) == 2 and \
                    len(list(partial.glob("*/00_tiny/00_tiny.ipynb"))) == 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the run did not get under way")
        time.sleep(1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20  # workers die with the parent; kernels follow their worker
        while processes_in(partial) and time.monotonic() < deadline:
            time.sleep(0.5)
        leftovers = processes_in(partial)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in leftovers:
        os.kill(pid, signal.SIGKILL)
    assert not leftovers, "workers or kernels outlived the killed run"
    assert os.readlink(out / "latest") == f"runs/{first.run_id}"
    assert (out / "latest" / "index.html").exists()
    for d in (out / "runs").iterdir():
        if d.name.startswith("."):
            assert d.name.endswith(".partial") and not (d / "manifest.json").exists() and not (d / "index.html").exists()
        else:
            assert _manifest(d)["status"] == "complete", d
    assert [p for p in out.rglob("*.tmp")] == []
    # the interrupted run's finished notebooks are picked up by --resume
    resumed = _tiny_run(tiny_scenarios, out, "a", "b", only=["01_second"], resume=partial.name[1:-len(".partial")])
    assert _manifest(resumed.run_dir)["summary"] == {"notebook_runs": 2, "ok": 2, "failed": 0, "reused": 2,
                                                      "executed": 0}


@pytest.fixture
def environment_restored():
    """Importing distributed sets MALLOC_TRIM_THRESHOLD_ and the BLAS thread variables in this
    process's environment (its nanny's pre-spawn settings); every later run's workers would inherit
    them, and malloc trimmed at 64 kB makes them markedly slower."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.slow
@pytest.mark.dask
def test_dask_executor(tmp_path, tiny_scenarios, environment_restored):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        out = subprocess.run([ECON, "run", "--executor", "dask", "--scheduler", cluster.scheduler_address,
                              "--no-progress", "--outputs", str(tmp_path / "out"), "--scenario-dir", str(tiny_scenarios),
                              "--notebook-dir", str(FIXTURE_NOTEBOOKS), "-p", "fail_for", "b"],
                             capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    [run_dir] = published_runs(tmp_path / "out")  # with a failure: published, not latest
    manifest = _manifest(run_dir)
    assert manifest["options"]["executor"] == "dask"
    status = {(j["scenario"], j["notebook"]): j["status"] for j in manifest["jobs"]}
    assert status == {("a", "00_tiny"): "ok", ("b", "00_tiny"): "failed", ("a", "01_second"): "ok",
                      ("b", "01_second"): "ok"}
    local = _tiny_run(tiny_scenarios, tmp_path / "local", "a")
    assert results_of(run_dir / "a" / "00_tiny" / "results.json") == \
        results_of(local.run_dir / "a" / "00_tiny" / "results.json")


def test_outputs_default_is_project_outputs():
    assert paths.OUTPUTS == paths.ROOT / "outputs"


def test_data_without_recorded_provenance_refused(tmp_path, monkeypatch, no_kernel):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(paths, "MANIFEST", copy / "manifest.yaml")
    monkeypatch.setattr(paths, "SCENARIOS", copy / "scenarios")
    with open(copy / "vendor_shares.csv", "a") as f:
        f.write("\n")
    with pytest.raises(InputError, match=r"vendor_shares.csv.sha256.*does not match the file"):
        batch.plan(["baseline"])


def test_a_bad_story_is_refused_before_any_kernel_whatever_the_scenario_folder(tmp_path, data_copy, tiny_scenarios,
                                                                             no_kernel, capsys):
    """data/story.yaml tells the shipped scenarios: a misspelt or repeated name is refused by the pre-run check
    of every run, one with the shipped scenarios or with a folder of its own, naming the field."""
    from tests.conftest import edit

    edit(data_copy / "story.yaml", "[europe_bans, canada_2022,", "[europe_bans, canada_2021, history,")
    misspelt = "groups.1.scenarios.1: 'canada_2021' is not a scenario in data/scenarios (did you mean 'canada_2022'?)"
    twice = "groups.1.scenarios.2: 'history' is listed twice (also at groups.0.scenarios.3)"
    for where in ({}, {"scenario_dir": tiny_scenarios, "notebook_dir": FIXTURE_NOTEBOOKS}):
        with pytest.raises(InputError) as e:
            batch.plan(["baseline"] if not where else ["a"], **where)
        assert misspelt in str(e.value) and twice in str(e.value), str(e.value)
    assert cli.main(["run", "baseline", "--outputs", str(tmp_path / "out")]) == 2
    assert misspelt in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.notebooks
def test_a_run_records_its_whole_environment_and_each_result_its_run(tmp_path, tiny_scenarios):
    run = _tiny_run(tiny_scenarios, tmp_path / "out")
    record = _manifest(run.run_dir)
    for name in ("numba", "llvmlite", "salib", "dask", "distributed", "fastparquet", "blas", "cpu"):
        assert record["versions"].get(name) not in (None, "", "unknown"), name
    assert all(not j["notebook_path"].startswith("/") for j in record["jobs"])  # relative to the project
    stamp = json.loads((run.run_dir / "a" / "00_tiny" / "results.json").read_text())["provenance"]
    assert stamp["run_id"] == run.run_id and stamp["lock_sha256"] == record["lock_sha256"]
    from econ.batch.provenance import digest

    assert stamp["versions_sha256"] == digest(record["versions"])


def test_an_untracked_input_makes_the_tree_dirty(tmp_path, monkeypatch):
    import subprocess

    from econ import paths
    from econ.batch import provenance

    repo = tmp_path / "repo"
    (repo / "data" / "scenarios").mkdir(parents=True)
    (repo / "README.md").write_text("x\n")
    for args in (["init", "-q"], ["add", "README.md"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    monkeypatch.setattr(paths, "ROOT", repo)
    assert provenance.git_commit()["dirty"] is False
    (repo / "data" / "scenarios" / "mine.yaml").write_text("title: M\n")
    found = provenance.git_commit()
    assert found["dirty"] is True and found["untracked_inputs"] == ["data/scenarios/mine.yaml"]


@pytest.mark.parametrize("old, new, said", [
    ("substitution_rate: float = None", "substitution_rat: float = 0.3",
     "parameters cell: substitution_rat: not a parameter of 01_revenue_impact (did you mean 'substitution_rate'?)"),
    ("draws: int = 10000", "draws: int = 9000000", "draws"),
])
def test_a_notebooks_own_parameters_cell_is_checked_before_any_kernel(tmp_path, old, new, said):
    """What the kernel's guard would refuse in a copied notebook's parameters cell is refused by the pre-run
    check, with exit 2, before any kernel starts."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    text = (paths.NOTEBOOKS / "01_revenue_impact.ipynb").read_text()
    assert old in text
    (folder / "01_revenue_impact.ipynb").write_text(text.replace(old, new, 1))
    with pytest.raises(InputError, match=re.escape(said)):
        batch.plan(["baseline"], notebook_dir=folder)


@pytest.mark.slow
@pytest.mark.notebooks
def test_a_grid_of_parameter_sets_is_one_run_each_and_leaves_latest(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    first = _tiny_run(tiny_scenarios, out, "a")
    grid = tmp_path / "grid.yaml"
    grid.write_text("draws: [100, 200]\nsleep: [0]\n")
    args = ["run", "a", "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS),
            "--notebook", "00_tiny", "--outputs", str(out), "--no-progress", "--grid", str(grid)]
    assert cli.main(args) == 0
    table = next((out / "grids").glob("*.csv")).read_text().splitlines()
    assert table[0] == "set,parameters,run_id,exit_code" and len(table) == 3 and "draws=200" in table[2]
    ids = [line.split(",")[-2] for line in table[1:]]
    assert [json.loads((out / "runs" / i / "a" / "00_tiny" / "results.json").read_text())["metrics"]["draws"]
            for i in ids] == [100, 200]
    assert os.readlink(out / "latest") == f"runs/{first.run_id}"


def test_a_grid_is_checked_whole_before_any_run(tmp_path, tiny_scenarios, capsys):
    out = tmp_path / "out"
    grid = tmp_path / "grid.yaml"
    grid.write_text("- {draws: 100}\n- {draws: -5}\n")
    args = ["run", "a", "--scenario-dir", str(tiny_scenarios), "--notebook-dir", str(FIXTURE_NOTEBOOKS),
            "--notebook", "00_tiny", "--outputs", str(out), "--no-progress", "--grid", str(grid)]
    assert cli.main(args) == 2
    assert "draws" in capsys.readouterr().err and not (out / "runs").exists()
    grid.write_text("substitution_rate: 0.3\n")
    assert cli.main(args) == 2
    assert "give a non-empty list of values" in capsys.readouterr().err
