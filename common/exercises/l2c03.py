"""Checkers of the exercises of lecture 2, chapter 3, "Noise and artifacts"
(``chapters/lecture-02/03-noise-and-artifacts.md``).

:func:`check_thresholds` judges salt-and-pepper thresholds for a given noise;
:func:`check_counts` an exposure time for a target SNR under counting noise;
:func:`check_temporal_noise` the temporal noise of one flat-field frame,
measured from a pair.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, as_number, checker, expect_number, fmt

__all__ = ["check_thresholds", "check_counts", "check_temporal_noise"]


@checker("thresholds")
def check_thresholds(lambda1, lambda2):
    """`lambda1`, `lambda2`: 4 % pepper (u < lambda1) and 2 % salt (u > lambda2)."""
    low = as_number(lambda1, "lambda1")
    high = as_number(lambda2, "lambda2")
    if not (0 <= low <= 1 and 0 <= high <= 1):
        raise Wrong(f"thresholds compare with a uniform number between 0 and 1; got "
                    f"lambda1 = {fmt(low)}, lambda2 = {fmt(high)}.")
    if np.isclose(low, 0.04) and np.isclose(high, 0.02):
        raise Wrong("lambda2 = 0.02 would set every pixel above 0.02 to white: salt takes "
                    "the pixels with u > lambda2, a fraction 1 - lambda2.")
    if low > high:
        raise Wrong(f"lambda1 = {fmt(low)} is above lambda2 = {fmt(high)}; pepper lies "
                    "below lambda1 and salt above lambda2, so lambda1 < lambda2.")
    if np.isclose(low, 0.02) and np.isclose(high, 0.96):
        raise Wrong("this gives 2 % pepper and 4 % salt: the other way round.")
    pepper, salt = low, 1 - high
    if not np.isclose(pepper + salt, 0.06, atol=1e-6):
        raise Wrong(f"these thresholds hit {fmt((pepper + salt) * 100, 3)} % of the "
                    "pixels (lambda1 + 1 - lambda2); the exercise asks for 6 %.")
    if not np.isclose(pepper, 2 * salt, atol=1e-6):
        raise Wrong(f"pepper (lambda1) is {fmt(pepper * 100, 3)} % and salt "
                    f"(1 - lambda2) {fmt(salt * 100, 3)} %; pepper should be twice salt.")
    return "Pepper below the first threshold, salt above the second."


@checker("counts")
def check_counts(exposure_s):
    """`exposure_s`: 1 s x (50 / 20)**2 = 6.25 s."""
    expect_number(exposure_s, 6.25, name="exposure_s", unit="s", rtol=0.005, mistakes={
        "that is the ratio of the SNRs; the SNR grows as the square root of the "
        "exposure, so the time grows with its square.": 2.5,
        "that scales the SNR with the square root the wrong way round: SNR ~ sqrt(t), "
        "so t ~ SNR**2.": float(np.sqrt(2.5)),
        "that is the exposure in milliseconds; the answer is in seconds.": 6250.0,
    })
    return "Two and a half times the SNR costs six and a quarter times the beam time."


@functools.lru_cache(maxsize=1)
def _temporal():
    import common.data as data

    first, second = data.load("flat_fields")[7].astype(np.float64)
    right = float(np.sqrt((first - second).var() / 2))
    wrapped = first.astype(np.uint16) - second.astype(np.uint16)
    return {
        "right": right,
        "single frame": float(first.std()),
        "difference": float((first - second).std()),
        "wrapped": float(np.sqrt(wrapped.astype(np.float64).var() / 2)),
        "wrapped std": float(wrapped.std()),
    }


@checker("temporal-noise")
def check_temporal_noise(temporal_std):
    """`temporal_std`: sqrt(var(a - b) / 2) of the highest-dose pair, in counts."""
    values = _temporal()
    expect_number(temporal_std, values["right"], name="temporal_std", unit="counts",
                  rtol=0.005, mistakes={
        "that is the standard deviation of one frame, which also holds the fixed "
        "pattern; take the difference of the two frames.": values["single frame"],
        "that is the standard deviation of the difference, which holds the noise of "
        "two frames; halve its variance.": values["difference"],
        "the uint16 difference wrapped around below 0; convert the frames to float "
        "before subtracting.": values["wrapped"],
        "the uint16 difference wrapped around below 0 (convert the frames to float "
        "before subtracting), and one frame has half its variance.":
            values["wrapped std"],
        "that is a variance (counts squared); take its square root.": values["right"] ** 2,
    })
    return "The fixed pattern is gone, the temporal noise is left."
