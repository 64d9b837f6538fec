"""Checkers of chapter 10's exercises (common/exercises/l1c10.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import numpy as np
import pytest

import common.data as data
from common import analysis
from common.exercises import l1c10
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ------------------------------------------------------------ other sections
def section_errors(seeds=range(1, 9), all_measured=False, all_true=False, way="m/t"):
    out = []
    for seed in seeds:
        result = analysis.analyse(data.load("bone_slice", seed=seed), analysis.BONE_SLICE)
        truth = data.load("bone_slice_cells", seed=seed)
        measured = len(result.objects) if all_measured else result.summary["count"]
        true = len(truth) if all_true else (truth["kind"] == "cell").sum()
        if way == "m/t":
            out.append(measured / true - 1)
        elif way == "t/m":
            out.append(true / measured - 1)
        else:
            out.append(measured - true)
    return np.array(out, dtype=float)


@pytest.fixture(scope="module")
def errors():
    return section_errors()


def test_other_sections_reference_and_its_story(errors):
    outside = int((abs(errors) > 0.05).sum())
    correct(l1c10.check_other_sections(errors, outside))
    correct(l1c10.check_other_sections(list(errors), np.int64(outside)))
    # what the solution says: all low, three of eight beyond 5 %, none beyond 6 %
    assert outside == 3 and (errors < 0).all() and errors.min() > -0.06


def test_other_sections_one_count_off_by_one_is_accepted(errors):
    # another machine may decide one pixel differently: one cell more or less
    shifted = errors.copy()
    shifted[0] += 1 / 93
    correct(l1c10.check_other_sections(shifted, 3))


@pytest.mark.parametrize("kwargs, words", [
    (dict(way="diff"), ["differences in cells"]),
    (dict(all_true=True), ["every true object"]),
    (dict(all_measured=True), ["every object the analysis found"]),
    (dict(way="t/m"), ["true / measured - 1"]),
    (dict(seeds=range(0, 8)), ["seeds 0 to 7"]),
])
def test_other_sections_typical_mistakes(errors, kwargs, words):
    rejected(l1c10.check_other_sections(section_errors(**kwargs), 3), *words)


def test_other_sections_percent_shape_and_count(errors):
    rejected(l1c10.check_other_sections(100 * errors, 3), "percent")
    rejected(l1c10.check_other_sections(errors[:7], 3), "shape")
    rejected(l1c10.check_other_sections(errors, 5), "within the tolerance")
    rejected(l1c10.check_other_sections(errors, 2), "outside")
    rejected(l1c10.check_other_sections(errors, 2.5), "whole number")


# ----------------------------------------------------------------- smoothing
SIGMAS = [0.28, 0.5, 0.75, 1.0, 1.5, 2.0]


@pytest.fixture(scope="module")
def counts():
    bone = data.load("bone_slice")
    return np.array([analysis.analyse(bone, analysis.BONE_SLICE.replace(sigma=s))
                     .summary["count"] for s in SIGMAS])


def test_smoothing_reference_and_its_story(counts):
    largest = max(s for s, n in zip(SIGMAS, counts) if abs(n / 99 - 1) <= 0.05)
    correct(l1c10.check_smoothing(counts, largest))
    correct(l1c10.check_smoothing(list(counts), 0.5))
    # what the solution says: fine to half a pixel, a fifth lost at one, nearly all at two
    assert largest == 0.5 and counts[3] < 80 and counts[-1] <= 5


def test_smoothing_typical_mistakes(counts):
    bone = data.load("bone_slice")
    everything = [len(analysis.analyse(bone, analysis.BONE_SLICE.replace(sigma=s)).objects)
                  for s in SIGMAS]
    rejected(l1c10.check_smoothing(everything, 0.5), "every object")
    rejected(l1c10.check_smoothing(counts - 99, 0.5), "errors against the truth")
    rejected(l1c10.check_smoothing(counts[:5], 0.5), "shape")
    rejected(l1c10.check_smoothing(counts.astype(float) + 0.5, 0.5), "counts")


def test_smoothing_largest_sigma(counts):
    rejected(l1c10.check_smoothing(counts, 0.75), "more than 5 % off")
    rejected(l1c10.check_smoothing(counts, 0.28), "too small")
    rejected(l1c10.check_smoothing(counts, 0.6), "not one of the values tried")
