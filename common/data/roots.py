"""A 3D root network in soil: the phantom of a filter's smoke test.

To know how far a filter can be trusted, one runs it on a phantom whose
truth is known, at several noise levels, many times, and watches where the
result breaks down: the smoke test of the lecture, after Kaestner et al.
(2006), who segmented simulated roots of several radii and contrasts in
noisy CT volumes and compared the volume found with the true one.

The roots here form an H-tree: a vertical taproot from the soil surface
(plane 0) down to the middle of the volume, where it splits into a branch
along the columns (level 1); each end of that splits along the rows
(level 2), and each end of those along the planes (level 3), every level
half as long as the one before. All segments have the same radius
(``radius``: 1, 2, 4 or 8 voxels) and round ends and joints (a union of
capsules). The soil around has a mottled texture; the root's value is 1 and
the soil's ``1 / contrast`` (``contrast``: 2, 5 or 10).

Made through the book's imaging model (:mod:`common.data.imaging`): each
voxel holds the fraction of it that is root (4 x 4 x 4 samples where a
voxel may cross the root's surface), the soil filling the rest; then
Gaussian noise of standard deviation ``noise`` (in units of the root's
value). There is no blur: the smoke test's own filter is the only
smoothing, so the volume found depends on the filter alone.
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage as ndi

from . import imaging
from ._registry import Param, float_param, register, seed_param

#: Root radii offered, voxels, and the volume size each needs.
RADII = (1, 2, 4, 8)
SIZES = {1: 128, 2: 128, 4: 128, 8: 192}
#: Contrasts offered: the root is this many times brighter than the soil.
CONTRASTS = (2, 5, 10)
#: Value of the root (the soil's is ROOT / contrast).
ROOT = 1.0
#: Soil texture: standard deviation as a share of the soil's value, and the
#: widths (voxels) of its fine and coarse parts.
SOIL_TEXTURE = 0.12
SOIL_GRAIN = (1.0, 5.0)
#: Samples per voxel along each axis where a voxel may cross the root's surface.
OVERSAMPLE = 4
#: Default noise (standard deviation, root = 1).
NOISE = 0.3


def _r6(x):
    """Round to 6 decimals: last-bit differences between CPUs stay out of the data."""
    return np.round(x, 6)


def segments(radius: int):
    """The H-tree's segments for ``radius``: a list of ``(axis, start, end)``.

    Each segment runs along ``axis`` (0 planes, 1 rows, 2 columns) from the
    point ``start`` to the point ``end`` (plane, row, column; voxel
    centres at whole numbers). The taproot runs from plane 0 to the
    centre; level 1 spans half the volume along the columns, level 2 a
    quarter along the rows, level 3 an eighth along the planes.
    """
    n = SIZES[radius]
    c = (n - 1) / 2.0
    half = [n / 4.0, n / 8.0, n / 16.0]          # half lengths of levels 1-3
    out = [(0, (0.0, c, c), (c, c, c))]          # taproot
    out.append((2, (c, c, c - half[0]), (c, c, c + half[0])))
    for sx in (-1, 1):
        x = c + sx * half[0]
        out.append((1, (c, c - half[1], x), (c, c + half[1], x)))
        for sy in (-1, 1):
            y = c + sy * half[1]
            out.append((0, (c - half[2], y, x), (c + half[2], y, x)))
    return out


def _distance_to(segs, planes, rows, cols):
    """Distance from points to the nearest segment (capsule axis)."""
    coords = (planes, rows, cols)
    best = None
    for axis, start, end in segs:
        d2 = 0.0
        for a in range(3):
            if a == axis:
                lo, hi = min(start[a], end[a]), max(start[a], end[a])
                over = np.maximum(np.maximum(lo - coords[a], coords[a] - hi), 0.0)
                d2 = d2 + over * over
            else:
                d2 = d2 + (coords[a] - start[a]) ** 2
        best = d2 if best is None else np.minimum(best, d2)
    return np.sqrt(best)


@functools.lru_cache(maxsize=4)
def _coverage(radius):
    """The fraction of every voxel that is root (float32, read-only)."""
    n = SIZES[radius]
    segs = segments(radius)
    planes, rows, cols = np.ogrid[:n, :n, :n]
    d = np.full((n, n, n), np.inf)
    for axis, start, end in segs:
        # Only the voxels near this segment: its bounding box grown by the radius.
        box = tuple(slice(max(0, int(np.floor(min(s, e) - radius)) - 2),
                          min(n, int(np.ceil(max(s, e) + radius)) + 3))
                    for s, e in zip(start, end))
        near = _distance_to([(axis, start, end)], planes[box[0]], rows[:, box[1]], cols[:, :, box[2]])
        np.minimum(d[box], near, out=d[box])
    cover = (d <= radius).astype(np.float32)
    # Voxels whose cube may cross the surface: sample them 4 x 4 x 4 times.
    band = np.abs(d - radius) <= np.sqrt(3) / 2
    idx = np.nonzero(band)

    def inside(p, r, c):
        return _r6(_distance_to(segs, p, r, c)) <= radius

    cover[idx] = imaging.coverage(inside, [i.astype(float) for i in idx], OVERSAMPLE)
    cover.setflags(write=False)
    return cover


@functools.lru_cache(maxsize=2)
def _soil_texture(radius, seed):
    """Mottled soil: unit-variance smooth noise, fine and coarse parts (float32)."""
    n = SIZES[radius]
    rng = np.random.default_rng([seed, 7070, n])
    fine_w, coarse_w = SOIL_GRAIN
    out = np.zeros((n, n, n), np.float32)
    for width, share in ((fine_w, 0.6), (coarse_w, 0.4)):
        field = ndi.gaussian_filter(rng.standard_normal((n, n, n), dtype=np.float32), width,
                                    mode="reflect")
        # Scale to unit variance analytically: 3D white noise filtered by a
        # Gaussian of width w has variance 1 / (2 sqrt(pi) w)**3.
        out += np.float32(np.sqrt(share) * (2.0 * np.sqrt(np.pi) * width) ** 1.5) * field
    out = np.clip(out, -3.0, 3.0)
    out.setflags(write=False)
    return out


def _clean(radius, contrast, seed):
    cover = _coverage(radius)
    soil = (ROOT / contrast) * (1.0 + SOIL_TEXTURE * _soil_texture(radius, seed))
    return _r6(cover * ROOT + (1.0 - cover) * soil).astype(np.float32)


def _choice(name, default, options, what):
    allowed = "one of " + ", ".join(str(o) for o in options) + f" ({what})"

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value not in options:
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return int(value)

    return Param(name, default, allowed, check)


_RADIUS = _choice("radius", 4, RADII, "voxels")
_CONTRAST = _choice("contrast", 5, CONTRASTS, "root value over soil value")


@register("root_network",
          "3D H-tree root network in textured soil with Gaussian noise, 128^3 float32 (192^3 for radius 8)",
          sha256="2846d54dc1016d8a4e0232a1e388bfb777f4635ee83c87252fa3ca5f43dcbf1a",
          params=(_RADIUS, _CONTRAST, float_param("noise", NOISE, 0.0, 5.0), seed_param(0)))
def root_network(radius=4, contrast=5, noise=NOISE, seed=0):
    """Simulated CT volume of a root network in soil: the phantom of a smoke test.

    What it depicts
        A root system as an idealised H-tree: a vertical taproot from the
        soil surface (plane 0) to the middle of the volume, a branch across
        (along the columns) at its end, at each end of that a branch along
        the rows, and at each of their ends a short vertical branch up and
        down: 8 straight segments (15 branches from the joints) of one
        ``radius``, with round joints and tips. The roots are bright
        (water-rich roots attenuate neutrons strongly), the soil darker
        and mottled, and the whole volume noisy.

    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(128, 128, 128)`` for
        radius 1, 2 and 4, ``(192, 192, 192)`` for radius 8 (all lengths
        scale by 1.5 so the thick roots still look like roots) = (planes,
        rows, columns); plane 0 is the soil surface. Segment lengths
        (128^3): taproot 64 voxels, level 1 64, level 2 32 each, level 3
        16 each (``roots.segments(radius)`` lists them).

    Values
        Root 1, soil ``1 / contrast`` on average (0.5, 0.2 or 0.1) with a
        mottled texture of standard deviation 12 % of the soil's value
        (fine grains of about 1 voxel and patches of about 5). A voxel at
        the root's surface holds the mixture of root and soil in it
        (partial volume). Then Gaussian noise of standard deviation
        ``noise`` (root = 1). ``contrast`` reads the lecture's "root:soil
        1:10" as the soil at a tenth of the root.

    How it is made
        The fraction of each voxel inside the union of the 8 capsules
        (segments with round ends) of the given radius: 1 or 0 where the
        voxel's cube lies clear of the surface, 4 x 4 x 4 samples where it
        may cross it. Soil: the sum of two Gaussian-filtered white noises
        (widths 1 and 5 voxels, 60:40 of the variance), scaled to unit
        variance, clipped to +-3. No blur. Noise: white Gaussian, from
        ``seed``; the soil's texture follows from ``seed`` too (so draws
        with other seeds have other soil). For many noise draws on the
        same soil, add noise to ``root_network_clean`` yourself.

    The smoke test (see the book's chapter on verification)
        Gaussian filter, a threshold at the middle between root and soil
        (``(1 + 1 / contrast) / 2``), and, since the roots are one piece,
        only the largest connected part kept; then the volume found over
        ``V_ref``. It stays within 10 % of 1 up to a noise level that grows
        with the radius and with the contrast, then climbs fast as noise in
        the soil joins the roots. Measured with a filter of 0.5 voxel and
        two noise draws per level (noise added to ``root_network_clean``),
        that breakdown noise is, for contrasts 10, 5 and 2: radius 1: 0.18,
        0.13, 0.06; radius 2: 0.52, 0.47, 0.21; radius 4: 0.87, 0.79, 0.42;
        radius 8: 1.02, 0.84, 0.51. Without the connected-part step, false
        voxels in the soil count from the start and the breakdown comes
        earlier (0.1 to 0.3) and depends little on the radius; a wider
        filter (0.7 voxel and more) loses the radius-1 roots altogether.

    Ground truth
        ``root_network_clean``: the same volume without noise;
        ``root_network_truth``: the root's voxels.
    """
    rng = np.random.default_rng([seed, 7070, SIZES[radius], 1])
    clean = _clean(radius, contrast, seed)
    return _r6(imaging.add_noise(clean, rng, read_noise=noise, exact=False)).astype(np.float32)


@register("root_network_clean",
          "Noise-free root_network: roots (1) in textured soil (1/contrast), 128^3 float32 (192^3 for radius 8)",
          sha256="a0b33edf1fe20883304135cc2166d3a24f3259b1e9488b62444f468d5dde0776", params=(_RADIUS, _CONTRAST, seed_param(0)))
def root_network_clean(radius=4, contrast=5, seed=0):
    """The volume of ``root_network`` (same radius, contrast, seed) without noise.

    ``numpy.ndarray``, dtype ``float32``, shape ``(128, 128, 128)``
    (``(192, 192, 192)`` for radius 8): root 1, soil ``1 / contrast``
    times ``1 + 0.12 t`` with ``t`` the soil's unit-variance texture,
    partial-volume voxels at the root's surface between. Exactly
    ``root_network`` minus its noise, so a smoke test can add its own
    noise draws to it: ``clean + sigma * rng.standard_normal(clean.shape)``.
    See ``root_network`` for the geometry.
    """
    return _clean(radius, contrast, seed)


@register("root_network_truth",
          "Truth of root_network: the voxels at least half inside the roots, 128^3 bool (192^3 for radius 8)",
          sha256="d3d1ec64adab28bd7a307ba5169a4026b357f031f834017540a4b7c9807e2b07", params=(_RADIUS,))
def root_network_truth(radius=4):
    """The root's voxels in ``root_network`` of the same radius.

    ``numpy.ndarray``, dtype ``bool``, shape ``(128, 128, 128)``
    (``(192, 192, 192)`` for radius 8): True where at least half of the
    voxel lies inside the roots (its partial-volume fraction is 0.5 or
    more). ``truth.sum()`` is the reference volume ``V_ref`` of a smoke
    test: 1,028, 3,088, 13,172 and 78,496 voxels for radius 1, 2, 4 and 8;
    it does not depend on the contrast or the seed. The volume of the
    capsules themselves (the sum of the partial-volume fractions) is 830,
    3,306, 12,858 and 76,452 voxels: at radius 1 the taproot's axis passes
    between voxel centres, so its four nearest voxels, each 79 % root,
    count whole and the mask is 24 % larger than the root; from radius 2
    on the two agree within 7 %.
    """
    return _coverage(radius) >= 0.5
