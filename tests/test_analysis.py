"""The 2D/3D analysis pipeline: each step, the whole, real images, bad input."""
import math

import numpy as np
import pandas as pd
import pytest
from skimage import measure as skmeasure

import common.data as data
from common import analysis as A
from common.data.cohort import Cohort


def ellipse(shape, center, semi, angle_deg):
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    dy, dx = -(rows - center[0]), cols - center[1]
    t = np.deg2rad(angle_deg)
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    return (u / semi[0]) ** 2 + (v / semi[1]) ** 2 <= 1


# ---------------------------------------------------------------- Settings
@pytest.mark.parametrize("field, value, message", [
    ("sigma", -1, "sigma must be a number of pixels from 0 to 100"),
    ("sigma", "1", "sigma must be"),
    ("background", -5, "background must be a number of pixels from 0"),
    ("threshold", "otsu2", 'threshold must be a number or "otsu"'),
    ("threshold", math.nan, 'threshold must be a number or "otsu"'),
    ("polarity", "light", 'polarity must be "bright" or "dark"'),
    ("fill_holes", 1, "fill_holes must be True or False"),
    ("connectivity", 4, "connectivity must be 1, 2 or 3"),
    ("min_size", 0, "min_size must be an integer number of pixels, at least 1"),
    ("min_size", 2.5, "min_size must be"),
    ("max_size", 2, r"max_size must be a number of pixels at least min_size \(4\)"),
    ("min_solidity", 1.5, "min_solidity must be a number from 0 to 1"),
    ("exclude_border", "yes", "exclude_border must be True or False"),
    ("voxel_size_um", 0, "voxel_size_um must be None or a positive number"),
])
def test_bad_settings_name_the_value_and_what_is_allowed(field, value, message):
    with pytest.raises(ValueError, match=message + ".*got"):
        A.Settings(**{field: value})


def test_settings_replace_checks_and_as_dict_is_plain():
    s = A.BONE_SLICE.replace(sigma=1.5)
    assert s.sigma == 1.5 and A.BONE_SLICE.sigma == 0.5
    with pytest.raises(ValueError, match="sigma"):
        s.replace(sigma=-1)
    assert A.Settings().as_dict()["max_size"] is None
    assert A.BONE_VOLUME.as_dict()["max_size"] == 250


# ------------------------------------------------------------------ steps
def test_smooth_returns_float32_and_removes_a_background():
    rng = np.random.default_rng(0)
    image = rng.normal(100, 10, (64, 64))
    out = A.smooth(image, sigma=2)
    assert out.dtype == np.float32 and out.std() < image.std() / 2
    np.testing.assert_allclose(A.smooth(image, sigma=0), image.astype(np.float32))
    ramp = np.add.outer(np.arange(256.0), np.arange(256.0))  # uneven lighting
    flat = A.smooth(ramp, sigma=0, background=20)
    assert np.ptp(flat[96:160, 96:160]) < 1e-3 * np.ptp(ramp)
    with pytest.raises(ValueError, match="sigma must be"):
        A.smooth(image, sigma=-1)


def test_threshold_fixed_otsu_and_polarity():
    image = np.zeros((20, 20))
    image[5:10, 5:10] = 200
    mask, level = A.threshold(image, 100)
    assert level == 100 and mask.sum() == 25
    mask, level = A.threshold(image, "otsu")
    assert 0 <= level < 200 and mask.sum() == 25
    dark, _ = A.threshold(image, 100, polarity="dark")
    assert dark.sum() == 400 - 25


def test_threshold_errors():
    with pytest.raises(ValueError, match="more than one gray value; this one is 7"):
        A.threshold(np.full((5, 5), 7), "otsu")
    with pytest.raises(ValueError, match='polarity must be "bright" or "dark", got \'up\''):
        A.threshold(np.zeros((5, 5)), 1, polarity="up")


def test_label_connectivity():
    mask = np.zeros((5, 5), bool)
    mask[1, 1] = mask[2, 2] = True  # touch at a corner only
    assert A.label(mask, 1)[1] == 2
    assert A.label(mask, 2)[1] == 1
    labels, n = A.label(np.ones((3, 3, 3), bool))
    assert labels.dtype == np.int32 and n == 1
    with pytest.raises(ValueError, match="connectivity must be an integer from 1 to 2 for a 2D mask, got 3"):
        A.label(mask, 3)
    with pytest.raises(ValueError, match="mask must be a boolean array, got dtype int64"):
        A.label(mask.astype(np.int64))


def test_measure_2d_agrees_with_skimage_regionprops():
    image = np.zeros((60, 80), np.int32)
    image[ellipse(image.shape, (20, 25), (9, 4), 30)] = 1
    vee = ellipse(image.shape, (40, 55), (8, 1.5), 60) | ellipse(image.shape, (40, 55), (8, 1.5), -60)
    image[vee] = 2
    table = A.measure(image).set_index("label")
    for region in skmeasure.regionprops(image):
        row = table.loc[region.label]
        assert row["size_px"] == region.area
        assert (row["row"], row["col"]) == pytest.approx(region.centroid)
        assert row["major_axis_px"] == pytest.approx(region.axis_major_length)
        assert row["minor_axis_px"] == pytest.approx(region.axis_minor_length)
        assert row["solidity"] == pytest.approx(region.solidity)
    # skimage measures orientation from the row axis; ours is the angle on screen.
    assert table.loc[1, "orientation_deg"] == pytest.approx(30, abs=2)
    assert table.loc[1, "elongation"] == pytest.approx(9 / 4, rel=0.1)
    assert table.loc[2, "solidity"] < 0.75 < table.loc[1, "solidity"]
    assert list(table.columns) == ["row", "col", "size_px", "major_axis_px", "minor_axis_px",
                                   "elongation", "orientation_deg", "solidity", "touches_border"]


def test_measure_3d_axes_tilt_solidity_and_border():
    labels = np.zeros((30, 30, 30), np.int32)
    z, r, c = np.ogrid[:30, :30, :30]
    labels[((z - 15) / 8.0) ** 2 + ((r - 15) / 3.0) ** 2 + ((c - 15) / 2.0) ** 2 <= 1] = 1
    labels[0:3, 0:3, 0:3] = 2
    table = A.measure(labels).set_index("label")
    region = skmeasure.regionprops(labels)[0]
    rod = table.loc[1]
    assert rod["size_px"] == region.area
    assert rod["major_axis_px"] == pytest.approx(region.axis_major_length, rel=1e-6)
    assert rod["minor_axis_px"] == pytest.approx(region.axis_minor_length, rel=1e-6)
    assert rod["major_axis_px"] > rod["middle_axis_px"] > rod["minor_axis_px"]
    assert rod["tilt_deg"] == pytest.approx(90)                  # along z
    assert rod["solidity"] == pytest.approx(region.solidity)
    assert not rod["touches_border"] and table.loc[2, "touches_border"]
    assert table.loc[2, "solidity"] == 1.0


def test_measure_of_an_empty_image_is_an_empty_table():
    table = A.measure(np.zeros((8, 8), np.int32))
    assert len(table) == 0 and "size_px" in table.columns


def test_measure_rejects_non_labels():
    with pytest.raises(ValueError, match="labels must be an integer array .* got dtype float64"):
        A.measure(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="labels must be 0 .* or positive, found -1"):
        A.measure(-np.ones((4, 4), np.int32))


def test_classify_applies_the_rules_in_order():
    table = pd.DataFrame({
        "col": [1.0, 9.0, 2.0, 8.0, 3.0],
        "size_px": [10, 10, 2, 100, 10],
        "solidity": [0.9, 0.5, 0.9, 0.2, 0.9],
        "touches_border": [False, False, False, False, True],
    })
    out = A.classify(table, A.Settings(min_size=4, max_size=50, min_solidity=0.7), shape=(10, 10))
    assert out["kind"].tolist() == ["cell", "odd", "too_small", "too_big", "border"]
    assert out["side"].tolist() == ["left", "right", "left", "right", "left"]
    keep = A.classify(table, A.Settings(exclude_border=False), shape=(10, 10))
    assert keep["kind"].iloc[4] == "cell"
    with pytest.raises(ValueError, match=r"lacks the columns \['solidity'\]"):
        A.classify(table.drop(columns="solidity"), shape=(10, 10))
    with pytest.raises(ValueError, match="needs the image shape"):
        A.classify(table)
    with pytest.raises(TypeError, match="settings must be a Settings, got dict"):
        A.classify(table, {"sigma": 1}, shape=(10, 10))


def test_tissue_fills_the_cells_but_not_the_background():
    mask = np.ones((20, 20), bool)       # bright background everywhere...
    mask[4:16, 4:16] = False             # ...but a dark block of bone
    mask[8:10, 8:10] = True              # with a bright cell inside
    region = A.tissue(mask)
    assert region.sum() == 144 and region[8, 8]


def test_summarise_counts_cells_by_side():
    table = pd.DataFrame({"kind": ["cell", "cell", "cell", "odd"],
                          "side": ["left", "left", "right", "right"],
                          "size_px": [10, 20, 40, 5],
                          "major_axis_px": [4.0, 4.0, 4.0, 4.0],
                          "minor_axis_px": [2.0, 2.0, 2.0, 1.0],
                          "orientation_deg": [80.0, 90.0, -80.0, 0.0]})
    s = A.summarise(table, tissue_px=1000, ndim=2, voxel_size_um=10.0)
    assert s["count"] == 3 and s["n_odd"] == 1
    assert (s["count_left"], s["count_right"], s["more_cells_on"]) == (2, 1, "left")
    assert (s["mean_size_left_px"], s["mean_size_right_px"]) == (15, 40)
    assert s["larger_cells_on"] == "right"
    assert s["density_per_kpx"] == 3.0
    assert s["density_per_mm2"] == pytest.approx(3 / (1000 * 0.01**2))
    assert s["mean_elongation"] == 2.0
    assert abs(abs(s["mean_orientation_deg"]) - 90) < 1e-9 and s["alignment"] > 0.9


def test_summarise_errors():
    table = pd.DataFrame({"kind": ["cell"], "side": ["left"], "size_px": [3]})
    with pytest.raises(ValueError, match="tissue_px must be a positive integer number of pixels, got 0"):
        A.summarise(table, tissue_px=0, ndim=2)
    with pytest.raises(ValueError, match="ndim must be 2 or 3, got 4"):
        A.summarise(table, tissue_px=5, ndim=4)
    with pytest.raises(ValueError, match="lacks the column 'area_px'"):
        A.summarise(table, tissue_px=5, ndim=2, size="area_px")


# ------------------------------------------------------- the whole pipeline
def test_bone_slice_answers_match_its_truth_table():
    image, truth = data.load("bone_slice"), data.load("bone_slice_cells")
    result = A.analyse(image, A.BONE_SLICE)
    expected = A.summarise(truth, tissue_px=result.summary["tissue_px"], ndim=2, size="area_px")
    got = result.summary
    for key in ("count", "n_too_big", "n_odd", "count_left", "count_right", "more_cells_on",
                "larger_cells_on"):
        assert got[key] == expected[key], key
    assert got["mean_size_px"] == pytest.approx(expected["mean_size_px"], rel=0.02)
    # Every true cell is found at its place.
    found = result.cells[["row", "col"]].to_numpy()
    for _, cell in truth[truth["kind"] == "cell"].iterrows():
        assert np.hypot(*(found - [cell["row"], cell["col"]]).T).min() < 1.0


def test_a_real_photograph_the_24_coins_of_scikit_image():
    from skimage.data import coins

    result = A.analyse(coins(), A.COINS)
    assert result.summary["count"] == 24
    assert (result.objects["kind"] == "cell").sum() == 24
    assert 0.9 < result.cells["solidity"].min()


def test_a_3d_cohort_sample_matches_its_truth():
    cohort = Cohort(n_samples=2, seed=0, shape=(32, 96, 96))
    result = A.analyse(cohort.sample(1), A.BONE_VOLUME)
    truth = cohort.truth(1)
    expected = A.summarise(truth, tissue_px=cohort.bone_voxels(1), ndim=3, voxel_size_um=2.0,
                           size="volume_vox")
    got = result.summary
    assert abs(got["count"] - expected["count"]) <= max(1, 0.02 * expected["count"])
    assert got["more_cells_on"] == expected["more_cells_on"]
    assert got["tissue_px"] == pytest.approx(expected["tissue_px"], rel=0.02)
    assert got["mean_size_px"] == pytest.approx(expected["mean_size_px"], rel=0.06)
    assert got["density_per_mm3"] == pytest.approx(expected["density_per_mm3"], rel=0.03)
    assert result.labels.shape == cohort.shape


def test_same_pipeline_in_2d_and_3d():
    # A 3D stack of one 2D pattern gives the same objects, now as rods along z.
    plane = np.full((64, 64), 30, np.uint8)
    plane[10:14, 10:20] = plane[40:50, 30:34] = 220
    stack = np.repeat(plane[None], 8, axis=0)
    settings = A.Settings(sigma=0, threshold=128, exclude_border=False)
    two, three = A.analyse(plane, settings), A.analyse(stack, settings)
    assert two.summary["count"] == three.summary["count"] == 2
    assert sorted(three.cells["size_px"]) == sorted(8 * two.cells["size_px"])


@pytest.mark.parametrize("image, message", [
    (np.zeros(5), r"image must be a 2D or 3D array, got shape \(5,\)"),
    (np.zeros((2, 2, 2, 2)), r"2D or 3D array, got shape \(2, 2, 2, 2\)"),
    (np.array([["a", "b"]]), "image must hold numbers .* got dtype <U1"),
    (np.array([[0.0, np.nan]]), "NaN or infinite"),
])
def test_analyse_rejects_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        A.analyse(image)


def test_analyse_rejects_bad_settings_objects():
    with pytest.raises(TypeError, match="settings must be a Settings, got dict"):
        A.analyse(np.zeros((5, 5)), {"sigma": 1})
    with pytest.raises(ValueError, match="connectivity must be at most 2 for a 2D image, got 3"):
        A.analyse(np.zeros((5, 5)), A.Settings(connectivity=3))
