"""The checks of the slides fail when they should (fixture decks of
slidefixtures.py): a deck made right passes every check and prints to a PDF
with one page per slide; a slide whose content cannot fit, reveal.js from a
CDN, a missing picture, a formula left as TeX and a figure whose labels are
too small to read from the back of a room each fail their check."""
from __future__ import annotations

import pytest

import browsercheck
import slidecheck
import slidefixtures

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    problem = browsercheck.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    folder = tmp_path_factory.mktemp("slides")
    decks = slidefixtures.make_decks(folder)
    shots = tmp_path_factory.mktemp("shots")
    reports = slidecheck.check_decks(folder, [d["deck"] for d in decks.values()], shots)
    by_variant = {variant: report for variant, report in zip(decks, reports)}
    return folder, decks, by_variant


def test_a_deck_made_right_passes(fixtures):
    _, decks, reports = fixtures
    report = reports["good"]
    assert report.found == [], "\n".join(report.problems)
    assert report.slides == decks["good"]["slides"] == report.visited
    assert report.formulas == report.typeset == 2
    assert len(report.figures) == 1


def test_its_pdf_has_one_page_per_slide(fixtures):
    from booktools.slides import pdf

    folder, decks, reports = fixtures
    pdf.print_decks(folder, only=[decks["good"]["deck"]])
    good = [decks["good"]]
    assert slidecheck.pdf_problems(folder, good, {good[0]["deck"]: reports["good"].slides}) == []
    problems = slidecheck.pdf_problems(folder, good, {good[0]["deck"]: reports["good"].slides + 1})
    assert problems and "one page per slide" in problems[0], problems
    missing = slidecheck.pdf_problems(folder, [decks["overflow"]], {})
    assert missing and "missing" in missing[0], missing


def test_a_slide_that_cannot_fit_fails(fixtures):
    _, _, reports = fixtures
    found = reports["overflow"].of("overflow")
    assert found and "overflows the slide" in found[0], reports["overflow"].problems
    assert not reports["overflow"].of("error", "offline", "image", "math")


def test_revealjs_from_a_cdn_fails(fixtures):
    folder, decks, reports = fixtures
    assert any(slidefixtures.CDN in p for p in reports["cdn"].of("offline")), reports["cdn"].problems
    page = (folder / decks["cdn"]["deck"]).read_text(encoding="utf-8")
    assert slidecheck.external_assets(page) == [slidefixtures.CDN]
    good = (folder / decks["good"]["deck"]).read_text(encoding="utf-8")
    assert slidecheck.external_assets(good) == []


def test_a_missing_picture_fails(fixtures):
    _, _, reports = fixtures
    found = reports["broken-image"].of("image")
    assert found and "missing.png" in found[0], reports["broken-image"].problems


def test_a_formula_left_as_tex_fails(fixtures):
    _, _, reports = fixtures
    found = reports["raw-tex"].of("math")
    assert found and "raw TeX" in found[0], reports["raw-tex"].problems


def test_labels_too_small_for_a_projector_fail(fixtures):
    _, _, reports = fixtures
    found = reports["small-labels"].of("label")
    assert len(found) == 1 and "fixture-small.png" in found[0] and "4 pt" in found[0], (
        reports["small-labels"].problems)
    small = [(label, recorded) for _, src, label, _, recorded in reports["small-labels"].figures
             if src.endswith("fixture-small.png")]
    assert small and small[0][1] and small[0][0] < slidecheck.MIN_LABEL_PX, small
    # the deck made right has a 14 pt figure, legible on its slide
    good = [label for _, _, label, _, _ in reports["good"].figures]
    assert good and good[0] >= slidecheck.MIN_LABEL_PX, good
    assert not reports["small-labels"].of("error", "offline", "image", "math", "overflow")
