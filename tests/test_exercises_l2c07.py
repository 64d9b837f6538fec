"""Checkers of lecture 2, chapter 7, "Scale spaces" (common/exercises/l2c07.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import numpy as np
import pywt
from skimage.transform import pyramid_gaussian

from common.exercises import l2c07
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ----------------------------------------------------------- pyramid shapes
def test_pyramid_shapes():
    shapes = [level.shape for level in pyramid_gaussian(np.zeros((300, 200)), downscale=2)]
    correct(l2c07.check_pyramid_shapes(shapes))
    assert len(shapes) == 10 and shapes[3] == (38, 25) and shapes[-1] == (1, 1)
    correct(l2c07.check_pyramid_shapes([list(s) for s in shapes]))
    rejected(l2c07.check_pyramid_shapes(shapes[1:]), "level 0")
    rejected(l2c07.check_pyramid_shapes([s[::-1] for s in shapes]), "300 rows")
    floor = [(300, 200), (150, 100), (75, 50), (37, 25), (18, 12), (9, 6), (4, 3),
             (2, 1), (1, 1)]
    rejected(l2c07.check_pyramid_shapes(floor), "rounds them up")
    max5 = [level.shape for level in pyramid_gaussian(np.zeros((300, 200)), max_layer=5)]
    rejected(l2c07.check_pyramid_shapes(max5), "stops after level 5")
    rejected(l2c07.check_pyramid_shapes(3), "list of shapes")
    rejected(l2c07.check_pyramid_shapes(...), "placeholder")


# ------------------------------------------------------ universal threshold
def student_denoise(mode="soft", sigma_index=-1, log=np.log, threshold_trend=False):
    rng = np.random.default_rng(5)
    x = np.linspace(0, 1, 2048)
    truth = 2 * x + (x > 0.3) - 1.5 * (x > 0.7)
    noisy = truth + rng.normal(0, 0.2, x.size)
    coeffs = pywt.wavedec(noisy, "db2", level=5)
    sigma = np.median(np.abs(coeffs[sigma_index])) / 0.6745
    gamma = sigma * np.sqrt(2 * log(noisy.size))
    start = 0 if threshold_trend else 1
    shrunk = coeffs[:start] + [pywt.threshold(d, gamma, mode=mode) for d in coeffs[start:]]
    return pywt.waverec(shrunk, "db2"), gamma, truth, noisy, sigma


def test_universal_threshold():
    denoised, gamma, truth, noisy, sigma = student_denoise()
    correct(l2c07.check_universal_threshold(denoised, gamma))
    # the reference solution works: the error falls more than threefold
    assert np.sqrt(np.mean((denoised - truth) ** 2)) < np.sqrt(np.mean((noisy - truth) ** 2)) / 3
    rejected(l2c07.check_universal_threshold(student_denoise("hard")[0], gamma), "soft")
    rejected(l2c07.check_universal_threshold(student_denoise(threshold_trend=True)[0], gamma),
             "trend")
    rejected(l2c07.check_universal_threshold(noisy, gamma), "noisy signal itself")
    rejected(l2c07.check_universal_threshold(denoised, sigma), "this is sigma")
    rejected(l2c07.check_universal_threshold(denoised, student_denoise(sigma_index=1)[1]),
             "coarsest details")
    rejected(l2c07.check_universal_threshold(denoised, student_denoise(log=np.log10)[1]),
             "log10")
    d1 = pywt.wavedec(noisy, "db2", level=5)[-1]
    rejected(l2c07.check_universal_threshold(denoised, d1.std() * np.sqrt(2 * np.log(2048))),
             "median absolute value")
    rejected(l2c07.check_universal_threshold(denoised[:-1], gamma), "denoised")
