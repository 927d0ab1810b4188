# Tongban — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test e2e bench lighthouse lint format openapi fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: migrate, load demo data, and start web server + worker + scheduler on :8000
run: install
	$(BIN)/tongban migrate --noinput -v0
	$(BIN)/tongban createcachetable
	$(BIN)/tongban demo
	$(BIN)/tongban collectstatic --noinput -v0
	$(BIN)/tongban demo --logins
	# the MQTT alert subscriber runs only when a broker is configured (TONGBAN_MQTT_URL); the demo
	# department system (exchange-demo) always
	exec $(BIN)/honcho -f Procfile start $(if $(TONGBAN_MQTT_URL),,web worker beat exchange-demo)

## make test: the whole suite (SQLite by default; set TONGBAN_DATABASE_URL / TONGBAN_REDIS_URL for services),
## in TEST_WORKERS parallel processes (default: one per CPU; TEST_WORKERS=0 runs in this process)
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load

AXE := e2e/node_modules/axe-core/axe.min.js

# axe-core, pinned in e2e/package-lock.json, from the npm registry (needs node and npm).
$(AXE): e2e/package.json e2e/package-lock.json
	@command -v npm >/dev/null || { echo "make e2e needs npm for axe-core: apt-get install nodejs npm"; exit 1; }
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $(AXE)

## make e2e: browser journeys in Debian's Chromium (/usr/bin/chromium) with axe-core checks;
## screenshots in e2e/screenshots/; in TEST_WORKERS parallel processes like make test
e2e: install $(AXE)
	$(BIN)/pytest e2e -n $(TEST_WORKERS) --dist load

## make bench: every benchmark; make bench ONLY=capacity (or ONLY="seal_sign licence_issue") for some
bench: install
	$(BIN)/python bench/run.py $(ONLY)

LIGHTHOUSE := bench/lighthouse/node_modules/lighthouse/cli/index.js

# Lighthouse, pinned in bench/lighthouse/package-lock.json, from the npm registry (needs node and npm).
$(LIGHTHOUSE): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	@command -v npm >/dev/null || { echo "make lighthouse needs npm: apt-get install nodejs npm"; exit 1; }
	cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	@touch $(LIGHTHOUSE)

## make lighthouse: Lighthouse mobile scores (performance, accessibility, best practices, SEO) of
## home, a guide and a form page on the demo server, in Chromium (CHROME_PATH, default /usr/bin/chromium)
lighthouse: install $(LIGHTHOUSE)
	$(BIN)/python bench/lighthouse/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make fuzz: schemathesis against a live server with demo data, as .ci/run does (scripts/fuzz_api.py)
fuzz: install
	$(BIN)/python scripts/fuzz_api.py

openapi: install
	$(BIN)/tongban spectacular --validate --fail-on-warn --file docs/openapi.yaml

clean:
	rm -rf $(VENV) var
