"""The checks fail when they should.

A two-page fixture book with the real book's settings (fixturebook.py) is
built as PDF and HTML, once as it should be and once with one thing broken:

* without the SVG converter extension, or without the SVG priority for
  LaTeX, the PDF build fails or the PDF checker reports the lost graph;
* with an image without alt text, the HTML and the browser checkers report it;
* without the book's CSS (booktools/static/), the browser checker reports the dimmed
  figures of the dark theme.

Plus small hand-made inputs for the link checker and the browser checker
(a JavaScript error, a broken image).
"""
from __future__ import annotations

import pytest

import browsercheck
import fixturebook
import htmlcheck
import pdfcheck

pytestmark = pytest.mark.book


# ------------------------------------------------------------------ PDF

def pdf_problems(folder):
    pdf = folder / "_build" / "latex" / "qbi-book.pdf"
    content = pdfcheck.read_pdf(pdf)
    log = pdf.with_suffix(".log")
    return pdfcheck.check_pdf(
        content, title=fixturebook.TITLE, author=fixturebook.AUTHOR,
        chapter_titles=[fixturebook.CHAPTER_TITLE], n_figures=2, n_vector_figures=1,
        log_text=log.read_text(encoding="utf-8", errors="replace") if log.exists() else None)


@pytest.fixture(scope="module")
def pdf_book(tmp_path_factory):
    """Build a fixture variant as PDF: (jupyter-book's exit code, problems or None)."""
    def build(**variant):
        folder = fixturebook.make_book(tmp_path_factory.mktemp("pdfbook"), **variant)
        result = fixturebook.build(folder, "pdflatex")
        pdf = folder / "_build" / "latex" / "qbi-book.pdf"
        return result, (pdf_problems(folder) if pdf.exists() else None)
    return build


def test_pdf_of_the_fixture_with_the_real_settings_passes(pdf_book):
    result, problems = pdf_book()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert problems == [], "\n".join(problems)


def test_pdf_without_the_svg_converter_fails(pdf_book):
    result, problems = pdf_book(svg_converter=False)
    # LaTeX cannot include the .svg: `make pdf` fails, or the graph is missing
    assert result.returncode != 0 or any("vector graphics" in p for p in problems or []), (
        f"exit code {result.returncode}, problems {problems}")


def test_pdf_without_the_svg_priority_shows_the_repr_and_fails(pdf_book):
    result, problems = pdf_book(svg_priority=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert any("<IPython.core.display.SVG object>" in p for p in problems), problems
    assert any("vector graphics" in p for p in problems), problems


def test_pdf_checker_reads_missing_characters_from_the_log():
    log = ("Missing character: There is no 🙂 (U+1F642) in font [FreeSerif.otf]/OT:script=latn;!\n"
           "Missing character: There is no 🙂 (U+1F642) in font [FreeSerif.otf]/OT:script=latn;!\n")
    assert pdfcheck.missing_characters(log) == ["🙂 (U+1F642) in font [FreeSerif.otf]/OT:script=latn;"]


def test_pdf_checker_recognises_object_reprs():
    text = ("<Figure size 640x480 with 1 Axes>\n<IPython.core.display.SVG object>\n"
            "<pandas.io.formats.style.Styler at 0x7f6cdc7db850>\n<Axes: title={'center': 'x'}>\n"
            "<graphviz.graphs.Digraph object at 0x7f00>")
    found = pdfcheck.object_reprs(text)
    assert len(found) == 5, found
    assert pdfcheck.object_reprs("a <b>bold</b> claim, x < y > z, dask.array<zeros, shape=(5, 5)>") == []


# ------------------------------------------------------------------ HTML

@pytest.fixture(scope="module")
def html_book(tmp_path_factory):
    """Build a fixture variant as HTML and check it: (static problems, browser report)."""
    def build(**variant):
        folder = fixturebook.make_book(tmp_path_factory.mktemp("htmlbook"), **variant)
        result = fixturebook.build(folder, "html")
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        html = folder / "_build" / "html"
        static = htmlcheck.check_alt_texts(html) + htmlcheck.check_internal_links(html)
        report = browsercheck.check_site(html, folder / "_build" / "screenshots", htmlcheck.html_pages(html))
        return static, report
    if browsercheck.chromium_problem():
        pytest.fail(browsercheck.chromium_problem(), pytrace=False)
    return build


def test_html_of_the_fixture_with_the_real_settings_passes(html_book):
    static, report = html_book()
    assert static == [] and report.problems == [], "\n".join(static + report.problems)
    assert report.figures_compared == 2


def test_image_without_alt_text_fails(html_book):
    static, report = html_book(alt=False)
    # Sphinx writes the image's path as its alt: that is not an alt text
    assert any("only a file name as alt text" in p for p in static), static
    assert any("only a file name as alt text" in p for p in report.problems), report.problems


def test_dark_theme_without_the_book_css_fails(html_book):
    static, report = html_book(static=False)
    assert static == []
    assert any("filter: brightness" in p for p in report.problems), report.problems
    assert any("looks different in the dark theme" in p for p in report.problems), report.problems


def test_html_checker_flags_img_without_alt_and_unnamed_svg(tmp_path):
    (tmp_path / "a.png").write_bytes(fixturebook.png_bytes())
    (tmp_path / "page.html").write_text(
        '<html><body><article class="bd-article">'
        '<img src="a.png"><img src="a.png" alt=""><img src="a.png" alt="A purple bar">'
        '<svg width="10" height="10"><rect width="10" height="10"/></svg>'
        '<svg aria-label="A black square" width="10" height="10"><rect width="10" height="10"/></svg>'
        '<button><svg width="5" height="5"></svg></button>'
        '</article></body></html>', encoding="utf-8")
    problems = htmlcheck.check_alt_texts(tmp_path)
    assert len(problems) == 3, problems
    assert "has no alt attribute" in problems[0]
    assert "has an empty alt text" in problems[1]
    assert "inline <svg" in problems[2]


def test_html_checker_flags_transparent_png(tmp_path):
    from PIL import Image

    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(tmp_path / "clear.png")
    (tmp_path / "a.png").write_bytes(fixturebook.png_bytes())
    page = tmp_path / "page.html"
    page.write_text('<html><body><article><img src="clear.png" alt="Nothing">'
                    '<img src="a.png" alt="A purple bar"></article></body></html>', encoding="utf-8")
    problems = htmlcheck.check_opaque_pictures(tmp_path, [page])
    assert len(problems) == 1 and "clear.png" in problems[0], problems


def test_link_checker_flags_missing_pages_and_anchors(tmp_path):
    (tmp_path / "b.html").write_text('<html><body><h1 id="top">B</h1></body></html>', encoding="utf-8")
    (tmp_path / "a.html").write_text(
        '<html><body><a href="b.html#top">ok</a><a href="b.html#nowhere">bad anchor</a>'
        '<a href="c.html">missing page</a><a href="#here">bad own anchor</a>'
        '<a href="https://example.org/x">external</a></body></html>', encoding="utf-8")
    problems = htmlcheck.check_internal_links(tmp_path)
    assert len(problems) == 3, problems
    assert any("#nowhere" in p for p in problems)
    assert any("c.html" in p for p in problems)
    assert any("#here" in p for p in problems)


def test_browser_checker_flags_js_errors_and_broken_images(tmp_path):
    if browsercheck.chromium_problem():
        pytest.fail(browsercheck.chromium_problem(), pytrace=False)
    (tmp_path / "a.png").write_bytes(fixturebook.png_bytes())
    theme = ("<script>document.documentElement.dataset.theme = "
             "matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';</script>")
    (tmp_path / "good.html").write_text(
        f'<html><head>{theme}</head><body><article class="bd-article">'
        '<img src="a.png" alt="A purple bar and a yellow disc"></article></body></html>', encoding="utf-8")
    (tmp_path / "bad.html").write_text(
        f'<html><head>{theme}</head><body><article class="bd-article">'
        '<img src="missing.png" alt="A picture that is not there">'
        '<script>notDefinedAnywhere();</script></article></body></html>', encoding="utf-8")
    report = browsercheck.check_site(tmp_path, tmp_path / "shots",
                                     [tmp_path / "good.html", tmp_path / "bad.html"])
    good = [p for p in report.problems if p.startswith("good.html")]
    bad = [p for p in report.problems if p.startswith("bad.html")]
    assert good == [], good
    assert any("notDefinedAnywhere" in p for p in bad), bad
    assert any("broken image" in p for p in bad), bad
    assert any("missing.png" in p and ("HTTP 404" in p or "failed to load" in p) for p in bad), bad
    assert len(report.screenshots) == 4
