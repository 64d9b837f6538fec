"""Checkers of chapter 8's exercises (common/exercises/l1c08.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import dask.array as da
import numpy as np
import pytest
import scipy.ndimage as ndi
from dask_image import ndfilters

from common.exercises import l1c08
from exercise_feedback import correct, lenient, rejected  # noqa: F401

MEAN_5X5 = np.full((5, 5), 1 / 25)


@pytest.fixture(scope="module")
def A():
    """The chapter's image: random numbers, 1024 x 1024, in 512 x 512 chunks."""
    rng = np.random.default_rng(seed=2021)
    return da.from_array(rng.random((1024, 1024)), chunks=(512, 512))


# ------------------------------------------------------------------ rechunk
def test_rechunk(A):
    small = A.rechunk((256, 256))
    n_chunks = small.npartitions
    n_tasks = len(ndfilters.convolve(small, MEAN_5X5).__dask_graph__())
    correct(l1c08.check_rechunk(n_chunks, n_tasks))
    correct(l1c08.check_rechunk(float(n_chunks), np.int64(n_tasks)))
    rejected(l1c08.check_rechunk(4, n_tasks), "chunks of A itself", "npartitions")
    rejected(l1c08.check_rechunk(8, n_tasks), "multiply")
    rejected(l1c08.check_rechunk(n_chunks, 32), "512 x 512 chunks")
    direct = da.from_array(np.zeros((1024, 1024)), chunks=256)
    rejected(l1c08.check_rechunk(n_chunks, len(ndfilters.convolve(direct, MEAN_5X5).dask)),
             "from the start", "rechunking tasks")
    rejected(l1c08.check_rechunk(n_chunks, len(small.__dask_graph__())),
             "rechunked array alone")
    rejected(l1c08.check_rechunk(n_chunks, 16), "one task per chunk")
    rejected(l1c08.check_rechunk(n_chunks, 16.5), "not a whole number")
    rejected(l1c08.check_rechunk(n_chunks, n_tasks + 10), "too large")


# ------------------------------------------------------------- overlap cost
def test_overlap_cost(A):
    grown = da.overlap.overlap(A.rechunk((128, 128)), depth=2, boundary="none")
    percent = 100 * (grown.size / A.size - 1)
    correct(l1c08.check_overlap_cost(percent))
    # by hand: 1024 pixels along a side become 2 x 130 + 6 x 132
    correct(l1c08.check_overlap_cost(100 * ((2 * 130 + 6 * 132) ** 2 / 1024**2 - 1)))
    rejected(l1c08.check_overlap_cost(percent / 100), "a fraction instead of a percentage")
    wide = da.overlap.overlap(A.rechunk((128, 128)), depth=5, boundary="none")
    rejected(l1c08.check_overlap_cost(100 * (wide.size / A.size - 1)), "whole width",
             "2 pixels")
    everywhere = da.overlap.overlap(A.rechunk((128, 128)), depth=2, boundary=0)
    rejected(l1c08.check_overlap_cost(100 * (everywhere.size / A.size - 1)),
             "edges of the image too")
    rejected(l1c08.check_overlap_cost(100 * (1052 / 1024 - 1)), "along one side")
    big = da.overlap.overlap(A, depth=2, boundary="none")
    rejected(l1c08.check_overlap_cost(100 * (big.size / A.size - 1)), "rechunk to 128")
    rejected(l1c08.check_overlap_cost(100 * grown.size / A.size), "subtract 100")
    rejected(l1c08.check_overlap_cost(5.0), "% too small")


# ---------------------------------------------------------------- depth 7x7
def test_depth_7x7(A):
    image = A.compute()
    mean_7x7 = np.full((7, 7), 1 / 49)
    whole = ndi.convolve(image, mean_7x7)
    for depth in range(1, 8):
        chunked = A.map_overlap(ndi.convolve, weights=mean_7x7, depth=depth,
                                boundary="none").compute()
        if np.allclose(chunked, whole, rtol=1e-12, atol=0):
            break
    assert depth == 3  # the reference solution, as the chapter writes it
    correct(l1c08.check_depth_7x7(depth))
    correct(l1c08.check_depth_7x7(3.0))
    rejected(l1c08.check_depth_7x7(7), "whole width", "half its width")
    rejected(l1c08.check_depth_7x7(6), "both sides together")
    rejected(l1c08.check_depth_7x7(2), "5 x 5 filter", "seams")
    rejected(l1c08.check_depth_7x7(2.5), "not a whole number")
    rejected(l1c08.check_depth_7x7(4), "too large")
    rejected(l1c08.check_depth_7x7("3"), "text")


def test_praise_gives_no_answer_away(A):
    assert "3" not in str(l1c08.check_depth_7x7(3))
    small = A.rechunk((256, 256))
    message = str(l1c08.check_rechunk(
        16, len(ndfilters.convolve(small, MEAN_5X5).__dask_graph__())))
    assert "184" not in message and "16" not in message
