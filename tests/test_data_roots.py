"""The 3D root network phantom of the smoke test."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import roots


@pytest.fixture(scope="module")
def truth():
    return data.load("root_network_truth", cache=False)


@pytest.fixture(scope="module")
def clean():
    return data.load("root_network_clean", cache=False)


def test_shapes_types_and_sizes(truth, clean):
    assert truth.shape == clean.shape == (128, 128, 128)
    assert truth.dtype == bool and clean.dtype == np.float32
    assert data.load("root_network_truth", radius=8, cache=False).shape == (192, 192, 192)


def test_the_tree_is_one_piece_of_eight_segments(truth):
    assert ndi.label(truth)[1] == 1
    segs = roots.segments(4)
    assert len(segs) == 8                              # 1 + 1 + 2 + 4
    assert sum(1 for s in segs if s[0] == 0) == 5       # taproot and four level-3 branches
    # The taproot reaches the soil surface; nothing touches the other faces.
    assert truth[0].any() and not truth[-1].any()
    assert not (truth[:, 0].any() or truth[:, -1].any() or truth[:, :, 0].any() or truth[:, :, -1].any())


@pytest.mark.parametrize("radius", [1, 2, 4, 8])
def test_the_root_has_the_requested_radius(radius):
    truth = data.load("root_network_truth", radius=radius, cache=False)
    n = truth.shape[0]
    # The taproot's cross-section, a quarter down: its area is pi R^2 (the
    # voxel count of a disc: within 30 % for R = 1, 10 % from R = 2).
    area = truth[n // 4].sum()
    assert area == pytest.approx(np.pi * radius ** 2, rel=0.3 if radius == 1 else 0.1)
    # Volume: the partial-volume fractions add up to the capsules' length
    # times pi R^2 (joints and tips aside), and the mask is close to it.
    length = sum(abs(e[a] - s[a]) for a, s, e in roots.segments(radius))
    cover = roots._coverage(radius).sum()
    assert cover == pytest.approx(np.pi * radius ** 2 * length, rel=0.05)
    assert truth.sum() == pytest.approx(cover, rel=0.3 if radius == 1 else 0.08)


@pytest.mark.parametrize("contrast", [2, 5, 10])
def test_root_and_soil_levels(contrast, truth):
    clean = data.load("root_network_clean", contrast=contrast, cache=False)
    core = ndi.binary_erosion(truth, iterations=2)
    assert np.all(clean[core] == pytest.approx(1.0))
    soil = clean[~ndi.binary_dilation(truth, iterations=2)]
    assert soil.mean() == pytest.approx(1 / contrast, rel=0.01)
    assert soil.std() == pytest.approx(0.12 / contrast, rel=0.1)      # the texture
    assert soil.max() < (1 + 1 / contrast) / 2                         # no soil above the midpoint


def test_soil_is_mottled_at_two_scales(clean, truth):
    soil = np.where(truth, np.nan, clean)[16:112, 16:112, 16:112]
    soil = soil - np.nanmean(soil)
    a, b = soil[:, :, :-1].ravel(), soil[:, :, 1:].ravel()
    ok = ~(np.isnan(a) | np.isnan(b))
    near = np.corrcoef(a[ok], b[ok])[0, 1]
    a, b = soil[:, :, :-8].ravel(), soil[:, :, 8:].ravel()
    ok = ~(np.isnan(a) | np.isnan(b))
    far = np.corrcoef(a[ok], b[ok])[0, 1]
    assert 0.5 < near < 0.9 and 0.1 < far < near


def test_noise_is_added_to_the_clean_volume(clean):
    noisy = data.load("root_network", noise=0.5, cache=False)
    noise = (noisy - clean).astype(float)
    assert noise.std() == pytest.approx(0.5, rel=0.01)
    assert abs(noise.mean()) < 0.002
    assert abs(np.corrcoef(noise[:, :, :-1].ravel(), noise[:, :, 1:].ravel())[0, 1]) < 0.01
    assert np.array_equal(data.load("root_network", noise=0.0, cache=False), clean)


def test_smoke_test_volume_holds_at_low_noise_and_breaks_at_high(truth, clean):
    # Gaussian filter and a threshold at the middle between root and soil:
    # the volume found matches the truth without noise and at low noise,
    # and grows far beyond it once the soil's noise crosses the threshold.
    rng = np.random.default_rng(1)
    threshold = (1 + 1 / 5) / 2

    def ratio(sigma_noise):
        noisy = clean + np.float32(sigma_noise) * rng.standard_normal(clean.shape, dtype=np.float32)
        return np.count_nonzero(ndi.gaussian_filter(noisy, 1.0) > threshold) / truth.sum()

    assert ratio(0.0) == pytest.approx(1.0, abs=0.05)
    assert ratio(0.2) == pytest.approx(1.0, abs=0.1)
    assert ratio(1.5) > 2.0


@pytest.mark.parametrize("kwargs, message", [
    ({"radius": 3}, r"radius must be one of 1, 2, 4, 8 \(voxels\), got 3"),
    ({"radius": 4.0}, r"radius must be one of 1, 2, 4, 8 \(voxels\), got 4.0"),
    ({"contrast": 3}, r"contrast must be one of 2, 5, 10 \(root value over soil value\), got 3"),
    ({"noise": -0.1}, r"noise must be a number from 0.0 to 5.0, got -0.1"),
    ({"seed": 2**32}, r"seed must be an integer from 0 to 4294967295, got 4294967296"),
])
def test_bad_parameters_are_named(kwargs, message, data_cache):
    with pytest.raises(ValueError, match=message):
        data.load("root_network", **kwargs)


def test_truth_takes_only_the_radius(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'contrast'.*radius"):
        data.load("root_network_truth", contrast=5)


def test_the_seed_changes_soil_and_noise_not_roots(clean, truth):
    other = data.load("root_network_clean", seed=1, cache=False)
    assert not np.array_equal(other, clean)
    assert np.array_equal(other[truth & ndi.binary_erosion(truth, iterations=2)],
                          clean[truth & ndi.binary_erosion(truth, iterations=2)])


def _kept_volume(clean, truth, contrast, sigma_noise, rng):
    """Gauss (0.5 voxel), midpoint threshold, largest connected part: volume / V_ref."""
    noisy = clean + np.float32(sigma_noise) * rng.standard_normal(clean.shape, dtype=np.float32)
    found = ndi.gaussian_filter(noisy, 0.5) > (1 + 1 / contrast) / 2
    labels, n = ndi.label(found)
    if n > 1:
        found = labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1
    return found.sum() / truth.sum()


def test_breakdown_comes_later_for_thicker_roots_and_higher_contrast():
    rng = np.random.default_rng(7)
    load = lambda name, **kw: data.load(name, cache=False, **kw)  # noqa: E731
    thin = _kept_volume(load("root_network_clean", radius=2, contrast=10),
                        load("root_network_truth", radius=2), 10, 0.8, rng)
    thick = _kept_volume(load("root_network_clean", radius=8, contrast=10),
                         load("root_network_truth", radius=8), 10, 0.8, rng)
    assert thin > 1.2 and abs(thick - 1) < 0.1               # measured: 1.44 and 0.92
    high = _kept_volume(load("root_network_clean", radius=4, contrast=10),
                        load("root_network_truth", radius=4), 10, 0.6, rng)
    low = _kept_volume(load("root_network_clean", radius=4, contrast=2),
                       load("root_network_truth", radius=4), 2, 0.6, rng)
    assert abs(high - 1) < 0.1 and low > 1.5                 # measured: 0.97 and 3.3
