# Two commands for a fresh machine with Python 3.11+ (see README):
#   make run    start the service with demo data on SQLite
#   make test   run every check CI runs
# Both install what they need: uv (into .tools/ if it is not on PATH), then the locked
# dependencies into .venv/.

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
PORT ?= 8000

.PHONY: run test install lint types imports pytest openapi bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen

# seed-demo fills an empty store with demo Kota Banjar data and leaves a seeded one alone.
run: install
	$(RUN) tumbuh seed-demo
	TUMBUH_DEMO=$${TUMBUH_DEMO:-true} $(RUN) tumbuh serve --port $(PORT)

test: install lint types imports pytest

lint:
	$(RUN) ruff format --check .
	$(RUN) ruff check .

types:
	$(RUN) mypy

imports:
	$(RUN) lint-imports

# pytest runs every test on SQLite and on PostgreSQL (tests/conftest.py), including the
# migrations (upgrade head + alembic check) and the OpenAPI drift test.
pytest:
	$(RUN) pytest -q

openapi: install
	$(RUN) python -m api.openapi

# Benchmarks print figures; they never fail a build. Each needs a quiet machine.
bench: install
	$(RUN) python bench/foundation.py
	$(RUN) python bench/growth.py
	$(RUN) python bench/auth.py
	$(RUN) python bench/children.py
	$(RUN) python bench/write_path.py
	$(RUN) python bench/figures.py
	$(RUN) python bench/audit.py
	$(RUN) python bench/meetings.py
	$(RUN) python bench/sponsors.py

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache .hypothesis
