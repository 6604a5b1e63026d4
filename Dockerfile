# Warta: one container, SQLite in the /app/data volume by default.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 warta

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
COPY handlers/__init__.py handlers/__init__.py
COPY storage/__init__.py storage/__init__.py
RUN pip install .  && pip uninstall -y warta

COPY bot bot
COPY handlers handlers
COPY storage storage
COPY prompts prompts
RUN pip install --no-deps -e . \
    && mkdir -p /app/data && chown -R warta:warta /app/data

USER warta
VOLUME ["/app/data"]
# glibc malloc as warta.sh sets it (see there): two arenas, and blocks of 128 KiB and more
# mapped on their own, so decoded photos go back to the system when freed (issue 13).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
# Webhooks (WhatsApp, Telegram webhook mode) and /health, when a webhook channel is configured.
ENV WARTA_WEB_PORT=8080 WARTA_WEB_HOST=0.0.0.0
# With no token, `warta run` serves the sandbox there (http://localhost:8080/ with -p 8080:8080).
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["warta", "health"]
CMD ["warta", "run"]
