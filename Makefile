# deliberval: two-command quickstart.  `make demo` then `make test`.
# Every target creates .venv on first use and reinstalls when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DEMO_DIR ?= deliberval-demo

.DEFAULT_GOAL := help
.PHONY: help demo screenshots test lint typecheck pytest fuzz bench docs dist validate-coverage reference clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# the demo needs the package and WeasyPrint (PDF reports) only; make test adds the developer tools
$(DEMO_STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "make: installing deliberval and the pdf extra into $(VENV) (first run only; about a minute)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e ".[pdf]" | grep -E "^(Collecting|Successfully)" || true
	@test -x $(BIN)/deliberval || { echo "make: the install failed; run $(BIN)/python -m pip install -e '.[pdf]' to see why"; exit 1; }
	@touch $(DEMO_STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "make: installing deliberval with the dev, notebooks, pdf, docs, docx, documents and embeddings extras into $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,pdf,docs,docx,documents,embeddings]"
	@touch $(STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)  ## write the example codebooks, forms and HTML / XLSX reports into deliberval-demo/ (PDF: DEMO_PDF=1)
	$(BIN)/deliberval demo -o $(DEMO_DIR) $(if $(DEMO_PDF),--pdf)

screenshots: demo  ## headless-Chromium pictures of each demo report's first two screens, every language
	$(BIN)/python tools/screenshots.py --demo $(DEMO_DIR)

test: lint typecheck pytest  ## lint, type-check and run the whole test suite

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -q

FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)  ## random property-based search (hypothesis profile "fuzz"; not part of make test)
	HYPOTHESIS_PROFILE=fuzz HYPOTHESIS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 2 -q -m hypothesis tests

bench: $(STAMP)  ## performance against peers (writes benchmarks/results/latest.json)
	$(BIN)/python -m benchmarks.run

validate-coverage: $(STAMP)  ## Monte Carlo coverage of confidence intervals (slow; not part of make test)
	$(BIN)/python -m benchmarks.coverage

reference: ## regenerate golden values from R (needs Rscript; CI never does this)
	@for s in tests/reference/*/generate_*.R; do echo "Rscript $$s"; Rscript $$s || exit 1; done

docs: $(STAMP)  ## build the documentation site offline, strict
	$(BIN)/mkdocs build --strict

dist: $(STAMP)  ## build the wheel and sdist into dist/ (offline; pip install dist/deliberval-*.whl)
	$(BIN)/python -m build --no-isolation --outdir dist .

clean:
	rm -rf $(DEMO_DIR) site build dist .pytest_cache .mypy_cache .ruff_cache
