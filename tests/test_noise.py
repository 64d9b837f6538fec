"""common.noise: each noise model has the statistics it promises, and bad input is named."""
import numpy as np
import pytest
from scipy import ndimage as ndi

from common import noise


def neighbour_correlation(field):
    """Correlation of each pixel with its right-hand neighbour."""
    return float(np.corrcoef(field[:, :-1].ravel(), field[:, 1:].ravel())[0, 1])


# ---------------------------------------------------------------- rng
def test_a_seed_gives_the_same_noise_and_a_generator_advances():
    image = np.zeros((50, 50))
    assert np.array_equal(noise.gaussian(image, 1.0, rng=7), noise.gaussian(image, 1.0, rng=7))
    rng = np.random.default_rng(7)
    first = noise.gaussian(image, 1.0, rng=rng)
    second = noise.gaussian(image, 1.0, rng=rng)
    assert not np.array_equal(first, second)
    assert np.array_equal(first, noise.gaussian(image, 1.0, rng=7))


@pytest.mark.parametrize("rng", [None, -1, 1.5, "0", True, np.random.RandomState(0)])
def test_rng_must_be_a_generator_or_a_seed(rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator or an integer seed"):
        noise.gaussian(np.zeros((4, 4)), 1.0, rng=rng)


def test_rng_has_no_default():
    with pytest.raises(TypeError):
        noise.gaussian(np.zeros((4, 4)), 1.0)


# ---------------------------------------------------------------- gaussian
def test_gaussian_adds_zero_mean_noise_of_the_given_sigma():
    image = np.full((400, 400), 0.5)
    noisy = noise.gaussian(image, 0.1, rng=0)
    residual = noisy - image
    assert abs(residual.mean()) < 0.002
    assert residual.std() == pytest.approx(0.1, rel=0.01)
    assert abs(neighbour_correlation(residual)) < 0.02


def test_gaussian_keeps_float32_and_promotes_integers():
    assert noise.gaussian(np.zeros((3, 3), np.float32), 1.0, rng=0).dtype == np.float32
    assert noise.gaussian(np.zeros((3, 3), np.uint8), 1.0, rng=0).dtype == np.float64


@pytest.mark.parametrize("sigma", [-0.1, float("nan"), float("inf")])
def test_gaussian_bad_sigma_is_named(sigma):
    with pytest.raises(ValueError, match=r"sigma must be >= 0.0, got"):
        noise.gaussian(np.zeros((3, 3)), sigma, rng=0)


def test_non_numeric_or_non_finite_image_is_refused():
    with pytest.raises(TypeError, match="image must be an array of numbers"):
        noise.gaussian(np.array([["a"]]), 1.0, rng=0)
    with pytest.raises(ValueError, match="finite values only"):
        noise.gaussian(np.array([1.0, np.nan]), 1.0, rng=0)


# ---------------------------------------------------------------- poisson
def test_poisson_variance_equals_mean_at_counts_1():
    means = np.repeat(np.array([0.5, 2.0, 5.0, 20.0, 100.0])[:, None], 40000, axis=1)
    noisy = noise.poisson(means, rng=1)
    m, v = noisy.mean(axis=1), noisy.var(axis=1)
    np.testing.assert_allclose(m, means[:, 0], rtol=0.02)
    np.testing.assert_allclose(v / m, 1.0, atol=0.03)
    slope = np.polyfit(m, v, 1)[0]
    assert slope == pytest.approx(1.0, abs=0.03)


def test_poisson_counts_scale_the_variance():
    image = np.full((300, 300), 0.4)
    noisy = noise.poisson(image, counts=250.0, rng=2)
    assert noisy.mean() == pytest.approx(0.4, rel=0.005)
    # variance = image / counts, so SNR = sqrt(counts * image) = 10
    assert noisy.var() == pytest.approx(0.4 / 250.0, rel=0.03)
    assert noisy.mean() / noisy.std() == pytest.approx(10.0, rel=0.02)


def test_poisson_refuses_negative_images_and_bad_counts():
    with pytest.raises(ValueError, match=r"without negative values.*minimum of -0.5"):
        noise.poisson(np.array([1.0, -0.5]), rng=0)
    for counts in (0, -1.0):
        with pytest.raises(ValueError, match=r"counts must be > 0.0, got"):
            noise.poisson(np.ones(3), counts=counts, rng=0)


# ---------------------------------------------------------------- salt and pepper
@pytest.mark.parametrize("lambda1, lambda2, fraction", [(0.01, 0.99, 0.02), (0.05, 0.95, 0.10),
                                                         (0.10, 0.90, 0.20)])
def test_salt_and_pepper_hits_lambda1_plus_one_minus_lambda2(lambda1, lambda2, fraction):
    image = np.full((256, 256), 0.5)
    out, hit = noise.salt_and_pepper(image, lambda1, lambda2, rng=3, return_mask=True)
    assert abs(hit.mean() - fraction) < 0.005
    # Half pepper (0), half salt (1); the rest untouched.
    assert abs(np.mean(out == 0.0) - fraction / 2) < 0.004
    assert abs(np.mean(out == 1.0) - fraction / 2) < 0.004
    assert np.array_equal(hit, out != image)


def test_salt_and_pepper_levels_and_dtype():
    image = np.tile(np.arange(100, dtype=np.uint8), (100, 1)) + 50
    out, hit = noise.salt_and_pepper(image, 0.1, 0.9, rng=4, return_mask=True)
    assert out.dtype == np.uint8
    assert set(np.unique(out[hit])) == {0, 255}
    assert np.mean(out == 0) == pytest.approx(0.1, abs=0.01)
    assert np.mean(out == 255) == pytest.approx(0.1, abs=0.01)
    out, hit = noise.salt_and_pepper(image, 0.1, 0.9, low=50, high=149, rng=4, return_mask=True)
    assert set(np.unique(out[hit])) == {50, 149}


def test_salt_and_pepper_bad_thresholds_are_named():
    with pytest.raises(ValueError, match=r"lambda1 must not exceed lambda2.*lambda1=0.9, lambda2=0.1"):
        noise.salt_and_pepper(np.zeros((3, 3)), 0.9, 0.1, rng=0)
    with pytest.raises(ValueError, match=r"lambda2 must be >= 0.0 and <= 1.0, got 1.5"):
        noise.salt_and_pepper(np.zeros((3, 3)), 0.1, 1.5, rng=0)
    with pytest.raises(ValueError, match=r"high=300.0 does not fit the image's dtype uint8"):
        noise.salt_and_pepper(np.zeros((3, 3), np.uint8), 0.1, 0.9, high=300, rng=0)


# ---------------------------------------------------------------- correlated
def test_correlated_noise_has_the_requested_sigma_and_neighbour_correlation():
    white = noise.correlated_field((512, 512), 0.2, 0.0, rng=5)
    smooth = noise.correlated_field((512, 512), 0.2, 1.0, rng=5)
    wide = noise.correlated_field((512, 512), 0.2, 4.0, rng=5)
    assert white.std() == pytest.approx(0.2, rel=0.01)
    assert smooth.std() == pytest.approx(0.2, rel=0.02)
    assert wide.std() == pytest.approx(0.2, rel=0.08)
    assert abs(neighbour_correlation(white)) < 0.01
    # exp(-1 / (4 sigma^2)) = 0.78 for a blur of 1 pixel
    assert neighbour_correlation(smooth) == pytest.approx(np.exp(-0.25), abs=0.02)
    assert neighbour_correlation(smooth) > 0.5
    assert neighbour_correlation(wide) > 0.95


def test_correlated_is_the_image_plus_the_field():
    image = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    out = noise.correlated(image, 0.1, 2.0, rng=6)
    np.testing.assert_allclose(out - image, noise.correlated_field((64, 64), 0.1, 2.0, rng=6))


def test_correlated_field_works_in_3d_and_names_bad_input():
    field = noise.correlated_field((40, 50, 60), 1.0, 1.5, rng=0)
    assert field.shape == (40, 50, 60)
    assert field.std() == pytest.approx(1.0, rel=0.05)
    with pytest.raises(ValueError, match=r"length must be >= 0.0 and <= 10000.0, got -1.0"):
        noise.correlated_field((8, 8), 1.0, -1.0, rng=0)
    with pytest.raises(ValueError, match=r"shape must be a tuple of whole numbers >= 1"):
        noise.correlated_field((0, 8), 1.0, 1.0, rng=0)


def test_correlated_field_keeps_sigma_on_fields_smaller_than_the_kernel():
    # A length-4 kernel spans 33 pixels: on 8 x 8 and 16 x 16 fields the
    # periodic border folds it, and the normalisation must fold it too
    # (before, 8 x 8 came out at 1.77, 16 x 16 at 1.03). Ensemble of 2000
    # draws: the per-pixel standard deviation is 1 within 3 %.
    for shape in [(8, 8), (16, 16), (5, 40), (3,)]:
        draws = np.stack([noise.correlated_field(shape, 1.0, 4.0, rng=seed)
                          for seed in range(2000)])
        per_pixel = draws.std(axis=0)
        assert per_pixel.mean() == pytest.approx(1.0, rel=0.03), (shape, per_pixel.mean())


def test_correlated_field_on_large_fields_is_unchanged_by_the_fold():
    # Every axis at least as long as the kernel: folding changes nothing,
    # so the generated data (and their hashes) stay the same.
    field = noise.correlated_field((33, 40), 1.0, 4.0, rng=3)
    white = np.random.default_rng(3).standard_normal((33, 40))
    from scipy import ndimage as ndi
    expected = ndi.gaussian_filter(white, 4.0, mode="wrap") / noise._gaussian_norm(4.0) ** 2
    assert np.array_equal(field, expected)


# ---------------------------------------------------------------- gamma spots
@pytest.fixture(scope="module")
def spots():
    image = np.full((400, 500), 10000, np.uint16)
    out, mask = noise.gamma_spots(image, fraction=0.004, amplitude=2000.0, tail=1.0, rng=8)
    return image, out, mask


def test_gamma_spots_hit_the_requested_fraction_and_the_mask_is_exact(spots):
    image, out, mask = spots
    assert out.dtype == np.uint16 and mask.dtype == bool
    assert 0.004 <= mask.mean() < 0.0042
    assert np.array_equal(mask, out != image)
    assert (out[mask] >= image[mask] + 0.3 * 2000 - 1).all()


def test_gamma_spots_are_small_blobs_and_short_streaks(spots):
    _, _, mask = spots
    labels, n = ndi.label(mask, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    extents = [max(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start)
               for sl in ndi.find_objects(labels)]
    # Single spots: 1-4 pixel blobs and 3-8 pixel streaks (a few touch and merge).
    assert np.mean(sizes <= 8) > 0.97
    assert np.mean(sizes <= 4) > 0.6
    assert 0.15 < np.mean(np.array(extents) >= 5) < 0.45     # the longer streaks
    assert n > 200


def test_gamma_spot_amplitudes_are_heavy_tailed_up_to_saturation(spots):
    image, out, mask = spots
    added = out[mask].astype(float) - image[mask]
    assert np.median(added) < 5000
    assert np.percentile(added, 99) > 40000
    assert (out == 65535).sum() > 5


def test_gamma_spots_on_a_float_image_saturate_at_1():
    image = np.full((100, 100), 0.5)
    out, mask = noise.gamma_spots(image, fraction=0.01, amplitude=0.2, rng=9)
    assert out.dtype == np.float64
    assert out.max() == 1.0
    assert np.array_equal(mask, out != image)


def test_gamma_spots_never_lower_a_pixel_above_saturation():
    image = np.full((60, 60), 0.9)
    image[:30] = 5.0
    out, mask = noise.gamma_spots(image, fraction=0.05, amplitude=0.5, saturation=1.0, rng=10)
    assert (out >= image).all()
    assert (out[30:] <= 1.0).all() and mask[30:].any()


def test_gamma_spots_mask_is_exact_when_rounding_undoes_a_faint_spot():
    # amplitude 1 on uint8: spot pixels rise by 0.3 to 1 before rounding, so
    # rounding undoes some; those pixels are not in the mask.
    image = np.full((50, 50), 100, np.uint8)
    out, mask = noise.gamma_spots(image, amplitude=1.0, rng=0)
    assert mask.any()
    assert np.array_equal(mask, out != image)


def test_gamma_spots_bad_input_is_named():
    with pytest.raises(ValueError, match="needs a 2D image"):
        noise.gamma_spots(np.zeros(5), amplitude=1.0, rng=0)
    with pytest.raises(ValueError, match=r"fraction must be >= 0.0 and <= 0.5, got 0.9"):
        noise.gamma_spots(np.zeros((5, 5)), fraction=0.9, amplitude=1.0, rng=0)
    with pytest.raises(ValueError, match=r"amplitude must be > 0.0, got 0.0"):
        noise.gamma_spots(np.zeros((5, 5)), amplitude=0.0, rng=0)
    with pytest.raises(ValueError, match=r"saturates float images at 1.0 by default.*reaches 2.0"):
        noise.gamma_spots(np.full((5, 5), 2.0), amplitude=1.0, rng=0)
    with pytest.raises(ValueError, match=r"saturation=70000.0 exceeds the largest value"):
        noise.gamma_spots(np.zeros((5, 5), np.uint16), amplitude=1.0, saturation=70000, rng=0)
