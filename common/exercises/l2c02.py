"""Checkers of the exercises of lecture 2, chapter 2, "Measurements are rarely
perfect" (``chapters/lecture-02/02-imperfect-measurements.md``).

:func:`check_rounding` judges the standard deviation of a 12-bit camera's
rounding noise; :func:`check_ring` the radius of the ring a stuck detector bin
leaves in a reconstruction.
"""
from __future__ import annotations

import math

import numpy as np

from ._check import checker, expect_number

__all__ = ["check_rounding", "check_ring", "STUCK_SEED", "stuck_bin"]

#: 12 bits: transmission 0 to 1 on the levels 0 to 4095.
_STEP = 1 / 4095
#: The seed of the generator that picks the stuck bin in the chapter.
STUCK_SEED = 7
#: The rotation axis of ``ct_bone_sinogram_clean`` (bin 208 of 416).
_AXIS = 208


def stuck_bin(seed: int = STUCK_SEED) -> int:
    """The bin the chapter's ``np.random.default_rng(seed).integers(40, 376)`` sets."""
    return int(np.random.default_rng(seed).integers(40, 376))


@checker("rounding")
def check_rounding(rounding_std):
    """`rounding_std`: the standard deviation of rounding to 1/4095 steps, step/sqrt(12)."""
    right = _STEP / math.sqrt(12)
    expect_number(rounding_std, right, name="rounding_std", rtol=0.01, mistakes={
        "that is the largest rounding error (half a step), not the standard deviation of "
        "a uniform error.": _STEP / 2,
        "that is the variance (step squared over 12); the question asks for the standard "
        "deviation.": _STEP**2 / 12,
        "that is the standard deviation in levels (counts); convert it to transmission "
        "by the size of one level.": 1 / math.sqrt(12),
    }, hints={math.sqrt(12): "did you forget to divide by sqrt(12)?"})
    return "Rounding adds noise far below one percent of the range."


@checker("ring")
def check_ring(ring_radius):
    """`ring_radius`: |stuck bin - 208| pixels."""
    stuck = stuck_bin()
    right = abs(stuck - _AXIS)
    expect_number(ring_radius, right, name="ring_radius", atol=1.0, rtol=0.0, mistakes={
        "that is the bin's index; the ring's radius is its distance from the rotation "
        "axis (bin 208).": stuck,
        "that is the ring's diameter; the radius is half of it.": 2 * right,
        "that is the distance from the other end of the detector; measure from the "
        "rotation axis, bin 208.": 415 - stuck,
    })
    return "A stuck bin leaves a ring at its distance from the axis."
