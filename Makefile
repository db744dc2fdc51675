# Two commands for a fresh machine: `make run` (the demo on SQLite) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint clean-db

# Reinstall only when a requirements file changes.
$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(INSTALLED)

# Migrates (SQLite unless DATABASE_URL says otherwise), loads the demo, makes the local admin
# account (password printed once, or DJANGO_SUPERUSER_PASSWORD), collects static files (so that
# DJANGO_DEBUG=0 make run works too) and serves on $(HOST):$(PORT).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_local_admin
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/  admin: http://$(HOST):$(PORT)/admin/  API docs: http://$(HOST):$(PORT)/api/v1/docs/"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, on SQLite or on the database in DATABASE_URL.
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean-db:
	rm -f db.sqlite3

# The read path against the raw-SQL baseline, on the PostgreSQL server in DATABASE_URL: 100,000 and
# 1,000,000 generated statements (see benchmarks/README.md). Never part of `make test`; options go in
# BENCH_ARGS, e.g. `make bench BENCH_ARGS="--sizes 100000 --samples 30"`.
.PHONY: bench bench-smoke
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Every figure once on a few thousand statements, bodies compared, goals not asserted, nothing written.
bench-smoke: install
	$(BIN)/python -m benchmarks.run --smoke $(BENCH_ARGS)

# schemathesis against the API as deployed: gunicorn (DJANGO_DEBUG=0) on a fresh database, with the demo and
# generated statements, made on the PostgreSQL server in DATABASE_URL and dropped after; every mode and every
# check, anonymous and as a curator (.ci/api_fuzz.py, .ci/schemathesis.toml). Options go in FUZZ_ARGS, e.g.
# `make api-fuzz FUZZ_ARGS="--max-examples 100"`; any schemathesis option is passed on.
.PHONY: api-fuzz
api-fuzz: install
	$(BIN)/python .ci/api_fuzz.py $(FUZZ_ARGS)
