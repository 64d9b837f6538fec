"""The CT slice of an asphalt core: grains, binder, voids, noise."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import aggregate


@pytest.fixture(scope="module")
def image():
    return data.load("aggregate_ct", cache=False)


@pytest.fixture(scope="module")
def clean():
    return data.load("aggregate_ct_clean", cache=False)


@pytest.fixture(scope="module")
def labels():
    return data.load("aggregate_ct_labels", cache=False)


def _shares(labels):
    core = labels > 0
    return np.bincount(labels[core], minlength=4)[1:] / core.sum()


def test_shapes_and_types(image, clean, labels):
    assert image.shape == clean.shape == labels.shape == (256, 256)
    assert image.dtype == clean.dtype == np.float32 and labels.dtype == np.uint8
    assert set(np.unique(labels)) == {0, 1, 2, 3}


def test_phase_shares(labels):
    void, binder, grain = _shares(labels)
    assert grain == pytest.approx(0.50, abs=0.01)
    assert binder == pytest.approx(0.35, abs=0.01)
    assert void == pytest.approx(0.15, abs=0.01)
    assert 0.65 < (labels > 0).mean() < 0.73           # the core fills most of the field


def test_levels_of_the_clean_image(clean, labels):
    for label, level in ((3, 0.8), (2, 0.45), (1, 0.1), (0, 0.1)):
        deep = ndi.binary_erosion(labels == label, iterations=2)
        assert np.median(clean[deep]) == pytest.approx(level, abs=0.01), label
    assert 0.1 - 1e-6 <= clean.min() and clean.max() <= 0.8 + 1e-6


def test_the_blur_is_one_pixel(clean, labels):
    # Across a grain edge the clean image rises from binder to grain over a
    # few pixels, not in one step (a Gaussian of 1 pixel: 10-90 % in 2.6 px).
    grains = labels == 3
    edge_in = grains & ~ndi.binary_erosion(grains)
    assert 0.5 < np.median(clean[edge_in]) < 0.72


def test_grains_are_angular_and_of_mixed_sizes(labels):
    lab, n = ndi.label(labels == 3)
    sizes = np.bincount(lab.ravel())[1:]
    assert 80 <= n <= 200
    diameters = 2 * np.sqrt(sizes[sizes >= 10] / np.pi)
    assert np.percentile(diameters, 95) > 3 * np.percentile(diameters, 5)     # 27 and 7.5 px
    # Convex polygons: each grain fills most of its convex hull.
    from skimage.measure import regionprops
    solidity = [r.solidity for r in regionprops(lab) if r.area >= 50]
    assert np.median(solidity) > 0.93


def test_voids_lie_between_grains_away_from_them(labels):
    distance = ndi.distance_transform_edt(labels != 3)
    assert np.median(distance[labels == 1]) > 1.5 * np.median(distance[labels == 2])


def test_noise_is_white_with_the_requested_snr(image, clean):
    noise = (image - clean).astype(float)
    assert noise.std() == pytest.approx(0.7 / 5.0, rel=0.02)       # snr 5: (0.8 - 0.1) / sd
    assert abs(np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]) < 0.02
    two = data.load("aggregate_ct", snr=2.0, cache=False) - clean
    np.testing.assert_allclose(two, noise * 2.5, atol=1e-5)          # the same draw, scaled


def test_bilevel_variant_has_the_same_grains_on_one_background(clean, labels):
    bilevel = data.load("aggregate_ct_clean", levels=2, cache=False)
    deep_binder = ndi.binary_erosion(labels == 2, iterations=2)
    assert np.median(bilevel[deep_binder]) == pytest.approx(0.1, abs=0.01)
    grains = ndi.binary_erosion(labels == 3, iterations=3)
    np.testing.assert_allclose(bilevel[grains], clean[grains], atol=0.01)
    noisy = data.load("aggregate_ct", levels=2, cache=False)
    assert np.allclose(noisy - bilevel, data.load("aggregate_ct", cache=False) - clean, atol=1e-5)


def test_volume_option():
    volume = data.load("aggregate_ct_labels", ndim=3, cache=False)
    assert volume.shape == (128, 128, 128) and volume.dtype == np.uint8
    void, binder, grain = _shares(volume)
    assert grain == pytest.approx(0.50, abs=0.015)
    assert binder == pytest.approx(0.35, abs=0.015) and void == pytest.approx(0.15, abs=0.015)
    # The core runs along axis 0: every plane has the same outline.
    assert np.array_equal(volume[0] > 0, volume[-1] > 0)
    # Grains are 3D objects: they continue from one plane to the next.
    grains = volume == 3
    assert (grains[1:] & grains[:-1]).sum() > 0.8 * grains[1:].sum()


def test_the_seed_changes_the_core():
    a = data.load("aggregate_ct_labels", seed=1, cache=False)
    b = data.load("aggregate_ct_labels", seed=2, cache=False)
    assert not np.array_equal(a, b)
    assert _shares(a)[2] == pytest.approx(0.5, abs=0.015)


@pytest.mark.parametrize("kwargs, message", [
    ({"ndim": 4}, r"ndim must be an integer from 2 to 3, got 4"),
    ({"ndim": 2.0}, r"ndim must be an integer from 2 to 3, got 2.0"),
    ({"levels": 1}, r"levels must be 2 \(bilevel.*or 3 .*got 1"),
    ({"levels": True}, r"levels must be 2 .*got True"),
    ({"snr": 0}, r"snr must be a number from 0.5 to 1000.0, got 0"),
    ({"seed": -1}, r"seed must be an integer from 0 to 4294967295, got -1"),
])
def test_bad_parameters_are_named(kwargs, message, data_cache):
    with pytest.raises(ValueError, match=message):
        data.load("aggregate_ct", **kwargs)


def test_labels_take_no_noise_parameters(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'snr'.*ndim, seed"):
        data.load("aggregate_ct_labels", snr=3)
    assert aggregate.LABELS == {"outside": 0, "void": 1, "binder": 2, "grain": 3}
