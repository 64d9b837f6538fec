"""The bone slice: recorded through the imaging model, with a truth that still teaches."""
import numpy as np
import pandas as pd
import pytest
from scipy import ndimage as ndi
from scipy.spatial import cKDTree
from skimage import measure

import common.data as data
from common.data import bone as module

COLUMNS = ["cell_id", "row", "col", "area_px", "major_axis_px", "minor_axis_px",
           "orientation_deg", "solidity", "side", "kind", "grazed", "touching", "depth_px"]


@pytest.fixture(scope="module")
def default():
    return (data.load("bone_slice", cache=False), data.load("bone_slice_cells", cache=False),
            data.load("bone_slice_fractions", cache=False))


def test_image_values_are_those_documented(default):
    image, _, fractions = default
    assert image.shape == (180, 140) and image.dtype == np.uint8
    outside = fractions[0] == 0
    assert (image[outside] >= 250).mean() > 0.99                     # background 254-255
    core = ndi.binary_erosion(fractions[0] == 1, iterations=3) & (ndi.maximum_filter(
        fractions[1], size=9) == 0)
    assert np.median(image[core]) == 55 and (image[core] == 55).mean() > 0.9
    inside = fractions[0] > 0.5
    assert (image[inside] <= 30).mean() > 0.02                       # the dark fringes
    levels = np.bincount(image.ravel(), minlength=256)
    assert (levels[60:251] > 0).sum() > 180                          # no histogram gap


def test_truth_table_columns_types_and_rules(default):
    _, truth, _ = default
    assert list(truth.columns) == COLUMNS
    assert truth["cell_id"].tolist() == list(range(1, len(truth) + 1))
    assert truth["area_px"].dtype == np.float64
    assert truth["grazed"].dtype == bool and truth["touching"].dtype == bool
    assert set(truth["kind"]) == set(module.KINDS)
    kind = truth.set_index("kind")
    assert (kind.loc["too_big", "area_px"] >= 45).all()            # rule: > 40, with margin
    assert (kind.loc["odd", "solidity"] <= 0.7).all()              # rule: < 0.75
    assert (kind.loc["odd", "area_px"] <= module.TOO_BIG_AREA).all()
    cells = kind.loc["cell"]
    assert (cells["area_px"] <= 30).all() and (cells["solidity"] >= 0.8).all()
    assert (truth["depth_px"] > 2.5).all()                          # clear of the outline
    grazed = truth[truth["grazed"]]
    assert len(grazed) > 3 and grazed["area_px"].max() < 1.6


def test_fractions_are_the_truth_of_partial_volume(default):
    _, truth, fractions = default
    assert fractions.shape == (2, 180, 140) and fractions.dtype == np.float32
    assert fractions.min() >= 0 and fractions.max() <= 1
    assert (fractions[1] <= fractions[0] + 1e-6).all()             # cavities lie in the bone
    # The cavity fractions add up to the true areas of the objects.
    assert fractions[1].sum() == pytest.approx(truth["area_px"].sum(), rel=1e-4)
    edge = (fractions[0] > 0) & (fractions[0] < 1)
    assert edge.sum() > 200                                         # the outline is partial


def test_measurement_against_truth_finds_clear_cells_and_misses_small_ones(default):
    image, truth, fractions = default
    bone = ndi.binary_fill_holes(image < 250)
    inner = ndi.binary_erosion(bone, iterations=2)
    labels = measure.label(inner & (image >= 100), connectivity=2)
    found = pd.DataFrame(measure.regionprops_table(labels, properties=("centroid", "area")))
    tree = cKDTree(found[["centroid-0", "centroid-1"]])
    cells = truth[truth["kind"] == "cell"]
    clear = cells[~cells["grazed"] & ~cells["touching"]]
    distance, nearest = tree.query(clear[["row", "col"]])
    assert (distance < 1.0).mean() > 0.97
    # Grazed cells show as specks of a few pixels: below a minimum size of 4.
    distance, nearest = tree.query(cells.loc[cells["grazed"], ["row", "col"]])
    assert (found["area"].to_numpy()[nearest[distance < 1.0]] < 4).mean() > 0.6
    # The count: within 10 % of the true number of objects.
    assert abs(labels.max() - len(truth)) <= 0.1 * len(truth)


def test_porosity_depends_on_the_threshold_around_the_truth(default):
    image, _, fractions = default
    true = fractions[1].sum() / fractions[0].sum()

    def porosity(level):
        matrix = image < level
        section = ndi.binary_fill_holes(matrix)
        return (section & ~matrix).sum() / section.sum()

    assert porosity(100) > porosity(128) > porosity(150)           # no gap: every level counts
    assert porosity(100) > true > porosity(150)
    assert abs(porosity(128) / true - 1) < 0.1


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_sides_differ_in_count_or_size_as_drawn(seed):
    truth = data.load("bone_slice_cells", seed=seed, cache=False)
    cells = truth[(truth["kind"] == "cell")].groupby("side")
    count, area = cells.size(), cells["area_px"].mean()
    assert max(count) / min(count) > 1.15 or max(area) / min(area) > 1.2


@pytest.mark.parametrize("shape", [(64, 64), (96, 80), (240, 400)])
def test_other_shapes_work(shape):
    image = data.load("bone_slice", shape=shape, seed=4, cache=False)
    truth = data.load("bone_slice_cells", shape=shape, seed=4, cache=False)
    fractions = data.load("bone_slice_fractions", shape=shape, seed=4, cache=False)
    assert image.shape == shape and fractions.shape == (2, *shape)
    assert (truth["kind"] == "cell").sum() > 5
    assert truth["row"].between(0, shape[0] - 1).all() and truth["col"].between(0, shape[1] - 1).all()
    # The section stays clear of the image border.
    assert fractions[0][:3].max() == 0 and fractions[0][-3:].max() == 0
    assert fractions[0][:, :3].max() == 0 and fractions[0][:, -3:].max() == 0


@pytest.mark.parametrize("shape", [(63, 100), (100,), (2000, 100), "big"])
def test_bad_shape_says_what_is_allowed(shape, data_cache):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 2 integers, each from 64 to 1024, got"):
        data.load("bone_slice_fractions", shape=shape)
