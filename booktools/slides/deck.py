"""What goes on which slide: the chapter's blocks, packed into slides.

The builder (``booktools.slides``) walks a chapter's resolved doctree and
turns it into a stream of *events*, in reading order:

* ``Heading``: a section title (``##`` or deeper), which starts a slide;
* ``Block``: something to show on a slide (a figure, code, an output, an
  equation, key words), with how it joins the deck (``mode``);
* ``Notes``: prose for the speaker notes.

``pack`` turns the stream into slides; ``deck_html`` writes the reveal.js
page. Both are plain Python, without Sphinx, so the rules can be read (and
tested) here: see the README, "Writing a chapter: slides".
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# The slide is 1280 x 720 CSS pixels (reveal.js scales it to the screen).
# Below: the height a block is expected to take, to decide when a slide is
# full. The browser shrinks what still does not fit (qbi-slides.js), and the
# test (tests/book/test_slides.py) fails on anything that overflows.
SLIDE_BODY_HEIGHT = 580         # px below the title
MAX_WORDS = 40                  # words of text on one slide (the quality bar)
MAX_CODE_LINES = 14             # longer code goes to the notes by default
FIGURE_MIN_HEIGHT = 360         # px a figure needs to be worth showing
SMALL_CODE_LINES = 6            # code this short can share a slide with a figure

MODES = ("auto", "slide", "subslide", "same", "fragment")


# Heights (px) of what the CSS (static/qbi-slides.css) draws, at full size.
def code_height(lines: int) -> float:
    return 31 * lines + 34           # 24 px code, line height 1.3, padding, gap


def output_height(lines: int) -> float:
    return 31 * lines + 26


def text_height(words: int) -> float:
    return 40 * -(-words // 12) + 14  # 30 px text, about 12 words a line


def table_height(rows: int) -> float:
    return 38 * rows + 20


def keywords_height(items: int) -> float:
    return 62 * items + 14


@dataclass
class Block:
    html: str
    kind: str                    # figure, code, output, table, math, keywords, text
    height: float                # estimated px
    words: int = 0               # words of text shown
    mode: str = "auto"           # auto | slide | subslide | same | fragment
    ids: list = field(default_factory=list)
    # the next block of the same code cell (its output): code is kept with it
    follow: "Block | None" = None

    @property
    def big(self) -> bool:
        """A block that is a slide's one idea: a figure, a larger table, longer code."""
        if self.kind == "figure":
            return True
        return self.height > code_height(SMALL_CODE_LINES)


@dataclass
class Heading:
    level: int                   # 2 for ##, 3 for ###, ...
    html: str                    # the title as HTML (with its number)
    text: str
    ids: list = field(default_factory=list)
    mode: str = "slide"          # slide | subslide


@dataclass
class Notes:
    html: str
    # prose that goes on with the sentence before it (after an equation,
    # "which is ...") belongs to the slide that shows what came before
    continues: bool = False


@dataclass
class Slide:
    title_html: str
    title_text: str
    ids: list = field(default_factory=list)
    blocks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    vertical: bool = False       # a subslide: below the previous slide
    kind: str = "content"        # title | content
    continued: bool = False      # a second (third...) slide of the same heading

    @property
    def height(self) -> float:
        return sum(b.height for b in self.blocks)

    @property
    def words(self) -> int:
        return sum(b.words for b in self.blocks)

    def accepts(self, block: Block) -> bool:
        """Whether an ``auto`` block still fits on this slide (one idea each)."""
        if self.kind == "title":
            return False
        if not self.blocks:
            return True
        if any(b.kind == "figure" for b in self.blocks):
            return False                      # nothing joins after a figure
        own_output = self.blocks[-1].follow is block      # code and what it printed
        if block.big and any(b.big for b in self.blocks) and not own_output:
            return False
        if block.kind == "figure":
            # a figure joins short material above it and fills the rest
            return self.height + FIGURE_MIN_HEIGHT <= SLIDE_BODY_HEIGHT
        if self.words + block.words > MAX_WORDS:
            return False
        return self.height + block.height <= SLIDE_BODY_HEIGHT

    def accepts_with_next(self, block: Block) -> bool:
        """Code is not parted from its output: when the output would need a
        new slide but code and output fit one together, the code starts it."""
        if block.follow is None or block.follow.mode != "auto" or not self.blocks:
            return True
        trial = Slide(self.title_html, self.title_text, blocks=self.blocks + [block])
        if trial.accepts(block.follow):
            return True
        alone = Slide(self.title_html, self.title_text, blocks=[block])
        return not alone.accepts(block.follow)


def pack(events: list, title_slide: Slide, chapter_title_html: str,
         chapter_title_text: str) -> list[Slide]:
    """Slides from the chapter's events; the first is ``title_slide``.

    Notes go to the slide that shows the next block (prose introduces what
    follows it), or, at a heading or the end, to the current slide.
    """
    slides = [title_slide]
    current = title_slide
    pending: list[str] = []
    heading = (chapter_title_html, chapter_title_text)

    def start(mode: str, continued: bool, ids=()) -> Slide:
        nonlocal current
        current = Slide(title_html=heading[0], title_text=heading[1], ids=list(ids),
                        vertical=(mode == "subslide"), continued=continued)
        slides.append(current)
        return current

    def flush(slide: Slide):
        slide.notes.extend(pending)
        pending.clear()

    for event in events:
        if isinstance(event, Notes):
            pending.append(event.html)
            if event.continues and current.blocks:
                flush(current)
        elif isinstance(event, Heading):
            flush(current)
            heading = (event.html, event.text)
            start(event.mode, continued=False, ids=event.ids)
        elif isinstance(event, Block):
            mode = event.mode
            if mode in ("slide", "subslide"):
                if current.kind == "title" or current.blocks:   # else: the heading's fresh slide
                    start(mode, continued=current.title_text == heading[1] and current.kind != "title")
            elif mode in ("same", "fragment") and current.kind != "title":
                pass
            elif not current.accepts(event) or not current.accepts_with_next(event):
                start("slide", continued=current.kind != "title" and current.title_text == heading[1])
            flush(current)
            current.blocks.append(event)
            current.ids.extend(event.ids)
    flush(current)
    return slides


# ---------------------------------------------------------------- HTML

def words_of(markup: str) -> int:
    """Words a reader sees in an HTML fragment (tags and TeX left out)."""
    text = re.sub(r"<[^>]+>", " ", markup)
    text = re.sub(r"\\\(.*?\\\)", " x ", text)
    return len(html.unescape(text).split())


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def slide_html(slide: Slide, index: int) -> str:
    classes = ["qbi-slide", f"qbi-kind-{slide.kind}"]
    if slide.kind == "content" and not slide.blocks:
        classes.append("qbi-divider")            # a section's heading alone
    if slide.blocks and all(b.kind == "figure" for b in slide.blocks):
        classes.append("qbi-figure-only")
    ids = [i for i in slide.ids if i]
    attrs = f' class="{" ".join(classes)}"'
    if ids:
        attrs += f' id="{_attr(ids[0])}"'
    extra_ids = "".join(f'<span id="{_attr(i)}"></span>' for i in ids[1:])
    if slide.kind == "title":
        body = slide.title_html
    else:
        title = slide.title_html
        blocks = []
        for block in slide.blocks:
            cls = f"qbi-block qbi-{block.kind}"
            markup = block.html
            if block.mode == "fragment":
                if block.kind == "keywords":         # one item after the other
                    markup = markup.replace("<li>", '<li class="fragment">')
                else:
                    cls += " fragment"
            bid = "".join(f'<span id="{_attr(i)}"></span>' for i in block.ids)
            blocks.append(f'<div class="{cls}">{bid}{markup}</div>')
        body = (f'<h2 class="qbi-title">{title}</h2>\n'
                f'<div class="qbi-body">\n' + "\n".join(blocks) + "\n</div>")
    notes = ""
    if slide.notes:
        notes = '\n<aside class="notes">\n' + "\n".join(slide.notes) + "\n</aside>"
    return f"<section{attrs} data-qbi-index=\"{index}\">{extra_ids}\n{body}{notes}\n</section>"


def sections_html(slides: list[Slide]) -> str:
    """The slides as reveal.js sections; subslides nest under their slide."""
    stacks: list[list[tuple[int, Slide]]] = []
    for index, slide in enumerate(slides):
        if slide.vertical and stacks:
            stacks[-1].append((index, slide))
        else:
            stacks.append([(index, slide)])
    out = []
    for stack in stacks:
        if len(stack) == 1:
            out.append(slide_html(stack[0][1], stack[0][0]))
        else:
            out.append("<section>\n" + "\n".join(slide_html(s, i) for i, s in stack) + "\n</section>")
    return "\n".join(out)


def deck_html(*, slides: list[Slide], title: str, static: str, lang: str = "en") -> str:
    """The reveal.js page of one deck. ``static`` is the relative path to the
    deck folder's ``_static`` (assets copied from booktools/web/node_modules)."""
    import json

    settings = {"static": static}
    return f"""<!DOCTYPE html>
<html lang="{_attr(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{static}/reveal.js/dist/reset.css">
<link rel="stylesheet" href="{static}/reveal.js/dist/reveal.css">
<link rel="stylesheet" href="{static}/reveal.js/dist/theme/white.css">
<link rel="stylesheet" href="{static}/pygments.css">
<link rel="stylesheet" href="{static}/qbi-slides.css">
</head>
<body>
<div class="reveal">
<div class="slides">
{sections_html(slides)}
</div>
</div>
<script src="{static}/reveal.js/dist/reveal.js"></script>
<script src="{static}/reveal.js/plugin/notes/notes.js"></script>
<script src="{static}/reveal.js/plugin/math/math.js"></script>
<script src="{static}/qbi-slides.js"></script>
<script>QbiSlides.start({json.dumps(settings)});</script>
</body>
</html>
"""
