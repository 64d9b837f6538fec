"""The wood neutron radiograph and the three frames it is normalised from."""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data

FRAMES = ("wood_raw", "wood_open_beam", "wood_dark_current")
NAMES = FRAMES + ("wood_radiograph",)


@pytest.fixture(scope="module")
def wood():
    return {name: data.load(name, cache=False) for name in NAMES}


@pytest.mark.parametrize("name", FRAMES)
def test_frames_are_uint16_detector_images(wood, name):
    frame = wood[name]
    assert frame.shape == (604, 897)
    assert frame.dtype == np.uint16


def test_raw_counts_are_in_the_documented_range(wood):
    # wood_raw's and wood_raw_spotty's docs: about 9,000 (1st percentile) to
    # about 26,000 counts, the darkest knot pixels down to about 6,000
    raw = wood["wood_raw"]
    assert 8_500 < np.percentile(raw, 1) < 9_500
    assert 5_500 < raw.min() < 6_500
    assert 25_000 < raw.max() < 27_000


def test_radiograph_is_float64_of_the_same_shape(wood):
    rad = wood["wood_radiograph"]
    assert rad.shape == (604, 897)
    assert rad.dtype == np.float64
    assert np.isfinite(rad).all()


def test_radiograph_is_exactly_the_normalised_frames(wood):
    raw, open_, dark = (wood[n].astype(np.float64) for n in FRAMES)
    assert (open_ - dark > 0).all()
    expected = (raw - dark) / (open_ - dark)
    assert np.array_equal(wood["wood_radiograph"], expected)


def test_radiograph_value_range(wood):
    rad = wood["wood_radiograph"]
    assert 0.2 <= rad.min() < 0.3
    assert 1.0 < rad.max() <= 1.06


def test_background_wood_and_knot_fractions(wood):
    rad = wood["wood_radiograph"]
    background = np.mean(rad > 0.75)
    timber = np.mean((rad > 0.5) & (rad <= 0.75))
    knots = np.mean(rad <= 0.5)
    assert 0.38 < background < 0.50
    assert 0.48 < timber < 0.60
    assert 0.01 < knots < 0.04
    # Only a few background pixels exceed 1, from noise.
    assert 1e-4 < np.mean(rad > 1.0) < 5e-3


def test_background_is_flat_after_normalisation(wood):
    rad = wood["wood_radiograph"]
    for corner in (rad[10:80, 10:300], rad[540:600, 10:800]):
        assert 0.94 < corner.mean() < 0.97
        assert corner.std() < 0.025


def test_knots_are_compact_dark_objects(wood):
    labels, n = ndi.label(ndi.binary_opening(wood["wood_radiograph"] < 0.5, iterations=2))
    sizes = np.bincount(labels.ravel())[1:]
    assert (sizes > 300).sum() == 3


def test_wood_has_fine_grain_that_downsampling_by_32_loses(wood):
    rad = wood["wood_radiograph"]
    inner = ndi.binary_erosion((rad > 0.5) & (rad < 0.75), iterations=6)
    detail = rad - ndi.uniform_filter(rad, 9)
    noise = (rad - ndi.uniform_filter(rad, 9))[10:80, 10:300].std()
    # The grain adds clearly more fine detail than the noise alone.
    assert detail[inner].std() > 1.3 * noise
    # After downsampling by 32 a block holds a mean over many rings: blocks
    # entirely inside the wood vary far less than its pixels did.
    h, w = (s // 32 * 32 for s in rad.shape)

    def blocks(img):
        return img[:h, :w].reshape(h // 32, 32, w // 32, 32).mean(axis=(1, 3))

    wood_blocks = blocks(rad)[blocks(inner.astype(float)) == 1.0]
    assert wood_blocks.size > 100
    assert wood_blocks.std() < 0.6 * rad[inner].std()


def test_quantising_to_4_levels_separates_background_wood_and_knots(wood):
    rad = wood["wood_radiograph"]
    edges = np.linspace(rad.min(), rad.max(), 5)
    levels = np.clip(np.digitize(rad, edges[1:-1]), 0, 3)
    share = np.bincount(levels.ravel(), minlength=4) / rad.size
    assert share[0] > 0.005      # knots
    assert share[1] > 0.2        # dense wood
    assert share[3] > 0.3        # background
    assert share.max() < 0.6


def test_open_beam_is_uneven_and_brighter_than_the_sample_frame(wood):
    open_ = wood["wood_open_beam"].astype(float)
    dark = wood["wood_dark_current"].astype(float)
    signal = ndi.uniform_filter(open_ - dark, 31)
    assert signal.min() < 0.7 * signal.max()
    assert 20000 < signal.max() < 27000
    assert (wood["wood_raw"] < wood["wood_open_beam"]).mean() > 0.99


def test_dark_current_is_a_small_offset_with_noise_and_a_few_hot_pixels(wood):
    dark = wood["wood_dark_current"].astype(float)
    assert 395 < np.median(dark) < 420
    assert 5 < np.std(dark[dark < 1000]) < 9
    hot = np.count_nonzero(dark > 1000)
    assert 1 <= hot <= 50
    # Hot pixels are a property of the camera: they show in every frame.
    hot_mask = dark > 1000
    assert (wood["wood_open_beam"][hot_mask] > 25000).mean() > 0.0
    assert (wood["wood_raw"].astype(float)[hot_mask] - dark[hot_mask] > 0).all()


def test_other_seed_gives_another_board(wood):
    other = data.load("wood_radiograph", seed=1, cache=False)
    assert other.shape == (604, 897)
    assert not np.array_equal(other, wood["wood_radiograph"])
    assert 0.38 < np.mean(other > 0.75) < 0.50


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [-1, 2**32, 0.5, "1"])
def test_bad_seed_is_named(name, seed, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load(name, seed=seed)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_named(name, data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'shape'.*seed"):
        data.load(name, shape=(10, 10))
