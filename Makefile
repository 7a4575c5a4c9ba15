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
# the report of a CONFIG run gets its own name, so it never overwrites the default run's
REPORT ?= $(if $(CONFIG),results/report-$(basename $(notdir $(CONFIG))).html,results/report.html)

.PHONY: env figures test test-fast dry-run lint clean-results help

help:
	@echo "make figures   - create .venv, run the default workflow, write results/figures/* and results/report.html"
	@echo "make test      - create .venv, run the test suite"
	@echo "make dry-run   - show the jobs the default config would run"
	@echo "make lint      - snakemake --lint"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[workflow,test]"
	touch $(STAMP)

env: $(STAMP)

figures: $(STAMP)
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) \
		$(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)
	$(BIN)/snakemake --report $(REPORT) $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not workflow"

dry-run: $(STAMP)
	$(BIN)/snakemake -n --workflow-profile workflow/profiles/default $(if $(CONFIG),--configfile $(CONFIG))

lint: $(STAMP)
	$(BIN)/snakemake --lint

clean-results:
	rm -rf results .snakemake
