# SupportLens: one image, many commands (`supportlens serve`, `supportlens run`, ...).
# docs/deployment.md explains the volumes, the configuration and how compose.yaml uses it.
#
#   docker build -t supportlens:0.1.0 .
#   docker run --rm -p 8000:8000 -v supportlens-models:/data/models supportlens:0.1.0
#
# Base images are pinned to exact release tags. Pin them by digest as well where a
# registry is reachable: `docker buildx imagetools inspect python:3.11.14-slim-bookworm`
# prints the digest to append as `@sha256:...` (it could not be read on the machine this
# file was written on, which reaches no image registry).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# --- Node: the runtime the Evidence build needs, and the report/Data Docs packages ----
FROM ${NODE_IMAGE} AS node-deps
WORKDIR /app/reports
# `npm install` keeps the lockfile's versions; see the Makefile for why not `npm ci` here.
# postinstall runs scripts/patch-universal-sql.mjs, so the scripts come first.
COPY reports/package.json reports/package-lock.json ./
COPY reports/scripts ./scripts
RUN npm install --no-audit --no-fund --loglevel=error
WORKDIR /app/gx/docs_assets
COPY gx/docs_assets/package.json gx/docs_assets/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Python: dependencies from pyproject.toml, torch from the CPU wheel index ---------
FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv && python -m venv /opt/yacron
# The CPU build of the pinned torch: PyPI's Linux wheel of the same version is the CUDA
# build and pulls several GB of NVIDIA libraries. `+cpu` satisfies pyproject's ==2.13.0.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --extra-index-url "${TORCH_INDEX_URL}" "torch==2.13.0+cpu"
# The scheduler of the pipeline service (compose.yaml), in a venv of its own so its
# dependencies never meet the project's.
COPY deploy/yacron-requirements.txt /tmp/yacron-requirements.txt
RUN /opt/yacron/bin/pip install --no-deps -r /tmp/yacron-requirements.txt
WORKDIR /app
# Dependencies first (this layer is reused until pyproject.toml changes), then the code.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
# Editable: the code finds its dbt project, GX project and reports beside the package
# (supportlens.config.PACKAGE_ROOT), so the package stays in /app.
RUN pip install --no-deps -e .

# --- Runtime ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="SupportLens" \
      org.opencontainers.image.description="Support-conversation warehouse: pipeline, API and report build" \
      org.opencontainers.image.licenses="Apache-2.0"
# Node runs `supportlens report` (the Evidence build) in the pipeline container.
COPY --from=node-deps /usr/local/bin/node /usr/local/bin/node
COPY --from=node-deps /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && groupadd --system --gid 10001 supportlens \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/supportlens supportlens
COPY --from=python-deps /opt/venv /opt/venv
COPY --from=python-deps /opt/yacron /opt/yacron
# Code and configuration stay owned by root (read-only to the service user); only the
# folders the tools write into at run time belong to it.
COPY --from=python-deps /app /app
COPY --from=node-deps --chown=10001:10001 /app/reports/node_modules /app/reports/node_modules
COPY --from=node-deps /app/gx/docs_assets/node_modules /app/gx/docs_assets/node_modules
# Writable at run time: dbt's target/ and logs/, GX validation results, the Evidence
# build folders (reports/.evidence, sources), and the data volumes. A new named volume
# takes its owner from these folders.
RUN mkdir -p /app/target /app/logs /app/gx/uncommitted \
        /data/raw /data/work /data/published /data/models /data/site /data/backups \
    && chown -R 10001:10001 /app/target /app/logs /app/gx/uncommitted /data \
    && find /app/reports -path /app/reports/node_modules -prune -o -exec chown 10001:10001 {} +
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    HF_HUB_OFFLINE=1 \
    HF_HOME=/tmp/huggingface \
    SUPPORTLENS_API_HOST=0.0.0.0 \
    SUPPORTLENS_PATHS_RAW_DIR=/data/raw \
    SUPPORTLENS_PATHS_LANDING_DIR=/data/work/landing \
    SUPPORTLENS_PATHS_WAREHOUSE=/data/work/warehouse/supportlens.duckdb \
    SUPPORTLENS_PATHS_OPS_DB=/data/work/ops/ops.duckdb \
    SUPPORTLENS_PATHS_PUBLISHED=/data/published/supportlens.duckdb \
    SUPPORTLENS_PATHS_REGISTRY_DIR=/data/models \
    SUPPORTLENS_PATHS_GX_DOCS_DIR=/data/site/gx_docs \
    SUPPORTLENS_PATHS_REPORTS_BUILD_DIR=/data/site/reports \
    SUPPORTLENS_PATHS_BACKUP_DIR=/data/backups
VOLUME ["/data/raw", "/data/work", "/data/published", "/data/models", "/data/site", "/data/backups"]
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness of the API (the default command); the pipeline and web services in
# compose.yaml set their own.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('SUPPORTLENS_API_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["supportlens"]
CMD ["serve"]
