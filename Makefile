# Two commands on a fresh machine:  `make run`  (the main job)  and  `make test`.
# Both create .venv/ at the repo root from the hash-pinned requirements.lock.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lock bench bench-smoke clean-venv

$(BIN)/minewatch: requirements.lock .ci/bootstrap.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r .ci/bootstrap.lock
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(BIN)/minewatch

run: $(BIN)/minewatch
	$(BIN)/minewatch db upgrade
	$(BIN)/minewatch run

test: $(BIN)/minewatch
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

# The full benchmark also installs the peers (newspaper4k, news-please) from their lock.
bench: $(BIN)/minewatch
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes bench/requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m bench.run

bench-smoke: $(BIN)/minewatch
	$(BIN)/python -m bench.run --smoke

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--no-header --no-annotate -o requirements.lock
	uv pip compile pyproject.toml --extra dev --extra bench --generate-hashes \
		--python-version 3.11 --no-header --no-annotate -o bench/requirements.lock

clean-venv:
	rm -rf $(VENV)
