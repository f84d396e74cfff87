# Two commands matter: `make demo` and `make test`. Both install first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned for reproducible CPU runs; pyproject.toml keeps ranges for GPU machines.
TORCH_PINS := torch==2.14.1 torchvision==0.29.1

.PHONY: install test demo export readme bench
.DEFAULT_GOAL := test

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PINS) -e '.[dev]'
	touch $(STAMP)

# Every notebook (one pytest case each), every file in tests/, and the notebooks/modules sync check,
# in one pytest run so the summary line counts them all.
test: install
	MPLBACKEND=Agg $(PY) -m pytest -q --durations=30 tests

# Train the tiny model on the built-in dataset on the CPU and evaluate it: writes runs/demo/.
demo: install
	$(VENV)/bin/retinamask demo

# Developer helpers: regenerate the package and README from the notebooks, clean the notebooks.
export: install
	$(VENV)/bin/nbdev-export
	$(VENV)/bin/nbdev-clean
	$(PY) tools/readme.py

readme: install
	$(PY) tools/readme.py

# Benchmarks print ratios against the reference measured in the same run (GPU cases say so and skip without one).
bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
