"""Checkers of lecture 2, chapter 6, "Frequency space filters"
(common/exercises/l2c06.py): each accepts a reference solution, written here as
a student would, and rejects every typical wrong answer it names, with its own
sentence."""
import numpy as np
from scipy import fft

from common.exercises import l2c06
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def test_peak_frequency():
    t = np.arange(500) * 1e-3
    hum = np.sin(2 * np.pi * 50 * t + 1) + np.random.default_rng(3).normal(0, 1, 500)
    magnitude = np.abs(fft.rfft(hum))
    peak = magnitude[1:].argmax() + 1
    correct(l2c06.check_peak_frequency(fft.rfftfreq(500, d=1e-3)[peak]))
    correct(l2c06.check_peak_frequency(49.5))
    rejected(l2c06.check_peak_frequency(peak), "index")
    rejected(l2c06.check_peak_frequency(2 * np.pi * 50), "angular")
    rejected(l2c06.check_peak_frequency(fft.rfftfreq(500)[peak]), "cycles per sample")
    rejected(l2c06.check_peak_frequency(60), "too large")
    rejected(l2c06.check_peak_frequency(...), "placeholder")


def test_padding():
    right = tuple(fft.next_fast_len(n + 40) for n in (300, 200))
    assert right == (343, 240)
    correct(l2c06.check_padding(right))
    correct(l2c06.check_padding(list(right)))
    rejected(l2c06.check_padding(right[::-1]), "transposed")
    rejected(l2c06.check_padding((300, 200)), "wraps")
    rejected(l2c06.check_padding((320, 220)), "too small")
    rejected(l2c06.check_padding((340, 240)), "next_fast_len")
    rejected(l2c06.check_padding((512, 256)), "powers of two")
    rejected(l2c06.check_padding((360, 240)), "not the smallest")
    rejected(l2c06.check_padding((347, 241)), "not a fast FFT size")
    rejected(l2c06.check_padding((343,)), "two axes")
    rejected(l2c06.check_padding(...), "placeholder")
