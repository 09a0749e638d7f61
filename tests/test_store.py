"""The results store and the run history (issue 24): every published run is listed, shown and compared
from outputs/runs.sqlite; the store is rebuilt from the run folders when lost; prune keeps the newest
and outputs/latest; a run of some scenarios is published and listed but does not move outputs/latest."""

from __future__ import annotations

import sqlite3

import pytest

from econ import run_history, store
from econ.batch.runs import latest_run
from econ.errors import InputError
from tests.batch_helpers import tiny_run

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]


@pytest.fixture
def two_runs(tmp_path, tiny_scenarios):
    """Two runs of both tiny scenarios differing by one parameter, then a run of one scenario."""
    out = tmp_path / "out"
    first = tiny_run(tiny_scenarios, out)
    a = tiny_scenarios / "a.yaml"
    a.write_text(a.read_text().replace("substitution_rate: 0.2", "substitution_rate: 0.7"))
    second = tiny_run(tiny_scenarios, out, latest=True)  # one notebook of two: latest by choice
    partial = tiny_run(tiny_scenarios, out, "a")
    return out, first, second, partial


def test_runs_are_listed_shown_and_compared_naming_the_changed_parameter(two_runs):
    out, first, second, partial = two_runs
    frame = store.runs(out)
    assert list(frame["run_id"]) == [partial.run_id, second.run_id, first.run_id]  # newest first
    assert run_history.listing(out).count("\n") == 4 and f"* {second.run_id}" in run_history.listing(out)
    assert f"Run {first.run_id}" in run_history.show(first.run_id, out)
    text = run_history.diff(first.run_id, second.run_id, out)
    assert "parameter a.substitution_rate: 0.2 -> 0.7" in text and "parameter b.substitution_rate" not in text
    changed = run_history.input_changes(first.run_id, second.run_id, out)
    assert set(changed["kind"]) == {"parameter"}  # nothing else differs: same data, versions, notebooks, options
    moves = run_history.figure_moves(first.run_id, second.run_id, out)
    assert set(moves["scenario"]) == {"a"} and (moves["value_b"] > moves["value_a"]).all()  # b sets its own rate
    assert "Figures that moved: 1" in text
    with pytest.raises(InputError, match="not a published run"):
        run_history.show("20990101", out)


def test_a_run_of_some_scenarios_leaves_latest_on_the_full_run(two_runs):
    out, _, second, partial = two_runs
    assert latest_run(out) == second.run_id and partial.run_dir.is_dir()


def test_the_store_is_rebuilt_from_the_folders_when_lost_or_broken(two_runs):
    out, first, second, partial = two_runs
    before = store.figures(second.run_id, out)
    store.path(out).unlink()
    assert len(store.runs(out)) == 3  # rebuilt on the next question
    store.path(out).write_bytes(b"not a database")
    assert set(store.runs(out)["run_id"]) == {first.run_id, second.run_id, partial.run_id}
    after = store.figures(second.run_id, out)
    assert before.equals(after)
    with sqlite3.connect(store.path(out)) as con:
        assert con.execute("SELECT COUNT(*) FROM figures WHERE run_id = ?", (first.run_id,)).fetchone()[0] > 0


def test_prune_keeps_the_newest_and_latest(two_runs):
    out, first, second, partial = two_runs
    assert run_history.prune(1, out, dry_run=True) == [first.run_id]  # second is latest, partial the newest
    assert first.run_dir.is_dir()
    assert run_history.prune(1, out) == [first.run_id]
    assert not first.run_dir.exists() and set(store.runs(out)["run_id"]) == {second.run_id, partial.run_id}
    with pytest.raises(InputError, match="keep at least 1"):
        run_history.prune(0, out)
