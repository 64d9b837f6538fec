"""Checkers of the exercises of "Motivation: you have data" (lecture 1,
chapter 3: ``chapters/lecture-01/03-you-have-data.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c03-detector-rate`` is checked by :func:`check_detector_rate`). Each
returns a :class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: "
and one sentence about what is wrong.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ._check import (Wrong, as_array, as_number, checker, expect_array, expect_number,
                     expect_quantity)

__all__ = ["check_detector_rate", "check_study_hours", "check_threshold_sweep",
           "CAMERA", "SSD_RATE", "STUDY", "THRESHOLDS"]

MB = 1e6


# --------------------------------------------------------------------------
# Exercise: the data rate of a camera
# --------------------------------------------------------------------------
#: The camera of the exercise: width, height (pixels), bits per pixel, frames/s.
CAMERA = dict(width=2048, height=2048, bits=16, fps=100)
#: Write rate of one SATA solid-state disk (bytes/s), as in the chapter's table.
SSD_RATE = 550 * MB


def _camera_rate(bits=CAMERA["bits"], fps=CAMERA["fps"], unit=MB):
    """The camera's rate in MB/s (or in another ``unit`` of bytes)."""
    return CAMERA["width"] * CAMERA["height"] * bits / 8 * fps / unit


@checker("detector-rate")
def check_detector_rate(rate_mb_s, ssds):
    """`rate_mb_s`: the camera's data rate in MB/s; `ssds`: SATA disks needed."""
    rate = _camera_rate()
    expect_quantity(rate_mb_s, rate, "MB/s", name="rate_mb_s", rtol=2e-3,
                    units={"GB/s": 1000.0, "kB/s": 1e-3}, mistakes={
        "that is megabits per second; a byte has 8 bits, so divide by 8 "
        "(16 bits are 2 bytes per pixel).": _camera_rate(unit=MB / 8),
        "that counts 1 byte per pixel; 16 bits are 2 bytes.": _camera_rate(bits=8),
        "that is the size of one frame; multiply by the 100 frames per second.":
            _camera_rate(fps=1),
        "that is in MiB/s (2^20 bytes); the exercise counts 1 MB = 10^6 bytes.":
            _camera_rate(unit=2**20),
        "that is in bytes per second; divide by 10^6 for MB/s.": _camera_rate(unit=1),
    })
    number = as_number(ssds, "ssds")
    exact = rate * MB / SSD_RATE
    needed = math.ceil(exact)
    if number != int(number):
        raise Wrong(f"`ssds` = {number:g} is not a whole number of disks; round up "
                    "(math.ceil): a fraction of a disk cannot be bought.")
    if int(number) == math.floor(exact):
        raise Wrong(f"`ssds` = {int(number)} disk(s) write only {int(number) * 550} MB/s, less "
                    "than the camera delivers: round up (math.ceil), not down.")
    if int(number) != needed:
        raise Wrong(f"`ssds` = {int(number)}, but the camera's rate divided by 550 MB/s per "
                    "disk, rounded up, gives another number of disks.")
    return "Two bytes per pixel, a hundred times a second: that fills a fast disk."


# --------------------------------------------------------------------------
# Exercise: read, then analyse
# --------------------------------------------------------------------------
#: The study of the exercise: samples, slices, pixels per slice, bytes per
#: voxel, disk rate (bytes/s), analysis time per sample (s), cores.
STUDY = dict(samples=1090, slices=2000, pixels=2048 * 2048, bytes_per_voxel=2,
             disk_rate=200 * MB, analyse_s=60.0, cores=16)


def _study():
    """Seconds to read one sample, seconds to analyse it, number of samples."""
    s = STUDY
    read = s["slices"] * s["pixels"] * s["bytes_per_voxel"] / s["disk_rate"]
    return read, s["analyse_s"], s["samples"]


_TIME_HINTS = {3600.0: "that is in seconds; divide by 3600 for hours.",
               60.0: "that is in minutes; divide by 60 for hours.",
               1 / 24: "that is in days; multiply by 24 for hours."}


@checker("study-hours")
def check_study_hours(hours_one_core, hours_16_cores):
    """Hours for the 1090 samples: one core reading then analysing, and 16
    cores sharing one disk with reading and computing overlapping."""
    read, analyse, n = _study()
    cores = STUDY["cores"]
    one = n * (read + analyse) / 3600
    many = max(n * read, n * analyse / cores) / 3600
    expect_number(hours_one_core, one, name="hours_one_core", unit="h", rtol=5e-3,
                  hints=_TIME_HINTS, mistakes={
                      "that is the analysis alone; every sample must first be read from "
                      "the disk (16.8 GB at 200 MB/s).": n * analyse / 3600,
                      "that is the reading alone; add the 60 s of analysis per sample.":
                          n * read / 3600,
                      "that reads at 200 Mbit/s; the disk delivers 200 MB/s (megabytes).":
                          n * (8 * read + analyse) / 3600,
                  })
    expect_number(hours_16_cores, many, name="hours_16_cores", unit="h", rtol=5e-3,
                  hints=_TIME_HINTS, mistakes={
                      "dividing everything by 16 assumes 16 disks; all cores read from one "
                      "disk, which is no faster for having more readers.": one / cores,
                      "that is the computing alone; the single disk still has to deliver "
                      "every sample, and that takes longer.": n * analyse / cores / 3600,
                      "reading and computing overlap, so the longer of the two sets the "
                      "pace: take the larger, not the sum.": (n * read + n * analyse / cores) / 3600,
                      "that is the time on one core; with 16 cores the computing shrinks, "
                      "but the disk does not.": one,
                  })
    return "The disk, not the processor, sets the pace: more cores need more disks."


# --------------------------------------------------------------------------
# Exercise: the count error as the threshold moves
# --------------------------------------------------------------------------
#: The threshold levels of the exercise.
THRESHOLDS = (32, 64, 96, 128, 160, 192, 224)
#: The rules of the bone cell map (``data.describe("bone_cells")``).
TOO_BIG, ODD = 60, 0.7


@functools.cache
def _cell_map():
    import common.data as data

    return data.load("bone_cells"), data.load("bone_cells_truth")


@functools.cache
def _measured(level: int, strict_above: bool = False):
    """The chapter's measure_objects on the map thresholded at ``level``:
    (kinds, sides) of every object."""
    from skimage import measure

    image, _ = _cell_map()
    mask = image > level if strict_above else image >= level
    labels = measure.label(mask)
    props = measure.regionprops_table(labels, properties=("centroid", "area", "solidity"))
    area, solidity, col = props["area"], props["solidity"], props["centroid-1"]
    kind = np.select([area > TOO_BIG, solidity < ODD], ["too_big", "odd"], default="cell")
    side = np.where(col < image.shape[1] / 2, "left", "right")
    return kind, side


def _sweep(strict_above=False, only_cells=True, true_all=False, error="relative",
           ratio="right/left"):
    """count_error and side_ratio for the exercise, or for a typical mistake."""
    _, truth = _cell_map()
    n_true = len(truth) if true_all else int((truth["kind"] == "cell").sum())
    errors, ratios = [], []
    for level in THRESHOLDS:
        kind, side = _measured(level, strict_above)
        chosen = (kind == "cell") if only_cells else np.ones(len(kind), bool)
        count = int(chosen.sum())
        errors.append({"relative": count / n_true - 1, "inverse": n_true / count - 1,
                       "difference": count - n_true, "ratio": count / n_true}[error])
        right, left = (side[chosen] == "right").sum(), (side[chosen] == "left").sum()
        ratios.append(right / left if ratio == "right/left" else left / right)
    return np.array(errors, float), np.array(ratios, float)


@checker("threshold-sweep")
def check_threshold_sweep(count_error, side_ratio):
    """`count_error` (measured / true - 1) and `side_ratio` (right / left) of
    the cells, one value per level of THRESHOLDS."""
    error_ref, ratio_ref = _sweep()
    n = len(THRESHOLDS)
    for name, value in (("count_error", count_error), ("side_ratio", side_ratio)):
        array = as_array(value, name)
        if array.shape != (n,):
            raise Wrong(f"`{name}` has shape {array.shape}; it should hold one value per "
                        f"threshold, {n} values, in the order of `thresholds`.")
    error_ok = np.allclose(as_array(count_error, "count_error"), error_ref, rtol=1e-6, atol=1e-9)
    ratio_ok = np.allclose(as_array(side_ratio, "side_ratio"), ratio_ref, rtol=1e-6, atol=1e-9)
    if not error_ok:
        above = _sweep(strict_above=True)[0]
        expect_array(count_error, error_ref, name="count_error", mistakes={
            "a pixel is cell when it is at or above the level: use >=, not >.": above,
            "this counts every object; keep only the objects of kind \"cell\".":
                _sweep(only_cells=False)[0],
            "the true number is the number of true *cells* (kind \"cell\"), not of all "
            "true objects.": _sweep(true_all=True)[0],
            "that is true / measured - 1; the error is measured / true - 1.":
                _sweep(error="inverse")[0],
            "that is the difference in cells; divide by the true number for the relative "
            "error.": _sweep(error="difference")[0],
            "that is measured / true; subtract 1 for the error (0 means exact).":
                _sweep(error="ratio")[0],
        })
    if not ratio_ok:
        expect_array(side_ratio, ratio_ref, name="side_ratio", mistakes={
            "that is left / right; the exercise asks for right / left.":
                _sweep(ratio="left/right")[1],
            "a pixel is cell when it is at or above the level: use >=, not >.":
                _sweep(strict_above=True)[1],
            "this counts every object on each side; keep only the objects of kind \"cell\".":
                _sweep(only_cells=False)[1],
        })
    return ("The count depends on the threshold; the comparison of the sides much less, "
            "up to a point.")
