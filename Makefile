# undercut — the README's commands. Everything runs from .venv; nothing needs a service started by hand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ARCHIVE ?= $(abspath ../shared/data)
DEV_PORT ?= 3000
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# the UI tests drive Debian's chromium, the warehouse tests Debian's postgresql (installed by setup when missing;
# needs root or sudo)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
export DAGSTER_HOME ?= $(abspath $(or $(UNDERCUT_HOME),.undercut))/dagster

.PHONY: setup test lint typecheck pytest run dev dbt bench lock clean

setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==0.13.9
	# bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (CI), every process would recompile dagster
	$(BIN)/uv pip sync --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	$(BIN)/undercut --help > /dev/null
	test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	# the warehouse tests start a real PostgreSQL (the DuckLake catalog for several machines)
	ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }

test: lint typecheck pytest

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

pytest:
	UNDERCUT_TEST_ARCHIVE=$(ARCHIVE) $(BIN)/pytest -n 2 --dist loadgroup

run:
	$(BIN)/undercut run

dbt:
	UNDERCUT_HOME=$(abspath $(or $(UNDERCUT_HOME),.undercut)) $(BIN)/dbt build --project-dir dbt_project --profiles-dir dbt_project

dev:
	$(BIN)/python -m orchestration.deployment  # $(DAGSTER_HOME)/dagster.yaml from the UNDERCUT_* settings
	$(BIN)/dagster dev -h 127.0.0.1 -p $(DEV_PORT)  # code location from pyproject.toml's [tool.dagster]

bench:
	$(BIN)/python benchmarks/bench_sim.py

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -p 3.11 -o requirements.lock

clean:
	rm -rf .undercut .pytest_cache .mypy_cache .ruff_cache
