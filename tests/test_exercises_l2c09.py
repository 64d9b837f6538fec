"""Checkers of lecture 2, chapter 9, "Non-local means" (common/exercises/l2c09.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio
from skimage.restoration import denoise_nl_means

import common.data as data
from common.exercises import l2c09
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_patch_weight():
    wood = data.load("wood_radiograph")
    a = wood[248:253, 298:303]
    b = wood[258:263, 328:333]
    d2 = np.mean((a - b) ** 2)
    weight = np.exp(-d2 / 0.05**2)
    correct(l2c09.check_patch_weight(weight))
    assert 0.3 < weight < 0.5          # the solution's "about 0.4"
    rejected(l2c09.check_patch_weight(np.exp(-d2 / 0.05)), "instead of h^2")
    rejected(l2c09.check_patch_weight(np.exp(-np.sum((a - b) ** 2) / 0.05**2)), "sum")
    rejected(l2c09.check_patch_weight(np.exp(-(wood[250, 300] - wood[260, 330]) ** 2
                                             / 0.05**2)), "centre pixels")
    rejected(l2c09.check_patch_weight(np.exp(-(a.mean() - b.mean()) ** 2 / 0.05**2)),
             "means")
    rejected(l2c09.check_patch_weight(d2), "mean squared difference itself")
    rejected(l2c09.check_patch_weight(...), "placeholder")


def test_choose_h():
    noisy = data.load("aggregate_ct")[64:192, 64:192]
    clean = data.load("aggregate_ct_clean")[64:192, 64:192]
    candidates = [0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2]
    scores = [peak_signal_noise_ratio(clean, denoise_nl_means(
        noisy, patch_size=5, patch_distance=6, h=h, fast_mode=True), data_range=0.7)
        for h in candidates]
    best = int(np.argmax(scores))
    correct(l2c09.check_choose_h(candidates[best], scores[best]))
    assert candidates[best] == 0.12     # the solution's "0.12 against 0.14"
    worst = int(np.argmin(scores))
    rejected(l2c09.check_choose_h(candidates[worst], scores[best]), "argmin")
    rejected(l2c09.check_choose_h(candidates[best], min(scores)), "lowest PSNR")
    wrong_range = peak_signal_noise_ratio(clean, denoise_nl_means(
        noisy, patch_size=5, patch_distance=6, h=candidates[best], fast_mode=True),
        data_range=1)
    rejected(l2c09.check_choose_h(candidates[best], wrong_range), "data_range=1")
