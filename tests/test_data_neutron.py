"""Neutron camera data of lecture 2: step tower, flat-field pairs, spotty wood frame."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import neutron

EXPOSURES = (50, 100, 200, 500, 1000, 2000, 5000, 10000)
#: The SNR the original course measured on its tower at those exposures.
COURSE_SNR = (8.46, 11.40, 16.38, 21.12, 31.09, 40.65, 55.61, 68.21)
TOWER_FRAMES = ("step_tower", "step_tower_open_beam", "step_tower_dark")


def power_law_exponent(exposures, snr):
    return float(np.polyfit(np.log(exposures), np.log(snr), 1)[0])


def measured_snr(exposure, step=neutron.SNR_STEP, seed=0):
    """SNR as the docstring defines it, written out here (not via tower_snr)."""
    raw, open_, dark = (data.load(n, exposure_ms=exposure, seed=seed, cache=False).astype(np.float64)
                        for n in TOWER_FRAMES)
    regions = data.load("step_tower_regions", seed=seed, cache=False).set_index("step")
    r = regions.loc[step].astype(int)
    box = (slice(r.region_row_start, r.region_row_stop), slice(r.region_col_start, r.region_col_stop))
    n = ((raw - dark) / (open_ - dark))[box]
    return n.mean() / n.std()


@pytest.fixture(scope="module")
def snr_table():
    return {step: [measured_snr(t, step) for t in EXPOSURES] for step in (1, 2, 3, 4)}


# ---------------------------------------------------------------- step tower
def test_the_course_table_has_exponent_0_40():
    assert power_law_exponent(EXPOSURES, COURSE_SNR) == pytest.approx(0.40, abs=0.01)


@pytest.mark.parametrize("name", TOWER_FRAMES)
def test_tower_frames_are_830_by_470_uint16(name):
    frame = data.load(name, cache=False)
    assert frame.shape == (830, 470) and frame.dtype == np.uint16


def test_tower_snr_grows_like_the_course_measured(snr_table):
    snr = snr_table[neutron.SNR_STEP]
    assert snr[0] == pytest.approx(COURSE_SNR[0], rel=0.15)
    assert power_law_exponent(EXPOSURES, snr) == pytest.approx(0.40, abs=0.03)
    # Every exposure within 25 % of the course's value, and always rising.
    np.testing.assert_allclose(snr, COURSE_SNR, rtol=0.25)
    assert np.all(np.diff(snr) > 0)


def test_tower_snr_helper_is_the_documented_measure(snr_table):
    frames = [data.load(n, exposure_ms=200, cache=False) for n in TOWER_FRAMES]
    assert neutron.tower_snr(*frames) == pytest.approx(snr_table[neutron.SNR_STEP][2], rel=1e-12)
    with pytest.raises(ValueError, match=r"step must be 1, 2, 3 or 4 \(top to bottom\), got 5"):
        neutron.tower_snr(*frames, step=5)


def test_pure_poisson_would_give_exponent_one_half(snr_table):
    # Without the object's fixed pattern (thin step 1, where it is weakest)
    # the growth is closer to sqrt(t); the thickest step is the most capped.
    exponents = [power_law_exponent(EXPOSURES, snr_table[k]) for k in (1, 2, 3, 4)]
    assert exponents[0] > 0.45
    assert exponents == sorted(exponents, reverse=True)


def test_fixed_pattern_caps_the_snr(snr_table):
    """The noise-free image's SNR in the region bounds the measured one."""
    truth = data.load("step_tower_transmission", cache=False)
    regions = data.load("step_tower_regions", cache=False)
    r = regions.set_index("step").loc[neutron.SNR_STEP, ["region_row_start", "region_row_stop",
                                                         "region_col_start", "region_col_stop"]].astype(int)
    seen = ndi.gaussian_filter(truth, neutron.TOWER_INSTRUMENT.psf_sigma, mode="nearest")
    box = (slice(r.region_row_start, r.region_row_stop), slice(r.region_col_start, r.region_col_stop))
    cap = seen[box].mean() / seen[box].std()
    assert 65 < cap < 90
    snr = np.array(snr_table[neutron.SNR_STEP])
    assert snr.max() < cap
    # 1/SNR^2 = a/t + 1/cap^2 describes the curve (within 15 % per exposure).
    t = np.array(EXPOSURES, float)
    a = np.median((1 / snr ** 2 - 1 / cap ** 2) * t)
    np.testing.assert_allclose(1 / np.sqrt(a / t + 1 / cap ** 2), snr, rtol=0.15)


def test_other_seeds_reproduce_the_exponent():
    for seed in (1, 2):
        snr = [measured_snr(t, seed=seed) for t in EXPOSURES]
        assert power_law_exponent(EXPOSURES, snr) == pytest.approx(0.40, abs=0.03)


def test_tower_counts_scale_with_exposure_up_to_one_frame():
    steps = data.load("step_tower_steps", cache=False)
    air = steps == 0
    means = {t: data.load("step_tower_open_beam", exposure_ms=t, cache=False)[air].mean() - 400
             for t in (50, 500, 1000, 10000)}
    assert means[500] / means[50] == pytest.approx(10.0, rel=0.02)
    assert means[1000] / means[500] == pytest.approx(2.0, rel=0.02)
    # Longer exposures are means of 1000-ms frames: the same counts, within 16 bits.
    assert means[10000] / means[1000] == pytest.approx(1.0, rel=0.01)
    for t in (1000, 10000):
        for name in TOWER_FRAMES:
            assert data.load(name, exposure_ms=t, cache=False).max() < 60000


def test_tower_normalises_to_its_truth():
    raw, open_, dark = (data.load(n, exposure_ms=10000, cache=False).astype(np.float64)
                        for n in TOWER_FRAMES)
    n = (raw - dark) / (open_ - dark)
    truth = data.load("step_tower_transmission", cache=False)
    steps = data.load("step_tower_steps", cache=False)
    inner = ndi.binary_erosion(steps > 0, iterations=3) | ndi.binary_erosion(steps == 0, iterations=3)
    assert np.abs(n - truth)[inner].mean() < 0.02
    assert n[steps == 0].mean() == pytest.approx(1.0, abs=0.005)
    # The raw frame carries the beam profile; normalisation removes it.
    air_raw = raw[steps == 0]
    assert air_raw.std() / air_raw.mean() > 0.1
    assert n[steps == 0].std() < 0.03


def test_tower_truth_and_regions():
    truth = data.load("step_tower_transmission", cache=False)
    steps = data.load("step_tower_steps", cache=False)
    regions = data.load("step_tower_regions", cache=False)
    assert truth.shape == steps.shape == (830, 470)
    assert truth.dtype == np.float64 and steps.dtype == np.uint8
    assert set(np.unique(steps)) == {0, 1, 2, 3, 4}
    assert (truth[ndi.binary_erosion(steps == 0, iterations=2)] == 1.0).all()
    assert list(regions.step) == [1, 2, 3, 4]
    np.testing.assert_allclose(regions.nominal_transmission, [0.8, 0.6, 0.4, 0.2])
    np.testing.assert_allclose(regions.true_mean, regions.nominal_transmission, atol=0.01)
    for r in regions.itertuples():
        box = (slice(r.region_row_start, r.region_row_stop), slice(r.region_col_start, r.region_col_stop))
        assert (steps[box] == r.step).all()
        assert steps[box].size == 120 * 16
        assert truth[box].mean() == pytest.approx(r.true_mean)
        # Widths of the step masks: twice the radius.
        width = np.count_nonzero(steps[(r.row_start + r.row_stop) // 2] == r.step)
        assert abs(width - 2 * r.radius_px) <= 2


def test_the_same_tower_at_every_exposure_with_independent_noise():
    a = data.load("step_tower", exposure_ms=100, cache=False).astype(float)
    b = data.load("step_tower", exposure_ms=100, seed=1, cache=False).astype(float)
    c = data.load("step_tower", exposure_ms=200, cache=False).astype(float)
    assert not np.array_equal(a, b)
    assert np.corrcoef((c / 2 - a)[400:600, 200:260].ravel(), a[400:600, 200:260].ravel())[0, 1] < 0.1


@pytest.mark.parametrize("value", [9, 10001, 50.0, "50", True])
def test_bad_exposure_is_named(value, data_cache):
    with pytest.raises(ValueError, match=r"exposure_ms must be an integer from 10 to 10000 \(ms\), got"):
        data.load("step_tower", exposure_ms=value)


# ---------------------------------------------------------------- flat fields
@pytest.fixture(scope="module")
def photon_transfer():
    pairs = data.load("flat_fields", cache=False).astype(np.float64)
    dark = data.load("flat_fields_dark", cache=False).astype(np.float64)
    offset = dark.mean()
    means = [dark.mean()] + [p.mean() for p in pairs]
    variances = [(dark[0] - dark[1]).var() / 2] + [(p[0] - p[1]).var() / 2 for p in pairs]
    return np.array(means) - offset, np.array(variances), offset, pairs


def test_flat_fields_shape_and_doses(photon_transfer):
    signal, _, offset, pairs = photon_transfer
    assert pairs.shape == (8, 2, 256, 256)
    assert data.load("flat_fields", cache=False).dtype == np.uint16
    assert data.load("flat_fields_dark", cache=False).shape == (2, 256, 256)
    doses = data.load("flat_fields_doses", cache=False)
    np.testing.assert_array_equal(doses.neutrons_per_pixel, [50, 100, 200, 500, 1000, 2000, 5000, 10000])
    assert offset == pytest.approx(400.0, abs=0.1)
    np.testing.assert_allclose(signal[1:] / 5.0, doses.neutrons_per_pixel, rtol=0.003)
    assert pairs.max() < 60000


def test_photon_transfer_recovers_gain_5_and_read_noise_6(photon_transfer):
    signal, variance, _, _ = photon_transfer
    gain, intercept = np.polyfit(signal, variance, 1, w=1 / variance)
    assert gain == pytest.approx(neutron.COUNTS_PER_NEUTRON, rel=0.03)
    assert np.sqrt(intercept) == pytest.approx(neutron.READ_NOISE, rel=0.03)
    assert np.sqrt(variance[0]) == pytest.approx(neutron.READ_NOISE, rel=0.03)
    # Every dose on the line variance = 5 * signal + 36 + 1/12 (rounding).
    np.testing.assert_allclose(variance, 5.0 * signal + 36.0 + 1 / 12, rtol=0.03)


def test_single_frames_overstate_the_noise_by_the_fixed_pattern(photon_transfer):
    signal, variance, _, pairs = photon_transfer
    single = np.array([p[0].var() for p in pairs])
    ratio = single / variance[1:]
    assert ratio[0] < 1.05            # at 50 neutrons the pattern hardly shows
    assert ratio[-1] > 2.0            # at 10,000 it dominates
    assert np.all(np.diff(ratio) > 0)


def test_other_seed_gives_other_frames_with_the_same_camera():
    a = data.load("flat_fields", cache=False)
    b = data.load("flat_fields", seed=3, cache=False).astype(np.float64)
    assert not np.array_equal(a, b)
    d = b[4, 0] - b[4, 1]
    assert d.var() / 2 == pytest.approx(25.0 * 1000 + 36, rel=0.03)   # 5 counts^2 per count


# ---------------------------------------------------------------- spotty wood
@pytest.fixture(scope="module")
def spotty():
    return (data.load("wood_raw_spotty", cache=False), data.load("wood_spots_truth", cache=False),
            data.load("wood_raw", cache=False))


def test_wood_raw_keeps_its_hash():
    assert data.get("wood_raw").sha256 == \
        "db0146aa5fcd225419f4bb8dc91734bf33709a3021273035c5937191f2cc23fd"


def test_spotty_frame_is_wood_raw_plus_spots_exactly_at_the_mask(spotty):
    frame, mask, clean = spotty
    assert frame.shape == mask.shape == (604, 897)
    assert frame.dtype == np.uint16 and mask.dtype == bool
    assert np.array_equal(frame != clean, mask)
    assert (frame >= clean).all()
    # the documented smallest rise of a spot pixel (0.3 x 3,000 at least)
    assert (frame.astype(int) - clean)[mask].min() == 940
    assert 0.002 <= mask.mean() < 0.00205


def test_spots_are_blobs_and_streaks_up_to_saturation(spotty):
    frame, mask, clean = spotty
    labels, n = ndi.label(mask, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    assert 250 < n < 450
    assert np.mean(sizes <= 8) > 0.97
    added = frame[mask].astype(float) - clean[mask]
    assert np.median(added) < 10000 < np.percentile(added, 90)
    assert 10 <= np.count_nonzero(frame == 65535) <= 100


def test_median_spot_cleaning_has_a_recall_precision_trade_off(spotty):
    """The chapter's detect-and-replace: |median 3x3 - frame| > k."""
    frame, mask, _ = spotty
    difference = np.abs(frame.astype(float) - ndi.median_filter(frame.astype(float), 3))

    def score(k):
        found = difference > k
        hits = np.count_nonzero(found & mask)
        return (hits / mask.sum(), hits / found.sum(), np.count_nonzero(~found & ~mask) / (~mask).sum())

    low, good, high = score(1000), score(2000), score(4000)
    assert low[0] > good[0] > high[0]                  # recall falls with k
    assert low[1] < good[1] < high[1]                  # precision rises
    assert low[1] < 0.2 and good[0] > 0.75 and good[1] > 0.8
    assert good[2] > 0.999                             # non-spot pixels left unchanged
    assert high[0] < 0.75                              # faint spots are missed


@pytest.mark.parametrize("name", ["wood_raw_spotty", "wood_spots_truth", "flat_fields",
                                  "step_tower_transmission"])
def test_bad_seed_is_named(name, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load(name, seed=-1)
