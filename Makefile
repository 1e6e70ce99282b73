# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench check schema catalogs extract update clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The product's words: English ids in the code and templates, one gettext catalog per language.
LOCALE := audit_api/locale

## catalogs: compile every language's catalog (.po) into what the product reads (.mo, build output)
catalogs: install
	$(BIN)/pybabel --quiet compile --domain messages --directory $(LOCALE)

## extract: collect every word the code and templates use (babel.cfg) into the catalogs' template
extract: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --keyword N_ --keyword NP_:1c,2 --add-comments TRANSLATORS: --no-location --sort-output \
		--project audit-api --header-comment "# The product's own words (English ids), from \`make extract\`: do not edit." \
		--output-file $(LOCALE)/messages.pot .

## update: bring every catalog in line with the template (new words arrive empty, changed ones fuzzy), then translate them
update: extract
	$(BIN)/pybabel update --domain messages --input-file $(LOCALE)/messages.pot --output-dir $(LOCALE) --ignore-obsolete

## run: migrate, load the demo book, build the public site and serve both on http://127.0.0.1:8000
run: install catalogs
	$(BIN)/audit db migrate
	$(BIN)/audit load
	$(BIN)/audit site build
	$(BIN)/audit serve

## test: lint, type-check (mypy, strict), then the whole test suite on every core (pytest-xdist; the tests of one xdist_group share a process, and so their costly module fixtures)
test: install catalogs
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m compileall -q audit_api  # the tests start `audit` processes by the dozen: each then reads bytecode (0.3 s less), PYTHONDONTWRITEBYTECODE or not
	$(BIN)/pytest -n auto --dist loadgroup

## bench: the server under load from a second process (and `audit serve` with 1 and 2 workers), the site build for 250 and 1000 stores, the metrics over a million answers, the privacy purge while answers come in, the CSV export of 100,000 audits, every report and list over a two-year chain (issue 13), `audit load` of 500 to 2,000 stores and its unchanged reload (issue 14)
bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.site
	$(BIN)/python -m bench.metrics
	$(BIN)/python -m bench.purge
	$(BIN)/python -m bench.export
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.book_load

## check: validate the standards book
check: install
	$(BIN)/audit check

## schema: regenerate the book's JSON Schemas after changing the Structs
schema: install
	$(BIN)/audit schema

clean:
	rm -rf $(VENV) var build *.egg-info
