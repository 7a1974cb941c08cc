# The two commands of the README:
#   make demo  – create the environment if missing, then run the whole pipeline on sample data
#   make test  – install what the tests need, then run the whole test suite
# Everything else here is a step those two depend on.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# Re-install when the dependency list changes.
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := reports/node_modules/.installed
GX_ASSETS_STAMP := gx/docs_assets/node_modules/.installed
API_ASSETS_STAMP := api/docs_assets/node_modules/.installed

.PHONY: demo test install node browser spark lint clean

demo: install node
	$(BIN)/supportlens run

test: install node browser spark
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	# pytest exits 5 when it collects no tests: an empty run is a failure, not a pass.
	$(BIN)/python -m pytest

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node: $(NODE_STAMP) $(GX_ASSETS_STAMP) $(API_ASSETS_STAMP)

# `npm install` (which keeps the lockfile's versions) rather than `npm ci`: the registry
# reachable here lacks some other-platform optional bindings of @duckdb/node-bindings, so the
# lockfile cannot list them and `npm ci` refuses it as out of sync.
$(NODE_STAMP): reports/package.json reports/package-lock.json
	cd reports && npm install --no-audit --no-fund --loglevel=error
	touch $@

# Data Docs load jQuery/Bootstrap from CDNs; offline they are served from this npm install.
$(GX_ASSETS_STAMP): gx/docs_assets/package.json gx/docs_assets/package-lock.json
	cd gx/docs_assets && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The API's Swagger UI (/schema) loads its JS/CSS from here, not from a CDN (api/docs.py).
# --ignore-scripts: swagger-ui-dist's only install script is a usage ping.
$(API_ASSETS_STAMP): api/docs_assets/package.json api/docs_assets/package-lock.json
	cd api/docs_assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (no browser download is possible offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "install Chromium first: sudo apt-get install -y chromium"; exit 1; fi; }

# The Spark tests (tests/spark) run pyspark 4, which needs Java 17 (Debian's headless JRE).
spark:
	@java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])' || { \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; \
	  else echo "install Java 17 first: sudo apt-get install -y openjdk-17-jre-headless"; exit 1; fi; }

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf data target logs reports/build test-artifacts
