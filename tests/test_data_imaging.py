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


# ------------------------------------------------ objects in bounding boxes
def _disc(center, radius):
    def inside(rows, cols):
        return (rows - center[0]) ** 2 + (cols - center[1]) ** 2 <= radius ** 2
    return inside


def test_fine_grid_centres_sit_inside_their_pixels():
    rows, cols = imaging.fine_grid((slice(2, 4), slice(0, 1)), 4)
    assert rows.shape == (8, 1) and cols.shape == (1, 4)
    np.testing.assert_allclose(rows.ravel()[:4], [1.625, 1.875, 2.125, 2.375])
    np.testing.assert_allclose(cols.ravel(), [-0.375, -0.125, 0.125, 0.375])


def test_box_around_is_clipped_to_the_image():
    assert imaging.box_around((1.0, 50.0), 3.0, (40, 52)) == (slice(0, 6), slice(46, 52))
    rows, cols = imaging.box_around((-30.0, 10.0), 2.0, (40, 52))
    assert rows.stop - rows.start == 0


def test_coverage_in_a_box_equals_integrating_the_whole_fine_grid():
    shape, f = (24, 30), 4
    disc = _disc((11.3, 14.6), 4.2)
    whole = (slice(0, shape[0]), slice(0, shape[1]))
    full = imaging.integrate_pixels(imaging.sample_object(disc, whole, f), f)
    box = imaging.box_around((11.3, 14.6), 4.2, shape)
    canvas = np.zeros(shape, np.float32)
    imaging.paint(canvas, box, imaging.pixel_coverage(disc, box, f), 1.0)
    np.testing.assert_allclose(canvas, full, atol=1e-6)
    assert abs(full.sum() - np.pi * 4.2 ** 2) < 0.5          # the true area, to the fine grid
    assert 0 < full[11, 19] < 1 and full[11, 14] == 1         # partial volume at the edge only


def test_coverage_does_not_depend_on_the_band_size():
    disc = _disc((20.0, 20.0), 15.0)
    box = (slice(0, 40), slice(0, 40))
    one = imaging.pixel_coverage(disc, box, 4)
    banded = imaging.pixel_coverage(disc, box, 4, band_cells=16 * 40 * 3)   # 3 rows a band
    np.testing.assert_array_equal(one, banded)


def test_paint_mixes_by_coverage_and_detect_is_record_without_integration():
    canvas = np.full((2, 2), 10.0, np.float32)
    imaging.paint(canvas, (slice(0, 2), slice(0, 2)), np.array([[0, 0.25], [0.5, 1]]), 50.0)
    np.testing.assert_allclose(canvas, [[10, 20], [30, 50]])
    fine = np.zeros((32, 32)); fine[8:24, 5:21] = 200
    inst = imaging.Instrument(oversample=4, psf_sigma=0.8, halo=1.0, halo_sigma=0.7, counts=5.0)
    a = imaging.record(fine, inst, np.random.default_rng(1))
    b = imaging.detect(imaging.integrate_pixels(fine, 4), inst, np.random.default_rng(1))
    assert np.array_equal(a, b)


def test_bad_boxes_and_coverages_are_named():
    with pytest.raises(ValueError, match="radius must be >= 0"):
        imaging.box_around((0, 0), -1, (5, 5))
    with pytest.raises(ValueError, match="oversample must be a whole number >= 1"):
        imaging.fine_grid((slice(0, 2), slice(0, 2)), 0)
    with pytest.raises(ValueError, match=r"coverage has shape \(3, 3\), but the box covers \(2, 2\)"):
        imaging.paint(np.zeros((4, 4)), (slice(0, 2), slice(0, 2)), np.zeros((3, 3)), 1.0)


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
