"""Checkers of chapter 9's exercises (common/exercises/l1c09.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import math

import numpy as np
import pytest
from scipy import stats

from common.data.cohort import EFFECTS, SAMPLE_SPREAD, Cohort
from common.exercises import l1c09
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ------------------------------------------------------------------- power
def student_power(n=96, age=0.95, disease=EFFECTS["diseased"]["density"], alpha=0.05,
                  seed=96, repeats=4000):
    """The chapter's simulation, as a student adapts it: (Welch, model)."""
    sheet = Cohort(n_samples=n).sheet()
    X = np.column_stack([np.ones(n), sheet["age"] == "old",
                         sheet["status"] == "diseased"]).astype(float)
    old = X[:, 1] == 1
    rng = np.random.default_rng(seed)
    y = X @ np.log([1.0, age, disease]) + SAMPLE_SPREAD["density"] * rng.standard_normal(
        (repeats, n))
    welch = stats.ttest_ind(y[:, old], y[:, ~old], axis=1, equal_var=False).pvalue
    beta, *_ = np.linalg.lstsq(X, y.T, rcond=None)
    s2 = np.sum((y.T - X @ beta) ** 2, axis=0) / (n - 3)
    t = beta[1] / np.sqrt(s2 * np.linalg.inv(X.T @ X)[1, 1])
    model = 2 * stats.t.sf(np.abs(t), n - 3)
    return (welch < alpha).mean(), (model < alpha).mean()


def test_power():
    welch, model = student_power()
    assert 0.12 < welch < 0.2 and 0.65 < model < 0.75   # the reference, roughly
    correct(l1c09.check_power(welch, model))
    for seed in (1, 2, 3):                  # another student's random numbers
        correct(l1c09.check_power(*student_power(seed=seed)))
    rejected(l1c09.check_power(model, welch), "power of the two-factor model")
    # without the disease, Welch's test is as strong as the model: one sentence
    rejected(l1c09.check_power(student_power(disease=1.0)[0], model), "without the disease")
    rejected(l1c09.check_power(student_power(alpha=0.01)[0], model), "below 0.01")
    rejected(l1c09.check_power(student_power(age=0.90)[0], model), "0.90", "0.95")
    rejected(l1c09.check_power(welch, welch), "power of Welch's test")
    rejected(l1c09.check_power(welch, student_power(alpha=0.01)[1]), "below 0.01")
    rejected(l1c09.check_power(welch, student_power(n=32)[1]), "32 samples")
    rejected(l1c09.check_power(100 * welch, model), "percent")
    rejected(l1c09.check_power(welch, ...), "still the placeholder")


def test_power_praise_gives_no_number_away():
    message = str(l1c09.check_power(*student_power()))
    assert not any(ch.isdigit() for ch in message), message


# ----------------------------------------------------------------- rechunk
@pytest.fixture(scope="module")
def rechunked(tmp_path_factory):
    """The chapter's block in a zarr store, counted in both chunkings."""
    import dask
    import dask.array as da
    import zarr

    from common import analysis, out_of_core
    from common.data.cohort import bone_block

    store = str(tmp_path_factory.mktemp("l1c09") / "block.zarr")
    on_disk = zarr.create_array(store=store, shape=l1c09.BLOCK_SHAPE,
                                chunks=l1c09.CHAPTER_CHUNKS, dtype="uint8")
    with dask.config.set(scheduler="synchronous"):
        da.store(bone_block(l1c09.BLOCK_SHAPE, chunks=l1c09.CHAPTER_CHUNKS), on_disk,
                 lock=False)
        return {size: out_of_core.count_out_of_core(da.from_zarr(store, chunks=size),
                                                    analysis.BONE_VOLUME)
                for size in (l1c09.CHAPTER_CHUNKS, l1c09.NEW_CHUNKS)}


def test_rechunk(rechunked):
    new, old = rechunked[l1c09.NEW_CHUNKS], rechunked[l1c09.CHAPTER_CHUNKS]
    assert new["n_chunks"] == 64 and new["n_objects"] == old["n_objects"] == 847
    correct(l1c09.check_rechunk(new["n_chunks"], new["objects_in_chunks"], new["n_objects"]))
    answer = (new["n_chunks"], new["objects_in_chunks"], new["n_objects"])
    rejected(l1c09.check_rechunk(old["n_chunks"], *answer[1:]), "chapter's chunking")
    rejected(l1c09.check_rechunk(27, *answer[1:]), "rounds the chunks per axis down")
    rejected(l1c09.check_rechunk(answer[0], answer[1], answer[1]), "sum of the chunks' own")
    rejected(l1c09.check_rechunk(answer[0], old["objects_in_chunks"], answer[2]),
             "count again with the new chunks")
    rejected(l1c09.check_rechunk(answer[0], answer[2], answer[2]), "counted once in each chunk")
    rejected(l1c09.check_rechunk(answer[0], answer[1], 846), "% too small")


def test_rechunk_reference_is_count_out_of_core(rechunked):
    """The checker's in-memory reference agrees with the out-of-core count."""
    for size, counted in rechunked.items():
        assert l1c09._chunk_counts(size) == (counted["n_chunks"], counted["objects_in_chunks"])


# -------------------------------------------------------------------- cost
def student_cost(seconds=0.30, cores=16, kw=0.190, price=0.35, scale=True, day=24):
    per_sample = seconds * ((2000 * 2048 * 2048) / (48 * 128 * 128) if scale else 1)
    machine_hours = 1090 * per_sample / 3600 / cores
    return machine_hours * kw * price, machine_hours / day


def test_cost():
    usd, days = student_cost()
    assert 3.9 < usd < 4.2 and 2.4 < days < 2.6           # the reference, roughly
    correct(l1c09.check_cost(usd, days))
    correct(l1c09.check_cost(f"{usd * 100:.1f} cents", f"{days * 24:.2f} hours"))
    rejected(l1c09.check_cost(student_cost(price=0.20)[0], days), "0.20 USD per kWh")
    rejected(l1c09.check_cost(student_cost(cores=1)[0], days), "one core")
    rejected(l1c09.check_cost(student_cost(scale=False)[0], days), "chapter's size")
    rejected(l1c09.check_cost(student_cost(kw=190)[0], days), "1000")
    rejected(l1c09.check_cost(usd, student_cost(cores=1)[1]), "one core")
    rejected(l1c09.check_cost(usd, student_cost(scale=False)[1]), "real sample's voxels")
    rejected(l1c09.check_cost(usd, student_cost(day=8)[1]), "24 hours a day")
    rejected(l1c09.check_cost(usd, days * 24), "right in hours")
    rejected(l1c09.check_cost(usd, math.nan), "")


def test_cost_praise_gives_no_number_away():
    message = str(l1c09.check_cost(*student_cost()))
    assert not any(ch.isdigit() for ch in message), message
