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
