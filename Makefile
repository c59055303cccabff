# Two promises: `make run` (set up, ingest, start the app) and `make test` (set up, run the tests).
# Each step is skipped when already done and verified.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROGRAMME_PDF := corpus/documents/module-9-5-programme.pdf

.PHONY: model llm-model fiches setup run ingest ui test lint clean help

help:
	@echo "make run   — installe, télécharge le modèle, indexe le corpus, lance l'application (port 8501)"
	@echo "make test  — installe puis lance les tests"
	@echo "make setup — installe seulement (environnement, modèle, PDF du programme, fiches service-public)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

model: $(STAMP)
	$(BIN)/python -m assistant.model_store

# The small generative model the tests serve with llama.cpp (not needed by `make run`).
llm-model: $(STAMP)
	$(BIN)/python -m assistant.model_store --llm

$(PROGRAMME_PDF): corpus/src/module-9-5-programme.txt corpus/build_programme_pdf.py $(STAMP)
	$(BIN)/python corpus/build_programme_pdf.py --out $@

fiches: $(STAMP)
	$(BIN)/python corpus/fetch_fiches.py

setup: $(STAMP) model $(PROGRAMME_PDF) fiches

ingest: setup
	$(BIN)/npnru ingest

run: ingest
	$(BIN)/npnru ui

test: setup llm-model
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf data .pytest_cache
