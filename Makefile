# nonrecip — two commands do everything on a fresh machine:
#   make figures   create .venv, install the package, run the default sweep, write every figure
#   make test      same set-up, run the whole test suite
# Variables: CORES (default: all), CONFIG (extra --configfile), PYTHON (interpreter for the venv).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all
CONFIG ?=
SNAKEMAKE_ARGS ?=
# the report goes beside the run's results (results_dir of config/config.yaml, then of CONFIG)
REPORT ?= $(shell $(BIN)/python -m nonrecip.pipeline.config config/config.yaml $(CONFIG) 2>/dev/null || echo results)/report.html
PROFILE := --workflow-profile workflow/profiles/default

.PHONY: env figures test test-fast docs dry-run lint unlock lock clean-results help

help:
	@echo "make figures   - create .venv, run the default workflow, write results/figures/* and results/report.html"
	@echo "make test      - create .venv, run the test suite"
	@echo "make docs      - build the documentation site into build/site (gallery from results/figures)"
	@echo "make dry-run   - show the jobs the default config would run"
	@echo "make lint      - snakemake --lint"
	@echo "make lock      - re-resolve the dependencies into envs/requirements.lock"
	@echo "make unlock    - release the lock a killed run left on the results (snakemake --unlock)"
	@echo "variables: CORES=n  CONFIG=extra.yaml  SNAKEMAKE_ARGS='...' (passed to every snakemake call)"

LOCK   := envs/requirements.lock

# the tested versions of every dependency (LOCK) within the ranges of pyproject.toml
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(LOCK) -e ".[workflow,test,docs]"
	touch $(STAMP)

# newest versions within pyproject.toml's ranges, frozen into LOCK (then run make test and commit)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/python -m pip install -q -e ".[workflow,test,docs]"
	{ sed -n '1,2p' $(LOCK); .venv-lock/bin/python -m pip freeze --exclude-editable; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .venv-lock

env: $(STAMP)

figures: $(STAMP)
	$(BIN)/snakemake $(PROFILE) --cores $(CORES) $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)
	$(BIN)/snakemake $(PROFILE) --report $(REPORT) $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

# the documentation site (theory, API, gallery of results/figures, tutorials) into build/site
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not workflow"

dry-run: $(STAMP)
	$(BIN)/snakemake -n $(PROFILE) $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)

lint: $(STAMP)
	$(BIN)/snakemake --lint $(SNAKEMAKE_ARGS)

unlock: $(STAMP)
	$(BIN)/snakemake $(PROFILE) --unlock $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)

clean-results:
	rm -rf results .snakemake
