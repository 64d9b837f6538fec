"""Checkers of the exercises of lecture 2, chapter 5, "Basic filters"
(``chapters/lecture-02/05-basic-filters.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c05-spot-threshold`` is checked by :func:`check_spot_threshold`).
Each returns a :class:`~common.exercises.Feedback`: "Correct! ..." or
"Not yet: " and one sentence about what is wrong.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ._check import checker, expect_number, fmt

__all__ = ["check_separable_counts", "check_spot_threshold", "K_GRID"]


# --------------------------------------------------------------------------
# Exercise: what separability saves
# --------------------------------------------------------------------------
SIGMA = 3
DIMENSIONS = 3


def _size(sigma=SIGMA):
    return 2 * math.ceil(2 * sigma) + 1


@checker("separable-counts")
def check_separable_counts(full_mults, separable_mults):
    """Multiplications per voxel of the full N^3 kernel and of three 1D kernels."""
    n = _size()
    scipy_n = 2 * int(4 * SIGMA + 0.5) + 1
    expect_number(full_mults, n**DIMENSIONS, name="full_mults", rtol=0, atol=0.5, mistakes={
        "that is the number of additions (one fewer than the weights); count the "
        "multiplications, one per weight.": n**DIMENSIONS - 1,
        "that is a 2D kernel (N squared); the CT volume needs N cubed.": n**2,
        "that uses N = 2 sigma + 1; the rule is N = 2 ceil(2 sigma) + 1.": (2 * SIGMA + 1) ** 3,
        "that is scipy's kernel, out to 4 sigma; the exercise's rule goes to 2 sigma.":
            scipy_n**3,
    })
    expect_number(separable_mults, DIMENSIONS * n, name="separable_mults", rtol=0, atol=0.5,
                  mistakes={
        "that is one 1D kernel; a 3D filter needs one per axis.": n,
        "that is the number of additions, d (N - 1); count the multiplications.":
            DIMENSIONS * (n - 1),
        "that is N^3 / N^2...; the separated filter is three 1D kernels of N weights each.":
            n**2,
    })
    return (f"N = {n}: the separated filter needs {fmt(n**3 / (3 * n), 3)} times fewer "
            "multiplications.")


# --------------------------------------------------------------------------
# Exercise: choose the threshold of the spot cleaning
# --------------------------------------------------------------------------
K_GRID = tuple(int(k) for k in np.arange(1000, 5001, 250))
SIZE = 5


@functools.cache
def _scores(size=SIZE):
    """Recall, precision and F1 for every k of K_GRID, median of size x size."""
    from scipy import ndimage as ndi

    from common import data

    frame = data.load("wood_raw_spotty").astype(float)
    truth = data.load("wood_spots_truth")
    distance = np.abs(ndi.median_filter(frame, size=size) - frame)
    out = {}
    for k in K_GRID:
        found = distance > k
        hits = (found & truth).sum()
        recall, precision = hits / truth.sum(), hits / max(found.sum(), 1)
        out[k] = (recall, precision, 2 * recall * precision / (recall + precision))
    return out


def _best(index, size=SIZE):
    scores = _scores(size)
    return max(K_GRID, key=lambda k: (scores[k][index], -k))


@checker("spot-threshold")
def check_spot_threshold(best_k):
    """`best_k`: the threshold of K_GRID with the best F1 for the 5 x 5 median."""
    right = _best(2)
    f1 = _scores()[right][2]
    mistakes = {
        "that is the best threshold for a 3 x 3 median; the exercise asks for 5 x 5.":
            _best(2, size=3),
        "that threshold has the best precision, not the best F1: it misses many spots.":
            _best(1),
    }
    mistakes = {sentence: k for sentence, k in mistakes.items() if k != right}
    if K_GRID[0] != right:
        mistakes["that is the smallest k, which has the best recall but replaces thousands "
                 "of good pixels; maximise F1."] = K_GRID[0]
    expect_number(best_k, right, name="best_k", rtol=0, atol=1, unit="counts",
                  mistakes=mistakes)
    return (f"F1 = {fmt(f1, 3)} at k = {right} counts: high enough to spare the grain, low "
            "enough to catch most spots.")
