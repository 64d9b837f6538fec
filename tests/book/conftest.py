"""Fixtures of the book-level tests (marker ``book``; `make check-book`).

These tests read the built book: `make book` (HTML) and `make pdf` (PDF).
When a build is missing they fail, saying which command builds it; they are
never skipped. `make test` deselects them (``-m "not book"`` in
pyproject.toml), CI runs them after the builds.
"""
from __future__ import annotations

import pytest

import bookinfo

FACTS_KEY = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[FACTS_KEY] = {}


@pytest.fixture(scope="session")
def facts(request) -> dict:
    """Numbers measured by the tests, printed at the end of the run."""
    return request.config.stash[FACTS_KEY]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    found = config.stash.get(FACTS_KEY, {})
    if found:
        terminalreporter.section("book facts")
        for key, value in found.items():
            terminalreporter.write_line(f"{key}: {value}")


@pytest.fixture(scope="session")
def html_root():
    root = bookinfo.html_dir()
    bookinfo.require(root / "index.html", "make book")
    return root


@pytest.fixture(scope="session")
def config():
    return bookinfo.load_config()


@pytest.fixture(scope="session")
def chapters():
    """[(docname, source path, title)] of the chapters in _toc.yml, in order."""
    _, docs = bookinfo.toc_docnames()
    out = []
    for doc in docs:
        source = bookinfo.source_of(doc)
        out.append((doc, source, bookinfo.title_of(source)))
    return out


@pytest.fixture(scope="session")
def figures(html_root, facts):
    """Every picture of the chapters as the HTML book shows them."""
    found = bookinfo.book_figures(html_root)
    for page in bookinfo.chapter_pages(html_root):
        bookinfo.require(page, "make book")
    distinct = bookinfo.distinct_figures(found)
    facts["figures in the HTML chapters"] = (
        f"{len(found)} ({len(distinct)} distinct: "
        f"{sum(not bookinfo.is_vector(f) for f in distinct)} raster, "
        f"{sum(bookinfo.is_vector(f) for f in distinct)} SVG)")
    return distinct
