"""Checkers of the exercises of lecture 1, chapter 9, "The bone study at
scale" (``chapters/lecture-01/09-bone-study-at-scale.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c09-power`` is checked by :func:`check_power`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.

The reference answers are computed here from the chapter's inputs (the
cohort's design and built-in effects, the bone block, the cost model's
prices), not stored as numbers.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ._check import as_number, checker, expect_number, expect_quantity

__all__ = ["check_power", "check_rechunk", "check_cost"]


# --------------------------------------------------------------------------
# Exercise: the power of a 96-sample study
# --------------------------------------------------------------------------
#: The exercise's study: samples, the age effect it must find (a density
#: factor), the level of the tests.
POWER_SAMPLES, POWER_AGE_FACTOR, ALPHA = 96, 0.95, 0.05
#: Simulated studies behind the reference (the student's need only 4000).
REFERENCE_REPEATS = 20_000
#: Accepted distance from the reference: 4000 simulated studies give a share
#: with a standard error of at most sqrt(0.25 / 4000) = 0.008; four of them
#: (the reference's own error, at most 0.0035, is small beside it).
POWER_ATOL = 0.032


@functools.cache
def _power(n=POWER_SAMPLES, age_factor=POWER_AGE_FACTOR, disease=True, alpha=ALPHA):
    """(Welch's t-test, two-factor model): share of simulated studies that find
    the age effect, with the cohort's design, effects and spread."""
    from scipy import stats

    from common.data.cohort import EFFECTS, SAMPLE_SPREAD, Cohort

    sheet = Cohort(n_samples=n).sheet()
    old = (sheet["age"] == "old").to_numpy()
    diseased = (sheet["status"] == "diseased").to_numpy()
    X = np.column_stack([np.ones(n), old, diseased]).astype(float)
    effects = [0.0, math.log(age_factor),
               math.log(EFFECTS["diseased"]["density"]) if disease else 0.0]
    rng = np.random.default_rng(9)
    y = X @ effects + SAMPLE_SPREAD["density"] * rng.standard_normal((REFERENCE_REPEATS, n))
    welch = stats.ttest_ind(y[:, old], y[:, ~old], axis=1, equal_var=False).pvalue
    beta, *_ = np.linalg.lstsq(X, y.T, rcond=None)
    s2 = np.sum((y.T - X @ beta) ** 2, axis=0) / (n - 3)
    t = beta[1] / np.sqrt(s2 * np.linalg.inv(X.T @ X)[1, 1])
    model = 2 * stats.t.sf(np.abs(t), n - 3)
    return float((welch < alpha).mean()), float((model < alpha).mean())


@checker("power")
def check_power(power_welch, power_model):
    """`power_welch`, `power_model`: the share of simulated 96-sample studies
    in which Welch's t-test (old against young) and the two-factor model find
    an age effect of 0.95 on the density at p < 0.05."""
    welch, model = _power()
    answers = (as_number(power_welch, "power_welch"), as_number(power_model, "power_model"))
    if all(abs(a - b) <= POWER_ATOL for a, b in zip(answers, (welch, model))):
        return PRAISE_POWER     # right: no need to simulate the typical mistakes
    welch_01, model_01 = _power(alpha=0.01)
    _, model_32 = _power(n=32)
    welch_090, _ = _power(age_factor=0.90)
    expect_number(power_welch, welch, name="power_welch", rtol=0, atol=POWER_ATOL, mistakes={
        "this is the power of the two-factor model, or of Welch's test on data without "
        "the disease; simulate the diseased samples too (0.75 times the density) and "
        "compare old with young samples only, `stats.ttest_ind(y[:, old], y[:, ~old], "
        "axis=1, equal_var=False)`.": model,
        "this counts p-values below 0.01; the exercise asks for p < 0.05.": welch_01,
        "this is the power for an age effect of 0.90, the cohort's built-in one; the "
        "exercise asks for a smaller effect, 0.95.": welch_090,
    })
    expect_number(power_model, model, name="power_model", rtol=0, atol=POWER_ATOL, mistakes={
        "this is the power of Welch's test; the two-factor model fits a constant, old "
        "and diseased together and tests the coefficient of old.": welch,
        "this counts p-values below 0.01; the exercise asks for p < 0.05.": model_01,
        "this is the power at 32 samples; simulate studies of 96.": model_32,
    })
    return PRAISE_POWER


PRAISE_POWER = ("The same samples find a small effect far more often when the analysis "
                "knows the design: the right model is worth many samples.")


# --------------------------------------------------------------------------
# Exercise: rechunk the block
# --------------------------------------------------------------------------
#: The chapter's block, its chunks, and the exercise's new chunks.
BLOCK_SHAPE = (98, 182, 182)
CHAPTER_CHUNKS = (49, 91, 91)
NEW_CHUNKS = (25, 46, 46)


@functools.cache
def _block_mask():
    """The chapter's block after smoothing and threshold (the whole volume in memory)."""
    from scipy import ndimage as ndi

    from common.analysis import BONE_VOLUME
    from common.data.cohort import bone_block

    block = np.asarray(bone_block(BLOCK_SHAPE, chunks=CHAPTER_CHUNKS).compute(
        scheduler="synchronous"), dtype=np.float32)
    smoothed = ndi.gaussian_filter(block, BONE_VOLUME.sigma, mode="nearest")
    return smoothed > BONE_VOLUME.threshold


@functools.cache
def _chunk_counts(chunks):
    """(number of chunks, sum of the objects each chunk finds on its own)."""
    from scipy import ndimage as ndi

    mask = _block_mask()
    edges = [range(0, size, step) for size, step in zip(BLOCK_SHAPE, chunks)]
    total = n = 0
    for z in edges[0]:
        for r in edges[1]:
            for c in edges[2]:
                part = mask[z:z + chunks[0], r:r + chunks[1], c:c + chunks[2]]
                total += ndi.label(part)[1]
                n += 1
    return n, total


@checker("rechunk")
def check_rechunk(n_chunks, objects_in_chunks, n_cells):
    """`n_chunks`, `objects_in_chunks`, `n_cells`: what ``count_out_of_core``
    reports for the chapter's block read in chunks of (25, 46, 46) voxels."""
    from common.data.cohort import bone_block_cells

    chunks, in_chunks = _chunk_counts(NEW_CHUNKS)
    old_chunks, old_in_chunks = _chunk_counts(CHAPTER_CHUNKS)
    cells = bone_block_cells(BLOCK_SHAPE)
    expect_number(n_chunks, chunks, name="n_chunks", rtol=0, mistakes={
        "this is the chapter's chunking, (49, 91, 91); read the store with "
        "`da.from_zarr(store, chunks=(25, 46, 46))`.": old_chunks,
        "this rounds the chunks per axis down (98 / 25 is 3.9, so 4 chunks, the last one "
        "thinner); count the chunks dask makes, `block.npartitions`.":
            math.prod(s // c for s, c in zip(BLOCK_SHAPE, NEW_CHUNKS)),
    })
    expect_number(n_cells, cells, name="n_cells", rtol=0, mistakes={
        "this is the sum of the chunks' own counts; the cells found across chunks are "
        "`n_objects`, after the joins.": in_chunks,
    })
    expect_number(objects_in_chunks, in_chunks, name="objects_in_chunks", rtol=0, mistakes={
        "this is the chapter's chunking, (49, 91, 91); count again with the new "
        "chunks.": old_in_chunks,
        "this is the number of cells; the chunks' own counts add up to more, since "
        "every cell cut by a chunk border is counted once in each chunk.": cells,
    })
    return ("The cells found do not depend on the chunks; smaller chunks cut more "
            "cells, and there is more to join.")


# --------------------------------------------------------------------------
# Exercise: the study at another price
# --------------------------------------------------------------------------
#: The exercise's inputs: CPU seconds per chapter-sized sample, its voxels,
#: the real sample's voxels, samples, cores, power (kW), electricity price.
COST_SECONDS = 0.30
CHAPTER_VOXELS = 48 * 128 * 128
REAL_VOXELS = 2000 * 2048 * 2048
COST_SAMPLES, COST_CORES, COST_KW, COST_PRICE = 1090, 16, 0.190, 0.35
#: The chapter's electricity price (USD per kWh).
CHAPTER_PRICE = 0.20


def _machine_hours(cores=COST_CORES, scale=True):
    seconds = COST_SECONDS * (REAL_VOXELS / CHAPTER_VOXELS if scale else 1)
    return COST_SAMPLES * seconds / 3600 / cores


@checker("cost")
def check_cost(electricity_usd, days):
    """`electricity_usd`: USD of electricity for the real study on a 16-core
    190 W workstation at 0.35 USD/kWh; `days`: how long it runs."""
    hours = _machine_hours()
    expect_quantity(electricity_usd, hours * COST_KW * COST_PRICE, "USD",
                    name="electricity_usd", units={"cents": 0.01}, rtol=0.01, mistakes={
                        "this is at the chapter's 0.20 USD per kWh; the other lab pays "
                        "0.35.": hours * COST_KW * CHAPTER_PRICE,
                        "this is one core doing all the work; the 16 cores share it, so "
                        "the machine runs 16 times shorter.":
                            _machine_hours(cores=1) * COST_KW * COST_PRICE,
                        "this is for samples of the chapter's size; scale the CPU time by "
                        "the real sample's voxels over ours, 2000 x 2048 x 2048 over "
                        "48 x 128 x 128.": _machine_hours(scale=False) * COST_KW * COST_PRICE,
                    })
    expect_quantity(days, hours / 24, "days", name="days",
                    units={"hours": 1 / 24, "h": 1 / 24, "weeks": 7}, rtol=0.01, mistakes={
                        "this is one core doing all the work; the 16 cores share it.":
                            _machine_hours(cores=1) / 24,
                        "this is for samples of the chapter's size; scale by the real "
                        "sample's voxels over ours.": _machine_hours(scale=False) / 24,
                        "these are working days of 8 hours; the workstation runs day and "
                        "night, 24 hours a day.": hours / 8,
                    })
    return ("Dollars of electricity and days of waiting: for a study like this the time, "
            "not the money, is what parallel computing saves.")
