"""Paired differences between scenarios: common random numbers, so a difference's range is the
uncertainty of the effect itself; records for differences.csv; `econ compare`."""

import subprocess

import numpy as np
import pytest

from econ.model import differences, world
from econ.scenario import load_scenario
from tests.batch_helpers import ECON

DRAWS = 400


def test_a_scenario_against_itself_differs_by_nothing_in_every_draw():
    scn = load_scenario("history")
    diffs = differences.compare(scn, load_scenario("history"), DRAWS)
    assert diffs and all(np.all(d.draws == 0) for d in diffs)
    assert all(d.prob_positive == 0 and d.prob_negative == 0 for d in diffs)


def test_the_difference_is_taken_draw_by_draw_over_common_draws():
    """The reference runs on the scenario's seed: the difference's draws are the two worlds' draws
    subtracted, and its range is narrower than the two ranges would give if the draws were independent."""
    a, b = load_scenario("aug2020_expansion"), load_scenario("may2020_fdpr")
    mine = {f.metric: f for f in world.assess(a, DRAWS).figures()}
    theirs = {f.metric: f for f in world.assess(differences.with_seed(b, a.seed), DRAWS).figures()}
    diffs = {d.metric: d for d in differences.compare(a, b, DRAWS)}
    share = diffs["huawei_share_ex_china_2022"]
    np.testing.assert_array_equal(share.draws, mine[share.metric].draws - theirs[share.metric].draws)
    independent = np.random.default_rng(0).permutation(theirs[share.metric].draws)
    unpaired = mine[share.metric].draws - independent
    assert share.p95 - share.p05 < 0.5 * (np.percentile(unpaired, 95) - np.percentile(unpaired, 5))
    assert share.prob_positive == pytest.approx(np.mean(share.draws > 0))


def test_references_are_the_parents_then_the_baseline():
    assert [r.name for r in differences.references(load_scenario("history"))] == [
        "europe_bans", "canada_2022", "russia_2022_exit", "huawei_recovery_2023", "baseline"]
    assert [r.name for r in differences.references(load_scenario("may2020_fdpr"))] == ["baseline"]
    assert differences.references(load_scenario("baseline")) == []


def test_records_hold_every_column_of_differences_csv():
    diffs = differences.compare(load_scenario("may2020_fdpr"), load_scenario("baseline"), DRAWS)
    record = next(d for d in diffs if d.metric == "rated_revenue_at_risk_usd_bn").record()
    assert tuple(record) == differences.COLUMNS
    assert record["median"] > 0 and record["prob_positive"] == 1.0 and record["reference_title"]


@pytest.mark.slow
def test_econ_compare_prints_each_headline_difference_with_its_range_and_probability():
    out = subprocess.run([ECON, "compare", "baseline", "history", "--draws", "500"], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith("Huawei's share outside China, 2022"))
    assert "pp" in line and " to " in line and "% of draws" in line
    assert "Huawei's share outside China, 2022:" in out.stdout and "in nine draws out of ten" in out.stdout
    bad = subprocess.run([ECON, "compare", "baseline", "histroy"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "histroy" in bad.stderr


def test_a_ranks_difference_is_a_whole_number_of_places():
    """Percentiles of a rank's paired difference are taken among the differences' values, as the
    rank's own are: never half a place."""
    from econ.model.stage import figure

    name = "russia_rank_in_huawei_foreign_markets_2025"
    metric = world.metrics_table()[name][1]
    assert metric.integer
    a, b = np.arange(1.0, 11.0), np.zeros(10)  # differences 1..10: interpolated, the median would be 5.5
    (d,) = differences.between([figure(metric, a)], [figure(metric, b)], "x", "y")
    assert all(float(v).is_integer() for v in (d.median, d.p05, d.p95))


def test_a_difference_of_monte_carlo_noise_reads_as_none():
    from econ import effects

    assert effects.shown(-0.0005, "USD bn, nominal") == "0" and effects.shown(0.0000039, "thousand") == "0"
    assert effects.shown(-0.05, "USD bn, nominal") == "-0.050" and effects.shown(0.0004, "share") == "0 pp"
    record = {"median": -0.0005, "p05": -0.004, "p95": 0.003, "unit": "USD bn, nominal"}
    assert effects.no_change(record)


def test_figures_that_do_not_move_are_named_once_per_reference():
    """A page's differences read as sentences for what moves, and one line per reference for what does
    not (labels with commas stay apart)."""
    from econ import effects
    from econ.model.differences import Difference

    moved = Difference("s", "r", "a", "Cost, gross", "GBP bn, 2020 prices", "UK", None, 1.2, 0.8, 1.6, 1.0, 0.0, "R")
    still = [Difference("s", "r", m, label, "GBP bn, 2020 prices", "UK", None, 0.0, 0.0, 0.0, 0.0, 0.0, "R")
             for m, label in (("b", "Cost, added"), ("c", "Delay"))]
    lines = effects.sentences([moved, *still])
    assert len(lines) == 2 and lines[0].startswith("Cost, gross: 1.2 GBP bn higher than under R")
    assert lines[1] == "The same as under R in nine draws out of ten or more: Cost, added; Delay."


def _by_key(diffs):
    return {(d.reference, d.metric): d.draws for d in diffs}


def test_a_runs_figure_cache_gives_the_same_differences_and_is_read_back(tmp_path, monkeypatch):
    """Within a run, a stage's figures are kept once and read by every page: the differences are the same
    numbers as computed afresh, whichever stages a page asks for, and a second page assesses nothing."""
    from econ.model import figure_cache

    scenario = load_scenario("history")
    fresh_all = _by_key(differences.against_references(scenario, 300))
    fresh_page = _by_key(differences.against_references(scenario, 300, ["market_share"]))
    monkeypatch.setenv(figure_cache.VARIABLE, str(tmp_path / "cache"))
    cached_all = _by_key(differences.against_references(scenario, 300))
    assert fresh_all.keys() == cached_all.keys()
    for k, draws in fresh_all.items():
        np.testing.assert_array_equal(draws, cached_all[k])
    kept = sorted((tmp_path / "cache").glob("*.npz"))
    assert len(kept) >= len(world.stages())
    assert (tmp_path / "cache").stat().st_mode & 0o077 == 0  # private to the user

    def refuse(*args, **kwargs):
        raise AssertionError("a cached stage was assessed again")

    monkeypatch.setattr(world, "assess", refuse)
    cached_page = _by_key(differences.against_references(scenario, 300, ["market_share"]))
    assert fresh_page.keys() == cached_page.keys()
    for k, draws in fresh_page.items():
        np.testing.assert_array_equal(draws, cached_page[k])


def test_a_planted_or_broken_cache_file_is_computed_again_and_runs_no_code(tmp_path, monkeypatch):
    from econ.model import figure_cache

    scenario = load_scenario("baseline")
    monkeypatch.setenv(figure_cache.VARIABLE, str(tmp_path / "cache"))
    first = figure_cache.figures(scenario, 200, ["chip_supply"])
    [path] = (tmp_path / "cache").glob("*.npz")
    import pickle

    path.write_bytes(pickle.dumps(first))  # a pickle, not an archive of arrays: never loaded as one
    again = figure_cache.figures(scenario, 200, ["chip_supply"])
    assert [f.record() for f in again] == [f.record() for f in first]
    assert all(isinstance(f.year, int) or f.year is None for f in again)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.draws, b.draws)
    path.write_bytes(b"truncated")
    assert [f.record() for f in figure_cache.figures(scenario, 200, ["chip_supply"])] == [f.record() for f in first]
