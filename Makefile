# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench check schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: migrate, load the demo book, build the public site and serve both on http://127.0.0.1:8000
run: install
	$(BIN)/audit db migrate
	$(BIN)/audit load
	$(BIN)/audit site build
	$(BIN)/audit serve

## test: lint, type-check (mypy, strict), then the whole test suite
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

## bench: the server under load from a second process, then the site build for 250 and 1000 stores
bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.site

## check: validate the standards book
check: install
	$(BIN)/audit check

## schema: regenerate the book's JSON Schemas after changing the Structs
schema: install
	$(BIN)/audit schema

clean:
	rm -rf $(VENV) var build *.egg-info
