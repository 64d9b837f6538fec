"""The stained micrograph, its Raman measurement positions and the spectra."""
import numpy as np
import pandas as pd
import pytest
from scipy import ndimage as ndi

import common.data as data
from common.data import micrograph

NAMES = ("stained_micrograph", "spectrum_positions", "spectra")


@pytest.fixture(scope="module")
def image():
    return data.load("stained_micrograph", cache=False)


@pytest.fixture(scope="module")
def positions():
    return data.load("spectrum_positions", cache=False)


@pytest.fixture(scope="module")
def spectra():
    return data.load("spectra", cache=False)


# ------------------------------------------------------------- micrograph
def test_micrograph_is_an_rgb_uint8_image(image):
    assert image.shape == (512, 640, 3)
    assert image.dtype == np.uint8


def test_micrograph_channel_means_are_pink(image):
    means = image.reshape(-1, 3).mean(axis=0)
    assert np.allclose(means, [244, 145, 199], atol=3), means


def test_micrograph_has_dark_rims_and_a_glaring_crystal(image):
    rgb = image.reshape(-1, 3).astype(int)
    dark = (rgb[:, 0] < 170) & (rgb[:, 1] < 100)
    glare = (rgb[:, 1] > 235) & (rgb[:, 2] > 215)
    assert 0.01 < dark.mean() < 0.15
    assert 0.005 < glare.mean() < 0.05
    # The glare is where the crystal is.
    rows, cols = np.divmod(np.flatnonzero(glare), 640)
    assert abs(np.median(rows) - micrograph._CRYSTAL[0]) < 25
    assert abs(np.median(cols) - micrograph._CRYSTAL[1]) < 25


# -------------------------------------------------------------- positions
def test_positions_table(positions):
    assert list(positions.columns) == ["x", "y"]
    assert len(positions) == 1405
    assert positions.dtypes.tolist() == [np.float64, np.float64]
    assert not positions.duplicated().any()


def test_positions_lie_on_the_stated_grid(positions):
    xs = np.round(168.95 + 5.95 * np.arange(39), 2)
    ys = np.round(174.0 + 5.6 * np.arange(40), 2)
    assert np.array_equal(np.unique(positions.x), xs)
    assert np.array_equal(np.unique(positions.y), ys)
    assert positions.x.min() == 168.95 and positions.x.max() == 395.05
    assert positions.y.min() == 174.0 and positions.y.max() == 392.4


def test_positions_are_an_irregular_patch_sorted_as_a_raster(positions):
    # Not the full 39 x 40 grid, and not a rectangle.
    assert len(positions) < 39 * 40
    per_row = positions.groupby("y").size()
    assert per_row.nunique() > 3
    order = positions.sort_values(["y", "x"]).index
    assert (order == positions.index).all()


def test_every_5_by_5_bin_holds_positions(positions):
    bins = positions.assign(xb=pd.cut(positions.x, 5, labels=False),
                            yb=pd.cut(positions.y, 5, labels=False))
    counts = bins.groupby(["yb", "xb"]).size()
    assert len(counts) == 25
    assert counts.min() >= 10


def test_positions_sit_over_the_crystal_and_droplets(positions, image):
    r, c = micrograph._CRYSTAL[:2]
    assert positions.x.min() < c < positions.x.max()
    assert positions.y.min() < r < positions.y.max()
    # Under the positions the image varies much more than the plain tissue.
    under = image[np.rint(positions.y).astype(int), np.rint(positions.x).astype(int)]
    assert under[:, 1].std() > 30


# ---------------------------------------------------------------- spectra
def test_spectra_long_table(spectra):
    assert list(spectra.columns) == ["x", "y", "wavenum", "val"]
    assert spectra.dtypes.tolist() == [np.float64, np.float64, np.int64, np.float64]
    assert len(spectra) == 1405 * 350


def test_below_1200_there_are_210750_rows_of_150_wavenumbers(spectra):
    low = spectra[spectra.wavenum < 1200]
    assert len(low) == 210_750
    assert np.array_equal(np.unique(low.wavenum), np.arange(750, 1200, 3))
    assert low.groupby(["x", "y"]).size().eq(150).all()
    assert spectra.wavenum.max() > 1700


def test_spectra_positions_are_the_measurement_positions(spectra, positions):
    pos = spectra[["x", "y"]].drop_duplicates().reset_index(drop=True)
    pd.testing.assert_frame_equal(pos, positions)


def test_values_are_baseline_removed_with_a_strong_band_near_1200(spectra):
    val = spectra.val
    assert -1300 < val.min() < -300
    assert 15000 < val.max() < 19000
    assert 0.01 < (val < 0).mean() < 0.5
    top = spectra.loc[val.idxmax()]
    assert 1170 <= top.wavenum < 1200
    # Most values stay within about +-1000; the band is rare.
    assert np.mean(np.abs(val) < 1500) > 0.85
    # Rounded to 2 decimals (deterministic across CPUs).
    assert np.array_equal(val, val.round(2))


def _spectrum_matrix(spectra):
    low = spectra[spectra.wavenum < 1200]
    return low.pivot_table(index=["y", "x"], columns="wavenum", values="val")


def test_spectra_vary_smoothly_with_position(spectra):
    m = _spectrum_matrix(spectra)
    ys, xs = m.index.get_level_values(0), m.index.get_level_values(1)
    grid = pd.DataFrame(m.to_numpy(), index=pd.MultiIndex.from_arrays([ys, xs]))
    neighbours, strangers = [], []
    rng = np.random.default_rng(0)
    keys = list(grid.index)
    lookup = set(keys)
    for y, x in keys[::7]:
        right = (y, round(x + 5.95, 2))
        if right in lookup:
            neighbours.append(np.abs(grid.loc[(y, x)].to_numpy() - grid.loc[right].to_numpy()).mean())
            other = keys[rng.integers(len(keys))]
            strangers.append(np.abs(grid.loc[(y, x)].to_numpy() - grid.loc[other].to_numpy()).mean())
    assert np.median(neighbours) < 0.8 * np.median(strangers)


def test_5_by_5_bins_give_visibly_different_groups(spectra):
    low = spectra[spectra.wavenum < 1200]
    low = low.assign(xb=pd.cut(low.x, 5, labels=False), yb=pd.cut(low.y, 5, labels=False))
    mean = low.groupby(["yb", "xb", "wavenum"]).val.mean().unstack("wavenum")
    crystal_band = mean[1191]
    lipid_band = mean[1128]
    # Crystal bins (top right) versus plain tissue bins (bottom left).
    assert crystal_band.max() > 5000
    assert crystal_band.min() < 800
    assert lipid_band.max() > 3 * max(lipid_band.min(), 100)
    assert crystal_band.idxmax()[0] <= 1 and crystal_band.idxmax()[1] >= 3


def test_components_are_documented_band_lists():
    assert set(micrograph.COMPONENTS) == {"tissue", "lipid", "crystal"}
    strongest = max(micrograph.COMPONENTS["crystal"], key=lambda band: band[1])
    assert 1180 <= strongest[0] < 1200


# ------------------------------------------------------------ arguments
def test_other_seed_changes_image_and_positions_but_not_their_rules():
    img = data.load("stained_micrograph", seed=2, cache=False)
    pos = data.load("spectrum_positions", seed=2, cache=False)
    assert not np.array_equal(img, data.load("stained_micrograph", cache=False))
    assert len(pos) == 1405
    assert np.allclose(img.reshape(-1, 3).mean(axis=0), [244, 145, 199], atol=6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [-5, 2**32, 1.0, "0"])
def test_bad_seed_is_named(name, seed, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load(name, seed=seed)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_named(name, data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'n'.*seed"):
        data.load(name, n=5)


# ------------------------------------------------ imaging model and truth
@pytest.fixture(scope="module")
def droplets():
    return data.load("stained_micrograph_droplets", cache=False)


def test_droplet_table_has_the_documented_columns(droplets):
    assert list(droplets.columns) == ["droplet_id", "row", "col", "radius_px", "area_px",
                                      "major_axis_px", "minor_axis_px", "orientation_deg",
                                      "visible_px", "in_cluster", "cut_by_border"]
    assert droplets["droplet_id"].tolist() == list(range(1, len(droplets) + 1))
    assert droplets["radius_px"].between(1.8, 24.0).all()
    np.testing.assert_allclose(droplets["major_axis_px"], 2 * droplets["radius_px"], rtol=1e-3)
    ratio = droplets["minor_axis_px"] / droplets["major_axis_px"]
    assert ratio.between(0.85, 1.0).all()
    np.testing.assert_allclose(droplets["area_px"], np.pi / 4 * droplets["major_axis_px"]
                               * droplets["minor_axis_px"], rtol=2e-3)
    assert droplets["orientation_deg"].between(-90, 90, inclusive="right").all()
    assert 300 < len(droplets) < 600 and droplets["in_cluster"].mean() > 0.5
    # Squeezed by neighbours or cut by the border, never more than itself.
    assert (droplets["visible_px"] <= droplets["area_px"] + 2 * np.pi * droplets["radius_px"]).all()
    assert (droplets.loc[droplets["cut_by_border"], "visible_px"]
            < droplets.loc[droplets["cut_by_border"], "area_px"]).all()


def test_droplets_are_light_inside_and_rimmed_dark(image, droplets):
    big = droplets[(droplets["radius_px"] > 5) & ~droplets["cut_by_border"]]
    r = np.rint(big["row"]).astype(int)
    c = np.rint(big["col"]).astype(int)
    centre = image[r, c].astype(int).sum(axis=1)
    tissue = image[300:500, 420:630].reshape(-1, 3).astype(int).sum(axis=1)
    assert np.median(centre) > np.median(tissue) + 40          # light bodies and glints
    lum = image.mean(axis=-1)
    rims = [lum[max(0, y - int(s) - 3):y + int(s) + 4, max(0, x - int(s) - 3):x + int(s) + 4].min()
            for y, x, s in zip(r, c, big["radius_px"])]
    assert np.median(rims) < 130 and np.min(rims) < 90          # near-black rims


def test_red_saturates_in_about_a_third_of_the_pixels_and_glints_are_white(image):
    red = image[..., 0]
    assert 0.25 < np.mean(red == 255) < 0.40
    white = (image == 255).all(axis=-1)
    outside_crystal = white.copy()
    outside_crystal[150:320, 230:460] = False
    assert outside_crystal.sum() > 50                            # glints in droplets


def test_tissue_has_fibre_texture_beyond_pixel_noise(image):
    green = image[300:500, 420:630, 1].astype(float)
    texture = (green - ndi.gaussian_filter(green, 4)).std()
    noise = np.diff(green, axis=1).std() / np.sqrt(2)
    assert texture > 1.3 * noise
