"""Every page of the built HTML book in Debian's headless Chromium, in the
light and the dark theme (see browsercheck.py). Screenshots of every page in
both themes are left in _build/screenshots/<theme>/."""
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
    if report.blocked_external:
        facts["external resources not loaded (offline)"] = ", ".join(sorted(report.blocked_external))
    return pages, report


def test_pages_load_without_errors_broken_images_or_missing_alt_text(site):
    _, report = site
    assert not report.problems, "\n".join(report.problems)


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
