"""Checkers of the exercises of lecture 2, chapter 7, "Scale spaces"
(``chapters/lecture-02/07-scale-spaces.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c07-pyramid-shapes`` is checked by :func:`check_pyramid_shapes`).
Each returns a :class:`~common.exercises.Feedback`: "Correct! ..." or
"Not yet: " and one sentence about what is wrong.
"""
from __future__ import annotations

import math

import numpy as np
import pywt

from ._check import Wrong, checker, expect_array, expect_number

__all__ = ["check_pyramid_shapes", "check_universal_threshold", "universal_threshold_signal"]


# --------------------------------------------------------------------------
# Exercise: how tall is the pyramid?
# --------------------------------------------------------------------------
PYRAMID_START = (300, 200)


def _pyramid_shapes(shape, rounding=math.ceil):
    shapes = [tuple(shape)]
    while True:
        nxt = tuple(max(1, int(rounding(n / 2))) for n in shapes[-1])
        if nxt == shapes[-1]:
            return shapes
        shapes.append(nxt)


@checker("pyramid-shapes")
def check_pyramid_shapes(shapes):
    """`shapes`: the shapes of every level of a Gaussian pyramid of a 300 x 200 image."""
    try:
        given = [tuple(int(n) for n in s) for s in shapes]
    except TypeError:
        raise Wrong("`shapes` should be a list of shapes, one (rows, columns) tuple per "
                    "level, e.g. [level.shape for level in pyramid_gaussian(...)].") from None
    right = _pyramid_shapes(PYRAMID_START)
    if given == right:
        return f"{len(right)} levels, down to a single pixel; odd sizes are rounded up."
    if given == right[1:]:
        raise Wrong("level 0, the image itself, is part of the pyramid: start the list "
                    "with its shape.")
    if given and given[0] != PYRAMID_START:
        if given[0] == PYRAMID_START[::-1]:
            raise Wrong("the first shape is (200, 300): the image has 300 rows and 200 "
                        "columns, and NumPy gives rows first.")
        raise Wrong(f"the first level should be the image itself, of shape {PYRAMID_START}; "
                    f"yours starts with {given[0]}.")
    if given == _pyramid_shapes(PYRAMID_START, rounding=math.floor):
        raise Wrong("these shapes round odd sizes down; scikit-image rounds them up "
                    "(75 / 2 gives 38).")
    if len(given) < len(right) and given == right[:len(given)]:
        raise Wrong(f"the list stops after level {len(given) - 1}; without max_layer the "
                    "pyramid goes on until a level no longer shrinks.")
    for k, (g, r) in enumerate(zip(given, right)):
        if g != r:
            raise Wrong(f"level {k} has shape {g}, which does not follow from the level "
                        "before it; let pyramid_gaussian make the levels.")
    raise Wrong(f"the list has {len(given)} levels; the pyramid has a different number.")


# --------------------------------------------------------------------------
# Exercise: denoise a signal with the universal threshold
# --------------------------------------------------------------------------
def universal_threshold_signal():
    """The exercise's (truth, noisy) pair, exactly as the exercise makes it."""
    rng = np.random.default_rng(5)
    x = np.linspace(0, 1, 2048)
    truth = 2 * x + (x > 0.3) - 1.5 * (x > 0.7)
    noisy = truth + rng.normal(0, 0.2, x.size)
    return truth, noisy


def _denoise(noisy, wavelet="db2", level=5, mode="soft", sigma_from=-1, n=None,
             log=np.log):
    coeffs = pywt.wavedec(noisy, wavelet, level=level)
    sigma = np.median(np.abs(coeffs[sigma_from])) / 0.6745
    gamma = sigma * np.sqrt(2 * log(n or noisy.size))
    kept = [coeffs[0]] + [pywt.threshold(d, gamma, mode=mode) for d in coeffs[1:]]
    return pywt.waverec(kept, wavelet)[:noisy.size], gamma


@checker("universal-threshold")
def check_universal_threshold(denoised, gamma):
    """`denoised`: the soft-thresholded 5-level db2 result; `gamma`: the threshold."""
    truth, noisy = universal_threshold_signal()
    right, right_gamma = _denoise(noisy)
    expect_number(gamma, right_gamma, name="gamma", rtol=1e-6, mistakes={
        "this threshold uses the standard deviation of all of d1, which the signal's "
        "steps inflate; use the median absolute value over 0.6745.":
            np.std(pywt.wavedec(noisy, "db2", level=5)[-1])
            * np.sqrt(2 * np.log(noisy.size)),
        "this threshold takes sigma from the coarsest details (d5); the finest details "
        "d1 are the last element of wavedec's list.": _denoise(noisy, sigma_from=1)[1],
        "this threshold uses log10; the universal threshold has the natural logarithm.":
            _denoise(noisy, log=np.log10)[1],
        "this is sigma, not the threshold: multiply by sqrt(2 ln n).":
            right_gamma / np.sqrt(2 * np.log(noisy.size)),
    })
    expect_array(denoised, right, name="denoised", rtol=1e-6, atol=1e-9, dtype="float",
                 mistakes={
                     "this is hard thresholding; the exercise asks for soft (shrink the "
                     "survivors by gamma).": _denoise(noisy, mode="hard")[0],
                     "this thresholds the trend too; leave the first element of "
                     "wavedec's list alone.": pywt.waverec(
                         [pywt.threshold(c, right_gamma, mode="soft")
                          for c in pywt.wavedec(noisy, "db2", level=5)],
                         "db2")[:noisy.size],
                     "this is the noisy signal itself.": noisy,
                 })
    before = np.sqrt(np.mean((noisy - truth) ** 2))
    after = np.sqrt(np.mean((right - truth) ** 2))
    return (f"the RMS error falls from {before:.3f} to {after:.3f}, and the steps stay "
            "sharp.")
