"""The checkers of lecture 2, chapter 3's exercises (common/exercises/l2c03.py)
accept reference solutions written as a student would, and reject each
typical wrong answer they name, with its own sentence."""
import numpy as np
import pytest

import common.data as data
from common import noise
from common.exercises import STRICT_ENV
from common.exercises import l2c03
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_thresholds_reference_and_its_noise():
    correct(l2c03.check_thresholds(0.04, 1 - 0.02))
    correct(l2c03.check_thresholds(np.float64(0.04), 0.98))
    # the thresholds do what the exercise asks, measured
    _, mask = noise.salt_and_pepper(np.full((500, 500), 0.5), 0.04, 0.98, rng=3,
                                    return_mask=True)
    assert abs(mask.mean() - 0.06) < 0.002


def test_thresholds_name_the_typical_mistakes():
    rejected(l2c03.check_thresholds(0.04, 0.02), "1 - lambda2")
    rejected(l2c03.check_thresholds(0.02, 0.96), "other way round")
    rejected(l2c03.check_thresholds(0.04, 0.96), "8 %")
    rejected(l2c03.check_thresholds(0.03, 0.97), "twice")
    rejected(l2c03.check_thresholds(4, 98), "between 0 and 1")
    rejected(l2c03.check_thresholds(0.5, 0.4), "lambda1 < lambda2")
    rejected(l2c03.check_thresholds(..., ...), "placeholder")


def test_counts():
    correct(l2c03.check_counts(1.0 * (50 / 20) ** 2))
    correct(l2c03.check_counts(6.25))
    rejected(l2c03.check_counts(2.5), "square")
    rejected(l2c03.check_counts(np.sqrt(2.5)), "wrong way round")
    rejected(l2c03.check_counts(6250), "milliseconds")
    rejected(l2c03.check_counts(7.0), "too large")


def test_temporal_noise_reference_and_mistakes():
    first, second = data.load("flat_fields")[7].astype(np.float64)
    correct(l2c03.check_temporal_noise(np.sqrt((first - second).var() / 2)))
    correct(l2c03.check_temporal_noise((first - second).std(ddof=1) / np.sqrt(2)))
    rejected(l2c03.check_temporal_noise(first.std()), "fixed pattern")
    rejected(l2c03.check_temporal_noise((first - second).std()), "halve")
    raw_a, raw_b = data.load("flat_fields")[7]
    rejected(l2c03.check_temporal_noise(np.sqrt((raw_a - raw_b).var() / 2)), "wrapped")
    rejected(l2c03.check_temporal_noise((raw_a - raw_b).std()), "wrapped")
    rejected(l2c03.check_temporal_noise((first - second).var() / 2), "variance")


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    from common.exercises import ExerciseNotSolved
    with pytest.raises(ExerciseNotSolved):
        l2c03.check_counts(2.5)
