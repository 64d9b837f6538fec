"""Checkers of the exercises of lecture 2, chapter 6, "Frequency space filters"
(``chapters/lecture-02/06-frequency-space-filters.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c06-padding`` is checked by :func:`check_padding`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.
"""
from __future__ import annotations

import math

from ._check import Wrong, checker, expect_number

__all__ = ["check_peak_frequency", "check_padding"]


# --------------------------------------------------------------------------
# Exercise: read a frequency off a spectrum
# --------------------------------------------------------------------------
HUM_HZ = 50.0
SAMPLES = 500
SPACING_S = 1e-3


@checker("peak-frequency")
def check_peak_frequency(hum_hz):
    """`hum_hz`: the frequency of the sine in `hum`, in hertz (within one bin, 2 Hz)."""
    bin_width = 1 / (SAMPLES * SPACING_S)
    expect_number(hum_hz, HUM_HZ, name="hum_hz", rtol=0, atol=bin_width, unit="Hz", mistakes={
        "that is the index of the peak's bin, not its frequency; rfftfreq(n, d=1e-3) "
        "turns bins into hertz.": HUM_HZ / bin_width,
        "that is the angular frequency (radians per second); hertz are cycles per second.":
            2 * math.pi * HUM_HZ,
        "that is in cycles per sample: pass the sample spacing, d=1e-3 seconds, to "
        "rfftfreq.": HUM_HZ * SPACING_S,
    })
    return "The peak stands far above the noise, one bin of 2 Hz wide."


# --------------------------------------------------------------------------
# Exercise: pad for a wrap-free FFT convolution
# --------------------------------------------------------------------------
IMAGE = (300, 200)
KERNEL = 41


def _fast(n):
    from scipy import fft

    return fft.next_fast_len(n)


@checker("padding")
def check_padding(padded_shape):
    """`padded_shape`: (rows, columns), at least image + kernel - 1 and fast."""
    try:
        shape = tuple(int(v) for v in padded_shape)
    except TypeError:
        raise Wrong(f"`padded_shape` is {padded_shape!r}; give two numbers, (rows, columns).") \
            from None
    if len(shape) != 2:
        raise Wrong(f"`padded_shape` has {len(shape)} numbers; an image has two axes, "
                    "(rows, columns).")
    if any(float(v) != int(v) for v in padded_shape):
        raise Wrong("`padded_shape` holds fractions; array sizes are whole numbers.")
    needed = tuple(n + KERNEL - 1 for n in IMAGE)
    right = tuple(_fast(n) for n in needed)
    if shape == right:
        return (f"{right[0]} x {right[1]}: room for the kernel, and sizes whose prime factors "
                "are small.")
    if shape == right[::-1]:
        raise Wrong(f"`padded_shape` = {shape} is transposed: NumPy shapes are (rows, "
                    "columns), and the image has 300 rows.")
    if shape == IMAGE:
        raise Wrong(f"`padded_shape` = {shape} is the image itself: without padding the FFT's "
                    "circular convolution wraps the kernel around the edges.")
    if any(s < n for s, n in zip(shape, needed)):
        raise Wrong(f"`padded_shape` = {shape} is too small in at least one axis: each axis "
                    "needs image + kernel - 1 samples, or the kernel wraps around.")
    if shape == needed:
        raise Wrong(f"`padded_shape` = {shape} avoids wrap-around; now round each axis up to "
                    "a fast size with fft.next_fast_len.")
    if all(s & (s - 1) == 0 for s in shape):
        raise Wrong(f"`padded_shape` = {shape} uses powers of two: that works but is larger "
                    "than needed; next_fast_len finds smaller fast sizes.")
    if all(_fast(s) == s for s in shape):
        raise Wrong(f"`padded_shape` = {shape} is fast and wrap-free but not the smallest: "
                    "apply next_fast_len to image + kernel - 1 in each axis.")
    raise Wrong(f"`padded_shape` = {shape} is large enough, but not a fast FFT size in each "
                "axis: apply next_fast_len to image + kernel - 1.")
