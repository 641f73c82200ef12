# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test lint check bench install install-dev browser-deps migrate seed messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Development tools (pytest, hypothesis, Playwright, ruff) on top of the production requirements.
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed

# The site, and beside it the task worker that checks and imports big files (stopped with the site).
run: seed
	@echo
	@echo "Serving on http://127.0.0.1:8000/ (admin at /admin/)."
	@echo "Create an admin account with: $(BIN)/python manage.py createsuperuser"
	@echo
	$(BIN)/python manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

# Production: gunicorn on PostgreSQL with DJANGO_DEBUG off, and the task worker that runs big imports.
# Needs DATABASE_URL, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS in the environment (see README, "Deploying").
serve: install
	DJANGO_DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=false $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=false $(BIN)/python manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	DJANGO_DEBUG=false $(BIN)/gunicorn config.wsgi --bind $${BIND:-127.0.0.1:8000} \
		--workers $${WEB_CONCURRENCY:-3} --timeout 30 --graceful-timeout 20 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

test: install-dev
	$(BIN)/python -m pytest

# Style: ruff's checks and its formatting, as configured in ruff.toml.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Django's system checks, and no model change without its migration.
check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Benchmark on PostgreSQL at each of SCALES initiatives, each in its own database (tracker_10k_bench, tracker_bench,
# tracker_1m_bench; kept and migrated between runs, built when missing): bench/results.md and bench/growth.svg.
bench: install-dev
	$(BIN)/python bench/run.py --scales $${SCALES:-10000,100000,1000000} --reuse --repeat $${REPEAT:-30}

# The browser tests need Debian's Chromium and axe-core, the HTML check Java and vnu-jar (both from the
# npm registry); without them they are skipped locally. CI installs them all.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	cd tests/browser && npm ci --no-audit --no-fund

# Every catalog under locale/ (one per language of settings.LANGUAGES but English): new strings in, then compiled.
messages: install
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=tests --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
