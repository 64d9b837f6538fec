"""Small fixture decks for the checks of the slides (test_slide_checkers.py).

They are written with the builder's own page template and assets
(booktools.slides.deck and .assets), without Sphinx: a deck that passes
(a title, text with notes, a formula, a figure), and decks with one thing
wrong each: a slide whose content cannot fit, reveal.js from a CDN instead
of the deck's folder, a missing picture, a formula MathJax is told to skip.
"""
from __future__ import annotations

import json
from pathlib import Path

from booktools.slides import assets
from booktools.slides.deck import Block, Notes, Slide, deck_html, pack

CDN = "https://cdn.jsdelivr.net/npm/reveal.js@5.2.1/dist/reveal.js"
VARIANTS = ("good", "overflow", "cdn", "broken-image", "raw-tex", "small-labels")


def _picture(path: Path, font_pt: float) -> None:
    """A 4.8 x 3.2 inch picture at 100 dpi whose smallest text is ``font_pt``
    (recorded as the book's build records it, booktools/figure_fonts.py)."""
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    from booktools.figure_fonts import PNG_KEY

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 280), outline="black", width=4)
    draw.ellipse((150, 90, 330, 230), fill=(10, 125, 145))
    info = PngInfo()
    info.add_text(PNG_KEY, f"{font_pt:.2f}")
    image.save(path, dpi=(100, 100), pnginfo=info)


def _slides(variant: str) -> list[Slide]:
    title = Slide(title_html='<p class="qbi-course">Fixture course</p>'
                             '<h1 class="qbi-chapter">A fixture deck</h1>',
                  title_text="A fixture deck", kind="title")
    events = [
        Notes("<p>What the lecturer says about the first slide.</p>"),
        Block('<p>One short sentence on the slide, with <span class="math notranslate nohighlight">'
              '\\(x^2\\)</span> in it.</p>', "text", 60, words=10),
        Block('<div class="math notranslate nohighlight">\\[\\int_0^1 x^2 \\, dx = \\frac{1}{3}\\]</div>',
              "math", 110),
        Notes("<p>The figure's caption, in full, for the notes.</p>"),
        Block('<div class="qbi-picture"><img alt="A teal disk in a black frame" '
              'src="../_images/fixture.png"></div><p class="qbi-caption">Fig. 1 A disk.</p>',
              "figure", 360),
    ]
    if variant == "overflow":
        code = "\n".join(f"value_{i} = {i} * {i}" for i in range(120))
        events.append(Block(f'<div class="highlight"><pre>{code}</pre></div>', "code", 3000, mode="slide"))
    if variant == "broken-image":
        events.append(Block('<div class="qbi-picture"><img alt="A picture that is not there" '
                            'src="../_images/missing.png"></div>', "figure", 360, mode="slide"))
    if variant == "small-labels":
        events.append(Block('<div class="qbi-picture"><img alt="A teal disk, labelled in 4 pt" '
                            'src="../_images/fixture-small.png"></div>', "figure", 360, mode="slide"))
    if variant == "raw-tex":
        events.append(Block('<p class="tex2jax_ignore">Left as TeX: \\(E = mc^2\\)</p>', "text", 60,
                            words=6, mode="slide"))
    return pack(events, title, "A fixture deck", "A fixture deck")


def make_decks(folder: Path) -> dict[str, dict]:
    """Write one deck per variant into ``folder`` (with ``_static``,
    ``_images`` and ``slides.json`` as `make slides` writes them); return
    the manifest entries by variant."""
    assets.copy_assets(folder)
    (folder / "_static" / "pygments.css").write_text("", encoding="utf-8")
    _picture(folder / "_images" / "fixture.png", 14)
    _picture(folder / "_images" / "fixture-small.png", 4)
    decks = {}
    for variant in VARIANTS:
        slides = _slides(variant)
        rel = f"lecture-00/{variant}.html"
        page = deck_html(slides=slides, title=f"Fixture: {variant}", static="../_static")
        if variant == "cdn":
            page = page.replace('src="../_static/reveal.js/dist/reveal.js"', f'src="{CDN}"')
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        decks[variant] = {"docname": f"fixture/{variant}", "deck": rel, "pdf": rel[:-5] + ".pdf",
                          "lecture": "0", "lecture_title": "Fixtures", "number": "1",
                          "title": variant, "slides": len(slides), "sections": 0, "figures": 1}
    (folder / "slides.json").write_text(json.dumps({"decks": list(decks.values())}), encoding="utf-8")
    return decks
