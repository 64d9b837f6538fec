"""The checkers of lecture 2, chapter 2's exercises (common/exercises/l2c02.py)
accept reference solutions written as a student would, and reject each
typical wrong answer they name, with its own sentence."""
import math

import numpy as np
import pytest

import common.data as data
from common.exercises import STRICT_ENV
from common.exercises import l2c02
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_rounding_accepts_the_reference_and_close_variants():
    correct(l2c02.check_rounding(1 / 4095 / np.sqrt(12)))
    correct(l2c02.check_rounding(np.sqrt((1 / 4095) ** 2 / 12)))
    # 1/4096 as the step is 0.02 % off: accepted
    correct(l2c02.check_rounding(1 / 4096 / math.sqrt(12)))


def test_rounding_names_the_typical_mistakes():
    rejected(l2c02.check_rounding(1 / 4095 / 2), "half a step")
    rejected(l2c02.check_rounding((1 / 4095) ** 2 / 12), "variance")
    rejected(l2c02.check_rounding(1 / math.sqrt(12)), "in levels")
    rejected(l2c02.check_rounding(1 / 4095), "sqrt(12)")
    rejected(l2c02.check_rounding(...), "placeholder")
    rejected(l2c02.check_rounding("small"), "rounding_std")


def test_ring_reference_solution_from_the_sinogram():
    rng_ring = np.random.default_rng(l2c02.STUCK_SEED)
    stuck = data.load("ct_bone_sinogram_clean").astype(np.float64)
    stuck[rng_ring.integers(40, 376)] = 0.8
    # the row that does not vary over the angles, among rows that are not air
    spread = stuck.std(axis=1) + (stuck.mean(axis=1) == 0)
    bin_stuck = int(np.argmin(spread))
    assert bin_stuck == l2c02.stuck_bin()
    correct(l2c02.check_ring(abs(bin_stuck - 208)))
    correct(l2c02.check_ring(float(abs(bin_stuck - 208)) + 0.5))   # half a pixel off


def test_ring_names_the_typical_mistakes():
    stuck = l2c02.stuck_bin()
    radius = abs(stuck - 208)
    rejected(l2c02.check_ring(stuck), "bin's index")
    rejected(l2c02.check_ring(2 * radius), "diameter")
    rejected(l2c02.check_ring(415 - stuck), "other end")
    rejected(l2c02.check_ring(-radius), "wrong sign")
    rejected(l2c02.check_ring(radius + 10), "too large")


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    from common.exercises import ExerciseNotSolved
    with pytest.raises(ExerciseNotSolved):
        l2c02.check_ring(0)
