"""Checker of the exercise of lecture 2, chapter 1, "Today's lecture"
(``chapters/lecture-02/01-todays-lecture.md``).

:func:`check_noisy` judges a function ``noisy(image, sigma, seed)`` that adds
Gaussian noise drawn from a generator seeded with ``seed``.
"""
from __future__ import annotations

import numpy as np

from ._check import Wrong, checker, fmt

__all__ = ["check_noisy"]

#: The test image (a flat gray square) and noise level the check uses.
_IMAGE = np.full((64, 64), 0.5)
_SIGMA = 0.1


def _global_state():
    state = np.random.get_state()
    return state[0], state[1].copy(), state[2:]


def _same_state(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2] == b[2]


def _call(noisy, image, sigma, seed):
    try:
        out = noisy(image, sigma, seed)
    except Exception as error:  # noqa: BLE001 - the student's function
        raise Wrong(f"noisy(image, {sigma}, {seed}) raised {type(error).__name__}: "
                    f"{error}.") from None
    if out is None:
        raise Wrong("noisy(...) returned None: the function needs a `return` with the "
                    "noisy image.")
    out = np.asarray(out)
    if out.shape != image.shape:
        raise Wrong(f"noisy(...) returned shape {out.shape} for an image of shape "
                    f"{image.shape}: draw one noise value per pixel (size=image.shape).")
    if out.dtype.kind != "f":
        raise Wrong(f"noisy(...) returned {out.dtype} values; noise of standard deviation "
                    f"{sigma} needs floating-point numbers.")
    return out


@checker("noisy")
def check_noisy(noisy):
    """`noisy`: a function (image, sigma, seed) -> image plus N(0, sigma^2) noise,
    repeatable for one seed, different for another, without side effects."""
    if not callable(noisy):
        raise Wrong(f"`noisy` is a {type(noisy).__name__}; the exercise asks for a function, "
                    "defined with def noisy(image, sigma, seed): ...")
    image = _IMAGE.copy()
    before = _global_state()
    first = _call(noisy, image, _SIGMA, 7)
    reseeded_global = not _same_state(before, _global_state())
    if not np.array_equal(image, _IMAGE):
        raise Wrong("noisy(...) changed the image it was given (in place, e.g. with +=); "
                    "return a new array and leave the input alone.")
    again = _call(noisy, image, _SIGMA, 7)
    if not np.array_equal(first, again):
        raise Wrong("two calls with the same seed gave different noise: make the generator "
                    "inside the function, from `seed`, so that every call starts afresh.")
    other = _call(noisy, image, _SIGMA, 8)
    if np.array_equal(first, other):
        raise Wrong("seeds 7 and 8 gave the same noise: the function does not use `seed`.")
    if reseeded_global:
        raise Wrong("the function reseeds or draws from NumPy's global generator "
                    "(np.random.seed, np.random.normal), which changes the random numbers "
                    "of all other code; use np.random.default_rng(seed) instead.")
    mean = float(first.mean())
    if abs(mean) < 0.05:
        raise Wrong("the result averages about 0 on an image of 0.5: it returns the noise "
                    "alone; add the noise to the image.")
    added = first - image
    spread = float(added.std())
    if spread == 0:
        raise Wrong("the result equals the image: no noise was added.")
    if abs(spread / _SIGMA**2 - 1) < 0.15:
        raise Wrong(f"with sigma = {_SIGMA} the noise has standard deviation about "
                    f"{fmt(spread, 2)}, i.e. sigma squared: normal(mean, scale) takes the "
                    "standard deviation, not the variance.")
    if abs(spread / _SIGMA - 1) > 0.1:
        raise Wrong(f"with sigma = {_SIGMA} the noise has standard deviation "
                    f"{fmt(spread, 3)}; it should be sigma itself.")
    if abs(float(added.mean())) > 0.02:
        raise Wrong(f"the noise averages {fmt(float(added.mean()), 3)}; Gaussian noise of "
                    "mean 0 should average close to 0 (normal(0, sigma)).")
    return "The same seed gives the same noise, and nothing else is touched."
