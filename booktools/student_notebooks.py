"""Student notebooks: a chapter with its exercises, without the solutions.

A chapter with exercises (``{exercise}`` directives, see README.md, "Writing
a chapter") becomes a Jupyter notebook that a student downloads or opens on
Binder, works in and checks with the checkers of :mod:`common.exercises`:

* every solution is removed: a ``{solution}`` directive, and everything from
  a ``{solution-start}`` to its ``{solution-end}`` (the text and the code
  cells in between, hidden checks included);
* in its place comes one empty code cell for the student's answer. When the
  next code cell calls a checker, ``check_border(border)``, the empty cell
  sets each name it checks to the placeholder ``...`` (``border = ...``),
  so the notebook runs from top to bottom and every check says what is
  still missing;
* the checker calls, the exercise text and the rest of the chapter stay;
  an exercise becomes a heading "Exercise 11.1: title" with its text, and
  MyST syntax that Jupyter does not render (labels, ``{ref}`` roles,
  admonitions, the bibliography) becomes plain Markdown;
* outputs are empty: the student runs the notebook.

The book's build writes these notebooks into the HTML output
(``_build/html/student/<lecture>/<chapter>.ipynb``, see
``booktools/exercises.py``); ``python -m booktools.student_notebooks``
writes them into ``student/`` at the repository's root, which Binder's
``postBuild`` does so that a launch link can open them.
"""
from __future__ import annotations

import argparse
import copy
import pathlib
import re
import sys
from dataclasses import dataclass, field

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Where the student notebooks go, relative to the repository (or the HTML
#: output): ``chapters/lecture-01/11-x.md`` -> ``student/lecture-01/11-x.ipynb``.
STUDENT_DIR = "student"

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*?)\s*$")
_EXERCISE = re.compile(r"^[ \t]*(?::{3,}|`{3,})\{exercise(?:-start)?\}", re.M)
_CHECK_CALL = re.compile(r"\bcheck_\w+\((?P<args>[^()]*)\)")
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
_TARGET = re.compile(r"^\(([\w-]+)\)=[ \t]*\n(#+)[ \t]+(.+)$", re.M)
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")
_ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
                "danger", "error", "seealso"}


# --------------------------------------------------------------------------
# which chapters, which numbers
# --------------------------------------------------------------------------
def has_exercises(path: pathlib.Path) -> bool:
    """True if the MyST file holds an ``exercise`` directive."""
    try:
        return bool(_EXERCISE.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def toc_chapters(root: pathlib.Path = ROOT) -> list[tuple[str, int | None]]:
    """(docname, chapter number or None) of every chapter in ``_toc.yml``.

    Each numbered part (a lecture) numbers its chapters from 1, as the book
    does (``html: use_multitoc_numbering: false`` in ``_config.yml``);
    chapters of parts without numbering have no number.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    result = []
    for part in toc.get("parts", [{"chapters": toc.get("chapters", []), "numbered": False}]):
        number = 0
        for chapter in part.get("chapters", []):
            if "file" not in chapter:
                continue
            if part.get("numbered"):
                number += 1
                result.append((chapter["file"], number))
            else:
                result.append((chapter["file"], None))
    return result


def student_path(docname: str) -> pathlib.PurePosixPath:
    """``chapters/lecture-01/11-x`` -> ``student/lecture-01/11-x.ipynb``."""
    parts = pathlib.PurePosixPath(docname).parts
    inner = parts[1:] if parts and parts[0] == "chapters" else parts
    return pathlib.PurePosixPath(STUDENT_DIR, *inner).with_suffix(".ipynb")


def label_titles(root: pathlib.Path = ROOT) -> dict[str, str]:
    """Every MyST target that sits right above a heading, with the heading's text."""
    titles = {}
    for path in sorted((root / "chapters").rglob("*.md")):
        for label, _level, title in _TARGET.findall(path.read_text(encoding="utf-8")):
            titles[label] = title.strip()
    return titles


# --------------------------------------------------------------------------
# MyST markdown -> segments
# --------------------------------------------------------------------------
@dataclass
class Directive:
    name: str
    arg: str
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def split_directives(text: str) -> list[str | Directive]:
    """Split Markdown into plain text and top-level directive blocks."""
    lines = text.split("\n")
    out: list[str | Directive] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            plain.append(lines[i])
            i += 1
            continue
        fence = match["fence"]
        j = i + 1
        options = {}
        while j < len(lines) and (opt := _OPTION.match(lines[j])):
            options[opt["key"]] = opt["value"]
            j += 1
        body, depth = [], 0
        while j < len(lines):
            inner = _OPEN.match(lines[j])
            if inner and inner["fence"][0] == fence[0] and len(inner["fence"]) == len(fence):
                depth += 1
            elif _closes(lines[j], fence):
                if depth == 0:
                    break
                depth -= 1
            body.append(lines[j])
            j += 1
        if plain:
            out.append("\n".join(plain))
            plain = []
        out.append(Directive(match["name"], match["arg"], options, "\n".join(body).strip("\n")))
        i = j + 1
    if plain:
        out.append("\n".join(plain))
    return out


def plain_markdown(text: str, titles: dict[str, str]) -> str:
    """MyST that Jupyter shows as clutter, made plain: targets, comments, roles."""
    text = re.sub(r"^\([\w-]+\)=[ \t]*\n", "", text, flags=re.M)
    text = re.sub(r"^%.*\n?", "", text, flags=re.M)

    def role(match):
        name, content = match["role"], match["text"]
        explicit = re.match(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", content, re.S)
        if name in ("ref", "numref", "doc", "eq"):
            if explicit:
                return explicit["title"]
            title = titles.get(content)
            return f"*{title}*" if title else content
        if name.startswith("cite"):
            keys = [re.sub(r"^l\d+c\d+-", "", k.strip()) for k in content.split(",")]
            return "[" + ", ".join(keys) + "]"
        if name == "math":
            return f"${content}$"
        return f"`{content}`" if name in ("code", "file", "kbd") else content

    return _ROLE.sub(role, text)


# --------------------------------------------------------------------------
# the notebook
# --------------------------------------------------------------------------
@dataclass
class _Builder:
    titles: dict[str, str]
    numbers: dict[str, str]
    chapter: int | None
    cells: list = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    in_solution: bool = False
    count: int = 0
    placeholders: list = field(default_factory=list)
    last_exercise: str = ""

    def flush(self):
        joined = "\n".join(self.text).strip("\n")
        if joined.strip():
            self.cells.append(nbformat.v4.new_markdown_cell(plain_markdown(joined, self.titles)))
        self.text = []

    def number(self, directive: Directive) -> str:
        if "nonumber" in directive.options:
            return ""
        self.count += 1
        label = directive.options.get("label", "")
        if label in self.numbers:
            return self.numbers[label]
        return f"{self.chapter}.{self.count}" if self.chapter else str(self.count)

    def placeholder(self, kind: str):
        self.flush()
        what = f"Exercise {self.last_exercise}" if self.last_exercise else "the exercise"
        if kind == "code":
            cell = nbformat.v4.new_code_cell(f"# Your solution to {what}\n")
            cell.metadata["tags"] = ["student-answer"]
            self.placeholders.append((len(self.cells), what))
        else:
            cell = nbformat.v4.new_markdown_cell(f"*Your answer to {what}:* "
                                                 "(double-click here to write it)")
        self.cells.append(cell)

    def markdown(self, source: str):
        for piece in split_directives(source):
            if isinstance(piece, str):
                if not self.in_solution:
                    self.text.append(piece)
                continue
            name = piece.name
            if name == "solution-end":
                self.in_solution = False
                continue
            if self.in_solution:
                continue
            if name == "solution-start":
                self.placeholder("code")
                self.in_solution = True
            elif name == "solution":
                self.placeholder("markdown")
            elif name in ("exercise", "exercise-start"):
                self.last_exercise = self.number(piece)
                heading = f"Exercise {self.last_exercise}".strip()
                if piece.arg:
                    heading += f": {piece.arg}"
                self.text.append(f"### {heading}\n\n{piece.body}\n")
            elif name == "exercise-end":
                continue
            elif name == "bibliography":
                self.text.append("*The references are listed in the book.*")
            elif name == "admonition" or name in _ADMONITIONS:
                title = piece.arg if name == "admonition" else name.capitalize()
                quoted = "\n".join("> " + line if line else ">" for line in
                                   [f"**{title}**", "", *piece.body.split("\n")])
                self.text.append(quoted + "\n")
            else:
                self.text.append(_raw(piece))

    def code(self, cell):
        if self.in_solution:
            return
        self.flush()
        cell = copy.deepcopy(cell)
        cell.outputs = []
        cell.execution_count = None
        self.cells.append(cell)


def _raw(piece: Directive) -> str:
    options = "".join(f":{k}: {v}\n" for k, v in piece.options.items())
    return f"```{{{piece.name}}} {piece.arg}".rstrip() + f"\n{options}{piece.body}\n```"


def _fill_placeholders(cells: list, placeholders: list) -> None:
    """Give each answer cell the names its check needs, set to ``...``."""
    for index, what in placeholders:
        names: list[str] = []
        for cell in cells[index + 1:]:
            if cell.cell_type != "code":
                continue
            if "student-answer" in cell.metadata.get("tags", []):
                break
            call = _CHECK_CALL.search(cell.source)
            if call:
                args = [a.strip() for a in call["args"].split(",") if a.strip()]
                names = [a for a in args if _IDENTIFIER.match(a)]
                break
        lines = [f"# Your solution to {what}."]
        if names:
            lines.append("# The check below needs: " + ", ".join(names))
            lines += [f"{name} = ..." for name in names]
        cells[index].source = "\n".join(lines) + "\n"


class NotAnExerciseChapter(ValueError):
    pass


def student_notebook(path: pathlib.Path, *, chapter: int | None = None,
                     numbers: dict[str, str] | None = None,
                     titles: dict[str, str] | None = None,
                     book_page: str = "") -> nbformat.NotebookNode:
    """The student notebook of the MyST chapter at ``path``.

    ``chapter`` is the chapter's number (for "Exercise 11.2"); ``numbers``
    maps exercise labels to their numbers when the build knows them;
    ``titles`` maps labels to headings (for ``{ref}``); ``book_page`` is the
    address of the chapter in the book, named in the first cell.
    """
    path = pathlib.Path(path)
    if not has_exercises(path):
        raise NotAnExerciseChapter(f"{path} has no exercise directive")
    import jupytext   # here: a rebuild with nothing to do never needs it (0.7 s to import)

    source = jupytext.read(path)
    build = _Builder(titles=titles if titles is not None else label_titles(),
                     numbers=numbers or {}, chapter=chapter)
    for cell in source.cells:
        if cell.cell_type == "markdown":
            build.markdown(cell.source)
        elif cell.cell_type == "code":
            build.code(cell)
    build.flush()
    if build.in_solution:
        raise ValueError(f"{path}: a solution-start has no solution-end")
    _fill_placeholders(build.cells, build.placeholders)

    title = next((c.source.lstrip("# ").split("\n")[0] for c in build.cells
                  if c.cell_type == "markdown" and c.source.startswith("# ")), path.stem)
    where = f" ([the chapter in the book]({book_page}))" if book_page else ""
    intro = nbformat.v4.new_markdown_cell(
        f"*Student notebook of* **{title}**{where}: the chapter with its exercises, "
        "without the solutions. Under each exercise, write your solution in the cell "
        "marked *Your solution* (replace each `...`), then run the check cell below it: "
        "it answers *Correct!* or says in one sentence what is still wrong. Run the "
        "cells from the top, since later cells use earlier results.")
    intro.metadata["tags"] = ["student-notebook-intro"]
    notebook = nbformat.v4.new_notebook(cells=[intro, *build.cells])
    notebook.metadata["kernelspec"] = dict(source.metadata.get(
        "kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"}))
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["qbi"] = {"student_notebook": True, "source": path.name}
    for number, cell in enumerate(notebook.cells):  # stable ids, same file every time
        cell["id"] = f"cell-{number}"
    nbformat.validate(notebook)
    return notebook


def write_all(root: pathlib.Path = ROOT, out: pathlib.Path | None = None, *,
              numbers: dict[str, dict[str, str]] | None = None, overwrite: bool = False,
              ) -> tuple[list[pathlib.Path], list[pathlib.Path]]:
    """Write the student notebook of every chapter of ``_toc.yml`` with
    exercises under ``out`` (default ``root / "student"``).

    A notebook that exists with other content (a student's work in it) is
    kept unless ``overwrite``. ``numbers`` maps a docname to its exercises'
    numbers, when a build knows them. Returns (written, kept) paths.
    """
    out = pathlib.Path(out) if out else root / STUDENT_DIR
    titles = label_titles(root)
    written, kept = [], []
    for docname, number in toc_chapters(root):
        source = root / f"{docname}.md"
        if not has_exercises(source):
            continue
        target = out / pathlib.Path(*student_path(docname).parts[1:])
        notebook = student_notebook(source, chapter=number, titles=titles,
                                    numbers=(numbers or {}).get(docname))
        text = nbformat.writes(notebook) + "\n"
        if target.exists() and not overwrite:
            if target.read_text(encoding="utf-8") != text:
                kept.append(target)
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help="folder for the notebooks (default: student/ in the repository)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace notebooks that were changed since they were written "
                             "(a student's work in them is lost)")
    args = parser.parse_args(argv)
    written, kept = write_all(ROOT, args.out, overwrite=args.overwrite)
    for path in written:
        print(f"wrote {path}")
    for path in kept:
        print(f"kept {path}: it differs from a fresh copy (your work?); move it away or "
              "pass --overwrite to replace it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
