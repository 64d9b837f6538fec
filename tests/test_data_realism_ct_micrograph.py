"""Does the synthetic data look like the real thing? Statistics as numbers.

Each statistic below is computed on the generated image and printed beside
the same statistic measured on the reference image of the original course
(``../shared/reference-data``, which the project never loads: the reference
figures are hard-coded here), then checked against a stated band around the
reference. Run with ``-s`` to see the table:

    .venv/bin/python -m pytest -p no:cacheprovider -s tests/test_data_realism_ct_micrograph.py

Where the reference figures come from: the helper that wrote this module
(data3d) ran these very functions, in a scratch script outside the
repository, on ``bone-section.png`` (channel 0, 305 x 282) and ``raw.jpg``
(512 x 640 RGB). A band is wide where the reference is one image of a
random process (pore counts, darkest percentiles) and narrow where the book
relies on the value (threshold, colour means).
"""
import numpy as np
import pytest
from scipy import ndimage as ndi

import common.data as data


# --------------------------------------------------------------------- CT
def _ring(img):
    """The cortical ring: the largest bright component, pores closed."""
    closed = ndi.binary_closing(img > 140, iterations=3)
    labels, _ = ndi.label(closed)
    return labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1


def _high_pass(patch):
    patch = patch.astype(float)
    return patch - ndi.uniform_filter(patch, 9)


def ct_statistics(img):
    img = np.asarray(img)
    counts = np.bincount(img.ravel(), minlength=256)
    ring = _ring(img)
    core = ndi.binary_erosion(ring, iterations=3)
    pores, n = ndi.label(core & (img < 170))
    sizes = np.bincount(pores.ravel())[1:]
    darkest = np.asarray(ndi.minimum(img, pores, np.arange(1, n + 1)))
    outside = ~ndi.binary_fill_holes(ring)
    dist = ndi.distance_transform_edt(~(img > 140))
    near = outside & (dist <= 3)
    far = outside & (dist >= 6) & (dist <= 12)
    at_2 = outside & (dist > 1.5) & (dist <= 2.5)
    at_far = outside & (dist > 4.5) & (dist <= 8.5)
    background = _high_pass(img[10:50, 220:270])        # outside the bone, top right
    return {
        "bone fraction (> 140)": float(np.mean(img > 140)),
        "soft-matter histogram peak": int(np.argmax(counts[:140])),
        "bone histogram peak": int(140 + np.argmax(counts[140:])),
        "pores in the ring's core": int(n),
        "pore size, median (px)": float(np.median(sizes)),
        "pore size, 90th percentile (px)": float(np.percentile(sizes, 90)),
        "darkest pixel of a pore, median": float(np.median(darkest)),
        "pores of 10+ px darker than 50": float(np.mean(darkest[sizes >= 10] < 50)),
        "core pixels below 30 (near black)": float(np.mean(img[core] < 30)),
        "fringe: outside at 2 px minus at 5-8 px": float(np.median(img[at_2]) - np.median(img[at_far])),
        "fringe: 10th pct near minus far": float(np.percentile(img[near], 10) - np.percentile(img[far], 10)),
        "background noise (high-pass sd)": float(background.std()),
        "background noise, neighbour correlation": float(
            np.corrcoef(background[:, :-1].ravel(), background[:, 1:].ravel())[0, 1]),
    }


#: Measured on bone-section.png, channel 0 (see the module's docstring),
#: with the band the synthetic section must fall in.
CT_REFERENCE = {
    "bone fraction (> 140)": (0.392, 0.34, 0.44),
    "soft-matter histogram peak": (76, 70, 82),
    "bone histogram peak": (208, 200, 225),
    "pores in the ring's core": (516, 400, 650),
    "pore size, median (px)": (2.0, 1.0, 3.0),
    "pore size, 90th percentile (px)": (5.0, 3.0, 8.0),
    "darkest pixel of a pore, median": (132.0, 110.0, 150.0),
    "pores of 10+ px darker than 50": (0.88, 0.6, 1.0),
    "core pixels below 30 (near black)": (0.0012, 0.0004, 0.004),
    "fringe: outside at 2 px minus at 5-8 px": (-5.0, -12.0, -1.0),
    "fringe: 10th pct near minus far": (-13.0, -25.0, -4.0),
    "background noise (high-pass sd)": (3.75, 3.0, 5.0),
    "background noise, neighbour correlation": (0.52, 0.3, 0.65),
}


# ------------------------------------------------------------- micrograph
#: Rows and columns of the crystal's glare in both images (glints elsewhere).
_CRYSTAL_BOX = (slice(150, 320), slice(230, 460))
#: Plain tissue, far from droplets and crystal, in both images.
_TISSUE_BOX = (slice(300, 500), slice(420, 630))


def _coherence(channel):
    """Median orientation coherence of the structure tensor (0: isotropic,
    1: all structure along one direction), integration scale 6 pixels."""
    gy, gx = np.gradient(ndi.gaussian_filter(channel, 1.0))
    jxx = ndi.gaussian_filter(gx * gx, 6)
    jyy = ndi.gaussian_filter(gy * gy, 6)
    jxy = ndi.gaussian_filter(gx * gy, 6)
    return float(np.median(np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-9)))


def micrograph_statistics(img):
    rgb = np.asarray(img).astype(float)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    lum = rgb.mean(axis=-1)
    away = np.ones(lum.shape, bool)
    away[_CRYSTAL_BOX] = False
    tissue = green[_TISSUE_BOX]
    means = rgb.reshape(-1, 3).mean(axis=0)
    return {
        "mean red": float(means[0]),
        "mean green": float(means[1]),
        "mean blue": float(means[2]),
        "red saturated (R = 255)": float(np.mean(red == 255)),
        "white (all channels 255)": float(np.mean((red == 255) & (green == 255) & (blue == 255))),
        "brightness, 1st percentile": float(np.percentile(lum, 1)),
        "brightness, 5th percentile": float(np.percentile(lum, 5)),
        "dark rims (R < 170, G < 100)": float(np.mean((red < 170) & (green < 100))),
        "glints away from the crystal (> 235)": float(np.mean((lum > 235) & away)),
        "tissue texture (green high-pass sd)": float(
            (tissue - ndi.gaussian_filter(tissue, 4)).std()),
        "tissue texture, orientation coherence": _coherence(tissue),
        "pixel noise (green, neighbour difference / sqrt 2)": float(
            np.diff(tissue, axis=1).std() / np.sqrt(2)),
    }


#: Measured on raw.jpg (see the module's docstring), with the bands.
MICROGRAPH_REFERENCE = {
    "mean red": (244.4, 241.4, 247.4),
    "mean green": (145.2, 142.2, 148.2),
    "mean blue": (198.5, 195.5, 201.5),
    "red saturated (R = 255)": (0.314, 0.25, 0.40),
    "white (all channels 255)": (0.0037, 0.001, 0.01),
    "brightness, 1st percentile": (107.3, 95.0, 125.0),
    "brightness, 5th percentile": (155.0, 135.0, 170.0),
    "dark rims (R < 170, G < 100)": (0.0206, 0.01, 0.045),
    "glints away from the crystal (> 235)": (0.0135, 0.007, 0.025),
    "tissue texture (green high-pass sd)": (4.55, 3.5, 6.0),
    "tissue texture, orientation coherence": (0.274, 0.2, 0.35),
    "pixel noise (green, neighbour difference / sqrt 2)": (2.42, 1.8, 3.3),
}


# ------------------------------------------------------------------ tests
def _compare(name, measured, reference):
    print(f"\n{name}: statistic, synthetic, reference [band]")
    outside = []
    for key, (ref, low, high) in reference.items():
        value = measured[key]
        ok = low <= value <= high
        print(f"  {key:52s} {value:9.4g}  {ref:9.4g}  [{low:g}, {high:g}]{'' if ok else '  <-- outside'}")
        if not ok:
            outside.append(f"{key} = {value:.4g}, not in [{low:g}, {high:g}] (reference {ref:g})")
    assert not outside, "; ".join(outside)


@pytest.mark.parametrize("seed", [0, 1])
def test_ct_bone_section_matches_the_reference_statistics(seed):
    _compare(f"ct_bone_section, seed {seed}",
             ct_statistics(data.load("ct_bone_section", seed=seed, cache=False)), CT_REFERENCE)


@pytest.mark.parametrize("seed", [0, 1])
def test_stained_micrograph_matches_the_reference_statistics(seed):
    _compare(f"stained_micrograph, seed {seed}",
             micrograph_statistics(data.load("stained_micrograph", seed=seed, cache=False)),
             MICROGRAPH_REFERENCE)


def test_a_clean_image_fails_the_realism_checks():
    # The checks can fail: the same section without the instrument's halo,
    # noise and air (pores drawn at a flat gray) is outside several bands.
    img = data.load("ct_bone_section", cache=False).astype(float)
    clean = np.where(img > 140, 214, 74)
    clean[(img < 170) & ndi.binary_erosion(_ring(img.astype(np.uint8)), iterations=3)] = 120
    with np.errstate(invalid="ignore"):          # a flat background has no noise to correlate
        stats = ct_statistics(clean.astype(np.uint8))
    failed = [k for k, (_, low, high) in CT_REFERENCE.items() if not low <= stats[k] <= high]
    assert len(failed) >= 4, failed
