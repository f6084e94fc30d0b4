# A slim, non-root image that runs `tumbuh serve`; the same lock file as development.
# README "Running in a container" says how to build and run it; tests/test_dockerfile.py
# checks the rules below where no Docker daemon is at hand.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir "uv==0.13.8"
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
# The dependencies first, from the lock file alone: a change to the code reuses this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups --no-install-project --no-editable
COPY README.md NOTICE ./
COPY api ./api
COPY domain ./domain
COPY events ./events
COPY migrations ./migrations
RUN uv sync --frozen --no-default-groups --no-editable

FROM python:3.11-slim
# /data is made and handed to the service user before it becomes a volume, so that every
# builder (BuildKit or not) gives a new volume the user's ownership.
RUN useradd --create-home --uid 10001 tumbuh \
    && mkdir /data \
    && chown tumbuh:tumbuh /data
COPY --from=build --chown=tumbuh:tumbuh /app/.venv /app/.venv
USER tumbuh
WORKDIR /data
VOLUME /data
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    TUMBUH_DATABASE_URL="sqlite:////data/tumbuh.db"
EXPOSE 8000
# Ready, not only alive: /readyz answers 503 until the database answers and is migrated.
# The first start migrates SQLite and loads the application: give it a minute.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
CMD ["tumbuh", "serve", "--host", "0.0.0.0", "--port", "8000"]
