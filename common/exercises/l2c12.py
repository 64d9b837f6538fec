"""Checkers of the exercises of lecture 2, chapter 12, "Overview and
take-home message" (``chapters/lecture-02/12-overview.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c12-mse-8bit`` is checked by :func:`check_mse_8bit`). The reference
answers are computed here with :mod:`common.filter_comparison`, as the
chapter computes them, not stored as numbers.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, as_number, checker, expect_number

__all__ = ["check_mse_8bit", "check_ssim_tuning"]


# --------------------------------------------------------------------------
# Exercise: back to the units of 2021
# --------------------------------------------------------------------------
@functools.cache
def _tv_psnr_at_10():
    from .. import filter_comparison as fc

    clean = fc.target()
    tuned = {10: fc.tune(10, clean)}
    runs = fc.evaluate(tuned, snrs=(10,), clean=clean)
    return runs[runs["filter"] == "TV"]["psnr"].to_numpy()


@checker("mse-8bit")
def check_mse_8bit(tv_mse_8bit):
    """`tv_mse_8bit`: mean over the draws of the TV filter's MSE at SNR 10, 0-255 units."""
    psnr = _tv_psnr_at_10()
    mse = 10 ** (-psnr / 10)
    expect_number(tv_mse_8bit, float(np.mean(255**2 * mse)), name="tv_mse_8bit",
                  rtol=0.005, mistakes={
                      "that is the MSE of images from 0 to 1; 8-bit values are 255 times "
                      "larger, so their squared errors 255² times.": float(np.mean(mse)),
                      "that scales by 255, not 255²: the error is squared.":
                          float(np.mean(255 * mse)),
                      "that undoes the PSNR with 10^(-PSNR/20), the root of the MSE; "
                      "PSNR is 10 log10 of a ratio of squares.":
                          float(np.mean(255**2 * 10 ** (-psnr / 20))),
                      "that is the mean PSNR, not an MSE.": float(np.mean(psnr)),
                  })
    return "the MSE back in the units of an 8-bit image."


# --------------------------------------------------------------------------
# Exercise: tuned by SSIM
# --------------------------------------------------------------------------
@functools.cache
def _box_scores_at_3():
    from .. import filter_comparison as fc

    clean = fc.target()
    image = fc.noisy(clean, 3, np.random.default_rng([fc.TUNING_SEED, 3000]))
    return {size: fc.scores(clean, fc.apply("box", image, size, 1 / 3))
            for size in fc.GRIDS["box"]}


@checker("ssim-tuning")
def check_ssim_tuning(box_size_ssim):
    """`box_size_ssim`: the box size of the grid with the best SSIM at SNR 3."""
    scores = _box_scores_at_3()
    by_ssim = max(scores, key=lambda s: scores[s][1])
    by_psnr = max(scores, key=lambda s: scores[s][0])
    size = as_number(box_size_ssim, "box_size_ssim")
    if not float(size).is_integer():
        raise Wrong(f"`box_size_ssim` = {size} is not a whole number; give the side of the "
                    "box in pixels, one of fc.GRIDS['box'].")
    size = int(size)
    if size == by_psnr and by_psnr != by_ssim:
        raise Wrong(f"`box_size_ssim` = {size} is the size with the best PSNR; pick the "
                    "largest SSIM, the second value fc.scores returns.")
    if size == min(scores, key=lambda s: scores[s][1]):
        raise Wrong(f"`box_size_ssim` = {size} has the lowest SSIM; take the largest.")
    if size not in scores:
        raise Wrong(f"`box_size_ssim` = {size} is not a size of the grid "
                    f"{sorted(scores)}.")
    if size != by_ssim:
        raise Wrong(f"`box_size_ssim` = {size} is not the size with the best SSIM.")
    return "SSIM and PSNR disagree on the best box."
