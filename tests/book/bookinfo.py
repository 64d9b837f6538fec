"""What the book-level tests need to know about the book: its files and builds.

The tests in this folder check the book as readers receive it (the HTML site,
the PDF handout, the Binder launch). They read what `make book` and
`make pdf` built; ``QBI_BUILD_DIR`` points them at another ``_build`` folder
(e.g. ``/tmp/build-me/_build`` after ``jupyter-book build . --path-output
/tmp/build-me``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def build_dir() -> Path:
    """The ``_build`` folder the tests read (``QBI_BUILD_DIR`` or ``<repo>/_build``)."""
    return Path(os.environ.get("QBI_BUILD_DIR", ROOT / "_build")).resolve()


def html_dir() -> Path:
    return build_dir() / "html"


def pdf_path(lecture: str | None = None) -> Path:
    """The whole book's PDF, or lecture ``"02"``'s handout (booktools.latex_lectures)."""
    name = "qbi-book.pdf" if lecture is None else f"qbi-book-lecture-{lecture}.pdf"
    return build_dir() / "latex" / name


def missing_build(path: Path, command: str) -> str | None:
    """A message saying how to build ``path`` when it does not exist, else None."""
    if path.exists():
        return None
    return f"{path} does not exist: build it first with `{command}` (from {ROOT})"


def require(path: Path, command: str) -> Path:
    """``path``, or fail the test saying which command builds it (never skip)."""
    import pytest

    message = missing_build(path, command)
    if message:
        pytest.fail(message, pytrace=False)
    return path


def load_config(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


def toc_docnames(root: Path = ROOT) -> tuple[str, list[str]]:
    """(root document, [chapter documents in reading order]) from ``_toc.yml``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    chapters: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                chapters.append(_strip_suffix(entry["file"]))
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return _strip_suffix(toc["root"]), chapters


def toc_parts(root: Path = ROOT) -> list[tuple[str, str, list[str]]]:
    """[(lecture number "01", part caption, [chapter documents])] of the parts
    of ``_toc.yml`` named "Lecture N: ...", in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for part in toc.get("parts", []):
        caption = str(part.get("caption", ""))
        match = re.match(r"\s*Lecture\s+(\d+)\b", caption)
        if not match:
            continue
        docs: list[str] = []

        def walk(entries):
            for entry in entries or []:
                if "file" in entry:
                    docs.append(_strip_suffix(entry["file"]))
                walk(entry.get("sections"))

        walk(part.get("chapters"))
        out.append((f"{int(match.group(1)):02d}", caption, docs))
    return out


def _strip_suffix(name: str) -> str:
    return re.sub(r"\.(md|ipynb)$", "", name)


def source_of(docname: str, root: Path = ROOT) -> Path:
    for suffix in (".md", ".ipynb"):
        path = root / (docname + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"_toc.yml lists {docname}, but neither {docname}.md nor .ipynb exists")


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def is_notebook(path: Path) -> bool:
    """A MyST Markdown notebook (a kernelspec in its front matter), or an .ipynb."""
    return path.suffix == ".ipynb" or "kernelspec" in front_matter(path)


def title_of(path: Path) -> str:
    """The text of the first level-1 heading of a MyST Markdown file (markup removed)."""
    in_fence = None
    body = re.sub(r"^---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), count=1, flags=re.S)
    for line in body.splitlines():
        fence = re.match(r"^(`{3,}|~{3,}|:{3,})", line)
        if fence:
            mark = fence.group(1)
            if in_fence is None:
                in_fence = mark[0] * len(mark)
            elif line.strip() == in_fence:
                in_fence = None
            continue
        if in_fence is None and line.startswith("# "):
            return plain_text(line[2:])
    raise ValueError(f"{path} has no level-1 heading")


def plain_text(markdown: str) -> str:
    """Inline MyST markup reduced to the text a reader sees."""
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", markdown)  # roles
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)                        # links
    text = re.sub(r"[*_`]", "", text)
    return " ".join(text.split())


# ---------------------------------------------------------------- HTML figures

@dataclass
class Figure:
    page: str      # path of the page, relative to the html folder
    kind: str      # "img" or "svg"
    src: str       # image address ("" for inline SVG)
    label: str     # alt text / accessible name / caption found
    hidden: bool = False   # inside a closed <details> (e.g. a hide-output cell) or a
                           # dropdown admonition (an exercise's solution), closed on load


class _FigureParser(HTMLParser):
    """Pictures in a page's article: <img> anywhere in it, and outermost inline
    <svg> that are not inside a table (the chunk diagram of dask's array repr
    illustrates its table; the PDF shows that output as text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self._article = 0
        self._svg = 0
        self._details: list[bool] = []   # open/closed state of the enclosing <details>
        # per open <div>: True for a dropdown admonition, which sphinx-togglebutton
        # closes when the page loads (an exercise's solution, `:class: dropdown`)
        self._divs: list[bool] = []
        self._table = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "bd-article" in (attrs.get("class") or ""):
            self._article += 1
        if not self._article:
            return
        closed = not all(self._details) or any(self._divs)
        if tag == "div":
            classes = (attrs.get("class") or "").split()
            self._divs.append("admonition" in classes and "dropdown" in classes
                              and "toggle-shown" not in classes)
        if tag == "details":
            self._details.append("open" in attrs)
        elif tag == "table":
            self._table += 1
        elif tag == "img":
            self.found.append(("img", attrs, closed))
        elif tag == "svg":
            if self._svg == 0 and self._table == 0:
                self.found.append(("svg", attrs, closed))
            self._svg += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg" and self._article:
            self._svg -= 1

    def handle_endtag(self, tag):
        if tag == "article" and self._article:
            self._article -= 1
        elif tag == "svg" and self._svg:
            self._svg -= 1
        elif tag == "details" and self._details:
            self._details.pop()
        elif tag == "div" and self._divs and self._article:
            self._divs.pop()
        elif tag == "table" and self._table:
            self._table -= 1


def figures_in_page(html_file: Path, html_root: Path) -> list[Figure]:
    parser = _FigureParser()
    parser.feed(html_file.read_text(encoding="utf-8"))
    page = html_file.relative_to(html_root).as_posix()
    out = []
    for kind, attrs, hidden in parser.found:
        label = attrs.get("alt") if kind == "img" else attrs.get("aria-label")
        out.append(Figure(page, kind, attrs.get("src", ""), label or "", hidden))
    return out


def chapter_pages(html_root: Path, root: Path = ROOT) -> list[Path]:
    """The HTML pages of the chapters listed in _toc.yml (not the landing page)."""
    _, chapters = toc_docnames(root)
    return [html_root / f"{doc}.html" for doc in chapters]


def book_figures(html_root: Path, root: Path = ROOT) -> list[Figure]:
    """Every picture of the chapters, as the HTML book shows them."""
    figures: list[Figure] = []
    for page in chapter_pages(html_root, root):
        if page.exists():
            figures.extend(figures_in_page(page, html_root))
    return figures


def is_vector(figure: Figure) -> bool:
    """An SVG picture (inline, or an .svg file): the PDF must draw it as vectors."""
    return figure.kind == "svg" or figure.src.split("?")[0].lower().endswith(".svg")


def distinct_figures(figures: list[Figure]) -> list[Figure]:
    """One entry per picture file (an identical output shown twice is one file)."""
    seen, out = set(), []
    for fig in figures:
        key = (fig.kind, fig.src) if fig.kind == "img" else (fig.page, len(out))
        if key not in seen:
            seen.add(key)
            out.append(fig)
    return out


def executed_notebooks(build: Path, root: Path = ROOT) -> dict[str, dict]:
    """The executed notebook of each chapter (myst-nb's _build/jupyter_execute)."""
    import json

    out = {}
    for doc in toc_docnames(root)[1]:
        path = build / "jupyter_execute" / f"{doc}.ipynb"
        if path.exists():
            out[doc] = json.loads(path.read_text(encoding="utf-8"))
    return out
