# The two commands of the README's quick start: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Browser assets (YASGUI) from npm, pinned by viz/assets/package-lock.json; installed here, never committed.
ASSETS := viz/assets/node_modules/.package-lock.json

.PHONY: install system-packages run test validate wheel clean bench

install: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# --ignore-scripts: the only install scripts in the tree print Font Awesome's attribution; nothing needs building.
$(ASSETS): viz/assets/package.json viz/assets/package-lock.json
	cd viz/assets && npm ci --ignore-scripts --no-audit --no-fund
	touch $(ASSETS)

run: install  ## install, load the shipped graph and serve on http://127.0.0.1:8000
	$(VENV)/bin/chainkg serve

# The suite in TEST_WORKERS processes (pytest-xdist; each module whole on one of them, so its servers start once;
# the longest modules first, tests/conftest.py LONGEST_MODULES),
# then the `alone` tests by themselves: latencies and time limits that another process's load would skew. Both parts
# always run; the target fails if either does, and the second prints the completeness report. Plain `pytest` runs
# everything in one process.
TEST_WORKERS ?= 3

test: install system-packages  ## the whole test suite
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not alone" --no-completeness-report; \
		parallel=$$?; \
		$(PY) -m pytest -m alone && exit $$parallel

# What the tests drive besides Python: Debian's chromium (through Playwright's executable_path, never a browser
# download), a CJK font for readable screenshots, and Virtuoso (the remote store's backend). Only the missing ones
# are installed, without recommends (no desktop services, printers or samba), and nothing installed is upgraded;
# without them those tests fail, they never skip.
SYSTEM_PACKAGES := chromium fonts-noto-cjk virtuoso-opensource
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

system-packages:
	@missing="$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)"; \
	[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends --no-upgrade $$missing; }

validate: install  ## shapes of the shipped graph, and its quotes against the articles in CHAINKG_SEEDS_DIR if set
	$(VENV)/bin/chainkg validate

# The wheel carries the ontology, curated graph, queries, templates and browser assets (setup.py adds the npm ones).
# Built with the virtualenv's setuptools; a stale build/ could leak removed files into it, so it goes first.
wheel: install  ## dist/chainkg-<version>-py3-none-any.whl, for `pipx install ./dist/chainkg-….whl`
	rm -rf build
	$(PY) -m pip wheel -q --no-deps --no-build-isolation -w dist .

# --- benchmark (bench/run.py, README "Benchmark"): BENCH_TRIPLES=100000 for a quick run, 10000000 for the big one
BENCH_TRIPLES ?= 1000000
BENCH_ARGS ?=

bench: install  ## load, SPARQL-over-HTTP, views and memory figures against oxigraph and rdflib-endpoint
	$(PY) -m pip install -q -e '.[test,bench]'
	command -v wrk >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
	$(PY) -m bench.run --triples $(BENCH_TRIPLES) $(BENCH_ARGS)
# --- end benchmark

clean:
	rm -rf $(VENV) var viz/assets/node_modules build dist
