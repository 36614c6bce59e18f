# Two commands do all set-up on a fresh machine with Python 3.11 and pip:
#   make demo   builds .venv and runs the main job on the embedded defaults
#   make test   builds .venv and runs lint + the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install system-deps clean

install: $(STAMP)

# pycddlib (the `exact` extra) compiles against cddlib and GMP.
system-deps:
	@if [ ! -f /usr/include/cddlib/setoper.h ] && [ ! -f /usr/include/cdd/setoper.h ]; then \
	  echo "Installing cddlib and GMP headers (needed by pycddlib)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libcdd-dev libgmp-dev; \
	fi

$(STAMP): setup.cfg pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	# torch first, pinned: any other spec pulls gigabytes of CUDA wheels.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[distill,exact,dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/pidkit examples
	$(BIN)/python -m pidkit_distill demo

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
