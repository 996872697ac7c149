# LabIntake's front door. `make run` and `make test` set up everything they need.
PY      ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install run test lint bench bench-quick bench-accuracy audit clean services

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

## make run: start LabIntake on the embedded default (SQLite + local files + in-process workers)
run: $(STAMP)
	$(BIN)/labintake serve

## make test: lint and types, then every test, on SQLite and on PostgreSQL (started here if it is not running)
test: $(STAMP) lint services
	$(BIN)/pytest $(PYTEST_ARGS)

## make lint: ruff (lint and import order) and mypy, configured in pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy --config-file pyproject.toml

services:
	@bash scripts/ensure-services.sh

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

## make bench-accuracy: run extraction on the generated corpus and print, for the development set and the
## held-back set, F1/recall/precision, unit/range/flag and header accuracy, failures, second strategies and
## s/page per format. ACCURACY_ARGS=--quick for a few minutes; --set dev -v lists the development set's misses.
ACCURACY_ARGS ?=
bench-accuracy: $(STAMP)
	$(BIN)/python -m bench.accuracy $(ACCURACY_ARGS)

## make audit: known vulnerabilities in every installed (pinned) dependency
# First a probe: pip-audit looks up pip-audit itself, a release that certainly exists. If even that is
# "not found", the advisory service does not answer from here (no vulnerability data at all), and
# the audit says so instead of blaming the first dependency it tries.
AUDIT_PROBE = from packaging.version import Version; \
  from pip_audit._service import PyPIService; from pip_audit._service.interface import ResolvedDependency as D; \
  from importlib.metadata import version; v = version("pip-audit"); \
  r = PyPIService().query(D("pip-audit", Version(v)))[0]; \
  raise SystemExit(getattr(r, "skip_reason", None) and \
  "make audit: the advisory service cannot look up pip-audit " + v + " itself (" + r.skip_reason + \
  "): no vulnerability data reaches this machine, so nothing can be audited here; run it where it can")

audit: $(STAMP)
	$(BIN)/pip install -q -e '.[audit]'
	$(BIN)/python -c '$(AUDIT_PROBE)'
	$(BIN)/pip-audit --skip-editable --strict --progress-spinner off  # --strict: a package it cannot look up fails the audit

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
