"""The exercise convention of README.md ("Writing a chapter"), checked in
every chapter that has exercises, so that a new exercise cannot miss its
solution, its checker or the checker's unit test.

An exercise ``ex-l<L>c<NN>-<name>`` of chapter NN of lecture L:

* is followed by exactly one solution, labelled ``sol-l<L>c<NN>-<name>``,
  before the next exercise; a solution with code is gated
  (``solution-start``/``solution-end`` around the code cells) and every
  solution is a dropdown (``:class: dropdown``), hidden until opened;
* is checked by ``common.exercises.l<L>c<NN>.check_<name>`` (dashes become
  underscores), called in a code cell after the solution, unless the
  exercise is marked ``:class: rubric`` (judged by a written rubric in its
  solution instead);
* sits under a heading "Exercises" at the end of the chapter, unless the
  whole chapter is an exercise sheet (its title starts with "Exercises").

Every checker of a module is used by its chapter and named in
``tests/test_exercises_l<L>c<NN>.py``, which tests it.
"""
from __future__ import annotations

import importlib
import inspect
import pathlib
import re
from dataclasses import dataclass, field

import jupytext
import pytest

from booktools.student_notebooks import Directive, has_exercises, split_directives, toc_chapters

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = [ROOT / f"{doc}.md" for doc, _ in toc_chapters(ROOT)]
WITH_EXERCISES = [p for p in CHAPTERS if has_exercises(p)]


def prefix_of(path: pathlib.Path) -> str:
    """``l1c11`` for chapters/lecture-01/11-....md."""
    lecture = int(path.parent.name.removeprefix("lecture-"))
    return f"l{lecture}c{path.name[:2]}"


@dataclass
class Item:
    kind: str                   # exercise, solution, code, heading
    directive: Directive | None = None
    source: str = ""
    in_solution: bool = False
    gated_code: list[str] = field(default_factory=list)


def items(path: pathlib.Path) -> list[Item]:
    """The chapter as a flat list: headings, exercises, solutions, code cells."""
    out: list[Item] = []
    gated: Item | None = None
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "code":
            if gated is not None:
                gated.gated_code.append(cell.source)
            else:
                out.append(Item("code", source=cell.source))
            continue
        for piece in split_directives(cell.source):
            if isinstance(piece, str):
                if gated is None:
                    out += [Item("heading", source=h) for h in re.findall(r"^#{1,6} .+$", piece, re.M)]
                continue
            if piece.name in ("exercise", "exercise-start"):
                out.append(Item("exercise", piece))
            elif piece.name == "solution":
                out.append(Item("solution", piece))
            elif piece.name == "solution-start":
                gated = Item("solution", piece)
                out.append(gated)
            elif piece.name == "solution-end":
                gated = None
    return out


def exercises_of(path):
    listed = items(path)
    for i, item in enumerate(listed):
        if item.kind == "exercise":
            following = []
            for later in listed[i + 1:]:
                if later.kind == "exercise":
                    break
                following.append(later)
            yield item, following


def test_the_exercise_sheet_is_in_the_book():
    assert any(p.name == "11-exercises-working-with-images.md" for p in WITH_EXERCISES)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_exercise_has_a_label_a_hidden_solution_and_a_checker(path):
    prefix = prefix_of(path)
    module = importlib.import_module(f"common.exercises.{prefix}")
    problems = []
    for exercise, following in exercises_of(path):
        label = exercise.directive.options.get("label", "")
        where = f"{path.name}: exercise {exercise.directive.arg!r}"
        match = re.fullmatch(rf"ex-{prefix}-([a-z0-9]+(?:-[a-z0-9]+)*)", label)
        if not match:
            problems.append(f"{where}: label {label!r} must be ex-{prefix}-<name>")
            continue
        name = match[1]
        solutions = [f for f in following if f.kind == "solution"]
        if len(solutions) != 1:
            problems.append(f"{where}: {len(solutions)} solutions follow it; it needs one")
            continue
        solution = solutions[0].directive
        if solution.arg != label:
            problems.append(f"{where}: its solution answers {solution.arg!r}")
        if solution.options.get("label") != f"sol-{prefix}-{name}":
            problems.append(f"{where}: its solution needs ':label: sol-{prefix}-{name}'")
        if "dropdown" not in solution.options.get("class", "").split():
            problems.append(f"{where}: its solution needs ':class: dropdown' (hidden until opened)")
        if solution.name == "solution" and "```{code-cell}" in solution.body:
            problems.append(f"{where}: a solution with code cells must be gated "
                            "(solution-start / solution-end)")
        if solution.name == "solution-start" and not solutions[0].gated_code:
            problems.append(f"{where}: the gated solution holds no code cell")
        if "rubric" in exercise.directive.options.get("class", "").split():
            continue
        checker_name = "check_" + name.replace("-", "_")
        checker = getattr(module, checker_name, None)
        if checker is None or not getattr(checker, "is_checker", False):
            problems.append(f"{where}: common.exercises.{prefix} has no checker {checker_name}")
            continue
        if checker.exercise != name:
            problems.append(f"{where}: {checker_name} is registered as {checker.exercise!r}")
        after = following[following.index(solutions[0]) + 1:]
        calls = [c for c in after if c.kind == "code" and re.search(rf"\b{checker_name}\(", c.source)]
        if not calls:
            problems.append(f"{where}: no code cell after its solution calls {checker_name}(...)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_exercises_sit_under_an_exercises_heading_unless_the_chapter_is_a_sheet(path):
    listed = items(path)
    title = next(i.source for i in listed if i.kind == "heading" and i.source.startswith("# "))
    if title.startswith("# Exercises"):
        return
    first = next(n for n, i in enumerate(listed) if i.kind == "exercise")
    headings = [i.source for i in listed[:first] if i.kind == "heading"]
    assert headings and re.match(r"^#{2,3} Exercises\b", headings[-1]), (
        f"{path.name}: the first exercise is under {headings[-1]!r}, not under 'Exercises'")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_checker_is_used_by_its_chapter_and_unit_tested(path):
    prefix = prefix_of(path)
    module = importlib.import_module(f"common.exercises.{prefix}")
    checkers = [n for n, f in inspect.getmembers(module, callable)
                if n.startswith("check_") and getattr(f, "is_checker", False)]
    assert checkers, f"common.exercises.{prefix} defines no checker"
    text = path.read_text(encoding="utf-8")
    tests = ROOT / "tests" / f"test_exercises_{prefix}.py"
    assert tests.exists(), f"{tests.name} is missing: every checker needs a unit test"
    test_text = tests.read_text(encoding="utf-8")
    unused = [n for n in checkers if f"{n}(" not in text]
    untested = [n for n in checkers if f"{n}(" not in test_text]
    assert not unused, f"{path.name} never calls {unused}"
    assert not untested, f"{tests.name} never calls {untested}"


def test_every_exercise_module_belongs_to_a_chapter_with_exercises():
    modules = sorted(p.stem for p in (ROOT / "common" / "exercises").glob("l*c*.py"))
    chapters = {prefix_of(p) for p in WITH_EXERCISES}
    assert set(modules) <= chapters, f"modules without exercises: {set(modules) - chapters}"
