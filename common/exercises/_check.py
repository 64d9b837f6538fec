"""The shared core of the exercise checkers: feedback, and helpers that diagnose.

A checker is a function a student calls on an answer. It is written as a
plain function that either returns (the answer is right; an optional string
adds a word of praise) or raises :class:`Wrong` with **one helpful
sentence**, and is wrapped with :func:`checker`, which turns that into a
:class:`Feedback`:

>>> @checker("border")
... def check_border(border):
...     expect_array(border, reference, name="border", dtype="float")
...     return "a frame of ones around zeros."
>>> check_border(np.zeros((8, 6)))
Not yet: `border` has shape (8, 6), the transpose of (6, 8): NumPy gives rows first, shape = (rows, columns).

The ``expect_*`` helpers do the comparing and know the typical mistakes:
a number off by a factor 1000 (units), 100 (percent), 2, -1 (sign) or a
factor the exercise names; an array with the wrong shape (transposed, one
row short), dtype (integers for floats), NaN values, flipped, scaled or
shifted values; a table with missing or misspelt columns; a figure passed
as what ``plt.plot`` returned. A checker adds the mistakes of its own
exercise with ``mistakes={sentence: wrong_answer}``: when the student's answer
matches one of them, they get that sentence.

**Strict mode.** When the environment variable ``QBI_EXERCISES_STRICT`` is
``1`` (the book's build and its tests set it, see ``booktools/exercises.py``
and ``booktools/pytest_exercises.py``), a rejected answer raises
:class:`ExerciseNotSolved` instead of returning the feedback, so a reference
solution that its checker rejects fails the build and ``make test``. A
student's notebook is not strict: it prints the sentence and goes on.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import os
import pathlib
import re
import textwrap
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

#: Environment variable that makes a rejected answer raise (build and tests).
STRICT_ENV = "QBI_EXERCISES_STRICT"
#: Feedback is printed in lines of at most this many characters.
WIDTH = 78


class Wrong(Exception):
    """Raised inside a checker: the answer is not right; the message says why,
    in one sentence."""


class ExerciseNotSolved(AssertionError):
    """Raised in strict mode when a checker rejects an answer."""


def strict() -> bool:
    """True when rejected answers raise (``QBI_EXERCISES_STRICT=1``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


@dataclasses.dataclass(frozen=True)
class Feedback:
    """What a checker returns: ``correct`` and one sentence, shown as text.

    It is truthy when the answer is correct, so ``assert check_x(answer)``
    works in a test, and it prints as ``Correct! ...`` or ``Not yet: ...``.
    """

    exercise: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        text = f"Correct! {self.message}".rstrip() if self.correct else f"Not yet: {self.message}"
        # lines short enough for a notebook's output and the PDF's page
        return textwrap.fill(text, width=WIDTH, break_long_words=False, break_on_hyphens=False)

    __repr__ = __str__


def checker(exercise: str) -> Callable[[Callable], Callable]:
    """Decorator: make ``func`` (which returns or raises :class:`Wrong`) a checker.

    The wrapped function returns a :class:`Feedback`. Before ``func`` runs,
    every argument is checked for the placeholder ``...`` that a student
    notebook puts where the answer goes. An unexpected error while checking
    becomes a feedback sentence too (a student's odd answer must not crash
    the check). In strict mode a rejected answer raises
    :class:`ExerciseNotSolved`.
    """

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func)
        names = list(signature.parameters)

        @functools.wraps(func)
        def run(*args, **kwargs) -> Feedback:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                given = len(args) + len(kwargs)
                wanted = ", ".join(names)
                feedback = Feedback(exercise, False,
                                    f"{func.__name__} takes {len(names)} answer(s), "
                                    f"({wanted}), but was given {given}.")
            else:
                feedback = _evaluate(func, exercise, bound)
            if not feedback.correct and strict():
                raise ExerciseNotSolved(f"exercise {exercise!r}: {feedback.message}")
            return feedback

        run.exercise = exercise  # type: ignore[attr-defined]
        run.is_checker = True  # type: ignore[attr-defined]
        return run

    return decorate


def _evaluate(func, exercise, bound) -> Feedback:
    for name, value in bound.arguments.items():
        if value is Ellipsis:
            return Feedback(exercise, False,
                            f"`{name}` is still the placeholder `...`: replace it "
                            "with your answer and run the cell again.")
    try:
        praise = func(*bound.args, **bound.kwargs)
    except Wrong as wrong:
        return Feedback(exercise, False, str(wrong))
    except Exception as error:  # an answer the checker did not foresee
        answers = ", ".join(f"`{n}`" for n in bound.arguments)
        return Feedback(exercise, False,
                        f"the check could not handle your answer ({type(error).__name__}: "
                        f"{error}); make sure {answers} is what the exercise asks for.")
    return Feedback(exercise, True, praise or "")


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------
def fmt(value: float, digits: int = 4) -> str:
    """A number as a reader writes it: 22.17, 0.0012, 1.5e+07, 0."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _factor(ratio: float) -> str:
    """A factor as a reader writes it: 1000, 12, 3.32, 1.44."""
    return f"{ratio:.0f}" if 10 <= ratio < 1e7 else f"{ratio:.3g}"


def _times(ratio: float) -> str:
    """'1000 times too large', '1000 times too small'."""
    if ratio >= 1:
        return f"{_factor(ratio)} times too large"
    return f"{_factor(1 / ratio)} times too small"


def _index(idx: tuple) -> str:
    return "(" + ", ".join(str(int(i)) for i in idx) + ")" if len(idx) != 1 else str(int(idx[0]))


# --------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------
#: Factors that point to a typical mistake, with the sentence's ending.
_FACTOR_HINTS = {
    1e3: "check the units (milli, kilo: a factor 1000)",
    1e-3: "check the units (milli, kilo: a factor 1000)",
    1e6: "check the units (micro, mega: a factor of a million)",
    1e-6: "check the units (micro, mega: a factor of a million)",
    1e9: "check the units (nano, giga: a factor of a billion)",
    1e-9: "check the units (nano, giga: a factor of a billion)",
    100.0: "a percentage instead of a fraction?",
    0.01: "a fraction instead of a percentage?",
    2.0: "a factor 2 is missing somewhere (a radius for a diameter, or 2 s^2 for s^2?)",
    0.5: "a factor 2 too much somewhere (a diameter for a radius?)",
    10.0: "a factor 10: check the decimal point or the units",
    0.1: "a factor 10: check the decimal point or the units",
}


def as_number(value: Any, name: str) -> float:
    """``value`` as a float, or :class:`Wrong` saying what it is instead."""
    if value is None:
        raise Wrong(f"`{name}` is None: did a function forget to `return` its result, "
                    "or did you assign the result of print()?")
    if isinstance(value, (bool, np.bool_)):
        raise Wrong(f"`{name}` is {value}, a truth value; the exercise asks for a number.")
    if isinstance(value, str):
        raise Wrong(f"`{name}` is the text {value!r}; the exercise asks for a number "
                    "(write it without quotes).")
    if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
        if array.size != 1:
            raise Wrong(f"`{name}` holds {array.size} values (shape {array.shape}); "
                        "the exercise asks for one number.")
        value = array.reshape(-1)[0]
    if isinstance(value, (complex, np.complexfloating)):
        raise Wrong(f"`{name}` is the complex number {value}; the exercise asks for a real number.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"`{name}` is a {type(value).__name__}; the exercise asks for a number.") from None
    if math.isnan(number):
        raise Wrong(f"`{name}` is NaN (not a number): a 0/0 or a NaN in the data?")
    if math.isinf(number):
        raise Wrong(f"`{name}` is infinite: a division by zero?")
    return number


def _close(a, b, rtol: float, atol: float) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=atol))


def diagnose_factor(ratio: float, hints: Mapping[float, str] | None = None,
                    rtol: float = 0.02) -> str | None:
    """The sentence for a value that is ``ratio`` times the right one, if the
    ratio is a known factor (``hints`` first, then the usual ones), else None."""
    if not math.isfinite(ratio) or ratio == 0:
        return None
    for factor, sentence in {**(hints or {}), **_FACTOR_HINTS}.items():
        if abs(ratio / factor - 1) <= rtol:
            return sentence
    return None


def expect_number(value: Any, expected: float, *, name: str, rtol: float = 1e-3,
                  atol: float = 0.0, unit: str = "",
                  hints: Mapping[float, str] | None = None,
                  mistakes: Mapping[str, float] | None = None) -> float:
    """Check a number against ``expected`` (tolerance ``rtol``/``atol``).

    ``hints`` maps a factor (answer / right answer) to the end of a sentence
    (``{12: "years instead of months?"}``); ``mistakes`` maps a sentence to a
    typical wrong value. Returns the number. On a miss the sentence says how
    far off it is (wrong sign, a known factor, or how many percent), without
    giving the right value away.
    """
    number = as_number(value, name)
    if _close(number, expected, rtol, atol):
        return number
    shown = f"`{name}` = {fmt(number)}" + (f" {unit}" if unit else "")
    for sentence, wrong in (mistakes or {}).items():
        if _close(number, wrong, max(rtol, 1e-9), atol):
            raise Wrong(f"{shown}: {sentence}")
    if expected != 0 and _close(number, -expected, rtol, atol):
        raise Wrong(f"{shown} has the wrong sign.")
    if expected != 0 and number != 0:
        ratio = number / expected
        sentence = diagnose_factor(ratio, hints)
        if sentence:
            raise Wrong(f"{shown} is {_times(ratio)}: {sentence}")
        if ratio < 0:
            raise Wrong(f"{shown} has the wrong sign, and its size is off too.")
        off = (ratio - 1) * 100
        direction = "too large" if off > 0 else "too small"
        raise Wrong(f"{shown} is {abs(off):.3g}% {direction}.")
    direction = "too large" if number > expected else "too small"
    raise Wrong(f"{shown} is {direction}.")


_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")


def expect_quantity(value: Any, expected: float, unit: str, *, name: str,
                    units: Mapping[str, float] | None = None, rtol: float = 1e-3,
                    atol: float = 0.0, hints: Mapping[float, str] | None = None,
                    mistakes: Mapping[str, float] | None = None) -> float:
    """Check a number with a unit: ``expected`` is in ``unit``.

    The answer is a number (taken to be in ``unit``) or a text such as
    ``"1.85 years"``. ``units`` maps other accepted unit names to their size
    in ``unit`` (``{"years": 12}`` when ``unit`` is months). A plain number
    that is right in one of those other units gets a sentence saying so.
    Returns the value in ``unit``.
    """
    units = dict(units or {})
    known = {unit: 1.0, **units}
    if isinstance(value, str):
        match = _QUANTITY.match(value)
        if not match:
            raise Wrong(f"`{name}` = {value!r} is not a number with a unit; write e.g. "
                        f"'{fmt(1.5)} {unit}' or just the number in {unit}.")
        number = float(match.group(1))
        given = (match.group(2) or unit).strip()
        lookup = {k.lower(): v for k, v in known.items()}
        if given.lower() not in lookup:
            allowed = ", ".join(known)
            raise Wrong(f"`{name}` is given in '{given}', a unit this check does not know; "
                        f"use one of: {allowed}.")
        value = number * lookup[given.lower()]
    number = as_number(value, name)
    if not _close(number, expected, rtol, atol):
        for other, size in units.items():
            if _close(number * size, expected, rtol, atol):
                raise Wrong(f"`{name}` = {fmt(number)} is right in {other}, but it should "
                            f"be in {unit} (or written as the text '{fmt(number)} {other}').")
    return expect_number(number, expected, name=name, rtol=rtol, atol=atol, unit=unit,
                         hints=hints, mistakes=mistakes)


# --------------------------------------------------------------------------
# arrays
# --------------------------------------------------------------------------
_DTYPE_KINDS = {
    "float": ("f", "floating-point numbers"),
    "int": ("iu", "whole numbers (an integer dtype)"),
    "bool": ("b", "True/False values (a boolean mask)"),
}


def as_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a NumPy array, or :class:`Wrong` saying what it is instead."""
    if value is None:
        raise Wrong(f"`{name}` is None: did a function forget to `return` its result?")
    if isinstance(value, (pd.DataFrame, pd.Series)):
        value = value.to_numpy()
    if isinstance(value, (int, float, complex, np.number, bool, np.bool_)):
        raise Wrong(f"`{name}` is a single number ({value}); the exercise asks for an array.")
    if isinstance(value, str):
        raise Wrong(f"`{name}` is a text; the exercise asks for an array.")
    try:
        array = np.asarray(value)
    except ValueError:
        raise Wrong(f"`{name}` cannot become an array: are its rows of different lengths?") from None
    if array.dtype == object:
        raise Wrong(f"`{name}` is not an array of numbers (it holds {type(value).__name__} "
                    "objects): are its rows of different lengths?")
    return array


def expect_shape(array: np.ndarray, shape: tuple[int, ...], *, name: str,
                 hint: str = "") -> None:
    """Check ``array.shape``; say when it is transposed or one row/column off."""
    shape = tuple(shape)
    if array.shape == shape:
        return
    extra = f" {hint}" if hint else ""
    if array.ndim != len(shape):
        raise Wrong(f"`{name}` has {array.ndim} dimension(s) (shape {array.shape}); it "
                    f"should have {len(shape)} (shape {shape}).{extra}")
    if array.ndim >= 2 and array.shape == shape[::-1]:
        raise Wrong(f"`{name}` has shape {array.shape}, the transpose of {shape}: NumPy "
                    f"gives rows first, shape = (rows, columns).{extra}")
    axes = ["rows", "columns"] if array.ndim == 2 else [f"entries along axis {i}" for i in range(array.ndim)]
    steps = {array.shape[i] - shape[i] for i in range(array.ndim) if array.shape[i] != shape[i]}
    if steps in ({1}, {-1}):
        differ = [axes[i] for i in range(array.ndim) if array.shape[i] != shape[i]]
        more = "one too many" if steps == {1} else "one too few"
        raise Wrong(f"`{name}` has shape {array.shape}, {more} {' and '.join(differ)} "
                    f"(expected {shape}): np.arange stops before its end, np.linspace "
                    f"includes it.{extra}")
    raise Wrong(f"`{name}` has shape {array.shape}; it should be {shape}.{extra}")


def expect_dtype(array: np.ndarray, kind: str, *, name: str) -> None:
    """Check the kind of numbers: ``"float"``, ``"int"`` or ``"bool"``."""
    kinds, words = _DTYPE_KINDS[kind]
    if array.dtype.kind in kinds:
        return
    actual = {"f": "floating-point numbers", "i": "integers", "u": "integers",
              "b": "True/False values", "c": "complex numbers"}.get(array.dtype.kind, "values")
    fix = {"float": "np.zeros(..., dtype=float) or .astype(float)",
           "int": ".astype(int)",
           "bool": "a comparison such as image > threshold"}[kind]
    raise Wrong(f"`{name}` holds {actual} ({array.dtype}); the exercise asks for {words}: "
                f"use {fix}.")


def expect_values(array: np.ndarray, expected: np.ndarray, *, name: str,
                  rtol: float = 1e-6, atol: float = 1e-9,
                  mistakes: Mapping[str, Any] | None = None,
                  hints: Mapping[float, str] | None = None) -> None:
    """Compare the values of two arrays of the same shape and diagnose the miss.

    In order: a typical wrong answer of ``mistakes`` (sentence -> array), NaN
    or infinite values, unsigned wrap-around, the transpose, an upside-down
    or mirrored image, the wrong sign, a constant factor (units, percent,
    ``hints``), a constant offset; else how many values differ and the first.
    """
    expected = np.asarray(expected)
    actual = np.asarray(array)

    def same(candidate) -> bool:
        candidate = np.asarray(candidate)
        return (candidate.shape == actual.shape
                and bool(np.allclose(actual, candidate, rtol=rtol, atol=atol, equal_nan=True)))

    if same(expected):
        return
    for sentence, wrong in (mistakes or {}).items():
        if same(wrong):
            raise Wrong(f"`{name}`: {sentence}")
    finite = np.isfinite(actual) if actual.dtype.kind in "fc" else np.ones(actual.shape, bool)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = _index(tuple(bad[0]))
        what = "NaN" if np.isnan(actual[tuple(bad[0])]) else "infinite"
        raise Wrong(f"`{name}` has {len(bad)} value(s) that are NaN or infinite, the first "
                    f"({what}) at index {first}: a division by zero there?")
    if actual.dtype.kind == "u" and expected.min() < 0:
        raise Wrong(f"`{name}` is of unsigned type {actual.dtype}, which cannot hold negative "
                    "values: a subtraction wrapped around; convert to float first (.astype(float)).")
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and same(expected.T):
        raise Wrong(f"`{name}` is the transpose of the right answer: rows and columns are swapped.")
    if actual.ndim >= 2 and same(expected[::-1]):
        raise Wrong(f"`{name}` is upside down: its first row should be its last.")
    if actual.ndim >= 2 and same(expected[:, ::-1]):
        raise Wrong(f"`{name}` is mirrored left to right.")
    if same(-expected):
        raise Wrong(f"`{name}` has the wrong sign everywhere.")
    expected_f = expected.astype(float)
    actual_f = actual.astype(float)
    nonzero = np.abs(expected_f) > atol
    if nonzero.any():
        ratios = actual_f[nonzero] / expected_f[nonzero]
        ratio = float(np.median(ratios))
        if (ratio != 0 and np.allclose(ratios, ratio, rtol=1e-3)
                and np.allclose(actual_f[~nonzero], 0, atol=atol * max(1, abs(ratio)))):
            sentence = diagnose_factor(ratio, hints)
            tail = f": {sentence}" if sentence else "."
            raise Wrong(f"`{name}` is {_times(ratio)} everywhere{tail}")
    offset = float(np.median(actual_f - expected_f))
    if offset != 0 and np.allclose(actual_f - expected_f, offset, rtol=1e-6, atol=atol):
        raise Wrong(f"`{name}` is off by {fmt(offset)} everywhere (a constant offset).")
    wrong = ~np.isclose(actual_f, expected_f, rtol=rtol, atol=atol)
    first = tuple(np.argwhere(wrong)[0])
    raise Wrong(f"{int(wrong.sum())} of {wrong.size} values of `{name}` are not right; the "
                f"first is at index {_index(first)}, where {fmt(actual_f[first])} should be "
                f"{fmt(expected_f[first])}.")


def expect_array(value: Any, expected: np.ndarray, *, name: str, rtol: float = 1e-6,
                 atol: float = 1e-9, dtype: str | None = None, shape_hint: str = "",
                 mistakes: Mapping[str, Any] | None = None,
                 hints: Mapping[float, str] | None = None) -> np.ndarray:
    """Check an array: type, shape, values, then the kind of numbers (``dtype``:
    "float", "int" or "bool"). Returns the array."""
    array = as_array(value, name)
    expected = np.asarray(expected)
    if mistakes:
        # a typical mistake can have another shape (the transposed grid,
        # one point short): its own sentence beats the generic one
        for sentence, wrong in mistakes.items():
            wrong = np.asarray(wrong)
            if (wrong.shape == array.shape and wrong.shape != expected.shape
                    and np.allclose(array, wrong, rtol=rtol, atol=atol, equal_nan=True)):
                raise Wrong(f"`{name}`: {sentence}")
    expect_shape(array, expected.shape, name=name, hint=shape_hint)
    expect_values(array, expected, name=name, rtol=rtol, atol=atol, mistakes=mistakes,
                  hints=hints)
    if dtype:
        expect_dtype(array, dtype, name=name)
    return array


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------
def expect_table(value: Any, expected: pd.DataFrame, *, name: str, rtol: float = 1e-6,
                 atol: float = 1e-9, extra_columns: bool = False,
                 order_matters: bool = True) -> pd.DataFrame:
    """Check a pandas DataFrame: its columns (missing, misspelt, extra), its
    number of rows, then each column's values. With ``order_matters=False``
    the rows are compared after sorting both tables by all expected columns.
    Returns the table."""
    if isinstance(value, pd.Series):
        raise Wrong(f"`{name}` is a Series (one column); the exercise asks for a DataFrame "
                    f"with the columns {list(expected.columns)} (use .to_frame() or pd.DataFrame).")
    if isinstance(value, dict):
        raise Wrong(f"`{name}` is a dict; make it a table with pd.DataFrame({name}).")
    if not isinstance(value, pd.DataFrame):
        raise Wrong(f"`{name}` is a {type(value).__name__}; the exercise asks for a pandas "
                    "DataFrame.")
    columns = [str(c) for c in value.columns]
    wanted = [str(c) for c in expected.columns]
    missing = [c for c in wanted if c not in columns]
    if missing:
        lower = {c.lower().strip(): c for c in columns}
        near = [(c, lower[c.lower()]) for c in missing if c.lower() in lower]
        if near:
            want, have = near[0]
            raise Wrong(f"`{name}` has a column {have!r} where {want!r} is expected "
                        "(column names are case-sensitive).")
        raise Wrong(f"`{name}` lacks the column(s) {', '.join(map(repr, missing))}; it has "
                    f"{', '.join(map(repr, columns)) or 'none'}.")
    extra = [c for c in columns if c not in wanted]
    if extra and not extra_columns:
        raise Wrong(f"`{name}` has column(s) the exercise does not ask for: "
                    f"{', '.join(map(repr, extra))}.")
    if len(value) != len(expected):
        raise Wrong(f"`{name}` has {len(value)} rows; it should have {len(expected)}.")
    table = value[list(expected.columns)].reset_index(drop=True)
    reference = expected.reset_index(drop=True)
    if not order_matters:
        table = table.sort_values(list(expected.columns)).reset_index(drop=True)
        reference = reference.sort_values(list(expected.columns)).reset_index(drop=True)
    for column in expected.columns:
        got, want = table[column], reference[column]
        label = f"column {column!r} of {name}"
        if pd.api.types.is_numeric_dtype(want):
            if not pd.api.types.is_numeric_dtype(got):
                raise Wrong(f"`{label}` holds {got.dtype} values; it should hold numbers.")
            expect_values(got.to_numpy(float), want.to_numpy(float), name=label,
                          rtol=rtol, atol=atol)
        else:
            differ = [i for i, (a, b) in enumerate(zip(got, want)) if str(a) != str(b)]
            if differ:
                i = differ[0]
                raise Wrong(f"{len(differ)} value(s) of `{label}` are not right; the first, in "
                            f"row {i}, is {got.iloc[i]!r}.")
    return value


# --------------------------------------------------------------------------
# figures and files
# --------------------------------------------------------------------------
def as_figure(value: Any, name: str):
    """A Matplotlib Figure from ``value`` (a Figure, or an Axes: its figure)."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if value is None:
        raise Wrong(f"`{name}` is None: plt.show() and ax.plot(...) do not return the figure; "
                    "keep it from fig, ax = plt.subplots().")
    if isinstance(value, Figure):
        return value
    if isinstance(value, Axes):
        return value.figure
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Line2D) for v in value):
        raise Wrong(f"`{name}` is the list of lines that plot() returns; pass the figure "
                    "instead (fig, ax = plt.subplots()).")
    if isinstance(value, tuple) and value and isinstance(value[0], Figure):
        raise Wrong(f"`{name}` is the pair (fig, ax) that plt.subplots() returns; pass only "
                    "the figure, its first element.")
    raise Wrong(f"`{name}` is a {type(value).__name__}; the exercise asks for a Matplotlib "
                "figure (fig, ax = plt.subplots()).")


def plot_axes(figure) -> list:
    """The axes of ``figure`` that hold plots (colour bars left out)."""
    return [ax for ax in figure.axes if not _is_colorbar(ax)]


def _is_colorbar(ax) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIGNATURES = {b"%PDF": "a PDF file", b"\xff\xd8\xff": "a JPEG file",
               b"<?xml": "an SVG file", b"<svg": "an SVG file", b"%!PS": "a PostScript file",
               b"II*\x00": "a TIFF file", b"MM\x00*": "a TIFF file"}


def as_existing_file(value: Any, name: str) -> pathlib.Path:
    """``value`` as the path of a file that exists, or :class:`Wrong`."""
    if value is None:
        raise Wrong(f"`{name}` is None; the exercise asks for the path of the file you saved "
                    "(fig.savefig returns None: pass the path you gave it).")
    if not isinstance(value, (str, os.PathLike)):
        raise Wrong(f"`{name}` is a {type(value).__name__}; the exercise asks for a path "
                    "(a str or a pathlib.Path).")
    path = pathlib.Path(value).expanduser()
    if path.is_dir():
        raise Wrong(f"`{name}` = {str(path)!r} is a folder; pass the path of the file in it.")
    if not path.exists():
        raise Wrong(f"there is no file at {str(path)!r}: was it saved under another name "
                    "or into another folder?")
    return path


def file_kind(path: pathlib.Path) -> str:
    """'a PNG file', 'a PDF file', ... from the file's first bytes."""
    head = path.read_bytes()[:16]
    if head.startswith(PNG_SIGNATURE):
        return "a PNG file"
    for signature, kind in _SIGNATURES.items():
        if head.lstrip().startswith(signature):
            return kind
    return "not an image file this check knows"
