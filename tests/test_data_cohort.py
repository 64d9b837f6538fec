"""The synthetic bone cohort: groups, laziness, determinism, truth, errors."""
import numpy as np
import pandas as pd
import pytest

import common.data as data
from common.data import cohort as C
from common.data.cohort import Cohort

SMALL = (32, 96, 96)


# ------------------------------------------------------------------ sheet
def test_sheet_has_documented_columns_and_balanced_blocks():
    sheet = Cohort(n_samples=40, seed=3).sheet()
    assert list(sheet.columns) == ["sample", "name", "age", "status", "group",
                                   "planned_density_per_mm3", "planned_volume_factor",
                                   "dense_side", "large_side"]
    assert sheet["sample"].tolist() == list(range(40))
    assert sheet["name"].iloc[7] == "S0007"
    for start in range(0, 40, 4):
        block = sheet.iloc[start:start + 4]
        assert sorted(block["group"]) == sorted(f"{a} {s}" for a, s in C.GROUPS)
    assert set(sheet["dense_side"]) <= {"left", "right"}


def test_sheet_rows_do_not_depend_on_the_cohort_size():
    small = Cohort(n_samples=8, seed=5).sheet()
    large = Cohort(n_samples=1090, seed=5).sheet()
    pd.testing.assert_frame_equal(small, large.iloc[:8])
    assert len(large) == 1090


def test_planned_values_carry_the_built_in_effects():
    sheet = Cohort(n_samples=1090, seed=0).sheet()
    # Take the group effects out again: what is left is the sample factor.
    effect_d = np.ones(len(sheet))
    effect_v = np.ones(len(sheet))
    for key, factors in C.EFFECTS.items():
        hit = (sheet["age"] == key) | (sheet["status"] == key)
        effect_d[hit] *= factors["density"]
        effect_v[hit] *= factors["volume"]
    log_d = np.log(sheet["planned_density_per_mm3"] / (C.BASE_DENSITY_PER_MM3 * effect_d))
    log_v = np.log(sheet["planned_volume_factor"] / effect_v)
    assert abs(log_d.mean()) < 0.02 and abs(log_d.std() - C.SAMPLE_SPREAD["density"]) < 0.01
    assert abs(log_v.mean()) < 0.01 and abs(log_v.std() - C.SAMPLE_SPREAD["volume"]) < 0.01
    means = sheet.groupby("status")["planned_density_per_mm3"].mean()
    assert means["diseased"] / means["healthy"] == pytest.approx(0.75, abs=0.03)


# ---------------------------------------------------------------- samples
def test_sample_is_uint8_volume_with_the_documented_gray_levels():
    cohort = Cohort(n_samples=2, seed=0, shape=SMALL)
    volume = cohort.sample(1)
    assert volume.dtype == np.uint8 and volume.shape == SMALL
    truth = cohort.truth(1)
    assert (volume == 255).any()                       # the background
    bone_like = (volume >= 10) & (volume <= 62)
    assert 0.2 < bone_like.mean() < 0.8
    cells = truth[truth["kind"] == "cell"]
    centres = np.rint(cells[["z", "row", "col"]].to_numpy()).astype(int)
    assert (volume[tuple(centres.T)] > 150).mean() > 0.95   # cells are bright


def test_samples_are_deterministic_and_independent_of_cohort_size():
    a = Cohort(n_samples=3, seed=1, shape=SMALL)
    b = Cohort(n_samples=500, seed=1, shape=SMALL)
    np.testing.assert_array_equal(a.sample(2), b.sample(2))
    pd.testing.assert_frame_equal(a.truth(2), b.truth(2))
    assert not np.array_equal(a.sample(0), a.sample(1))
    assert not np.array_equal(a.sample(0), Cohort(3, seed=2, shape=SMALL).sample(0))


def test_caller_owns_the_returned_arrays():
    cohort = Cohort(n_samples=1, seed=0, shape=SMALL)
    first = cohort.sample(0)
    first[:] = 0
    assert cohort.sample(0).max() == 255
    truth = cohort.truth(0)
    truth["kind"] = "changed"
    assert "changed" not in set(cohort.truth(0)["kind"])


def test_truth_table_is_consistent_with_the_generator_rules():
    cohort = Cohort(n_samples=4, seed=0)
    truth = cohort.truth(3)
    assert list(truth.columns) == ["cell_id", "z", "row", "col", "volume_vox",
                                   "major_axis_vox", "middle_axis_vox", "minor_axis_vox",
                                   "orientation_deg", "tilt_deg", "side", "kind"]
    assert truth["cell_id"].tolist() == list(range(1, len(truth) + 1))
    kinds = truth["kind"].value_counts()
    assert kinds["too_big"] == kinds["odd"] == 3   # in a volume of the default shape
    assert kinds["cell"] > 80
    cells = truth[truth["kind"] == "cell"]
    assert cells["volume_vox"].max() < 150 < 250 < truth.loc[truth["kind"] == "too_big", "volume_vox"].min()
    assert ((truth["col"] < cohort.shape[2] / 2) == (truth["side"] == "left")).all()
    assert (truth["major_axis_vox"] >= truth["middle_axis_vox"]).all()
    assert (truth["middle_axis_vox"] >= truth["minor_axis_vox"]).all()
    assert truth["tilt_deg"].between(0, 90).all()
    # Cells lie in the image plane, along one direction (60-80 degrees).
    assert cells["tilt_deg"].median() < 20
    assert 45 < cells["orientation_deg"].median() < 95


def test_realised_density_follows_the_plan():
    cohort = Cohort(n_samples=4, seed=0)
    for i in range(2):
        truth = cohort.truth(i)
        n_cells = (truth["kind"] == "cell").sum()
        density = n_cells / (cohort.bone_voxels(i) * cohort.voxel_volume_mm3)
        assert density == pytest.approx(cohort.info(i)["planned_density_per_mm3"], rel=0.05)
        side_counts = truth[truth["kind"] == "cell"]["side"].value_counts()
        dense = cohort.info(i)["dense_side"]
        other = "left" if dense == "right" else "right"
        assert side_counts[dense] > side_counts[other]


def test_bone_fills_part_of_the_volume():
    cohort = Cohort(n_samples=1, seed=0)
    fraction = cohort.bone_voxels(0) / np.prod(cohort.shape)
    assert 0.3 < fraction < 0.7


def test_spec_and_repr_name_the_cohort():
    cohort = Cohort(n_samples=7, seed=9, shape=SMALL)
    assert cohort.spec() == {"generator": "common.data.cohort", "version": C.VERSION,
                             "seed": 9, "shape": list(SMALL), "voxel_size_um": 2.0}
    assert "n_samples=7" in repr(cohort) and len(cohort) == 7
    assert cohort.voxel_volume_mm3 == pytest.approx(8e-9)


# ---------------------------------------------------------- registered data
def test_registered_pieces_match_the_cohort(data_cache):
    cohort = Cohort(n_samples=3, seed=0)
    pd.testing.assert_frame_equal(data.load("cohort_sheet", n_samples=3), cohort.sheet())
    np.testing.assert_array_equal(data.load("cohort_sample", sample=2, shape=SMALL),
                                  Cohort(3, seed=0, shape=SMALL).sample(2))
    truth = data.load("cohort_sample_cells")
    pd.testing.assert_frame_equal(truth, cohort.truth(0), check_dtype=False)


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize("n", [0, -3, 100_001, 2.0, "96", True])
def test_bad_cohort_size_says_what_is_allowed(n):
    with pytest.raises(ValueError, match=r"n_samples must be an integer from 1 to 100000, got"):
        Cohort(n_samples=n)


@pytest.mark.parametrize("seed", [-1, 2**32, 0.5, None])
def test_bad_seed_says_what_is_allowed(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295"):
        Cohort(seed=seed)


@pytest.mark.parametrize("shape", [(48, 128), (31, 128, 128), (48, 95, 128),
                                   (48, 128, 2000), "big", (48.0, 128, 128)])
def test_bad_shape_says_what_is_allowed(shape):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 3 integers \(planes, rows, cols\)"):
        Cohort(shape=shape)


def test_sample_numbers_out_of_range_name_the_range():
    cohort = Cohort(n_samples=5, shape=SMALL)
    with pytest.raises(IndexError, match=r"from 0 to 4 for a cohort of 5 samples, got 5"):
        cohort.sample(5)
    with pytest.raises(IndexError, match=r"got -1"):
        cohort.truth(-1)
    with pytest.raises(TypeError, match=r"must be an integer, got '2'"):
        cohort.info("2")


def test_bad_parameters_of_the_registered_data(data_cache):
    with pytest.raises(ValueError, match=r"sample must be an integer from 0 to 99999"):
        data.load("cohort_sample", sample=-1)
    with pytest.raises(TypeError, match=r"no parameter 'samples'.*sample, seed, shape"):
        data.load("cohort_sample_cells", samples=3)
    with pytest.raises(ValueError, match=r"n_samples must be an integer from 1 to 100000"):
        data.load("cohort_sheet", n_samples=0)


# ------------------------------------------------------------ the big block
def test_bone_block_is_lazy_chunk_independent_and_knows_its_cells():
    from scipy import ndimage as ndi

    shape = (42, 70, 84)
    lazy = C.bone_block(shape, chunks=(21, 35, 42), seed=3)
    assert lazy.dtype == np.uint8 and lazy.shape == shape and lazy.npartitions == 8
    volume = lazy.compute(scheduler="sync")
    other = C.bone_block(shape, chunks=(42, 16, 50), seed=3).compute(scheduler="sync")
    np.testing.assert_array_equal(volume, other)
    bright = volume > 128
    assert 17 <= volume[~bright].min() and volume[~bright].max() <= 55
    assert 203 <= volume[bright].min() and volume[bright].max() <= 253
    labels, n = ndi.label(bright)
    assert n == C.bone_block_cells(shape, seed=3) > 0
    assert not np.array_equal(volume, C.bone_block(shape, seed=4).compute(scheduler="sync"))


@pytest.mark.parametrize("shape", [(20, 100, 100), (100, 100), "big", (100.5, 100, 100)])
def test_bone_block_bad_shape(shape):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 3 integers, each from 28 to 100000"):
        C.bone_block(shape)
    with pytest.raises(ValueError, match=r"shape must be a tuple of 3 integers"):
        C.bone_block_cells(shape)


@pytest.mark.parametrize("chunks", [(8, 64, 64), (64, 64), "x", (64, 64, 2048)])
def test_bone_block_bad_chunks(chunks):
    with pytest.raises(ValueError, match=r"chunks must be a tuple of 3 integers, each from 16 to 1024"):
        C.bone_block((64, 64, 64), chunks=chunks)


# ------------------------------------------------ limits: one source, memory
def test_describe_states_exactly_the_shape_limits_the_check_enforces():
    import re

    text = data.describe("cohort_sample")
    line = next(row for row in text.splitlines() if row.strip().startswith("shape ="))
    found = re.search(r"planes from (\d+) to (\d+), rows and cols from (\d+) to (\d+)", line)
    assert found, line
    p_lo, p_hi, rc_lo, rc_hi = map(int, found.groups())
    assert (p_lo, p_hi, rc_lo, rc_hi) == (*C.PLANES, *C.ROWS_COLS)
    check = next(p for p in data.get("cohort_sample").params if p.name == "shape").check
    for shape in [(p_lo, rc_lo, rc_lo), (p_hi, rc_hi, rc_hi), (p_lo, rc_hi, rc_lo)]:
        assert check(shape) == shape and Cohort(shape=shape).shape == shape
    for shape in [(p_lo - 1, rc_lo, rc_lo), (p_hi + 1, rc_lo, rc_lo),
                  (p_lo, rc_lo - 1, rc_lo), (p_lo, rc_lo, rc_hi + 1)]:
        for make in (check, lambda s: Cohort(shape=s)):
            with pytest.raises(ValueError, match=re.escape(C.SHAPE_ALLOWED)):
                make(shape)
    # The class documentation points at the limits instead of restating them.
    assert "32 to 1024" not in Cohort.__doc__ and "PLANES" in Cohort.__doc__


def test_the_memory_estimate_covers_the_measured_peak():
    import tracemalloc

    for shape in [SMALL, C.SHAPE]:
        C._generate.cache_clear()
        tracemalloc.start()
        try:
            C._generate(0, shape, 0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        n = np.prod(shape)
        print(f"{shape}: peak {peak / n:.1f} bytes per voxel, estimate {C.memory_needed(shape) / n:.1f}")
        assert peak <= C.memory_needed(shape)
        assert peak >= 0.5 * C.BYTES_PER_VOXEL * n      # the estimate is not wildly high
    C._generate.cache_clear()


@pytest.mark.parametrize("shape", [C.SHAPE, (512, 1024, 1024)])
def test_a_sample_that_cannot_fit_is_refused_before_anything_is_allocated(shape, monkeypatch,
                                                                          data_cache):
    import tracemalloc

    monkeypatch.setattr(C, "available_memory", lambda: 2**20)      # 1 MiB left
    need = C.memory_needed(shape) / 2**30
    message = (rf"cohort sample of shape \({shape[0]}, {shape[1]}, {shape[2]}\) needs about "
               rf"{need:.2f} GiB .* this machine has 0.00 GiB available; choose a smaller shape")
    cohort = Cohort(n_samples=2, seed=11, shape=shape)
    tracemalloc.start()
    try:
        with pytest.raises(MemoryError, match=message):
            cohort.sample(1)
        with pytest.raises(MemoryError, match=message):
            data.load("cohort_sample", sample=1, seed=11, shape=shape)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_largest_shape_needs_far_less_than_before():
    # 512 x 1024 x 1024 voxels needed about 32 GiB with the old generator
    # (61 bytes per voxel); a sample now needs under 13 GiB.
    assert C.memory_needed((512, 1024, 1024)) < 13 * 2**30
    assert C.available_memory() is None or C.available_memory() > 0


# ----------------------------------------------------------- imaging model
@pytest.fixture(scope="module")
def recorded():
    cohort = Cohort(n_samples=1, seed=0)
    return cohort, cohort.sample(0), cohort.truth(0)


def test_partial_volume_fills_the_gray_levels_between_bone_and_lacunae(recorded):
    _, volume, _ = recorded
    counts = np.bincount(volume.ravel(), minlength=256)
    # No empty gray level between the bone and the lacunae peaks.
    assert (counts[60:200] > 0).all()
    assert counts[255] > 0.3 * volume.size                # saturated background
    inside = volume[volume < 250]
    assert 30 <= np.median(inside) <= 42


def test_lacunae_have_a_dark_fringe_and_bright_peaks(recorded):
    _, volume, truth = recorded
    cells = truth[truth["kind"] == "cell"]
    darkest, peak = [], []
    for z, r, c in np.rint(cells[["z", "row", "col"]].to_numpy()).astype(int):
        box = volume[max(z - 4, 0):z + 5, max(r - 6, 0):r + 7, max(c - 6, 0):c + 7]
        darkest.append(box.min())
        peak.append(box.max())
    bone_median = np.median(volume[volume < 120])
    assert np.median(darkest) < bone_median - 12           # the halo
    assert 200 <= np.median(peak) <= 250
    assert np.percentile(peak, 90) < 255                   # lacunae do not saturate


def test_truth_is_the_object_and_the_measurement_differs_from_it(recorded):
    from common import analysis

    cohort, volume, truth = recorded
    cells = truth[truth["kind"] == "cell"]
    result = analysis.analyse(volume, analysis.BONE_VOLUME)
    # Every true cell is found where the truth puts it, and its measured
    # volume follows the true one (smaller, by a similar share).
    found = result.objects[result.objects["kind"] == "cell"]
    pts_true = cells[["z", "row", "col"]].to_numpy()
    pts_found = found[["z", "row", "col"]].to_numpy()
    d = np.sqrt(((pts_true[:, None, :] - pts_found[None, :, :]) ** 2).sum(axis=-1))
    nearest = d.argmin(axis=1)
    assert np.median(d.min(axis=1)) < 0.2 and d.min(axis=1).max() < 1.0
    assert len(set(nearest)) == len(cells)                       # one to one
    sizes = found["size_px"].to_numpy()[nearest]
    assert np.corrcoef(sizes, cells["volume_vox"])[0, 1] > 0.9
    # Ellipsoids: volume 4/3 pi a b c, from the full axis lengths.
    expected = np.pi / 6 * cells["major_axis_vox"] * cells["middle_axis_vox"] * cells["minor_axis_vox"]
    np.testing.assert_allclose(cells["volume_vox"], expected, rtol=2e-3)
    assert abs(result.summary["count"] - len(cells)) <= 0.02 * len(cells)
    found = result.objects[result.objects["kind"] == "cell"]["size_px"].mean()
    assert 0.75 < found / cells["volume_vox"].mean() < 0.97   # partial volume, blur, halo
    bone = cohort.bone_voxels(0)
    assert abs(bone - np.count_nonzero(volume < 250)) < 0.05 * bone
