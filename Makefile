# The README's commands. `make run` and `make test` work on a fresh clone: they create the
# virtualenv and install the locked dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench messages install setup lock clean screenshots backup

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/dev.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies

setup: install ## Migrate, load the 23 measures, seed the demo accounts
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_policy
	$(BIN)/python manage.py seed_demo

run: setup ## Set up, then serve the site with a Celery worker and beat on http://127.0.0.1:8000
	@echo "Policy Portal: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)  Ctrl-C stops all."
	$(BIN)/honcho start -f Procfile

test: install ## Run the whole test suite (two processes, as the machine has two cores)
	$(BIN)/python -m pytest -n 2

lint: install ## Lint, check formatting, and check that imports run downward (ARCHITECTURE.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: install ## Save the main pages of each role in Chromium at 1280 px, and the enterprise and public pages at 375 px (phone), to var/screenshots/
	@mkdir -p var/screenshots
	SCREENSHOTS_DIR=var/screenshots $(BIN)/python -m pytest -q tests/browser
	@echo "Screenshots: var/screenshots/"

bench: install ## Run the benchmarks (by hand; they print ratios)
	$(BIN)/python bench/run.py

backup: install ## Back up the database and the documents into a new directory under var/backups/
	$(BIN)/python manage.py backup

messages: install ## Update and compile the English catalogue
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

lock: ## Re-pin the dependencies from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements/base.lock --generate-hashes --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements/dev.lock --generate-hashes --python-version 3.11

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
