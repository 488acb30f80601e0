# Fresh machine: `make run` or `make test`. Both share the idempotent `make setup`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := espeak-ng sox ffmpeg libsndfile1 chromium chromium-driver postgresql redis-server
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ORT_DISABLE_TELEMETRY := 1

.PHONY: setup run test lint typecheck bench clean-venv

setup: $(VENV)/.installed
	@$(BIN)/permanence models fetch

# Debian packages only when one is missing (CI and new machines run as root).
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# torch first, on its own: any other spec pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | apt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

# The embedded CalDAV server (Radicale) starts with the line unless PERMANENCE_CALDAV_URL is set.
run: setup
	PERMANENCE_AGENDA__EMBEDDED_CALDAV=$${PERMANENCE_AGENDA__EMBEDDED_CALDAV:-true} $(BIN)/permanence start

test: setup
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean-venv:
	rm -rf $(VENV)
