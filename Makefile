# rspnet-mm: `make demo` and `make test` each set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.rspnet-installed
DEMO_MINUTES ?= 15
# when make started: the demo's budget includes setting up .venv
DEMO_START := $(shell date +%s)
export PYTHONUNBUFFERED := 1

.PHONY: test lint pytest demo data clean-venv

$(STAMP): requirements/runtime.txt requirements/tests.txt requirements/constraints.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check \
		-r requirements/runtime.txt -r requirements/tests.txt \
		-c requirements/constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check rspnet_mm tools tests configs

pytest: $(STAMP)
	$(PY) -m pytest -q tests

test: lint pytest

data: $(STAMP)
	$(PY) tools/data/generate_synthetic_motion.py --out data/synthetic_motion

demo: $(STAMP)
	$(PY) tools/demo.py --minutes $(DEMO_MINUTES) --started-at $(DEMO_START)

clean-venv:
	rm -rf $(VENV)
