"""CT of an asphalt core: angular stone grains in bitumen binder, with air voids.

Asphalt concrete is crushed stone (the aggregate) glued by bitumen (the
binder), with air voids left where the binder does not fill the space
between the grains. A CT slice of a drilled core shows three phases of
clearly different attenuation: bright angular grains, gray binder, dark
voids. It is the lecture's example for edge-preserving filters (diffusion,
total variation): noise makes the three phases hard to tell apart, and a
linear filter that removes it also smears the thin binder films between
grains.

The object
    A cylinder (the core) filled with grains, binder and voids. The grains
    are the cells of a Laguerre (power) tessellation, each shrunk towards
    its seed: convex, angular polygons (polyhedra in 3D) of mixed sizes,
    separated by films whose width grows with the grains' size, like
    crushed stone. Their seeds are the centres of randomly placed
    non-overlapping discs (spheres) of sizes between 3.5 % and 18 % of the
    core's radius, the cell weights their squared radii, and the shrink
    factor sets the grains' share of the core (``FRACTIONS``). The space
    between grains is binder near the grains and void where it is widest
    (the distance to the nearest grain, roughened by a smooth random
    field, above a threshold chosen so the phases have their shares).

The instrument (:mod:`common.data.imaging`)
    Pixel integration: the grains and the core's outline are sampled 4 x 4
    times per pixel in 2D (2 x 2 x 2 per voxel in 3D), and each pixel holds
    the mixture of the phases it covers (the binder-void boundary gets its
    partial volume from the distance to it). Blur: a Gaussian point spread
    function of 1 pixel. Noise: Gaussian, white, of standard deviation
    ``(GRAIN - VOID) / snr``. No quantisation: float32 values.
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage as ndi
from scipy.spatial import cKDTree

from . import imaging
from ._registry import Param, float_param, int_param, register, seed_param

#: Gray levels of the phases (attenuation, arbitrary units): stone grains,
#: bitumen binder, air voids; the air around the core is ``VOID`` too.
GRAIN, BINDER, VOID = 0.8, 0.45, 0.1
#: Target shares of the core's area (volume): grains, binder, voids.
FRACTIONS = {"grain": 0.50, "binder": 0.35, "void": 0.15}
#: Shape of the image: a slice (ndim=2) or a volume (ndim=3).
SHAPES = {2: (256, 256), 3: (128, 128, 128)}
#: Radius of the core as a share of the image width.
CORE_RADIUS = 0.47
#: Radii of the discs (spheres) whose centres seed the grains, as shares of
#: the core's radius; and the share of the core they fill before stopping.
SEED_RADII = {2: (0.035, 0.18), 3: (0.06, 0.22)}
SEED_FILL = {2: 0.55, 3: 0.40}
#: Each grain is its cell shrunk by this factor (before the fracture cuts),
#: set so that the grains fill about half the core.
GRAIN_SHRINK = {2: 0.825, 3: 0.875}
#: Samples per pixel along each axis for the grains and the core's outline.
OVERSAMPLE = {2: 4, 3: 2}
#: Point spread function, pixels.
PSF_SIGMA = 1.0
#: Default signal-to-noise ratio, (GRAIN - VOID) / noise sd.
SNR = 5.0
#: Labels of ``aggregate_ct_labels``.
LABELS = {"outside": 0, "void": 1, "binder": 2, "grain": 3}


def _r6(x):
    """Round to 6 decimals: last-bit differences between CPUs stay out of the data."""
    return np.round(x, 6)


def _smooth(rng, shape, sigma):
    """Gaussian-filtered white noise, unit variance (analytic scale, any ndim)."""
    field = ndi.gaussian_filter(rng.standard_normal(shape), sigma, mode="reflect")
    return field * np.sqrt((2.0 * np.sqrt(np.pi) * sigma) ** len(shape))


def _core(ndim):
    """Centre (per axis) and radius of the core; in 3D its axis is axis 0."""
    shape = SHAPES[ndim]
    n = shape[-1]
    center = tuple((s - 1) / 2.0 for s in shape)
    return center, CORE_RADIUS * n


def _in_core(ndim):
    center, radius = _core(ndim)

    def inside(*coords):
        # The core's cross-section is a disc in the last two axes; in 3D it
        # runs through every plane of axis 0.
        dy, dx = coords[-2] - center[-2], coords[-1] - center[-1]
        return dy * dy + dx * dx <= radius * radius

    return inside


def _seeds(rng, ndim):
    """Centres and radii of non-overlapping discs/spheres in and around the core.

    Sizes follow a grading in which every size class (per factor of size)
    holds the same share of the area (volume): the number of grains of
    radius r goes as r**-(ndim + 1), so small grains outnumber large ones.
    The largest are placed first, each at the first of up to 60 random
    positions where it overlaps no disc placed before, until the discs
    inside the core fill ``SEED_FILL`` of it.
    """
    shape = SHAPES[ndim]
    center, radius = _core(ndim)
    r_min, r_max = (f * radius for f in SEED_RADII[ndim])
    unit = np.pi if ndim == 2 else 4.0 / 3.0 * np.pi
    length = shape[0] if ndim == 3 else 1.0
    target = SEED_FILL[ndim] * np.pi * radius ** 2 * length
    # Sizes: density proportional to r**-(ndim + 1) on [r_min, r_max].
    a, b = r_min ** -ndim, r_max ** -ndim
    sizes = []
    total = 0.0
    while total < 1.6 * target:
        r = (a - rng.random() * (a - b)) ** (-1.0 / ndim)
        sizes.append(r)
        total += unit * r ** ndim
    sizes = np.sort(np.array(sizes))[::-1]
    lo = np.array([-r_max] * ndim)
    hi = np.array(shape, float) - 1 + r_max
    cell = 2.0 * r_max
    buckets: dict = {}
    centers, radii = [], []
    filled = 0.0
    offsets = np.stack(np.meshgrid(*[[-1, 0, 1]] * ndim, indexing="ij"), -1).reshape(-1, ndim)
    for size in sizes:
        for pos in rng.uniform(lo, hi, size=(60, ndim)):
            off_axis = np.hypot(pos[-2] - center[-2], pos[-1] - center[-1])
            if off_axis > radius + size:
                continue
            key = np.floor(pos / cell).astype(int)
            near = [j for o in offsets for j in buckets.get(tuple(key + o), ())]
            if near:
                d2 = np.sum((np.array([centers[j] for j in near]) - pos) ** 2, axis=1)
                if np.any(d2 < (np.array([radii[j] for j in near]) + size) ** 2):
                    continue
            buckets.setdefault(tuple(key), []).append(len(radii))
            centers.append(pos)
            radii.append(size)
            if off_axis < radius:
                filled += unit * size ** ndim
            break
        if filled >= target:
            break
    return _r6(np.array(centers)), _r6(np.array(radii))


def _adjacent(cell, n):
    """For each label 0..n-1 of the cell map, the labels it touches (through
    faces, edges or corners), as sorted arrays."""
    ndim = cell.ndim
    pairs = []
    for step in np.stack(np.meshgrid(*[[-1, 0, 1]] * ndim, indexing="ij"), -1).reshape(-1, ndim):
        if tuple(step) <= (0,) * ndim:          # each direction once, not (0, ..., 0)
            continue
        here = tuple(slice(max(0, -k), n_ax - max(0, k)) for k, n_ax in zip(step, cell.shape))
        there = tuple(slice(max(0, k), n_ax - max(0, -k)) for k, n_ax in zip(step, cell.shape))
        a, b = cell[here].astype(np.int64), cell[there].astype(np.int64)
        differ = a != b
        a, b = a[differ], b[differ]
        pairs.append(np.unique(np.concatenate([a * n + b, b * n + a])))
    pairs = np.unique(np.concatenate(pairs))
    first, second = np.divmod(pairs, n)
    split = np.searchsorted(first, np.arange(n + 1))
    return [second[split[i]:split[i + 1]] for i in range(n)]


def _polytope_coverage(box, middle, normals, limits, ndim, factor):
    """Pixel integration of a convex polytope cut by the core, in ``box``.

    The polytope is ``{x : (x - middle) . normals[k] <= limits[k]}``. Pixels
    whose centre lies deeper inside every face (and the core's outline)
    than half a pixel diagonal are fully covered, those that far outside one
    of them not at all; only the others are sampled (``imaging.coverage``
    with ``factor`` samples per axis), which gives the same values as
    sampling every pixel, in a fraction of the time.
    """
    center, radius = _core(ndim)

    def faces(*coords):
        # Signed distance beyond each face, summed axis by axis in a fixed
        # order (no BLAS: the same bits on every CPU); the core's outline
        # is one more face.
        proj = (coords[0] - middle[0])[..., None] * normals[:, 0]
        for a in range(1, ndim):
            proj = proj + (coords[a] - middle[a])[..., None] * normals[:, a]
        beyond = (proj - limits) / norms
        dy, dx = coords[-2] - center[-2], coords[-1] - center[-1]
        wall = np.sqrt(dy * dy + dx * dx) - radius
        return np.maximum(beyond.max(axis=-1), wall)

    def inside(*coords):
        return faces(*coords) <= 0.0

    norms = np.sqrt(np.sum(normals * normals, axis=1))
    grid = np.ogrid[box]
    grid = [np.broadcast_to(g, tuple(sl.stop - sl.start for sl in box)) for g in grid]
    beyond = faces(*grid)
    half = 0.5 * np.sqrt(ndim)
    cover = (beyond <= -half).astype(np.float32)
    edge = np.abs(beyond) < half
    if edge.any():
        cover[edge] = imaging.coverage(inside, [g[edge] for g in grid], factor)
    return cover


@functools.lru_cache(maxsize=4)
def _phases(ndim, seed):
    """The object: grain, binder and core coverage (float64), and the labels."""
    rng = np.random.default_rng([seed, 4535, ndim])
    shape = SHAPES[ndim]
    F = OVERSAMPLE[ndim]
    centers, radii = _seeds(rng, ndim)
    weights = radii ** 2
    n = len(radii)
    # Laguerre cells at half resolution, for each cell's extent: the power
    # distance |x - c|^2 - w is the distance to the lifted point
    # (c, sqrt(W - w)) in one more dimension, minus W.
    lift = np.sqrt(weights.max() - weights)
    tree = cKDTree(np.column_stack([centers, lift]))
    coarse = tuple(int(np.ceil(s / 2)) for s in shape)
    grid = np.stack(np.meshgrid(*[np.arange(c) * 2.0 + 0.5 for c in coarse], indexing="ij"), -1)
    query = np.concatenate([grid.reshape(-1, ndim), np.zeros((grid[..., 0].size, 1))], axis=1)
    cell = tree.query(query)[1].reshape(coarse)
    extents = ndi.find_objects(cell + 1, max_label=n)
    neighbours = _adjacent(cell, n)
    # Each grain is its cell scaled by ``s`` about its seed (so the grains
    # fill about s**ndim of the space), moved off centre within the cell and
    # cut by two random fracture planes (so the films around it are uneven
    # and the grains more angular and varied).
    shrink = GRAIN_SHRINK[ndim]
    scales = shrink * rng.uniform(0.95, 1.05, n)
    shifts = rng.standard_normal((n, ndim))
    shifts *= (rng.uniform(0.0, 0.8, n) * (1.0 - scales) * radii
               / np.sqrt(np.sum(shifts ** 2, axis=1)))[:, None]
    cut_normals = rng.standard_normal((n, 2, ndim))
    cut_normals /= np.sqrt(np.sum(cut_normals ** 2, axis=2))[..., None]
    cut_limits = rng.uniform(0.55, 1.0, (n, 2)) * (scales * radii)[:, None]
    in_core = _in_core(ndim)
    grain = np.zeros(shape, np.float64)
    for i in range(n):
        ext = extents[i]
        if ext is None:
            continue
        c = centers[i]
        box_lo = np.array([sl.start * 2.0 - 1.5 for sl in ext])
        box_hi = np.array([sl.stop * 2.0 + 0.5 for sl in ext])
        # The cell is {x : (x - c) . (c_j - c) <= (|c_j - c|^2 + w - w_j) / 2}
        # over its neighbours j.
        j = neighbours[i]
        d = centers[j] - c
        normals = np.concatenate([d, cut_normals[i]])
        limits = np.concatenate([scales[i] * 0.5 * (np.sum(d * d, axis=1) + weights[i] - weights[j]),
                                 cut_limits[i]])
        middle = c + shifts[i]
        lo = np.clip(np.floor(middle + scales[i] * (box_lo - c)).astype(int) - 1, 0, None)
        hi = np.minimum(np.ceil(middle + scales[i] * (box_hi - c)).astype(int) + 2, shape)
        if np.any(hi <= lo):
            continue
        box = tuple(slice(a, b) for a, b in zip(lo, hi))

        cover = _polytope_coverage(box, middle, normals, limits, ndim, F)
        window = grain[box]
        np.minimum(window + cover, 1.0, out=window)
    # The core's cross-section, the same in every plane (3D).
    disc = imaging.coverage(in_core, np.ogrid[tuple(slice(0, s) for s in shape[-2:])], F)
    core = np.ascontiguousarray(np.broadcast_to(disc.astype(np.float64), shape))
    # Binder and voids share the rest: binder within a (roughened) distance
    # of the grains, voids beyond it, the threshold set by the shares.
    solid = grain >= 0.5
    distance = ndi.distance_transform_edt(~solid)
    rough = distance - 0.35 * distance.mean() * np.clip(_smooth(rng, shape, 3.0), -2.5, 2.5)
    rough = _r6(rough)
    free = (~solid) & (core >= 0.5)
    binder_share = FRACTIONS["binder"] / (FRACTIONS["binder"] + FRACTIONS["void"])
    threshold = np.quantile(rough[free], binder_share)
    binder = np.clip(0.5 + (threshold - rough), 0.0, 1.0)    # partial volume at the boundary
    binder[solid & (binder < 1.0)] = 1.0                      # under the grains' fringe
    labels = np.full(shape, LABELS["outside"], np.uint8)
    inner = core >= 0.5
    labels[inner] = np.where(solid[inner], LABELS["grain"],
                             np.where(binder[inner] >= 0.5, LABELS["binder"], LABELS["void"]))
    for a in (grain, binder, core, labels):
        a.setflags(write=False)
    return grain, binder, core, labels


def _clean(ndim, levels, seed):
    grain, binder, core, _ = _phases(ndim, seed)
    matrix = BINDER if levels == 3 else VOID
    rest = matrix * binder + VOID * (1.0 - binder)
    inside = GRAIN * grain + rest * (1.0 - grain)
    image = core * inside + (1.0 - core) * VOID
    return _r6(imaging.blur(image, PSF_SIGMA)).astype(np.float32)


def _levels_param():
    allowed = "2 (bilevel: grains on a uniform background) or 3 (grains, binder, voids)"

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value not in (2, 3):
            raise ValueError(f"levels must be {allowed}, got {value!r}")
        return int(value)

    return Param("levels", 3, allowed, check)


_NDIM = int_param("ndim", 2, 2, 3)
_SNR = float_param("snr", SNR, 0.5, 1000.0)


@register("aggregate_ct",
          "CT slice of an asphalt core: angular grains, binder, voids in noise, 256 x 256 float32 (or 128^3)",
          sha256="070c859b3b7f755d9ac65d3cb12a1d67538adaceae1e75babb956333ab44397c", params=(_NDIM, _SNR, _levels_param(), seed_param(0)))
def aggregate_ct(ndim=2, snr=SNR, levels=3, seed=0):
    """CT slice (or volume) of an asphalt core: stone grains, bitumen, air voids, noise.

    What it depicts
        A cross-section through a drilled core of asphalt concrete, as a
        CT scanner reconstructs it: the round core fills most of the
        field; inside it, about 115 bright angular stone grains of mixed
        sizes (from a few pixels to about 35 pixels across, median 14) sit
        in gray bitumen binder, and dark air voids lie where the binder does
        not reach, in the widest spaces between grains. The space between
        neighbouring grains is 3 to 13 pixels wide (median about 6), so a
        filter that blurs by a few pixels merges grains and fills voids.

    Array
        ``numpy.ndarray``, dtype ``float32``. ``ndim=2`` (default): shape
        ``(256, 256)`` = (rows, columns). ``ndim=3``: shape ``(128, 128,
        128)`` = (planes, rows, columns), the core's axis along axis 0
        (every plane is a cross-section), the grains polyhedra, relatively
        coarser (seed radii 3.6 to 13 voxels; a scan of a similar core at a
        coarser voxel size). Generating the volume takes several seconds.

    Values
        Attenuation in arbitrary units: grains 0.8, binder 0.45, voids and
        the air around the core 0.1 (``levels=3``). With ``levels=2``
        (bilevel, for exercises comparing a two-level image with a
        three-level one) the binder takes the voids' value: grains 0.8 on
        0.1. Partial-volume pixels and the 1-pixel blur lie between; the
        noise is Gaussian with standard deviation ``0.7 / snr`` (0.14 at
        the default SNR of 5), so values run from about -0.5 to 1.4.

    Signal-to-noise ratio
        ``snr = (grain - void) / noise_sd = 0.7 / noise_sd``. The step
        between neighbouring phases (grain-binder, binder-void) is half of
        that: its contrast-to-noise ratio is ``snr / 2``.

    Phase shares (seed 0)
        Of the core's pixels (``aggregate_ct_labels``), ``ndim=2``: 50.0 %
        grains, 35.0 % binder, 15.0 % voids; ``ndim=3``: 49.4, 35.4 and
        15.2 %. Binder and voids split the rest 70:30 by construction; the
        grains' share follows from the shrink factor (``GRAIN_SHRINK``),
        within about 1 % of a half for other seeds. The core is 69 % of
        the image.

    How it is made
        See the module's documentation (``common.data.aggregate``): grains
        are shrunk cells of a Laguerre tessellation seeded by random
        non-overlapping discs (spheres), drawn with 4 x 4 samples per pixel
        (2 x 2 x 2 per voxel); binder within a roughened distance of the
        grains, voids beyond; the core's outline integrated likewise; a
        Gaussian blur of 1 pixel (``aggregate_ct_clean``); white Gaussian
        noise. Everything follows from ``seed``; ``snr`` changes only the
        noise's amplitude, ``levels`` only the binder's gray level.

    Ground truth
        ``aggregate_ct_clean``: the same image without noise;
        ``aggregate_ct_labels``: the phase of every pixel.
    """
    rng = np.random.default_rng([seed, 4535, ndim, 7])
    clean = _clean(ndim, levels, seed).astype(np.float64)
    noise = rng.standard_normal(clean.shape) * ((GRAIN - VOID) / snr)
    return _r6(clean + noise).astype(np.float32)


@register("aggregate_ct_clean",
          "Noise-free version of aggregate_ct (pixel integration and 1 px blur), 256 x 256 float32 (or 128^3)",
          sha256="48e59f9a1d5bbe297d728c686a1510b17679d33cc09cc9b67c4d947312793e49", params=(_NDIM, _levels_param(), seed_param(0)))
def aggregate_ct_clean(ndim=2, levels=3, seed=0):
    """The asphalt core of ``aggregate_ct`` (same ``ndim``, ``levels``, seed) without noise.

    What it is
        The pixel-integrated phases (grains 0.8, binder 0.45 or, with
        ``levels=2``, 0.1, voids and air 0.1) blurred by the point spread
        function (Gaussian, 1 pixel): exactly ``aggregate_ct`` minus its
        noise, so ``aggregate_ct - aggregate_ct_clean`` is the noise alone
        and a denoising filter's MSE, PSNR or SSIM (``data_range=0.7``, or
        1 for values in [0, 1]) can be measured against it.

    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(256, 256)``
        (``ndim=2``) or ``(128, 128, 128)`` (``ndim=3``).

    Values
        0.1 to 0.8, the plateaus at the three levels, partial-volume and
        blurred pixels between.

    Ground truth
        ``aggregate_ct_labels``: the phase of every pixel.
    """
    return _clean(ndim, levels, seed)


@register("aggregate_ct_labels",
          "Truth of aggregate_ct: phase of every pixel (0 outside, 1 void, 2 binder, 3 grain), uint8",
          sha256="cdf5bbecaa48d56d83e2a631c4135c208adaf6e835d1e3e09c31186ce11ca54a", params=(_NDIM, seed_param(0)))
def aggregate_ct_labels(ndim=2, seed=0):
    """The phase of every pixel of ``aggregate_ct`` (same ``ndim`` and seed).

    ``numpy.ndarray``, dtype ``uint8``, shape ``(256, 256)`` (``ndim=2``)
    or ``(128, 128, 128)`` (``ndim=3``), values (``aggregate.LABELS``):

    ===  ========  ==========================================================
    0    outside   less than half of the pixel lies in the core (air)
    1    void      an air void inside the core
    2    binder    bitumen
    3    grain     at least half of the pixel is stone
    ===  ========  ==========================================================

    A pixel is a grain when at least half of its area is stone; otherwise
    binder when at least half of what is not stone is binder; otherwise a
    void (decided before blur and noise). So ``np.bincount(labels.ravel())``
    gives the phase areas, and ``(labels == 3)`` the grains to compare a
    segmentation with. The labels do not depend on ``levels`` or ``snr``:
    the bilevel image has the same grains.
    """
    return _phases(ndim, seed)[3].copy()
