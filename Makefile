# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two call.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint format install migrate seed worker bench clean lock

# requirements.txt is the lock (every package pinned, with hashes); requirements.in is its input.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Serve the app on http://$(HOST):$(PORT); with REDIS_URL set, a Celery worker runs beside it.
## HOST and PORT reach the settings too: unset, SITE_URL (links in e-mails) is this address.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: seed
	@if [ -n "$$REDIS_URL" ]; then \
		echo "Starting a Celery worker (REDIS_URL is set)"; \
		$(VENV)/bin/celery -A factcheck worker --beat --schedule=.celerybeat-schedule --loglevel=INFO --concurrency=2 & \
		worker=$$!; \
		trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		echo "No REDIS_URL: claim extraction runs inside the web process."; \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	fi

worker: install
	$(VENV)/bin/celery -A factcheck worker --beat --schedule=.celerybeat-schedule --loglevel=INFO

## Run the whole test suite (PostgreSQL, Redis and a real worker when DATABASE_URL/REDIS_URL are set).
test: install
	CELERY_QUEUE=factcheck-tests $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Re-resolve requirements.in into the lock, requirements.txt (pins and hashes of every package).
lock:
	test -x .venv-tools/bin/pip-compile || \
		($(PYTHON) -m venv .venv-tools && .venv-tools/bin/pip install --quiet pip==25.3 pip-tools==7.6.2)
	.venv-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--output-file=requirements.txt requirements.in

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
