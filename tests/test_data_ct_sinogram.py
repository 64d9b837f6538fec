"""The sinogram of the clean bone section: projections, faulty bins, noise, rings."""
import numpy as np
import pytest
from skimage.transform import iradon

import common.data as data
from common.data import ct_sinogram


@pytest.fixture(scope="module")
def sino():
    return data.load("ct_bone_sinogram", cache=False)


@pytest.fixture(scope="module")
def clean():
    return data.load("ct_bone_sinogram_clean", cache=False)


@pytest.fixture(scope="module")
def faults():
    return data.load("ct_bone_sinogram_faults", cache=False)


def test_layout_is_the_one_of_radon(sino, clean):
    assert sino.shape == clean.shape == (416, 360)
    assert sino.dtype == clean.dtype == np.float32
    assert ct_sinogram.ANGLES_DEG.shape == (360,) and ct_sinogram.ANGLES_DEG[-1] == 179.5


def test_every_projection_holds_the_whole_attenuation(clean):
    # The line integrals of one projection add up to the integral of the
    # attenuation over the section, at every angle (nothing leaves the field).
    section = data.load("ct_bone_section_clean", cache=False).astype(float)
    level = section * 266.0 / 255.0 - 4.0                  # back to the object's gray levels
    total = (level * ct_sinogram.MU_PER_LEVEL).sum()
    sums = clean.sum(axis=0)
    np.testing.assert_allclose(sums, total, rtol=2e-3)
    assert 0.0 <= clean.min() < 1e-3 and 1.5 < clean.max() < 1.9


def test_fault_table_is_documented(faults):
    assert list(faults.columns) == ["bin", "gain", "offset", "ring_radius_px", "side"]
    assert len(faults) == ct_sinogram.N_FAULTY == 15
    assert faults["bin"].is_monotonic_increasing
    assert faults["bin"].between(40, 375).all() and (np.diff(faults["bin"]) >= 3).all()
    error = (faults["gain"] - 1.0).abs()
    assert error.between(0.005, 0.02).all()
    assert (faults["gain"] > 1).any() and (faults["gain"] < 1).any()
    np.testing.assert_allclose(faults["offset"], -np.log(faults["gain"]), atol=1e-6)
    assert (faults["ring_radius_px"] == (faults["bin"] - 208).abs()).all()
    assert (faults["ring_radius_px"] >= 4).all()


def test_the_stripes_are_the_faulty_bins(sino, clean, faults):
    # Averaged over the 360 angles, the noise shrinks and only the stripes
    # stand out: the 15 strongest rows are exactly the faulty bins, each
    # offset by its -ln(gain).
    mean = (sino.astype(float) - clean).mean(axis=1)
    strongest = np.sort(np.argsort(np.abs(mean))[-15:])
    assert strongest.tolist() == faults["bin"].tolist()
    np.testing.assert_allclose(mean[faults["bin"]], faults["offset"], atol=1.5e-3)
    others = np.delete(mean, faults["bin"])
    assert np.abs(others).max() < 2e-3


def test_counting_noise_has_the_poisson_variance(sino, clean, faults):
    free = sino.astype(float)
    free[faults["bin"]] -= faults["offset"].to_numpy()[:, None]
    resid = free - clean
    # Variance of -ln(N / dose) is exp(p) / dose for N Poisson with mean dose exp(-p).
    expected = np.exp(clean.astype(float)) / ct_sinogram.DOSE
    ratio = (resid ** 2).mean() / expected.mean()
    assert 0.95 < ratio < 1.05
    dense = clean > 1.2
    assert (resid[dense] ** 2).mean() > 2.5 * (resid[clean < 0.01] ** 2).mean()


def test_subtracting_the_offsets_removes_the_stripes_exactly(faults):
    # The faults are drawn from the seed alone: a higher dose keeps them
    # and only lowers the noise.
    low = data.load("ct_bone_sinogram", dose=2e4, cache=False).astype(float)
    high = data.load("ct_bone_sinogram", dose=1e6, cache=False).astype(float)
    clean = data.load("ct_bone_sinogram_clean", cache=False)
    assert (low - clean).std() > 3 * (high - clean).std()
    for s in (low, high):
        mean = (s - clean).mean(axis=1)
        assert np.sort(np.argsort(np.abs(mean))[-15:]).tolist() == faults["bin"].tolist()


def _ring_profile(img):
    n = img.shape[0]
    yy, xx = np.mgrid[:n, :n]
    radius = np.rint(np.hypot(yy - n // 2, xx - n // 2)).astype(int)
    return np.bincount(radius.ravel(), img.ravel()) / np.bincount(radius.ravel())


def test_reconstruction_shows_rings_that_a_band_stop_removes(sino, clean, faults):
    theta = ct_sinogram.ANGLES_DEG
    rec = iradon(sino.astype(float), theta=theta, circle=True)
    ref = iradon(clean.astype(float), theta=theta, circle=True)
    rings = _ring_profile(rec - ref)[2:200]
    # The largest ring deviations sit at the radii of the faulty bins.
    top = np.argsort(np.abs(rings))[-5:] + 2
    radii = faults["ring_radius_px"].to_numpy()
    assert all(np.abs(radii - r).min() <= 1 for r in top)
    bone = 212 * ct_sinogram.MU_PER_LEVEL
    assert np.abs(rings).max() > 0.04 * bone
    # A band-stop on the zero angular frequency, above low detector
    # frequencies, cuts the rings several times.
    spectrum = np.fft.fft2(sino.astype(float))
    k = np.fft.fftfreq(sino.shape[0])
    spectrum[:, 0] *= np.exp(-k ** 2 / (2 * 0.1 ** 2))
    filtered = iradon(np.real(np.fft.ifft2(spectrum)), theta=theta, circle=True)
    after = _ring_profile(filtered - ref)[2:200]
    assert np.abs(after).max() < np.abs(rings).max() / 3


@pytest.mark.parametrize("dose", [0, 999.0, 1e9, "high", None])
def test_bad_dose_is_named(dose, data_cache):
    with pytest.raises(ValueError, match=r"dose must be a number from 1000.0 to 100000000.0, got"):
        data.load("ct_bone_sinogram", dose=dose)


@pytest.mark.parametrize("name", ["ct_bone_sinogram", "ct_bone_sinogram_clean",
                                  "ct_bone_sinogram_faults"])
def test_bad_seed_is_named(name, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load(name, seed=-1)


def test_other_seed_gives_another_scan(sino, faults):
    other = data.load("ct_bone_sinogram_faults", seed=5, cache=False)
    assert other["bin"].tolist() != faults["bin"].tolist()
    assert not np.array_equal(data.load("ct_bone_sinogram", seed=5, cache=False), sino)
