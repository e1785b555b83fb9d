# The two commands of the Quick start: `make demo` and `make test`.
# Both build .venv from pyproject.toml on first use; only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite on every core, each test process with databases of its own (tests/conftest.py).
PYTEST_WORKERS ?= -n auto --dist loadgroup

.PHONY: demo test lint format bench clean local-model

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Twoloop needs Python 3.11+, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/twoloop demo

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_WORKERS)

lint: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Optional: a real small model on loopback for tests/model/ (CI installs it; see pyproject.toml).
# llama.cpp is compiled on install. Built for the machine it runs on (-march=native) it uses
# every instruction the CPU lists, and AMX tile instructions fault inside some VMs (a general
# protection fault in libggml-cpu on a Xeon VM): build for any x86-64 with AVX2 instead.
LLAMA_CMAKE_ARGS = -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

local-model: $(BIN)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -e '.[dev,local-model]'

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/ack_latency.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .grimp_cache
