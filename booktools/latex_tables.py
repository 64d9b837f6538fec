"""Sphinx extension: HTML-only tables reach the PDF handout as tables.

A cell whose result is a pandas ``Styler`` (``df.style.format(...)``) has two
outputs: an HTML table and, as plain text, only ``<pandas.io.formats.style.
Styler at 0x7f...>``. The web page shows the table; LaTeX cannot use HTML, so
myst-nb falls back to the plain text and the PDF would print the object's
address where the table belongs. For LaTeX builds this extension turns such
an HTML table into a docutils table (header rows, body rows, spanned cells
repeated as empty cells) and puts it in place of the useless plain text,
before myst-nb picks the output to show. Outputs with a real plain-text
version (a ``DataFrame``) are left alone.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Plain text that is only an object's repr, e.g. "<pandas.io.formats.style.Styler at 0x7f...>".
OBJECT_REPR = re.compile(r"^\s*<[A-Za-z_][\w.]*(?: object)? at 0x[0-9a-fA-F]+>\s*$")


class _TableParser(HTMLParser):
    """Collect the rows of the first <table>: [(is_header_row, [(text, is_th, colspan)])]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[bool, list[tuple[str, bool, int]]]] = []
        self._depth = 0          # nesting depth of <table>
        self._done = False
        self._in_head = False
        self._row: list | None = None
        self._cell: list[str] | None = None
        self._cell_th = False
        self._cell_span = 1
        self._skip = 0           # inside <style>/<script>

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
            return
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif self._depth == 1:
            if tag == "thead":
                self._in_head = True
            elif tag == "tr":
                self._row = []
            elif tag in ("td", "th") and self._row is not None:
                self._cell = []
                self._cell_th = tag == "th"
                span = dict(attrs).get("colspan") or "1"
                self._cell_span = int(span) if span.isdigit() and int(span) > 0 else 1
            elif tag == "br" and self._cell is not None:
                self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
            return
        if self._done:
            return
        if tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._done = True
        elif self._depth == 1:
            if tag == "thead":
                self._in_head = False
            elif tag in ("td", "th") and self._cell is not None and self._row is not None:
                text = " ".join("".join(self._cell).split())
                self._row.append((text, self._cell_th, self._cell_span))
                self._cell = None
            elif tag == "tr" and self._row is not None:
                self.rows.append((self._in_head, self._row))
                self._row = None

    def handle_data(self, data):
        if not self._skip and self._cell is not None and self._depth == 1:
            self._cell.append(data)


def html_table_rows(html: str) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, body rows) of the first table in ``html``, spans expanded."""
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    head, body = [], []
    for in_head, cells in parser.rows:
        row: list[str] = []
        for text, _is_th, span in cells:
            row.append(text)
            row.extend([""] * (span - 1))
        (head if in_head else body).append(row)
    return head, body


def table_node(head: list[list[str]], body: list[list[str]]) -> nodes.table | None:
    """A docutils table of the given rows (None when there is nothing to show)."""
    ncols = max((len(r) for r in head + body), default=0)
    if ncols == 0 or not body:
        return None

    def row_node(cells):
        row = nodes.row()
        for text in cells + [""] * (ncols - len(cells)):
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            row += entry
        return row

    table = nodes.table(classes=["output", "qbi-html-table"])
    group = nodes.tgroup(cols=ncols)
    table += group
    for _ in range(ncols):
        group += nodes.colspec(colwidth=1)
    if head:
        thead = nodes.thead()
        for cells in head:
            thead += row_node(cells)
        group += thead
    tbody = nodes.tbody()
    for cells in body:
        tbody += row_node(cells)
    group += tbody
    return table


class HtmlTableForLatex(SphinxPostTransform):
    """Give mime bundles whose plain text is an object repr their HTML table."""

    # myst-nb's SelectMimeType runs at 4: this must come first.
    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs):
        def is_bundle(node):
            return (isinstance(node, nodes.container)
                    and node.get("nb_element", "") == "mime_bundle")

        for bundle in list(self.document.findall(is_bundle)):
            by_type = {child.get("mime_type"): child for child in bundle.children}
            html, plain = by_type.get("text/html"), by_type.get("text/plain")
            if html is None or plain is None or not OBJECT_REPR.match(plain.astext()):
                continue
            raw = "".join(n.astext() for n in html.findall(nodes.raw))
            if "<table" not in raw:
                continue
            table = table_node(*html_table_rows(raw))
            if table is None:
                continue
            plain.children = []
            plain += table


def setup(app):
    app.add_post_transform(HtmlTableForLatex)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
