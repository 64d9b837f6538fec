"""Sphinx extension: the book's exercises, in the HTML book and in the PDF.

Exercises and solutions are written with sphinx-exercise's directives
(``exercise``; ``solution``, or ``solution-start``/``solution-end`` around
code cells), see README.md, "Writing a chapter". This extension adds what the
book needs on top:

**Strict checks while building.** It sets ``QBI_EXERCISES_STRICT=1`` before
the chapters are executed, so a checker of :mod:`common.exercises` that
rejects a reference solution raises, and the build fails at that cell.

**PDF: solutions away from the questions.** For LaTeX, every solution of a
chapter is taken out of its place after the exercise and gathered in a
numbered section "Solutions" at the end of the chapter, each under its title
"Solution to Exercise 11.3 (...)". Each exercise ends with the page of its
solution, and a note before a chapter's first exercise says where the
solutions are.

**HTML: the student notebook.** At the end of an HTML build, each chapter
with exercises gets its student notebook (``booktools/student_notebooks.py``:
the chapter without solutions, checker calls kept) at
``student/<lecture>/<chapter>.ipynb`` in the output. The page offers it in a
note before its first exercise, in the download menu (".ipynb (exercises)")
and in the launch menu (Binder opens the copy that Binder's ``postBuild``
writes into the repository's ``student/`` folder). The exercise numbers of
the notebook are those of the build; the build fails when they differ from
the numbers ``python -m booktools.student_notebooks`` derives from
``_toc.yml`` (Binder's copy), so the two never disagree.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import posixpath
import re

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from . import student_notebooks

#: The environment variable of strict mode, as ``common.exercises._check``
#: names it (tests/test_student_notebooks.py checks that both agree).
#: Importing it from there would import pandas into every build, about a
#: second of a rebuild that has nothing else to do.
STRICT_ENV = "QBI_EXERCISES_STRICT"
#: Digests of the inputs of each student notebook written, next to Sphinx's
#: doctrees: a rebuild rewrites only those whose inputs changed.
STUDENT_DIGESTS = "qbi-student-notebooks.json"

logger = logging.getLogger(__name__)


def _solution_node_types():
    from sphinx_exercise.nodes import solution_node

    return solution_node


def _exercise_node_types():
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

    return (exercise_enumerable_node, exercise_node)


def _own(node, root) -> bool:
    """True if ``node`` belongs to ``root``'s document, not a nested one."""
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, addnodes.start_of_file):
            return False
        parent = parent.parent
    return True


def _latex_label(text: str) -> str:
    return "qbi-" + re.sub(r"[^A-Za-z0-9-]", "-", text)


def _raw_latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------
def _gather_solutions(chapter_root, docname: str) -> None:
    """Move the solutions of one chapter into a "Solutions" section at its end."""
    solution_node = _solution_node_types()
    exercise_types = _exercise_node_types()
    solutions = [n for n in chapter_root.findall(solution_node) if _own(n, chapter_root)]
    if not solutions:
        return
    chapter = next((n for n in chapter_root.children if isinstance(n, nodes.section)), None)
    if chapter is None:
        return
    section_label = _latex_label(f"solutions-{docname}")
    section = nodes.section(ids=[section_label], classes=["qbi-solutions"])
    section += nodes.title("", "Solutions")
    section += _raw_latex(r"\label{" + section_label + "}\n")
    section += nodes.paragraph("", "The solutions to the exercises of this chapter, in the "
                                   "order of the exercises.")
    for solution in solutions:
        target = solution.get("target_label", "")
        anchor = _latex_label(f"sol-{target}")
        solution.parent.remove(solution)
        section += _raw_latex(r"\phantomsection\label{" + anchor + "}\n")
        section += solution
    chapter += section

    exercises = [n for n in chapter_root.findall(lambda n: isinstance(n, exercise_types))
                 if _own(n, chapter_root)]
    answered = {s.get("target_label") for s in solutions}
    for exercise in exercises:
        label = exercise.get("label", "")
        if label in answered:
            anchor = _latex_label(f"sol-{label}")
            exercise += _raw_latex(
                r"\par\smallskip\noindent{\small\textit{Solution: page~\pageref{" + anchor
                + r"}.}}" + "\n")
    if exercises:
        first = exercises[0]
        note = _raw_latex(
            r"\par\noindent{\small\textit{The solutions to these exercises are gathered in "
            r"Section~\ref{" + section_label + r"} at the end of the chapter (page~\pageref{"
            + section_label + r"}); the web version of the book offers this chapter as a "
            r"notebook without solutions, with a check under every exercise.}}\par\medskip"
            + "\n")
        first.parent.insert(first.parent.index(first), note)


def _on_doctree_resolved(app, doctree, docname):
    if app.builder.format == "latex":
        files = list(doctree.findall(addnodes.start_of_file))
        for start in files:
            _gather_solutions(start, start["docname"])
        if not files:
            _gather_solutions(doctree, docname)
    elif app.builder.format == "html":
        _add_notebook_note(app, doctree, docname)


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------
def _source(app, docname) -> pathlib.Path:
    return pathlib.Path(app.env.doc2path(docname))


def _notebook_uri(app, docname) -> str:
    """The student notebook's address relative to the page of ``docname``."""
    page_dir = posixpath.dirname(app.builder.get_target_uri(docname))
    return posixpath.relpath(str(student_notebooks.student_path(docname)), page_dir or ".")


def _add_notebook_note(app, doctree, docname):
    if not student_notebooks.has_exercises(_source(app, docname)):
        return
    exercises = list(doctree.findall(lambda n: isinstance(n, _exercise_node_types())))
    if not exercises:
        return
    uri = _notebook_uri(app, docname)
    note = nodes.admonition(classes=["tip", "qbi-student-notebook"])
    note += nodes.title("", "Work on the exercises in a notebook")
    para = nodes.paragraph()
    para += nodes.Text("The ")
    para += nodes.reference("", "student notebook", refuri=uri, internal=False,
                            classes=["qbi-student-notebook-link"])
    para += nodes.Text(" is this chapter without the solutions, with an empty cell for your "
                       "answer and a check under every exercise: download it and open it in "
                       "Jupyter, or open it on Binder from the rocket menu above. A check "
                       "prints Correct! or one sentence about what is still wrong.")
    note += para
    first = exercises[0]
    first.parent.insert(first.parent.index(first), note)


def _on_html_page_context(app, pagename, templatename, context, doctree):
    if doctree is None or pagename not in app.env.found_docs:
        return
    if not student_notebooks.has_exercises(_source(app, pagename)):
        return
    uri = _notebook_uri(app, pagename)
    student = str(student_notebooks.student_path(pagename))
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(1, {
                "type": "link",
                "url": uri,
                "text": ".ipynb (exercises)",
                "tooltip": "Download the student notebook: this chapter without solutions, "
                           "with a check under every exercise",
                "icon": "fas fa-pencil-alt",
                "label": "download-student-notebook-button",
            })
        elif group.get("label") == "launch-buttons":
            binder = next((b for b in group["buttons"]
                           if b.get("text") == "Binder" and "?urlpath=" in b.get("url", "")),
                          None)
            if binder:
                base, urlpath = binder["url"].split("?urlpath=", 1)
                interface = urlpath.split("/", 1)[0]
                if interface == "lab":
                    interface = "lab/tree"
                group["buttons"].append({
                    "type": "link",
                    "text": "Binder (exercises)",
                    "tooltip": "Open the student notebook (no solutions) on Binder",
                    "icon": binder.get("icon", ""),
                    "url": f"{base}?urlpath={interface}/{student}",
                    "label": "launch-student-notebook-button",
                })


def _exercise_numbers(app, docname) -> dict[str, str]:
    numbers = app.env.toc_fignumbers.get(docname, {}).get("exercise", {})
    return {label: ".".join(map(str, number)) for label, number in numbers.items()}


def _student_digest(source: pathlib.Path, chapter, titles, numbers) -> str:
    """SHA-256 of everything a chapter's student notebook is made from."""
    h = hashlib.sha256()
    for part in (source.read_bytes(), pathlib.Path(student_notebooks.__file__).read_bytes(),
                 json.dumps([chapter, sorted(titles.items()), sorted(numbers.items())]).encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    root = pathlib.Path(app.srcdir)
    toc = dict(student_notebooks.toc_chapters(root))
    titles = student_notebooks.label_titles(root)
    record = pathlib.Path(app.doctreedir, STUDENT_DIGESTS)
    try:
        written = json.loads(record.read_text())
    except (OSError, ValueError):
        written = {}
    digests = {}
    for docname in sorted(app.env.found_docs):
        source = _source(app, docname)
        if not student_notebooks.has_exercises(source):
            continue
        numbers = _exercise_numbers(app, docname)
        target = pathlib.Path(app.outdir, student_notebooks.student_path(docname))
        digest = _student_digest(source, toc.get(docname), titles, numbers)
        if written.get(docname) == digest and target.is_file():
            # Made from the same inputs by an earlier build, which checked
            # them (a digest is kept only when the numbers agreed).
            digests[docname] = digest
            continue
        notebook = student_notebooks.student_notebook(source, chapter=toc.get(docname),
                                                      titles=titles, numbers=numbers)
        # Binder's copy is made without Sphinx, from _toc.yml alone: same numbers?
        plain = student_notebooks.student_notebook(source, chapter=toc.get(docname),
                                                   titles=titles)
        if [c.source for c in plain.cells] != [c.source for c in notebook.cells]:
            logger.warning(f"{docname}: the exercise numbers of the build {sorted(numbers.values())} "
                           "differ from those booktools.student_notebooks derives from _toc.yml; "
                           "the student notebook on Binder would not match the book",
                           type="qbi", subtype="exercises")
        else:
            digests[docname] = digest
        target.parent.mkdir(parents=True, exist_ok=True)
        import nbformat

        nbformat.write(notebook, target)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


def setup(app):
    app.setup_extension("sphinx_exercise")
    # Rejected reference solutions fail the build (the kernels that execute
    # the chapters inherit this process's environment).
    os.environ.setdefault(STRICT_ENV, "1")
    # Chapter 9's study starts from an empty results folder in every build.
    from booktools.study_folder import use_a_temporary_study_folder

    use_a_temporary_study_folder()
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("html-page-context", _on_html_page_context, priority=600)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
