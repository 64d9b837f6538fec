"""Checkers of the exercises of lecture 2, chapter 4, "Basic filtering: what
is a filter?" (``chapters/lecture-02/04-what-is-a-filter.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c04-separate`` is checked by :func:`check_separate`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, as_array, checker, expect_number, expect_shape, fmt

__all__ = ["check_sigma_for_stripes", "check_separate"]


# --------------------------------------------------------------------------
# Exercise: how wide must the low-pass be?
# --------------------------------------------------------------------------
STRIPE_PERIOD = 8
STRIPE_SIZE = 256


def _kept(sigma: float, period: float = STRIPE_PERIOD) -> float:
    from scipy import ndimage as ndi

    columns = np.arange(STRIPE_SIZE)
    stripes = np.tile(np.sin(2 * np.pi * columns / period), (STRIPE_SIZE, 1))
    return float((ndi.gaussian_filter(stripes, sigma, mode="wrap") ** 2).sum()
                 / (stripes**2).sum())


@functools.cache
def _smallest_sigma(limit: float, period: float = STRIPE_PERIOD) -> float:
    """The smallest sigma on a 0.1 grid keeping less than ``limit`` of the power."""
    for sigma in np.arange(0.1, 20, 0.1).round(1):
        if _kept(float(sigma), period) < limit:
            return float(sigma)
    raise RuntimeError("no sigma below 20 is wide enough")


@checker("sigma-for-stripes")
def check_sigma_for_stripes(sigma_needed):
    """`sigma_needed`: the smallest Gaussian sigma (0.1 steps) keeping < 1 % of the power."""
    right = _smallest_sigma(0.01)
    expect_number(sigma_needed, right, name="sigma_needed", atol=0.051, rtol=0, unit="pixels",
                  mistakes={
                      "that keeps less than 1 % of the stripes' amplitude, i.e. 0.01 % of "
                      "their power; power is the sum of the squared values.":
                          _smallest_sigma(1e-4),
                      "that keeps less than 10 % of the power; the exercise asks for 1 %.":
                          _smallest_sigma(0.1),
                  })
    return (f"At sigma = {fmt(right, 2)} the stripes keep {fmt(100 * _kept(right), 2)} % of "
            "their power; 0.1 pixel less is not enough.")


# --------------------------------------------------------------------------
# Exercise: take a mixture apart
# --------------------------------------------------------------------------
SHAPE = (200, 300)
TOLERANCE = 0.10
BORDER = 15


@functools.cache
def _mixture():
    rows, columns = np.mgrid[: SHAPE[0], : SHAPE[1]]
    shading = 0.3 + 0.001 * columns + 0.4 * np.exp(-((rows - 80) ** 2 + (columns - 200) ** 2)
                                                   / 3000)
    stripes = 0.1 * np.cos(2 * np.pi * rows / 5)
    return shading, stripes


def _relative_rms(estimate, truth):
    return float(np.sqrt(np.mean((estimate - truth) ** 2)) / np.sqrt(np.mean(truth**2)))


@checker("separate")
def check_separate(stripes_part):
    """`stripes_part`: the stripes of the exercise's `measured`, within 10 % RMS."""
    shading, stripes = _mixture()
    array = as_array(stripes_part, "stripes_part")
    expect_shape(array, SHAPE, name="stripes_part")
    if array.dtype.kind not in "fiu":
        raise Wrong(f"`stripes_part` holds {array.dtype} values; it should be a real-valued "
                    "image (floating-point numbers).")
    if not np.isfinite(array).all():
        raise Wrong("`stripes_part` holds NaN or infinite values.")
    error = _relative_rms(array, stripes)
    if error <= TOLERANCE:
        return (f"The stripes come back within {fmt(100 * error, 2)} % (RMS): a low-pass and a "
                "subtraction make a high-pass.")
    if _relative_rms(array, shading) < 0.1:
        raise Wrong("`stripes_part` is the smooth shading: that is what the low-pass keeps; "
                    "the stripes are the image minus its low-pass.")
    if _relative_rms(array, -stripes) <= TOLERANCE:
        raise Wrong("`stripes_part` has the wrong sign: subtract the low-pass from the image, "
                    "not the image from the low-pass.")
    if _relative_rms(array, shading + stripes) < 0.02:
        raise Wrong("`stripes_part` is the measured image itself; subtract a low-pass of it.")
    inner = np.s_[BORDER:-BORDER, BORDER:-BORDER]
    inner_error = _relative_rms(array[inner], stripes[inner])
    if inner_error <= TOLERANCE:
        raise Wrong(f"`stripes_part` is off by {fmt(100 * error, 2)} % (RMS), but only "
                    f"{fmt(100 * inner_error, 2)} % away from the borders: the filter's "
                    "border mode joins the image to something it is not (try the default "
                    "mode='reflect' rather than 'wrap' or 'constant').")
    residual = array - stripes
    low = np.abs(np.fft.rfft(residual, axis=0)).mean(axis=1)
    stripe_bin = SHAPE[0] // 5
    if low[stripe_bin] > low[:stripe_bin - 5].mean() * 3:
        raise Wrong(f"`stripes_part` is off by {fmt(100 * error, 2)} % (RMS) and the error is "
                    "mostly the stripes themselves: the low-pass is too narrow and keeps part "
                    "of them, so the subtraction loses them; widen it.")
    raise Wrong(f"`stripes_part` is off by {fmt(100 * error, 2)} % (RMS) and the error is "
                "mostly slow: the low-pass is so wide that it no longer follows the shading, "
                "which leaks into the high-pass; make it narrower.")
