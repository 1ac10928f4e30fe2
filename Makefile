# Regio — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
MO := regio/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test install lint bench translations screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

$(MO): regio/translations/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d regio/translations -D messages

install: $(STAMP) $(MO)

## Run Regio on http://localhost:5000 (SQLite, seeded with the four meetings moved ahead).
run: install
	$(BIN)/regio db upgrade
	$(BIN)/regio seed --demo
	@echo "Mail goes to instance/outbox/*.eml (regio mail send runs alongside)."
	$(BIN)/regio mail send --interval 2 & trap "kill $$! 2>/dev/null" EXIT; \
	$(BIN)/regio run --host 127.0.0.1 --port 5000

## Run the whole test suite (SQLite; PostgreSQL too when REGIO_TEST_POSTGRES_URL is set).
test: $(TEST_STAMP) $(MO)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

bench: $(TEST_STAMP) $(MO)
	$(BIN)/python -m bench

## Screenshots of the public pages (phone and desktop) into docs/screenshots/.
screenshots: $(TEST_STAMP) $(MO)
	$(BIN)/python scripts/screenshots.py

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o regio/translations/messages.pot .
	$(BIN)/pybabel update -i regio/translations/messages.pot -d regio/translations -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/regio.sqlite3*
