"""Checkers of the exercises of lecture 2, chapter 10, "Verification: how
good is my filter?" (``chapters/lecture-02/10-verification.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c10-psnr`` is checked by :func:`check_psnr`). The reference answers
are computed here from the chapter's seeded data, not stored as numbers.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import checker, expect_number

__all__ = ["check_psnr", "check_ssim"]

#: The chapter's noise: sd 0.1 on test_pattern(size=256), seed 10.
NOISE_SD, NOISE_SEED, SIZE = 0.1, 10, 256
#: The chapter's 7 x 7 image for SSIM by hand: default_rng(2021).random((7, 7)).
SSIM_SEED = 2021


@functools.cache
def _over_smoothing():
    from scipy import ndimage as ndi

    from .. import data, noise

    truth = data.load("test_pattern", size=SIZE).astype(float)
    noisy = noise.gaussian(truth, NOISE_SD, rng=NOISE_SEED)
    return truth, noisy, ndi.gaussian_filter(noisy, 3)


def _psnr(truth, result, data_range):
    return float(10 * np.log10(data_range**2 / np.mean((truth - result) ** 2)))


@checker("psnr")
def check_psnr(psnr_over):
    """`psnr_over`: PSNR (dB) of the over-smoothed result against the truth."""
    truth, noisy, over = _over_smoothing()
    mse = np.mean((truth - over) ** 2)
    expect_number(psnr_over, _psnr(truth, over, 1.0), name="psnr_over", rtol=1e-3,
                  unit="dB", mistakes={
                      "that is the PSNR of the noisy input; score the over-smoothed "
                      "result.": _psnr(truth, noisy, 1.0),
                      "that compares the result with the noisy input, not with the "
                      "truth.": _psnr(noisy, over, 1.0),
                      "that is 20 log10 of 1/MSE; PSNR is 10 log10 of a ratio of "
                      "squares (or 20 log10 of 1/RMSE).": float(20 * np.log10(1 / mse)),
                      "that uses a data range of 2; the truth runs from 0 to 1, so "
                      "pass data_range=1 (scikit-image's own default for a float "
                      "truth that is never negative).": _psnr(truth, over, 2.0),
                      "that is the MSE, not the PSNR in dB.": float(mse),
                  })
    return "blurred edges cost more than the noise they remove."


@functools.cache
def _ssim_reference():
    a = np.random.default_rng(SSIM_SEED).random((7, 7))
    d = 0.5 * a

    def ssim(L, ddof, c1=0.01, c2=0.03, squared=True):
        C1 = (c1 * L) ** 2 if squared else c1 * L
        C2 = (c2 * L) ** 2 if squared else c2 * L
        cov = np.cov(a.ravel(), d.ravel(), ddof=ddof)[0, 1]
        return float((2 * a.mean() * d.mean() + C1) * (2 * cov + C2)
                     / ((a.mean() ** 2 + d.mean() ** 2 + C1)
                        * (a.var(ddof=ddof) + d.var(ddof=ddof) + C2)))

    return ssim


@checker("ssim")
def check_ssim(ssim_darker):
    """`ssim_darker`: SSIM of the chapter's `a` against `0.5 * a`, L = 1, one window."""
    ssim = _ssim_reference()
    expect_number(ssim_darker, ssim(1.0, 1), name="ssim_darker", rtol=1e-4, mistakes={
        "that uses a data range of 255; the image runs from 0 to 1, so L = 1.":
            ssim(255.0, 1),
        "the constants are C1 = (0.01 L)² and C2 = (0.03 L)², squared.":
            ssim(1.0, 1, squared=False),
    })
    return "luminance and contrast each cost a factor of about 0.8."
