"""The lecture's slides from the book's chapters: a Sphinx builder and a button.

``make slides`` runs ``jupyter-book build . --builder custom --custom-builder
slides``: the same Sphinx project, the same doctrees and execution cache as
``make book`` (``_build/.doctrees``, ``_build/.jupyter_cache``), so no
chapter is executed again; only the writing differs. The builder ``slides``
(a subclass of Sphinx's HTML builder, so every node renders exactly as in the
HTML book: highlighted code, resolved references and citations, numbered
figures, MathJax markup) writes one reveal.js deck per chapter:

    _build/slides/index.html                      the decks, by lecture
    _build/slides/lecture-01/01-todays-lecture.html
    _build/slides/_images/                        the figures
    _build/slides/_static/                        reveal.js, MathJax, CSS, JS

What goes on a slide and what into the speaker notes is decided by
``deck.py`` from the chapter's structure and its cells' ``slideshow``
metadata or tags (README, "Writing a chapter"). ``python -m
booktools.slides.pdf`` then prints every deck to PDF with Chromium.

The extension also adds a button to every chapter page of the HTML book
that opens the chapter's deck (``qbi_slides_url``, by default
``../slides/`` from the root of the HTML site: the two folders side by side
as ``_build/html`` and ``_build/slides``).
"""
from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from docutils import nodes
from docutils.io import StringOutput
from docutils.utils import new_document
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from . import assets
from .deck import (MAX_CODE_LINES, MAX_WORDS, Block, Heading, Notes, Slide, code_height, deck_html,
                   keywords_height, output_height, pack, table_height, text_height, words_of)

logger = logging.getLogger(__name__)

# slide_type values of Jupyter's slideshow metadata, and the tags that say the same
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "notes", "skip"}
TAG_ALIASES = {"slide": "slide", "subslide": "subslide", "fragment": "fragment",
               "on-slide": "-", "notes": "notes", "skip": "skip"}
INPUT_TO_NOTES = "notes-input"  # tag: the code to the notes, its outputs on the slide
MAX_OUTPUT_LINES = 16          # longer text outputs go to the notes by default
# sphinx-exercise's nodes (by class name: the extension is optional)
EXERCISES = {"exercise_node", "exercise_enumerable_node"}
SOLUTIONS = {"solution_node"}
ADMONITIONS = (nodes.Admonition,)


def slide_type(metadata: dict | None) -> str | None:
    """The cell's slide type: ``slideshow.slide_type`` or one of the tags."""
    metadata = metadata or {}
    value = (metadata.get("slideshow") or {}).get("slide_type")
    if value is not None:
        if value not in SLIDE_TYPES:
            raise ValueError(f"slideshow slide_type {value!r} is not one of "
                             f"{sorted(SLIDE_TYPES)}")
        return value
    found = [TAG_ALIASES[t] for t in metadata.get("tags", []) if t in TAG_ALIASES]
    if len(set(found)) > 1:
        raise ValueError(f"a cell has two slide tags {found}; use one of {sorted(TAG_ALIASES)}")
    return found[0] if found else None


def mode_of(stype: str | None, first: bool) -> str:
    """How a block of a cell with this slide type joins the deck: the cell's
    first block starts a (sub)slide or stays on the current one as the type
    says; the cell's further blocks follow on that slide while they fit (and
    start a continuation slide when not), except fragments, which stay."""
    if stype == "fragment":
        return "fragment"
    if not first:
        return "auto"
    if stype in ("slide", "subslide"):
        return stype
    if stype == "-":
        return "same"
    return "auto"


def code_to_notes(stype: str | None, tags: set, code: str) -> bool:
    """Whether a visible code cell's code goes to the speaker notes (its
    outputs stay on the slide unless the cell says ``notes``): the cell says
    ``notes``, or it has the tag ``notes-input`` (plumbing that makes a
    figure), or, without an annotation, it is long or only imports."""
    if stype == "notes" or INPUT_TO_NOTES in tags:
        return True
    if stype in ("slide", "subslide", "-", "fragment"):
        return False
    return _lines(code) > MAX_CODE_LINES or _imports_only(code)


def _word_groups(counts: list[int], limit: int) -> list[list[int]]:
    """Consecutive indices of ``counts`` in groups of at most ``limit`` words
    (a longer item alone)."""
    groups, current, total = [], [], 0
    for index, count in enumerate(counts):
        if current and total + count > limit:
            groups.append(current)
            current, total = [], 0
        current.append(index)
        total += count
    groups.append(current)
    return groups


def deck_uri(docname: str, root_doc: str) -> str:
    """``chapters/lecture-01/04-images`` -> ``lecture-01/04-images.html``."""
    if docname == root_doc:
        return "index.html"
    parts = docname.split("/")
    return "/".join(parts[-2:]) + ".html" if len(parts) > 1 else parts[-1] + ".html"


def lectures_of(srcdir: Path) -> dict[str, tuple[str, str]]:
    """docname -> (lecture number, lecture title) from the parts of ``_toc.yml``
    (a caption "Lecture 1: Introduction and Workflows")."""
    import yaml

    toc = yaml.safe_load((srcdir / "_toc.yml").read_text(encoding="utf-8")) or {}
    out = {}

    def walk(entries, lecture):
        for entry in entries or []:
            if "file" in entry:
                out[re.sub(r"\.(md|ipynb)$", "", entry["file"])] = lecture
            walk(entry.get("sections"), lecture)

    for part in toc.get("parts", []):
        caption = part.get("caption", "")
        match = re.match(r"\s*Lecture\s+(\d+)\s*[:.-]\s*(.*)", caption)
        lecture = (match.group(1), match.group(2).strip()) if match else ("", caption)
        walk(part.get("chapters"), lecture)
    return out


def cell_lookup(source: Path):
    """A function: source line -> (cell index, cell metadata) of a MyST
    notebook, read as myst-nb reads it (its line numbers are those of the
    doctree's nodes)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    if source.suffix != ".md":
        return lambda line: (None, {})
    notebook = read_myst_markdown_notebook(source.read_text(encoding="utf-8"),
                                           add_source_map=True, path=source)
    starts = notebook.metadata["source_map"]
    cells = notebook.cells

    def lookup(line: int | None) -> tuple[int | None, dict]:
        if line is None:
            return None, {}
        index = None
        for i, start in enumerate(starts):
            if start < line:
                index = i
            else:
                break
        return (index, dict(cells[index].metadata)) if index is not None else (None, {})

    return lookup


def line_of(node) -> int | None:
    if getattr(node, "line", None):
        return node.line
    for child in node.findall(nodes.Element):
        if getattr(child, "line", None):
            return child.line
    return None


def _breakable_headings(markup: str) -> str:
    """Column names like ``planned_density_per_mm3`` may break after their
    underscores, so a wide table can narrow without breaking a number."""
    def soften(match):
        head, body, tail = match.group(1), match.group(2), match.group(3)
        return head + re.sub(r"_(?=[^<>]*(<|$))", "_<wbr>", body) + tail
    return re.sub(r"(<th\b[^>]*>)(.*?)(</th>)", soften, markup, flags=re.S)


def _lines(text: str) -> int:
    return text.rstrip("\n").count("\n") + 1


def _imports_only(code: str) -> bool:
    lines = [ln.strip() for ln in code.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(re.match(r"(import|from)\s", ln) for ln in lines)


class SlidesBuilder(StandaloneHTMLBuilder):
    """One reveal.js deck per chapter (see the module's docstring)."""

    name = "slides"
    format = "html"
    epilog = "The slides are in %(outdir)s."
    search = False
    copysource = False
    allow_parallel = False
    supported_image_types = ["image/svg+xml", "image/png", "image/gif", "image/jpeg"]

    def init(self):
        super().init()
        self.decks: list[dict] = []
        self.lectures = lectures_of(Path(self.srcdir))

    def get_outdated_docs(self):
        # writing a deck takes a moment; every deck is written every time
        yield from sorted(self.env.found_docs)

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return deck_uri(docname, self.config.root_doc)

    # -- rendering pieces with the HTML book's translator

    def render(self, *pieces) -> str:
        document = new_document("<slides>", self.docsettings)
        for piece in pieces:
            document.append(piece.deepcopy())
        destination = StringOutput(encoding="utf-8")
        self.docwriter.write(document, destination)
        self.docwriter.assemble_parts()
        fragment = self.docwriter.parts["fragment"].strip()
        # reveal.js takes every <section> for a slide: the HTML5 sections
        # inside a piece (sphinx-exercise writes them) become <div>s
        fragment = re.sub(r"<section\b", '<div data-qbi-section=""', fragment)
        return fragment.replace("</section>", "</div>")

    def render_inline(self, children) -> str:
        paragraph = nodes.paragraph("", "", *[c.deepcopy() for c in children])
        out = self.render(paragraph)
        return re.sub(r"^<p>(.*)</p>$", r"\1", out, flags=re.S)

    # -- the deck of one chapter

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        if docname == self.config.root_doc:
            return
        self.secnumbers = self.env.toc_secnumbers.get(docname, {})
        self.fignumbers = self.env.toc_fignumbers.get(docname, {})
        self.imgpath = relative_uri(self.get_target_uri(docname), "_images")
        self.dlpath = relative_uri(self.get_target_uri(docname), "_downloads")
        self.current_docname = docname
        doctree.settings = self.docsettings

        source = Path(self.env.doc2path(docname))
        self._cell_at = cell_lookup(source)
        self._cells_started: set[int] = set()
        top = next(iter(doctree.findall(nodes.section)), None)
        if top is None:
            logger.warning("%s has no title: no slides", docname, location=docname)
            return
        title_node = top[0]
        number = ".".join(map(str, self.secnumbers.get("", ())))
        chapter_text = title_node.astext()
        chapter_html = self._numbered(number, self.render_inline(title_node.children))
        lecture_no, lecture_title = self.lectures.get(docname, ("", ""))

        events: list = []
        for child in top.children[1:]:
            self._visit(child, events, level=1)
        title_slide = Slide(title_html=self._title_slide_html(docname, chapter_html, lecture_no, lecture_title),
                            title_text=chapter_text, kind="title", ids=list(top["ids"]))
        slides = pack(events, title_slide, chapter_html, chapter_text)

        uri = self.get_target_uri(docname)
        static = relative_uri(uri, "_static")
        course = self._course()
        title = f"{course}: " + (f"Lecture {lecture_no}, " if lecture_no else "") + f"{number} {chapter_text}".strip()
        page = deck_html(slides=slides, title=title, static=static,
                         lang=self.config.language or "en")
        target = Path(self.outdir, uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        self.decks.append({
            "docname": docname, "deck": uri, "pdf": uri[:-5] + ".pdf",
            "lecture": lecture_no, "lecture_title": lecture_title,
            "number": number, "title": chapter_text,
            "slides": len(slides),
            "sections": sum(isinstance(e, Heading) for e in events),
            "figures": sum(isinstance(e, Block) and e.kind == "figure" for e in events),
        })

    def _course(self) -> str:
        """The book's title (jupyter-book's ``title``, Sphinx's ``html_title``)."""
        project = self.config.project or ""
        if not project or project == "Project name not set":
            project = self.config.html_title or ""
        return project

    def _numbered(self, number: str, title_html: str) -> str:
        return (f'<span class="section-number">{number}</span> ' if number else "") + title_html

    def _book_url(self, docname: str) -> str:
        """The chapter in the HTML book, when it lies beside the slides."""
        here = posixpath.dirname(self.get_target_uri(docname))
        up = "../" * (here.count("/") + 1 if here else 0)
        return f"{up}../html/{docname}.html"

    def _title_slide_html(self, docname, chapter_html, lecture_no, lecture_title) -> str:
        import html as _html

        course = _html.escape(self._course())
        lecture = ""
        if lecture_no or lecture_title:
            label = f"Lecture {lecture_no}" if lecture_no else ""
            sep = ": " if label and lecture_title else ""
            lecture = f'<p class="qbi-lecture">{_html.escape(label)}{sep}{_html.escape(lecture_title)}</p>'
        author = _html.escape(self.config.author or "")
        return (f'<p class="qbi-course">{course}</p>\n{lecture}\n'
                f'<h1 class="qbi-chapter">{chapter_html}</h1>\n'
                f'<p class="qbi-meta">{author} · '
                f'<a href="{self._book_url(docname)}">the chapter in the book</a></p>')

    # -- the doctree, in reading order, as events

    def _cell_type(self, node) -> str | None:
        _, metadata = self._cell_at(line_of(node))
        try:
            return slide_type(metadata)
        except ValueError as err:
            logger.warning("%s", err, location=node)
            return None

    def _first_of_cell(self, node) -> bool:
        """Whether ``node`` is the first block of its markdown cell on the slides."""
        index, _ = self._cell_at(line_of(node))
        if index is None or index in self._cells_started:
            return index is None
        self._cells_started.add(index)
        return True

    def _visit(self, node, events: list, level: int) -> None:
        if isinstance(node, (nodes.target, nodes.comment, nodes.substitution_definition,
                             nodes.system_message)):
            return
        if isinstance(node, nodes.section):
            self._section(node, events, level + 1)
            return
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            self._code_cell(node, events)
            return
        stype = self._cell_type(node)
        if stype == "skip":
            return
        explicit = stype in ("slide", "subslide", "-", "fragment")
        kind = type(node).__name__
        if kind in EXERCISES and stype != "notes":
            self._exercise(node, events, stype)
            return
        if kind in SOLUTIONS and not explicit:
            events.append(Notes(self.render(node)))    # for the lecturer's eyes only
            return
        if stype == "notes" or (not explicit and not self._shown_by_default(node)):
            text = node.astext().lstrip()
            events.append(Notes(self.render(node), continues=isinstance(node, nodes.paragraph)
                                and text[:1].islower()))
            keywords = None if stype == "notes" else self._keywords(node)
            if keywords:
                events.append(keywords)
            return
        keywords = self._keywords(node)
        if keywords is None:
            keywords = self._bold_lead(node)
        if keywords is not None:                  # the full list goes to the notes
            events.append(Notes(self.render(node)))
        if keywords is None and isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            parts = self._list_parts(node)
            if parts != [node]:              # a long list: its items over several slides
                events.append(Notes(self.render(node)))      # the whole list for the lecturer
                mode = mode_of(stype, self._first_of_cell(node))
                for i, part in enumerate(parts):
                    block = self._block(part)
                    block.mode = mode if i == 0 else "auto"     # the rest: continuation slides
                    events.append(block)
                return
        block = keywords or self._block(node)
        block.mode = mode_of(stype, self._first_of_cell(node))
        events.append(block)

    def _list_parts(self, node) -> list:
        """A list shown on the slides whose text is longer than a slide takes
        (MAX_WORDS): copies of it with a few whole items each, each at most
        MAX_WORDS words; an item longer than that shows its first sentence
        (when that is short enough); a numbered list goes on counting. A list
        that fits: ``[node]``."""
        items = [self._short_item(item) for item in node.children]
        counts = [words_of(self.render(item)) for item in items]
        if all(a is b for a, b in zip(items, node.children)) and (
                sum(counts) <= MAX_WORDS or len(counts) < 2):
            return [node]
        groups = _word_groups(counts, MAX_WORDS)
        # as even as the same number of slides allows: 2 + 2 items, not 3 + 1
        limit = MAX_WORDS
        while limit > 1 and len(_word_groups(counts, limit - 1)) == len(groups):
            limit -= 1
        groups = _word_groups(counts, limit)
        parts = []
        for group in groups:
            part = node.copy()               # the list's attributes, no items
            part.extend(items[i].deepcopy() for i in group)
            if isinstance(node, nodes.enumerated_list) and group[0]:
                part["start"] = node.get("start", 1) + group[0]
            parts.append(part)
        return parts

    def _short_item(self, item):
        """A list item longer than a slide takes: a copy with only the first
        sentence of its first paragraph, when that is short enough; else the item."""
        if words_of(self.render(item)) <= MAX_WORDS or not item.children \
                or not isinstance(item.children[0], nodes.paragraph):
            return item
        kept = self._sentence_nodes(item.children[0])
        if words_of(self.render_inline(kept)) > MAX_WORDS:
            return item
        return nodes.list_item("", nodes.paragraph("", "", *[k.deepcopy() for k in kept]))

    @staticmethod
    def _sentence_nodes(paragraph) -> list:
        """The inline nodes of a paragraph's first sentence."""
        kept = []
        for child in paragraph.children:
            if isinstance(child, nodes.Text):
                text = str(child)
                match = re.search(r"[.!?](\s|$)", text)
                if match:
                    kept.append(nodes.Text(text[: match.start() + 1]))
                    break
            kept.append(child)
        return kept

    def _exercise(self, node, events: list, stype: str | None) -> None:
        """An exercise (sphinx-exercise) gets a slide of its own: its number
        and title, and its first paragraph when the two together are short
        (MAX_WORDS), else the paragraph's first sentence when that is; the whole
        exercise goes into the notes (its solution follows it there)."""
        markup = self.render(node)
        title = re.search(r'<p class="admonition-title">(.*?)</p>', markup, re.S)
        heading = title.group(1) if title else ""
        first = next(iter(node.findall(nodes.paragraph)), None)
        lead = self.render(first) if first is not None else ""
        # the title and the task share the slide's MAX_WORDS
        budget = MAX_WORDS - words_of(heading)
        if words_of(lead) > budget:             # a long task: its first sentence
            sentence = self.render_inline(self._sentence_nodes(first))
            lead = f"<p>{sentence}</p>" if words_of(sentence) <= budget else ""
        shown = f'<p class="qbi-exercise-title">{heading}</p>{lead}'
        events.append(Notes(markup))
        block = Block(shown, "exercise", height=90 + text_height(words_of(lead)),
                      words=words_of(heading) + words_of(lead), ids=list(node.get("ids", [])))
        block.mode = mode_of(stype, True) if stype else "slide"
        events.append(block)

    def _shown_by_default(self, node) -> bool:
        """Blocks that go on the slide without any annotation."""
        if isinstance(node, (nodes.math_block, nodes.figure, nodes.image, nodes.table)):
            return True
        if isinstance(node, nodes.literal_block):
            return node.astext().count("\n") + 1 <= MAX_CODE_LINES
        if isinstance(node, nodes.Element) and node.tagname == "bibliography":
            return True
        if isinstance(node, nodes.container) and any(
                isinstance(c, nodes.citation) for c in node.children):
            return True
        return False

    def _bold_lead(self, node) -> Block | None:
        """A paragraph put on the slides that starts with bold text and is
        longer than a slide takes (MAX_WORDS): its bold lead on the slide,
        the whole paragraph in the notes (as the bold words of a list)."""
        if not isinstance(node, nodes.paragraph):
            return None
        # MyST puts an empty text node before a paragraph's leading bold
        lead = next((c for c in node.children
                     if not (isinstance(c, nodes.Text) and not str(c).strip())), None)
        if not isinstance(lead, nodes.strong) or words_of(self.render(node)) <= MAX_WORDS:
            return None
        markup = f'<p class="qbi-lead"><strong>{self.render_inline(lead.children)}</strong></p>'
        words = words_of(markup)
        return Block(html=markup, kind="text", height=text_height(words), words=words)

    def _keywords(self, node) -> Block | None:
        """The bold lead words of a list (or the terms of a definition list),
        as a list on the slide; the full list stays in the notes."""
        items = []
        if isinstance(node, nodes.definition_list):
            for item in node.children:
                term = next(iter(item.findall(nodes.term)), None)
                if term is None:
                    return None
                items.append(self.render_inline(term.children))
            tag = "ul"
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            for item in node.children:
                first = item.children[0] if item.children else None
                strong = next(iter(first.findall(nodes.strong)), None) if first is not None else None
                if strong is None:
                    return None
                items.append(self.render_inline(strong.children))
            tag = "ol" if isinstance(node, nodes.enumerated_list) else "ul"
        else:
            return None
        if len(items) < 2:
            return None
        markup = f'<{tag} class="qbi-keywords">' + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"
        return Block(html=markup, kind="keywords", height=keywords_height(len(items)),
                     words=words_of(markup))

    def _block(self, node) -> Block:
        markup = self.render(node)
        ids = []
        if isinstance(node, nodes.math_block):
            return Block(markup, "math", height=110 + 40 * node.astext().count("\\\\"), ids=ids)
        if isinstance(node, (nodes.figure, nodes.image)):
            return self._figure_block(node)
        if isinstance(node, nodes.table):
            rows = len(list(node.findall(nodes.row)))
            return Block(markup, "table", height=table_height(rows))
        if isinstance(node, nodes.literal_block):
            return Block(markup, "code", height=code_height(_lines(node.astext())))
        if node.tagname == "bibliography" or isinstance(node, nodes.container):
            n = len(list(node.findall(nodes.citation))) or 1
            return Block(markup, "references", height=60 * n, words=0)
        words = words_of(markup)
        kind = "keywords" if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)) else "text"
        return Block(markup, kind, height=text_height(words), words=words)

    def _figure_block(self, node, notes_into: list | None = None) -> Block:
        """A figure on the slide: the picture large, a short caption (its
        number and first sentence); the full caption goes to the notes."""
        caption = next(iter(node.findall(nodes.caption)), None) if isinstance(node, nodes.figure) else None
        pictures = [n for n in node.findall(nodes.image)] if isinstance(node, (nodes.figure, nodes.image)) else []
        raws = [n for n in node.findall(nodes.raw)] if isinstance(node, nodes.figure) else []
        if isinstance(node, nodes.image):
            pictures = [node]
        inner = "".join(self.render(p) for p in pictures) + "".join(r.astext() for r in raws if "html" in r.get("format", ""))
        short = ""
        ids = list(node.get("ids", []))
        if caption is not None:
            number = self._figure_number(node)
            first = self._first_sentence(caption)
            short = (f'<p class="qbi-caption"><span class="caption-number">{number}</span> {first}</p>')
            full = self.render(nodes.paragraph("", "", *[c.deepcopy() for c in caption.children]))
            if notes_into is not None:
                notes_into.append(Notes(f'<p class="qbi-figure-note"><strong>{number}</strong></p>{full}'))
        markup = f'<div class="qbi-picture">{inner}</div>{short}'
        return Block(markup, "figure", height=360, ids=ids)

    def _figure_number(self, figure) -> str:
        ids = figure.get("ids", [])
        numbers = self.fignumbers.get("figure", {})
        if ids and ids[0] in numbers:
            fmt = self.config.numfig_format.get("figure", "Fig. %s")
            return fmt % ".".join(map(str, numbers[ids[0]]))
        return ""

    def _first_sentence(self, caption) -> str:
        """The caption's first sentence as HTML (inline markup and maths kept)."""
        kept = []
        for child in caption.children:
            if isinstance(child, nodes.Text):
                text = str(child)
                match = re.search(r"[.!?](\s|$)", text)
                if match:
                    kept.append(nodes.Text(text[: match.start() + 1]))
                    break
                kept.append(child)
            else:
                kept.append(child)
        sentence = self.render_inline(kept)
        return sentence if words_of(sentence) <= 20 else ""

    # -- sections and code cells

    def _section(self, section, events: list, level: int) -> None:
        title = section[0] if section.children and isinstance(section[0], nodes.title) else None
        stype = self._cell_type(title) if title is not None else None
        if stype == "skip":
            return                           # the whole section stays in the book
        if title is not None:
            anchor = "#" + section["ids"][0] if section["ids"] else ""
            number = ".".join(map(str, self.secnumbers.get(anchor, ())))
            events.append(Heading(level=level, html=self._numbered(number, self.render_inline(title.children)),
                                  text=title.astext(), ids=list(section["ids"]),
                                  mode="subslide" if stype == "subslide" else "slide"))
        for child in section.children[1 if title is not None else 0:]:
            self._visit(child, events, level)

    def _code_cell(self, cell, events: list) -> None:
        metadata = cell.get("cell_metadata", {}) or {}
        try:
            stype = slide_type(metadata)
        except ValueError as err:
            logger.warning("%s", err, location=cell)
            stype = None
        if stype == "skip":
            return
        tags = set(metadata.get("tags", []))
        explicit = stype in ("slide", "subslide", "-", "fragment")
        source = next((c for c in cell.children if c.get("nb_element") == "cell_code_source"), None)
        output = next((c for c in cell.children if c.get("nb_element") == "cell_code_output"), None)
        produced: list = []
        hidden_input = bool(tags & {"hide-input", "hide-cell", "remove-input", "remove_input"})
        if source is not None and not hidden_input:
            code = source.astext()
            lines = _lines(code)
            markup = self.render(*source.children)
            if code_to_notes(stype, tags, code):
                produced.append(Notes(markup))
            else:
                produced.append(Block(markup, "code", height=code_height(lines)))
        if output is not None and "remove-output" not in tags:
            # outputs the book folds away (hide-output) are the notes' business
            quiet = stype == "notes" or (not explicit and bool(tags & {"hide-output", "hide-cell"}))
            for child in output.children:
                produced.extend(self._output(child, to_notes=quiet, explicit=explicit))
        first = True
        blocks = [item for item in produced if isinstance(item, Block)]
        for item in produced:
            if isinstance(item, Block):
                item.mode = mode_of(stype, first)
                first = False
            events.append(item)
        if blocks and blocks[0].kind == "code" and len(blocks) > 1:
            blocks[0].follow = blocks[1]

    def _output(self, node, to_notes: bool, explicit: bool) -> list:
        """Events for one output of a code cell."""
        if isinstance(node, nodes.container) and not node.get("nb_element") and len(node.children) == 1:
            return self._output(node[0], to_notes, explicit)
        if isinstance(node, (nodes.figure, nodes.image)) or (
                isinstance(node, nodes.container) and node.get("mime_type", "").startswith("image/")):
            out: list = []
            picture = node if isinstance(node, (nodes.figure, nodes.image)) else node
            block = self._figure_block(picture, notes_into=out)
            if to_notes:
                return [Notes(self.render(node))]
            return out + [block]
        if isinstance(node, nodes.raw) and "html" in node.get("format", ""):
            markup = node.astext()
            if to_notes:
                return [Notes(markup)]
            if "<table" in markup:
                markup = _breakable_headings(markup)
                rows = markup.count("<tr")
                return [Block(f'<div class="qbi-table-wrap">{markup}</div>', "table", height=table_height(rows))]
            if "<svg" in markup or "<img" in markup:
                return [Block(f'<div class="qbi-picture">{markup}</div>', "figure", height=360)]
            return [Block(markup, "output", height=200, words=min(words_of(markup), 40))]
        if isinstance(node, nodes.literal_block):
            markup = self.render(node)
            lines = _lines(node.astext())
            if to_notes or (not explicit and lines > MAX_OUTPUT_LINES):
                return [Notes(markup)]
            return [Block(markup, "output", height=output_height(lines))]
        markup = self.render(node)
        return [Notes(markup)] if markup else []

    # -- the index page, the assets

    def finish(self) -> None:
        wrong = assets.check_versions()
        if wrong:
            logger.warning("the slides are made for reveal.js %s and MathJax %s, but "
                           "booktools/web/node_modules has %s: run `make setup`",
                           assets.VERSIONS["reveal.js"], assets.VERSIONS["mathjax"], ", ".join(wrong))
        self.copy_image_files()
        assets.copy_assets(Path(self.outdir), self)
        (Path(self.outdir) / "slides.json").write_text(
            json.dumps({"decks": self.decks}, indent=1), encoding="utf-8")
        (Path(self.outdir) / "index.html").write_text(
            assets.index_html(self.decks, course=self._course(),
                              author=self.config.author or ""), encoding="utf-8")

    def handle_finish(self) -> None:   # no search index, no inventory
        pass


# ---------------------------------------------------------------- the HTML book

def _mime_priorities(app, config):
    """myst-nb picks each output's format by builder name: the slides take
    what the HTML book takes. (Always set, so that the HTML and the slides
    builds share one environment without re-reading the chapters.)"""
    from myst_nb.core.render import base_render_priority

    given = [tuple(o) for o in config.nb_mime_priority_overrides or []]
    mine = [("slides", mime, priority) for mime, priority in base_render_priority()["html"].items()]
    mine += [("slides", mime, priority) for builder, mime, priority in given if builder in ("html", "*")]
    config.nb_mime_priority_overrides = mine + given


def _slides_button(app, pagename, templatename, context, doctree):
    """A header button on each chapter page that opens the chapter's deck."""
    if app.builder.name not in ("html", "dirhtml") or pagename == app.config.root_doc:
        return
    if doctree is None or "header_buttons" not in context or pagename not in app.env.found_docs:
        return
    base = app.config.qbi_slides_url
    if not base:
        return                               # a book without slides
    root = context["pathto"]("", 1) if "pathto" in context else ""
    if not re.match(r"^[a-z]+:|^/", base):
        base = posixpath.normpath(posixpath.join(root.rstrip("/") or ".", base)) + "/"
    context["header_buttons"].append({
        "type": "link",
        "url": base + deck_uri(pagename, app.config.root_doc),
        "tooltip": "Slides of this chapter",
        "icon": "fas fa-person-chalkboard",
        "label": "slides-button",
    })


def setup(app):
    app.add_builder(SlidesBuilder)
    # Where the HTML book finds the decks: relative to the root of the HTML
    # site (or a full address); empty: no slides button.
    app.add_config_value("qbi_slides_url", "../slides/", "html")
    app.connect("config-inited", _mime_priorities, priority=400)
    app.connect("html-page-context", _slides_button, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
