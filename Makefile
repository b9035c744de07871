# gancond: build the book, run the tests. On a fresh machine: `make book`, `make test`.
#
# Both create (or reuse) the virtualenv .venv on their own: it is rebuilt whenever
# requirements.txt or pyproject.toml is newer than the stamp file inside it.

SHELL        := /bin/bash
.DEFAULT_GOAL := book

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.gancond-requirements.stamp
VENVBIN := $(CURDIR)/$(VENV)/bin
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Dataset root: default to ../shared/data (absolute) when it exists and GANCOND_DATA is unset.
ifeq ($(origin GANCOND_DATA),undefined)
ifneq ($(wildcard ../shared/data/.),)
GANCOND_DATA := $(abspath ../shared/data)
endif
endif
ifdef GANCOND_DATA
export GANCOND_DATA
endif

.PHONY: book test check-book publish venv clean-book clean-cache help

help:
	@echo "make book        build the book into _build/html (executes chapters, cached)"
	@echo "make test        unit tests + every chapter at smoke scale (nbval)"
	@echo "make check-book  check _build/html in headless Chromium"
	@echo "make publish     push _build/html to the gh-pages branch (GitHub Pages)"
	@echo "make venv        create/update .venv from requirements.txt (gancond with its book and test extras)"
	@echo "make clean-book  remove the built HTML (keeps the execution cache)"
	@echo "make clean-cache remove all of _build, execution cache included"

$(STAMP): requirements.txt pyproject.toml
	@echo "== building $(VENV) from requirements.txt"
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check --progress-bar off -r requirements.txt
	@touch $@

venv: $(STAMP)

# The book is always built at the chapters' default scale (`book`). GANCOND_SCALE is unset
# because the execution cache keys on cell sources only, not on the environment; MPLBACKEND
# is unset so that figures render inline.
book: $(STAMP)
	env -u GANCOND_SCALE -u MPLBACKEND PATH="$(VENVBIN):$$PATH" \
	  $(VENV)/bin/jupyter-book build . --all -W --keep-going

test: $(STAMP)
	GANCOND_SCALE=smoke PATH="$(VENVBIN):$$PATH" \
	  $(PY) -m pytest -p no:cacheprovider --continue-on-collection-errors --durations=10 --nbval-cell-timeout=900 \
	  --nbval-lax --nbval-current-env tests chapters

check-book: $(STAMP)
	@test -f _build/html/index.html || { echo "check-book: no _build/html/index.html; run 'make book' first" >&2; exit 1; }
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "== installing chromium + chromium-driver (apt)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi
	$(PY) tools/check_book.py _build/html

# Publish the built HTML to the gh-pages branch (served by GitHub Pages at
# https://<owner>.github.io/<repo>/). The workflow in .github/workflows/book.yml does the same
# from CI with the run store restored from its cache.
publish: $(STAMP)
	@test -f _build/html/index.html || { echo "publish: no _build/html/index.html; run 'make book' first" >&2; exit 1; }
	$(VENV)/bin/ghp-import --no-jekyll --push --force _build/html

clean-book:
	rm -rf _build/html _build/jupyter_execute _build/.doctrees

clean-cache:
	rm -rf _build
