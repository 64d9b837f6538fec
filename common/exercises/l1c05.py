"""Checkers of the exercises of "Different views on image analysis" (lecture 1,
chapter 5: ``chapters/lecture-01/05-views-on-image-analysis.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c05-noise`` is checked by :func:`check_noise`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong. The reference answers are computed here from
the book's data, the same way the exercise asks for them, so they follow the
data if it changes.
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np
from scipy import ndimage as ndi

from ._check import Wrong, as_number, checker, expect_array, expect_number, fmt

__all__ = ["check_noise", "check_porosity_threshold", "check_coins",
           "NOISE_LEVELS", "NOISE_SEED", "THRESHOLDS", "COIN_COUNT"]


# --------------------------------------------------------------------------
# Exercise: noise and the count
# --------------------------------------------------------------------------
#: Standard deviations of the added noise, gray levels.
NOISE_LEVELS = (0, 10, 20, 30, 40)
#: Seed of the fresh generator made for each noise level.
NOISE_SEED = 7


@functools.cache
def _slice():
    import common.data as data

    image = data.load("bone_slice")
    truth = data.load("bone_slice_cells")
    return image, truth, data.load("bone_slice_fractions")


@functools.cache
def _noise_errors(variant: str = "right") -> tuple[int, ...]:
    """Count errors at each noise level, done right or with a typical mistake."""
    from common import analysis

    image, truth, _ = _slice()
    true_cells = int((truth["kind"] == "cell").sum())
    shared = np.random.default_rng(NOISE_SEED)
    out = []
    for sigma in NOISE_LEVELS:
        rng = shared if variant == "shared" else np.random.default_rng(NOISE_SEED)
        noise = rng.normal(0, sigma, image.shape)
        if variant == "wrapped":       # back to uint8 without clipping: -3 -> 253
            noisy = (np.trunc(image + noise).astype(np.int64) % 256).astype(np.uint8)
        elif variant == "unclipped":
            noisy = image + noise
        else:
            noisy = np.clip(image + noise, 0, 255)
        result = analysis.analyse(noisy, analysis.BONE_SLICE)
        counted = len(result.objects) if variant == "all_objects" else result.summary["count"]
        if variant == "counts":
            out.append(int(counted))
        elif variant == "all_true":
            out.append(int(counted) - len(truth))
        else:
            out.append(int(counted) - true_cells)
    return tuple(out)


@checker("noise")
def check_noise(count_errors):
    """`count_errors`: count minus 99 true cells at noise 0, 10, 20, 30, 40 (5 integers)."""
    expected = np.array(_noise_errors())
    mistakes = {
        "these are the counts themselves; subtract the true number of single cells.":
            _noise_errors("counts"),
        "you compared with all 103 true objects; the count is of single cells "
        "(kind 'cell' in the truth table).": _noise_errors("all_true"),
        "these count every object, canals and odd ones too; take "
        "result.summary['count'], the single cells.": _noise_errors("all_objects"),
        "one generator was shared by all levels; make a fresh "
        f"np.random.default_rng({NOISE_SEED}) for each level, as the exercise says.":
            _noise_errors("shared"),
        "the noisy image wrapped around when it was turned back into 8-bit integers "
        "(-3 became 253); add the noise as floats and clip to 0..255.":
            _noise_errors("wrapped"),
        "the noisy values were not clipped to 0..255 (np.clip), which a detector "
        "would do.": _noise_errors("unclipped"),
    }
    # one pixel decided differently by floating point can change a count by 1;
    # above a thousand objects, by a few
    expect_array(count_errors, expected, name="count_errors", rtol=0.02, atol=1,
                 dtype="int", mistakes=mistakes)
    return ("The count holds while the bone's values stay together, and fails "
            "when the noise pulls Otsu's threshold into the bone.")


# --------------------------------------------------------------------------
# Exercise: the threshold that gives the true porosity
# --------------------------------------------------------------------------
#: The thresholds the exercise tries, gray levels.
THRESHOLDS = range(100, 161)


def _porosity(image, threshold, dark=True):
    matrix = image < threshold if dark else image > threshold
    bone = ndi.binary_fill_holes(matrix)
    holes = bone & ~matrix
    return holes.sum() / bone.sum() if bone.any() else math.nan


@functools.cache
def _closest_threshold(target: str = "all holes", dark: bool = True) -> int:
    image, truth, fractions = _slice()
    if target == "all holes":
        goal = fractions[1].sum() / fractions[0].sum()
    elif target == "cells only":
        goal = truth.loc[truth["kind"] == "cell", "area_px"].sum() / fractions[0].sum()
    else:
        raise ValueError(target)
    porosity = np.array([_porosity(image, t, dark) for t in THRESHOLDS])
    return int(list(THRESHOLDS)[int(np.nanargmin(np.abs(porosity - goal)))])


@checker("porosity-threshold")
def check_porosity_threshold(best_threshold):
    """`best_threshold`: the integer threshold (100..160) whose porosity is closest to the truth."""
    number = as_number(best_threshold, "best_threshold")
    if 0 < number < 1:
        raise Wrong(f"`best_threshold` = {fmt(number)} looks like a porosity; the exercise "
                    "asks for the threshold, a gray level from 100 to 160.")
    if not 100 <= number <= 160:
        raise Wrong(f"`best_threshold` = {fmt(number)} is outside the thresholds tried, "
                    "100 to 160.")
    right = _closest_threshold()
    mistakes = {}
    cells_only = _closest_threshold("cells only")
    if abs(cells_only - right) > 2:
        mistakes["that is closest to the porosity of the single cells only; the true porosity "
                 "counts every hole: fractions[1].sum() / fractions[0].sum()."] = cells_only
    inverted = _closest_threshold(dark=False)
    if abs(inverted - right) > 2:
        mistakes["the matrix (bone tissue) is the *dark* part, image < threshold."] = inverted
    # a neighbouring integer is as good an answer: the porosity changes by
    # about 1 % of itself per gray level here
    expect_number(number, right, name="best_threshold", rtol=0, atol=1, mistakes=mistakes)
    return "Close to the middle, but only the truth could tell you which gray level."


# --------------------------------------------------------------------------
# Exercise: coins, settings from their size
# --------------------------------------------------------------------------
#: The coins in skimage.data.coins(), counted by eye.
COIN_COUNT = 24


@functools.cache
def _photograph():
    import skimage.data

    return skimage.data.coins()


def _coins(n: int) -> str:
    return f"{n} coin" if n == 1 else f"{n} coins"


@checker("coins")
def check_coins(coin_settings, coin_count):
    """`coin_settings`: a Settings from for_objects; `coin_count`: the count it gives (24)."""
    from common import analysis

    if not isinstance(coin_settings, analysis.Settings):
        raise Wrong(f"`coin_settings` is a {type(coin_settings).__name__}; make it with "
                    "analysis.Settings.for_objects(min_size, max_size, ...).")
    count = as_number(coin_count, "coin_count")
    if isinstance(coin_count, bool) or not (isinstance(coin_count, numbers.Integral)
                                            or float(count).is_integer()):
        raise Wrong(f"`coin_count` = {fmt(count)} is not a whole number; take "
                    "result.summary['count'].")
    try:
        result = analysis.analyse(_photograph(), coin_settings)
    except ValueError as error:
        raise Wrong(f"these settings do not run on the coins: {error}") from None
    counted = result.summary["count"]
    if counted != count:
        raise Wrong(f"`coin_count` = {fmt(count)}, but your settings count {_coins(counted)}: "
                    "put result.summary['count'] of analysis.analyse(coins, coin_settings) in it.")
    if counted == COIN_COUNT:
        return "The count by eye and the count by the recipe agree."
    objects = result.objects
    too_small = objects.loc[objects["kind"] == "too_small", "size_px"]
    too_big = objects.loc[objects["kind"] == "too_big", "size_px"]
    if coin_settings.polarity != "bright":
        raise Wrong(f"your settings count {_coins(counted)}: the coins are brighter than the "
                    "table, polarity='bright'.")
    if (too_small > 500).any():
        coin_sized = objects.loc[objects["size_px"] > 500, "size_px"]
        ratio = coin_settings.min_size / float(coin_sized.min())
        hint = (" (the area is pi d^2 / 4: with the diameter in place of the radius it comes "
                "out 4 times too large)" if ratio > 2 else "")
        raise Wrong(f"your settings count {_coins(counted)} and call coins of "
                    f"{int(too_small.max())} px too small: min_size "
                    f"({coin_settings.min_size} px) is larger than the smallest coins{hint}.")
    if (too_big < 5000).any():
        raise Wrong(f"your settings count {_coins(counted)} and call coins of "
                    f"{int(too_big.min())} px too big: max_size ({fmt(coin_settings.max_size)} "
                    "px) is smaller than the largest coins; leave room above their area.")
    if coin_settings.background == 0:
        raise Wrong(f"your settings count {_coins(counted)}: the uneven light pulls the threshold "
                    "up and the coins in the dark corner are lost; set background= (in pixels, "
                    "about twice the largest coin's diameter).")
    if coin_settings.background > 3 * 62:
        raise Wrong(f"your settings count {_coins(counted)}: a background scale of "
                    f"{fmt(coin_settings.background)} px is nearly the size of the photograph and "
                    "no longer follows the uneven light; try about twice the largest diameter.")
    raise Wrong(f"your settings count {_coins(counted)}, not the {COIN_COUNT} of the photograph; "
                "look at result.objects['kind'].value_counts() and at the objects drawn over "
                "the image.")
