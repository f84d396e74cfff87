# Two commands matter: `make demo` and `make test`. Both install first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned for reproducible CPU runs; pyproject.toml keeps ranges for GPU machines.
TORCH_PINS := torch==2.14.1 torchvision==0.29.1

.PHONY: install test demo export readme bench docs
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

# Every benchmark in one run: one table of ratios against torchvision / pycocotools measured side by side, written to
# bench/results/<machine>.md (GPU-only cases print 'skipped: no GPU' rows). See BENCHMARKS.md.
bench: install
	PYTHONUNBUFFERED=1 MPLBACKEND=Agg $(PY) bench/run.py

# The docs website, without Quarto: nbdev's processing, then Sphinx (myst-nb, pydata theme) with warnings as errors,
# MathJax served from the site (npm), then a headless-Chromium check of a page with formulas and figures.
DOCS_STAMP := $(VENV)/.docs-installed
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

docs: $(DOCS_STAMP) node_modules/.package-lock.json
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y -q chromium >/dev/null || \
	  { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
	$(PY) tools/check_showdocs.py  # what nbdev-docs (Quarto) would run on every notebook
	$(PY) tools/docs.py
	$(PY) tools/check_site.py
	@echo "The site is in _site/: open _site/index.html, or serve it: $(PY) -m http.server -d _site"
