"""The exercises as readers receive them (after `make book` and `make pdf`):

* HTML: every exercise of a chapter is shown, followed by its solution as a
  closed dropdown; the page offers the student notebook (a note above the
  first exercise, the download menu, the Binder launch menu) and the
  notebook the HTML build wrote has no solution code;
* browser: in Debian's Chromium, in both themes, every solution is closed
  when the page opens (its content invisible), opens on a click, and then
  shows its code, outputs and pictures (loaded, with alt text, the same
  pixels in the light and the dark theme) without a JavaScript error;
  screenshots of the opened pages in _build/screenshots/exercises/;
* PDF: every exercise is a numbered box ending with the page of its
  solution; the solutions are gathered, numbered, in a section "Solutions"
  at the end of their chapter, after the last exercise, and no directive is
  printed raw.
"""
from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

import bookinfo
import browsercheck
import htmlcheck
import pdfcheck

pytestmark = pytest.mark.book

sys.path.insert(0, str(bookinfo.ROOT))
from booktools import student_notebooks as sn  # noqa: E402


def exercise_chapters():
    """[(docname, source, chapter number, [exercise labels])] with exercises."""
    out = []
    for doc, number in sn.toc_chapters(bookinfo.ROOT):
        source = bookinfo.source_of(doc)
        if sn.has_exercises(source):
            labels = re.findall(r"^\s*(?::{3,}|`{3,})\{exercise(?:-start)?\}.*\n\s*:label:\s*(\S+)",
                                source.read_text(encoding="utf-8"), re.M)
            out.append((doc, source, number, labels))
    return out


CHAPTERS = exercise_chapters()


def test_there_are_exercises_to_check():
    assert CHAPTERS, "no chapter of _toc.yml has exercises"


# ----------------------------------------------------------------------- HTML
@pytest.mark.parametrize("doc, source, number, labels", CHAPTERS, ids=lambda v: str(v)[-30:])
def test_html_exercises_have_closed_solutions_and_a_student_notebook(html_root, config, doc,
                                                                     source, number, labels):
    page = bookinfo.require(html_root / f"{doc}.html", "make book")
    soup = htmlcheck.soup_of(page)
    exercises = soup.select("div.exercise")
    solutions = soup.select("div.solution")
    assert [e.get("id") for e in exercises] == labels
    assert len(solutions) == len(labels)
    for k, (exercise, solution) in enumerate(zip(exercises, solutions), start=1):
        title = exercise.select_one(".admonition-title").get_text(" ", strip=True)
        assert title.startswith(f"Exercise {number}.{k}"), title
        assert "dropdown" in solution["class"], f"{solution.get('id')} is not a dropdown"
        heading = solution.select_one(".admonition-title").get_text(" ", strip=True)
        assert f"Exercise {number}.{k}" in heading, heading
        # the solution follows its exercise (nothing but text and cells between)
        assert exercise.sourceline < solution.sourceline
    # the student notebook: a note, the download menu, the launch menu
    wanted = sn.student_path(doc)
    link = soup.select_one("a.qbi-student-notebook-link")
    assert link is not None, "no link to the student notebook above the first exercise"
    target = (page.parent / link["href"]).resolve()
    assert target == (html_root / wanted).resolve() and target.is_file()
    download = soup.select_one("a.btn-download-student-notebook-button")
    assert download is not None and (page.parent / download["href"]).resolve() == target
    launch = htmlcheck.expected_launch_url(config, doc).replace(f"{doc}.md", str(wanted))
    assert launch in [a["href"] for a in soup.find_all("a", href=True)], (
        f"no launch link opens {wanted} on Binder")
    notebook = json.loads(target.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in notebook["cells"])
    assert "solution-start" not in text and "{solution" not in text
    checks = len(re.findall(r"^check_\w+\(", text, re.M))
    assert checks == len([lab for lab in labels]), f"{checks} checks for {len(labels)} exercises"


# -------------------------------------------------------------------- browser
OPEN_ALL = r"""
async () => {
  const sols = Array.from(document.querySelectorAll("div.solution"));
  const closed = sols.map((s) => {
    const body = s.querySelector("section, #solution-content") || s.lastElementChild;
    return s.classList.contains("toggle-hidden") && body && body.getBoundingClientRect().height === 0;
  });
  for (const s of sols) {
    const title = s.querySelector(".admonition-title");
    title.click();
  }
  await new Promise((r) => setTimeout(r, 400));
  const opened = sols.map((s) => {
    const body = s.querySelector("section, #solution-content") || s.lastElementChild;
    return !s.classList.contains("toggle-hidden") && body && body.getBoundingClientRect().height > 0;
  });
  const images = Array.from(document.querySelectorAll("div.solution img")).map((img, i) => {
    img.setAttribute("data-qbi-solution-img", String(i));
    const r = img.getBoundingClientRect();
    return {complete: img.complete, w: img.naturalWidth, h: img.naturalHeight,
            alt: img.getAttribute("alt"), src: img.getAttribute("src") || "",
            visible: r.width > 0 && r.height > 0};
  });
  return {count: sols.length, closed, opened, images};
}
"""


@pytest.fixture(scope="module")
def opened_pages(html_root):
    problem = browsercheck.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    from PIL import Image
    from playwright.sync_api import sync_playwright

    shots = bookinfo.build_dir() / "screenshots" / "exercises"
    results = {}
    with browsercheck.LocalServer(html_root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browsercheck.CHROMIUM,
                                     args=browsercheck.CHROMIUM_FLAGS, headless=True)
        try:
            for theme in browsercheck.THEMES:
                context = browser.new_context(color_scheme=theme, viewport=browsercheck.VIEWPORT,
                                              device_scale_factor=1, reduced_motion="reduce")
                context.add_init_script(f"try {{ localStorage.setItem('mode', '{theme}'); "
                                        f"localStorage.setItem('theme', '{theme}'); }} catch (e) {{}}")
                context.route("**/*", lambda r, q: r.continue_() if q.url.startswith(server.base)
                              else r.abort())
                for doc, *_ in CHAPTERS:
                    page = context.new_page()
                    errors = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    page.on("console", lambda m, errors=errors: errors.append(m.text)
                            if m.type == "error" and "Failed to load resource" not in m.text
                            else None)
                    page.goto(server.base + f"{doc}.html", wait_until="load")
                    page.wait_for_timeout(300)
                    data = page.evaluate(OPEN_ALL)
                    pictures = []
                    for i in range(len(data["images"])):
                        element = page.locator(f'[data-qbi-solution-img="{i}"]')
                        element.scroll_into_view_if_needed()
                        pictures.append(Image.open(io.BytesIO(element.screenshot(animations="disabled"))))
                    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                                  "window.scrollTo(0, 0); }")
                    target = shots / theme / f"{doc.replace('/', '__')}.png"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(target), full_page=True, animations="disabled")
                    results[(doc, theme)] = (data, errors, pictures, target)
                    page.close()
                context.close()
        finally:
            browser.close()
    return results


def test_solutions_open_on_click_without_errors_in_both_themes(opened_pages):
    problems = []
    for (doc, theme), (data, errors, pictures, shot) in opened_pages.items():
        where = f"{doc} [{theme}]"
        assert data["count"] > 0
        if not all(data["closed"]):
            problems.append(f"{where}: solutions open before a click: {data['closed']}")
        if not all(data["opened"]):
            problems.append(f"{where}: solutions that a click does not open: {data['opened']}")
        problems += [f"{where}: JavaScript error: {e}" for e in errors]
        for img in data["images"]:
            if not img["complete"] or not img["w"] or not img["visible"]:
                problems.append(f"{where}: picture {img['src']} in a solution does not show")
            why = htmlcheck.img_alt_problem(img["alt"], img["src"])
            if why:
                problems.append(f"{where}: picture {img['src']} in a solution {why}")
        assert shot.stat().st_size > 0
    assert not problems, "\n".join(problems)


def test_pictures_in_opened_solutions_look_the_same_in_both_themes(opened_pages):
    problems, compared = [], 0
    for doc, *_ in CHAPTERS:
        light = opened_pages[(doc, "light")][2]
        dark = opened_pages[(doc, "dark")][2]
        assert len(light) == len(dark)
        for i, (a, b) in enumerate(zip(light, dark)):
            compared += 1
            # one pixel inside the picture: its edges are anti-aliased
            a, b = (im.crop((1, 1, im.width - 1, im.height - 1)) for im in (a, b))
            fraction = browsercheck.different_fraction(a, b)
            if fraction > browsercheck.MAX_DIFFERENT_FRACTION:
                pair = (bookinfo.build_dir() / "screenshots" / "exercises" / "differences"
                        / f"{doc.replace('/', '__')}-{i}.png")
                browsercheck.save_side_by_side(a, b, pair)
                problems.append(f"{doc}: picture {i} of the solutions differs in the dark theme "
                                f"({fraction:.1%} of its pixels; side by side in {pair})")
    assert compared > 0, "no picture in any solution was compared"
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------ PDF
@pytest.fixture(scope="module")
def pdf():
    return pdfcheck.read_pdf(bookinfo.require(bookinfo.pdf_path(), "make pdf"))


def test_pdf_prints_no_directive_raw(pdf):
    raw = re.findall(r"(?:\{(?:exercise|solution)[\w-]*\}|solution-(?:start|end)|:label: (?:ex|sol)-)",
                     pdf.text)
    assert not raw, f"raw directives in the PDF: {sorted(set(raw))}"


_HANDOUTS: dict = {}


def _handout_of(doc):
    """The PDF handout of the lecture ``doc`` belongs to (chapter numbers
    restart in every lecture, so "Exercise 2.1" is only unique there)."""
    match = re.search(r"lecture-(\d+)/", doc)
    lecture = match.group(1) if match else None
    if lecture not in _HANDOUTS:
        _HANDOUTS[lecture] = pdfcheck.read_pdf(
            bookinfo.require(bookinfo.pdf_path(lecture), "make pdf"))
    return _HANDOUTS[lecture]


@pytest.mark.parametrize("doc, source, number, labels", CHAPTERS, ids=lambda v: str(v)[-30:])
def test_pdf_gathers_the_solutions_at_the_end_of_the_chapter(doc, source, number, labels):
    pdf = _handout_of(doc)
    text = " ".join(pdf.text.split())
    n = len(labels)
    exercise_at = []
    for k in range(1, n + 1):
        boxes = [m.start() for m in re.finditer(rf"(?<!Solution to )Exercise {number}\.{k} \(", text)]
        assert boxes, f"Exercise {number}.{k} is not in the PDF as a numbered box"
        exercise_at.append(boxes[0])
    # each exercise ends with the page of its solution
    pages = re.findall(r"Solution: page (\d+)\.", text)
    assert len(pages) >= n
    heading = re.search(rf"{number}\.\d+ Solutions The solutions to the exercises of this chapter",
                        text)
    assert heading, f"no numbered section 'Solutions' in chapter {number}"
    assert heading.start() > exercise_at[-1], "the Solutions section comes before an exercise"
    solution_at = [text.find(f"Solution to Exercise {number}.{k} (", heading.start())
                   for k in range(1, n + 1)]
    assert all(at > heading.start() for at in solution_at), "a solution is missing from Solutions"
    assert solution_at == sorted(solution_at), "the solutions are not in the exercises' order"
    between = text[exercise_at[0]:heading.start()]
    assert "Solution to Exercise" not in between, "a solution is printed among the exercises"
    outline = [title for level, title, _ in pdf.outline if level >= 1]
    assert any(re.fullmatch(rf"{number}\.\d+ Solutions", t) for t in outline), outline
