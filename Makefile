# Two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lab validate lint clean

# Recreated when pyproject.toml changes; `pip install -e` keeps econ/ live.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## every shipped scenario through every notebook, published to outputs/
	$(BIN)/econ run

test: $(STAMP)  ## the whole suite, slow tests included
	$(BIN)/python -m pytest

test-fast: $(STAMP)  ## skip notebook and browser tests
	$(BIN)/python -m pytest -m "not slow"

lab: $(STAMP)  ## JupyterLab on notebooks/, kernel = this .venv
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP)
	$(BIN)/econ validate

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) outputs/runs outputs/latest
