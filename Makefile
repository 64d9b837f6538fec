# The book's commands. Run `make help` for the list.
#
# Every target first runs `setup`: it creates (or reuses) the virtual
# environment in $(VENV), installs missing system packages (graphviz for the
# `dot` program) and the pinned requirements. Nothing is installed outside
# the project folder except those system packages.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
# pytest workers: one per core; chapters run whole on one worker each.
JOBS ?= auto
BUILD_FLAGS := --warningiserror --nitpick --keep-going

.PHONY: help setup system-packages book book-clean test clean bench lock student-notebooks

help:
	@echo "make book   - set up, execute every chapter and build the HTML book"
	@echo "make test   - set up, run every chapter cell by cell (nbval) and the unit tests"
	@echo "make bench  - measure build and test times (writes benchmarks/results/)"
	@echo "make clean  - remove build products (keeps the virtual environment)"
	@echo "make lock   - after editing requirements.in: regenerate the lock requirements.txt"
	@echo "make student-notebooks - the chapters with exercises as notebooks without solutions, in student/"
	@echo "make pdf          - set up (TeX too), build the PDF handout _build/latex/qbi-book.pdf"
	@echo "make slides       - the lecture's slides: a reveal.js deck and a PDF per chapter,"
	@echo "                    from the executed chapters (_build/slides/index.html)"
	@echo "make check-book   - after make book, make pdf and make slides: check the PDF, the HTML"
	@echo "                    and the slides in Chromium"
	@echo "                    (screenshots in _build/screenshots/), links, downloads, Binder files"
	@echo "make check-slides - the slide checks alone"
	@echo "make check-pdf    - the PDF checks alone;  make check-html - the HTML and browser checks alone"
	@echo "make binder-check - build the Binder environment from its files alone and run chapters in it"
	@echo "make linkcheck    - check the external links (needs a network; not part of CI)"

system-packages:
	@bash .ci/ensure-system-packages dot:graphviz py:ensurepip:python3-venv npm:npm

# Web assets the book serves itself instead of loading them from a CDN
# (MathJax, reveal.js, axe-core), from the npm registry at the exact
# versions of booktools/web/package-lock.json.
WEB := booktools/web
WEB_STAMP := $(WEB)/node_modules/.installed
$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	@touch $@

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "error: the book needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." \
	         "Set PYTHON=python3.11 (make book PYTHON=python3.11)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# requirements.txt is the complete lock (every package at one version),
# generated from requirements.in by `make lock`; the book's own package is
# installed on top of it, without dependencies of its own.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Regenerate the lock after editing requirements.in (needs the package index).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --no-emit-trusted-host -o requirements.txt requirements.in

setup: system-packages $(STAMP) $(WEB_STAMP)

book: setup
	$(BIN)/python -m booktools.jb build . $(BUILD_FLAGS)
	@echo
	@echo "The book is ready: $(CURDIR)/_build/html/index.html"

# The same from an empty _build: what CI runs (an unchanged rebuild after a
# failed one can pass without looking at anything).
book-clean: setup
	rm -rf _build
	$(MAKE) --no-print-directory book

test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

bench: setup
	$(BIN)/python benchmarks/build.py

# Each chapter with exercises as a notebook without the solutions, with a
# check under every exercise, into student/<lecture>/ (git ignores it); a
# notebook changed since it was written (a student's work) is kept. The HTML
# book has the same notebooks in _build/html/student/; Binder's postBuild
# runs the same command so that a launch link can open them.
student-notebooks: setup
	$(BIN)/python -m booktools.student_notebooks

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

# --- The book as readers receive it: the PDF handout and the checks --------
# Debian packages of the PDF build (xelatex, Sphinx's LaTeX macros, the
# FreeFont and DejaVu fonts, rsvg-convert for SVG to PDF) and of the checks
# (poppler's pdftotext, Chromium for the browser test).
PDF_PACKAGES := xelatex:texlive-xetex latexmk:latexmk rsvg-convert:librsvg2-bin \
  deb:texlive-latex-recommended deb:texlive-latex-extra deb:texlive-fonts-recommended \
  deb:fonts-freefont-otf deb:fonts-dejavu-core
CHECK_PACKAGES := pdftotext:poppler-utils chromium:chromium
BOOK_TESTS := $(BIN)/python -m pytest -m book -p no:cacheprovider

.PHONY: pdf slides check-book check-pdf check-html check-slides binder-check linkcheck

# Always from an empty _build/latex: after a TeX error a rerun would reuse
# half-written files. Executed chapters come from the cache of `make book`.
pdf: setup
	@bash .ci/ensure-system-packages $(PDF_PACKAGES)
	rm -rf _build/latex
	$(BIN)/python -m booktools.jb build . --builder pdflatex $(BUILD_FLAGS)
	@test -s _build/latex/qbi-book.pdf
	@for n in $$(sed -n 's/^ *- caption: *"*Lecture \([0-9][0-9]*\).*/\1/p' _toc.yml); do \
	  f=_build/latex/qbi-book-lecture-$$(printf %02d $$n).pdf; \
	  test -s $$f || { echo "error: $$f was not written"; exit 1; }; done
	@echo
	@echo "The PDF handouts are ready: the whole book, $(CURDIR)/_build/latex/qbi-book.pdf,"
	@echo "and one per lecture:"
	@ls -1 $(CURDIR)/_build/latex/qbi-book-lecture-*.pdf | sed 's/^/  /'

# The lecture's slides: one reveal.js deck per chapter, written by the Sphinx
# builder `slides` (booktools/slides) from the same doctrees and execution
# cache as `make book` (nothing is executed again), then a PDF of every deck
# printed by Chromium from reveal.js's print view. Always from an empty
# _build/slides (every deck is rewritten anyway; no deck of a removed
# chapter is left behind).
slides: setup
	@bash .ci/ensure-system-packages chromium:chromium
	rm -rf _build/slides
	$(BIN)/jupyter-book build . --builder custom --custom-builder slides $(BUILD_FLAGS)
	$(BIN)/python -m booktools.slides.pdf _build/slides
	@echo
	@echo "The slides are ready: $(CURDIR)/_build/slides/index.html"

# tests/book: they read _build (make book, make pdf, make slides) and fail, naming the
# command, when a build is missing. test_checkers.py builds small fixture
# books (PDF and HTML) to prove that the checks fail when they should.
check-book: setup
	@bash .ci/ensure-system-packages $(PDF_PACKAGES) $(CHECK_PACKAGES)
	$(BOOK_TESTS) tests/book

check-slides: setup
	@bash .ci/ensure-system-packages $(CHECK_PACKAGES)
	$(BOOK_TESTS) tests/book/test_slides.py

check-pdf: setup
	@bash .ci/ensure-system-packages $(CHECK_PACKAGES)
	$(BOOK_TESTS) tests/book/test_pdf.py

check-html: setup
	@bash .ci/ensure-system-packages $(CHECK_PACKAGES)
	$(BOOK_TESTS) tests/book/test_html.py tests/book/test_browser.py

binder-check: setup
	$(BIN)/python tests/book/binder_check.py

linkcheck: setup
	$(BIN)/jupyter-book build . --builder linkcheck
