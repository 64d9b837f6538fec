"""Sphinx extension: the PDF handout per lecture, and lectures as parts.

The book has one part per lecture in ``_toc.yml`` (a caption such as
"Lecture 2: Image Enhancement"), and the HTML book numbers the chapters of
each part from 1. Sphinx's LaTeX builder knows nothing of parts: it inlines
every toctree of the start page and numbers the chapters on through the
whole book. This extension makes ``make pdf`` write

* ``qbi-book.pdf``: the whole book, each lecture a ``\\part`` whose chapters
  are numbered from 1, as on the web pages (``Lecture 2``, chapter ``1``);
* ``qbi-book-lecture-01.pdf``, ``qbi-book-lecture-02.pdf``, ...: one
  handout per lecture, with its own title page ("Lecture 2: Image
  Enhancement"), contents and chapter numbering.

Each handout is one more entry of ``latex_documents`` (added when the LaTeX
builder writes, one per part of ``_toc.yml``); its document is assembled
from the same start page with only that lecture's toctree kept. Nothing is
read or executed twice: every ``.tex`` file comes from the same doctrees,
and Sphinx's LaTeX Makefile compiles them all. HTML output is untouched.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

#: Chapters are counted within their part, and hyperref's internal names
#: carry the part so that chapter 1 of lecture 2 is not chapter 1 of
#: lecture 1 for the PDF's links and bookmarks.
PREAMBLE = r"""
% booktools.latex_lectures: chapters are numbered within each lecture (part).
\counterwithin*{chapter}{part}
\makeatletter
\@ifundefined{theHchapter}{}{\renewcommand{\theHchapter}{\thepart.\arabic{chapter}}}
\makeatother
"""


def lecture_parts(srcdir: Path) -> list[tuple[str, str]]:
    """[(number "01", caption)] of the parts of ``_toc.yml`` named "Lecture N: ..."."""
    toc_file = srcdir / "_toc.yml"
    if not toc_file.exists():
        return []
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8")) or {}
    out = []
    for part in toc.get("parts") or []:
        caption = str(part.get("caption", ""))
        match = re.match(r"\s*Lecture\s+(\d+)\b", caption)
        if match:
            out.append((f"{int(match.group(1)):02d}", caption))
    return out


def handout_name(base_target: str, number: str) -> str:
    """``qbi-book.tex`` and ``"02"`` -> ``qbi-book-lecture-02.tex``."""
    stem = base_target[:-4] if base_target.endswith(".tex") else base_target
    return f"{stem}-lecture-{number}.tex"


def _add_handouts(app: Sphinx) -> None:
    if app.builder.name != "latex":
        return
    _wrap_builder(app.builder, lecture_parts(Path(app.srcdir)))


def _wrap_builder(builder, parts: list[tuple[str, str]]) -> None:
    """Add one ``latex_documents`` entry per lecture, and make
    ``assemble_doctree`` know which entry it assembles.

    The entries are added when the builder writes (jupyter-book resets
    ``latex_documents`` after Sphinx has started, and refuses a list of more
    than one). Sphinx's ``write`` then calls ``assemble_doctree`` once per
    entry of ``document_data``, in order; the entry tells whether it is the
    whole book (each lecture gets a ``\\part``) or one lecture's handout (only
    its toctree is kept)."""
    init_data = builder.init_document_data
    assemble = builder.assemble_doctree
    handouts: dict[str, str] = {}
    captions = [caption for _, caption in parts]

    def init_document_data():
        documents = [tuple(entry) for entry in builder.config.latex_documents]
        if documents:
            start, target, title, author, theme = documents[0][:5]
            for number, caption in parts:
                name = handout_name(target, number)
                handouts[name] = caption
                documents.append((start, name, f"{title}. {caption}", author, theme, True))
            builder.config.latex_documents = documents
        init_data()
        builder._qbi_next = 0

    def assemble_doctree(indexfile, toctree_only, appendices):
        entry = builder.document_data[builder._qbi_next]
        builder._qbi_next += 1
        caption = handouts.get(entry[1])
        env = builder.env
        original_get = env.get_doctree

        def get_doctree(docname):
            tree = original_get(docname)
            if docname == indexfile and caption is not None:
                for toctree in list(tree.findall(addnodes.toctree)):
                    if toctree.get("caption") != caption:
                        toctree.parent.remove(toctree)
            return tree

        firsts = {}
        if caption is None:
            for toctree in original_get(indexfile).findall(addnodes.toctree):
                files = toctree.get("includefiles") or []
                if files and toctree.get("caption") in captions:
                    firsts[files[0]] = toctree["caption"]
        env.get_doctree = get_doctree
        try:
            tree = assemble(indexfile, toctree_only, appendices)
        finally:
            del env.get_doctree
        if firsts:
            _insert_parts(tree, firsts)
        return tree

    builder.init_document_data = init_document_data
    builder.assemble_doctree = assemble_doctree


def _insert_parts(tree: nodes.document, firsts: dict[str, str]) -> None:
    """A ``\\part{caption}`` before the first chapter of every lecture."""
    for start in list(tree.findall(addnodes.start_of_file)):
        caption = firsts.pop(start.get("docname"), None)
        if caption is None:
            continue
        text = caption.replace("\\", "").replace("{", "").replace("}", "")
        raw = nodes.raw("", f"\\part{{{text}}}\n", format="latex")
        start.parent.insert(start.parent.index(start), raw)


def _preamble(app: Sphinx, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _preamble)
    app.connect("builder-inited", _add_handouts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
