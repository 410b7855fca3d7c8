# probstat's commands. Each creates or reuses the virtual environment in .venv and installs
# what it needs, so they work on a fresh machine with only Python and pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# Two workers by default: the CI machine has 2 cores. `make test XDIST=0` runs serially.
XDIST ?= 2
PYTEST_XDIST := $(if $(filter 0,$(XDIST)),,-n $(XDIST))
OUT ?= demo-output

.PHONY: demo test test-all docs notebooks vignettes bench lint gpu-check clean help

help:
	@echo "make demo      install probstat and run the tour (figures + $(OUT)/report.md)"
	@echo "make test      install test dependencies and run the default suite"
	@echo "make test-all  the suite including slow cases"
	@echo "make docs      build the Sphinx site (warnings are errors) into docs/_build/html"
	@echo "make notebooks open the vignettes in JupyterLab (installs the notebook extra)"
	@echo "make vignettes re-execute every vignette in place (after changing the code)"
	@echo "make bench     run the benchmarks against peer packages"
	@echo "make lint      ruff"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.stamp-base: pyproject.toml | $(PY)
	$(PIP) install -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@touch $@

$(VENV)/.stamp-docs: pyproject.toml | $(PY)
	$(PIP) install -e ".[docs]"
	@touch $@

$(VENV)/.stamp-notebook: pyproject.toml | $(PY)
	$(PIP) install -e ".[notebook]"
	@touch $@

$(VENV)/.stamp-bench: pyproject.toml | $(PY)
	$(PIP) install -e ".[bench]"
	@touch $@

demo: $(VENV)/.stamp-base
	$(PY) -m probstat tour --out $(OUT)

test: $(VENV)/.stamp-test
	$(PY) -m pytest -m "not slow" $(PYTEST_XDIST) $(PYTEST_ARGS)

test-all: $(VENV)/.stamp-test
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

docs: $(VENV)/.stamp-docs
	rm -rf docs/api/generated
	$(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html

notebooks: $(VENV)/.stamp-notebook
	$(VENV)/bin/jupyter lab vignettes/

# Vignettes are committed with their outputs; the test suite checks that they are current.
vignettes: $(VENV)/.stamp-test
	cd vignettes && for nb in *.ipynb; do env -u MPLBACKEND $(abspath $(VENV))/bin/jupyter-execute --inplace $$nb || exit 1; done

bench: $(VENV)/.stamp-bench
	$(PY) benchmarks/run_all.py

lint: $(VENV)/.stamp-test
	$(PY) -m ruff check probstat tests benchmarks

gpu-check: $(VENV)/.stamp-test
	$(PY) benchmarks/gpu_check.py

clean:
	rm -rf $(VENV) docs/_build docs/api/generated $(OUT) .pytest_cache
