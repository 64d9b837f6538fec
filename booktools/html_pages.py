"""Sphinx extension for the HTML pages: each ``<script>`` once, and the book's CSS.

**The book's CSS.** ``booktools/static/qbi-figures.css`` (figures keep their
true colours in the dark theme) is added to every page. The config value
``qbi_figure_css`` (default ``True``) switches it off, which the checks'
fixture books use to prove the browser test notices its absence.

**Each script once.**
Sphinx 7.4 (the version Jupyter Book 1.x uses) registers an inline script
that an extension adds while the sources are read (sphinx-thebe's
``const THEBE_JS_URL = ...``, sphinx-togglebutton's ``var
togglebuttonSelector = ...``) twice: once as it is added, and again, under
the file name ``''`` instead of ``None``, when the pages are written. The
second ``const`` declaration is a JavaScript error on every page ("Identifier
'THEBE_JS_URL' has already been declared"), which the browser test
(tests/book) catches. This extension drops the second copy from each page's
list of scripts; it changes nothing else.
"""
from __future__ import annotations

import pathlib

STATIC = pathlib.Path(__file__).resolve().parent / "static"


def _key(asset) -> tuple:
    filename = getattr(asset, "filename", asset) or ""
    attributes = getattr(asset, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _dedup(assets: list) -> list:
    seen: set[tuple] = set()
    kept = []
    for asset in assets:
        key = _key(asset)
        if key not in seen:
            seen.add(key)
            kept.append(asset)
    return kept


def _on_html_page_context(app, pagename, templatename, context, doctree):
    for name in ("script_files", "css_files"):
        if isinstance(context.get(name), list):
            context[name] = _dedup(context[name])


def _on_builder_inited(app):
    if app.config.qbi_figure_css and app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("qbi-figures.css")


def setup(app):
    app.add_config_value("qbi_figure_css", True, "html")
    app.connect("builder-inited", _on_builder_inited)
    # Late, after myst-nb and the themes have added their per-page assets.
    app.connect("html-page-context", _on_html_page_context, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
