# Systematisk uppföljning – the two commands: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installerad
PERIOD ?= 2025
CONFIG ?= config/exempelkommun.yml
DEMO_CLIENTS ?= 5000

.PHONY: help setup systemdeps demo report test test-fast lab benchmark clean

help: ## Visa kommandona
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test]'
	@# Optional IRI checker that costs ~3 s per process importing nbformat; nothing here needs it.
	$(PY) -m pip uninstall -y -q rfc3987-syntax || true
	touch $(STAMP)

setup: $(STAMP) systemdeps ## Skapa .venv och installera allt

systemdeps: ## Systempaket (Chromium, poppler, typsnitt) om de saknas
	@sh .ci/systemdeps.sh

demo: setup ## Skapa demodata för Exempelkommun om de saknas
	$(BIN)/uppfoljning demo --data-dir data --clients $(DEMO_CLIENTS)

report: demo ## Kör hela kedjan för demoperioden och skriv rapporten
	$(BIN)/uppfoljning run --period $(PERIOD) --config $(CONFIG) --all-units

test: setup ## Hela testsviten
	$(BIN)/pytest -q

test-fast: setup ## Testerna utom de långsamma
	$(BIN)/pytest -q -m "not slow and not browser"

lab: setup demo ## Öppna notebooks i JupyterLab
	cd notebooks && ../$(BIN)/jupyter lab

benchmark: setup ## Prestandamätningar (import, indikatorer, rapport: körverktyget mot naiv väg)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b; done

clean: ## Ta bort genererade rapporter (data och .venv lämnas)
	rm -rf reports/[0-9]*
