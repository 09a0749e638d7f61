# Two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast browser bench lab validate lint expected clean
RUN_ARGS ?=

# Recreated when pyproject.toml or setup.py changes; `pip install -e` keeps econ/ live and installs the
# econ kernel (share/jupyter/kernels/econ) that the notebooks name.
$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## every shipped scenario through every notebook, published to outputs/ (econ run $(RUN_ARGS))
	$(BIN)/econ run $(RUN_ARGS)

test: $(STAMP) browser  ## the whole suite, slow tests included (notebooks, Dask, headless Chromium)
	$(BIN)/python -m pytest

# The browser tests need Chromium. Installed from Debian when missing and we can (root or password-less
# sudo, apt-get); otherwise the browser tests skip and say why (under CI they fail instead).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null) \
	    || echo "WARNING: could not install chromium; the browser tests will be skipped"; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  echo "Installing chromium for the browser tests (sudo)"; \
	  (sudo -n apt-get update -qq && sudo -n apt-get install -y -qq --no-install-recommends chromium >/dev/null) \
	    || echo "WARNING: could not install chromium; the browser tests will be skipped"; \
	else echo "NOTE: chromium is missing and cannot be installed here (needs root or sudo and apt-get);" \
	  "the browser tests will be skipped"; fi

bench: $(STAMP)  ## time the batch (warm and papermill engines) against the papermill CLI one after another (benchmarks/batch.py)
	$(BIN)/python benchmarks/batch.py

test-fast: $(STAMP)  ## skip notebook and browser tests
	$(BIN)/python -m pytest -m "not slow"

lab: $(STAMP)  ## JupyterLab on notebooks/, kernel = this .venv
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP)
	$(BIN)/econ validate

expected: $(STAMP)  ## rewrite tests/expected/*.csv after a deliberate change to a number (say why in the commit)
	$(BIN)/python tests/expected/update.py

lint: $(STAMP)  ## ruff over the whole repository (.ci/run runs it after make test)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) outputs/runs outputs/latest
