"""The noise-free test targets: test pattern (with labels and crop) and Siemens star."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import patterns


@pytest.fixture(scope="module")
def pattern():
    return data.load("test_pattern", cache=False)


@pytest.fixture(scope="module")
def labels():
    return data.load("test_pattern_labels", cache=False)


@pytest.fixture(scope="module")
def star():
    return data.load("siemens_star", cache=False)


# ---------------------------------------------------------------- test pattern
def test_pattern_is_512_float32_in_0_1_with_three_levels(pattern):
    assert pattern.shape == (512, 512)
    assert pattern.dtype == np.float32
    assert pattern.min() == 0.0 and pattern.max() == 1.0
    exact = np.isin(pattern, [0.0, 0.5, 1.0])
    assert exact.mean() > 0.94
    # Background gray is the most common level; black and white both present.
    shares = [np.mean(pattern == v) for v in (0.0, 0.5, 1.0)]
    assert shares[1] > 0.5 and shares[0] > 0.08 and shares[2] > 0.08


def test_pattern_edges_are_anti_aliased(pattern):
    between = (pattern > 0.02) & (pattern < 0.98) & (pattern != 0.5)
    assert 0.02 < between.mean() < 0.06
    # Partial-volume values lie only next to an edge.
    edge = ndi.morphological_gradient(np.round(pattern * 2), size=3) > 0
    assert edge[between].mean() > 0.99


def test_labels_name_five_features_at_their_places(labels):
    assert labels.shape == (512, 512) and labels.dtype == np.uint8
    assert set(np.unique(labels)) == set(patterns.FEATURES)
    where = {k: ndi.center_of_mass(labels == k) for k in range(1, 6)}
    assert where[1][0] < 200 and where[1][1] < 200          # star top left
    assert where[3][0] < 200 and where[3][1] > 312          # bullseye top right
    assert abs(where[2][0] - 256) < 2 and abs(where[2][1] - 256) < 2   # cross in the centre
    assert where[4][0] > 312 and where[4][1] < 200          # triangles bottom left
    assert where[5][0] > 312 and where[5][1] > 312          # spiral bottom right
    for k in range(1, 6):
        assert ndi.label(labels == k)[1] == 1


def test_feature_areas_match_their_geometry(labels):
    area = np.bincount(labels.ravel(), minlength=6)
    # Disc of radius 100 (bullseye), 98 (spiral footprint), square of side 96.
    assert area[3] == pytest.approx(np.pi * 100 ** 2, rel=0.01)
    assert area[5] == pytest.approx(np.pi * 98 ** 2, rel=0.01)
    assert area[2] == pytest.approx(97 ** 2, rel=0.03)
    # Star: 10 triangles of sides R and r with angle 36 degrees.
    assert area[1] == pytest.approx(5 * 100 * 38.2 * np.sin(np.radians(36)), rel=0.02)
    # Equilateral triangle of corner radius 105.
    assert area[4] == pytest.approx(3 * np.sqrt(3) / 4 * 105 ** 2, rel=0.02)


def test_star_is_white_and_the_bullseye_alternates(pattern, labels):
    assert np.mean(pattern[labels == 1] == 1.0) > 0.95
    # Along a ray from the bullseye's centre the level flips every 10 px.
    row = pattern[128, 384:484]
    levels = row[[5 + 10 * k for k in range(10)]]
    np.testing.assert_array_equal(levels, [1, 0] * 5)


def test_spiral_gaps_shrink_towards_the_centre(pattern):
    # Horizontal ray from the spiral's centre to the right: dark band crossings.
    ray = pattern[384, 384:484]
    dark = ray < 0.25
    starts = np.flatnonzero(dark[1:] & ~dark[:-1]) + 1
    stops = np.flatnonzero(~dark[1:] & dark[:-1]) + 1
    gaps = starts[1:] - stops[:len(starts) - 1]
    assert len(gaps) >= 6
    assert gaps[-1] >= 10 and gaps[0] <= 3
    assert np.all(np.diff(gaps) >= 0)


def test_cross_has_a_plus_in_squares_and_two_gray_discs(pattern):
    c = 256
    assert pattern[c, c] == 0.0                     # the plus
    assert pattern[c - 42, c] == 0.0                # the outer black square
    assert pattern[c - 34, c] == 1.0                # the white square
    assert pattern[c - 19, c + 19] == 0.5           # gray disc top right
    assert pattern[c + 19, c - 19] == 0.5           # gray disc bottom left
    assert pattern[c - 19, c - 19] == 0.0           # black disc top left
    assert pattern[c + 19, c + 19] == 0.0           # black disc bottom right


def test_crop_is_the_cross_with_a_margin(pattern):
    crop = data.load("test_pattern_crop", cache=False)
    box = patterns.crop_box()
    assert box == (slice(200, 312), slice(200, 312))
    assert crop.shape == (112, 112) and crop.dtype == np.float32
    np.testing.assert_array_equal(crop, pattern[box])
    assert (crop[:4] == 0.5).all() and (crop[:, -4:] == 0.5).all()   # background margin
    shares = [np.mean(crop == v) for v in (0.0, 0.5, 1.0)]
    assert shares == pytest.approx([0.342, 0.318, 0.293], abs=0.005)


@pytest.mark.parametrize("size", [256, 1024])
def test_other_sizes_scale_the_same_layout(pattern, labels, size):
    big = data.load("test_pattern", size=size, cache=False)
    big_labels = data.load("test_pattern_labels", size=size, cache=False)
    assert big.shape == (size, size)
    f = size // 512 if size > 512 else 1
    if size > 512:
        down = big.reshape(512, f, 512, f).mean(axis=(1, 3))
        assert np.abs(down - pattern).mean() < 0.01
    area = np.bincount(big_labels.ravel(), minlength=6) * (512 / size) ** 2
    np.testing.assert_allclose(area[1:], np.bincount(labels.ravel(), minlength=6)[1:], rtol=0.03)
    crop = data.load("test_pattern_crop", size=size, cache=False)
    assert crop.shape == (round(112 * size / 512),) * 2


@pytest.mark.parametrize("size", [127, 1025, 512.0, "512", True])
def test_bad_size_is_named(size, data_cache):
    with pytest.raises(ValueError, match=r"size must be an integer from 128 to 1024, got"):
        data.load("test_pattern", size=size)
    with pytest.raises(ValueError, match=r"size must be an integer from 128 to 1024, got"):
        patterns.crop_box(size)


def test_pattern_has_no_seed(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'seed'.*size"):
        data.load("test_pattern", seed=1)


# ---------------------------------------------------------------- Siemens star
def test_star_is_256_float32_between_0_3_and_0_7(star):
    assert star.shape == (256, 256) and star.dtype == np.float32
    assert star.min() == pytest.approx(0.3, abs=1e-6)
    assert star.max() == pytest.approx(0.7, abs=1e-6)
    assert np.allclose(star[:5, :5], 0.3)            # background outside the star
    assert np.allclose(star[124:132, 124:132], 0.7)  # the hub


def test_star_has_48_spokes(star):
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    for radius in (40.0, 80.0, 110.0):
        rows = 127.5 - radius * np.sin(angles)
        cols = 127.5 + radius * np.cos(angles)
        ring = ndi.map_coordinates(star.astype(float), [rows, cols], order=1)
        bright = ring > 0.5
        assert np.count_nonzero(bright & ~np.roll(bright, 1)) == 48


def test_star_is_symmetric_and_blurred(star):
    np.testing.assert_allclose(star, star[::-1, ::-1], atol=1e-6)
    # The blur (0.5 px) lowers the contrast of the finest spokes near the hub
    # far more than at the rim.
    angles = np.linspace(0, 2 * np.pi, 4000, endpoint=False)

    def contrast(radius):
        ring = ndi.map_coordinates(star.astype(float), [127.5 - radius * np.sin(angles),
                                                        127.5 + radius * np.cos(angles)], order=1)
        return ring.max() - ring.min()

    assert contrast(110) > 0.38
    assert contrast(20) < 0.8 * contrast(110)


def test_star_has_no_parameters(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'seed'; its parameters are: none"):
        data.load("siemens_star", seed=0)
