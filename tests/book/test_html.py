"""The built HTML (`make book`) without a browser: alt texts, internal links
and anchors, the Binder launch links and the downloads of each chapter, and
the Binder files themselves."""
from __future__ import annotations

import re

import pytest

import bookinfo
import htmlcheck

pytestmark = pytest.mark.book


def _assert_none(problems):
    assert not problems, "\n".join(problems)


def test_every_image_has_alt_text(html_root):
    _assert_none(htmlcheck.check_alt_texts(html_root))


def test_png_pictures_are_opaque(html_root):
    _assert_none(htmlcheck.check_opaque_pictures(html_root, bookinfo.chapter_pages(html_root)))


def test_no_page_loads_resources_from_outside_the_book(html_root):
    """Scripts, styles, fonts, images and frames come from the book itself
    (MathJax from _static/mathjax, not a CDN): the book works offline."""
    _assert_none(htmlcheck.check_external_resources(html_root))


def test_mathjax_is_served_from_the_book(html_root, facts):
    """Pages with formulas load MathJax from the build's own copy, which
    holds the component and the fonts its output asks for."""
    from booktools.offline_assets import MATHJAX_PATH

    mathjax = html_root / "_static" / MATHJAX_PATH
    assert mathjax.is_file(), f"{mathjax} is missing: booktools.offline_assets did not copy MathJax"
    fonts = sorted((mathjax.parent / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert fonts, f"MathJax's fonts are missing under {mathjax.parent}"
    with_math = [p for p in htmlcheck.html_pages(html_root)
                 if 'class="math' in p.read_text(encoding="utf-8")]
    assert with_math, "no page has formulas: the test would check nothing"
    for page in with_math:
        scripts = [s.get("src", "").split("?")[0] for s in htmlcheck.soup_of(page).find_all("script")]
        local = [s for s in scripts if s.endswith(MATHJAX_PATH)]
        assert local, f"{page.relative_to(html_root)} has formulas but does not load {MATHJAX_PATH}"
        assert (page.parent / local[0]).resolve() == mathjax.resolve()
    facts["pages with formulas (MathJax from _static/mathjax)"] = len(with_math)


def test_internal_links_and_anchors_resolve(html_root, facts):
    pages = htmlcheck.html_pages(html_root)
    facts["HTML pages"] = len(pages)
    _assert_none(htmlcheck.check_internal_links(html_root, pages))


def test_launch_buttons_and_downloads(html_root, config, chapters, facts):
    notebooks = [doc for doc, source, _ in chapters if bookinfo.is_notebook(source)]
    assert notebooks, "_toc.yml lists no notebook chapters"
    facts["chapters with Binder launch and .md/.ipynb downloads"] = len(notebooks)
    _assert_none(htmlcheck.check_launch_and_downloads(html_root, bookinfo.ROOT, config, notebooks))


def test_binder_files_open_chapters_as_notebooks():
    """repo2docker reads requirements.txt, apt.txt, runtime.txt and postBuild;
    jupytext must be installed and made the default viewer of .md files."""
    root = bookinfo.ROOT
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^jupytext==\S+", requirements, re.M), "requirements.txt must pin jupytext"
    post_build = (root / "postBuild").read_text(encoding="utf-8")
    assert re.search(r"^\s*jupytext-config set-default-viewer\b", post_build, re.M), \
        "postBuild must run `jupytext-config set-default-viewer`"
    assert (root / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"
    runtime = (root / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.(1[1-9]|[2-9]\d)", runtime), \
        f"runtime.txt must ask for Python 3.11 or newer, says {runtime!r}"
    apt = (root / "apt.txt").read_text(encoding="utf-8").split()
    assert "graphviz" in apt, "apt.txt must install graphviz (the dot program)"
