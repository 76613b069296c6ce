# The two commands of the README's quick start: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test validate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: install  ## install, load the shipped graph and serve on http://127.0.0.1:8000
	$(VENV)/bin/chainkg serve

test: install  ## the whole test suite
	$(PY) -m pytest

validate: install  ## shapes and quotes of the shipped graph
	$(VENV)/bin/chainkg validate

clean:
	rm -rf $(VENV) var
