"""Every page of the built HTML book in Debian's headless Chromium, in the
light and the dark theme, with every request outside the book blocked
(see browsercheck.py). Screenshots of every page in both themes are left in
_build/screenshots/<theme>/, the accessibility audit of each page (axe-core's
results, JSON) in _build/screenshots/axe/<theme>/."""
from __future__ import annotations

import shutil

import pytest

import bookinfo
import browsercheck
import htmlcheck

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def site(html_root, facts):
    problem = browsercheck.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    shots = bookinfo.build_dir() / "screenshots"
    shutil.rmtree(shots, ignore_errors=True)
    pages = htmlcheck.html_pages(html_root)
    report = browsercheck.check_site(html_root, shots, pages)
    facts["browser"] = (f"{report.pages} pages x {len(browsercheck.THEMES)} themes, "
                        f"{report.images_checked} <img> checked, {report.figures_compared} "
                        f"pictures compared light/dark, screenshots in {shots}")
    formulas, rendered = report.formulas
    facts["formulas typeset offline (both themes)"] = f"{rendered} of {formulas}"
    facts["requests outside the book"] = (
        "; ".join(f"{url} ({', '.join(pages)})" for url, pages in report.external_requests.items())
        or "none")
    counts = report.axe_counts("light")
    facts["accessibility (axe-core, light theme, elements per impact and rule)"] = (
        ", ".join(f"{impact} {rule}: {n}" for (impact, rule), n in
                  sorted(counts.items(), key=lambda kv: browsercheck.IMPACTS.index(kv[0][0])
                         if kv[0][0] in browsercheck.IMPACTS else 9))
        or "no violations") + f"; results in {shots / 'axe'}"
    return pages, report


def _of(report, check) -> list[str]:
    """The problems one kind of check found, page by page."""
    return [f"{probe.where}: {problem}" for probe in report.probes for problem in check(probe)]


def _external(probe):
    return browsercheck.external_problems(probe.external)


def _math(probe):
    return browsercheck.math_problems(probe.math) if probe.math else []


def _axe(probe):
    return browsercheck.axe_problems(probe.axe, probe.axe_file) if probe.axe else []


def test_no_page_requests_anything_from_outside_the_book(site):
    """Scripts, styles, fonts, images: all from the book (the test is
    offline; links and the Binder launcher are only followed on a click)."""
    _, report = site
    problems = _of(report, _external)
    assert not problems, "\n".join(problems)


def test_every_formula_renders_offline(site):
    """MathJax from the book's own copy typesets every formula of every page,
    with no MathJax error and no raw TeX left in the text."""
    _, report = site
    problems = _of(report, _math)
    assert not problems, "\n".join(problems)
    formulas, rendered = report.formulas
    assert formulas > 0, "no page has formulas: the test would check nothing"
    assert rendered == formulas


def test_no_critical_or_serious_accessibility_violation(site):
    """axe-core's audit of every page, in both themes; each page's results
    are saved as JSON for inspection (the remaining minor and moderate ones,
    and their causes, are listed in the README)."""
    _, report = site
    audited = [probe for probe in report.probes if probe.axe is not None]
    assert len(audited) == len(report.probes), "some pages were not audited (see the other test)"
    assert all(probe.axe_file and probe.axe_file.is_file() for probe in audited)
    problems = _of(report, _axe)
    assert not problems, "\n".join(problems)


def test_pages_load_without_errors_broken_images_or_missing_alt_text(site):
    _, report = site
    covered = set(_of(report, _external) + _of(report, _math) + _of(report, _axe))
    problems = [p for p in report.problems if p not in covered]
    assert not problems, "\n".join(problems)


def test_screenshot_of_every_page_in_both_themes(site):
    pages, report = site
    assert len(report.screenshots) == len(pages) * len(browsercheck.THEMES)
    assert all(path.stat().st_size > 0 for path in report.screenshots)


def test_every_shown_figure_was_compared_between_themes(site, html_root):
    """The light/dark comparison saw every picture a reader sees without
    opening anything (pictures in closed "show output" boxes are skipped)."""
    _, report = site
    shown = [f for f in bookinfo.book_figures(html_root) if not f.hidden]
    assert report.figures_compared >= len(shown), (
        f"{report.figures_compared} pictures were compared, but the chapters show {len(shown)}")
