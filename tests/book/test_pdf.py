"""The PDF handouts (`make pdf`), checked with the text and pictures read back
out of them: the whole book (one part per lecture) and one handout per
lecture (booktools.latex_lectures). The numbers they are compared with come
from the book itself: _toc.yml (parts and chapters), the built HTML
(figures) and the executed notebooks (code and outputs)."""
from __future__ import annotations

import pytest

import bookinfo
import pdfcheck

pytestmark = pytest.mark.book

#: "book" (the whole book) and every lecture of _toc.yml ("01", "02", ...)
HANDOUTS = ["book"] + [number for number, _, _ in bookinfo.toc_parts()]


@pytest.fixture(scope="module", params=HANDOUTS,
                ids=lambda h: "whole book" if h == "book" else f"lecture {h}")
def handout(request, chapters, facts):
    """(lecture number or None, [(caption, [chapter titles])], PdfContent)."""
    lecture = None if request.param == "book" else request.param
    titles = {doc: title for doc, _, title in chapters}
    parts = [(caption, [titles[d] for d in docs]) for number, caption, docs in bookinfo.toc_parts()
             if lecture in (None, number)]
    path = bookinfo.require(bookinfo.pdf_path(lecture), "make pdf")
    content = pdfcheck.read_pdf(path)
    facts[f"PDF {path.name}"] = (f"{content.pages} pages, {content.pictures} pictures "
                                 f"({len(content.raster)} raster, {len(content.vector)} vector)")
    return lecture, parts, content


@pytest.fixture(scope="module")
def pdf(handout):
    return handout[2]


def _docs_of(lecture):
    return [d for number, _, docs in bookinfo.toc_parts() for d in docs
            if lecture in (None, number)]


def _figures_of(lecture, html_root):
    pages = [html_root / f"{doc}.html" for doc in _docs_of(lecture)]
    found = []
    for page in pages:
        bookinfo.require(page, "make book")
        found.extend(bookinfo.figures_in_page(page, html_root))
    return bookinfo.distinct_figures(found)


def _assert_none(problems):
    assert not problems, "\n".join(problems)


def test_title_page_and_contents(handout, config):
    lecture, parts, pdf = handout
    _assert_none(pdfcheck.check_title_page(pdf, title=config["title"], author=config["author"]))
    if lecture is not None:
        # the handout's own title: "Quantitative Big Imaging. Lecture 2: ..."
        _assert_none(pdfcheck.check_title_page(pdf, title=parts[0][0], author=config["author"]))


def test_every_chapter_is_a_numbered_chapter(handout):
    lecture, parts, pdf = handout
    if lecture is None and parts:
        _assert_none(pdfcheck.check_chapters(pdf, parts=parts))
    else:
        _assert_none(pdfcheck.check_chapters(pdf, [t for _, titles in parts for t in titles]))


def test_no_object_repr_in_place_of_an_output(pdf):
    _assert_none(pdfcheck.check_no_reprs(pdf))


def test_every_figure_is_embedded_and_graphs_are_vectors(handout, html_root):
    lecture, _, pdf = handout
    figures = _figures_of(lecture, html_root)
    n_vector = sum(bookinfo.is_vector(f) for f in figures)
    _assert_none(pdfcheck.check_figures(pdf, n_figures=len(figures), n_vector_figures=n_vector))


def test_page_count_in_expected_range(handout, html_root, facts):
    lecture, parts, pdf = handout
    n_chapters = sum(len(titles) for _, titles in parts)
    n_figures = len(_figures_of(lecture, html_root))
    low, high = pdfcheck.expected_page_range(n_chapters, n_figures)
    facts[f"PDF {pdf.path.name} page range expected"] = f"{low} to {high}"
    _assert_none(pdfcheck.check_pages(pdf, n_chapters=n_chapters, n_figures=n_figures))


def test_no_missing_characters(pdf):
    log = bookinfo.require(pdf.path.with_suffix(".log"), "make pdf")
    _assert_none(pdfcheck.check_characters(pdf, log.read_text(encoding="utf-8", errors="replace")))


def test_no_empty_sections(pdf):
    tex = bookinfo.require(pdf.path.with_suffix(".tex"), "make pdf")
    _assert_none(pdfcheck.check_sections(tex.read_text(encoding="utf-8")))


def test_the_empty_section_check_can_fail():
    tex = "\n".join([
        r"\chapter{One}", r"\label{one}", "Text.",
        r"\section{Results}", "A result.",
        r"\section{References}", r"\label{\detokenize{one:references}}", r"\sphinxstepscope", "",
        r"\chapter{Two}", r"\section{Only subsections}", r"\subsection{A}", "a",
        r"\section{Last}", "% a comment only", r"\printindex", r"\end{document}"])
    assert pdfcheck.empty_sections(tex) == ["References", "Last"]


def test_code_and_outputs_are_printed(handout, chapters):
    lecture, _, pdf = handout
    docs = _docs_of(lecture)
    notebooks = {doc: nb for doc, nb in bookinfo.executed_notebooks(bookinfo.build_dir()).items()
                 if doc in docs}
    missing = [doc for doc, source, _ in chapters
               if doc in docs and bookinfo.is_notebook(source) and doc not in notebooks]
    assert not missing, (f"no executed notebooks in {bookinfo.build_dir() / 'jupyter_execute'} "
                         f"for {missing}: build the book first with `make book`")
    _assert_none(pdfcheck.check_code_and_outputs(pdf, notebooks))
