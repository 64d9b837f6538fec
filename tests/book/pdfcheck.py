"""Check the PDF handout with what can be read back out of it.

``read_pdf`` extracts the text (poppler's ``pdftotext``), the page count, the
outline (bookmarks) and the pictures drawn on the pages (pypdf: raster image
XObjects, and form XObjects, which is how an SVG converted to PDF is
embedded: vector graphics). ``check_pdf`` compares that with what the book
contains and returns a list of problems, one sentence each (empty: all good).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject

#: Text that stands where an output was lost: a Python object's repr.
REPR_PATTERNS = [
    (re.compile(r"<IPython\.core\.display\.\w+ object>"), "an IPython display object's repr"),
    (re.compile(r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with \d+ Axes>"), "a Matplotlib figure's repr"),
    (re.compile(r"<Axes: [^>]*>"), "a Matplotlib Axes' repr"),
    (re.compile(r"<graphviz\.[\w.]+ object[^>]*>"), "a graphviz object's repr"),
    (re.compile(r"<[A-Za-z_][\w.]*(?: object)? at 0x[0-9a-fA-F]+>"), "an object's repr with its memory address"),
]

MISSING_CHARACTER = re.compile(r"Missing character: There is no (.+?) in font (.+?)!")


@dataclass
class PdfContent:
    path: Path
    pages: int
    text: str                                   # whole text, as `pdftotext -layout` gives it
    raster: dict = field(default_factory=dict)  # image XObject id -> first page (1-based)
    vector: dict = field(default_factory=dict)  # form XObject id -> first page
    outline: list = field(default_factory=list)  # [(level, title, page)], level 0 = chapter

    @property
    def pictures(self) -> int:
        return len(self.raster) + len(self.vector)


def pdftotext(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise RuntimeError("pdftotext is missing: install poppler-utils "
                           "(`make check-pdf` does it)")
    return subprocess.run([exe, "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def read_pdf(pdf: Path) -> PdfContent:
    reader = PdfReader(str(pdf))
    content = PdfContent(path=Path(pdf), pages=len(reader.pages), text=pdftotext(pdf))
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if not xobjects:
            continue
        for name, ref in xobjects.get_object().items():
            obj = ref.get_object()
            key = ref.idnum if isinstance(ref, IndirectObject) else (number, name)
            if obj.get("/Subtype") == "/Image":
                content.raster.setdefault(key, number)
            elif obj.get("/Subtype") == "/Form":
                content.vector.setdefault(key, number)

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                content.outline.append((level, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return content


def normalise(text: str) -> str:
    """Text for comparisons: ligatures split, quotes straightened, hyphenation
    and line breaks undone, case folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return " ".join(text.split()).casefold()


def object_reprs(text: str) -> list[str]:
    """Every object repr in ``text``, described: '<...> (what it is)'."""
    found = []
    flat = " ".join(text.split())
    for pattern, what in REPR_PATTERNS:
        for match in pattern.finditer(flat):
            item = f"{match.group(0)} ({what})"
            if not any(match.group(0) in f for f in found):
                found.append(item)
    return found


def missing_characters(log_text: str) -> list[str]:
    """The "Missing character" lines of a XeLaTeX log, one per character and font."""
    seen = []
    for char, font in MISSING_CHARACTER.findall(log_text):
        item = f"{char} in font {font}"
        if item not in seen:
            seen.append(item)
    return seen


def expected_page_range(n_chapters: int, n_figures: int) -> tuple[int, int]:
    """Pages a handout of this size should have.

    At least: a title page, the contents, one page per chapter and one for
    every three figures. At most: the front matter, 20 pages per chapter and
    one per two figures; more means an output (a long print, a huge table)
    ran away. (Measured: 8 chapters with 51 figures made 102 pages; lecture
    1's 11 chapters, with their exercises and gathered solutions and 77
    figures, 217; the whole book's 23 chapters, 358.)
    """
    low = 2 + n_chapters + n_figures // 3
    high = 10 + 20 * n_chapters + n_figures // 2
    return low, high


def check_title_page(content: PdfContent, *, title: str, author: str) -> list[str]:
    first = normalise(pdftotext_page(content.path, 1))
    problems = []
    for what, value in (("title", title), ("author", author)):
        if normalise(value) not in first:
            problems.append(f"the title page does not show the book's {what} {value!r}")
    if normalise("contents") not in normalise(pdftotext_page(content.path, 1, 4)):
        problems.append("the PDF has no table of contents in its first pages")
    return problems


def pdftotext_page(pdf: Path, first: int, last: int | None = None) -> str:
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", "-f", str(first),
         "-l", str(last or first), str(pdf), "-"],
        check=True, capture_output=True, text=True).stdout


def check_chapters(content: PdfContent, chapter_titles: list[str] | None = None, *,
                   parts: list[tuple[str, list[str]]] | None = None) -> list[str]:
    """Every chapter's title is in the text and is a numbered chapter of the
    outline, in the order of _toc.yml; the chapters have numbered sections.

    ``chapter_titles``: a handout without parts (one lecture), chapters at
    the outline's top level numbered from 1. ``parts``: [(caption, chapter
    titles)] of a book whose top level is one part per lecture, each
    lecture's chapters numbered from 1 below it (as the web pages number them).
    """
    problems = []
    text = normalise(content.text)
    if parts is None:
        groups, chapter_level = [(None, chapter_titles or [])], 0
    else:
        groups, chapter_level = parts, 1
        tops = [normalise(t) for level, t, _ in content.outline if level == 0]
        for caption, _ in parts:
            if not any(t.endswith(normalise(caption)) for t in tops):
                problems.append(f"the PDF outline has no part {caption!r} (its top level: {tops})")
    # the outline's chapters, grouped under their part (or all in one group)
    found: list[list[str]] = [[]]
    for level, title, _ in content.outline:
        if parts is not None and level == 0:
            found.append([])
        elif level == chapter_level:
            found[-1].append(title)
    if parts is not None:
        found = found[1:]
    for index, (caption, titles) in enumerate(groups):
        chapters = found[index] if index < len(found) else []
        for number, title in enumerate(titles, start=1):
            if normalise(title) not in text:
                problems.append(f"chapter title {title!r} does not appear in the PDF's text")
            wanted = normalise(f"{number} {title}")
            if not any(normalise(t) == wanted for t in chapters):
                where = f" of part {caption!r}" if caption else ""
                problems.append(f"the PDF outline has no chapter '{number} {title}'{where} "
                                f"(its chapters there: {chapters})")
    sections = [t for level, t, _ in content.outline if level == chapter_level + 1]
    if any(titles for _, titles in groups) and not sections:
        problems.append("the PDF outline has no sections below the chapters")
    for title in sections:
        if not re.match(r"^\d+\.\d+ ", title):
            problems.append(f"section {title!r} of the PDF outline is not numbered")
    return problems


def check_no_reprs(content: PdfContent) -> list[str]:
    return [f"the PDF shows {item} where an output should be"
            for item in object_reprs(content.text)]


def check_figures(content: PdfContent, *, n_figures: int, n_vector_figures: int) -> list[str]:
    problems = []
    if content.pictures < n_figures:
        problems.append(
            f"the PDF embeds {content.pictures} pictures ({len(content.raster)} raster, "
            f"{len(content.vector)} vector) but the book has {n_figures} figures")
    if len(content.vector) < n_vector_figures:
        problems.append(
            f"the PDF embeds {len(content.vector)} vector graphics but the book has "
            f"{n_vector_figures} SVG figures (graphs): SVG was not converted to PDF")
    return problems


def check_pages(content: PdfContent, *, n_chapters: int, n_figures: int) -> list[str]:
    low, high = expected_page_range(n_chapters, n_figures)
    if low <= content.pages <= high:
        return []
    return [f"the PDF has {content.pages} pages, expected {low} to {high} "
            f"for {n_chapters} chapters and {n_figures} figures"]


def check_characters(content: PdfContent, log_text: str | None) -> list[str]:
    problems = []
    if log_text is None:
        problems.append("the LaTeX log is missing, so missing characters cannot be checked")
    else:
        problems.extend(f"missing character: {item}" for item in missing_characters(log_text))
    if "\ufffd" in content.text:
        problems.append("the PDF text contains U+FFFD replacement characters")
    return problems


#: LaTeX sectioning commands, by level (0 = chapter).
SECTIONING = re.compile(r"^\\(chapter|section|subsection|subsubsection|paragraph)\*?\{(.*)\}\s*$", re.M)
_LEVEL = {"chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3, "paragraph": 4}
#: What a heading may be followed by and still be empty: labels, Sphinx's
#: scope markers, comments, blank lines.
_NOT_CONTENT = re.compile(r"\\label\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\sphinxstepscope|\\phantomsection|%[^\n]*")


def empty_sections(tex: str) -> list[str]:
    """Headings of the LaTeX source with nothing under them before the next
    heading of the same or a higher level (or the end of the document): an
    empty numbered section in the PDF, such as a chapter's "References" whose
    list LaTeX moved elsewhere."""
    end = min((i for i in (tex.find("\\printindex"), tex.find("\\end{document}")) if i >= 0),
              default=len(tex))
    heads = [(m.start(), m.end(), _LEVEL[m.group(1)], m.group(2)) for m in SECTIONING.finditer(tex)
             if m.start() < end]
    empty = []
    for i, (_, body_start, level, title) in enumerate(heads):
        stop = next((start for start, _, lvl, _ in heads[i + 1:] if lvl <= level), end)
        following = [start for start, _, lvl, _ in heads[i + 1:] if start < stop]
        body = tex[body_start:following[0] if following else stop]
        if not following and not _NOT_CONTENT.sub("", body).strip():
            empty.append(title)
    return empty


def check_sections(tex: str | None) -> list[str]:
    """No heading of the PDF stands over an empty section."""
    if tex is None:
        return ["the LaTeX source of the PDF is missing, so empty sections cannot be checked"]
    return [f"the section {title!r} is empty in the PDF" for title in empty_sections(tex)]


def squeeze(text: str) -> str:
    """``normalise`` without any whitespace: code survives line wrapping."""
    return "".join(normalise(text).split())


def check_code_and_outputs(content: PdfContent, notebooks: dict[str, dict]) -> list[str]:
    """The first line of each shown code cell, and of each text output, is in
    the PDF. ``notebooks`` maps a chapter's name to its executed notebook
    (nbformat JSON as a dict)."""
    text = squeeze(content.text)
    problems = []
    for name, nb in notebooks.items():
        code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
        for index, cell in enumerate(code_cells):
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "remove-cell" in tags:
                continue
            if "remove-input" not in tags:
                line = _first_line(cell.get("source", ""), skip_comments=True)
                if line and squeeze(line[:40]) not in text:
                    problems.append(f"{name}.md::Cell {index}: the code {line[:40]!r} is not in the PDF")
            if "remove-output" in tags:
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and "remove-stdout" in tags:
                    continue
                shown = _shown_text(output)
                if shown and squeeze(shown[:30]) not in text:
                    problems.append(f"{name}.md::Cell {index}: the output {shown[:30]!r} is not in the PDF")
    return problems


def _first_line(source, skip_comments=False) -> str:
    if isinstance(source, list):
        source = "".join(source)
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped or (skip_comments and stripped.startswith("#")):
            continue
        if stripped.startswith(("%", "!")):       # IPython magics are shown too, but rarely
            continue
        return stripped
    return ""


def _shown_text(output: dict) -> str:
    """The first line of text the PDF shows for an output ("" for pictures,
    tables and anything not reliably comparable)."""
    kind = output.get("output_type")
    if kind == "stream":
        return "" if output.get("name") == "stderr" else _first_line(output.get("text", ""))
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if any(m in data for m in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf", "text/latex")):
            return ""
        plain = data.get("text/plain", "")
        if isinstance(plain, list):
            plain = "".join(plain)
        if object_reprs(plain):
            return ""
        return _first_line(plain)
    return ""


def check_pdf(content: PdfContent, *, title: str, author: str, chapter_titles: list[str],
              n_figures: int, n_vector_figures: int, log_text: str | None,
              notebooks: dict[str, dict] | None = None, tex: str | None = None) -> list[str]:
    """Every problem of the PDF handout, one sentence each. ``tex``: the LaTeX
    source (default: the ``.tex`` beside the PDF)."""
    if tex is None and content.path.with_suffix(".tex").exists():
        tex = content.path.with_suffix(".tex").read_text(encoding="utf-8")
    return (check_title_page(content, title=title, author=author)
            + check_chapters(content, chapter_titles)
            + check_no_reprs(content)
            + check_figures(content, n_figures=n_figures, n_vector_figures=n_vector_figures)
            + check_pages(content, n_chapters=len(chapter_titles), n_figures=n_figures)
            + check_characters(content, log_text)
            + check_sections(tex)
            + check_code_and_outputs(content, notebooks or {}))
