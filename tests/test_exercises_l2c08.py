"""Checkers of lecture 2, chapter 8, "PDE filters" (common/exercises/l2c08.py):
each accepts a reference solution, written here as a student would, and
rejects every typical wrong answer it names, with its own sentence."""
import numpy as np
from scipy import ndimage as ndi

from common.exercises import l2c08
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_heat_budget():
    correct(l2c08.check_heat_budget(18, 27))
    correct(l2c08.check_heat_budget(18.0, 27.0))
    rejected(l2c08.check_heat_budget(12, 27), "steps_2d", "t = sigma^2 / 2")
    rejected(l2c08.check_heat_budget(36, 54), "not sigma^2")
    rejected(l2c08.check_heat_budget(6, 27), "square root of time")
    rejected(l2c08.check_heat_budget(18, 18), "steps_3d", "1/6 in 3D")
    rejected(l2c08.check_heat_budget(18, ...), "placeholder")


def student_square(last=70):
    square = np.zeros((100, 100))
    square[30:last, 30:last] = 1
    return square


def student_tv(u):
    dx = np.diff(u, axis=1, append=u[:, -1:])
    dy = np.diff(u, axis=0, append=u[-1:, :])
    return np.sqrt(dx**2 + dy**2).sum(), (dx**2 + dy**2).sum(), (abs(dx) + abs(dy)).sum()


def test_square_tv():
    sharp, blurred = student_square(), ndi.gaussian_filter(student_square(), 3)
    tv, energy, aniso = student_tv(sharp)
    tv_b, energy_b, aniso_b = student_tv(blurred)
    correct(l2c08.check_square_tv(tv, energy, tv_b, energy_b))
    # the lesson: TV barely moves, the energy collapses
    assert abs(tv_b / tv - 1) < 0.1 and energy / energy_b > 5
    assert abs(tv / 160 - 1) < 0.01
    rejected(l2c08.check_square_tv(aniso, energy, tv_b, energy_b), "anisotropic")
    # on the sharp square TV and energy nearly agree (steps of 1); blur separates them
    rejected(l2c08.check_square_tv(tv, energy, energy_b, energy_b), "tv_blurred",
             "Dirichlet energy")
    rejected(l2c08.check_square_tv(tv, energy, tv_b, tv_b), "`energy_blurred`",
             "square root")
    rejected(l2c08.check_square_tv(student_tv(student_square(69))[0], energy, tv_b, energy_b),
             "39 x 39")
    rejected(l2c08.check_square_tv(tv, energy, tv_b, 2 * energy_b), "energy_blurred")
