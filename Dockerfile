# A slim, non-root image that runs `tumbuh serve`; the same lock file as development.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir "uv==0.13.8"
WORKDIR /app
COPY pyproject.toml uv.lock README.md NOTICE ./
COPY api ./api
COPY domain ./domain
COPY events ./events
COPY migrations ./migrations
RUN uv sync --frozen --no-default-groups --no-editable

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tumbuh
COPY --from=build --chown=tumbuh:tumbuh /app/.venv /app/.venv
USER tumbuh
WORKDIR /data
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    TUMBUH_DATABASE_URL="sqlite:////data/tumbuh.db"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["tumbuh", "serve", "--host", "0.0.0.0", "--port", "8000"]
