# The README's contract: `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/.state/dagster
export UV_PYTHON_DOWNLOADS := never
export PYTHONUNBUFFERED := 1

.PHONY: help install install-spark warehouse demo demo-advance demo-remove dagster-home pipeline run serve test test-fast test-e2e test-faults test-slow test-spark publish-spark close-period-spark lint stop dbt-docs close-period statement payroll accrual backup restore bench screenshot

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo "ports in use: Dagster UI $${DAGSTER_PORT:-3000} (DAGSTER_PORT), app $${APP_PORT:-8501} (APP_PORT)"

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed: set PYTHON=/path/to/python3.11")'
	@echo "install: creating $(VENV) with the locked dependencies (first time: a few minutes)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@start=$$(date +%s); $(VENV)/bin/uv sync --frozen --inexact --quiet \
	  && echo "install: done in $$(( $$(date +%s) - start ))s"
	@touch $@

install: $(VENV)/.installed ## create .venv and install the locked dependencies

dagster-home: install ## write the Dagster instance settings into DAGSTER_HOME (see dagster.yaml)
	@$(PY) -m orchestration.instance

warehouse: install ## start (or reuse) the embedded PostgreSQL unless WAREHOUSE_URL is set
	@$(PY) -m ingestion.platform start

demo: warehouse ## build the demo company's sources beside the warehouse
	@$(PY) -m ingestion.demo build

demo-remove: warehouse dagster-home ## own data set: drop the demo's rows (raw, models, closed months), rebuild from yours
	@$(PY) -m orchestration.demo_removal
	@$(PY) -m orchestration.run_pipeline

DAYS ?= 1
demo-advance: warehouse ## move the demo sources DAYS days forward (new leads, stage moves, orders)
	@$(PY) -m ingestion.demo advance --days $(DAYS)

pipeline: demo dagster-home ## run the warehouse pipeline job once (no UIs)
	@$(PY) -m orchestration.run_pipeline

run: pipeline ## set up, run the pipeline on the demo, serve the Dagster UI and the app (ports below)
	@$(PY) -m orchestration.serve

close-period: warehouse dagster-home ## freeze commission months: make close-period PERIOD=YYYY-MM[..YYYY-MM]
	@test -n "$(PERIOD)" || { echo "close-period: give the month or range, e.g. make close-period PERIOD=2026-01 or PERIOD=2026-01..2026-10"; exit 2; }
	@$(PY) -m orchestration.incentives close-period $(PERIOD)

# LANG names the statement's language (zh|en) here, not a locale: the recipe runs Python in C.UTF-8.
statement: warehouse ## a rep's statement: make statement REP=<rep_id> PERIOD=YYYY-MM [FORMAT=html|pdf|csv] [LANG=zh|en]
	@test -n "$(REP)" -a -n "$(PERIOD)" || { echo "statement: e.g. make statement REP=70000001 PERIOD=2026-10 FORMAT=pdf LANG=zh"; exit 2; }
	@LANG=C.UTF-8 $(PY) -m orchestration.incentives statement $(REP) $(PERIOD) --format $(or $(FORMAT),html) --lang $(if $(filter zh,$(LANG)),zh,en)

payroll: warehouse ## the payroll file of a closed month: make payroll PERIOD=YYYY-MM [FORMAT=csv|xlsx] -> exports/
	@test -n "$(PERIOD)" || { echo "payroll: give a closed month, e.g. make payroll PERIOD=2026-10 FORMAT=xlsx"; exit 2; }
	@$(PY) -m orchestration.incentives payroll $(PERIOD) --format $(or $(FORMAT),csv)

accrual: warehouse ## the accrual journal of an open month: make accrual PERIOD=YYYY-MM -> exports/
	@test -n "$(PERIOD)" || { echo "accrual: give an open month, e.g. make accrual PERIOD=2026-11"; exit 2; }
	@$(PY) -m orchestration.incentives accrual $(PERIOD)

backup: warehouse ## dump what cannot be rebuilt (closed months, approvals, disputes) to .state/backups: make backup [SCOPE=all]
	@$(PY) -m ingestion.platform.backup create --scope $(or $(SCOPE),irreplaceable)

restore: warehouse ## restore a backup (default the newest): make restore [FILE=path] [FORCE=1], then make pipeline
	@$(PY) -m ingestion.platform.backup restore $(if $(FILE),--file "$(FILE)") $(if $(filter 1,$(FORCE)),--force)

test: install ## run the test suite (the slow end-to-end and fault-injection suites: make test-e2e, make test-faults)
	@$(PY) -m pytest

test-fast: install ## run only the tests that need no database (pure Python, under a minute)
	@$(PY) -m pytest -q -m 'not needs_db and not faults'

test-e2e: install ## the slow end-to-end tests: the app in Chromium, backup/restore drills, own data and the demo end to end, blocking checks, dbt start-up
	@$(PY) -m pytest -m e2e

test-faults: install ## run only the slow fault-injection tests (kill -9, restarts, concurrent runs)
	@$(PY) -m pytest -m faults

test-slow: install-spark ## what CI runs beside make test: the end-to-end, fault-injection and Spark suites in one session, so the pipeline runs they share are made once (Spark's tests skip, saying why, without Java)
	@$(PY) -m pytest -m 'e2e or faults or spark'

test-scale: install ## the sharded benchmark company (XL's generator at S2) through the whole pipeline, 10-25 min (bench/README.md)
	@$(PY) -m pytest -m scale

install-spark: install ## add the spark extra (pyspark, dbt-spark) to .venv; the Spark targets run it
	@$(VENV)/bin/uv sync --frozen --inexact --extra spark --quiet

test-spark: install-spark ## the Spark suite: the project on a local SparkSession (needs Java; docs/spark.md)
	@command -v java >/dev/null || { echo "test-spark: needs Java 17 (Debian: apt-get install openjdk-17-jre-headless)"; exit 2; }
	@$(PY) -m pytest -m spark tests/spark

publish-spark: warehouse install-spark ## copy the marts built on Spark into PostgreSQL's marts (RLS, app): make publish-spark [MODELS=a,b]
	@$(PY) -m orchestration.spark_publish $(if $(MODELS),--models "$(MODELS)")

close-period-spark: install-spark ## freeze commission months in the Spark store: make close-period-spark PERIOD=YYYY-MM[..YYYY-MM]
	@test -n "$(PERIOD)" || { echo "close-period-spark: give the month or range, e.g. make close-period-spark PERIOD=2026-01"; exit 2; }
	@$(PY) -m orchestration.spark_period_close $(PERIOD)

SCALE ?= S
RUNS ?= 3
ENGINE ?= postgres
bench: install ## measure every step at SCALE=S|L|XL [ENGINE=spark] in a separate warehouse (bench/README.md)
	@if [ "$(ENGINE)" = spark ]; then \
	  command -v java >/dev/null || { echo "bench: ENGINE=spark needs Java 17 (Debian: apt-get install openjdk-17-jre-headless)"; exit 2; }; \
	  $(VENV)/bin/uv sync --frozen --inexact --extra spark --quiet; fi
	@$(PY) -m bench --scale $(SCALE) --runs $(RUNS) --engine $(ENGINE)

lint: install ## ruff and sqlfluff
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

dbt-docs: warehouse ## generate the dbt docs site into dbt_project/target
	@$(PY) -m ingestion.platform exec -- $(VENV)/bin/dbt docs generate --project-dir dbt_project --profiles-dir dbt_project

screenshot: warehouse ## every page of the app at 1440 and 390 px in zh and en into docs/images (after make pipeline)
	@$(PY) -m app.screenshot

stop: ## stop the UIs, the demo servers and the embedded warehouse
	@if [ -x $(PY) ]; then $(PY) -m orchestration.serve --stop; $(PY) -m ingestion.platform stop; fi
