# sitroom — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.install-stamp
DB     ?= sitroom.duckdb
SHARED ?= ../shared

.PHONY: install demo test eval bench fuzz screenshots clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(STAMP)  ## create .venv and install pinned dependencies + the spaCy model (no-op when done)

$(STAMP): pyproject.toml requirements.lock src/sitroom/web/package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -c "import sitroom.nlp as n; n.load_model()"
	$(BIN)/python -c "from sitroom.geo.gazetteer import load; load()"  # builds the offline gazetteer once (~35 s)
	$(BIN)/python -m sitroom.web.vendor   # Leaflet from the npm registry (npm ci, sha512-checked) into src/sitroom/web/static/vendor/
	@touch $(STAMP)

demo: install  ## ingest examples/ into sitroom.duckdb, show what is in it, write brief.html and brief.md
	$(BIN)/sitroom ingest examples/ --db $(DB)
	$(BIN)/sitroom stats --db $(DB)
	$(BIN)/sitroom claims --db $(DB) --limit 3
	$(BIN)/sitroom statements --db $(DB) --limit 3
	$(BIN)/sitroom brief --db $(DB) -o brief.html
	$(BIN)/sitroom brief --db $(DB) -o brief.md
	@echo
	@echo "The briefing: open brief.html in any browser (self-contained, works offline), or read brief.md."
	@echo "The web app:  $(BIN)/sitroom serve --db $(DB)   then open http://127.0.0.1:8000/"
	@echo
	@echo "Next:"
	@echo "  $(BIN)/sitroom doc ID --db $(DB)          one article with its facts (ids in the table above)"
	@echo "  $(BIN)/sitroom figures --db $(DB) --subject fighters"
	@echo "  $(BIN)/sitroom quotes --db $(DB) --speaker Maassen"
	@echo "  $(BIN)/sitroom stories --db $(DB)              articles grouped by development"
	@echo "  $(BIN)/sitroom timeline --db $(DB)             dated events, statements and figures"
	@echo "  $(BIN)/sitroom events --db $(DB) --country IQ  events across reports: who did what to whom, tolls as ranges"
	@echo "  $(BIN)/sitroom export --db $(DB) --format acled -o events.csv   (or --format plover)"
	@echo "  $(BIN)/sitroom export --db $(DB) --format json -o export.json"
	@echo "  $(BIN)/sitroom serve --db $(DB)              web app + JSON API on http://127.0.0.1:8000/ (API reference at /docs)"
	@echo "  $(BIN)/sitroom --help"

test: install  ## run the test suite
	$(BIN)/python -m pytest -q

eval: install  ## measure accuracy on ../shared/eval and write docs/accuracy.md
	$(BIN)/python -m evaluation.run --shared $(SHARED)

bench: install  ## measure speed and memory on ../shared/eval and write docs/performance.md
	$(BIN)/python benchmarks/ingest.py --shared $(SHARED)
	$(BIN)/python benchmarks/dask.py --shared $(SHARED) --local
	$(BIN)/python benchmarks/link.py --shared $(SHARED) --keep /tmp/sitroom-bench-reuters.duckdb
	$(BIN)/python benchmarks/web.py --large /tmp/sitroom-bench-reuters.duckdb
	rm -f /tmp/sitroom-bench-reuters.duckdb

fuzz: install  ## long fuzzing runs (SITROOM_FUZZ=1): the API with schemathesis, the extractors, bad inputs
	SITROOM_FUZZ=1 $(BIN)/python -m pytest -q tests/test_api_fuzz.py tests/test_reliability_fuzz.py tests/test_reliability_inputs.py

screenshots: install  ## refresh docs/screenshots/*.png from the browser tests
	SITROOM_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_web_browser.py

clean:  ## remove the virtual environment and the demo database
	rm -rf $(VENV) $(DB) $(DB).wal
