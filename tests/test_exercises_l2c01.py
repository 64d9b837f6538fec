"""The checker of lecture 2, chapter 1's exercise (common/exercises/l2c01.py)
accepts reference solutions written as a student would, and rejects each
typical wrong answer it names, with its own sentence."""
import numpy as np
import pytest

from common import noise
from common.exercises import STRICT_ENV
from common.exercises import l2c01
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def noisy(image, sigma, seed):
    generator = np.random.default_rng(seed)
    return image + generator.normal(0.0, sigma, size=np.shape(image))


def test_reference_solutions_are_accepted():
    correct(l2c01.check_noisy(noisy))
    correct(l2c01.check_noisy(lambda image, sigma, seed: noise.gaussian(image, sigma, rng=seed)))
    # standard_normal scaled by hand, and a float32 result
    def scaled(image, sigma, seed):
        rng = np.random.default_rng(seed)
        return (image + sigma * rng.standard_normal(image.shape)).astype(np.float32)
    correct(l2c01.check_noisy(scaled))


def test_typical_mistakes_are_named():
    shared = np.random.default_rng(1)
    rejected(l2c01.check_noisy(lambda image, sigma, seed: image + shared.normal(0, sigma, image.shape)),
             "same seed gave different noise")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: image + np.random.default_rng(3)
                               .normal(0, sigma, image.shape)), "does not use `seed`")
    def global_seed(image, sigma, seed):
        np.random.seed(seed)
        return image + np.random.normal(0, sigma, image.shape)
    rejected(l2c01.check_noisy(global_seed), "global generator", "default_rng")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: np.random.default_rng(seed)
                               .normal(0, sigma, image.shape)), "noise alone")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: image + np.random.default_rng(seed)
                               .normal(0, sigma**2, image.shape)), "sigma squared")
    def in_place(image, sigma, seed):
        image += np.random.default_rng(seed).normal(0, sigma, image.shape)
        return image
    rejected(l2c01.check_noisy(in_place), "changed the image")


def test_other_wrong_answers_get_a_helpful_sentence():
    rejected(l2c01.check_noisy(...), "still the placeholder")
    rejected(l2c01.check_noisy(0.1), "asks for a function")
    def forgot_return(image, sigma, seed):
        noisy(image, sigma, seed)
    rejected(l2c01.check_noisy(forgot_return), "returned None")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: noisy(image, sigma, seed)[0]),
             "shape (64,)")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: image + np.random.default_rng(seed)
                               .normal(0, 2 * sigma, image.shape)), "standard deviation")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: image + np.random.default_rng(seed)
                               .normal(0.1, sigma, image.shape)), "averages")
    rejected(l2c01.check_noisy(lambda image, sigma: image), "raised TypeError")
    rejected(l2c01.check_noisy(lambda image, sigma, seed: np.rint(noisy(image, sigma, seed))
                               .astype(int)), "floating-point")


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    from common.exercises import ExerciseNotSolved
    with pytest.raises(ExerciseNotSolved):
        l2c01.check_noisy(lambda image, sigma, seed: image)
