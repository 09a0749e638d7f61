"""Notebooks: thin, committed clean, parameters cell generated from the declarations, run under papermill."""

import re

import nbformat
import papermill
import pytest

from econ import batch, notebook, paths
from econ.errors import InputError

NOTEBOOKS = batch.notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_with_kernelspec(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"] == notebook.KERNELSPEC  # the econ kernel: its guard checks parameters
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name} has outputs (JupyterLab saved them): run `make clean-notebooks`"
    assert nb.cells[0].cell_type == "markdown"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_matches_declarations(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    default_scenario = re.search(r'scenario: str = "(\w+)"', cell.source)
    assert (default_scenario is None) == (path.stem in notebook.RUN_WIDE), "a run-wide notebook takes no scenario"
    default_scenario = default_scenario.group(1) if default_scenario else "may2020_fdpr"
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
@pytest.mark.notebooks
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
@pytest.mark.notebooks
def test_market_share_override_is_validated(tmp_path):
    path = paths.NOTEBOOKS / "02_market_share.ipynb"
    with pytest.raises(papermill.PapermillExecutionError, match="equipment_life_years"):
        papermill.execute_notebook(str(path), str(tmp_path / "x.ipynb"), cwd=str(paths.NOTEBOOKS),
                                   parameters={"scenario": "baseline", "output_dir": str(tmp_path),
                                               "equipment_life_years": -8.0},
                                   progress_bar=False)


def test_the_filter_is_registered_by_one_command(tmp_path):
    """`python3 econ/nbclean.py --install` registers the clean filter in the clone it sits in (for users
    who install with conda or pip and never run make); outside a clone it says so and fails."""
    import shutil
    import subprocess

    repo = tmp_path / "clone"
    (repo / "econ").mkdir(parents=True)
    shutil.copy(paths.ROOT / "econ" / "nbclean.py", repo / "econ" / "nbclean.py")
    outside = subprocess.run(["python3", "econ/nbclean.py", "--install"], cwd=repo, capture_output=True, text=True)
    assert outside.returncode == 1 and "not a git clone" in outside.stderr
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    done = subprocess.run(["python3", "econ/nbclean.py", "--install"], cwd=repo, capture_output=True, text=True)
    config = subprocess.run(["git", "config", "--get", "filter.econ-notebook.clean"], cwd=repo, capture_output=True,
                            text=True)
    assert done.returncode == 0 and config.stdout.strip() == "python3 econ/nbclean.py"
