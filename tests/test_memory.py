"""Memory: every accepted size fits the budget; the estimate is checked before any work and cannot overflow."""

import re

import pytest

from econ import arguments, memory, notebook, paths


def test_every_shipped_notebook_has_a_footprint_for_each_size_it_takes():
    assert set(memory.FOOTPRINTS) == set(notebook.NOTEBOOK_STAGES)
    for nb, fp in memory.FOOTPRINTS.items():
        sizes = {"sweep_points" if n == "sweep_steps" else n for n in arguments.for_notebook(nb)
                 if n in ("draws", "sobol_base", "sweep_steps")}
        assert sizes <= set(fp.per), nb


@pytest.mark.parametrize("nb", notebook.NOTEBOOK_STAGES)
def test_the_largest_accepted_draws_fit_and_one_more_does_not(nb):
    most = notebook.max_draws(nb)
    defaults = {n: arguments.declaration(n)["default"] for n in arguments.for_notebook(nb)}
    assert arguments.check({**defaults, "draws": most}, nb) == []
    assert memory.estimate(nb, {**defaults, "draws": most}) <= memory.BUDGET
    if most < arguments.declaration("draws")["high"]:
        assert [p[1] for p in arguments.check({**defaults, "draws": most + 1}, nb)] == ["draws"]
    assert most >= arguments.declaration("draws")["default"], "the default must be accepted"


def test_an_unknown_notebook_gets_the_most_cautious_estimate():
    assert notebook.max_draws("02_market_share") >= arguments.max_draws(None)
    assert memory.footprint("not_a_notebook") == memory.footprint(None)


def test_sizes_are_python_integers_without_overflow():
    huge = {"draws": 10 ** 30, "sobol_base": 2 ** 64, "sweep_steps": 2 ** 40}
    assert memory.units(huge)["sweep_points"] == 2 ** 80
    assert memory.estimate("04_sensitivity", huge) > 1e30
    [(name, message)] = memory.check("04_sensitivity", huge)
    assert name == "draws" and "at most" in message


def test_the_message_names_the_argument_that_needs_the_memory():
    args = {"draws": 1000, "sobol_base": 65536, "sweep_steps": 21}
    [(name, message)] = memory.check("04_sensitivity", args)
    largest = int(re.search(r"sobol_base at most ([\d,]+)", message).group(1).replace(",", ""))
    assert name == "sobol_base" and largest & (largest - 1) == 0      # a power of 2: Saltelli's N
    assert not memory.check("04_sensitivity", {**args, "sobol_base": largest})
    assert memory.check("04_sensitivity", {**args, "sobol_base": 2 * largest})


def test_budget_from_the_environment(monkeypatch):
    monkeypatch.setenv("ECON_MEMORY_BUDGET", "8e9")
    assert memory._budget() == 8e9
    for bad in ("lots", "-1", "nan", "inf", ""):
        monkeypatch.setenv("ECON_MEMORY_BUDGET", bad)
        assert memory._budget() == 2e9


@pytest.mark.slow
@pytest.mark.notebooks
def test_the_hungriest_notebook_at_its_largest_accepted_draws_stays_within_2_gb():
    nb = "02_market_share"  # about 75 kB a draw: the one whose draws the budget binds first
    peak = memory.measure(paths.NOTEBOOKS / f"{nb}.ipynb", {"scenario": "russia_pivot", "draws": notebook.max_draws(nb)})
    assert peak <= 2e9, f"{peak / 1e9:.2f} GB"
