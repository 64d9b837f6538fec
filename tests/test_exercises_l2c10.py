"""Checkers of lecture 2 chapter 10's exercises (common/exercises/l2c10.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import numpy as np
from scipy import ndimage as ndi
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from common import data, noise
from common.exercises import l2c10
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_psnr():
    truth = data.load("test_pattern", size=256).astype(float)
    noisy = noise.gaussian(truth, 0.1, rng=10)
    over = ndi.gaussian_filter(noisy, 3)
    correct(l2c10.check_psnr(peak_signal_noise_ratio(truth, over, data_range=1)))
    # Without data_range, scikit-image takes 1 for a float truth >= 0: also right.
    correct(l2c10.check_psnr(peak_signal_noise_ratio(truth, over)))
    rejected(l2c10.check_psnr(peak_signal_noise_ratio(truth, noisy, data_range=1)),
             "noisy input")
    rejected(l2c10.check_psnr(peak_signal_noise_ratio(noisy, over, data_range=1)),
             "not with the truth")
    mse = np.mean((truth - over) ** 2)
    rejected(l2c10.check_psnr(20 * np.log10(1 / mse)), "ratio of squares")
    rejected(l2c10.check_psnr(peak_signal_noise_ratio(truth, over, data_range=2)),
             "data_range=1")
    rejected(l2c10.check_psnr(mse), "MSE")
    rejected(l2c10.check_psnr(30.0), "too large")


def test_ssim():
    a = np.random.default_rng(2021).random((7, 7))
    d = 0.5 * a
    correct(l2c10.check_ssim(structural_similarity(a, d, data_range=1)))
    rejected(l2c10.check_ssim(structural_similarity(a, d, data_range=255)), "L = 1")
    C1, C2 = 0.01, 0.03
    cov = np.cov(a.ravel(), d.ravel())[0, 1]
    unsquared = ((2 * a.mean() * d.mean() + C1) * (2 * cov + C2)
                 / ((a.mean() ** 2 + d.mean() ** 2 + C1)
                    * (a.var(ddof=1) + d.var(ddof=1) + C2)))
    rejected(l2c10.check_ssim(unsquared), "squared")
    rejected(l2c10.check_ssim(0.64), "too small")
