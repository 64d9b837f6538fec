"""Checkers of the exercises of "Summary" (lecture 1, chapter 10:
``chapters/lecture-01/10-summary.md``).

- :func:`check_other_sections`: the lacuna count of ``bone_slice`` for the
  seeds 1 to 8, as relative errors against the truth, and how many of them
  miss chapter 3's tolerance of 5 %;
- :func:`check_smoothing`: the count of the bone slice as the smoothing of
  the analysis grows, and the largest smoothing that keeps it within 5 %.

The reference answers are computed here from the book's data and its
analysis, the way the exercises ask for them, so they follow the data if it
changes.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from ._check import Wrong, as_number, checker, expect_array, expect_number, fmt

__all__ = ["check_other_sections", "check_smoothing", "SEEDS", "TOLERANCE", "SIGMAS"]

#: The seeds of the sections the first exercise analyses.
SEEDS = tuple(range(1, 9))
#: Chapter 3's tolerance on the count of lacunae (relative).
TOLERANCE = 0.05
#: The smoothing widths (Gaussian sigma, pixels) of the second exercise.
SIGMAS = (0.28, 0.5, 0.75, 1.0, 1.5, 2.0)


def _whole(value, name):
    number = as_number(value, name)
    if isinstance(value, bool) or not (isinstance(value, numbers.Integral)
                                       or float(number).is_integer()):
        raise Wrong(f"`{name}` = {fmt(number)} is not a whole number; it counts sections "
                    "or cells.")
    return int(number)


# --------------------------------------------------------------------------
# Exercise: does the tolerance hold on other sections?
# --------------------------------------------------------------------------
@functools.cache
def _section_counts() -> tuple[tuple[int, int, int, int], ...]:
    """Per seed: (single cells counted, all objects found, true cells, all true objects)."""
    import common.data as data
    from common import analysis

    out = []
    for seed in range(SEEDS[0] - 1, SEEDS[-1] + 1):     # seed 0 too: a typical slip
        result = analysis.analyse(data.load("bone_slice", seed=seed), analysis.BONE_SLICE)
        truth = data.load("bone_slice_cells", seed=seed)
        out.append((int(result.summary["count"]), len(result.objects),
                    int((truth["kind"] == "cell").sum()), len(truth)))
    return tuple(out)


def _errors(measured: str = "cells", true: str = "cells", way: str = "measured / true",
            seeds: str = "1 to 8") -> np.ndarray:
    rows = np.array(_section_counts(), dtype=float)
    rows = rows[:-1] if seeds == "0 to 7" else rows[1:]
    m = rows[:, 0] if measured == "cells" else rows[:, 1]
    t = rows[:, 2] if true == "cells" else rows[:, 3]
    if way == "true / measured":
        return t / m - 1
    if way == "difference":
        return m - t
    return m / t - 1


@checker("other-sections")
def check_other_sections(errors, outside):
    """`errors`: measured / true - 1 of the single-cell count for seeds 1 to 8;
    `outside`: how many of them are larger than 5 % in size."""
    expected = _errors()
    mistakes = {
        "these are differences in cells; divide by the true count and subtract 1 "
        "(measured / true - 1).": _errors(way="difference"),
        "you compared with every true object, canals and odd ones too; compare with "
        "the true single cells (kind == 'cell').": _errors(true="all"),
        "these count every object the analysis found, canals and odd ones too; take "
        ".summary['count'], the single cells.": _errors(measured="all"),
        "that is true / measured - 1; the error of a measurement is measured / true - 1.":
            _errors(way="true / measured"),
        "these are the sections of seeds 0 to 7; the exercise asks for the seeds 1 to 8 "
        "(range(1, 9)).": _errors(seeds="0 to 7"),
    }
    # the counts are whole numbers: a pixel decided differently by floating
    # point on another machine can move one count by 1 (about 1 %)
    expect_array(errors, expected, name="errors", rtol=0, atol=0.012, dtype="float",
                 shape_hint=f"one error for each of the {len(SEEDS)} seeds 1 to 8",
                 mistakes=mistakes, hints={100: "percent instead of a fraction?"})
    n_outside = _whole(outside, "outside")
    right = int((np.abs(expected) > TOLERANCE).sum())
    below = int((expected < -TOLERANCE).sum())
    if n_outside == len(SEEDS) - right and right != len(SEEDS) - right:
        raise Wrong(f"`outside` = {n_outside} counts the sections within the tolerance; "
                    "count those whose error is larger than 5 % in size.")
    expect_number(n_outside, right, name="outside", rtol=0, atol=0)
    if below == right:
        return ("Every section is counted low, some by more than 5 %: a tolerance "
                "argued on one image needs checking on many.")
    return "A tolerance argued on one image needs checking on many."


# --------------------------------------------------------------------------
# Exercise: how much smoothing can the count take?
# --------------------------------------------------------------------------
@functools.cache
def _smoothing_counts(variant: str = "right") -> tuple[int, ...]:
    """The single-cell count of bone_slice for each sigma of SIGMAS."""
    import common.data as data
    from common import analysis

    image = data.load("bone_slice")
    out = []
    for sigma in SIGMAS:
        result = analysis.analyse(image, analysis.BONE_SLICE.replace(sigma=sigma))
        if variant == "all":
            out.append(len(result.objects))
        else:
            out.append(int(result.summary["count"]))
    return tuple(out)


def _true_cells() -> int:
    import common.data as data

    truth = data.load("bone_slice_cells")
    return int((truth["kind"] == "cell").sum())


def _largest_within(counts) -> float | None:
    true = _true_cells()
    ok = [s for s, n in zip(SIGMAS, counts) if abs(n / true - 1) <= TOLERANCE]
    return max(ok) if ok else None


@checker("smoothing")
def check_smoothing(counts, largest_sigma):
    """`counts`: single cells of bone_slice for sigma 0.28, 0.5, 0.75, 1.0, 1.5, 2.0;
    `largest_sigma`: the largest of them with a count within 5 % of the truth."""
    expected = np.array(_smoothing_counts())
    mistakes = {
        "these count every object the analysis found, canals and odd ones too; take "
        ".summary['count'], the single cells.": _smoothing_counts("all"),
        "these are errors against the truth; the exercise asks for the counts.":
            np.array(_smoothing_counts()) - _true_cells(),
    }
    # one pixel decided differently by floating point can move a count by 1
    expect_array(counts, expected, name="counts", rtol=0, atol=1, dtype="int",
                 shape_hint=f"one count for each of the {len(SIGMAS)} values of sigma",
                 mistakes=mistakes)
    right = _largest_within(expected)
    number = as_number(largest_sigma, "largest_sigma")
    if number not in SIGMAS:
        raise Wrong(f"`largest_sigma` = {fmt(number)} is not one of the values tried, "
                    f"{', '.join(fmt(s) for s in SIGMAS)}.")
    smallest_failing = min((s for s in SIGMAS if s > right), default=None)
    mistakes = {}
    if smallest_failing is not None:
        mistakes["at that sigma the count is already more than 5 % off; take the last "
                 "sigma before it."] = smallest_failing
    expect_number(number, right, name="largest_sigma", rtol=0, atol=1e-9, mistakes=mistakes)
    return "A filter must stay smaller than the smallest object you want to keep."
