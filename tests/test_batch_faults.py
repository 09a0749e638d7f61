"""econ run under faults: a worker killed mid-job, a full disk, an outputs folder that cannot take a
run, bad options, names that collide. Each ends in a clear refusal before any kernel (exit 2), or a
finished run in which only the faulty job failed, with nothing published lost or half-written."""

import collections
import errno
import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from econ import batch, cli, files, paths
from econ.batch import runs
from econ.errors import InputError
from tests.batch_helpers import (
    assert_nothing_half_published,
    children,
    end_process_group,
    manifest,
    published_runs,
    read_only,
    small_filesystem,
    tiny_cli,
    tiny_run,
    wait_for,
)
from tests.conftest import FIXTURE_NOTEBOOKS, write


def _cli(tiny_scenarios, out, *args):
    return cli.main(["run", *args, "--no-progress", "--scenario-dir", str(tiny_scenarios),
                     "--notebook-dir", str(FIXTURE_NOTEBOOKS), "--outputs", str(out)])


@pytest.fixture
def no_workers(monkeypatch):
    """Fail the test if a worker process is started (validation must refuse first)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a worker was started")

    monkeypatch.setattr(batch.pool, "Worker", refuse)


# --- refused before any kernel: exit 2, the path or field named -----------------------------------

@pytest.mark.parametrize("args, where", [
    (["--workers", "0"], "--workers: 0: give at least 1"),
    (["--workers", "-1"], "--workers: -1: give at least 1"),
    (["--timeout", "0"], "--timeout: 0"),
])
def test_bad_options_refused(args, where, tmp_path, tiny_scenarios, no_workers, capsys):
    assert _cli(tiny_scenarios, tmp_path / "out", *args) == 2
    assert where in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_scenario_names_differing_only_in_case_refused(tmp_path, tiny_scenarios, no_workers, capsys):
    write(tiny_scenarios / "A.yaml", "title: Big A\ndescription: Collides with a\nparameters: {}\n")
    assert _cli(tiny_scenarios, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "'A' and 'a' differ only in case" in err or "'a' and 'A' differ only in case" in err
    assert _cli(tiny_scenarios, tmp_path / "out", "a", "A") == 2
    assert "differ only in case" in capsys.readouterr().err
    assert not (tmp_path / "out" / "runs").exists()


def test_scenario_name_with_a_newline_refused(tmp_path, tiny_scenarios, no_workers, capsys):
    write(tiny_scenarios / "evil\n.yaml", "title: E\ndescription: E\nparameters: {}\n")
    assert _cli(tiny_scenarios, tmp_path / "out") == 2
    assert "'evil\\n' is not a scenario name" in capsys.readouterr().err


def test_outputs_that_is_a_file_refused(tmp_path, tiny_scenarios, no_workers, capsys):
    out = write(tmp_path / "out", "not a folder")
    assert _cli(tiny_scenarios, out) == 2
    assert f"--outputs: {out}: is a file, not a folder" in capsys.readouterr().err
    assert out.read_text() == "not a folder"


def test_latest_that_is_a_real_folder_refused_before_the_run(tmp_path, tiny_scenarios, no_workers, capsys):
    out = tmp_path / "out"
    (out / "latest").mkdir(parents=True)
    write(out / "latest" / "mine.txt", "someone's files")
    assert _cli(tiny_scenarios, out) == 2
    err = capsys.readouterr().err
    assert f"{out / 'latest'}: is a real folder, not the link econ run keeps" in err
    assert (out / "latest" / "mine.txt").read_text() == "someone's files"
    assert not (out / "runs").exists()


@pytest.mark.slow
@pytest.mark.faults
def test_read_only_outputs_refused_and_earlier_runs_untouched(tmp_path, tiny_scenarios, capsys):
    out = tmp_path / "out"
    first = tiny_run(tiny_scenarios, out, "a")
    before = {p: p.read_bytes() for p in first.run_dir.rglob("*") if p.is_file()}
    with read_only(out):
        assert _cli(tiny_scenarios, out, "a", "--notebook", "00_tiny") == 2
        err = capsys.readouterr().err
        assert f"--outputs: {out}: cannot be written" in err
        assert "read-only" in err or "permission denied" in err
    assert {p: p.read_bytes() for p in first.run_dir.rglob("*") if p.is_file()} == before
    assert os.readlink(out / "latest") == f"runs/{first.run_id}" and published_runs(out) == [first.run_dir]


def test_not_enough_free_space_refused(tmp_path, tiny_scenarios, no_workers, monkeypatch, capsys):
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(runs.shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    assert _cli(tiny_scenarios, tmp_path / "out") == 2
    assert "1.0 MB free; this run needs about 24 MB (4 notebook runs)" in capsys.readouterr().err


def test_a_small_file_system_refused_before_the_run(tiny_scenarios, capsys):
    with small_filesystem("256k") as out:
        assert _cli(tiny_scenarios, out) == 2
        assert f"--outputs: {out}:" in capsys.readouterr().err and list((out / "runs").iterdir()) == []


def test_data_rehashed_after_breaking_its_schema_refused(tmp_path, monkeypatch, no_workers):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    for name, value in (("DATA", copy), ("MANIFEST", copy / "manifest.yaml"), ("SOURCES", copy / "sources.csv"),
                        ("SCENARIOS", copy / "scenarios")):
        monkeypatch.setattr(paths, name, value)
    file = copy / "vendor_shares.csv"
    header, first, *rest = file.read_text().splitlines()
    cells = first.split(",")
    cells[header.split(",").index("quality")] = "rumour"
    file.write_text("\n".join([header, ",".join(cells), *rest]) + "\n")
    doc = yaml.safe_load((copy / "manifest.yaml").read_text())
    doc["files"]["vendor_shares.csv"]["sha256"] = hashlib.sha256(file.read_bytes()).hexdigest()  # the hash agrees
    (copy / "manifest.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError, match=r"vendor_shares.csv: column 'quality', line 2: value 'rumour' fails"):
        batch.plan(["baseline"])


# --- faults during the run: only the faulty job fails; nothing published is lost -----------------

@pytest.mark.slow
@pytest.mark.faults
@pytest.mark.skipif(not os.path.exists("/proc"), reason="finds the worker through /proc")
def test_worker_killed_mid_job_fails_only_its_job(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    first = tiny_run(tiny_scenarios, out, "a", only=["01_second"])
    write(tiny_scenarios / "c.yaml", "title: C\ndescription: Third\ninherits: a\nparameters: {}\n")
    cmd = tiny_cli(tiny_scenarios, out, "a", "b", "c", "-p", "sleep", "300", "-p", "sleep_for", "a",
                   "--workers", "1", "--notebook", "00_tiny")
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        partial = wait_for(lambda: next((out / "runs").glob(".*.partial"), None))
        wait_for(lambda: (partial / "a" / "00_tiny" / "00_tiny.ipynb").exists(), what="a's notebook to start")
        [worker] = wait_for(lambda: children(proc.pid, "econ.batch.worker"), what="the worker")
        os.kill(worker, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        end_process_group(proc)
    assert proc.returncode == 1, stderr
    [run_dir] = [d for d in published_runs(out) if d != first.run_dir]
    jobs = {j["scenario"]: j for j in manifest(run_dir)["jobs"]}
    assert jobs["b"]["status"] == jobs["c"]["status"] == "ok"
    assert jobs["a"]["status"] == "failed" and jobs["a"]["error"]["name"] == "WorkerDied"
    assert "killed by SIGKILL (kill -9, or the out-of-memory killer)" in jobs["a"]["error"]["message"]
    index = (run_dir / "index.html").read_text()
    assert "Failures (1)" in index and "WorkerDied" in index
    assert "did not become <code>outputs/latest</code>" in index
    assert "WorkerDied" in (run_dir / "a" / "00_tiny" / "00_tiny.html").read_text()
    assert os.readlink(out / "latest") == f"runs/{first.run_id}", "latest moves only to a run with no failure"
    assert_nothing_half_published(out)


def test_job_on_a_full_disk_fails_with_the_reason(tmp_path, monkeypatch):
    """Every write of a job can meet ENOSPC: the job fails and says so; execute() never raises."""
    import papermill

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.ipynb"))

    monkeypatch.setattr(papermill, "execute_notebook", full)
    monkeypatch.setattr(files, "write_atomic", full)
    job = batch.Job("a", "01_second", str(FIXTURE_NOTEBOOKS / "01_second.ipynb"), {"scenario": "a"})
    done = batch.execute(job, str(tmp_path), {"timeout": 60, "show_code": False})
    assert done.status == "failed" and done.error["name"] == "OSError"
    assert done.error["message"].startswith("the disk is full: [Errno 28] No space left on device")


@pytest.mark.slow
@pytest.mark.faults
def test_disk_full_while_publishing_leaves_everything_published_as_it_was(tmp_path, tiny_scenarios, monkeypatch,
                                                                          capsys):
    out = tmp_path / "out"
    first = tiny_run(tiny_scenarios, out, "a")
    real = files.write_atomic

    def full_for_the_index(path, text, **kw):
        if path.name in ("index.html", "manifest.json"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text, **kw)

    monkeypatch.setattr(files, "write_atomic", full_for_the_index)
    assert _cli(tiny_scenarios, out, "a", "b", "--notebook", "00_tiny") == 3
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Nothing was published" in err and "--resume" in err
    assert published_runs(out) == [first.run_dir] and os.readlink(out / "latest") == f"runs/{first.run_id}"
    [partial] = (out / "runs").glob(".*.partial")
    assert (partial / "b" / "00_tiny" / "job.json").exists(), "finished notebooks are kept for --resume"
    assert_nothing_half_published(out)


@pytest.mark.slow
@pytest.mark.faults
def test_a_disk_that_fills_during_the_run(tiny_scenarios, monkeypatch, capsys):
    """A real full file system: whatever fails, nothing is half-published and earlier runs stay."""
    monkeypatch.setattr(runs, "BYTES_PER_JOB", 1)  # let it start: the disk is (nearly) full below
    with small_filesystem("4m") as out:
        first = tiny_run(tiny_scenarios, out, "a")
        before = {p: p.read_bytes() for p in first.run_dir.rglob("*") if p.is_file()}
        (out / "filler").write_bytes(b"\0" * (shutil.disk_usage(out).free - 20_000))
        code = _cli(tiny_scenarios, out, "a", "b", "--notebook", "00_tiny")
        assert code in (1, 3), capsys.readouterr().err
        assert {p: p.read_bytes() for p in first.run_dir.rglob("*") if p.is_file()} == before
        assert os.readlink(out / "latest") == f"runs/{first.run_id}"
        assert_nothing_half_published(out)


def test_latest_replaced_by_a_folder_during_the_run_is_left_alone(tmp_path):
    out = tmp_path / "out"
    (out / "runs" / "r1").mkdir(parents=True)
    (out / "latest").mkdir()
    with pytest.raises(runs.RunNotPublished, match="became a real folder"):
        runs.point_latest(out, out / "runs" / "r1")
    assert (out / "latest").is_dir() and not (out / "latest").is_symlink()


def test_latest_decision():
    ok, bad = batch.Job("a", "n", "p", {}, status="ok"), batch.Job("b", "n", "p", {}, status="failed")
    assert runs.latest_decision(paths.OUTPUTS, [ok], False)["moved"]
    assert not runs.latest_decision(paths.OUTPUTS, [ok, bad], False)["moved"]
    assert runs.latest_decision(paths.OUTPUTS, [ok, bad], True)["moved"]


def test_outputs_itself_must_be_writable(tmp_path, monkeypatch):
    """outputs/latest and the results store are written in outputs/ itself, not only in outputs/runs."""
    import tempfile

    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    real = tempfile.mkstemp

    def refuse_outputs(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == out:
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(runs.tempfile, "mkstemp", refuse_outputs)
    with pytest.raises(InputError, match="cannot be written: permission denied"):
        runs.check_outputs(out, 1)


@pytest.mark.parametrize("outputs, message", [("x" * 300, "has a folder name of 300 bytes"),
                                              ("/".join(["e" * 200] * 3), "too long for the results store"),
                                              ("/".join(["d" * 200] * 25), "is too deep")])
def test_an_outputs_path_too_long_is_refused_before_work(tmp_path, outputs, message):
    with pytest.raises(InputError, match=message):
        runs.check_outputs(tmp_path / outputs, 1, 60)


@pytest.mark.slow
@pytest.mark.faults
def test_a_published_run_names_no_absolute_path(tmp_path, tiny_scenarios):
    out = tmp_path / "out"
    run = tiny_run(tiny_scenarios, out, "a", only=["00_tiny", "01_second"])
    assert run.exit_code == 0
    for path in run.run_dir.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".ipynb", ".html", ".csv"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for absolute in (str(paths.ROOT), str(out)):
                assert absolute not in text, f"{path.relative_to(run.run_dir)} names {absolute}"
