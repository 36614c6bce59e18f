# Two commands do all set-up on a fresh machine with Python 3.11 and pip:
#   make demo   builds .venv and runs the main job on the embedded defaults
#   make test   builds .venv and runs lint + the whole test suite
# and one builds the documentation site into site/ (open site/index.html):
#   make docs   adds the `docs` extra to .venv, builds with warnings as errors, executes the
#               tutorials, checks internal links and the built pages
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
SITE := site
DOCTREES := build/doctrees

.PHONY: demo test lint install system-deps docs clean

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

# Lint: ruff on everything, and mypy on both packages' hints (users' mypy and pyright read them: py.typed).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy pidkit pidkit_distill

test: lint
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/pidkit examples
	$(BIN)/python -m pidkit_distill demo

# The docs tools install only here, so `make test` and `make demo` stay as they were.
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[distill,exact,dev,docs]'
	touch $(DOCS_STAMP)

# A fresh build every time (-E): the notebooks run against today's code, never a cache.
docs: $(DOCS_STAMP)
	rm -rf $(SITE) $(DOCTREES)
	$(BIN)/python -m sphinx -b html -W --keep-going -E -q -d $(DOCTREES) docs $(SITE)
	$(BIN)/python -m sphinx -b linkcheck -W --keep-going -q -d $(DOCTREES) docs build/linkcheck
	$(BIN)/python docs/check_site.py $(SITE)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis $(SITE) jupyter_execute
