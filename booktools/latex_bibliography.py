"""Sphinx extension: each chapter's references stay in the chapter in the PDF.

In the HTML book every chapter ends with a "References" section listing
what it cites (sphinxcontrib-bibtex's ``{bibliography}``). Sphinx's LaTeX
builder, by default, moves every citation of the whole book into one list at
the very end (``sphinx.builders.latex.transforms.BibliographyTransform``),
which leaves each chapter's "References" heading empty in the PDF and
repeats a work cited by two chapters in the final list.

This extension replaces that transform for LaTeX: each run of citations
stays where it is, wrapped in its own ``thebibliography`` list, and the
list is typeset without the page break and the unnumbered "Bibliography"
chapter heading that LaTeX's ``thebibliography`` adds (the chapter's own
"References" section is the heading). HTML output is not touched.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.builders.latex.nodes import thebibliography
from sphinx.builders.latex.transforms import BibliographyTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

#: The list inside a section: no \cleardoublepage, no \chapter*{Bibliography},
#: no "Bibliography" in the page footers, no contents entry (the section
#: heading "References" is already there).
PREAMBLE = r"""
% booktools.latex_bibliography: a chapter's references are a list in its own
% "References" section, not a chapter of their own.
\makeatletter
\renewenvironment{sphinxthebibliography}[1]%
  {\def\chapter*##1{}\let\@mkboth\@gobbletwo\begin{thebibliography}{#1}}%
  {\end{thebibliography}}
\makeatother
"""


class ChapterBibliography(SphinxPostTransform):
    """Wrap each run of sibling ``citation`` nodes in a ``thebibliography`` in place."""

    default_priority = 750        # where Sphinx's own transform would run
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        parents = []
        for citation in self.document.findall(nodes.citation):
            if citation.parent not in parents:
                parents.append(citation.parent)
        for parent in parents:
            if isinstance(parent, thebibliography):
                continue
            run: list[nodes.citation] = []
            children = list(parent.children)
            for child in children + [None]:
                if isinstance(child, nodes.citation):
                    run.append(child)
                    continue
                if run:
                    self._wrap(parent, run)
                    run = []

    @staticmethod
    def _wrap(parent, citations) -> None:
        index = parent.index(citations[0])
        listing = thebibliography()
        for citation in citations:
            parent.remove(citation)
            listing += citation
        parent.insert(index, listing)


def _on_config_inited(app, config):
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app):
    # Sphinx registers its transform when the LaTeX builder module is set up
    # (a built-in extension, loaded before this one): take it out.
    transforms = app.registry.get_post_transforms()
    if BibliographyTransform in transforms:
        transforms.remove(BibliographyTransform)
    app.add_post_transform(ChapterBibliography)
    app.connect("config-inited", _on_config_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
