# The workshop's commands. `make lab` and `make test` are the only two a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 4566
BENCH_ARGS ?= --requests 200 --concurrency 10
JUPYTER_PORT ?= 8888
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))

.PHONY: setup lab test run bench present clean cloud-start cloud-stop cloud-status cloud-logs lint strip

setup: $(VENV)/.installed node_modules/.installed  ## install Python and Node dependencies (idempotent)

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

cloud-start: setup  ## start the local cloud (idempotent)
	$(PY) -m workshop_utils.local_cloud start --port $(PORT)

cloud-stop:  ## stop the local cloud and every worker it started
	@test -x $(PY) && $(PY) -m workshop_utils.local_cloud stop || true

cloud-status: setup
	-$(PY) -m workshop_utils.local_cloud status

cloud-logs: setup
	$(PY) -m workshop_utils.local_cloud logs

lab: cloud-start  ## set up, start the local cloud, open the workshop in JupyterLab
	LOCAL_CLOUD_PORT=$(PORT) $(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(JUPYTER_PORT) $(if $(filter 0,$(shell id -u)),--allow-root,)

test: setup  ## set up, then run every test
	$(PY) -m pytest

run: setup  ## execute every notebook headless on a local cloud of its own; HTML copies go to build/
	$(PY) -m workshop_utils.run_notebooks --out build $(NOTEBOOKS)

bench: setup  ## benchmark both patterns on the local cloud (BENCH_ARGS="--rate 20 --duration 30" for a soak)
	$(PY) -m workshop_utils.bench --target local $(BENCH_ARGS) --json build/bench.json

# The stage template (share/jupyter/voila/templates/stage) loads nothing from the network; a reloaded page's old
# kernel, no longer connected, is shut down after 5 idle minutes instead of piling up.
present: cloud-start  ## the presenter dashboard (Voila)
	JUPYTER_PATH=$(CURDIR)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH} LOCAL_CLOUD_PORT=$(PORT) $(VENV)/bin/voila notebooks/presenter_dashboard.ipynb --template=stage --port=$(JUPYTER_PORT) --no-browser --MappingKernelManager.cull_interval=60 --MappingKernelManager.cull_idle_timeout=300

lint: setup
	$(VENV)/bin/ruff check .

strip: setup  ## remove outputs from every notebook before committing
	$(VENV)/bin/nbstripout notebooks/*.ipynb

clean: cloud-stop  ## remove build output and local state (keeps .venv and node_modules)
	rm -rf build cdk.out .local_cloud .pytest_cache
