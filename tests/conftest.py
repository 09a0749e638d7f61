import contextlib
import os
import shutil
from pathlib import Path

import pytest

from econ import paths


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """An empty folder for scenario files written by a test."""
    d = tmp_path / "scenarios"
    d.mkdir()
    return d


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def shipped() -> Path:
    return paths.SCENARIOS


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that the package reads instead, for tests that break a file."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(paths, "SOURCES", copy / "sources.csv")
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@contextlib.contextmanager
def uncached(*loaders):
    """Run with the ``functools`` caches of ``loaders`` empty, and empty them again after, so a test that
    breaks a data file neither sees the shipped file's cached result nor leaves its own behind."""
    for f in loaders:
        f.cache_clear()
    try:
        yield
    finally:
        for f in loaders:
            f.cache_clear()


#: Tiny real notebooks (the papermill way): no econ import, about a second each.
FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
#: A title and description a reader must see as text, never run.
HOSTILE_TITLE = "A <script>alert('title')</script> & co"
HOSTILE_DESCRIPTION = "First <img src=x onerror=alert('description')> scenario"


@pytest.fixture
def tiny_scenarios(tmp_path: Path) -> Path:
    """Scenario files a (hostile title) and b (inherits a, other substitution rate)."""
    d = tmp_path / "scenarios"
    d.mkdir()
    write(d / "a.yaml", f'title: "{HOSTILE_TITLE}"\ndescription: "{HOSTILE_DESCRIPTION}"\n'
                        "parameters:\n  substitution_rate: 0.2\n")
    write(d / "b.yaml", "title: B\ndescription: Second\ninherits: a\nparameters:\n  substitution_rate: 0.4\n")
    return d


@pytest.fixture(scope="session")
def published_run(tmp_path_factory, request):
    """The real default batch (every shipped scenario through every notebook), published to a temporary
    outputs folder once per test session. Under pytest-xdist the tests that read it run first, on one worker
    (see pytest_collection_modifyitems); should two workers ever ask, the first builds it under a file lock
    and the other reads the same run back from its manifest."""
    import fcntl
    import json

    from econ import batch
    from econ.batch.job import Job

    if not hasattr(request.config, "workerinput"):  # not under xdist: this session alone
        result = batch.run(outputs=tmp_path_factory.mktemp("published"), progress=False)
        assert result.exit_code == 0, [j.error for j in result.jobs if j.status != "ok"]
        return result
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's
    with open(shared / "published.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = shared / "published.json"
        if not marker.exists():
            # a share of the cores: the other pytest-xdist workers keep theirs busy meanwhile
            workers = max(1, (os.cpu_count() or 1) // int(request.config.workerinput.get("workercount", 1)))
            result = batch.run(outputs=shared / "published", progress=False, workers=workers)
            assert result.exit_code == 0, [j.error for j in result.jobs if j.status != "ok"]
            marker.write_text(json.dumps({"run_id": result.run_id, "run_dir": str(result.run_dir)}))
    found = json.loads(marker.read_text())
    run_dir = Path(found["run_dir"])
    jobs = [Job(**j) for j in json.loads((run_dir / "manifest.json").read_text())["jobs"]]
    return batch.RunResult(found["run_id"], run_dir, jobs, 0)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by playwright with the network blocked (tests/browser.py), or a skip saying
    why there is none."""
    from tests.browser import Chromium, find_chromium, missing

    message = missing()
    if message:
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the browser tests)")
        pytest.skip(message)
    with Chromium(find_chromium()) as b:
        yield b


def pytest_itemcollected(item):
    """Every test that reads the published run is slow (it needs the whole batch) and runs notebooks; every
    test that opens the browser is a browser test (``pytest -m browser``)."""
    names = getattr(item, "fixturenames", ())
    if "published_run" in names:
        item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.notebooks)
    if "browser" in names:
        item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.browser)


def pytest_collection_modifyitems(config, items):
    """tests/test_published.py first: under pytest-xdist's ``--dist worksteal`` the first worker's share starts
    with them, so it builds the published run at once and runs every test that reads it, while the other
    worker runs the rest and steals from the end of the first worker's share when it runs out (every
    worker sorts the same way)."""
    items.sort(key=lambda item: item.path.name != "test_published.py")
