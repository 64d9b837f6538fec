"""Checkers of the exercises of lecture 2, chapter 9, "Non-local means"
(``chapters/lecture-02/09-non-local-means.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c09-patch-weight`` is checked by :func:`check_patch_weight`). Each
returns a :class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: "
and one sentence about what is wrong.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, checker, expect_number

__all__ = ["check_patch_weight", "check_choose_h", "H_CANDIDATES"]


# --------------------------------------------------------------------------
# Exercise: one NLM weight
# --------------------------------------------------------------------------
P, Q, H = (250, 300), (260, 330), 0.05


def _patch(image, row, col, half=2):
    return image[row - half:row + half + 1, col - half:col + half + 1]


@functools.cache
def _patch_numbers():
    import common.data as data

    wood = data.load("wood_radiograph")
    a, b = _patch(wood, *P), _patch(wood, *Q)
    msd = float(np.mean((a - b) ** 2))
    return msd, float(np.sum((a - b) ** 2)), float((wood[P] - wood[Q]) ** 2), \
        float((a.mean() - b.mean()) ** 2)


@checker("patch-weight")
def check_patch_weight(weight):
    """`weight`: exp(-d^2 / h^2) of the 5 x 5 patches at (250, 300) and (260, 330), h 0.05."""
    msd, ssd, centre, means = _patch_numbers()
    expect_number(weight, np.exp(-msd / H**2), name="weight", rtol=1e-3, mistakes={
        "this divides by h instead of h^2; h is in gray levels, so the squared "
        "difference is divided by h squared.": np.exp(-msd / H),
        "this uses the sum of the 25 squared differences; the exercise asks for their "
        "mean.": np.exp(-ssd / H**2),
        "this compares only the two centre pixels, not the patches.": np.exp(-centre / H**2),
        "this compares the patches' means; NLM compares them pixel by pixel.":
            np.exp(-means / H**2),
        "this is the mean squared difference itself; the weight is exp(-d^2 / h^2).": msd,
        "this takes the root of the mean squared difference before dividing by h^2.":
            np.exp(-np.sqrt(msd) / H**2),
    })
    if not 0 <= float(weight) <= 1:
        raise Wrong("a weight lies between 0 and 1.")
    return "a sizeable weight: the two patches are wood of similar density."


# --------------------------------------------------------------------------
# Exercise: choose h by measurement
# --------------------------------------------------------------------------
H_CANDIDATES = (0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2)


@functools.cache
def _h_scores(data_range=0.7):
    import common.data as data
    from skimage.metrics import peak_signal_noise_ratio
    from skimage.restoration import denoise_nl_means

    noisy = data.load("aggregate_ct")[64:192, 64:192]
    clean = data.load("aggregate_ct_clean")[64:192, 64:192]
    return tuple(peak_signal_noise_ratio(
        clean, denoise_nl_means(noisy, patch_size=5, patch_distance=6, h=h, fast_mode=True),
        data_range=data_range) for h in H_CANDIDATES)


@checker("choose-h")
def check_choose_h(best_h, best_psnr):
    """`best_h` of H_CANDIDATES with the highest PSNR (data_range 0.7), and that PSNR."""
    scores = _h_scores()
    k = int(np.argmax(scores))
    worst = H_CANDIDATES[int(np.argmin(scores))]
    expect_number(best_h, H_CANDIDATES[k], name="best_h", rtol=1e-6, mistakes={
        f"h = {worst} gives the lowest PSNR of the list: take the argmax, not the argmin.":
            worst,
    })
    expect_number(best_psnr, scores[k], name="best_psnr", rtol=2e-3, mistakes={
        "this PSNR uses data_range=1; the asphalt's values span 0.1 to 0.8, a range "
        "of 0.7.": _h_scores(1.0)[k],
        "this is the lowest PSNR of the list, not the best.": min(scores),
    })
    return f"h = {H_CANDIDATES[k]}, close to the noise's 0.14, gives {scores[k]:.1f} dB."
