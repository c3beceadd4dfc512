# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AXE    := node_modules/axe-core/axe.min.js
PO     := $(wildcard locale/*/LC_MESSAGES/*.po)
MO     := $(PO:.po=.mo)
PYTEST_ARGS ?=
BENCH_ARGS ?=
# `make run HOST=0.0.0.0 PORT=8001`
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench translations extract-messages system-deps runtime-deps clean

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Compiled catalogs are build products; the .po files are the source.
locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/pybabel compile --input-file $< --output-file $@

translations: $(MO)

# Three gettext domains: `messages` (layout and service finder), `entitlements` (checker and rule texts) and `staff`.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --output-file locale/messages.pot --project Carebridge --version 0.1.0 --no-location --sort-output .
	$(BIN)/pybabel extract --mapping-file babel-entitlements.cfg --output-file locale/entitlements.pot --project Carebridge --version 0.1.0 --no-location --sort-output .
	$(BIN)/pybabel extract --mapping-file babel-staff.cfg --output-file locale/staff.pot --project Carebridge --version 0.1.0 --no-location --sort-output .
	for domain in messages entitlements staff; do for lang in en ar fa uk fr es; do \
	  if [ -f locale/$$lang/LC_MESSAGES/$$domain.po ]; then \
	    $(BIN)/pybabel update --input-file locale/$$domain.pot --output-dir locale --domain $$domain --locale $$lang --no-fuzzy-matching --ignore-obsolete; \
	  else \
	    $(BIN)/pybabel init --input-file locale/$$domain.pot --output-dir locale --domain $$domain --locale $$lang; \
	  fi; done; done

# Debian's Chromium for browser tests, espeak-ng for audio, fonts with Arabic script for PDF leaflets.
system-deps:
	bash scripts/install-system-deps

# Only what the pages use (espeak-ng and LAME for audio, Pango and Arabic-script fonts for PDF leaflets), for `make run`.
runtime-deps:
	bash scripts/install-system-deps --runtime

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The demo load does nothing when the same demo data is already loaded and the directory has not changed since;
# then the demo staff accounts (e-mails, password, TOTP key) are printed, with CAREBRIDGE_DEMO=true only.
# A background-job worker runs beside the server; Ctrl-C stops both (scripts/serve-with-worker).
run: install runtime-deps
	$(BIN)/carebridge keys init
	$(BIN)/carebridge db upgrade
	$(BIN)/carebridge demo load
	$(BIN)/carebridge demo accounts
	BIN=$(BIN) bash scripts/serve-with-worker $(BIN)/carebridge serve --host $(HOST) --port $(PORT)

# Pyflakes-level checks first (undefined names, unused imports, syntax): a second, then the tests.
test: install system-deps $(AXE)
	$(BIN)/ruff check --quiet --select F,E9 src tests bench
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# `make bench BENCH_ARGS=--write-docs` puts the figures into docs/performance.md.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var $(MO)
