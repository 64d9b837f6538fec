"""Checkers of lecture 2, chapter 5, "Basic filters" (common/exercises/l2c05.py):
each accepts a reference solution, written here as a student would, and rejects
every typical wrong answer it names, with its own sentence."""
import math

import numpy as np
from scipy import ndimage as ndi

from common import data
from common.exercises import l2c05
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_separable_counts():
    n = 2 * math.ceil(2 * 3) + 1
    correct(l2c05.check_separable_counts(n**3, 3 * n))
    rejected(l2c05.check_separable_counts(n**3 - 1, 3 * n), "additions")
    rejected(l2c05.check_separable_counts(n**2, 3 * n), "2D kernel")
    rejected(l2c05.check_separable_counts(7**3, 3 * n), "2 ceil(2 sigma) + 1")
    rejected(l2c05.check_separable_counts(25**3, 3 * n), "4 sigma")
    rejected(l2c05.check_separable_counts(n**3, n), "one per axis")
    rejected(l2c05.check_separable_counts(n**3, 3 * (n - 1)), "additions")
    rejected(l2c05.check_separable_counts(..., 3 * n), "placeholder")


def best_k(size=5, criterion="f1"):
    frame = data.load("wood_raw_spotty").astype(float)
    spots = data.load("wood_spots_truth")
    distance = np.abs(ndi.median_filter(frame, size=size) - frame)
    grid = np.arange(1000, 5001, 250)
    values = []
    for k in grid:
        found = distance > k
        hits = (found & spots).sum()
        recall, precision = hits / spots.sum(), hits / found.sum()
        values.append({"f1": 2 * recall * precision / (recall + precision),
                       "precision": precision}[criterion])
    return int(grid[np.argmax(values)])


def test_spot_threshold():
    k = best_k()
    assert k == 2500
    correct(l2c05.check_spot_threshold(k))
    correct(l2c05.check_spot_threshold(np.int64(k)))
    rejected(l2c05.check_spot_threshold(best_k(size=3)), "3 x 3 median")
    rejected(l2c05.check_spot_threshold(1000), "smallest k")
    rejected(l2c05.check_spot_threshold(best_k(criterion="precision")), "best precision")
    rejected(l2c05.check_spot_threshold(k + 250), "too large")
    rejected(l2c05.check_spot_threshold(...), "placeholder")
