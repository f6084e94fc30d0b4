# Two commands for a fresh machine with Python 3.11+ (see README):
#   make run    start the service with demo data on SQLite
#   make test   run the checks CI runs (ruff, mypy, import contracts, pytest)
# Both install what they need: uv (into .tools/ if it is not on PATH), then the locked
# dependencies into .venv/ — `make run` only what the service needs, `make test` the
# development tools and the benchmarks' peers as well.

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
PORT ?= 8000
# What `make run` leaves in the working directory: the demo store and its keys.
DEMO_FILES := tumbuh.db tumbuh.db-wal tumbuh.db-shm tumbuh.db.seeding tumbuh.db.seeding-wal \
	tumbuh.db.seeding-shm tumbuh-keys

.PHONY: run test install install-service lint types imports pytest fuzz openapi bench reset-demo clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Everything: the service, the checks and the benchmarks.
install: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen

# The service only; --inexact leaves the development tools alone if they are installed.
install-service: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --no-default-groups --inexact

# seed-demo fills an empty store with demo Kota Banjar data and leaves a seeded one alone;
# an interrupted seed keeps nothing, so the next `make run` starts it again.
run: install-service
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

# Schemathesis over every operation, on SQLite and PostgreSQL, with a longer and randomised
# budget than the one the suite runs (tests/api/test_fuzz.py); it prints what it sent.
fuzz: install
	TUMBUH_TEST_FUZZ_EXAMPLES=$${TUMBUH_TEST_FUZZ_EXAMPLES:-150} TUMBUH_TEST_FUZZ_RANDOM=1 \
		$(RUN) pytest tests/api/test_fuzz.py -q -s

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

# Removes the demo store and its keys after asking (YES=1 does not ask); the next
# `make run` seeds a new demo.
reset-demo:
	@found="$$(ls -d $(DEMO_FILES) 2>/dev/null)"; \
	if [ -z "$$found" ]; then echo "no demo store here"; exit 0; fi; \
	echo "the demo store and its keys:" $$found; \
	if [ "$(YES)" != "1" ]; then \
		printf "remove them? [y/N] "; read -r answer || answer=""; \
		case "$$answer" in y|Y|yes) ;; *) echo "kept"; exit 0 ;; esac; \
	fi; \
	rm -rf $$found; echo "removed; the next make run seeds a new demo"

# Removes what make installed and the caches, and (after asking) the demo store.
clean: reset-demo
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache .hypothesis
