"""The imaging model (common.data.imaging): each step does what it says."""
import numpy as np
import pytest

from common.data import imaging


def test_pixel_integration_makes_partial_volume_at_an_edge():
    fine = np.zeros((8, 8))
    fine[:, :5] = 1.0                       # an edge inside the second pixel column
    image = imaging.integrate_pixels(fine, 4)
    assert image.shape == (2, 2)
    np.testing.assert_allclose(image, [[1.0, 0.25], [1.0, 0.25]])


def test_blur_and_halo_keep_the_mean_and_the_halo_overshoots():
    step = np.zeros((64, 64), np.float32)
    step[:, 32:] = 100.0
    blurred = imaging.blur(step, 1.5)
    assert abs(blurred.mean() - step.mean()) < 1e-3
    halo = imaging.edge_halo(blurred, 0.8, 2.0)
    assert halo.min() < -4 and halo.max() > 104       # dark and bright fringes
    np.testing.assert_allclose(halo[:, :5], 0, atol=1e-3)  # flat far from the edge


def test_poisson_noise_has_variance_equal_to_mean_over_counts():
    rng = np.random.default_rng(0)
    flat = np.full((200, 200), 2.0, np.float32)
    noisy = imaging.add_noise(flat, rng, counts=50)
    assert abs(noisy.mean() - 2.0) < 0.01
    assert abs(noisy.var() - 2.0 / 50) / (2.0 / 50) < 0.05


def test_quantise_saturates_and_rounds():
    out = imaging.quantise(np.array([-3.0, 0.4, 0.6, 254.6, 300.0]), "uint8")
    assert out.tolist() == [0, 0, 1, 255, 255] and out.dtype == np.uint8


def test_record_is_deterministic_for_a_seed():
    fine = np.zeros((32, 32)); fine[8:24, 8:24] = 200
    inst = imaging.Instrument(oversample=2, psf_sigma=1.0, halo=0.5, counts=1.0, read_noise=2.0)
    a = imaging.record(fine, inst, np.random.default_rng(3))
    b = imaging.record(fine, inst, np.random.default_rng(3))
    assert a.shape == (16, 16) and a.dtype == np.uint8 and np.array_equal(a, b)


@pytest.mark.parametrize("call, message", [
    (lambda: imaging.integrate_pixels(np.zeros((6, 6)), 4), "multiple of factor=4"),
    (lambda: imaging.blur(np.zeros(3), -1), "sigma must be >= 0"),
    (lambda: imaging.add_noise(np.zeros(3), np.random.default_rng(), counts=0), "counts must be > 0"),
    (lambda: imaging.quantise(np.zeros(3), "float32"), "dtype must be an integer type"),
])
def test_bad_settings_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_coverage_is_pixel_integration_of_the_object_where_asked():
    # A disc of radius 5 at (7.3, 8.6): coverage of a box equals the mean of
    # the disc drawn 4 times finer, and sums to its area within the sampling.
    def disc(r, c):
        return (r - 7.3) ** 2 + (c - 8.6) ** 2 <= 25.0

    box = np.ogrid[0:16, 0:18]
    cover = imaging.coverage(disc, box, 4)
    assert cover.shape == (16, 18) and cover.dtype == np.float32
    fine_r, fine_c = np.ogrid[0:64, 0:72]
    fine = disc((fine_r + 0.5) / 4 - 0.5, (fine_c + 0.5) / 4 - 0.5)
    np.testing.assert_allclose(cover, imaging.integrate_pixels(fine, 4), atol=1e-6)
    assert abs(cover.sum() - np.pi * 25) < 1.0
    assert ((cover > 0) & (cover < 1)).sum() > 20          # partial pixels at the edge
    # A list of pixels gives the same values as the box at those pixels.
    rows, cols = np.array([2, 7, 12]), np.array([8, 3, 13])
    np.testing.assert_array_equal(imaging.coverage(disc, (rows, cols), 4), cover[rows, cols])


def test_coverage_in_three_dimensions_and_factor_one():
    def ball(z, r, c):
        return z ** 2 + r ** 2 + c ** 2 <= 9.0

    cover = imaging.coverage(ball, np.ogrid[-4:5, -4:5, -4:5], 3)
    assert abs(cover.sum() - 4 / 3 * np.pi * 27) < 2.0
    exact = imaging.coverage(ball, np.ogrid[-4:5, -4:5, -4:5], 1)
    assert set(np.unique(exact)) == {0.0, 1.0}
    with pytest.raises(ValueError, match="factor must be a whole number >= 1, got 0"):
        imaging.coverage(ball, np.ogrid[0:2, 0:2, 0:2], 0)


def test_gaussian_counting_noise_has_the_poisson_mean_and_variance():
    rng = np.random.default_rng(1)
    level = np.full((300, 300), 36.0, np.float32)
    exact = imaging.add_noise(level, rng, counts=4.0, read_noise=1.0)
    approx = imaging.add_noise(level, rng, counts=4.0, read_noise=1.0, exact=False)
    assert approx.dtype == np.float32 and approx.shape == level.shape
    for noisy in (exact, approx):
        assert abs(noisy.mean() - 36.0) < 0.05
        assert abs(noisy.var() - (36.0 / 4.0 + 1.0)) < 0.3
    # Zero noise settings leave the image alone; negative values count as 0.
    np.testing.assert_array_equal(imaging.add_noise(level, rng, exact=False), level)
    dark = imaging.add_noise(np.full((50, 50), -5.0, np.float32), rng, counts=4.0, exact=False)
    np.testing.assert_array_equal(dark, -5.0)


def test_halo_strength_may_vary_over_the_field():
    step = np.zeros((40, 64), np.float32)
    step[:, 32:] = 100.0
    strength = np.zeros_like(step)
    strength[20:] = 1.0                        # a halo in the lower half only
    out = imaging.edge_halo(step, strength, 1.5)
    np.testing.assert_array_equal(out[:20], step[:20])
    np.testing.assert_allclose(out[20:], imaging.edge_halo(step, 1.0, 1.5)[20:])
    assert out[30].min() < -5
