# The green-accounts pipeline. Run `make` (or `make help`) to list the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

YEAR ?= 2024
MUNICIPALITY ?=
WORKERS ?=
PAIRS ?=
FORCE ?=
EXECUTOR ?=
FROM ?=
TO ?=
MUNICIPALITIES ?=
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
JUPYTERLAB_VERSION := 4.6.6

# Run parameters reach the CLI as environment variables, quoted in the shell and never expanded by make
# ($(value …)), so YEAR='2024;touch x', a backquote or $(shell …) in a value is one bad argument that the
# CLI refuses, never a command.
unexport YEAR MUNICIPALITY WORKERS DATA_YEARS PAIRS MUNICIPALITIES FORCE EXECUTOR FROM TO
export GA_YEAR = $(value YEAR)
export GA_MUNICIPALITY = $(value MUNICIPALITY)
export GA_WORKERS = $(value WORKERS)
export GA_DATA_YEARS = $(value DATA_YEARS)
export GA_PAIRS = $(value PAIRS)
export GA_MUNICIPALITIES = $(value MUNICIPALITIES)
export GA_EXECUTOR = $(value EXECUTOR)
export GA_FROM = $(value FROM)
export GA_TO = $(value TO)
RUN_ARGS = --year "$$GA_YEAR" $(if $(value MUNICIPALITY),--municipality "$$GA_MUNICIPALITY") $(if $(value WORKERS),--workers "$$GA_WORKERS")
RENDER_ARGS = $(if $(filter-out 0,$(value FORCE)),--force) $(if $(value EXECUTOR),--executor "$$GA_EXECUTOR")

.PHONY: help setup fetch-emissions ingest validate report backfill pdf verify sample test test-fast bench bench-national lint format lab lock clean

help: ## Show this help
	@echo "Usage: make <target> [YEAR=2024] [MUNICIPALITY=151] [WORKERS=2]"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'

$(STAMP): $(LOCK) pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

setup: $(STAMP) ## Create or refresh .venv from the lock (done automatically by other targets)

fetch-emissions: $(STAMP) ## Fetch Energi- og CO2-regnskabet (key in KLIMAREGNSKAB_API_KEY) as edition YEAR into data/raw/YEAR
	$(PY) -m pipeline fetch-emissions $(RUN_ARGS) $(if $(value DATA_YEARS),--data-years "$$GA_DATA_YEARS")

ingest: $(STAMP) ## Read data/raw/YEAR deliveries into data/processed/YEAR/*.parquet
	$(PY) -m pipeline ingest $(RUN_ARGS)

validate: $(STAMP) ## Ingest + validate YEAR; preview the auditor's pages in data/interim/validation-preview/YEAR/
	$(PY) -m pipeline validate $(RUN_ARGS)

report: $(STAMP) ## Publish the green accounts for YEAR (MUNICIPALITY=151; FORCE=1 redoes unchanged ones too)
	$(PY) -m pipeline report $(RUN_ARGS) $(RENDER_ARGS)

backfill: $(STAMP) ## Publish every year FROM..TO with all notebooks in one pool (EXECUTOR=dask://host:port)
	$(PY) -m pipeline backfill --from "$$GA_FROM" --to "$$GA_TO" $(if $(value MUNICIPALITY),--municipality "$$GA_MUNICIPALITY") \
		$(if $(value WORKERS),--workers "$$GA_WORKERS") $(RENDER_ARGS)

pdf: $(STAMP) ## Print each published report of YEAR to reports/YEAR/pdf/ with Chromium
	$(PY) -m pipeline pdf $(RUN_ARGS)

verify: $(STAMP) ## Recompute the SHA-256 of every input of YEAR's published pages; exit 1 if any changed
	$(PY) -m pipeline verify --year "$$GA_YEAR"

sample: $(STAMP) ## Regenerate the seeded sample deliveries in data/raw/ (2019-2024)
	$(PY) -m tools.sample

test: $(STAMP) ## Run all tests (unit, backtests, end-to-end and browser checks)
	$(PY) -m pytest

test-fast: $(STAMP) ## Run the unit tests and the KPI backtest (no notebooks, no browser)
	$(PY) -m pytest tests/unit tests/backtests

bench: $(STAMP) ## Print timing figures for ingest, validation and rendering
	$(PY) -m tools.bench $(RUN_ARGS)

bench-national: $(STAMP) ## Time the pipeline on all 98 municipalities against the papermill floor [PAIRS=3] [MUNICIPALITIES=98]
	$(PY) -m tools.bench_national --year "$$GA_YEAR" $(if $(value WORKERS),--workers "$$GA_WORKERS") \
		$(if $(value PAIRS),--pairs "$$GA_PAIRS") $(if $(value MUNICIPALITIES),--municipalities "$$GA_MUNICIPALITIES")

lint: $(STAMP) ## Check code style with ruff
	$(VENV)/bin/ruff check pipeline tests tools

format: $(STAMP) ## Format code with ruff
	$(VENV)/bin/ruff format pipeline tests tools

lab: $(STAMP) ## Open JupyterLab (optional extra, installed on first use)
	$(PY) -m pip install --quiet "jupyterlab==$(JUPYTERLAB_VERSION)"
	$(VENV)/bin/jupyter lab notebooks/

lock: ## Rebuild requirements.lock from pyproject.toml in a scratch venv
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip setuptools wheel
	.lock-venv/bin/pip install --quiet ".[dev,dask]"
	{ echo "# Exact versions of every package in .venv. Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --all | grep -vE '^(pip|green-accounts-pipeline)[= @]'; } > $(LOCK)
	rm -rf .lock-venv

clean: ## Remove processed data and generated reports (raw data is never touched)
	rm -rf data/processed/* data/processed/.[0-9]* data/interim reports/* reports/.generations reports/.lock-* reports/.[0-9]*.switch-* logs
	@touch data/processed/.gitkeep reports/.gitkeep
