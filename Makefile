# Developer interface. `make help` lists targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_WAREHOUSE := $(CURDIR)/target/test_warehouse/kalshi_weather.duckdb

.DEFAULT_GOAL := help
.PHONY: help install demo test lint dbt-test pytest report bench bench-scale clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# uv installs the same locked versions as pip would, in about a seventh of the time
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

demo: $(STAMP) ## land the offline sample, build, train the delta models, write the report, print counts, the verdict and a replayed trader day
	$(BIN)/python -m pipelines run --source sample
	$(BIN)/python -m pipelines build --quiet
	$(BIN)/python -m models_ml train --step 180 --iterations 20 --trials 1  # small: a demo, not the full fit
	$(BIN)/python -m models_ml evaluate --step 180
	$(BIN)/python -m models_ml predict --period test
	$(BIN)/python -m pipelines build --quiet --select path:dbt_project/models/staging/ml path:dbt_project/models/marts/ml
	$(BIN)/python -m pipelines report
	$(BIN)/python -m pipelines summary
	$(BIN)/python -m trader replay --simulated --compare-backtest

lint: $(STAMP) ## ruff, mypy and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests  # target lint: in-memory DuckDB

dbt-test: $(STAMP) ## dbt build on a throwaway warehouse loaded with the sample
	rm -rf $(dir $(TEST_WAREHOUSE))
	WAREHOUSE_PATH=$(TEST_WAREHOUSE) $(BIN)/python -m pipelines run --source sample
	WAREHOUSE_PATH=$(TEST_WAREHOUSE) $(BIN)/python -m pipelines build --quiet --target-path target/test_dbt
	WAREHOUSE_PATH=$(TEST_WAREHOUSE) $(BIN)/python -m pipelines summary

pytest: $(STAMP) ## the pytest suite (one worker per core; an idle worker steals queued tests)
	$(BIN)/pytest -n auto --dist worksteal

test: ## everything CI runs: lint beside the dbt build on a throwaway warehouse, then pytest
	$(MAKE) --no-print-directory -j2 --output-sync=target lint dbt-test
	$(MAKE) --no-print-directory pytest

report: $(STAMP) ## write the go/kill HTML report to warehouse/reports/
	$(BIN)/python -m pipelines report

bench: $(STAMP) ## benchmark every performance target in one table (70 station-years; see bench/README.md)
	$(BIN)/python -m bench.run

bench-scale: $(STAMP) ## the 700-station-year scale run (70 stations x 10 years); `make bench` then shows both
	$(BIN)/python -m bench.run --scale

clean: ## remove the venv, dbt target and the local warehouse
	rm -rf $(VENV) target logs warehouse/*.duckdb warehouse/*.duckdb.lock warehouse/.dlt_pipelines
