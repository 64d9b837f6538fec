"""Checkers of chapter 3's exercises (common/exercises/l1c03.py): each accepts
a reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import functools
import math

import numpy as np
import pandas as pd
import pytest
from skimage import measure

import common.data as data
from common.exercises import l1c03
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ------------------------------------------------------------ detector rate
def test_detector_rate():
    rate = 2048 * 2048 * 2 * 100 / 1e6
    correct(l1c03.check_detector_rate(rate, math.ceil(rate / 550)))
    correct(l1c03.check_detector_rate(838.9, 2))                    # rounded as printed
    correct(l1c03.check_detector_rate(np.float64(rate), np.int64(2)))
    correct(l1c03.check_detector_rate("838.9 MB/s", 2.0))           # a text with its unit
    correct(l1c03.check_detector_rate("0.8389 GB/s", 2))
    rejected(l1c03.check_detector_rate(rate * 8, 2), "megabits", "divide by 8")
    rejected(l1c03.check_detector_rate(rate / 2, 1), "1 byte per pixel")
    rejected(l1c03.check_detector_rate(rate / 100, 2), "one frame")
    rejected(l1c03.check_detector_rate(2048 * 2048 * 2 * 100 / 2**20, 2), "MiB")
    rejected(l1c03.check_detector_rate(rate * 1e6, 2), "bytes per second")
    rejected(l1c03.check_detector_rate(rate / 1000, 2), "right in GB/s")
    rejected(l1c03.check_detector_rate("838.9 Mbit/s", 2), "unit this check does not know")
    rejected(l1c03.check_detector_rate(900.0, 2), "7.29% too large")
    rejected(l1c03.check_detector_rate(rate, rate / 550), "not a whole number", "round up")
    rejected(l1c03.check_detector_rate(rate, 1), "round up", "not down")
    rejected(l1c03.check_detector_rate(rate, 3), "another number of disks")
    rejected(l1c03.check_detector_rate(rate, True), "truth value")
    rejected(l1c03.check_detector_rate(..., 2), "still the placeholder")


# -------------------------------------------------------------- study hours
def study_hours():
    read = 2000 * 2048 * 2048 * 2 / 200e6
    return read, 60.0, 1090


def test_study_hours():
    read, analyse, n = study_hours()
    one = n * (read + analyse) / 3600
    many = max(n * read, n * analyse / 16) / 3600
    correct(l1c03.check_study_hours(one, many))
    correct(l1c03.check_study_hours(round(one, 1), round(many, 1)))  # as printed
    # 16.8 GB per sample, rounded, is close enough
    correct(l1c03.check_study_hours(1090 * (84 + 60) / 3600, 1090 * 84 / 3600))
    rejected(l1c03.check_study_hours(n * analyse / 3600, many), "analysis alone")
    rejected(l1c03.check_study_hours(n * read / 3600, many), "reading alone")
    rejected(l1c03.check_study_hours(n * (8 * read + analyse) / 3600, many), "Mbit/s")
    rejected(l1c03.check_study_hours(one * 3600, many), "seconds", "3600")
    rejected(l1c03.check_study_hours(one * 60, many), "minutes")
    rejected(l1c03.check_study_hours(one / 24, many), "days")
    rejected(l1c03.check_study_hours(one, one / 16), "16 disks")
    rejected(l1c03.check_study_hours(one, n * analyse / 16 / 3600), "computing alone")
    rejected(l1c03.check_study_hours(one, (n * read + n * analyse / 16) / 3600),
             "larger, not the sum")
    rejected(l1c03.check_study_hours(one, one), "time on one core")
    rejected(l1c03.check_study_hours(one, many * 3600), "seconds")
    rejected(l1c03.check_study_hours(one, None), "None")


# ---------------------------------------------------------- threshold sweep
@functools.cache
def objects(strict, level):
    """The chapter's measure_objects on the cell map at one level (> if strict)."""
    cell_map = data.load("bone_cells")
    mask = cell_map > level if strict else cell_map >= level
    table = pd.DataFrame(measure.regionprops_table(
        measure.label(mask), properties=("label", "centroid", "area", "solidity")))
    table["side"] = np.where(table["centroid-1"] < cell_map.shape[1] / 2, "left", "right")
    return table


def sweep(strict=False, only_cells=True, true_kinds=("cell",), relative=True,
          right_over_left=True):
    """What a student writes (with the chapter's measure_objects), or a mistake."""
    truth = data.load("bone_cells_truth")
    n_true = truth["kind"].isin(true_kinds).sum()
    errors, ratios = [], []
    for level in (32, 64, 96, 128, 160, 192, 224):
        table = objects(strict, level)
        side = table["side"].to_numpy()
        kind = np.select([table["area"] > 60, table["solidity"] < 0.7], ["too_big", "odd"],
                         default="cell")
        keep = kind == "cell" if only_cells else np.ones(len(kind), bool)
        errors.append(keep.sum() / n_true - 1 if relative else keep.sum() - n_true)
        right, left = (side[keep] == "right").sum(), (side[keep] == "left").sum()
        ratios.append(right / left if right_over_left else left / right)
    return np.array(errors), np.array(ratios)


@pytest.fixture(scope="module")
def reference():
    return sweep()


def test_threshold_sweep_accepts_the_reference(reference):
    errors, ratios = reference
    correct(l1c03.check_threshold_sweep(errors, ratios))
    correct(l1c03.check_threshold_sweep(list(errors), tuple(ratios)))


def test_threshold_sweep_names_the_typical_mistakes(reference):
    errors, ratios = reference
    rejected(l1c03.check_threshold_sweep(errors * 100, ratios), "percentage")
    above = sweep(strict=True)
    assert not np.allclose(above[0], errors)      # the mistake is visible in the numbers
    rejected(l1c03.check_threshold_sweep(above[0], ratios), ">=, not >")
    rejected(l1c03.check_threshold_sweep(errors, above[1]), ">=, not >")
    every = sweep(only_cells=False)
    rejected(l1c03.check_threshold_sweep(every[0], ratios), "every object")
    rejected(l1c03.check_threshold_sweep(errors, every[1]), "every object on each side")
    rejected(l1c03.check_threshold_sweep(sweep(true_kinds=("cell", "odd", "too_big"))[0],
                                         ratios), "true *cells*")
    rejected(l1c03.check_threshold_sweep(sweep(relative=False)[0], ratios), "difference")
    rejected(l1c03.check_threshold_sweep(errors + 1, ratios), "subtract 1")
    rejected(l1c03.check_threshold_sweep(1 / (errors + 1) - 1, ratios), "true / measured")
    rejected(l1c03.check_threshold_sweep(errors, sweep(right_over_left=False)[1]),
             "left / right")
    rejected(l1c03.check_threshold_sweep(errors[:-1], ratios), "7 values")
    rejected(l1c03.check_threshold_sweep(errors, ratios[::-1]), "side_ratio")
    rejected(l1c03.check_threshold_sweep(..., ratios), "still the placeholder")
