"""Checkers of the exercises of lecture 2, chapter 8, "Parameterized scale
spaces: PDE filters" (``chapters/lecture-02/08-pde-filters.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c08-heat-budget`` is checked by :func:`check_heat_budget`). Each
returns a :class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: "
and one sentence about what is wrong.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from ._check import Wrong, checker, expect_number

__all__ = ["check_heat_budget", "check_square_tv", "total_variation", "dirichlet_energy"]


# --------------------------------------------------------------------------
# Exercise: heat equation budget
# --------------------------------------------------------------------------
SIGMA = 3


@checker("heat-budget")
def check_heat_budget(steps_2d, steps_3d):
    """Steps of the explicit heat equation for a Gaussian of sigma 3: 2D (tau 1/4), 3D (1/6)."""
    t = SIGMA**2 / 2
    for value, name, tau, limit in [(steps_2d, "steps_2d", 1 / 4, "1/4 in 2D"),
                                    (steps_3d, "steps_3d", 1 / 6, "1/6 in 3D")]:
        right = t / tau
        if (name == "steps_3d" and isinstance(value, (int, float, np.number))
                and abs(float(value) - t / 0.25) < 0.5):
            raise Wrong(f"`steps_3d` uses the 2D step; in 3D the largest stable step is {limit}.")
        expect_number(value, right, name=name, atol=0.5, rtol=0, mistakes={
            "this is sigma / tau: the time of the heat equation is t = sigma^2 / 2.":
                SIGMA / tau,
            "this is sigma^2 / tau: the time is t = sigma^2 / 2, not sigma^2.":
                SIGMA**2 / tau,
            "this uses t = sigma / 2; the width grows as the square root of time, "
            "sigma = sqrt(2 t).": SIGMA / 2 / tau,
        })
    return "Smaller stable steps in 3D cost 50 % more iterations for the same blur."


# --------------------------------------------------------------------------
# Exercise: the total variation of a square
# --------------------------------------------------------------------------
def _differences(u):
    dx = np.diff(u, axis=1, append=u[:, -1:])
    dy = np.diff(u, axis=0, append=u[-1:, :])
    return dx, dy


def total_variation(u):
    """Isotropic TV with forward differences, the last row and column repeated."""
    dx, dy = _differences(np.asarray(u, dtype=float))
    return float(np.sqrt(dx**2 + dy**2).sum())


def dirichlet_energy(u):
    """Sum of squared forward differences (the integral of |grad u|^2)."""
    dx, dy = _differences(np.asarray(u, dtype=float))
    return float((dx**2 + dy**2).sum())


def _square():
    square = np.zeros((100, 100))
    square[30:70, 30:70] = 1
    return square


def _anisotropic(u):
    dx, dy = _differences(np.asarray(u, dtype=float))
    return float((np.abs(dx) + np.abs(dy)).sum())


@checker("square-tv")
def check_square_tv(tv, energy, tv_blurred, energy_blurred):
    """TV and Dirichlet energy of the 40 x 40 square, sharp and blurred (sigma 3)."""
    square = _square()
    blurred = ndi.gaussian_filter(square, 3)
    wrong_square = np.zeros((100, 100))
    wrong_square[30:69, 30:69] = 1
    for value, name, image in [(tv, "tv", square), (tv_blurred, "tv_blurred", blurred)]:
        expect_number(value, total_variation(image), name=name, rtol=1e-4, mistakes={
            "this is the anisotropic TV, |dx| + |dy|; the chapter's TV is "
            "sqrt(dx^2 + dy^2).": _anisotropic(image),
            "this is the sum of squared differences (the Dirichlet energy), not TV.":
                dirichlet_energy(image),
            "this is the TV of a 39 x 39 square: rows and columns 30 to 69 are "
            "square[30:70, 30:70].": total_variation(
                wrong_square if name == "tv" else ndi.gaussian_filter(wrong_square, 3)),
        })
    for value, name, image in [(energy, "energy", square),
                               (energy_blurred, "energy_blurred", blurred)]:
        expect_number(value, dirichlet_energy(image), name=name, rtol=1e-4, mistakes={
            "this is the TV (square root of the squares); the energy sums the squares "
            "themselves.": total_variation(image),
        })
    ratio = dirichlet_energy(square) / dirichlet_energy(blurred)
    return (f"blurring changes TV by a few percent but the energy {ratio:.0f}-fold: "
            "only the energy charges sharpness.")
