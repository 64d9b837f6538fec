"""The rules that put a chapter on slides (booktools/slides): which slide a
block lands on, where the notes go, how cells say what they want.

The decks themselves are checked in a browser by tests/book/test_slides.py."""
from __future__ import annotations

import textwrap

import pytest

from booktools.slides import _breakable_headings, cell_lookup, mode_of, slide_type
from booktools.slides.deck import (MAX_WORDS, Block, Heading, Notes, Slide, code_height,
                                   deck_html, pack, sections_html)


def title_slide():
    return Slide(title_html="<h1>T</h1>", title_text="T", kind="title")


def figure(name="f"):
    return Block(f'<img alt="{name}" src="{name}.png">', "figure", 360)


def code(lines, **kw):
    return Block("<pre>" + "\n".join("x = 1" for _ in range(lines)) + "</pre>", "code",
                 code_height(lines), **kw)


def text(words, **kw):
    return Block("<p>" + " ".join(["word"] * words) + "</p>", "text", 60, words=words, **kw)


# ------------------------------------------------------------------ cell metadata

def test_slide_type_from_metadata_or_tags():
    assert slide_type({}) is None
    assert slide_type({"slideshow": {"slide_type": "fragment"}}) == "fragment"
    assert slide_type({"tags": ["hide-input", "slide"]}) == "slide"
    assert slide_type({"tags": ["on-slide"]}) == "-"
    assert slide_type({"tags": ["notes"]}) == "notes"
    # the metadata wins over a tag
    assert slide_type({"slideshow": {"slide_type": "skip"}, "tags": ["slide"]}) == "skip"


def test_slide_type_rejects_unknown_values_and_two_tags():
    with pytest.raises(ValueError, match="'slides' is not one of"):
        slide_type({"slideshow": {"slide_type": "slides"}})
    with pytest.raises(ValueError, match="two slide tags"):
        slide_type({"tags": ["slide", "notes"]})


def test_mode_of_a_cells_blocks():
    assert mode_of("slide", first=True) == "slide"
    assert mode_of("slide", first=False) == "auto"      # the rest follows while it fits
    assert mode_of("subslide", first=True) == "subslide"
    assert mode_of("-", first=True) == "same"
    assert mode_of("fragment", first=False) == "fragment"
    assert mode_of(None, first=True) == "auto"


def test_cell_lookup_finds_the_cell_of_a_source_line(tmp_path):
    source = tmp_path / "chapter.md"
    source.write_text(textwrap.dedent("""\
        ---
        kernelspec:
          name: python3
        ---

        # Title

        Intro.

        +++ {"slideshow": {"slide_type": "fragment"}}

        1. **One**: first.
        2. **Two**: second.

        ```{code-cell} ipython3
        x = 1
        ```

        After.
        """))
    lookup = cell_lookup(source)
    lines = source.read_text().splitlines()
    line_of = {text: number for number, text in enumerate(lines, start=1)}
    assert lookup(line_of["Intro."]) == (0, {})
    index, metadata = lookup(line_of["1. **One**: first."])
    assert index == 1 and metadata == {"slideshow": {"slide_type": "fragment"}}
    assert lookup(line_of["After."])[0] == 3


# ------------------------------------------------------------------ packing

def test_headings_start_slides_and_the_title_slide_stays_alone():
    events = [Notes("<p>intro</p>"), text(5),
              Heading(2, "Section", "Section", ids=["section"]), Notes("<p>about it</p>"), figure()]
    slides = pack(events, title_slide(), "Chapter", "Chapter")
    assert [s.title_text for s in slides] == ["T", "Chapter", "Section"]
    assert slides[0].blocks == []
    assert slides[2].ids == ["section"]
    # the notes go to the slide that shows the block after them
    assert slides[1].notes == ["<p>intro</p>"] and slides[2].notes == ["<p>about it</p>"]


def test_notes_after_the_last_block_stay_on_its_slide():
    events = [Heading(2, "S", "S"), figure(), Notes("<p>closing words</p>"), Heading(2, "U", "U")]
    slides = pack(events, title_slide(), "C", "C")
    assert slides[1].notes == ["<p>closing words</p>"] and slides[2].notes == []


def test_one_idea_per_slide():
    events = [Heading(2, "S", "S"), code(10), figure("a"), figure("b"), text(3)]
    slides = pack(events, title_slide(), "C", "C")
    # long code and a figure do not share; nothing joins after a figure
    assert [[b.kind for b in s.blocks] for s in slides[1:]] == [["code"], ["figure"], ["figure"], ["text"]]
    assert all(s.title_text == "S" for s in slides[1:])
    assert [s.continued for s in slides[1:]] == [False, True, True, True]


def test_short_code_shares_a_slide_with_its_figure():
    slides = pack([Heading(2, "S", "S"), code(3), figure()], title_slide(), "C", "C")
    assert [b.kind for b in slides[1].blocks] == ["code", "figure"]


def test_at_most_forty_words_of_text_on_a_slide():
    slides = pack([Heading(2, "S", "S"), text(30), text(30)], title_slide(), "C", "C")
    assert [s.words for s in slides[1:]] == [30, 30]
    assert MAX_WORDS == 40


def test_code_moves_to_the_next_slide_with_its_output():
    first = code(8)
    output = Block("<pre>a short output</pre>", "output", 200)
    first.follow = output
    intro = Block("<p>three lines of text</p>", "text", 150, words=30)
    slides = pack([Heading(2, "S", "S"), intro, first, output], title_slide(), "C", "C")
    assert [[b.kind for b in s.blocks] for s in slides[1:]] == [["text"], ["code", "output"]]


def test_annotations_start_and_continue_slides():
    events = [Heading(2, "S", "S"), figure(), text(3, mode="same"), text(3, mode="slide"),
              text(3, mode="subslide"), text(3, mode="fragment")]
    slides = pack(events, title_slide(), "C", "C")
    assert [[b.kind for b in s.blocks] for s in slides[1:]] == [["figure", "text"], ["text"],
                                                                ["text", "text"]]
    assert slides[3].vertical and not slides[2].vertical
    html = sections_html(slides)
    # the subslide sits in a vertical stack below its slide
    assert html.count("<section>\n") == 1
    assert 'class="qbi-block qbi-text fragment"' in html


def test_a_heading_alone_is_a_divider():
    slides = pack([Heading(2, "Part", "Part"), Heading(3, "Sub", "Sub"), figure()],
                  title_slide(), "C", "C")
    assert "qbi-divider" in sections_html(slides).split("</section>")[1]


def test_the_page_loads_everything_from_the_decks_folder():
    page = deck_html(slides=[title_slide()], title="T", static="../_static")
    assert "http://" not in page and "https://" not in page
    for asset in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js",
                  "reveal.js/plugin/math/math.js", "qbi-slides.js", "qbi-slides.css"):
        assert f"../_static/{asset}" in page


def test_table_headings_break_after_underscores_only():
    marked = _breakable_headings('<th class="a_b">size_px</th><td>1_000</td>')
    assert marked == '<th class="a_b">size_<wbr>px</th><td>1_000</td>'


def test_prose_that_continues_a_sentence_stays_with_its_slide():
    events = [Heading(2, "S", "S"), Notes("<p>It replaces 1/H by</p>"),
              Block("<div class='math'>W</div>", "math", 110),
              Notes("<p>which is close to 1/H</p>", continues=True), figure()]
    slides = pack(events, title_slide(), "C", "C")
    assert slides[1].notes == ["<p>It replaces 1/H by</p>", "<p>which is close to 1/H</p>"]


def test_a_slide_annotation_under_a_heading_uses_the_headings_slide():
    events = [Heading(2, "S", "S"), text(5, mode="slide"), text(5, mode="slide")]
    slides = pack(events, title_slide(), "C", "C")
    assert [len(s.blocks) for s in slides] == [0, 1, 1]


def test_code_and_its_own_table_share_a_slide_when_they_fit():
    first = code(9)
    table = Block("<table></table>", "table", 248)
    first.follow = table
    other = code(9)
    slides = pack([Heading(2, "S", "S"), first, table, other], title_slide(), "C", "C")
    assert [[b.kind for b in s.blocks] for s in slides[1:]] == [["code", "table"], ["code"]]


def test_a_long_list_on_the_slides_goes_on_over_several_slides():
    """A list shown on the slides with more words than a slide takes (a
    chapter's key points) is parted between whole items into lists of at
    most MAX_WORDS words each; a numbered list goes on counting; the parts
    after the first start continuation slides."""
    from types import SimpleNamespace

    from docutils import nodes

    from booktools.slides import SlidesBuilder

    def item(words):
        return nodes.list_item("", nodes.paragraph("", " ".join(["word"] * words)))

    def render(node):
        return "<p>" + node.astext() + "</p>"

    fake = SimpleNamespace(render=render, render_inline=lambda kids: "".join(k.astext() for k in kids),
                           _sentence_nodes=SlidesBuilder._sentence_nodes)
    fake._short_item = lambda item: SlidesBuilder._short_item(fake, item)
    numbered = nodes.enumerated_list("", *[item(w) for w in (15, 20, 12, 30, 8)], enumtype="arabic")
    parts = SlidesBuilder._list_parts(fake, numbered)
    assert [len(p.children) for p in parts] == [2, 1, 2]          # 35 | 12 (+30 > 40) | 30 + 8
    assert [p.get("start") for p in parts] == [None, 3, 4]
    assert all(sum(len(i.astext().split()) for i in p.children) <= MAX_WORDS for p in parts)
    assert parts[0]["enumtype"] == "arabic" and len(numbered.children) == 5   # the book's list untouched
    short = nodes.bullet_list("", item(10), item(12))
    assert SlidesBuilder._list_parts(fake, short) == [short]
    # in the deck: the second part does not fit the first one's slide
    blocks = [Block(f"<ul>{'<li>x</li>' * len(p.children)}</ul>", "keywords", 100,
                    words=sum(len(i.astext().split()) for i in p.children)) for p in parts]
    blocks[0].mode = "same"
    slides = pack([Heading(2, "K", "K"), *blocks], title_slide(), "T", "T")
    assert [len(s.blocks) for s in slides[1:]] == [1, 1, 1]
    assert all(s.continued for s in slides[2:])


def test_a_long_paragraph_with_a_bold_lead_shows_only_its_lead():
    """A paragraph put on the slides that starts with bold text and has more
    words than a slide takes: the bold lead on the slide (the notes get the
    whole paragraph); a short one, or one without a bold start, is not cut."""
    from types import SimpleNamespace

    from docutils import nodes

    from booktools.slides import SlidesBuilder

    def render(node):
        return "<p>" + node.astext() + "</p>"

    fake = SimpleNamespace(render=render, render_inline=lambda children: "".join(c.astext() for c in children))
    long_rest = nodes.Text(" " + " ".join(["word"] * 45))
    # as MyST makes it: an empty text node before the bold
    lead = nodes.paragraph("", "", nodes.Text(""), nodes.strong("", "Check the count first."), long_rest)
    block = SlidesBuilder._bold_lead(fake, lead)
    assert block.html == '<p class="qbi-lead"><strong>Check the count first.</strong></p>'
    assert block.words == 4 and block.kind == "text"
    short = nodes.paragraph("", "", nodes.strong("", "Short."), nodes.Text(" and done"))
    assert SlidesBuilder._bold_lead(fake, short) is None
    plain = nodes.paragraph("", "", nodes.Text("No bold start " * 20), nodes.strong("", "late"))
    assert SlidesBuilder._bold_lead(fake, plain) is None


def test_a_list_item_longer_than_a_slide_shows_its_first_sentence():
    from types import SimpleNamespace

    from docutils import nodes

    from booktools.slides import SlidesBuilder

    fake = SimpleNamespace(render=lambda n: "<p>" + n.astext() + "</p>",
                           render_inline=lambda kids: "".join(k.astext() for k in kids),
                           _sentence_nodes=SlidesBuilder._sentence_nodes)
    fake._short_item = lambda item: SlidesBuilder._short_item(fake, item)
    long_item = nodes.list_item("", nodes.paragraph(
        "", "", nodes.Text("Blur is a "), nodes.emphasis("", "convolution"),
        nodes.Text(". Then " + "more words " * 25 + "follow.")))
    short_item = nodes.list_item("", nodes.paragraph("", "Two words."))
    parts = SlidesBuilder._list_parts(fake, nodes.bullet_list("", short_item, long_item))
    assert [p.astext() for p in parts] == ["Two words.\n\nBlur is a convolution."]
    # a list that fits is left as it is
    fits = nodes.bullet_list("", short_item.deepcopy(), short_item.deepcopy())
    assert SlidesBuilder._list_parts(fake, fits) == [fits]


def test_which_code_goes_to_the_notes():
    from booktools.slides import code_to_notes

    short, imports = "x = 1\nprint(x)", "import numpy as np\nimport pandas as pd"
    long = "\n".join(f"x{i} = {i}" for i in range(20))
    assert not code_to_notes(None, set(), short)
    assert code_to_notes(None, set(), long) and code_to_notes(None, set(), imports)
    assert not code_to_notes("-", set(), long)              # said to be shown
    assert code_to_notes("notes", set(), short)
    # plumbing that makes a figure: the code for the lecturer, the figure on the slide
    assert code_to_notes(None, {"notes-input"}, short)
    assert code_to_notes("slide", {"notes-input"}, short)


def test_an_exercise_with_a_long_task_shows_its_first_sentence():
    """An exercise's slide: its title and its first paragraph; a first
    paragraph longer than a slide takes gives its first sentence instead."""
    from types import SimpleNamespace

    from docutils import nodes

    from booktools.slides import SlidesBuilder

    fake = SimpleNamespace(
        render=lambda n: ('<p class="admonition-title">Exercise 1 (Task)</p>'
                          if isinstance(n, nodes.container) else "<p>" + n.astext() + "</p>"),
        render_inline=lambda kids: "".join(k.astext() for k in kids),
        _sentence_nodes=SlidesBuilder._sentence_nodes)

    def exercise(text):
        return nodes.container("", nodes.paragraph("", text), ids=["ex-1"])

    # the title has 3 words: a task of 37 words fits beside it, one of 38 does not
    for task, shown in [("Take 9 positions. " + "More words " * 30, "<p>Take 9 positions.</p>"),
                        ("Short task.", "<p>Short task.</p>"),
                        ("Word " * 50 + "and no end", ""),
                        ("Word " * 36 + "end.", "<p>" + "Word " * 36 + "end.</p>"),
                        ("First part. " + "Word " * 35 + "end.", "<p>First part.</p>")]:
        events = []
        SlidesBuilder._exercise(fake, exercise(task), events, None)
        notes, block = events
        assert isinstance(notes, Notes) and block.kind == "exercise" and block.mode == "slide"
        assert block.html == '<p class="qbi-exercise-title">Exercise 1 (Task)</p>' + shown
        assert block.words <= MAX_WORDS


def test_a_long_list_is_parted_evenly():
    from types import SimpleNamespace

    from docutils import nodes

    from booktools.slides import SlidesBuilder, _word_groups

    assert _word_groups([10, 10, 10, 10, 5], 40) == [[0, 1, 2, 3], [4]]
    fake = SimpleNamespace(render=lambda n: "<p>" + n.astext() + "</p>")
    fake._short_item = lambda item: item
    items = [nodes.list_item("", nodes.paragraph("", " ".join(["w"] * n))) for n in (10, 10, 10, 10, 5)]
    parts = SlidesBuilder._list_parts(fake, nodes.bullet_list("", *items))
    assert [len(p.children) for p in parts] == [2, 3]         # 20 + 25 words, not 40 + 5
