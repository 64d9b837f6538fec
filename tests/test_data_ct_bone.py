"""The CT cross-section of a cortical bone."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data


@pytest.fixture(scope="module")
def section():
    return data.load("ct_bone_section", cache=False)


def _ring(img):
    """The cortical ring: the largest bright component (pores closed)."""
    closed = ndi.binary_closing(img > 140, iterations=3)
    labels, _ = ndi.label(closed)
    return labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1


def test_shape_and_dtype(section):
    assert section.shape == (305, 282)
    assert section.dtype == np.uint8


def test_histogram_has_a_soft_matter_and_a_bone_peak(section):
    counts = np.bincount(section.ravel(), minlength=256)
    soft_peak = np.argmax(counts[:140])
    bone_peak = 140 + np.argmax(counts[140:])
    assert 68 <= soft_peak <= 82
    assert 205 <= bone_peak <= 228
    assert 0.3 < np.mean(section > 140) < 0.45


def test_background_outside_the_bone(section):
    corner = section[5:60, 200:275].astype(float)   # top right, outside the bone
    assert 70 <= corner.mean() <= 78
    assert 2.5 < corner.std() < 7.0
    assert 70 <= np.median(section[150:250, 0:12]) <= 80    # left edge


def test_ring_surrounds_a_darker_marrow_cavity(section):
    ring = _ring(section)
    cavity = ndi.binary_fill_holes(ring) & ~ring
    assert 15000 < cavity.sum() < 30000
    assert 74 <= np.median(section[cavity]) <= 85
    # The cavity is closed on every side by the ring.
    rows, cols = np.nonzero(cavity)
    assert rows.min() > 40 and rows.max() < 295
    assert cols.min() > 40 and cols.max() < 265


def test_cortical_bone_levels(section):
    core = ndi.binary_erosion(_ring(section), iterations=3)
    values = section[core]
    assert 200 <= np.median(values) <= 218           # the reference scan: 208
    assert np.mean((values >= 190) & (values <= 235)) > 0.7


def test_bone_has_a_few_hundred_small_pores(section):
    core = ndi.binary_erosion(_ring(section), iterations=3)
    labels, n = ndi.label(core & (section < 170))
    sizes = np.bincount(labels.ravel())[1:]
    assert 150 <= n <= 600
    assert np.median(sizes) <= 5


def test_edges_are_slightly_blurred(section):
    # Without blur most crossings of the threshold between neighbours would
    # be a direct step from soft matter (< 100) to bone (> 190); the blur
    # puts intermediate values on almost every edge.
    img = section.astype(int)
    a, b = img[:, :-1], img[:, 1:]
    crossings = np.count_nonzero((a < 140) != (b < 140))
    direct = np.count_nonzero(((a < 100) & (b > 190)) | ((b < 100) & (a > 190)))
    assert crossings > 1000
    assert direct < 0.15 * crossings


def test_other_seed_gives_another_section(section):
    other = data.load("ct_bone_section", seed=3, cache=False)
    assert other.shape == section.shape
    assert not np.array_equal(other, section)
    assert 0.3 < np.mean(other > 140) < 0.45


@pytest.mark.parametrize("seed", [-1, 2**32, 2.0, None])
def test_bad_seed_is_named(seed, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load("ct_bone_section", seed=seed)


def test_unknown_parameter_is_named(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'size'.*seed"):
        data.load("ct_bone_section", size=300)


# ------------------------------------------------ imaging model and truth
@pytest.fixture(scope="module")
def pores():
    return data.load("ct_bone_section_pores", cache=False)


def test_pore_table_has_the_documented_columns(pores):
    assert list(pores.columns) == ["pore_id", "row", "col", "area_px", "major_axis_px",
                                   "minor_axis_px", "orientation_deg", "kind", "content", "overlaps"]
    assert pores["pore_id"].tolist() == list(range(1, len(pores) + 1))
    assert pores[["row", "col"]].equals(pores.sort_values(["row", "col"])[["row", "col"]])
    assert set(pores["kind"]) == {"lacuna", "canal"} and set(pores["content"]) == {"fluid", "air"}
    assert (pores.loc[pores["kind"] == "canal", "content"] == "air").all()
    assert pores["orientation_deg"].between(-90, 90, inclusive="right").all()
    assert (pores["major_axis_px"] >= pores["minor_axis_px"]).all()
    # Ellipses: the area is pi a b from the full axis lengths.
    np.testing.assert_allclose(pores["area_px"], np.pi / 4 * pores["major_axis_px"]
                               * pores["minor_axis_px"], rtol=2e-3)
    assert 450 < len(pores) < 800 and (pores["kind"] == "canal").mean() < 0.08


def test_pores_are_where_the_image_is_dark_and_lie_in_the_bone(section, pores):
    r = np.clip(np.rint(pores["row"]).astype(int), 0, 304)
    c = np.clip(np.rint(pores["col"]).astype(int), 0, 281)
    around = ndi.minimum_filter(section, size=3)[r, c]
    assert np.median(around) < 160                    # darker than bone (about 215)
    air = pores["content"] == "air"
    assert np.median(around[air]) < np.median(around[~air])
    assert (ndi.binary_dilation(_ring(section), iterations=2)[r, c]).mean() > 0.97


def test_elongated_pores_follow_the_lamellae(pores):
    # Pores lie along the lamellae, which follow the surface: neighbouring
    # elongated pores point alike (random directions would differ by 45
    # degrees on average).
    long = pores[pores["major_axis_px"] > 1.5 * pores["minor_axis_px"]]
    pts = long[["row", "col"]].to_numpy()
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(axis=1)
    angle = long["orientation_deg"].to_numpy()
    diff = np.abs((angle - angle[nearest] + 90) % 180 - 90)
    assert len(long) > 100 and np.median(diff) < 25


def test_a_dark_fringe_runs_along_the_bone_surfaces(section):
    ring = _ring(section)
    outside = ~ndi.binary_fill_holes(ring)
    dist = ndi.distance_transform_edt(~(section > 140))
    fringe = np.median(section[outside & (dist > 1.5) & (dist <= 2.5)])
    beyond = np.median(section[outside & (dist > 4.5) & (dist <= 8.5)])
    assert fringe <= beyond - 3


def test_air_pores_reach_near_black_and_partial_volume_fills_the_gap(section):
    core = ndi.binary_erosion(_ring(section), iterations=3)
    assert section[core].min() < 20
    assert 0.0003 < np.mean(section[core] < 30) < 0.005
    counts = np.bincount(section.ravel(), minlength=256)
    assert (counts[90:200] > 0).all()          # no empty gray level between the peaks


def test_noise_is_correlated_like_a_reconstruction(section):
    patch = section[10:50, 220:270].astype(float)
    hp = patch - ndi.uniform_filter(patch, 9)
    corr = np.corrcoef(hp[:, :-1].ravel(), hp[:, 1:].ravel())[0, 1]
    assert 0.3 < corr < 0.7
    assert 3.0 < hp.std() < 5.0


# ------------------------------------------------ the clean section
@pytest.fixture(scope="module")
def clean():
    return data.load("ct_bone_section_clean", cache=False)


def test_clean_section_has_the_shape_of_the_recorded_one_in_float(clean, section):
    assert clean.shape == section.shape == (305, 282)
    assert clean.dtype == np.float32


def test_clean_section_is_the_recorded_one_before_the_scanner(clean, section):
    # One object under both: the recorded section is the clean one plus
    # blur, halo, artefacts and noise, on the same gray scale.
    assert np.corrcoef(clean.ravel(), section.ravel())[0, 1] > 0.98
    diff = section.astype(float) - clean
    assert abs(np.median(diff)) < 2.0
    corner = (slice(5, 60), slice(200, 275))           # embedding medium
    assert np.std(clean[corner]) < 0.5 < 2.5 < np.std(section[corner])
    assert 72.5 < np.median(clean[corner]) < 75.5


def test_clean_section_has_partial_volume_but_no_blur(clean):
    # Air is 0 before the 8-bit map (-4 -> 0, 262 -> 255): 4 * 255 / 266.
    assert clean.min() == pytest.approx(4 * 255 / 266, abs=1e-4)
    bone = clean[clean > 140]
    assert 200 < np.median(bone) < 212
    # Partial-volume pixels sit between medium and bone, but only at the
    # outline: a blurred image would have many more of them.
    between = (clean > 100) & (clean < 180)
    assert 0.02 < between.mean() < 0.045          # 0.035; blurred by 1 pixel: 0.053


def test_clean_pores_are_where_the_table_says(clean, pores):
    r = np.clip(np.rint(pores["row"]).astype(int), 0, 304)
    c = np.clip(np.rint(pores["col"]).astype(int), 0, 281)
    canals = (pores["kind"] == "canal").to_numpy()
    assert np.all(clean[r[canals], c[canals]] < 20)      # air-filled, larger than a pixel
    assert np.median(clean[r, c]) < 170


def test_the_clean_section_follows_the_seed(clean):
    other = data.load("ct_bone_section_clean", seed=3, cache=False)
    assert not np.array_equal(other, clean)
    assert np.array_equal(other, data.load("ct_bone_section_clean", seed=3, cache=False))
