"""The PDF handout (`make pdf`), checked with the text and pictures read back
out of it. The numbers it is compared with come from the book itself:
_toc.yml (chapters), the built HTML (figures) and the executed notebooks
(code and outputs)."""
from __future__ import annotations

import pytest

import bookinfo
import pdfcheck

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def pdf(facts):
    path = bookinfo.require(bookinfo.pdf_path(), "make pdf")
    content = pdfcheck.read_pdf(path)
    facts["PDF"] = (f"{path}: {content.pages} pages, {content.pictures} pictures "
                    f"({len(content.raster)} raster, {len(content.vector)} vector)")
    return content


@pytest.fixture(scope="module")
def latex_log():
    log = bookinfo.pdf_path().with_suffix(".log")
    bookinfo.require(log, "make pdf")
    return log.read_text(encoding="utf-8", errors="replace")


def _assert_none(problems):
    assert not problems, "\n".join(problems)


def test_title_page_and_contents(pdf, config):
    _assert_none(pdfcheck.check_title_page(pdf, title=config["title"], author=config["author"]))


def test_every_chapter_is_a_numbered_chapter(pdf, chapters):
    _assert_none(pdfcheck.check_chapters(pdf, [title for _, _, title in chapters]))


def test_no_object_repr_in_place_of_an_output(pdf):
    _assert_none(pdfcheck.check_no_reprs(pdf))


def test_every_figure_is_embedded_and_graphs_are_vectors(pdf, figures):
    n_vector = sum(bookinfo.is_vector(f) for f in figures)
    _assert_none(pdfcheck.check_figures(pdf, n_figures=len(figures), n_vector_figures=n_vector))


def test_page_count_in_expected_range(pdf, chapters, figures, facts):
    low, high = pdfcheck.expected_page_range(len(chapters), len(figures))
    facts["PDF page range expected"] = f"{low} to {high}"
    _assert_none(pdfcheck.check_pages(pdf, n_chapters=len(chapters), n_figures=len(figures)))


def test_no_missing_characters(pdf, latex_log):
    _assert_none(pdfcheck.check_characters(pdf, latex_log))


def test_no_empty_sections(pdf):
    tex = bookinfo.require(bookinfo.pdf_path().with_suffix(".tex"), "make pdf")
    _assert_none(pdfcheck.check_sections(tex.read_text(encoding="utf-8")))


def test_the_empty_section_check_can_fail():
    tex = "\n".join([
        r"\chapter{One}", r"\label{one}", "Text.",
        r"\section{Results}", "A result.",
        r"\section{References}", r"\label{\detokenize{one:references}}", r"\sphinxstepscope", "",
        r"\chapter{Two}", r"\section{Only subsections}", r"\subsection{A}", "a",
        r"\section{Last}", "% a comment only", r"\printindex", r"\end{document}"])
    assert pdfcheck.empty_sections(tex) == ["References", "Last"]


def test_code_and_outputs_are_printed(pdf, chapters):
    notebooks = bookinfo.executed_notebooks(bookinfo.build_dir())
    missing = [doc for doc, source, _ in chapters
               if bookinfo.is_notebook(source) and doc not in notebooks]
    assert not missing, (f"no executed notebooks in {bookinfo.build_dir() / 'jupyter_execute'} "
                         f"for {missing}: build the book first with `make book`")
    _assert_none(pdfcheck.check_code_and_outputs(pdf, notebooks))
