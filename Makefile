# Two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements-lock.txt

.PHONY: run test test-fast browser bench lab validate lint expected lock clean clean-notebooks git-filter screenshot
RUN_ARGS ?=

# Built afresh from the lock whenever the lock, pyproject.toml or setup.py changes: every package at the
# locked version with its locked hash (nothing unpinned is fetched; the build backend is in the lock
# too), then econ itself, editable, which also installs the econ kernel the notebooks name.
$(STAMP): $(LOCK) pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=...")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Upgrade every package to its newest release on purpose: rewrites the lock (then `make test`; where
# numbers moved, `make expected` and say in the commit which package moved them).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --universal --python-version 3.11 \
	  --fork-strategy fewest --generate-hashes --upgrade --custom-compile-command "make lock" -o $(LOCK)

run: $(STAMP) git-filter  ## every shipped scenario through every notebook, published to outputs/ (econ run $(RUN_ARGS))
	$(BIN)/econ run $(RUN_ARGS)

# Both cores (pytest-xdist): the tests that read the published run (tests/test_published.py) come first,
# so one worker builds the run while the other runs the rest and steals work when it runs out
# (tests/conftest.py). By cause: pytest -m notebooks / browser / faults / dask.
test: $(STAMP) git-filter browser  ## the whole suite, slow tests included (notebooks, Dask, headless Chromium)
	$(BIN)/python -m pytest -n auto --dist worksteal

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

test-fast: $(STAMP) git-filter  ## skip notebook and browser tests
	$(BIN)/python -m pytest -m "not slow" -n auto

# As root (a container) JupyterLab must be told it may run so.
lab: $(STAMP) git-filter  ## JupyterLab on notebooks/, kernel = this .venv (the econ kernel is the default)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Committed notebooks stay free of outputs without anyone remembering: git runs econ/nbclean.py
# (standard library only) on every notebook it stages (.gitattributes). Registered in this clone's
# git config, once; a no-op outside a git work tree.
git-filter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && \
	  [ "$$(git config --get filter.econ-notebook.clean)" != "python3 econ/nbclean.py" ]; then \
	  python3 econ/nbclean.py --install; fi

clean-notebooks:  ## clear the outputs JupyterLab saved into notebooks/ (commits never carry them anyway)
	python3 econ/nbclean.py notebooks/*.ipynb

# The README's picture of the report: the first screen of outputs/latest/index.html (1366x768) in
# headless Chromium, made by the project's own browser tooling (tests/browser.py). Runs `econ run`
# first when there is no run yet.
screenshot: $(STAMP) browser
	@test -e outputs/latest/index.html || $(BIN)/econ run
	$(BIN)/python -m tests.browser screenshot outputs/latest/index.html docs/report.png

validate: $(STAMP)
	$(BIN)/econ validate

expected: $(STAMP)  ## rewrite tests/expected/*.csv after a deliberate change to a number (say why in the commit)
	$(BIN)/python tests/expected/update.py

lint: $(STAMP)  ## ruff over the whole repository (.ci/run runs it after make test)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) outputs/runs outputs/latest
