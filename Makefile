# The workshop's commands. `make lab` and `make test` are the only two a fresh machine needs.
SHELL := /bin/bash
# Empty: scripts/make_venv.sh picks the first Python 3.11.5 to 3.13 among python3, python3.13, python3.12, python3.11.
PYTHON ?=
VENV := .venv
PY := $(VENV)/bin/python
# Empty: the local cloud takes 4566, or a free port when another user's has it, and records it in its state
# file, where the notebooks and the CLI find it. `make lab PORT=4567` forces a port.
PORT ?=
BENCH_ARGS ?=
JUPYTER_PORT ?= 8888
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# Native Windows (cmd or PowerShell set OS=Windows_NT; Git Bash, MSYS2 and Cygwin report MINGW, MSYS or CYGWIN).
# WSL2 is Linux, so neither applies there.
UNAME_S ?= $(shell uname -s 2>/dev/null)
NATIVE_WINDOWS := $(or $(filter Windows_NT,$(OS)),$(filter MINGW% MSYS% CYGWIN%,$(UNAME_S)))

.PHONY: not-windows setup bundle lab test run bench present clean cloud-start cloud-stop cloud-status cloud-env cloud-logs lint strip

# An offline bundle (`make bundle`, complete once its manifest.json is written): when one is given
# (BUNDLE=path) or found in bundle/, `make setup` installs the learners' packages from it with no network.
BUNDLE ?= $(patsubst %/manifest.json,%,$(wildcard bundle/manifest.json))
BUNDLE_ARGS ?=
ifneq ($(strip $(BUNDLE)),)
# Quoted, and not through $(abspath), which splits a path with a space ("~/Documents/AWS Workshop") into two.
BUNDLE_DIR := $(if $(filter /%,$(BUNDLE)),$(BUNDLE),$(CURDIR)/$(BUNDLE))
PIP_SOURCE := --no-index --find-links "$(BUNDLE_DIR)/wheels"
PIP_REQUIREMENTS := requirements.txt
NPM_SOURCE := --offline --cache "$(BUNDLE_DIR)/npm-cache"
else
PIP_SOURCE :=
PIP_REQUIREMENTS := requirements-dev.txt
NPM_SOURCE :=
endif

# notebooks/exercises shows exercises/ in JupyterLab; a copy (macOS `cp -r`, a FAT stick) loses the link: made again.
setup: not-windows $(VENV)/.installed node_modules/.installed  ## install Python and Node dependencies (idempotent; BUNDLE=path: offline)
	@$(PY) -m workshop_utils.teaching.exercise_link

not-windows:
ifneq ($(NATIVE_WINDOWS),)
	@echo "Native Windows is not supported: install Ubuntu in WSL2 (\`wsl --install -d Ubuntu\` in PowerShell), then run make lab inside it." >&2
	@exit 1
endif

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml | not-windows
	@sh scripts/make_venv.sh "$(VENV)" "$(PYTHON)"
	$(if $(PIP_SOURCE),,$(PY) -m pip install --quiet --upgrade pip)
	$(PY) -m pip install --quiet $(PIP_SOURCE) -r $(PIP_REQUIREMENTS) -c constraints.txt
	$(PY) -m pip install --quiet $(PIP_SOURCE) --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json | not-windows
	npm ci --no-audit --no-fund --loglevel=error $(NPM_SOURCE)
	@touch $@

bundle: setup  ## every learner platform's wheels and the CDK CLI in bundle/, for `make setup` with no network
	$(PY) -m workshop_utils.tools.bundle --out bundle $(BUNDLE_ARGS)

cloud-start: setup  ## start the local cloud (idempotent)
	$(PY) -m workshop_utils.local_cloud start $(if $(PORT),--port $(PORT))

cloud-stop:  ## stop the local cloud and every worker it started
	@test -x $(PY) && $(PY) -m workshop_utils.local_cloud stop || true

cloud-status: setup
	-$(PY) -m workshop_utils.local_cloud status

cloud-env: setup  ## print `export` lines (endpoint, this cloud's own keys) for a terminal: eval "$$(make -s cloud-env)"
	@$(PY) -m workshop_utils.local_cloud status --env

cloud-logs: setup
	$(PY) -m workshop_utils.local_cloud logs

# use_redirect_file=False: the browser opens an http:// URL, as a redirect file under WSL2 is not found from Windows.
lab: cloud-start  ## set up, start the local cloud, open the workshop in JupyterLab (no news pop-up: .jupyterlab/overrides.json)
	$(if $(PORT),LOCAL_CLOUD_PORT=$(PORT) )$(VENV)/bin/jupyter lab --notebook-dir=notebooks --LabApp.default_url=/lab/tree/00_setup.ipynb --port=$(JUPYTER_PORT) --LabApp.app_settings_dir="$(CURDIR)/.jupyterlab" --ServerApp.use_redirect_file=False $(if $(filter 0,$(shell id -u)),--allow-root,)

test: setup  ## set up, then run every test
	$(PY) -m pytest

run: setup  ## execute every notebook headless on a local cloud of its own; HTML copies go to build/
	$(PY) -m workshop_utils.tools.run_notebooks --out build $(NOTEBOOKS)

bench: setup  ## both patterns at notebook 03's load on a private local cloud (BENCH_ARGS="--rate 20 --duration 30" for a soak)
	$(PY) -m workshop_utils.measure.bench --target local $(BENCH_ARGS) --json build/bench.json

# The stage template (share/jupyter/voila/templates/stage) loads nothing from the network and ends a reloaded or
# closed page's kernel at once; one that survives (a crashed browser) is culled after 5 idle minutes. --token: the
# page drives your local cloud, so another user on this machine's loopback must not open it (open the printed URL).
present: cloud-start  ## the presenter dashboard (Voila)
	JUPYTER_PATH="$(CURDIR)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" $(if $(PORT),LOCAL_CLOUD_PORT=$(PORT) )$(VENV)/bin/voila notebooks/presenter_dashboard.ipynb --template=stage --port=$(JUPYTER_PORT) --Voila.ip=127.0.0.1 --token --no-browser --MappingKernelManager.cull_interval=60 --MappingKernelManager.cull_idle_timeout=300

lint: setup
	$(VENV)/bin/ruff check .

strip: setup  ## remove outputs from every notebook before committing
	$(VENV)/bin/nbstripout notebooks/*.ipynb

clean: cloud-stop  ## remove build output and local state (keeps .venv and node_modules)
	@test -x $(PY) && $(PY) -m workshop_utils.deploy.warm_synth stop || true
	rm -rf build cdk.out .local_cloud .pytest_cache
