"""Sphinx extension: fixes of the HTML pages that an accessibility audit flags.

The browser test (tests/book/browsercheck.py) runs axe-core, the standard
accessibility engine, on every page and fails on any critical or serious
violation. What the book's own markup, its extensions and its theme did wrong
is fixed here, generically (no chapter needs to change):

* **Bibliographies** (critical, ``aria-required-children``; minor,
  ``aria-deprecated-role`` and ``aria-allowed-role``). Docutils writes each
  reference of a ``{bibliography}`` as ``<div role="doc-biblioentry">`` inside
  ``<div role="list">``; ``doc-biblioentry`` is deprecated (DPUB-ARIA 1.1), is
  not allowed on a ``div`` and is not a list item, so the list has no items.
  Each entry becomes ``role="listitem"``.
* **Hidden code cells** (serious, ``label-content-name-mismatch``). myst-nb
  labels the ``<summary>`` of each ``hide-input`` cell "Toggle hidden content",
  which hides its visible text ("Show code cell source") from screen readers.
  The label is dropped: the visible text is the name.
* **Empty table headers** (minor, ``empty-table-header``). pandas writes the
  top-left corner of a table with an unnamed index (and the blank cells of a
  ``Styler``) as an empty ``<th>``, a header that names nothing. Empty header
  cells become ``<td>``. (A chapter that names its index, ``df.index.name``
  or ``df.rename_axis``, gives the corner a real header.)
* **The theme's buttons and the book's title** (serious and moderate):
  booktools/templates/ wraps three templates of pydata-sphinx-theme: the
  search button (its label "Search" hid its visible text "Search Ctrl+K"),
  the colour-mode button (the titles of its icons counted as its text) and
  the book's title at the top of the sidebar (outside every landmark, axe's
  ``region``). Each wrapper includes the theme's own template and changes one
  attribute, so a theme update keeps working (and the audit catches a
  change that undoes a fix).

What remains (minor or from the theme's structure) is listed in the README.
The config value ``qbi_accessibility`` (default ``True``) switches all of it
off, which the checks' fixture books use to prove that the audit fails
without it.
"""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"

_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')
_SUMMARY_LABEL = re.compile(r'<summary aria-label="Toggle hidden content">')
# an empty header cell: nothing, white space or non-breaking spaces inside
_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;|&#160;|&#xa0;|\xa0)*</th>", re.I)


def _empty_th_to_td(match: re.Match) -> str:
    attributes = (match.group(1) or "").rstrip()
    return f"<td{attributes}></td>"


def fix_body(html: str) -> str:
    """The accessibility fixes of a page's body (the HTML of its content)."""
    html = _BIBLIOENTRY.sub(r'\1 role="listitem"', html)
    html = _SUMMARY_LABEL.sub("<summary>", html)
    return _EMPTY_TH.sub(_empty_th_to_td, html)


def _on_config_inited(app, config):
    if config.qbi_accessibility:
        # before the theme's component folder, which pydata-sphinx-theme
        # appends when it is loaded
        config.templates_path.insert(0, str(TEMPLATES))


def _on_html_page_context(app, pagename, templatename, context, doctree):
    if app.config.qbi_accessibility and isinstance(context.get("body"), str):
        context["body"] = fix_body(context["body"])


def setup(app):
    app.add_config_value("qbi_accessibility", True, "html")
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_html_page_context)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
