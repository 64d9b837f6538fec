"""The bone cell map: its image and its truth table tell the same story."""
import numpy as np
import pandas as pd
import pytest
from skimage import measure

import common.data as data
from common.data import bone_cells as module

COLUMNS = ["cell_id", "row", "col", "area_px", "major_axis_px", "minor_axis_px",
           "orientation_deg", "solidity", "side", "kind"]


def measure_objects(image):
    """What a reader measures: label, regionprops, the kind rules, the side."""
    labels = measure.label(image)
    found = pd.DataFrame(measure.regionprops_table(
        labels, properties=("centroid", "area", "solidity", "orientation")))
    found = found.rename(columns={"centroid-0": "row", "centroid-1": "col"})
    found["kind"] = np.where(found["area"] > module.TOO_BIG_AREA, "too_big",
                             np.where(found["solidity"] < module.ODD_SOLIDITY, "odd", "cell"))
    found["side"] = np.where(found["col"] < image.shape[1] / 2, "left", "right")
    return found.sort_values(["row", "col"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def default():
    return data.load("bone_cells", cache=False), data.load("bone_cells_truth", cache=False)


def test_image_shape_dtype_and_values(default):
    image, _ = default
    assert image.shape == (557, 557) and image.dtype == bool
    assert 0.005 < image.mean() < 0.05  # a sparse map of small objects


def test_truth_table_columns_and_types(default):
    _, truth = default
    assert list(truth.columns) == COLUMNS
    assert truth["cell_id"].tolist() == list(range(1, len(truth) + 1))
    assert truth["area_px"].dtype == np.int64
    assert set(truth["side"]) == {"left", "right"}
    assert set(truth["kind"]) == set(module.KINDS)
    assert truth["orientation_deg"].between(-90, 90).all()
    assert truth[["row", "col"]].apply(lambda s: s.is_monotonic_increasing).iloc[0]


def test_truth_areas_add_up_to_the_white_pixels(default):
    image, truth = default
    assert truth["area_px"].sum() == np.count_nonzero(image)


@pytest.mark.parametrize("connectivity", [1, 2])
def test_labelling_finds_every_object_once(default, connectivity):
    image, truth = default
    assert measure.label(image, connectivity=connectivity).max() == len(truth)


def test_measurement_recovers_the_truth_exactly(default):
    image, truth = default
    found = measure_objects(image)
    assert len(found) == len(truth)
    np.testing.assert_allclose(found[["row", "col"]], truth[["row", "col"]], atol=1e-3)
    np.testing.assert_array_equal(found["area"], truth["area_px"])
    np.testing.assert_allclose(found["solidity"], truth["solidity"], atol=1e-3)
    assert found["kind"].tolist() == truth["kind"].tolist()
    assert found["side"].tolist() == truth["side"].tolist()


def test_truth_kinds_follow_the_documented_rules_with_margin(default):
    _, truth = default
    kind = truth.set_index("kind")
    assert (kind.loc["too_big", "area_px"] > module.TOO_BIG_AREA).all()
    small = truth[truth["kind"] != "too_big"]
    assert (small["area_px"] <= module.TOO_BIG_AREA).all()
    assert (small.loc[small["kind"] == "odd", "solidity"] < module.ODD_SOLIDITY).all()
    assert (small.loc[small["kind"] == "cell", "solidity"] >= module.ODD_SOLIDITY).all()


def test_cells_are_elongated_along_the_strips(default):
    _, truth = default
    cells = truth[truth["kind"] == "cell"]
    assert (cells["major_axis_px"] > cells["minor_axis_px"]).all()
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
    assert not image[:, int(0.46 * w):int(0.54 * w) + 1].any()
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
    assert measure.label(image).max() == len(truth)
    assert 80 < len(truth) < len(data.load("bone_cells_truth", cache=False))


def test_returned_arrays_are_the_callers_own():
    first = data.load("bone_cells", cache=False)
    first[:] = True
    assert not data.load("bone_cells", cache=False).all()


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
