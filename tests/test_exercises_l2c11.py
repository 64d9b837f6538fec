"""Checkers of lecture 2 chapter 11's exercises (common/exercises/l2c11.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import dask.array as da
import numpy as np
from scipy import ndimage as ndi

from common.exercises import l2c11
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_median_margin():
    corner = np.random.default_rng(0).random((64, 64, 64)).astype(np.float32)
    target = ndi.median_filter(corner, size=5)
    chunked = da.from_array(corner, chunks=32)
    for margin in range(1, 6):
        if (chunked.map_overlap(ndi.median_filter, size=5, depth=margin,
                                boundary="none").compute() == target).all():
            break
    correct(l2c11.check_median_margin(margin))
    correct(l2c11.check_median_margin(2.0))
    rejected(l2c11.check_median_margin(5), "width of the box")
    rejected(l2c11.check_median_margin(1), "3 x 3 x 3")
    rejected(l2c11.check_median_margin(3), "not the smallest")
    rejected(l2c11.check_median_margin(2.5), "whole number")


def test_margin_cost():
    x = da.zeros((128, 128, 128), chunks=32, dtype=np.float32)
    reach = int(4 * 2 + 0.5)
    answer = 100 * (da.overlap.overlap(x, depth=reach, boundary="none").size / x.size - 1)
    correct(l2c11.check_margin_cost(answer))
    rejected(l2c11.check_margin_cost(100 * (48**3 / 32**3 - 1)), "six")
    small = 100 * (da.overlap.overlap(x, depth=4, boundary="none").size / x.size - 1)
    rejected(l2c11.check_margin_cost(small), "sigma 1")
    y = x.rechunk(64)
    big = 100 * (da.overlap.overlap(y, depth=8, boundary="none").size / y.size - 1)
    rejected(l2c11.check_margin_cost(big), "64³")
    rejected(l2c11.check_margin_cost(answer / 100 + 1), "ratio")
