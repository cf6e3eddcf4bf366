# Avis — the only commands anyone needs to remember.
#   make run    set everything up and serve the demo (SQLite)
#   make test   set everything up and run the whole suite on SQLite, then on PostgreSQL
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PGBIN  ?= /usr/lib/postgresql/15/bin
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), a test file per worker so that a file's
# servers start once; WORKERS=0 runs it in one process.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist loadfile
# The exact versions the suite passed with: every install here takes them (make constraints).
CONSTRAINTS := constraints.txt

.PHONY: help install install-test system-deps run serve test test-fast test-sqlite test-postgres test-future lint format bench clean translations constraints

help:
	@echo "make run | test | test-fast | test-future | lint | format | serve | bench | translations | constraints | clean"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	touch $@

# Resolve setup.cfg again, as a new user's `pip install '.[test]'` would today, in a
# throwaway venv, and pin what it installed. Only the package index is needed. Run it to
# take newer releases (or after changing the dependencies), then `make test` before
# committing the new constraints.txt.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade pip
	.venv-constraints/bin/pip install --quiet '.[test]'
	{ echo "# Exact versions of what \`pip install '.[test]'\` installs, with which the suite passed."; \
	  echo "# Regenerate with \`make constraints\` (a fresh venv resolving setup.cfg), then \`make test\`."; \
	  .venv-constraints/bin/pip freeze --all --exclude pip --exclude avis; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf .venv-constraints

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# What the tests need from Debian: Chromium for browser tests, poppler for PDF pages,
# Redis for the shared rate-limit test. Installed only when missing, and only as root.
DEB_PACKAGES := chromium chromium-driver poppler-utils redis-server nginx-light fonts-dejavu-core wrk
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing from Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages (install them as root):$$missing"; fi; \
	fi

run: install
	$(BIN)/avis demo

serve: install
	AVIS_INSTANCE_PATH=$${AVIS_INSTANCE_PATH:-$(CURDIR)/instance} $(BIN)/avis db upgrade
	AVIS_INSTANCE_PATH=$${AVIS_INSTANCE_PATH:-$(CURDIR)/instance} $(BIN)/gunicorn -c deploy/gunicorn.conf.py 'kiosk:create_app()'

test: install-test system-deps
	$(MAKE) --no-print-directory test-sqlite
	@if [ -x "$(PGBIN)/initdb" ]; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL binaries not found in $(PGBIN): PostgreSQL run skipped"; fi

test-sqlite: install-test
	$(PYTEST) $(PYTEST_ARGS)

# A quick look while working: SQLite only, no browser, no servers of their own.
test-fast: install-test
	$(PYTEST) -m "not browser" --ignore=tests/production $(PYTEST_ARGS)

# The database-facing tests again on a throwaway PostgreSQL cluster (browser tests once is enough).
test-postgres: install-test
	PGBIN=$(PGBIN) scripts/with-postgres.sh $(PYTEST) -m "not browser" $(PYTEST_ARGS)

# The suite with the clock moved ahead (CLOCK_DAYS, 400 by default), on SQLite then
# PostgreSQL: a test that depends on the day it runs fails here before it fails in a year.
# Browser tests are left out: Chromium keeps its own clock.
CLOCK_DAYS ?= 400
# In one process: the moved clock reaches worker processes through sitecustomize before
# pytest, which would then move them twice.
test-future: install-test
	$(BIN)/pytest -m "not browser" --clock-days $(CLOCK_DAYS) $(PYTEST_ARGS)
	@if [ -x "$(PGBIN)/initdb" ]; then \
	  PGBIN=$(PGBIN) scripts/with-postgres.sh $(BIN)/pytest -m "not browser" --clock-days $(CLOCK_DAYS) $(PYTEST_ARGS); \
	else echo "PostgreSQL binaries not found in $(PGBIN): PostgreSQL run skipped"; fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test system-deps
	$(BIN)/python bench/run_all.py

translations: install-test
	$(BIN)/python scripts/translations.py update

clean:
	rm -rf $(VENV) .venv-constraints instance build dist *.egg-info .pytest_cache .ruff_cache
