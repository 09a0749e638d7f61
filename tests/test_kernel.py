"""The econ kernel: its guard refuses parameters cells that are not declared NAME = literal lines, before
they run; it is installed with the package; under papermill and in a kernel a refusal is one message."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from econ import kernel, notebook, paths
from econ.errors import InputError
from tests.conftest import FIXTURE_NOTEBOOKS

GUARDED = FIXTURE_NOTEBOOKS / "guarded" / "guarded.ipynb"
PAPERMILL = str(Path(sys.executable).parent / "papermill")


def _cell(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _params_cell(nb: str = "01_revenue_impact") -> str:
    return notebook.parameters_cell(nb)


@pytest.fixture(autouse=True)
def no_known_notebook(monkeypatch):
    """The guard tests run as in a kernel that does not know its notebook (no batch worker, no JupyterLab)."""
    for name in kernel.IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def guard():
    """A guard that has seen notebook 01's parameters cell, as in a kernel running that notebook."""
    g = kernel.Guard()
    g(_cell(_params_cell()))
    return g


def _refused(guard, text: str) -> str:
    with pytest.raises(InputError) as e:
        guard(_cell(text))
    return str(e.value)


# --- what passes, and what runs ------------------------------------------------------------------

def test_ordinary_cells_pass_untouched(guard):
    for text in ["x = 1\n", "import os\nos.getcwd()\n", "!ls\n", "%time 1\n", "# Parameters are shown below\nx = 1\n"]:
        assert guard(_cell(text)) == _cell(text)


@pytest.mark.parametrize("nb", notebook.NOTEBOOK_STAGES)
def test_every_shipped_parameters_cell_passes_and_runs_as_its_literals(nb):
    g = kernel.Guard()
    code = "".join(g(_cell(_params_cell(nb))))
    namespace: dict = {}
    exec(compile(code, "<parameters>", "exec"), {"__builtins__": {}}, namespace)  # literals only: no builtins
    assert set(namespace) == set(notebook.notebook_parameters(nb))
    assert namespace["draws"] == notebook.DEFAULT_DRAWS and g.notebook == nb


def test_injected_cell_is_rewritten_from_checked_values(guard):
    text = "# Parameters\nscenario = \"russia_pivot\"\ndraws = 2000\nsubstitution_rate = {'dist': 'uniform', " \
           "'low': 0.1, 'high': 0.4}\n"
    code = "".join(guard(_cell(text)))
    assert code == ("scenario = 'russia_pivot'\ndraws = 2000\n"
                    "substitution_rate = {'dist': 'uniform', 'low': 0.1, 'high': 0.4}\n")


# --- names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "x=__import__('os').system('touch /tmp/pwned');y",
    "x; import os; os.system('id')#",
    "a\n!touch /tmp/pwned\nb",
    "__import__('os').system('id') or x",
    "globals()['draws']",
    "draws.__class__",
    "draws, output_dir",
    "del draws; x",
])
def test_hostile_names_in_the_injected_cell_never_run(guard, name):
    with pytest.raises(InputError):
        guard(_cell(f"# Parameters\n{name} = 1\n"))


def test_unknown_name_refused_with_did_you_mean(guard):
    message = _refused(guard, "# Parameters\nsubstitutoin_rate = 0.3\n")
    assert "injected parameters (papermill -p): substitutoin_rate: not a declared parameter" in message
    assert "did you mean 'substitution_rate'" in message


def test_typo_in_the_parameters_cell_refused_with_did_you_mean():
    text = _params_cell().replace("substitution_rate: float = None", "substitution_rte: float = 0.4")
    message = _refused(kernel.Guard(), text)
    assert "parameters cell of 01_revenue_impact: substitution_rte" in message
    assert "did you mean 'substitution_rate'" in message


def test_a_name_the_notebook_does_not_declare_is_refused(guard):
    message = _refused(guard, "# Parameters\nnetwork_sharing = 'single'\n")  # an investment parameter, not read by 01
    assert "not declared in the parameters cell of 01_revenue_impact" in message


def test_papermill_inject_paths_names_accepted(guard):
    assert guard(_cell("# Parameters\nPAPERMILL_INPUT_PATH = 'a.ipynb'\nPAPERMILL_OUTPUT_PATH = 'b.ipynb'\n"))
    assert "must be text" in _refused(guard, "# Parameters\nPAPERMILL_INPUT_PATH = 3\n")


def test_given_twice_refused():
    text = _params_cell() + "draws: int = 5\n"
    assert "draws: given twice" in _refused(kernel.Guard(), text)


# --- values ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("draws = 'abc'", "draws: the text 'abc' is not a whole number"),
    ("draws = '1000'", "remove the quotes"),
    ("draws = 0", "draws: 0 is outside the allowed range [1, 10,000,000]"),
    ("draws = -5", "draws: -5 is outside the allowed range"),
    ("draws = True", "draws: true (a boolean) is not a whole number"),
    ("draws = 1000.0", "whole numbers are written without a decimal point"),
    ("draws = 1_000_000_000", "outside the allowed range"),
    ("draws = 10_000_000", "needs about"),                      # within the range, not within memory
    ("draws = float('nan')", "nan is not allowed"),
    ("substitution_rate = float('inf')", "inf is not allowed"),
    ("substitution_rate = 1.7", "outside the allowed range [0.0, 1.0]"),
    ("substitution_rate = '0.3'", "the text '0.3'"),
    ("substitution_rate = True", "true (a boolean)"),
    ("wind_down_days = 12.5", "is not a whole number"),
    ("covered_categories = 'foundry'", "is not a list"),
    ("covered_categories = {'foundry'}", "a set value is not allowed"),
    ("covered_categories = [b'foundry']", "a bytes value is not allowed"),
    ("rule_effective_date = '2020-02-30'", "2020-02-30 is not a date"),
    ("rule_effective_date = 18000", "a date is written YYYY-MM-DD"),
    ("scenario = '../../etc/passwd'", "neither a scenario name"),
    ("scenario = 'baseline\\n'", "neither a scenario name"),
    ("output_dir = 'a\\x00b'", "is not a folder name"),
    ("draws = __import__('os').getpid()", "is not a literal"),
    ("draws = 10 ** 1000", "is not a literal"),
    ("draws = [1] * 10", "is not a literal"),
])
def test_bad_values_refused_before_the_cell_runs(guard, line, message):
    assert message in _refused(guard, f"# Parameters\n{line}\n")


@pytest.mark.parametrize("line, message", [
    ("sobol_base = -1", "sobol_base: -1 is outside the allowed range [16, 1,048,576]"),
    ("sobol_base = 1000", "not a power of 2"),
    ("sobol_base = 1048576", "needs about"),
    ("sweep_steps = 100", "outside the allowed range [2, 70]"),
    ("sweep_x = 'subsitution_rate'", "did you mean 'substitution_rate'"),
    ("sweep_x = 'licence_approval_rate'", "both licence_approval_rate"),
    ("sweep_x = 'wind_down_days'", "STEPS may be 2, 6"),
    ("sweep_x = 'vendor_choice'", "not a numeric scenario parameter"),
])
def test_sensitivity_arguments_refused(line, message):
    g = kernel.Guard()
    g(_cell(_params_cell("04_sensitivity")))
    assert message in _refused(g, f"# Parameters\n{line}\n")


def test_memory_limit_is_the_notebooks_own():
    for nb in ("02_market_share", "00_scenario_overview"):
        g = kernel.Guard()
        g(_cell(_params_cell(nb)))
        most = notebook.max_draws(nb)
        assert g(_cell(f"# Parameters\ndraws = {most}\n"))
        if most < 10_000_000:
            assert f"draws at most {most:,}" in _refused(g, f"# Parameters\ndraws = {most + 1}\n")
    assert notebook.max_draws("02_market_share") < notebook.max_draws("01_revenue_impact")


def test_output_dir_in_a_published_run_refused(guard, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "OUTPUTS", tmp_path / "outputs")
    run = tmp_path / "outputs" / "runs" / "20240101-000000-1"
    (run / "baseline" / "01_revenue_impact").mkdir(parents=True)
    (tmp_path / "outputs" / "latest").symlink_to(Path("runs") / run.name)
    for folder in [run, run / "baseline" / "01_revenue_impact", tmp_path / "outputs" / "latest" / "baseline"]:
        assert "published runs are history" in _refused(guard, f"# Parameters\noutput_dir = {str(folder)!r}\n")
    other = tmp_path / "elsewhere" / "runs" / "old"  # a run in another outputs folder: it has a manifest
    other.mkdir(parents=True)
    (other / "manifest.json").write_text("{}")
    assert "published runs are history" in _refused(guard, f"# Parameters\noutput_dir = {str(other)!r}\n")
    partial = tmp_path / "outputs" / "runs" / ".20240102-000000-2.partial" / "baseline"  # a run being written
    assert guard(_cell(f"# Parameters\noutput_dir = {str(partial)!r}\n"))


@pytest.mark.parametrize("text", [
    "# Parameters\nimport os\n",
    "# Parameters\ndraws = 1; import os\n",
    "# Parameters\nfor i in range(3): pass\n",
    "# Parameters\n!touch /tmp/pwned\n",
    "# Parameters\n%run evil.py\n",
    "# Parameters\ndraws += 1\n",
    "# Parameters\ndraws = (yield)\n",
    "# Parameters\n" + "x" * (kernel.MAX_CELL_CHARS + 1),
])
def test_anything_but_assignments_refused(guard, text):
    with pytest.raises(InputError):
        guard(_cell(text))


def test_refusal_renders_as_one_message_not_a_traceback(guard):
    with pytest.raises(InputError) as e:
        guard(_cell("# Parameters\ndraws = 'abc'\n"))
    lines = e.value._render_traceback_()
    assert len(lines) == 1 and "InputError" in lines[0] and "draws" in lines[0] and "Traceback" not in lines[0]


def test_guard_skipped_by_completeness_checks_and_loaded_first():
    class Shell:
        input_transformers_cleanup = [lambda lines: lines]

    shell = Shell()
    kernel.load_ipython_extension(shell)
    kernel.load_ipython_extension(shell)
    assert shell.input_transformers_cleanup[0] is kernel.GUARD and len(shell.input_transformers_cleanup) == 2
    assert kernel.GUARD.has_side_effects
    kernel.unload_ipython_extension(shell)
    assert kernel.GUARD not in shell.input_transformers_cleanup


# --- installed with the package ---------------------------------------------------------------------

def test_shipped_kernelspec_is_the_declared_one():
    assert json.loads(kernel.SPEC_FILE.read_text()) == kernel.spec()
    files = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert files == {"share/jupyter/kernels/econ": ["econ/kernelspec/kernel.json"],
                     "etc/jupyter": ["econ/jupyter/jupyter_config.json"]}


def test_jupyterlab_opens_new_notebooks_on_the_econ_kernel():
    """The environment's Jupyter config (installed with the package) makes the econ kernel, with its
    parameter guard, the default a new notebook gets."""
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_config.json"
    assert json.loads(installed.read_text())["MappingKernelManager"]["default_kernel_name"] == "econ"
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets.config import Config

    config = Config(json.loads(installed.read_text()))
    assert AsyncMappingKernelManager(config=config).default_kernel_name == "econ"


def test_every_notebook_opens_on_the_same_scenario():
    from econ import arguments
    from econ.notebook import RUN_WIDE

    default = arguments.Arguments.model_fields["scenario"].default
    for nb in sorted((paths.ROOT / "notebooks").glob("*.ipynb")):
        source = "".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                         for c in json.loads(nb.read_text())["cells"] if "parameters" in c["metadata"].get("tags", []))
        assert (f'scenario: str = "{default}"' in source) != (nb.stem in RUN_WIDE), nb.name


def test_kernel_installed_in_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("econ")
    assert spec.argv[1:3] == ["-m", "econ.kernel"] and spec.display_name == "Python 3 (econ)"


def test_install_command_writes_an_absolute_interpreter(tmp_path):
    folder = kernel.install(prefix=str(tmp_path))
    written = json.loads((Path(folder) / "kernel.json").read_text())
    assert written == kernel.spec(sys.executable)


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("editable", [True, False], ids=["pip install -e", "pip install"])
def test_a_fresh_environment_gets_the_kernel(editable, tmp_path):
    # as `make` and conda's environment.yml do (pip install -e .), and as a wheel would; dependencies are
    # not needed to see where the kernelspec goes
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    args = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", *(["-e"] if editable else []),
            str(paths.ROOT)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    installed = venv / "share" / "jupyter" / "kernels" / "econ" / "kernel.json"
    assert json.loads(installed.read_text()) == kernel.spec()


# --- in a real kernel ----------------------------------------------------------------------------------

def _papermill(tmp_path, *args, env=None):
    return subprocess.run([PAPERMILL, str(GUARDED), str(tmp_path / "out.ipynb"), "-p", "output_dir",
                           str(tmp_path), *args], capture_output=True, text=True, cwd=GUARDED.parent,
                          env={**os.environ, **(env or {})}, timeout=300)


def _error_output(tmp_path) -> dict:
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    return next(o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error")


@pytest.mark.slow
@pytest.mark.notebooks
def test_papermill_by_hand_is_guarded(tmp_path):
    marker = tmp_path / "pwned"
    out = _papermill(tmp_path, "-p", f"x=__import__('os').system('touch {marker}');y", "1")
    assert out.returncode != 0 and not marker.exists()
    error = _error_output(tmp_path)
    assert error["ename"] == "InputError" and len(error["traceback"]) <= 2
    assert "not a declared parameter" in error["traceback"][0] and "Traceback" not in "".join(error["traceback"])
    assert not (tmp_path / "results.json").exists()


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("args, message", [
    (["-p", "substitutoin_rate", "0.3"], "did you mean 'substitution_rate'"),
    (["-p", "draws", "abc"], "the text 'abc' is not a whole number"),
    (["-p", "draws", "-5"], "outside the allowed range"),
    (["-p", "substitution_rate", "1.7"], "outside the allowed range"),
])
def test_papermill_refusals_are_one_message_and_exit_non_zero(tmp_path, args, message):
    out = _papermill(tmp_path, *args)
    assert out.returncode != 0 and message in out.stderr
    error = _error_output(tmp_path)
    assert message in error["traceback"][0] and len(error["traceback"]) <= 2


@pytest.mark.slow
@pytest.mark.notebooks
def test_papermill_run_that_passes(tmp_path):
    out = _papermill(tmp_path, "-p", "substitution_rate", "0.3", "-p", "draws", "500")
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads((tmp_path / "results.json").read_text())["metrics"] == {"draws": 500, "substitution_rate": 0.3}


@pytest.mark.slow
@pytest.mark.notebooks
def test_tampered_data_refused_in_the_notebook_path(tmp_path):
    import shutil

    root = tmp_path / "root"
    shutil.copytree(paths.DATA, root / "data")
    with open(root / "data" / "vendor_shares.csv", "a") as f:
        f.write("\n")
    out = _papermill(tmp_path, env={"ECON_ROOT": str(root)})
    assert out.returncode != 0
    assert "vendor_shares.csv.sha256: does not match the file" in _error_output(tmp_path)["traceback"][0]


@pytest.mark.slow
@pytest.mark.notebooks
def test_jupyterlab_typo_in_the_parameters_cell_is_one_message():
    """As JupyterLab runs a cell: an execute request to the econ kernel, no papermill."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="econ")
    outputs: list = []
    try:
        source = nbformat.read(GUARDED, as_version=4).cells[1].source.replace("draws: int", "drawz: int")
        reply = kc.execute_interactive(source, timeout=60, output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "InputError"
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        assert len(errors) == 1 and len(errors[0]["traceback"]) == 1
        assert "drawz: not a declared parameter (did you mean 'draws'?)" in errors[0]["traceback"][0]
        reply = kc.execute_interactive("drawz", timeout=60, output_hook=lambda msg: None)
        assert reply["content"]["ename"] == "NameError"  # the refused cell did not run
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# --- no side door: a comment above the marker, a borrowed marker, the environment -------------------

def test_a_comment_above_the_marker_keeps_the_guard_on():
    text = "# my notes on this run\n" + _params_cell().replace("substitution_rate", "substitution_rat", 1)
    assert "did you mean 'substitution_rate'" in _refused(kernel.Guard(), text)


def test_a_marker_like_comment_after_code_leaves_an_ordinary_cell_alone():
    for text in ["import numpy as np\n# Parameters of the Bass diffusion model\np = np.array([0.03])\n",
                 "x = 1\n# Parameters\ny = sum([1, 2])\n"]:
        assert kernel.Guard()(_cell(text)) == _cell(text)


def test_a_marker_naming_another_notebook_is_refused(monkeypatch):
    monkeypatch.delenv("ECON_NOTEBOOK", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    borrowed = _params_cell("00_scenario_overview").replace("00_scenario_overview", "04_sensitivity", 1)
    assert "is not 04_sensitivity's parameters cell" in _refused(kernel.Guard(), borrowed)
    monkeypatch.setenv("ECON_NOTEBOOK", "01_revenue_impact")
    assert "names notebook 02_market_share, but this is 01_revenue_impact" in \
        _refused(kernel.Guard(), _params_cell("02_market_share"))
    monkeypatch.setenv("ECON_NOTEBOOK", "02_market_share")
    assert kernel.Guard()(_cell(_params_cell("02_market_share")))


def test_a_typo_outside_the_guard_is_refused_by_the_notebook_start():
    namespace = {"scenario": "baseline", "draws": 1000, "substitution_rat": 0.3}
    with pytest.raises(InputError, match="substitution_rat: not a parameter .did you mean 'substitution_rate'"):
        notebook.start("baseline", namespace)
    ordinary = {"scenario": "baseline", "draws": 1000, "draw": 100, "vendor": "huawei", "substitution": 0.3}
    assert notebook.start("baseline", ordinary).name == "baseline"  # a notebook's own variables are not typos


@pytest.mark.parametrize("name, value, message", [
    ("ECON_MEMORY_BUDGET", "8 gigs", "is not a size"),
    ("ECON_MEMORY_BUDGET", "10MB", "at least 100 MB"),
    ("NUMBA_NUM_THREADS", "0", "at least 1"),
    ("OMP_NUM_THREADS", "two", "not a whole number"),
    ("ECON_ROOT", "/no/such/folder", "is not a folder"),
])
def test_environment_variables_are_checked_like_parameters(monkeypatch, name, value, message):
    from econ import environment

    for other in ("ECON_ROOT", "ECON_CACHE", "ECON_MEMORY_BUDGET", *environment.THREAD_VARIABLES):
        monkeypatch.delenv(other, raising=False)  # whatever this machine exports
    monkeypatch.setenv(name, value)
    found = environment.problems()
    assert [(f, m) for _, f, m in found if message in m] and all(f == name for _, f, _ in found)
    assert message in _refused(kernel.Guard(), _params_cell())


def test_memory_budget_takes_units(monkeypatch):
    from econ import environment

    for text, size in [("8GB", 8e9), ("8e9", 8e9), ("512 MB", 512e6), ("2GiB", 2 * 2**30)]:
        monkeypatch.setenv("ECON_MEMORY_BUDGET", text)
        assert environment.memory_budget() == size and not environment.problems()


@pytest.mark.parametrize("name, value", [("NUMBA_NUM_THREADS", "0"), ("ECON_ROOT", "/no/such/folder"),
                                         ("ECON_MEMORY_BUDGET", "8 gigs")])
def test_the_command_line_refuses_a_bad_environment_in_one_line(name, value):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "econ", "validate"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, name: value})
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and name in done.stderr, done.stderr
