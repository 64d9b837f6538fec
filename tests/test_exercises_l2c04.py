"""Checkers of lecture 2, chapter 4, "What is a filter?" (common/exercises/l2c04.py):
each accepts a reference solution, written here as a student would, and rejects
every typical wrong answer it names, with its own sentence."""
import numpy as np
import pytest
from scipy import ndimage as ndi

from common.exercises import l2c04
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ------------------------------------------------------- sigma for stripes
def smallest_sigma(limit=0.01, amplitude=False):
    columns = np.arange(256)
    stripes = np.tile(np.sin(2 * np.pi * columns / 8), (256, 1))
    for sigma in np.arange(0.1, 10, 0.1).round(1):
        out = ndi.gaussian_filter(stripes, sigma, mode="wrap")
        kept = (np.abs(out).max() / np.abs(stripes).max() if amplitude
                else (out**2).sum() / (stripes**2).sum())
        if kept < limit:
            return sigma


def test_sigma_for_stripes():
    sigma = smallest_sigma()
    assert sigma == pytest.approx(2.8)
    correct(l2c04.check_sigma_for_stripes(sigma))
    # the continuous transfer function's answer is close enough
    correct(l2c04.check_sigma_for_stripes(2.75))
    rejected(l2c04.check_sigma_for_stripes(smallest_sigma(amplitude=True)), "amplitude",
             "squared")
    rejected(l2c04.check_sigma_for_stripes(smallest_sigma(0.1)), "10 %")
    rejected(l2c04.check_sigma_for_stripes(sigma + 0.5), "too large")
    rejected(l2c04.check_sigma_for_stripes(...), "placeholder")


# ---------------------------------------------------------------- separate
@pytest.fixture(scope="module")
def measured():
    rows, columns = np.mgrid[:200, :300]
    shading = 0.3 + 0.001 * columns + 0.4 * np.exp(-((rows - 80)**2 + (columns - 200)**2) / 3000)
    return shading + 0.1 * np.cos(2 * np.pi * rows / 5)


def test_separate(measured):
    correct(l2c04.check_separate(measured - ndi.gaussian_filter(measured, 3)))
    correct(l2c04.check_separate(measured - ndi.uniform_filter(measured, 5)))
    correct(l2c04.check_separate(measured - ndi.gaussian_filter(measured, 5, mode="mirror")))
    low = ndi.gaussian_filter(measured, 3)
    rejected(l2c04.check_separate(low), "shading", "low-pass")
    rejected(l2c04.check_separate(low - measured), "wrong sign")
    rejected(l2c04.check_separate(measured), "measured image itself")
    rejected(l2c04.check_separate(measured - ndi.gaussian_filter(measured, 3, mode="wrap")),
             "border mode")
    rejected(l2c04.check_separate(measured - ndi.gaussian_filter(measured, 1)), "too narrow")
    rejected(l2c04.check_separate(measured - ndi.gaussian_filter(measured, 20)), "so wide",
             "narrower")
    rejected(l2c04.check_separate(measured[:, :-1]), "shape")
    rejected(l2c04.check_separate(...), "placeholder")
