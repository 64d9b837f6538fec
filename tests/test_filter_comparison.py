"""The filter comparison of lecture 2, chapter 12 (common/filter_comparison.py)."""
import numpy as np
import pytest
from scipy import ndimage as ndi

from common import filter_comparison as fc


@pytest.fixture(scope="module")
def clean():
    return fc.target()


def test_noise_level_is_one_over_snr(clean):
    rng = np.random.default_rng(1)
    sds = [np.std(fc.noisy(clean, snr, rng) - clean) * snr for snr in (1, 10, 100)]
    assert np.allclose(sds, 1, rtol=0.03)


def test_bad_snr_is_refused(clean):
    for bad in (0, -1, float("inf"), "10", True):
        with pytest.raises(ValueError, match="snr must be a finite number > 0"):
            fc.noisy(clean, bad, np.random.default_rng(0))


def test_unknown_filter(clean):
    with pytest.raises(ValueError, match="unknown filter 'gauss'; the filters are box"):
        fc.apply("gauss", clean, 1, 0.1)


def test_perona_malik_conserves_the_mean_and_keeps_a_step():
    step = np.zeros((32, 32))
    step[:, 16:] = 1
    image = step + np.random.default_rng(0).normal(0, 0.05, step.shape)
    out = fc.perona_malik(image, kappa=0.2, iterations=50)
    # reflecting borders, symmetric flows: the mean is conserved
    assert abs(out.mean() - image.mean()) < 1e-12
    # noise removed, the edge kept: most of the step stays between two pixels
    assert np.std(out[:, :12]) < 0.3 * np.std(image[:, :12])
    assert out[:, 16].mean() - out[:, 15].mean() > 0.6
    # a small kappa is heat flow's opposite: almost nothing moves
    assert np.abs(fc.perona_malik(image, 1e-4, 10) - image).max() < 0.01
    frames = fc.perona_malik(image, 0.2, 50, every=10)
    assert sorted(frames) == [0, 10, 20, 30, 40, 50]
    assert np.array_equal(frames[50], out)


def test_perona_malik_with_large_kappa_is_the_heat_equation():
    image = np.random.default_rng(2).random((40, 40))
    out = fc.perona_malik(image, kappa=1e6, iterations=1, step=0.25)
    heat = image + 0.25 * ndi.laplace(image, mode="nearest")
    assert np.allclose(out, heat, atol=1e-9)


def test_perona_malik_refuses_unstable_steps():
    with pytest.raises(ValueError, match="step must be in"):
        fc.perona_malik(np.zeros((4, 4)), 0.1, 1, step=0.3)
    with pytest.raises(ValueError, match="kappa must be > 0"):
        fc.perona_malik(np.zeros((4, 4)), 0, 1)


def test_tuning_picks_the_curve_maximum_inside_the_grid(clean):
    curves = fc.tuning_curves(10, clean)
    tuned = fc.tune(10, clean)
    assert set(tuned) == set(fc.FILTERS)
    for name, grid in fc.GRIDS.items():
        part = curves[curves["filter"] == name]
        assert len(part) == len(grid)
        assert part.loc[part["psnr"].idxmax(), "parameter"] == tuned[name]
        if name not in ("box", "median", "diffusion"):
            assert grid[0] != tuned[name] != grid[-1], (name, tuned[name])
    # the tuning draw differs from every scoring draw (seeds apart)
    assert fc.TUNING_SEED != fc.EVALUATION_SEED


def test_evaluation_is_paired_and_deterministic(clean):
    tuned = {10: fc.tune(10, clean)}
    a = fc.evaluate(tuned, snrs=(10,), n_draws=2, clean=clean)
    b = fc.evaluate(tuned, snrs=(10,), n_draws=2, clean=clean)
    assert a.equals(b)
    assert len(a) == 2 * (len(fc.FILTERS) + 1)
    noisy = a[a["filter"] == "noisy"]["psnr"].to_numpy()
    assert np.allclose(noisy, 20, atol=0.2)  # sigma 0.1 on a range of 1
    assert noisy[0] != noisy[1]
    with pytest.raises(ValueError, match="no tuned parameters for snr=3"):
        fc.evaluate(tuned, snrs=(3,), n_draws=1, clean=clean)
