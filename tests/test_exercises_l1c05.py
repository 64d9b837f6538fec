"""Checkers of chapter 5's exercises (common/exercises/l1c05.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import numpy as np
import skimage.data
from scipy import ndimage as ndi

import common.data as data
from common import analysis
from common.exercises import l1c05
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# -------------------------------------------------------------------- noise
def noise_errors(fresh=True, wrap=False, clip=True, subtract=99, everything=False):
    image = data.load("bone_slice")
    rng = np.random.default_rng(7)
    out = []
    for sigma in (0, 10, 20, 30, 40):
        if fresh:
            rng = np.random.default_rng(7)
        noisy = image + rng.normal(0, sigma, image.shape)
        if wrap:
            noisy = noisy.astype(np.int64).astype(np.uint8)
        elif clip:
            noisy = np.clip(noisy, 0, 255)
        result = analysis.analyse(noisy, analysis.BONE_SLICE)
        counted = len(result.objects) if everything else result.summary["count"]
        out.append(counted - subtract)
    return np.array(out)


def test_noise_reference_and_its_story():
    answer = noise_errors()
    correct(l1c05.check_noise(answer))
    correct(l1c05.check_noise(list(answer)))
    # what the chapter's solution says about it
    assert np.abs(answer[:3]).max() <= 5 and answer[3] > 900


def test_noise_mistakes():
    answer = noise_errors()
    rejected(l1c05.check_noise(-answer), "wrong sign")
    rejected(l1c05.check_noise(noise_errors(subtract=0)), "counts themselves")
    rejected(l1c05.check_noise(noise_errors(subtract=103)), "all 103 true objects")
    rejected(l1c05.check_noise(noise_errors(everything=True)), "every object")
    rejected(l1c05.check_noise(noise_errors(fresh=False)), "fresh", "default_rng(7)")
    rejected(l1c05.check_noise(noise_errors(wrap=True)), "wrapped around")
    rejected(l1c05.check_noise(noise_errors(clip=False)), "not clipped")
    rejected(l1c05.check_noise(answer[:4]), "shape (4,)")
    rejected(l1c05.check_noise(answer.astype(float)), "whole numbers")
    rejected(l1c05.check_noise(...), "still the placeholder")


# ----------------------------------------------------------------- porosity
def porosity_curve(goal="all", dark=True):
    image = data.load("bone_slice")
    fractions = data.load("bone_slice_fractions")
    truth = data.load("bone_slice_cells")
    if goal == "all":
        target = fractions[1].sum() / fractions[0].sum()
    else:
        target = truth.loc[truth["kind"] == "cell", "area_px"].sum() / fractions[0].sum()
    thresholds = np.arange(100, 161)
    values = []
    for t in thresholds:
        matrix = image < t if dark else image > t
        bone = ndi.binary_fill_holes(matrix)
        values.append((bone & ~matrix).sum() / bone.sum())
    values = np.array(values)
    return int(thresholds[np.argmin(np.abs(values - target))]), values, target


def test_porosity_threshold():
    best, values, target = porosity_curve()
    correct(l1c05.check_porosity_threshold(best))
    correct(l1c05.check_porosity_threshold(float(best)))
    correct(l1c05.check_porosity_threshold(best + 1))      # a neighbour is as good
    # the chapter's sentence: the crossing lies a little above 128
    assert 128 < best < 140 and values.max() > target > values.min()
    rejected(l1c05.check_porosity_threshold(porosity_curve("cells")[0]), "single cells only")
    rejected(l1c05.check_porosity_threshold(target), "looks like a porosity")
    rejected(l1c05.check_porosity_threshold(best + 5), "too large")
    rejected(l1c05.check_porosity_threshold(90), "outside the thresholds tried")
    rejected(l1c05.check_porosity_threshold("135"), "text")


def test_porosity_threshold_inverted_matrix():
    inverted = porosity_curve(dark=False)[0]
    assert abs(inverted - porosity_curve()[0]) > 2
    rejected(l1c05.check_porosity_threshold(inverted), "*dark* part")


# -------------------------------------------------------------------- coins
def coin_settings(d_small=38, d_large=62, radius_for_diameter=False, **changes):
    area = (lambda d: np.pi * d**2) if radius_for_diameter else (lambda d: np.pi * d**2 / 4)
    values = dict(polarity="bright", background=100)
    values.update(changes)
    return analysis.Settings.for_objects(area(d_small) * 0.6, area(d_large) * 1.6, **values)


def count(settings):
    return analysis.analyse(skimage.data.coins(), settings).summary["count"]


def test_coins():
    settings = coin_settings()
    correct(l1c05.check_coins(settings, count(settings)))
    correct(l1c05.check_coins(settings, 24.0))
    correct(l1c05.check_coins(analysis.COINS, 24))            # the book's own preset agrees


def test_coins_mistakes():
    settings = coin_settings()
    rejected(l1c05.check_coins({"min_size": 700}, 24), "is a dict", "for_objects")
    rejected(l1c05.check_coins(settings, 23), "your settings count 24")
    rejected(l1c05.check_coins(settings, 24.5), "not a whole number")
    unlit = coin_settings(background=0.0)
    rejected(l1c05.check_coins(unlit, count(unlit)), "uneven light", "background=")
    radius = coin_settings(radius_for_diameter=True)
    rejected(l1c05.check_coins(radius, count(radius)), "min_size", "4 times too large")
    narrow = analysis.Settings.for_objects(700, 2000, background=100)
    rejected(l1c05.check_coins(narrow, count(narrow)), "max_size", "too big")
    dark = coin_settings(polarity="dark")
    rejected(l1c05.check_coins(dark, count(dark)), "polarity='bright'")
    wide = coin_settings(background=300)
    rejected(l1c05.check_coins(wide, count(wide)), "nearly the size of the photograph")
    rejected(l1c05.check_coins(settings, ...), "still the placeholder")
