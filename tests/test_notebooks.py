"""Notebooks: thin, committed clean, parameters cell generated from the declarations, run under papermill."""

import json
import re

import nbformat
import papermill
import pytest

from econ import batch, notebook, paths
from econ.errors import InputError
from econ.scenario import scenario_names

NOTEBOOKS = batch.notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_with_kernelspec(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"] == notebook.KERNELSPEC  # the econ kernel: its guard checks parameters
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
    assert nb.cells[0].cell_type == "markdown"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_matches_declarations(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    default_scenario = re.search(r'scenario: str = "(\w+)"', cell.source).group(1)
    assert cell.source == notebook.parameters_cell(path.stem, default_scenario), \
        "parameters cell is stale: run `python -m econ.notebook`"
    inspected = papermill.inspect_notebook(str(path))
    assert set(inspected) == set(notebook.notebook_parameters(path.stem))
    for name, info in inspected.items():
        assert info["help"], f"{name} has no help text (an '=' in the comment stops papermill's parser)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_are_short(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            assert len(cell.source.splitlines()) <= 15, "long logic belongs in econ/"


@pytest.mark.slow
def test_every_notebook_writes_its_results(published_run):
    """Every shipped notebook, run for every shipped scenario (once per session, in the published run)."""
    assert {(j.scenario, j.notebook) for j in published_run.jobs} == \
        {(s, p.stem) for s in scenario_names() for p in NOTEBOOKS}
    for job in published_run.jobs:
        results = json.loads((published_run.run_dir / job.folder / "results.json").read_text())
        assert results["scenario"] == job.scenario
        assert results["metrics"] and all(isinstance(v, int | float) for v in results["metrics"].values())


@pytest.mark.slow
def test_single_parameter_override_is_validated(tmp_path):
    path = NOTEBOOKS[0]
    with pytest.raises(papermill.PapermillExecutionError, match="substitution_rate"):
        papermill.execute_notebook(str(path), str(tmp_path / "x.ipynb"), cwd=str(paths.NOTEBOOKS),
                                   parameters={"scenario": "may2020_fdpr", "output_dir": str(tmp_path),
                                               "substitution_rate": 1.7},
                                   progress_bar=False)


def test_injection_names_rejected_before_any_kernel():
    evil = "x=__import__('os').system('touch /tmp/pwned');y"
    with pytest.raises(InputError, match="not declared in the notebook's parameters cell"):
        batch.plan(["baseline"], overrides={evil: 1})


@pytest.mark.slow
def test_market_share_override_is_validated(tmp_path):
    path = paths.NOTEBOOKS / "02_market_share.ipynb"
    with pytest.raises(papermill.PapermillExecutionError, match="equipment_life_years"):
        papermill.execute_notebook(str(path), str(tmp_path / "x.ipynb"), cwd=str(paths.NOTEBOOKS),
                                   parameters={"scenario": "baseline", "output_dir": str(tmp_path),
                                               "equipment_life_years": -8.0},
                                   progress_bar=False)
