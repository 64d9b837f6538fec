"""The checks fail when they should.

A two-page fixture book with the real book's settings (fixturebook.py) is
built as PDF and HTML, once as it should be and once with one thing broken:

* without the SVG converter extension, or without the SVG priority for
  LaTeX, the PDF build fails or the PDF checker reports the lost graph;
* with an image without alt text, the HTML and the browser checkers report it;
* without the book's CSS (booktools/static/), the browser checker reports the dimmed
  figures of the dark theme;
* without the local copy of MathJax (removed from the build), or with
  Sphinx's default MathJax from a CDN, the browser checker reports raw TeX
  and the external request; without the npm assets the build stops, naming
  `make setup`;
* without the accessibility fixes (booktools/accessibility.py), the axe-core
  audit reports critical and serious violations.

Plus small hand-made inputs for the link checker and the browser checker
(a JavaScript error, a broken image, resources from other hosts, an
accessibility audit).
"""
from __future__ import annotations

import shutil

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


def test_pdf_of_two_lectures_has_parts_and_a_handout_per_lecture(tmp_path_factory):
    """booktools.latex_lectures: the whole book has one part per lecture, each
    numbering its chapters from 1, and each lecture has its own handout with
    its title; the chapter check fails on a book read with the wrong parts."""
    folder = fixturebook.make_book(tmp_path_factory.mktemp("lectures"), lectures=True)
    result = fixturebook.build(folder, "pdflatex")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    latex = folder / "_build" / "latex"
    book = pdfcheck.read_pdf(latex / "qbi-book.pdf")
    parts = [(fixturebook.LECTURES[0], [fixturebook.CHAPTER_TITLE]),
             (fixturebook.LECTURES[1], [fixturebook.SECOND_TITLE])]
    assert pdfcheck.check_chapters(book, parts=parts) == []
    # read as one lecture (no parts), chapter 2 is missing: the check can fail
    flat = pdfcheck.check_chapters(book, [fixturebook.CHAPTER_TITLE, fixturebook.SECOND_TITLE])
    assert any("no chapter '1 " in p or "no chapter '2 " in p for p in flat), flat
    for number, (caption, titles) in zip(("01", "02"), parts):
        handout = pdfcheck.read_pdf(latex / f"qbi-book-lecture-{number}.pdf")
        assert pdfcheck.check_title_page(handout, title=caption, author=fixturebook.AUTHOR) == []
        assert pdfcheck.check_chapters(handout, titles) == []
        other = parts[1][1][0] if number == "01" else parts[0][1][0]
        assert pdfcheck.normalise(other) not in pdfcheck.normalise(handout.text)


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
def html_build(tmp_path_factory):
    """Build a fixture variant as HTML (once per variant): its _build/html."""
    built = {}

    def build(**variant):
        key = tuple(sorted(variant.items()))
        if key not in built:
            folder = fixturebook.make_book(tmp_path_factory.mktemp("htmlbook"), **variant)
            result = fixturebook.build(folder, "html")
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            built[key] = folder / "_build" / "html"
        return built[key]
    return build


def check_html(html):
    """(static problems, browser report) of a built fixture."""
    static = (htmlcheck.check_alt_texts(html) + htmlcheck.check_internal_links(html)
              + htmlcheck.check_external_resources(html))
    report = browsercheck.check_site(html, html.parent / "screenshots", htmlcheck.html_pages(html))
    return static, report


@pytest.fixture(scope="module")
def html_book(html_build):
    """Build a fixture variant as HTML and check it: (static problems, browser report)."""
    if browsercheck.chromium_problem():
        pytest.fail(browsercheck.chromium_problem(), pytrace=False)
    return lambda **variant: check_html(html_build(**variant))


def test_html_of_the_fixture_with_the_real_settings_passes(html_book):
    static, report = html_book()
    assert static == [] and report.problems == [], "\n".join(static + report.problems)
    assert report.figures_compared == 2
    # every formula typeset by the book's own MathJax, in both themes
    n = fixturebook.N_FORMULAS * len(browsercheck.THEMES)
    assert report.formulas == (n, n), report.formulas
    assert report.external_requests == {}
    # the accessibility audit ran on every page in both themes, found nothing
    # critical or serious, and left its results for inspection
    audited = [p for p in report.probes if p.axe is not None]
    assert len(audited) == len(report.probes) == report.pages * len(browsercheck.THEMES)
    assert all(p.axe_file.is_file() for p in audited)
    assert not any(impact in browsercheck.FAILING_IMPACTS for impact, _ in report.axe_counts())


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


def test_math_without_the_local_mathjax_copy_fails(html_build, tmp_path):
    """The real settings' build, with _static/mathjax removed: every formula
    stays raw TeX, and the browser test says so."""
    html = tmp_path / "html"
    shutil.copytree(html_build(), html)
    shutil.rmtree(html / "_static" / "mathjax")
    _, report = check_html(html)
    assert any("MathJax did not load" in p for p in report.problems), report.problems
    assert any("HTTP 404 for /_static/mathjax/tex-chtml.js" in p for p in report.problems), report.problems
    assert any("raw TeX" in p for p in report.problems), report.problems
    assert report.formulas == (fixturebook.N_FORMULAS * len(browsercheck.THEMES), 0)


def test_math_from_a_cdn_fails_offline(html_book):
    """Sphinx's default MathJax (from cdn.jsdelivr.net) is an external
    request, and offline the formulas stay raw TeX."""
    static, report = html_book(offline_math=False)
    assert any("loads https://" in p and "mathjax" in p for p in static), static
    cdn = [url for url in report.external_requests if "mathjax" in url]
    assert cdn and all(url.startswith("https://") for url in cdn), report.external_requests
    assert any("requests a script from outside the book" in p and "mathjax" in p
               for p in report.problems), report.problems
    assert any("MathJax did not load" in p for p in report.problems), report.problems


def test_build_without_the_npm_assets_fails_naming_make_setup(tmp_path):
    empty = tmp_path / "node_modules"
    empty.mkdir()
    folder = fixturebook.make_book(tmp_path / "book", web_assets=empty)
    result = fixturebook.build(folder, "html")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "'mathjax' is not installed" in output and "make setup" in output, output[-3000:]


def test_theme_and_markup_without_the_accessibility_fixes_fail(html_book):
    """What booktools.accessibility fixes is flagged without it: critical
    (the bibliography's list without list items) and serious (buttons and
    toggles whose label hides their text)."""
    _, report = html_book(a11y=False)
    failing = {(impact, rule) for impact, rule in report.axe_counts()
               if impact in browsercheck.FAILING_IMPACTS}
    assert ("critical", "aria-required-children") in failing, failing
    assert ("serious", "label-content-name-mismatch") in failing, failing
    assert any("axe aria-required-children" in p for p in report.problems), report.problems
    minor = {rule for impact, rule in report.axe_counts() if impact == "minor"}
    assert {"empty-table-header", "aria-deprecated-role"} <= minor, minor


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


def test_html_checker_flags_resources_from_other_hosts(tmp_path):
    (tmp_path / "page.html").write_text(
        '<html><head><link rel="stylesheet" href="https://styles.example.org/a.css">'
        '<link rel="canonical" href="https://qbi-book.example.org/page.html">'
        '<script src="//cdn.example.org/b.js"></script><script src="_static/local.js"></script>'
        '<style>@font-face { src: url("https://fonts.example.org/c.woff2"); }</style></head>'
        '<body><img src="https://images.example.org/d.png" alt="D">'
        '<img src="data:image/png;base64,AAAA" alt="inline">'
        '<div style="background: url(https://images.example.org/e.png)"></div>'
        '<a href="https://example.org/paper">a paper</a></body></html>', encoding="utf-8")
    problems = htmlcheck.check_external_resources(tmp_path)
    assert len(problems) == 5, problems
    for url in ("a.css", "//cdn.example.org/b.js", "c.woff2", "d.png", "e.png"):
        assert any(url in p for p in problems), (url, problems)


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
        f'<html lang="en"><head><title>Good</title>{theme}</head><body><main><article class="bd-article">'
        '<h1>Good</h1><img src="a.png" alt="A purple bar and a yellow disc"></article></main></body></html>',
        encoding="utf-8")
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


THEME_SCRIPT = ("<script>document.documentElement.dataset.theme = "
                "matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';</script>")


def test_browser_checker_flags_every_request_outside_the_book(tmp_path):
    """Scripts, styles, fonts and images from other hosts are each reported
    (with the address); links the reader may click, the Binder launcher
    among them, request nothing and are fine."""
    if browsercheck.chromium_problem():
        pytest.fail(browsercheck.chromium_problem(), pytrace=False)
    (tmp_path / "a.png").write_bytes(fixturebook.png_bytes())
    links = ('<a href="https://example.org/paper">a paper</a> '
             '<a href="https://mybinder.org/v2/gh/qbi-book/qbi-book/main?urlpath=lab">Launch Binder</a>')
    (tmp_path / "links.html").write_text(
        f'<html lang="en"><head><title>Links</title>{THEME_SCRIPT}</head><body><main><article class="bd-article">'
        f'<h1>Links</h1><p>{links}</p><img src="a.png" alt="A purple bar and a yellow disc">'
        '</article></main></body></html>', encoding="utf-8")
    (tmp_path / "remote.html").write_text(
        f'<html lang="en"><head><title>Remote</title>{THEME_SCRIPT}'
        '<link rel="stylesheet" href="https://styles.example.org/theme.css">'
        '<script src="https://cdn.example.org/library.js"></script>'
        '<style>@font-face { font-family: Remote; src: url(https://fonts.example.org/remote.woff2); }'
        ' p { font-family: Remote, sans-serif; }</style></head>'
        f'<body><main><article class="bd-article"><h1>Remote</h1><p>{links}</p>'
        '<img src="https://images.example.org/picture.png" alt="A picture from elsewhere">'
        '</article></main></body></html>', encoding="utf-8")
    report = browsercheck.check_site(tmp_path, tmp_path / "shots",
                                     [tmp_path / "links.html", tmp_path / "remote.html"])
    assert not [p for p in report.problems if p.startswith("links.html")], report.problems
    expected = {"https://styles.example.org/theme.css": "stylesheet",
                "https://cdn.example.org/library.js": "script",
                "https://fonts.example.org/remote.woff2": "font",
                "https://images.example.org/picture.png": "image"}
    assert set(report.external_requests) == set(expected), report.external_requests
    for url, kind in expected.items():
        assert report.external_requests[url] == ["remote.html [dark]", "remote.html [light]"]
        assert any(p.startswith("remote.html") and f"requests a {kind} from outside the book" in p
                   and url in p for p in report.problems), (url, report.problems)


def test_browser_checker_fails_on_critical_and_serious_accessibility_violations(tmp_path):
    """axe-core runs on every page; critical and serious violations are
    problems, moderate and minor ones are counted; results are saved."""
    if browsercheck.chromium_problem():
        pytest.fail(browsercheck.chromium_problem(), pytrace=False)
    (tmp_path / "page.html").write_text(
        f'<html lang="en"><head><title>Audit</title>{THEME_SCRIPT}</head><body><main>'
        '<article class="bd-article"><h1>Audit</h1>'
        '<div role="list"><a href="#top">not a list item</a></div>'
        '<button aria-label="Close">Open the menu</button>'
        '<table><tr><th></th><th>area</th></tr><tr><td>0</td><td>14</td></tr></table>'
        '</article></main></body></html>', encoding="utf-8")
    report = browsercheck.check_site(tmp_path, tmp_path / "shots", [tmp_path / "page.html"])
    counts = report.axe_counts("light")
    assert counts[("critical", "aria-required-children")] == 1, counts
    assert counts[("serious", "label-content-name-mismatch")] == 1, counts
    assert counts[("minor", "empty-table-header")] == 1, counts
    assert any("critical, axe aria-required-children" in p for p in report.problems), report.problems
    assert any("serious, axe label-content-name-mismatch" in p for p in report.problems), report.problems
    assert not any("empty-table-header" in p for p in report.problems), report.problems
    saved = tmp_path / "shots" / "axe" / "light" / "page.json"
    assert "aria-required-children" in saved.read_text(encoding="utf-8")


def test_accessibility_fixes_of_the_page_body():
    from booktools.accessibility import fix_body

    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id3" role="doc-biblioentry">'
            '<summary aria-label="Toggle hidden content">\n<p>Show code cell source</p>'
            '<tr><th></th><th class="blank level0" >&nbsp;</th><th>area</th><th> 0 </th></tr>')
    fixed = fix_body(body)
    assert '<div class="citation" id="id3" role="listitem">' in fixed
    assert "<summary>\n<p>Show code cell source</p>" in fixed
    assert '<td></td><td class="blank level0"></td><th>area</th><th> 0 </th>' in fixed


def test_offline_assets_refuse_a_mathjax_path_outside_the_copy():
    """booktools.offline_assets stops the build when mathjax_path is a web
    address (a CDN) or a file its copy does not hold."""
    from sphinx.errors import ExtensionError

    from booktools.offline_assets import MATHJAX_PATH, _local_component

    assert _local_component(MATHJAX_PATH) == "tex-chtml.js"
    with pytest.raises(ExtensionError, match="a web address"):
        _local_component("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    with pytest.raises(ExtensionError, match="copies MathJax into _static/mathjax/"):
        _local_component("js/mathjax.js")
