"""The bone cell map: a gray image recorded through the imaging model, and its truth."""
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree
from skimage import measure

import common.data as data
from common.data import bone_cells as module

COLUMNS = ["cell_id", "row", "col", "area_px", "major_axis_px", "minor_axis_px",
           "orientation_deg", "solidity", "side", "kind", "grazed", "touching", "cut_by_border"]


def measure_objects(image, level=128):
    """What a reader measures: threshold, label, regionprops, the kind rules, the side."""
    labels = measure.label(image >= level)
    found = pd.DataFrame(measure.regionprops_table(
        labels, properties=("label", "centroid", "area", "solidity", "orientation")))
    found = found.rename(columns={"centroid-0": "row", "centroid-1": "col"})
    found["kind"] = np.where(found["area"] > module.TOO_BIG_AREA, "too_big",
                             np.where(found["solidity"] < module.ODD_SOLIDITY, "odd", "cell"))
    found["side"] = np.where(found["col"] < image.shape[1] / 2, "left", "right")
    return found.sort_values(["row", "col"]).reset_index(drop=True), labels


@pytest.fixture(scope="module")
def default():
    return data.load("bone_cells", cache=False), data.load("bone_cells_truth", cache=False)


def test_image_is_a_gray_anti_aliased_map(default):
    image, _ = default
    assert image.shape == (557, 557) and image.dtype == np.uint8
    assert 0.005 < (image >= 128).mean() < 0.03    # a sparse map of small objects
    assert np.unique(image).size > 200             # gray edges, not a binary map
    assert (image == 0).mean() > 0.8               # mostly black


def test_truth_table_columns_and_types(default):
    _, truth = default
    assert list(truth.columns) == COLUMNS
    assert truth["cell_id"].tolist() == list(range(1, len(truth) + 1))
    assert truth["area_px"].dtype == np.float64
    for flag in ("grazed", "touching", "cut_by_border"):
        assert truth[flag].dtype == bool
    assert set(truth["side"]) == {"left", "right"}
    assert set(truth["kind"]) == set(module.KINDS)
    assert truth["orientation_deg"].between(-90, 90).all()
    assert truth[["row", "col"]].apply(lambda s: s.is_monotonic_increasing).iloc[0]
    # True areas are measured on the fine grid: multiples of 1/16 pixel.
    np.testing.assert_allclose(truth["area_px"] * 16, np.round(truth["area_px"] * 16), atol=1e-6)


def test_truth_kinds_follow_the_documented_rules_with_margin(default):
    _, truth = default
    whole = truth[~truth["cut_by_border"]]
    kind = whole.set_index("kind")
    assert (kind.loc["too_big", "area_px"] >= 80).all()
    small = whole[whole["kind"] != "too_big"]
    assert (small["area_px"] <= 50).all()
    assert (small.loc[small["kind"] == "odd", "solidity"] <= 0.6).all()
    assert (small.loc[small["kind"] == "cell", "solidity"] >= 0.8).all()


def test_the_flags_mean_what_they_say(default):
    image, truth = default
    cells = truth[truth["kind"] == "cell"]
    # Grazed cells are the 1-2 pixel specks; the others are larger.
    assert cells.loc[cells["grazed"], "area_px"].max() <= 2.5
    assert cells.loc[~cells["grazed"], "area_px"].median() > 3
    assert 0.15 < cells["grazed"].mean() < 0.45
    # Objects cut by the border lie at its edge (the strips reach top and bottom).
    cut = truth[truth["cut_by_border"]]
    assert len(cut) > 0
    assert (np.minimum(cut["row"], image.shape[0] - 1 - cut["row"]) < 10).all()
    # Touching objects have a neighbour within a few pixels.
    touching = truth[truth["touching"]]
    tree = cKDTree(truth[["row", "col"]])
    distance, _ = tree.query(touching[["row", "col"]], k=2)
    assert len(touching) > 20 and np.median(distance[:, 1]) < 6


def test_measurement_finds_the_clear_cells_and_misses_what_the_truth_says(default):
    image, truth = default
    found, labels = measure_objects(image)
    cells = truth[truth["kind"] == "cell"]
    clear = cells[~cells["grazed"] & ~cells["touching"] & ~cells["cut_by_border"]]
    tree = cKDTree(found[["row", "col"]])
    # Nearly all of them are found where they are; a few, a single pixel
    # wide and split between two columns of pixels, stay below 128.
    distance, _ = tree.query(clear[["row", "col"]])
    assert (distance < 1.0).mean() > 0.98
    # Every clear cell at least 1.4 pixels wide is found, with its area within
    # the partial-volume error (about half its perimeter in pixels, at least 2).
    clear = clear[clear["minor_axis_px"] >= 1.4]
    distance, nearest = tree.query(clear[["row", "col"]])
    assert distance.max() < 1.0
    measured = found["area"].to_numpy()[nearest]
    true = clear["area_px"].to_numpy()
    perimeter = np.pi * (clear["major_axis_px"] + clear["minor_axis_px"]).to_numpy() / 2
    assert (np.abs(measured - true) <= np.maximum(2.0, perimeter / 2)).all()
    assert abs(np.median(measured / true) - 1) < 0.15
    # The count lies between the clear-enough cells and all of them:
    # specks below the threshold vanish, touching cells may merge.
    n_cells = (found["kind"] == "cell").sum()
    assert (~cells["grazed"]).sum() < n_cells < len(cells)
    # Some touching pairs are measured as one object.
    touching = truth[truth["touching"]]
    rows = np.clip(np.round(touching["row"]).astype(int), 0, image.shape[0] - 1)
    cols = np.clip(np.round(touching["col"]).astype(int), 0, image.shape[1] - 1)
    hit = labels[rows, cols]
    hit = hit[hit > 0]
    assert (np.unique(hit, return_counts=True)[1] > 1).any()


def test_cells_are_elongated_along_the_strips(default):
    _, truth = default
    cells = truth[(truth["kind"] == "cell") & ~truth["grazed"]]
    assert (cells["major_axis_px"] > cells["minor_axis_px"]).mean() > 0.99
    # Both strips run roughly top to bottom.
    assert cells["orientation_deg"].abs().median() > 60


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_sides_differ_clearly_in_count_and_size(seed):
    truth = data.load("bone_cells_truth", seed=seed, cache=False)
    cells = truth[truth["kind"] == "cell"].groupby("side")
    count, area = cells.size(), cells["area_px"].mean()
    assert max(count) / min(count) > 1.25
    assert max(area) / min(area) > 1.5


def test_seed_decides_which_side_is_denser():
    denser = set()
    for seed in range(6):
        truth = data.load("bone_cells_truth", seed=seed, cache=False)
        denser.add(truth[truth["kind"] == "cell"]["side"].value_counts().idxmax())
    assert denser == {"left", "right"}


def test_strips_leave_the_middle_black(default):
    image, truth = default
    w = image.shape[1]
    assert image[:, int(0.47 * w):int(0.53 * w) + 1].max() <= 2
    left = truth[truth["side"] == "left"]
    assert (left["col"] < w / 2).all() and (truth.loc[truth["side"] == "right", "col"] > w / 2).all()


def test_same_parameters_same_bytes_and_other_seed_differs():
    a = data.load("bone_cells", seed=3, cache=False)
    b = data.load("bone_cells", seed=3, cache=False)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, data.load("bone_cells", seed=4, cache=False))


def test_other_shapes_work_and_scale_the_count():
    image = data.load("bone_cells", shape=(300, 400), seed=1, cache=False)
    truth = data.load("bone_cells_truth", shape=(300, 400), seed=1, cache=False)
    assert image.shape == (300, 400)
    assert 0.6 * len(truth) < measure.label(image >= 128).max() < len(truth)
    assert 80 < len(truth) < len(data.load("bone_cells_truth", cache=False))


def test_returned_arrays_are_the_callers_own():
    first = data.load("bone_cells", cache=False)
    first[:] = 255
    assert not (data.load("bone_cells", cache=False) == 255).all()


@pytest.mark.parametrize("name", ["bone_cells", "bone_cells_truth"])
@pytest.mark.parametrize("shape", [(100, 100), (557,), (557, 557, 1), "big", (557.0, 557), (2000, 557)])
def test_bad_shape_says_what_is_allowed(name, shape, data_cache):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 2 integers, each from 256 to 1024, got"):
        data.load(name, shape=shape)


@pytest.mark.parametrize("seed", [-1, 2**32, 0.5, "1", None])
def test_bad_seed_says_what_is_allowed(seed, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load("bone_cells", seed=seed)


def test_unknown_parameter_is_named(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'density'.*shape, seed"):
        data.load("bone_cells", density=2)
