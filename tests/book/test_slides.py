"""The lecture's slides (`make slides`): every deck in Debian's headless
Chromium, served on 127.0.0.1 with every other host blocked (slidecheck.py).

Every slide of every deck is visited and screenshotted at 1280 x 720 into
_build/screenshots/slides/<lecture>/<chapter>/NN.png. The tests fail on a
JavaScript error, a request that leaves the folder (a CDN), a slide whose
content overflows it, a broken or squeezed picture, maths left as raw TeX,
a figure whose labels are below 18 px on its slide (the smallest font the
build recorded in the figure's PNG, at the slide's scale), a deck whose
number of slides does not fit its chapter, a PDF without one
page per slide, a speaker view that does not show the notes, and a chapter
page of the HTML book without a working link to its deck.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import bookinfo
import browsercheck
import slidecheck

pytestmark = pytest.mark.book

MAX_WORDS = 45            # words of running text on a slide (the bar is ~40)


@pytest.fixture(scope="module")
def slides_root() -> Path:
    root = bookinfo.build_dir() / "slides"
    bookinfo.require(root / "slides.json", "make slides")
    return root


@pytest.fixture(scope="module")
def manifest(slides_root) -> list[dict]:
    return json.loads((slides_root / "slides.json").read_text(encoding="utf-8"))["decks"]


@pytest.fixture(scope="module")
def reports(slides_root, manifest, facts) -> dict[str, slidecheck.DeckReport]:
    problem = browsercheck.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    shots = bookinfo.build_dir() / "screenshots" / "slides"
    shutil.rmtree(shots, ignore_errors=True)
    found = slidecheck.check_decks(slides_root, [d["deck"] for d in manifest], shots)
    by_deck = {r.deck: r for r in found}
    total = sum(r.slides for r in found)
    per_deck = ", ".join(f"{Path(r.deck).stem}: {r.slides}" for r in found)
    facts["slides"] = f"{len(found)} decks, {total} slides ({per_deck}); screenshots in {shots}"
    figures = [(r.deck, *f) for r in found for f in r.figures]
    labelled = [f for f in figures if f[3] is not None]
    # every figure's label size on its slide, for the chapters' authors
    table = shots / "figure-labels.csv"
    table.write_text("deck,slide,picture,label_px,height_px,font_recorded\n" + "".join(
        f"{d},{n},{src},{'' if label is None else f'{label:.1f}'},{height:.0f},{int(recorded)}\n"
        for d, n, src, label, height, recorded in figures), encoding="utf-8")
    small = sorted((f for f in labelled if f[3] < slidecheck.MIN_LABEL_PX), key=lambda f: f[3])
    assumed = sum(not f[5] for f in labelled)
    if labelled:
        facts["figure labels on the slides (smallest font at the figure's dpi x its scale)"] = (
            f"{len(labelled)} figures, {len(labelled) - len(small)} with labels >= "
            f"{slidecheck.MIN_LABEL_PX} px"
            + (f", {assumed} of them without a recorded font size (10 pt assumed)" if assumed else "")
            + "; smallest: "
            + "; ".join(f"{Path(d).stem} slide {n} {label:.0f} px" for d, n, _, label, _, _ in small[:6])
            + f" (all in {table})")
    squeezed = [r.deck + f" slide {i + 1} at {fit:.2f}" for r in found for i, fit in enumerate(r.fits) if fit < 1]
    if squeezed:
        facts["slides whose text was shrunk to fit"] = "; ".join(squeezed)
    return by_deck


def test_every_chapter_has_a_deck_listed_on_the_index(slides_root, manifest, chapters):
    decks = {d["docname"]: d for d in manifest}
    missing = [doc for doc, _, _ in chapters if doc not in decks]
    assert not missing, f"chapters without a deck: {missing}"
    index = BeautifulSoup((slides_root / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in index.find_all("a", href=True)}
    for deck in manifest:
        assert (slides_root / deck["deck"]).exists(), deck["deck"]
        assert deck["deck"] in links and deck["pdf"] in links, (
            f"index.html does not link {deck['deck']} and {deck['pdf']}")


def test_decks_load_nothing_from_other_hosts(slides_root, manifest, reports):
    found = []
    for deck in manifest:
        for url in slidecheck.external_assets((slides_root / deck["deck"]).read_text(encoding="utf-8")):
            found.append(f"{deck['deck']}: loads {url}")
    for report in reports.values():
        found += report.of("offline")
    assert not found, "\n".join(found)


def test_decks_open_without_javascript_errors(reports):
    found = [p for r in reports.values() for p in r.of("error", "ready")]
    assert not found, "\n".join(found)


def test_every_slide_is_visited_and_screenshotted(reports):
    for report in reports.values():
        assert report.slides > 0 and report.visited == report.slides, (
            f"{report.deck}: {report.visited} of {report.slides} slides visited")
        assert len(report.screenshots) == report.slides
        assert all(path.stat().st_size > 0 for path in report.screenshots)


def test_figure_labels_are_legible_on_a_projector(reports):
    # the smallest text of each figure, as the build recorded it, at the
    # size the slide shows the figure: at least MIN_LABEL_PX (18 px)
    found = [p for r in reports.values() for p in r.of("label")]
    assert not found, "\n".join(found)


def test_no_slide_overflows(reports):
    found = [p for r in reports.values() for p in r.of("overflow")]
    assert not found, "\n".join(found)


def test_no_broken_or_squeezed_pictures(reports):
    found = [p for r in reports.values() for p in r.of("image", "picture")]
    assert not found, "\n".join(found)


def test_maths_is_typeset(reports):
    found = [p for r in reports.values() for p in r.of("math")]
    assert not found, "\n".join(found)
    formulas = sum(r.formulas for r in reports.values())
    assert formulas > 0, "no deck shows a formula: the maths check checked nothing"
    assert sum(r.typeset for r in reports.values()) == formulas


def test_slides_carry_at_most_about_forty_words(reports):
    found = [f"{r.deck} slide {i + 1}: {words} words" for r in reports.values()
             for i, words in enumerate(r.words) if words > MAX_WORDS]
    assert not found, "\n".join(found)


def test_number_of_slides_fits_the_chapter(manifest, reports):
    for deck in manifest:
        source = bookinfo.source_of(deck["docname"])
        fewest, most = slidecheck.expected_slides(source)
        count = reports[deck["deck"]].slides
        assert fewest <= count <= most, (
            f"{deck['deck']} has {count} slides; its chapter calls for {fewest} "
            f"(a title and one per section) to {most}")


def test_pdf_has_one_page_per_slide(slides_root, manifest, reports):
    problems = slidecheck.pdf_problems(slides_root, manifest,
                                       {deck: r.slides for deck, r in reports.items()})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("how", ["served", "file"])
def test_speaker_view_shows_the_notes(slides_root, manifest, how):
    """``s`` opens reveal.js's speaker view with the current slide's notes,
    from a local server and from the files themselves."""
    from playwright.sync_api import sync_playwright

    deck = manifest[0]["deck"]
    with browsercheck.LocalServer(slides_root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browsercheck.CHROMIUM,
                                     args=browsercheck.CHROMIUM_FLAGS, headless=True)
        try:
            context = browser.new_context(viewport=slidecheck.VIEWPORT)
            url = server.base + deck if how == "served" else (slides_root / deck).as_uri()
            seen = slidecheck.speaker_view(context, url, slide=1)
        finally:
            browser.close()
    assert seen["expected"], f"slide 2 of {deck} has no notes to show"
    assert seen["shown"][:80] == seen["expected"][:80], seen
    assert seen["preview"] is True, f"the speaker view's slide preview did not load: {seen}"
    assert not seen["errors"], seen["errors"]


def test_chapter_pages_link_to_their_decks(html_root, slides_root, manifest):
    """Each chapter page of the HTML book has a button that opens its deck
    (the two builds side by side, as _build/html and _build/slides)."""
    for deck in manifest:
        page = html_root / f"{deck['docname']}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        hrefs = [a["href"] for a in soup.find_all("a", href=True) if a["href"].endswith(deck["deck"])]
        assert hrefs, f"{page.relative_to(html_root)} has no link to its slides {deck['deck']}"
        target = (page.parent / hrefs[0]).resolve()
        assert target == (slides_root / deck["deck"]).resolve(), (
            f"{page.relative_to(html_root)} links {hrefs[0]}, not the deck in {slides_root}")


def test_decks_have_the_books_colours_and_fonts(html_root, slides_root):
    """The slides' theme variables are those of the HTML book's theme CSS."""
    import re

    book_css = (html_root / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    light = dict(re.findall(r"(--pst-color-primary|--pst-color-text-base):([^;}]+)",
                            " ".join(re.findall(r"html\[data-theme=light\]\{([^}]*)\}", book_css))))
    fonts = dict(re.findall(r"(--pst-font-family-base-system):([^;}]+)", book_css))
    deck_css = (slides_root / "_static" / "qbi-theme.css").read_text(encoding="utf-8")
    for name, value in {**light, **fonts}.items():
        assert f"{name}: {value.strip()};" in deck_css, f"{name} of the book ({value}) is not the slides'"
    assert len(light) == 2 and fonts, "the book's theme CSS has no colours or fonts to compare"
