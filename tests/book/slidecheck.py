"""Open every deck of ``_build/slides`` in Debian's headless Chromium.

The decks are served on 127.0.0.1 (browsercheck.LocalServer); every request
to another host is refused and reported (a deck must not need a CDN). Each
deck is opened at 1280 x 720, and once it says it is ready (maths typeset,
slides fitted: ``<html data-qbi-ready="1">``) every slide is visited and
screenshotted into ``<shots>/<lecture>/<chapter>/NN.png``. Per slide it
records:

* overflow: an element or a line of text of the slide (not its speaker
  notes) whose bounding box leaves the slide's frame;
* broken images (not loaded, or of zero natural size);
* maths: a formula left as raw TeX (``\\(``, ``\\[``, ``\\begin{``) in what the
  slide shows, or a maths element without MathJax's output in it;
* pictures squeezed below MIN_PICTURE_HEIGHT, and the size the book's
  figure labels have on the slide: the smallest font the figure drew (the
  build records it in the PNG, booktools/figure_fonts.py; 10 pt assumed
  where it is not recorded) at the figure's dpi, times the scale the slide
  shows it at: a recorded size below MIN_LABEL_PX is a problem ("label");

and per deck: JavaScript errors, requests that left the server, the number
of slides (``Reveal.getTotalSlides()``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from booktools.figure_fonts import PNG_KEY
from browsercheck import CHROMIUM, CHROMIUM_FLAGS, LocalServer

VIEWPORT = {"width": 1280, "height": 720}
READY = "() => document.documentElement.dataset.qbiReady === '1'"
READY_TIMEOUT_MS = 90_000
TOLERANCE = 1.5                   # px a box may leave the frame (anti-aliasing)
MIN_PICTURE_HEIGHT = 200          # px (of the 720 px slide) a figure must keep, or
MIN_PICTURE_WIDTH = 900           # this width (a long, flat picture)
LABEL_PT = 10                     # matplotlib's default font size, assumed where
                                  # a PNG does not record its smallest font
FONT_KEY = PNG_KEY                # the PNG chunk booktools.figure_fonts writes
MIN_LABEL_PX = 18                 # the quality bar for labels at 1280 x 720

SLIDE_FACTS = r"""
() => {
  const slide = Reveal.getCurrentSlide();
  const frame = slide.getBoundingClientRect();
  const scale = Reveal.getScale();
  const inNotes = (el) => !!el.closest("aside.notes");
  const problems = [];
  const describe = (el) => {
    const cls = (el.getAttribute && el.getAttribute("class")) || "";
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    return `<${el.tagName ? el.tagName.toLowerCase() : "#text"}${cls ? ` class="${cls}"` : ""}>` +
           (text ? ` "${text}"` : "");
  };
  const outside = (r) => (
    r.left < frame.left - TOL || r.top < frame.top - TOL ||
    r.right > frame.right + TOL || r.bottom > frame.bottom + TOL);
  const TOL = __TOLERANCE__;
  const hidden = (el) => {
    const cs = getComputedStyle(el);
    return cs.display === "none" || cs.visibility === "hidden";
  };
  // elements (inside an <svg> only the svg itself), then lines of text
  for (const el of slide.querySelectorAll("*")) {
    if (inNotes(el) || el.closest("mjx-assistive-mml") || (el.closest("svg") && el.tagName.toLowerCase() !== "svg")) continue;
    if (["script", "style", "br"].includes(el.tagName.toLowerCase()) || hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (outside(r)) {
      problems.push({what: "overflow", el: describe(el),
        box: [r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top].map(v => Math.round(v / scale))});
    }
  }
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || inNotes(parent) || parent.closest("mjx-assistive-mml, script, style, svg")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width && outside(r)) {
        problems.push({what: "overflow", el: describe(parent) + " (its text)",
          box: [r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top].map(v => Math.round(v / scale))});
        break;
      }
    }
  }
  // images
  const images = [...slide.querySelectorAll("img")].filter(img => !inNotes(img)).map(img => {
    const r = img.getBoundingClientRect();
    const nw = img.naturalWidth, nh = img.naturalHeight;
    // object-fit: contain: the picture's size inside its box
    const shown = (nw && nh) ? Math.min(r.width / nw, r.height / nh) / scale : 0;
    return {src: img.getAttribute("src") || "", complete: img.complete, naturalWidth: nw,
            naturalHeight: nh, alt: img.getAttribute("alt"), scale: shown,
            height: nh * shown, width: nw * shown, inPicture: !!img.closest(".qbi-picture")};
  });
  const svgs = [...slide.querySelectorAll(".qbi-picture svg")].filter(s => !s.parentElement.closest("svg")).map(s => {
    const r = s.getBoundingClientRect();
    const vb = s.viewBox && s.viewBox.baseVal;
    // preserveAspectRatio: the drawing's size inside the svg's box
    const k = (vb && vb.width && vb.height) ? Math.min(r.width / vb.width, r.height / vb.height) : 0;
    return k ? {width: vb.width * k / scale, height: vb.height * k / scale}
             : {width: r.width / scale, height: r.height / scale};
  });
  // maths: raw TeX left in what the slide shows, formulas without MathJax output
  const clone = slide.cloneNode(true);
  clone.querySelectorAll("aside.notes, pre, code, script, style, mjx-container").forEach(e => e.remove());
  const shownText = clone.textContent;
  const rawTex = (shownText.match(/\\\(|\\\)|\\\[|\\\]|\\begin\{|\$\$/g) || []);
  const formulas = [...slide.querySelectorAll(".math")].filter(m => !inNotes(m));
  const typeset = formulas.filter(m => m.querySelector("mjx-container"));
  return {
    index: Reveal.getIndices(), title: (slide.querySelector("h1, h2") || {}).textContent || "",
    fit: slide.dataset.qbiFit || "", problems, images, svgs,
    rawTex: rawTex.length ? shownText.slice(Math.max(0, shownText.search(/\\\(|\\\[|\\begin\{|\$\$/) - 30), shownText.search(/\\\(|\\\[|\\begin\{|\$\$/) + 60) : "",
    formulas: formulas.length, typeset: typeset.length,
    mjx: slide.querySelectorAll("mjx-container").length,
    words: (() => { const c = slide.cloneNode(true); c.querySelectorAll("aside.notes, pre, mjx-container, .qbi-caption, table, style, script, h1, h2, .qbi-references, .qbi-picture, svg").forEach(e => e.remove()); return c.textContent.split(/\s+/).filter(Boolean).length; })(),
    notes: (slide.querySelector("aside.notes") || {}).textContent ? slide.querySelector("aside.notes").textContent.trim().length : 0,
  };
}
""".replace("__TOLERANCE__", str(TOLERANCE))


KINDS = ("error", "offline", "overflow", "image", "picture", "label", "math", "ready")


@dataclass
class DeckReport:
    deck: str
    found: list = field(default_factory=list)          # (kind, message)
    slides: int = 0                   # Reveal.getTotalSlides()
    visited: int = 0
    screenshots: list = field(default_factory=list)
    blocked: set = field(default_factory=set)
    formulas: int = 0
    typeset: int = 0
    figures: list = field(default_factory=list)     # (slide, src, label px, height px, font recorded)
    words: list = field(default_factory=list)       # words of text per slide
    fits: list = field(default_factory=list)        # the text scale of each slide

    def add(self, kind: str, message: str) -> None:
        assert kind in KINDS, kind
        self.found.append((kind, message))

    @property
    def problems(self) -> list[str]:
        return [message for _, message in self.found]

    def of(self, *kinds: str) -> list[str]:
        return [message for kind, message in self.found if kind in kinds]


def squeezed(width: float, height: float) -> bool:
    """A picture shown smaller than its slide allows: neither tall nor wide."""
    return height < MIN_PICTURE_HEIGHT and width < MIN_PICTURE_WIDTH


def slide_name(index: dict, number: int) -> str:
    return f"{number:02d}" + (f"-{index['v']}" if index.get("v") else "")


def png_fonts(path: Path) -> tuple[float | None, float | None, bool]:
    """A PNG's dpi, the smallest font (pt) its figure drew, and whether that size
    was recorded by the build (booktools/figure_fonts.py) or assumed (LABEL_PT).

    The font is None for a figure without any text.
    """
    from PIL import Image

    try:
        with Image.open(path) as image:
            info = dict(image.info)
    except OSError:
        return None, None, False
    dpi = info.get("dpi")
    recorded = info.get(FONT_KEY)
    if recorded is None:
        return (float(dpi[0]) if dpi else None), LABEL_PT, False
    return (float(dpi[0]) if dpi else None), (None if recorded == "none" else float(recorded)), True


def check_decks(root: Path, decks: list[str], shots: Path) -> list[DeckReport]:
    """Open each deck (paths relative to ``root``); see the module's docstring."""
    from playwright.sync_api import sync_playwright

    reports = []
    with LocalServer(root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            for rel in decks:
                report = DeckReport(rel)
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)

                def route(r, request, report=report):
                    if request.url.startswith(server.base):
                        r.continue_()
                    else:
                        report.blocked.add(request.url.split("?")[0])
                        r.abort()

                context.route("**/*", route)
                try:
                    _check_deck(context, server.base, root, rel, shots, report)
                except Exception as err:   # a deck that cannot be checked fails
                    report.add("error", f"{rel}: could not be checked: {type(err).__name__}: "
                                        f"{str(err).splitlines()[0]}")
                finally:
                    context.close()
                for url in sorted(report.blocked):
                    report.add("offline", f"{rel}: requested {url}, outside the slides folder "
                                          "(decks must work offline: copy the file into _static)")
                reports.append(report)
        finally:
            browser.close()
    return reports


def _check_deck(context, base, root, rel, shots, report):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"uncaught exception: {exc}"))
    page.on("console", lambda msg: errors.append(f"console.error: {msg.text}")
            if msg.type == "error" and "net::ERR_FAILED" not in msg.text else None)
    page.on("requestfailed", lambda request: errors.append(
        f"failed to load {request.url[len(base) - 1:]}: {request.failure}")
        if request.url.startswith(base) else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url[len(base) - 1:]}")
            if r.url.startswith(base) and r.status >= 400 else None)
    try:
        page.goto(base + rel + "?transition=none", wait_until="load")
        try:
            # ready, or without reveal.js at all (its script did not load)
            page.wait_for_function(f"() => ({READY[6:]}) || typeof Reveal === 'undefined'",
                                   timeout=READY_TIMEOUT_MS)
        except Exception:
            pass
        if not page.evaluate(READY):
            report.add("ready", f"{rel}: the deck never became ready (no reveal.js, or no "
                                f"data-qbi-ready after {READY_TIMEOUT_MS // 1000} s: maths or "
                                "fonts did not load)")
            return
        slides = page.evaluate("() => Reveal.getSlides().map(s => Reveal.getIndices(s))")
        report.slides = page.evaluate("() => Reveal.getTotalSlides()")
        folder = shots / rel.removesuffix(".html")
        folder.mkdir(parents=True, exist_ok=True)
        for number, index in enumerate(slides, start=1):
            # the slide as it looks at its end: every fragment shown
            page.evaluate("([h, v]) => { Reveal.slide(h, v); while (Reveal.nextFragment()) {} }",
                          [index["h"], index.get("v") or 0])
            page.wait_for_timeout(60)
            facts = page.evaluate(SLIDE_FACTS)
            name = slide_name(index, number)
            target = folder / f"{name}.png"
            page.screenshot(path=str(target), animations="disabled")
            report.screenshots.append(target)
            report.visited += 1
            _judge_slide(rel, root, number, facts, report)
    finally:
        page.close()
    for message in errors:
        report.add("error", f"{rel}: {message}")


def _judge_slide(rel, root, number, facts, report):
    where = f"{rel} slide {number} ({facts['title'].strip()[:50]!r})"
    seen = set()
    for problem in facts["problems"]:
        key = problem["el"]
        if key in seen:
            continue
        seen.add(key)
        report.add("overflow", f"{where}: {problem['el']} overflows the slide "
                               f"(box {problem['box']} in a 1280 x 720 slide)")
    for image in facts["images"]:
        if not image["complete"] or not image["naturalWidth"] or not image["naturalHeight"]:
            report.add("image", f"{where}: broken image {image['src']}")
            continue
        if image["inPicture"]:
            if squeezed(image["width"], image["height"]):
                report.add("picture", f"{where}: the picture {image['src']} is squeezed to "
                                      f"{image['width']:.0f} x {image['height']:.0f} px (at least "
                                      f"{MIN_PICTURE_HEIGHT} px high or {MIN_PICTURE_WIDTH} px wide)")
            path = (root / rel).parent / image["src"]
            dpi, font, recorded = (png_fonts(path) if path.suffix.lower() == ".png"
                                   else (None, None, False))
            label = font / 72 * dpi * image["scale"] if dpi and font else None
            report.figures.append((number, image["src"], label, image["height"], recorded))
            if recorded and label is not None and label < MIN_LABEL_PX:
                report.add("label", f"{where}: the labels of {image['src']} are {label:.1f} px "
                                    f"high on the slide ({font:g} pt at {dpi:.0f} dpi, shown at "
                                    f"{image['scale']:.2f} x); at least {MIN_LABEL_PX} px are "
                                    "legible from the back of a room")
    for svg in facts["svgs"]:
        if squeezed(svg["width"], svg["height"]):
            report.add("picture", f"{where}: an inline SVG picture is squeezed to "
                                  f"{svg['width']:.0f} x {svg['height']:.0f} px (at least "
                                  f"{MIN_PICTURE_HEIGHT} px high or {MIN_PICTURE_WIDTH} px wide)")
    if facts["rawTex"]:
        report.add("math", f"{where}: raw TeX on the slide: ...{facts['rawTex'].strip()}...")
    if facts["typeset"] < facts["formulas"]:
        report.add("math", f"{where}: {facts['formulas'] - facts['typeset']} of "
                           f"{facts['formulas']} formulas were not typeset by MathJax")
    report.formulas += facts["formulas"]
    report.typeset += facts["typeset"]
    report.words.append(facts["words"])
    report.fits.append(float(facts["fit"] or 1))


# ------------------------------------------------------------------ expectations

def expected_slides(source: Path) -> tuple[int, int]:
    """(fewest, most) slides the deck of a MyST notebook should have.

    At least the title slide and one slide per section heading (``##`` and
    deeper, except sections whose heading's cell says ``skip``); at most
    that plus one slide per code cell output or input, per annotated
    markdown cell and per exercise, and a few continuation slides."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(source.read_text(encoding="utf-8"))
    headings = 0
    code_cells = 0
    annotated = 0
    exercises = 0
    for cell in notebook.cells:
        metadata = cell.get("metadata", {})
        tags = set(metadata.get("tags", []))
        stype = (metadata.get("slideshow") or {}).get("slide_type")
        if cell["cell_type"] == "markdown":
            in_fence = False
            for line in cell["source"].splitlines():
                if re.match(r"^(```|~~~|:::)", line):
                    in_fence = not in_fence
                elif not in_fence and re.match(r"^#{2,6}\s", line) and stype != "skip" and "skip" not in tags:
                    headings += 1
                if re.match(r"^(:{3,}|`{3,})\{exercise\}", line):
                    exercises += 1                      # a slide each
            if stype or tags:
                annotated += 1
        elif cell["cell_type"] == "code" and not tags & {"remove-cell", "skip"} and stype != "skip":
            code_cells += 1
    fewest = 1 + headings
    return fewest, fewest + 2 * code_cells + annotated + exercises + 2


# ------------------------------------------------------------------ speaker view

SPEAKER_NOTES = ".speaker-controls-notes .value"


def speaker_view(context, url: str, slide: int = 1) -> dict:
    """Open a deck at ``url``, go to slide ``slide`` (0 = the title slide),
    press ``s`` and read the speaker view it opens: the notes it shows and
    whether its preview of the current slide loaded the deck."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function(READY, timeout=READY_TIMEOUT_MS)
        page.evaluate("(h) => Reveal.slide(h, 0)", slide)
        expected = page.evaluate(
            "() => (Reveal.getCurrentSlide().querySelector('aside.notes') || {}).textContent || ''")
        with page.expect_popup(timeout=15_000) as popup_info:
            page.keyboard.press("s")
        popup = popup_info.value
        popup.wait_for_load_state()
        popup.wait_for_function(
            f"() => {{ const v = document.querySelector({SPEAKER_NOTES!r}); "
            "return v && v.textContent.trim().length > 0; }", timeout=30_000)
        shown = popup.evaluate(f"() => document.querySelector({SPEAKER_NOTES!r}).textContent")
        # the speaker view's previews are the deck itself in frames (?receiver)
        preview = False
        for frame in popup.frames:
            if frame is not popup.main_frame and "receiver" in frame.url:
                frame.wait_for_function("() => !!window.Reveal && Reveal.isReady()", timeout=30_000)
                preview = True
        popup.close()
        return {"expected": " ".join(expected.split()), "shown": " ".join(shown.split()),
                "preview": preview, "errors": errors}
    finally:
        page.close()


# ------------------------------------------------------------------ files

EXTERNAL = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?((https?:)?//[^"'\s>]+)""", re.I)


def external_assets(html_text: str) -> list[str]:
    """Addresses of scripts, styles and pictures a page loads from another host."""
    return [m.group(3) for m in EXTERNAL.finditer(html_text)]


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def pdf_problems(root: Path, decks: list[dict], slides: dict[str, int]) -> list[str]:
    """Each deck's PDF exists and has one page per slide (``slides``: deck ->
    the number of slides the browser counted)."""
    problems = []
    for deck in decks:
        pdf = root / deck["pdf"]
        if not pdf.exists():
            problems.append(f"{deck['pdf']} is missing: `make slides` prints it")
            continue
        pages, expected = pdf_pages(pdf), slides.get(deck["deck"])
        if expected is not None and pages != expected:
            problems.append(f"{deck['pdf']} has {pages} pages, but the deck has {expected} slides "
                            "(one page per slide)")
    return problems


def main(argv=None) -> int:
    """``python tests/book/slidecheck.py [NAME ...]``: the label size of every
    figure on the slides of the decks whose path contains a NAME (all decks
    without one), for a chapter's author after ``make slides``; screenshots go
    to ``_build/screenshots/slides-quick``. Exits 1 if a label is below
    MIN_LABEL_PX or a deck has another problem."""
    import json
    import sys

    names = sys.argv[1:] if argv is None else argv
    build = Path(__file__).resolve().parents[2] / "_build"
    manifest = build / "slides" / "slides.json"
    if not manifest.exists():
        print(f"no {manifest}: run `make book` and `make slides` first", file=sys.stderr)
        return 2
    decks = [d["deck"] for d in json.loads(manifest.read_text(encoding="utf-8"))["decks"]
             if not names or any(name in d["deck"] for name in names)]
    if not decks:
        print(f"no deck's path contains any of {names}", file=sys.stderr)
        return 2
    bad = 0
    for report in check_decks(build / "slides", decks, build / "screenshots" / "slides-quick"):
        for problem in report.problems:
            print(problem)
            bad += 1
        for number, src, label, height, recorded in report.figures:
            small = label is not None and label < MIN_LABEL_PX
            bad += small
            size = "no text" if label is None else f"{label:5.1f} px"
            print(f"{report.deck} slide {number:2d}: labels {size}"
                  f"{'' if recorded else ' (10 pt assumed)'}{'  < ' + str(MIN_LABEL_PX) if small else ''}"
                  f"  {src}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
