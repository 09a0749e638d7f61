"""The sensitivity page's shared design: the same tornados and Sobol indices as each computed on its own.

The reference here is the way the page computed them before they shared a design: SALib's own
Saltelli sample, each table through its own call of the linked model, every point evaluated (no stage
run once for points that agree on what it reads)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as salib_sobol

from econ import sensitivity, sweep, uncertainty
from econ.model import world
from econ.scenario import load_scenario


@pytest.mark.parametrize("k, n_base, seed", [(1, 16, 0), (4, 64, 3), (33, 256, 20190101)])
def test_the_design_is_salibs_sample(k, n_base, seed):
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    expected = salib_sobol.sample(problem, n_base, calc_second_order=False, scramble=True, seed=seed)
    assert np.array_equal(uncertainty.saltelli_unit(k, n_base, seed), expected)


def _reference_tornado(scn, ranges):
    """Each tornado on its own, every point evaluated (the page's tables before the shared design)."""
    chosen = list(sweep.MODELS.values())
    spans_of = {m.name: ({k: r for k in m.numeric() if (r := sweep.scenario_range(scn, k)) is not None}
                         if ranges == "scenario" else {k: sweep.declared_range(k) for k in m.numeric()}) for m in chosen}
    spans = {k: r for found in spans_of.values() for k, r in found.items()}
    base = {k: uncertainty.central(scn.value(k)) for k in spans}
    stages = [m.name for m in chosen if spans_of[m.name]]
    found = uncertainty.one_at_a_time(lambda pts: sweep.run_stages(scn, stages, pts), base, spans)
    rows = [{"model": m.name, **row, "unit": sweep._unit(row["parameter"]), "ranges": ranges}
            for m in chosen for row in found if row["metric"] in m.metrics and row["parameter"] in spans_of[m.name]]
    frame = pd.DataFrame(rows, columns=sensitivity.TORNADO_COLUMNS)
    return frame.sort_values(["model", "metric", "swing"], ascending=[True, True, False], ignore_index=True)


def _reference_indices(scn, n_base):
    """Sobol indices from SALib's sample through one call of the model for the design alone."""
    chosen = list(sweep.MODELS.values())
    own = {m.name: [k for k in m.drawn if uncertainty.is_distribution(scn.value(k))] for m in chosen}
    dists = {k: scn.value(k) for names in own.values() for k in names}
    names = list(dists)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = np.clip(salib_sobol.sample(problem, n_base, calc_second_order=False, scramble=True, seed=scn.seed),
                1e-12, 1 - 1e-12)
    out = sweep.run_stages(scn, [m.name for m in chosen if own[m.name]],
                           {k: dists[k].ppf(u[:, j]) for j, k in enumerate(names)})
    rows = pd.DataFrame(uncertainty.sobol_rows(out, names, n_base, scn.seed))
    return pd.concat([rows[rows["metric"].isin(m.metrics) & rows["parameter"].isin(own[m.name])].assign(model=m.name)
                      for m in chosen if own[m.name]], ignore_index=True)[sensitivity.GLOBAL_COLUMNS]


@pytest.fixture(scope="module")
def both():
    scn = load_scenario("history")
    n_base = 512
    shared = sensitivity.analyse(scn, n_base)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(world, "DISTINCT_FROM", 10 ** 12)  # every point through every stage
        reference = (_reference_tornado(scn, "scenario"), _reference_tornado(scn, "declared"),
                     _reference_indices(scn, n_base))
    return shared, reference


def test_the_shared_design_gives_the_same_tornados(both):
    shared, (tornado, declared, _) = both
    assert len(tornado) > 100 and len(declared) > 100 and (tornado["swing"] > 0).any()
    pd.testing.assert_frame_equal(shared.tornado, tornado, check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(shared.declared, declared, check_exact=False, rtol=1e-12, atol=1e-12)


def test_the_shared_design_gives_sobol_indices_within_the_references_intervals(both):
    shared, (_, _, indices) = both
    keys = ["model", "metric", "parameter"]
    assert len(shared.indices) == len(indices) > 100
    joined = indices.merge(shared.indices, on=keys, suffixes=("_ref", ""), validate="one_to_one")
    assert len(joined) == len(indices) and (joined["ST_ref"] > 0.05).sum() > 10  # something to compare
    for index in ("S1", "ST"):
        gap = (joined[index] - joined[f"{index}_ref"]).abs()
        assert (gap <= joined[f"{index}_conf_ref"] + 1e-12).all(), joined.loc[gap.idxmax(), keys].to_dict()
        assert gap.max() < 1e-9  # the same design and the same points: the same numbers, up to rounding


def test_the_tables_one_by_one_are_the_shared_designs():
    scn = load_scenario("russia_pivot")
    shared = sensitivity.analyse(scn, 64, models=["market_share", "investment"])
    pd.testing.assert_frame_equal(sensitivity.tornado(scn, ["market_share", "investment"]), shared.tornado)
    pd.testing.assert_frame_equal(sensitivity.tornado(scn, ["market_share", "investment"], ranges="declared"),
                                  shared.declared)
    pd.testing.assert_frame_equal(sensitivity.global_indices(scn, 64, ["market_share", "investment"]), shared.indices)


def test_a_stage_runs_once_for_points_that_agree_on_what_it_reads(monkeypatch):
    scn = load_scenario("russia_pivot")
    rng = np.random.default_rng(1)
    base = world.draw(scn, 400)
    points = {k: np.repeat(v[:40], 10) for k, v in base.items()}  # 40 distinct sets, each ten times
    points["inflation_rate"] = rng.uniform(0.0, 0.1, 400)          # read by the investment stage only
    calls = {}
    stage = world.stages()["market_share"]
    original = stage.evaluate

    def counted(scenario, params, upstream):
        calls[len(params["vendor_nest_correlation"])] = True
        return original(scenario, params, upstream)

    table = {**world.stages(), "market_share": dataclasses.replace(stage, evaluate=counted)}
    monkeypatch.setattr(world, "stages", lambda: table)
    found = world.evaluate(scn, points)
    assert list(calls) == [40]
    monkeypatch.setattr(world, "DISTINCT_FROM", 10 ** 12)
    every = world.evaluate(scn, points)
    assert list(calls) == [40, 400]
    for metric in every:
        np.testing.assert_array_equal(found[metric], every[metric], err_msg=metric)
