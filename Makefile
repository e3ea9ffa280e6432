# Systematisk uppföljning – the two commands: `make report` and `make test`.
# Without make (Windows, Anaconda): python -m helpers.tasks <target> does the same (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installerad
PERIOD ?= 2025
CONFIG ?= config/exempelkommun.yml
DEMO_CLIENTS ?= 5000

.PHONY: help setup systemdeps demo report test test-fast test-minimum lock lab benchmark clean

help: ## Visa kommandona
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test]'
	@# Optional IRI checker that costs ~3 s per process importing nbformat; nothing here needs it.
	$(PY) -m pip uninstall -y -q rfc3987-syntax || true
	@# The kernel "Uppföljning" for JupyterLab, and nbstripout as the git filter for notebooks.
	$(PY) -m helpers.tasks setup
	touch $(STAMP)

setup: $(STAMP) systemdeps ## Skapa .venv, installera allt, registrera kärnan och git-filtret

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

test-minimum: setup ## Helhetstesterna i en andra miljö med de lägsta versionerna (constraints/minimum.txt)
	$(PY) -m helpers.tasks test-minimum

lock: setup ## Lås versionerna för serverkörningen i constraints/server.txt (efter make test)
	$(PY) -m helpers.tasks lock

lab: setup ## Öppna notebooks i JupyterLab (även som root, t.ex. i en container)
	$(PY) -m helpers.tasks lab --clients $(DEMO_CLIENTS)

benchmark: setup ## Prestandamätningar (import, indikatorer, rapport: körverktyget mot naiv väg)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b; done

clean: ## Ta bort genererade rapporter (data och .venv lämnas)
	rm -rf reports/[0-9]*
