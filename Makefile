# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo lab test system-deps lint typecheck docs pytest bench fuzz format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when pyproject.toml changes; stamps keep repeated runs fast.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(BIN)/schemakit demo

# JupyterLab on the executed notebooks (the `lab` extra: JupyterLab and the widgets).
lab: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks/

test: system-deps $(VENV)/.installed-dev lint typecheck docs pytest

# Debian packages the suite needs (chromium, libatomic1, …): installed when missing, as root.
system-deps:
	scripts/install-system-deps

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check schemakit tests benchmarks docs/_hooks.py
	$(BIN)/ruff format --check schemakit tests benchmarks docs/_hooks.py
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The docs site (mkdocs.yml), built strictly into $TMPDIR so the repo stays clean.
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet \
		--site-dir $${TMPDIR:-/tmp}/schemakit-site

pytest: system-deps $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --doctest-modules schemakit tests

format: $(VENV)/.installed-dev
	$(BIN)/ruff format schemakit tests benchmarks docs/_hooks.py
	$(BIN)/ruff check --fix schemakit tests benchmarks docs/_hooks.py

# Bounded atheris run of tests/fuzz/fuzz_decode.py (not part of `make test`); FUZZ_SECONDS sets it.
fuzz: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	$(BIN)/python tests/fuzz/fuzz_decode.py -max_total_time=$${FUZZ_SECONDS:-120} \
		-rss_limit_mb=2048 -timeout=10 -artifact_prefix=$${TMPDIR:-/tmp}/

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_infer.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
