"""Checkers of the exercises of lecture 1, chapter 8, "Let's go big"
(``chapters/lecture-01/08-lets-go-big.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c08-rechunk`` is checked by :func:`check_rechunk`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.

The reference answers are computed here with dask and SciPy (the chapter's
1024 x 1024 image in 512 x 512 chunks, the 5 x 5 mean filter), not stored
as numbers, so they follow the installed versions as the chapter does.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, as_number, checker, expect_number

__all__ = ["check_rechunk", "check_overlap_cost", "check_depth_7x7"]

#: The chapter's image and chunks.
SHAPE, CHUNK = (1024, 1024), 512


def _image(chunk=CHUNK):
    """A dask array shaped and chunked like the chapter's A (values do not
    matter for the graph)."""
    import dask.array as da

    return da.from_array(np.zeros(SHAPE), chunks=(chunk, chunk))


def _tasks(array):
    return len(array.__dask_graph__())


# --------------------------------------------------------------------------
# Exercise: smaller chunks, more tasks
# --------------------------------------------------------------------------
@functools.cache
def _rechunk_reference():
    from dask_image import ndfilters

    mean = np.full((5, 5), 1 / 25)
    small = _image().rechunk((256, 256))
    return {
        "chunks": small.npartitions,
        "tasks": _tasks(ndfilters.convolve(small, mean)),
        "tasks_512": _tasks(ndfilters.convolve(_image(), mean)),
        "tasks_direct": _tasks(ndfilters.convolve(_image(256), mean)),
        "tasks_rechunk_only": _tasks(small),
    }


def _whole_number(value, name):
    number = as_number(value, name)
    if not float(number).is_integer():
        raise Wrong(f"`{name}` = {number} is not a whole number; chunks and tasks are counted.")
    return int(number)


@checker("rechunk")
def check_rechunk(n_chunks, n_tasks):
    """`n_chunks`: chunks of A rechunked to 256 x 256; `n_tasks`: tasks in the
    graph of its 5 x 5 mean filter by dask-image."""
    ref = _rechunk_reference()
    chunks = _whole_number(n_chunks, "n_chunks")
    if chunks == 4:
        raise Wrong("`n_chunks` = 4 is the number of chunks of A itself, and also of the "
                    "rechunked array along one side; count all its chunks (npartitions).")
    expect_number(chunks, ref["chunks"], name="n_chunks", rtol=0, mistakes={
        "that adds the chunks along the two sides; the chunks form a grid, so multiply.": 8,
    })
    tasks = _whole_number(n_tasks, "n_tasks")
    expect_number(tasks, ref["tasks"], name="n_tasks", rtol=0, mistakes={
        "that is the graph of the chapter's 512 x 512 chunks; filter the rechunked "
        "array.": ref["tasks_512"],
        "that is the graph of an array made in 256 x 256 chunks from the start; the "
        "exercise rechunks A, and its graph also holds the rechunking tasks.":
            ref["tasks_direct"],
        "that is the graph of the rechunked array alone; count the tasks of the "
        "filtered array.": ref["tasks_rechunk_only"],
        "that is one task per chunk; the graph also holds the strips, the joins, the "
        "trims and the rechunking.": ref["chunks"],
    })
    return "Four times the chunks, and more than four times the tasks."


# --------------------------------------------------------------------------
# Exercise: the price of the margins
# --------------------------------------------------------------------------
def _grown_percent(chunk=128, depth=2, boundary="none"):
    import dask.array as da

    image = _image().rechunk((chunk, chunk))
    grown = da.overlap.overlap(image, depth=depth, boundary=boundary)
    return 100 * (grown.size / image.size - 1)


@checker("overlap-cost")
def check_overlap_cost(overlap_percent):
    """`overlap_percent`: how many percent more pixels the 5 x 5 filter
    processes with 128 x 128 chunks and 2-pixel margins."""
    percent = _grown_percent()
    along_one_side = 100 * (np.sqrt(1 + percent / 100) - 1)
    expect_number(overlap_percent, percent, name="overlap_percent", rtol=2e-3, unit="%",
                  mistakes={
                      "that is a margin of 5 pixels, the filter's whole width; a 5 x 5 filter "
                      "reaches only 2 pixels to each side.": _grown_percent(depth=5),
                      "that adds margins at the edges of the image too; with "
                      "boundary='none' the outer edges get none.":
                          _grown_percent(boundary=0),
                      "that is the growth along one side; the area grows along both.":
                          along_one_side,
                      "that is for the chapter's 512 x 512 chunks; rechunk to 128 x 128 "
                      "first.": _grown_percent(chunk=512),
                      "that is the whole enlarged size in percent of the image; the "
                      "question asks how much *more*, so subtract 100.": 100 + percent,
                  })
    return "Smaller chunks pay a larger share of margins: halving them about doubles it."


# --------------------------------------------------------------------------
# Exercise: the margin of a 7 x 7 filter
# --------------------------------------------------------------------------
@functools.cache
def _smallest_depth(width=7):
    """Smallest map_overlap depth that reproduces a width x width mean filter
    of the whole image (tried on a small random image in 4 chunks)."""
    import dask.array as da
    import scipy.ndimage as ndi

    image = np.random.default_rng(7).random((64, 64))
    weights = np.full((width, width), 1 / width**2)
    whole = ndi.convolve(image, weights)
    chunked = da.from_array(image, chunks=32)
    for depth in range(width + 1):
        result = chunked.map_overlap(ndi.convolve, weights=weights, depth=depth,
                                     boundary="none").compute()
        if np.allclose(result, whole, rtol=1e-12, atol=0):
            return depth
    raise AssertionError(f"no depth up to {width} reproduces the whole image")


@checker("depth-7x7")
def check_depth_7x7(depth_7x7):
    """`depth_7x7`: the smallest margin (pixels) for a 7 x 7 mean filter."""
    depth = _smallest_depth(7)
    given = as_number(depth_7x7, "depth_7x7")
    if not float(given).is_integer():
        raise Wrong(f"`depth_7x7` = {given} is not a whole number of pixels.")
    expect_number(int(given), depth, name="depth_7x7", rtol=0, mistakes={
        "that is the filter's whole width: it gives the right result, but the filter "
        "reaches only half its width, rounded down, to each side, so it copies more "
        "than needed.": 7,
        "that counts both sides together; the margin is what one side needs.": 2 * depth,
        "that is the margin of the 5 x 5 filter; with it the pixels next to the seams "
        "of a 7 x 7 filter differ from the whole image.": _smallest_depth(5),
    })
    return "Half the width, rounded down: the same rule for any odd filter."
