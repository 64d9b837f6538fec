"""Checkers of the exercises of lecture 2, chapter 11, "Beyond: enhancement
at scale" (``chapters/lecture-02/11-enhancement-at-scale.md``).

One checker per exercise, named after the exercise's label
(``ex-l2c11-median-margin`` is checked by :func:`check_median_margin`). The
reference answers are computed here with dask, as the chapter does.
"""
from __future__ import annotations

from ._check import Wrong, as_number, checker, expect_number

__all__ = ["check_median_margin", "check_margin_cost"]


@checker("median-margin")
def check_median_margin(median_margin):
    """`median_margin`: the smallest margin for a 5 x 5 x 5 median in chunks."""
    value = as_number(median_margin, "median_margin")
    if not float(value).is_integer():
        raise Wrong(f"`median_margin` = {value} is not a whole number of voxels.")
    expect_number(int(value), 2, name="median_margin", rtol=0, mistakes={
        "that is the width of the box; the margin is how far it reaches from "
        "its centre.": 5,
        "that is the margin of a 3 x 3 x 3 median.": 1,
        "that is enough, but not the smallest margin that gives the same result.": 3,
    })
    return "half the box, rounded down."


def _extra_percent(chunk, depth, shape=(128, 128, 128)):
    import dask.array as da
    import numpy as np

    x = da.zeros(shape, chunks=chunk, dtype=np.float32)
    with_margins = da.overlap.overlap(x, depth=depth, boundary="none")
    return 100 * (with_margins.size / x.size - 1)


@checker("margin-cost")
def check_margin_cost(extra_percent):
    """`extra_percent`: extra voxels (%) of a Gaussian of sigma 2 in 32³ chunks of 128³."""
    inner = 100 * ((32 + 16) ** 3 / 32**3 - 1)
    expect_number(extra_percent, _extra_percent(32, 8), name="extra_percent",
                  rtol=0.01, unit="%", mistakes={
                      "that is the price of an inner chunk with margins on all six "
                      "sides; the chunks on the block's faces get fewer.": inner,
                      "that uses a margin of 4, the reach of sigma 1; for sigma 2 it "
                      "is int(4 * 2 + 0.5).": _extra_percent(32, 4),
                      "that uses chunks of 64³; the exercise asks for 32³.":
                          _extra_percent(64, 8),
                      "that is the ratio of the sizes, not the percentage more.":
                          _extra_percent(32, 8) / 100 + 1,
                  })
    return "wide filters and small chunks multiply the work."
