"""Checkers of lecture 2 chapter 12's exercises (common/exercises/l2c12.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import numpy as np
import pytest

from common import filter_comparison as fc
from common.exercises import l2c12
from exercise_feedback import correct, lenient, rejected  # noqa: F401


@pytest.fixture(scope="module")
def tv_psnr():
    clean = fc.target()
    runs = fc.evaluate({10: fc.tune(10, clean)}, snrs=(10,), clean=clean)
    return runs[runs["filter"] == "TV"]["psnr"].to_numpy()


def test_mse_8bit(tv_psnr):
    mse = 10 ** (-tv_psnr / 10)
    answer = np.mean(255**2 * mse)
    correct(l2c12.check_mse_8bit(answer))
    # from the mean PSNR is within the tolerance (the spread is small)
    correct(l2c12.check_mse_8bit(255**2 * 10 ** (-tv_psnr.mean() / 10)))
    rejected(l2c12.check_mse_8bit(np.mean(mse)), "255²")
    rejected(l2c12.check_mse_8bit(np.mean(255 * mse)), "squared")
    rejected(l2c12.check_mse_8bit(np.mean(255**2 * 10 ** (-tv_psnr / 20))), "root")
    rejected(l2c12.check_mse_8bit(tv_psnr.mean()), "mean PSNR")
    rejected(l2c12.check_mse_8bit(answer * 1.1), "too large")


def test_ssim_tuning():
    clean = fc.target()
    image = fc.noisy(clean, 3, np.random.default_rng([fc.TUNING_SEED, 3000]))
    scores = {s: fc.scores(clean, fc.apply("box", image, s, 1 / 3)) for s in fc.GRIDS["box"]}
    best_ssim = max(scores, key=lambda s: scores[s][1])
    best_psnr = max(scores, key=lambda s: scores[s][0])
    assert best_ssim != best_psnr  # the exercise's point
    correct(l2c12.check_ssim_tuning(best_ssim))
    correct(l2c12.check_ssim_tuning(float(best_ssim)))
    rejected(l2c12.check_ssim_tuning(best_psnr), "best PSNR")
    worst = min(scores, key=lambda s: scores[s][1])
    rejected(l2c12.check_ssim_tuning(worst), "lowest SSIM")
    rejected(l2c12.check_ssim_tuning(4), "not a size of the grid")
    rejected(l2c12.check_ssim_tuning(4.5), "whole number")
    others = [s for s in scores if s not in (best_ssim, best_psnr, worst)]
    rejected(l2c12.check_ssim_tuning(others[0]), "not the size with the best SSIM")
