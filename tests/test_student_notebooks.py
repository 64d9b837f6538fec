"""Student notebooks (booktools/student_notebooks.py): each chapter with
exercises, without its solutions, with its checks; and a student notebook
executed in a fresh kernel answers a wrong answer with a helpful sentence."""
from __future__ import annotations

import pathlib
import re

import jupytext
import nbformat
import pytest

from booktools import student_notebooks as sn
from common.exercises import STRICT_ENV

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = {ROOT / f"{doc}.md": number for doc, number in sn.toc_chapters(ROOT)}
WITH_EXERCISES = [p for p in CHAPTERS if sn.has_exercises(p)]
SHEET = ROOT / "chapters/lecture-01/11-exercises-working-with-images.md"


def solutions(path: pathlib.Path) -> list[dict]:
    """Each gated solution of a chapter: its code cells and its Markdown text."""
    found, current = [], None
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "code":
            if current is not None:
                current["code"].append(cell.source)
            continue
        for piece in sn.split_directives(cell.source):
            if isinstance(piece, sn.Directive) and piece.name == "solution-start":
                current = {"label": piece.arg, "code": [], "text": []}
                found.append(current)
            elif isinstance(piece, sn.Directive) and piece.name == "solution-end":
                current = None
            elif isinstance(piece, str) and current is not None and piece.strip():
                current["text"].append(piece.strip())
            elif isinstance(piece, sn.Directive) and piece.name == "solution":
                found.append({"label": piece.arg, "code": [], "text": [piece.body]})
    return found


def check_calls(path: pathlib.Path) -> list[str]:
    return [line for cell in jupytext.read(path).cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if re.search(r"\bcheck_\w+\(", line)]


@pytest.fixture(scope="module")
def notebooks():
    titles = sn.label_titles(ROOT)
    return {p: sn.student_notebook(p, chapter=CHAPTERS[p], titles=titles) for p in WITH_EXERCISES}


def test_the_sheet_is_among_the_chapters_with_exercises():
    assert SHEET in WITH_EXERCISES and CHAPTERS[SHEET] == 11


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_a_student_notebook_has_no_solution_and_keeps_exercises_and_checks(path, notebooks):
    notebook = notebooks[path]
    nbformat.validate(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    everything = code + "\n" + text
    code_lines = set(code.splitlines())
    found = solutions(path)
    assert found, f"{path.name}: no solutions found to remove"
    for solution in found:
        for block in solution["code"]:
            lines = [line for line in block.splitlines()
                     if line.strip() and not line.lstrip().startswith(("#", ":tags:", "---"))]
            # the solution's code, line by line, is gone (lines the chapter also
            # shows outside the solution, such as imports, may stay)
            outside = _outside_solutions(path)
            leaked = [line for line in lines if line in code_lines and line not in outside]
            assert not leaked, f"{solution['label']}: solution code in the notebook: {leaked}"
        for paragraph in solution["text"]:
            assert paragraph[:60] not in everything, f"{solution['label']}: solution text kept"
    for word in ("{solution", "solution-start", "solution-end", "{exercise}", ":label:"):
        assert word not in everything, f"{word!r} left in the student notebook"
    for call in check_calls(path):
        assert call in code, f"check call {call!r} missing"
    answers = [c for c in notebook.cells if "student-answer" in c.metadata.get("tags", [])]
    assert len(answers) == sum(1 for s in found if s["code"])
    assert all(c.get("outputs", []) == [] for c in notebook.cells if c.cell_type == "code")


def _outside_solutions(path: pathlib.Path) -> set[str]:
    """Code lines of the chapter outside any solution."""
    lines: set[str] = set()
    inside = False
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "markdown":
            for piece in sn.split_directives(cell.source):
                if isinstance(piece, sn.Directive) and piece.name == "solution-start":
                    inside = True
                elif isinstance(piece, sn.Directive) and piece.name == "solution-end":
                    inside = False
        elif not inside:
            lines.update(cell.source.splitlines())
    return lines


def test_the_sheets_student_notebook_reads_like_the_chapter(notebooks):
    notebook = notebooks[SHEET]
    text = "\n".join(c.source for c in notebook.cells)
    assert notebook.cells[0].source.startswith("*Student notebook of* **Exercises: working with "
                                               "images in Python**")
    assert "### Exercise 11.1: A frame of ones" in text
    assert "### Exercise 11.10: Ahead of its time" in text
    assert "> **Objectives**" in text and ":::" not in text
    assert "Chapter *Images* corrected" in text           # {ref}`ch-images`
    assert "[moore1965]" in text                           # {cite:p}`l1c11-moore1965`
    answer = next(c for c in notebook.cells if "student-answer" in c.metadata.get("tags", []))
    assert answer.source == ("# Your solution to Exercise 11.1.\n"
                             "# The check below needs: border\nborder = ...\n")
    sinc = [c for c in notebook.cells if "sinc_fig = ..." in c.source]
    assert len(sinc) == 1 and "sinc = ...\n" in sinc[0].source


def test_a_student_notebook_runs_and_its_checks_answer_helpfully(tmp_path, monkeypatch):
    """Execute the sheet's student notebook as a student would: a wrong answer,
    an untouched one, and the book's solutions for the rest."""
    from nbclient import NotebookClient

    monkeypatch.delenv(STRICT_ENV, raising=False)   # a student's kernel is not strict
    notebook = sn.student_notebook(SHEET, chapter=11)
    answers = [c for c in notebook.cells if "student-answer" in c.metadata.get("tags", [])]
    reference = [s for s in solutions(SHEET) if s["code"]]
    assert len(answers) == len(reference) == 10
    answers[0].source = "border = np.ones((8, 6))\nborder[1:-1, 1:-1] = 0\n"   # transposed
    # answers[1] keeps its placeholder: distance = ...
    answers[2].source = ("rng = np.random.default_rng(42)\nnoise = rng.normal(100, 25, (32, 32))\n"
                         "uniform = rng.uniform(0, 10, (32, 32))\ncounts = rng.poisson(3, (32, 32))\n")
    for cell, solution in zip(answers[3:], reference[3:]):
        cell.source = "\n\n".join(solution["code"])
    folder = tmp_path / "student" / "lecture-01"
    folder.mkdir(parents=True)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()

    results = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and re.search(r"^check_\w+\(", cell.source, re.M):
            shown = [o["data"]["text/plain"] for o in cell.outputs if o.get("output_type") == "execute_result"]
            assert len(shown) == 1, f"check cell without a result: {cell.source}"
            results.append(" ".join(shown[0].split()))
    assert len(results) == 10
    assert results[0].startswith("Not yet: `border` has shape (8, 6), the transpose of (6, 8)")
    assert results[1] == ("Not yet: `distance` is still the placeholder `...`: replace it with "
                          "your answer and run the cell again.")
    assert results[2].startswith("Not yet: `noise` has a standard deviation of")
    assert "not the variance" in results[2]
    assert all(r.startswith("Correct!") for r in results[3:]), results[3:]
    assert not list(folder.iterdir()) or all(p.suffix != ".png" for p in folder.iterdir())


def test_an_untouched_student_notebook_runs_to_the_end(tmp_path, monkeypatch):
    """Every answer left at `...`: no cell raises, every check names its placeholder."""
    from nbclient import NotebookClient

    monkeypatch.delenv(STRICT_ENV, raising=False)
    notebook = sn.student_notebook(SHEET, chapter=11)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [" ".join(o["data"]["text/plain"].split()) for c in notebook.cells if c.cell_type == "code"
             and re.search(r"^check_\w+\(", c.source, re.M) for o in c.outputs
             if o.get("output_type") == "execute_result"]
    assert len(shown) == 10
    assert all("is still the placeholder `...`" in s for s in shown), shown


# ---------------------------------------------------------------- the parser
FRONT = """---
jupytext:
  text_representation: {extension: .md, format_name: myst, format_version: 0.13}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""


def write_chapter(tmp_path, body: str) -> pathlib.Path:
    path = tmp_path / "01-demo.md"
    path.write_text(FRONT + body, encoding="utf-8")
    return path


def test_split_directives_reads_both_fences_options_and_nesting():
    text = ("before\n:::{exercise} Title with `code`\n:label: ex-a\n:class: rubric\n\n"
            "body\n```python\nx = 1\n```\n:::\nbetween\n````{solution} ex-a\n"
            ":class: dropdown\n```{note}\ninner\n```\n````\nafter")
    pieces = sn.split_directives(text)
    assert [p if isinstance(p, str) else p.name for p in pieces] == [
        "before", "exercise", "between", "solution", "after"]
    exercise, solution = pieces[1], pieces[3]
    assert exercise.arg == "Title with `code`"
    assert exercise.options == {"label": "ex-a", "class": "rubric"}
    assert exercise.body == "body\n```python\nx = 1\n```"
    assert solution.arg == "ex-a" and solution.body == "```{note}\ninner\n```"


def test_plain_markdown_resolves_roles_targets_and_comments():
    text = ("(sec-x)=\n## Section\n% a comment\nSee {ref}`ch-images`, {ref}`that part <sec-y>`, "
            "{numref}`fig-z`, {cite:p}`l1c07-moore1965,l1c07-rocklin2015` and {math}`x^2`.")
    out = sn.plain_markdown(text, {"ch-images": "Images"})
    assert out == ("## Section\nSee *Images*, that part, fig-z, [moore1965, rocklin2015] "
                   "and $x^2$.")


def test_text_solutions_rubrics_nonumber_and_code_between_are_handled(tmp_path):
    path = write_chapter(tmp_path, """
(ch-demo)=
# Demo

```{code-cell} ipython3
x = 2
```

## Exercises

:::{exercise} Explain
:label: ex-l1c01-explain
:class: rubric

Why?
:::

:::{solution} ex-l1c01-explain
:class: dropdown

Because the secret reason.
:::

:::{exercise} Compute
:label: ex-l1c01-compute

Double x into `y`.
:::

Some text before the solution.

:::{solution-start} ex-l1c01-compute
:class: dropdown
:::

The hidden explanation.

```{code-cell} ipython3
y = 2 * x
```

```{code-cell} ipython3
:tags: [remove-cell]
assert y == 4
```

:::{solution-end}
:::

Text after the solution.

```{code-cell} ipython3
check_compute(y, x)
```

:::{exercise} Unnumbered
:nonumber:

No number here.
:::
""")
    notebook = sn.student_notebook(path, chapter=3, titles={})
    sources = [(c.cell_type, c.source) for c in notebook.cells[1:]]
    joined = "\n".join(s for _, s in sources)
    assert "secret reason" not in joined and "hidden explanation" not in joined
    assert "y = 2 * x" not in joined and "assert y == 4" not in joined
    assert "### Exercise 3.1: Explain\n\nWhy?" in joined
    assert "*Your answer to Exercise 3.1:* (double-click here to write it)" in joined
    assert "### Exercise 3.2: Compute" in joined and "Some text before the solution." in joined
    assert ("code", "# Your solution to Exercise 3.2.\n# The check below needs: y, x\n"
                    "y = ...\nx = ...\n") in sources
    assert "Text after the solution." in joined and ("code", "check_compute(y, x)") in sources
    assert "### Exercise: Unnumbered" in joined
    # the build's own numbers win over the ones derived from _toc.yml
    numbered = sn.student_notebook(path, chapter=3, titles={},
                                   numbers={"ex-l1c01-compute": "7.9"})
    assert "### Exercise 7.9: Compute" in "\n".join(c.source for c in numbered.cells)


def test_a_chapter_without_exercises_is_refused_and_an_open_solution_found(tmp_path):
    with pytest.raises(sn.NotAnExerciseChapter):
        sn.student_notebook(write_chapter(tmp_path, "# Nothing\n"), titles={})
    broken = write_chapter(tmp_path, ":::{exercise} A\n:label: ex-a\n:::\n\n"
                                     ":::{solution-start} ex-a\n:::\n\ntext\n")
    with pytest.raises(ValueError, match="a solution-start has no solution-end"):
        sn.student_notebook(broken, titles={})


def test_student_paths_and_the_toc_numbering():
    assert str(sn.student_path("chapters/lecture-01/11-x")) == "student/lecture-01/11-x.ipynb"
    numbers = dict(sn.toc_chapters(ROOT))
    assert numbers["chapters/lecture-01/01-todays-lecture"] == 1
    assert numbers["chapters/lecture-01/11-exercises-working-with-images"] == 11


def test_write_all_keeps_a_students_work_and_rewrites_its_own_files(tmp_path, capsys):
    written, kept = sn.write_all(ROOT, tmp_path)
    target = tmp_path / "lecture-01" / SHEET.with_suffix(".ipynb").name
    assert target in written and not kept
    again, kept = sn.write_all(ROOT, tmp_path)        # unchanged: rewritten, same bytes
    assert target in again and not kept
    work = target.read_text().replace("border = ...", "border = np.ones((6, 8))")
    target.write_text(work)
    written, kept = sn.write_all(ROOT, tmp_path)
    assert target in kept and target not in written and target.read_text() == work
    assert sn.main(["--out", str(tmp_path)]) == 0
    assert "kept" in capsys.readouterr().err and target.read_text() == work
    sn.write_all(ROOT, tmp_path, overwrite=True)
    assert "border = ..." in target.read_text() and "np.ones((6, 8))" not in target.read_text()


def test_the_build_and_the_checkers_name_the_same_strict_variable():
    from booktools import exercises

    assert exercises.STRICT_ENV == STRICT_ENV


class _FakeApp:
    """What booktools.exercises' build-finished handler uses of a Sphinx app."""

    def __init__(self, root: pathlib.Path, numbers: dict):
        import types

        self.srcdir, self.outdir, self.doctreedir = root, root / "out", root / "doctrees"
        self.builder = types.SimpleNamespace(format="html")
        self.env = types.SimpleNamespace(
            found_docs={"chapters/lecture-01/03-demo"},
            doc2path=lambda docname: root / f"{docname}.md",
            toc_fignumbers={"chapters/lecture-01/03-demo": {"exercise": numbers}})


def test_a_rebuild_rewrites_only_student_notebooks_whose_inputs_changed(tmp_path, monkeypatch):
    from booktools import exercises

    chapter = tmp_path / "chapters" / "lecture-01" / "03-demo.md"
    chapter.parent.mkdir(parents=True)
    chapter.write_text(FRONT + "# Demo\n\n:::{exercise} Compute\n:label: ex-demo\n\nDo it.\n:::\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: chapters/index\nparts:\n- numbered: true\n  chapters:\n"
        "  - file: chapters/lecture-01/03-demo\n")
    made = []
    original = sn.student_notebook
    monkeypatch.setattr(sn, "student_notebook", lambda *a, **k: made.append(a) or original(*a, **k))
    target = tmp_path / "out" / "student" / "lecture-01" / "03-demo.ipynb"

    exercises._on_build_finished(_FakeApp(tmp_path, {"ex-demo": (1, 1)}), None)
    assert target.is_file() and len(made) == 2        # the book's numbers, and _toc.yml's
    exercises._on_build_finished(_FakeApp(tmp_path, {"ex-demo": (1, 1)}), None)
    assert len(made) == 2                              # nothing changed: not made again
    target.unlink()
    exercises._on_build_finished(_FakeApp(tmp_path, {"ex-demo": (1, 1)}), None)
    assert target.is_file() and len(made) == 4        # its file was gone
    chapter.write_text(chapter.read_text().replace("Do it.", "Do it now."))
    exercises._on_build_finished(_FakeApp(tmp_path, {"ex-demo": (1, 1)}), None)
    assert len(made) == 6 and "Do it now." in target.read_text()
    # Numbers that disagree with _toc.yml's warn on every build, not once.
    warnings = []
    monkeypatch.setattr(exercises.logger, "warning", lambda *a, **k: warnings.append(a))
    for _ in range(2):
        exercises._on_build_finished(_FakeApp(tmp_path, {"ex-demo": (1, 2)}), None)
    assert len(warnings) == 2 and len(made) == 10
