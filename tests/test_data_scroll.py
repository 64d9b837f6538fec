"""The neutron CT slice of a rolled lead sheet."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import scroll as scroll_module


@pytest.fixture(scope="module")
def scroll():
    return data.load("scroll_ct", cache=False)


@pytest.fixture(scope="module")
def clean():
    return data.load("scroll_ct_clean", cache=False)


@pytest.fixture(scope="module")
def mask():
    return data.load("scroll_ct_mask", cache=False)


def _air(mask):
    """Pixels well away from the sheet (no lead, no blur of it)."""
    return ~ndi.binary_dilation(ndi.binary_fill_holes(ndi.binary_closing(mask, iterations=8)),
                                iterations=6)


def _rays(mask, n=360):
    """Runs of lead and of gap along rays from the centre of the scroll."""
    rows, cols = np.nonzero(mask)
    center = rows.mean(), cols.mean()
    r = np.arange(40.0, 250.0, 0.25)
    lead, gaps, turns = [], [], []
    for angle in np.linspace(0, 2 * np.pi, n, endpoint=False):
        ii = np.rint(center[0] + r * np.sin(angle)).astype(int)
        jj = np.rint(center[1] + r * np.cos(angle)).astype(int)
        ok = (ii >= 0) & (ii < 512) & (jj >= 0) & (jj < 512)
        line = mask[ii[ok], jj[ok]].astype(np.int8)
        edges = np.flatnonzero(np.diff(line)) + 1
        runs = np.split(line, edges)
        inner = runs[1:-1]                         # skip what reaches the ray's ends
        lead += [len(x) * 0.25 for x in inner if x[0]]
        gaps += [len(x) * 0.25 for x in inner if not x[0]]
        turns.append(sum(1 for x in runs if x[0]))
    return np.array(lead), np.array(gaps), np.array(turns)


def test_shapes_and_types(scroll, clean, mask):
    assert scroll.shape == clean.shape == mask.shape == (512, 512)
    assert scroll.dtype == clean.dtype == np.float32 and mask.dtype == bool


def test_clean_is_the_blurred_sheet(clean, mask):
    assert clean.min() >= 0.0 and clean.max() <= 1.0
    assert np.median(clean[ndi.binary_erosion(mask)]) > 0.9
    assert clean[_air(mask)].max() < 1e-3
    assert 0.06 < mask.mean() < 0.12
    assert ndi.label(mask)[1] == 1                 # one sheet


def test_the_sheet_is_a_spiral_of_eight_to_ten_turns(mask):
    lead, gaps, turns = _rays(mask)
    assert 8 <= np.median(turns) <= 10
    assert 2.5 <= np.median(lead) <= 3.5             # about 3 pixels thick
    assert 3.0 <= np.median(gaps) <= 5.0
    assert np.percentile(gaps, 5) >= 1.0 and np.percentile(gaps, 95) <= 7.0
    # Where turns touch, two sheets merge into one run twice as thick.
    assert 0.002 < np.mean(lead >= 5.5) < 0.05


def test_noise_has_the_requested_snr_and_is_correlated(scroll, clean, mask):
    air = _air(mask)
    noise = scroll - clean
    assert noise[air].std() == pytest.approx(0.25, rel=0.03)   # SNR 4: contrast 1 / 0.25
    a, b = noise[:, :-1][air[:, :-1] & air[:, 1:]], noise[:, 1:][air[:, :-1] & air[:, 1:]]
    assert 0.35 < np.corrcoef(a, b)[0, 1] < 0.6
    a, b = noise[:, :-2][air[:, :-2] & air[:, 2:]], noise[:, 2:][air[:, :-2] & air[:, 2:]]
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.15


def test_snr_scales_the_same_noise(clean):
    rings = scroll_module._rings(0)
    four = data.load("scroll_ct", snr=4.0, cache=False) - clean - rings
    two = data.load("scroll_ct", snr=2.0, cache=False) - clean - rings
    np.testing.assert_allclose(two, 2 * four, atol=1e-5)


def _ring_profile(img):
    yy, xx = np.mgrid[:512, :512]
    radius = np.rint(np.hypot(yy - 255.5, xx - 255.5)).astype(int)
    return np.bincount(radius.ravel(), img.ravel()) / np.maximum(np.bincount(radius.ravel()), 1)


def test_faint_rings_around_the_image_centre(scroll, clean):
    found = _ring_profile(scroll - clean)[20:250]
    drawn = _ring_profile(scroll_module._rings(0))[20:250]
    # Averaged over circles around the rotation axis, the noise fades and
    # the rings remain: the profile is the rings' own.
    assert np.corrcoef(found, drawn)[0, 1] > 0.9
    assert (np.abs(drawn) > 0.04).sum() >= 8
    assert np.sqrt(np.mean((found - drawn) ** 2)) < 0.015
    # Faint: each ring is well below the noise of a single pixel.
    assert np.abs(scroll_module._rings(0)).max() < 0.16 < 0.25


@pytest.mark.parametrize("snr", [0, 0.4, 2000, "4", None])
def test_bad_snr_is_named(snr, data_cache):
    with pytest.raises(ValueError, match=r"snr must be a number from 0.5 to 1000.0, got"):
        data.load("scroll_ct", snr=snr)


def test_other_seed_rolls_another_scroll(mask):
    other = data.load("scroll_ct_mask", seed=1, cache=False)
    assert not np.array_equal(other, mask)
    assert 0.06 < other.mean() < 0.12
