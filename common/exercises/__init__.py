"""Checkers for the book's exercises: call one on your answer, read one sentence.

Each chapter with exercises has a module here, named like its citation
prefix: ``common.exercises.l1c11`` for lecture 1, chapter 11. It holds one
checker per exercise, ``check_<name>`` for the exercise labelled
``ex-l1c11-<name>`` (dashes become underscores), which a student calls on
their answer::

    from common.exercises.l1c11 import check_border
    check_border(border)      # -> Correct! ...  or  Not yet: <what is wrong>

A checker returns a :class:`Feedback` that prints as ``Correct! ...`` or
``Not yet: ...`` followed by one sentence about what is wrong (the shape is
transposed, the value is 1000 times too large, ...), never just False. It is
truthy when the answer is right.

The shared machinery (the :func:`checker` decorator, :class:`Wrong`, the
``expect_*`` helpers that diagnose typical mistakes) is in
:mod:`common.exercises._check`; README.md, "Writing a chapter", explains how
to write an exercise, its solution and its checker.
"""
from ._check import (  # noqa: F401
    STRICT_ENV,
    ExerciseNotSolved,
    Feedback,
    Wrong,
    checker,
    strict,
)

__all__ = ["Feedback", "Wrong", "ExerciseNotSolved", "checker", "strict", "STRICT_ENV"]
