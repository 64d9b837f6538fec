"""A synthetic cohort of 3D bone samples: the lecture's study, at any size.

The lecture's scientist counts the cells in one bone slice by hand, then has
to do it again for 96 samples of 2000 slices, then for 1090 samples. This
module makes such a study: a :class:`Cohort` of ``n_samples`` small 3D bone
volumes, each a stack of slices like :mod:`common.data.bone`'s (dark bone on
a white background, bright lacunae), generated **on demand** from the
cohort's seed and the sample's number. Nothing is stored: asking for sample
1089 computes sample 1089 and nothing else, so the cohort never has to fit
in memory, and any worker of a cluster can make any sample by itself.

Every sample belongs to one of four groups, age (``young``, ``old``) times
status (``healthy``, ``diseased``), and the groups differ by a known effect
in cell density and cell size (:data:`EFFECTS`), on top of sample-to-sample
variation. Because the generator places every cell itself, it knows the
truth: :meth:`Cohort.truth` gives the table of every object of a sample, so
an analysis can be checked sample by sample, and a group comparison can be
checked against the effect that was built in.

Every volume is recorded through the book's imaging model
(:mod:`common.data.imaging`, :data:`INSTRUMENT`): the object (bone, lacunae,
background, with its truth) is integrated over each voxel (partial volume),
blurred by the point spread function, given the dark and bright edge halo of
a reconstruction, counting and read-out noise, and quantised to 8 bits. So
the measured sizes differ from the true ones, as in a real scan.

Three small pieces are registered (and SHA-256 checked) data sets:
``cohort_sheet`` (the sample sheet), ``cohort_sample`` (one volume) and
``cohort_sample_cells`` (its truth table).
"""
from __future__ import annotations

import functools
import math
import os

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import imaging
from ._registry import Param, int_param, register, seed_param

#: The four groups of the study, (age, status), in the order of group numbers.
GROUPS = (("young", "healthy"), ("young", "diseased"),
          ("old", "healthy"), ("old", "diseased"))

#: Built-in effects, as factors on the cell density and on the mean cell
#: (lacuna) volume, relative to a young healthy sample.
EFFECTS = {
    "old": {"density": 0.90, "volume": 1.00},
    "diseased": {"density": 0.75, "volume": 1.30},
}

#: Cell density of a young healthy sample, cells per mm^3 of bone.
BASE_DENSITY_PER_MM3 = 50_000.0
#: Sample-to-sample variation: standard deviation of the natural logarithm
#: of the density factor and of the volume factor of each sample.
SAMPLE_SPREAD = {"density": 0.10, "volume": 0.05}
#: Within a sample, one side (left or right) is denser and one side holds
#: larger cells; these are the factors on density and on cell volume.
SIDE_FACTORS = {"dense": 1.2, "sparse": 0.8, "large": 1.25, "small": 0.8}

#: Default edge length of a voxel, micrometres (isotropic voxels).
VOXEL_SIZE_UM = 2.0
#: Default shape of a sample volume, (planes, rows, cols).
SHAPE = (48, 128, 128)

#: Base ranges of a cell's semi-axes in voxels, (along, across, third); the
#: size factors of group, sample and side scale them by the cube root.
_CELL_SEMI_AXES = ((2.4, 3.2), (1.5, 1.9), (1.5, 1.9))
#: Semi-axes of the "too big" objects (merged cells, vessels), voxels.
_BIG_SEMI_AXES = ((5.5, 7.0), (3.5, 4.5), (3.5, 4.5))
#: Half length of each arm of a bent ("odd") object, voxels.
_ODD_ARM = (3.5, 4.5)
#: Thickness (semi-axis) of each arm of an odd object, voxels.
_ODD_THICKNESS = 1.3
#: Half the angle between the two arms of an odd object, radians.
_ODD_SPREAD = math.radians(50.0)
#: Bounding spheres of two objects are at least this far apart (voxels).
_GAP = 1.5
#: Attempts to find a free place for an object before giving up on it.
_ATTEMPTS = 3000
#: One object of each of the kinds "too_big" and "odd" per this many voxels
#: of bone (three of each in a sample of the default shape).
_VOXELS_PER_EXTRA = 120_000

#: Kinds of objects in a truth table.
KINDS = ("cell", "too_big", "odd")
#: Versions the generator's output; part of a study's identity.
VERSION = 2

_MAX_SAMPLES = 100_000


def _check_int(name, value, low, high):
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or not low <= int(value) <= high):
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


#: Peak memory of generating one sample: bytes per voxel and a fixed part,
#: measured with tracemalloc (tests/test_data_cohort.py checks that the
#: estimate covers the measured peak) and rounded up.
BYTES_PER_VOXEL = 24
_BYTES_FIXED = 16 * 2**20


#: Allowed sizes of a sample volume, (smallest, largest): planes, and rows
#: and cols. The one source of the check and of the text that documents it.
PLANES = (32, 512)
ROWS_COLS = (96, 1024)
SHAPE_ALLOWED = (f"a tuple of 3 integers (planes, rows, cols), planes from {PLANES[0]} to "
                 f"{PLANES[1]}, rows and cols from {ROWS_COLS[0]} to {ROWS_COLS[1]}, and small "
                 f"enough to fit in the memory available (about {BYTES_PER_VOXEL} bytes per voxel)")


def _check_shape(shape):
    try:
        values = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be {SHAPE_ALLOWED}, got {shape!r}") from None
    ok = (len(values) == 3
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values)
          and PLANES[0] <= values[0] <= PLANES[1]
          and all(ROWS_COLS[0] <= v <= ROWS_COLS[1] for v in values[1:]))
    if not ok:
        raise ValueError(f"shape must be {SHAPE_ALLOWED}, got {shape!r}")
    return tuple(int(v) for v in values)


class Cohort:
    """A study of ``n_samples`` synthetic 3D bone samples, made on demand.

    Parameters
    ----------
    n_samples : int
        Number of samples, 1 to 100000 (the lecture's studies have 96 and
        1090). Sample ``i`` does not depend on ``n_samples``: the first 48
        samples of a 1090-sample cohort are the 48 samples of a 48-sample
        cohort with the same seed.
    seed : int
        Seed of the whole cohort, 0 to 4294967295.
    shape : tuple of 3 ints
        Shape of every volume, (planes, rows, cols), within :data:`PLANES`
        and :data:`ROWS_COLS` (the text :data:`SHAPE_ALLOWED` says it in
        words). Default :data:`SHAPE`. Making a sample needs about
        :data:`BYTES_PER_VOXEL` bytes per voxel (:func:`memory_needed`); a
        shape that does not fit in the memory available is refused with a
        ``MemoryError`` before anything is allocated.

    Voxels are cubes of :data:`VOXEL_SIZE_UM` (2 micrometres) on a side.

    Groups
        Samples come in blocks of four consecutive numbers (0-3, 4-7, ...);
        each block holds one sample of each group of :data:`GROUPS`, in an
        order drawn from the seed. So a cohort whose size is a multiple of
        four is balanced.

    What differs between groups
        A sample's cell density (cells per mm^3 of bone) is
        :data:`BASE_DENSITY_PER_MM3` (50,000) times the :data:`EFFECTS` factors of its
        age and status, times a sample factor ``exp(N(0, 0.10))``; its mean
        cell volume is the base volume (about 34 voxels) times the volume
        factors of :data:`EFFECTS` and a sample factor ``exp(N(0, 0.05))``.
        The sample sheet (:meth:`sheet`) lists these planned values; the
        truth table of each sample (:meth:`truth`) has the realised cells.

    Examples
    --------
    >>> cohort = Cohort(n_samples=8, seed=0)
    >>> cohort.sheet().head()          # groups and planned parameters
    >>> volume = cohort.sample(3)      # uint8, shape (48, 128, 128)
    >>> cells = cohort.truth(3)        # one row per object of sample 3
    """

    #: Edge length of a voxel in micrometres (the generator places cells
    #: in voxels; this turns voxel counts into densities per mm^3).
    voxel_size_um = VOXEL_SIZE_UM

    def __init__(self, n_samples: int = 96, seed: int = 0, shape=SHAPE):
        self.n_samples = _check_int("n_samples", n_samples, 1, _MAX_SAMPLES)
        self.seed = seed_param().check(seed)
        self.shape = _check_shape(shape)

    # ------------------------------------------------------------ identity
    def __len__(self) -> int:
        return self.n_samples

    def __repr__(self) -> str:
        return f"Cohort(n_samples={self.n_samples}, seed={self.seed}, shape={self.shape})"

    def spec(self) -> dict:
        """What makes the samples what they are (everything but ``n_samples``).

        Two cohorts with the same spec give identical samples for every
        sample number; a study's saved results are valid for that spec.
        """
        return {"generator": "common.data.cohort", "version": VERSION,
                "seed": self.seed, "shape": list(self.shape),
                "voxel_size_um": self.voxel_size_um}

    @property
    def voxel_volume_mm3(self) -> float:
        """Volume of one voxel in mm^3."""
        return (self.voxel_size_um * 1e-3) ** 3

    def _index(self, i) -> int:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"a sample number must be an integer, got {i!r}")
        if not 0 <= int(i) < self.n_samples:
            raise IndexError(f"sample number must be from 0 to {self.n_samples - 1} "
                             f"for a cohort of {self.n_samples} samples, got {i}")
        return int(i)

    # ------------------------------------------------------------ samples
    def info(self, i) -> dict:
        """The sample sheet row of sample ``i`` (see :meth:`sheet`)."""
        return _sheet_row(self.seed, self._index(i))

    def sheet(self) -> pd.DataFrame:
        """The sample sheet: one row per sample, computed without any volume.

        ==========================  =======  ====================================
        column                      dtype    meaning
        ==========================  =======  ====================================
        ``sample``                  int64    sample number, 0 to n_samples - 1
        ``name``                    str      ``"S0000"``, ``"S0001"``, ...
        ``age``                     str      ``"young"`` or ``"old"``
        ``status``                  str      ``"healthy"`` or ``"diseased"``
        ``group``                   str      ``"young healthy"``, ...
        ``planned_density_per_mm3`` float    planned cells per mm^3 of bone
        ``planned_volume_factor``   float    planned mean cell volume relative
                                             to the base volume
        ``dense_side``              str      side with more cells per volume
        ``large_side``              str      side with the larger cells
        ==========================  =======  ====================================
        """
        rows = [_sheet_row(self.seed, i) for i in range(self.n_samples)]
        return pd.DataFrame(rows)

    def sample(self, i) -> np.ndarray:
        """The volume of sample ``i``: ``uint8``, shape :attr:`shape`.

        Axes (plane, row, col), each voxel :attr:`voxel_size_um` on a side.
        Values as in ``bone_slice``: background 255, bone mostly 15 to 60
        with dark fringes (down to about 10) at its outline and around the
        lacunae, lacunae peaking at about 210 to 245; partial-volume voxels
        take every value in between. See :func:`cohort_sample`.
        """
        i = self._index(i)
        return _generate(self.seed, self.shape, i)[0].copy()

    def truth(self, i) -> pd.DataFrame:
        """The true objects of sample ``i``, one row per object.

        See :func:`cohort_sample_cells` for the columns.
        """
        i = self._index(i)
        return _generate(self.seed, self.shape, i)[1].copy()

    def bone_voxels(self, i) -> int:
        """Volume of bone in sample ``i``, in voxels (lacunae included;
        voxels the outline cuts count with the fraction of them that is
        bone; rounded to a whole number)."""
        i = self._index(i)
        return int(_generate(self.seed, self.shape, i)[2])


# ----------------------------------------------------------------- sheet
@functools.lru_cache(maxsize=4096)
def _sheet_row(seed: int, i: int) -> dict:
    block_order = np.random.default_rng([seed, 5_2021, i // 4]).permutation(4)
    age, status = GROUPS[int(block_order[i % 4])]
    rng = np.random.default_rng([seed, 4_2021, i])
    density_factor = math.exp(SAMPLE_SPREAD["density"] * rng.standard_normal())
    volume_factor = math.exp(SAMPLE_SPREAD["volume"] * rng.standard_normal())
    dense_side = ("left", "right")[int(rng.integers(2))]
    large_side = ("left", "right")[int(rng.integers(2))]
    density = BASE_DENSITY_PER_MM3 * density_factor
    for key in (age, status):
        if key in EFFECTS:
            density *= EFFECTS[key]["density"]
            volume_factor *= EFFECTS[key]["volume"]
    return {
        "sample": i, "name": f"S{i:04d}", "age": age, "status": status,
        "group": f"{age} {status}",
        "planned_density_per_mm3": round(density, 1),
        "planned_volume_factor": round(volume_factor, 4),
        "dense_side": dense_side, "large_side": large_side,
    }


# ------------------------------------------------------------- geometry
def _rotation(rng, along_deg):
    """Orthonormal axes (as rows, each a (plane, row, col) vector) of a cell.

    The first axis lies near the image plane at ``along_deg`` (degrees
    counter-clockwise from the col axis as displayed), tilted out of the
    plane by a few degrees; the others are perpendicular to it.
    """
    t = np.deg2rad(along_deg + rng.normal(0, 12))
    tilt = np.deg2rad(rng.normal(0, 8))
    first = np.array([math.sin(tilt), -math.sin(t) * math.cos(tilt), math.cos(t) * math.cos(tilt)])
    second = _cross(first, np.array([1.0, 0.0, 0.0]))
    second /= math.sqrt(second @ second)
    third = _cross(first, second)
    spin = rng.uniform(0, 2 * np.pi)  # turn the cross-section about the long axis
    second, third = (math.cos(spin) * second + math.sin(spin) * third,
                     -math.sin(spin) * second + math.cos(spin) * third)
    return np.stack([first, second, third])


def _cross(a, b):
    """Cross product of two 3-vectors (np.cross is slow for one pair)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                     a[0] * b[1] - a[1] * b[0]])


def _ellipsoid(center, semi_axes, axes, shape):
    """Mask of a filled ellipsoid in a small box; returns (slices, mask)."""
    reach = float(max(semi_axes)) + 1.0
    lo = [max(0, int(math.floor(c - reach))) for c in center]
    hi = [min(n, int(math.ceil(c + reach)) + 1) for c, n in zip(center, shape)]
    slices = tuple(slice(a, b) for a, b in zip(lo, hi))
    grids = np.ogrid[slices]
    d = [g - c for g, c in zip(grids, center)]
    inside = 0.0
    for axis, s in zip(axes, semi_axes):
        u = d[0] * axis[0] + d[1] * axis[1] + d[2] * axis[2]
        inside = inside + (u / s) ** 2
    return slices, inside <= 1.0


def _draw_object(kind, rng, size_scale, along):
    """Shape of one object: (kind, axes, sizes, reach), drawn from ``rng``.

    ``sizes`` are the semi-axes of an ellipsoid, or for an "odd" object the
    half length of its arms; ``reach`` bounds the object's extent around its
    centre (voxels).
    """
    axes = _rotation(rng, along)
    if kind == "cell":
        semi = [rng.uniform(lo, hi) * size_scale for lo, hi in _CELL_SEMI_AXES]
        return kind, axes, semi, max(semi)
    if kind == "too_big":
        semi = [rng.uniform(lo, hi) for lo, hi in _BIG_SEMI_AXES]
        return kind, axes, semi, max(semi)
    half = rng.uniform(*_ODD_ARM)
    # Farthest point of an arm from the centre of the 'V', plus its thickness.
    c, s = math.cos(_ODD_SPREAD), math.sin(_ODD_SPREAD)
    reach = math.hypot((half + 0.8) * c, (2 * half + 0.8) * s) + _ODD_THICKNESS
    return kind, axes, [half], reach


def _render(obj, center, shape):
    """Mask of object ``obj`` (from :func:`_draw_object`) at ``center``.

    Returns (slices, mask): the box of the volume the mask covers.
    """
    kind, axes, sizes, reach = obj
    if kind != "odd":
        return _ellipsoid(center, sizes, axes, shape)
    # Two thin arms that share one end, 100 degrees apart: a bent 'V', whose
    # common end sits behind the centre so that the 'V' is centred on it.
    half = sizes[0]
    box = reach + 1.0
    lo = [max(0, int(math.floor(c - box))) for c in center]
    hi = [min(n, int(math.ceil(c + box)) + 1) for c, n in zip(center, shape)]
    slices = tuple(slice(a, b) for a, b in zip(lo, hi))
    mask = np.zeros([b - a for a, b in zip(lo, hi)], bool)
    vertex = np.asarray(center) - half * math.cos(_ODD_SPREAD) * axes[0]
    for sign in (-1, 1):
        direction = math.cos(_ODD_SPREAD) * axes[0] + sign * math.sin(_ODD_SPREAD) * axes[1]
        across = _cross(direction, axes[2])
        arm_axes = np.stack([direction, across / np.linalg.norm(across), axes[2]])
        arm_center = [c + (half - 0.4) * v for c, v in zip(vertex, direction)]
        arm_slices, arm = _ellipsoid(arm_center, (half + 1.2, _ODD_THICKNESS, _ODD_THICKNESS),
                                     arm_axes, shape)
        offset = tuple(slice(a.start - b.start, a.stop - b.start) for a, b in zip(arm_slices, slices))
        mask[offset] |= arm
    return slices, mask


# ------------------------------------------------------- imaging model
#: What the sample is made of: mean gray levels of the object before the
#: instrument (the background lies above the detector's range, so it
#: records as saturated white, as in ``bone_slice``).
LEVELS = {"background": 290.0, "bone": 36.0, "lacuna": 215.0}
#: Slow density variation of the bone: standard deviation (gray levels) and
#: correlation length (voxels) of its texture, and the range it is kept in.
_TEXTURE = {"sd": 9.0, "sigma": 4.0, "low": 10.0, "high": 62.0}
#: The instrument that records every sample (:mod:`common.data.imaging`):
#: each voxel integrates the object over its volume (3 x 3 x 3 samples per
#: voxel, drawn only in each object's bounding box and in a band along the
#: bone's outline), a Gaussian point spread function of 0.6 voxel, a dark
#: and bright overshoot at edges (reconstruction), counting noise (4 quanta
#: per gray level: standard deviation 3 in bone, 7 in lacunae; drawn from
#: its normal limit, ``add_noise(..., exact=False)``, for speed) and a little
#: read-out noise, then 8 bits.
INSTRUMENT = imaging.Instrument(oversample=3, psf_sigma=0.6, halo=0.4, halo_sigma=1.0,
                                counts=4.0, read_noise=1.0, dtype="uint8", low=0.0, high=255.0)
#: Noise and quantisation run over this many planes at a time (a fixed
#: number, so the random stream, and the data, never depend on memory).
_PLANES_PER_CHUNK = 8

def memory_needed(shape) -> int:
    """Estimated peak memory, in bytes, of generating one sample of ``shape``."""
    return BYTES_PER_VOXEL * math.prod(shape) + _BYTES_FIXED


def available_memory() -> int | None:
    """Memory this machine can give a new allocation now, bytes (None: unknown).

    Linux's ``MemAvailable`` (free memory plus caches it can drop); elsewhere
    the free physical pages.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _check_memory(shape):
    """Refuse, before allocating anything, a sample that cannot fit in memory."""
    need = memory_needed(shape)
    have = available_memory()
    if have is not None and need > have:
        raise MemoryError(
            f"a cohort sample of shape {tuple(shape)} needs about {need / 2**30:.2f} GiB of memory "
            f"to generate ({BYTES_PER_VOXEL} bytes per voxel), but this machine has "
            f"{have / 2**30:.2f} GiB available; choose a smaller shape")


# ------------------------------------------------------------- geometry
def _quadric(center, semi_axes, axes):
    """An ellipsoid: its indicator (for :func:`imaging.coverage`) and the
    corners of its axis-aligned bounding box, (low, high)."""
    m = sum(np.outer(a, a) / s**2 for a, s in zip(axes, semi_axes))
    cz, cr, cc = (float(c) for c in center)

    def inside(z, r, c):
        dz, dr, dc = z - cz, r - cr, c - cc
        q = (m[0, 0] * dz * dz + m[1, 1] * dr * dr + m[2, 2] * dc * dc
             + 2.0 * (m[0, 1] * dz * dr + m[0, 2] * dz * dc + m[1, 2] * dr * dc))
        return q <= 1.0

    extent = np.sqrt(((np.asarray(semi_axes)[:, None] * np.asarray(axes)) ** 2).sum(axis=0))
    return inside, np.asarray(center) - extent, np.asarray(center) + extent


def _indicator(obj, center):
    """Object ``obj`` (from :func:`_draw_object`) at ``center``: its
    indicator function and the corners of its bounding box."""
    kind, axes, sizes, _ = obj
    if kind != "odd":
        return _quadric(center, sizes, axes)
    # Two thin arms that share one end, 100 degrees apart (as in _render).
    half = sizes[0]
    vertex = np.asarray(center) - half * math.cos(_ODD_SPREAD) * axes[0]
    arms = []
    for sign in (-1, 1):
        direction = math.cos(_ODD_SPREAD) * axes[0] + sign * math.sin(_ODD_SPREAD) * axes[1]
        across = _cross(direction, axes[2])
        arm_axes = np.stack([direction, across / np.linalg.norm(across), axes[2]])
        arm_center = vertex + (half - 0.4) * direction
        arms.append(_quadric(arm_center, (half + 1.2, _ODD_THICKNESS, _ODD_THICKNESS), arm_axes))
    (first, lo1, hi1), (second, lo2, hi2) = arms
    return (lambda z, r, c: first(z, r, c) | second(z, r, c),
            np.minimum(lo1, lo2), np.maximum(hi1, hi2))


def _box(lo, hi, shape):
    """The voxels whose extent meets the box from ``lo`` to ``hi``."""
    return tuple(slice(max(0, int(math.floor(a + 0.5))), min(n, int(math.ceil(b - 0.5)) + 1))
                 for a, b, n in zip(lo, hi, shape))


def _axes_geometry(lengths, major):
    """Orientation and tilt (degrees) of a major axis (plane, row, col)."""
    vz, vr, vc = major
    orientation = math.degrees(math.atan2(-vr, vc))
    if orientation <= -90:
        orientation += 180
    elif orientation > 90:
        orientation -= 180
    tilt = math.degrees(math.asin(min(1.0, abs(vz))))
    return lengths, orientation, tilt


def _true_geometry(obj, center, inside, box):
    """Volume, centroid, axes, orientation and tilt of the object itself.

    Ellipsoids (cells, too big objects) have them in closed form: volume
    4/3 pi a b c, centroid the centre, axes 2a, 2b, 2c. A bent object is
    sampled 4 x 4 x 4 times per voxel of its box and its moments computed
    from the samples (the volume to about 1 %).
    """
    kind, axes, sizes, reach = obj
    if kind != "odd":
        order = np.argsort(sizes)[::-1]
        lengths = [2.0 * sizes[k] for k in order]
        volume = 4.0 / 3.0 * math.pi * sizes[0] * sizes[1] * sizes[2]
        return (volume, np.asarray(center, float), *_axes_geometry(lengths, axes[order[0]]))
    factor = 4
    fine = np.ogrid[tuple(slice(s.start * factor, s.stop * factor) for s in box)]
    fine = [(g + 0.5) / factor - 0.5 for g in fine]
    hits = np.nonzero(np.broadcast_to(inside(*fine), tuple(f.size for f in fine)))
    pts = np.stack([fine[k].ravel()[h] for k, h in enumerate(hits)], axis=1)
    volume = pts.shape[0] / factor**3
    centroid = pts.mean(axis=0)
    d = pts - centroid
    evals, evecs = np.linalg.eigh(d.T @ d / pts.shape[0])
    lengths = list(2.0 * np.sqrt(5.0 * np.clip(evals[::-1], 0, None)))
    return (volume, centroid, *_axes_geometry(lengths, evecs[:, -1]))


class _Outline:
    """The bone: a tilted, wobbly elliptic cylinder running through all planes.

    Its cross-section is the same shape in every plane, shifted and scaled
    a little from plane to plane. :meth:`radius` is a point's elliptic
    radius over the outline's radius in its direction (below 1 inside). It
    uses only arithmetic and square roots (no trigonometric functions of
    arrays, whose last bits differ between CPUs), in float32.
    """

    _MARGIN = 2          # voxels at the sides of each plane that stay background

    def __init__(self, rng, shape):
        self.shape = nz, h, w = shape
        tilt = np.deg2rad(rng.uniform(12, 24))
        self.cos_t, self.sin_t = round(math.cos(tilt), 12), round(math.sin(tilt), 12)
        drift = rng.uniform(-0.05, 0.05, size=2)
        offset = rng.uniform(-0.02, 0.02, size=2)
        freq, phase = rng.uniform(0.5, 1.5), rng.uniform(0, 2 * np.pi)
        # Per plane: centre and scale of the cross-section.
        zz = (np.arange(nz) - nz / 2) / nz
        self.cy = np.round(h / 2 + (offset[0] + drift[0] * zz) * h, 9)
        self.cx = np.round(w / 2 + (offset[1] + drift[1] * zz) * w, 9)
        self.scale = np.round(1.0 + 0.04 * np.sin(2 * np.pi * zz * freq + phase), 9)
        # The outline's radius in direction theta: 1 + sum of a_k cos(k theta + phi_k),
        # k = 2..5, kept as the coefficients of cos(k theta) and sin(k theta).
        self.harmonics = []
        for k in (2, 3, 4, 5):
            a, phi = rng.uniform(0.03, 0.07), rng.uniform(0, 2 * np.pi)
            self.harmonics.append((k, round(a * math.cos(phi), 12), round(-a * math.sin(phi), 12)))
        # A shape scaled about its centre by radius/outline lies inside it with
        # a gap of at least (1 - radius/outline) times its smallest radius
        # times 1 - 0.28 (the wobble shrinks it by less than 0.28).
        self.inner_radius = min(0.33 * w, 0.44 * h) * 0.96 * (1.0 - 0.28)

    def radius(self, z, r, c):
        """Radius relative to the outline at points (z: plane numbers, whole)."""
        nz, h, w = self.shape
        f = np.float32
        plane = np.clip(np.rint(z), 0, nz - 1).astype(np.intp)
        scale = self.scale[plane].astype(f)
        dy = (np.asarray(r, f) - self.cy[plane].astype(f))
        dx = (np.asarray(c, f) - self.cx[plane].astype(f))
        u = (dx * f(self.cos_t) + dy * f(self.sin_t)) / (f(0.33 * w) * scale)
        v = (dy * f(self.cos_t) - dx * f(self.sin_t)) / (f(0.44 * h) * scale)
        rho = np.sqrt(u * u + v * v)
        safe = np.maximum(rho, f(1e-6))
        c1, s1 = u / safe, v / safe          # cos and sin of the direction
        ck, sk = c1, s1
        outline = np.ones_like(rho)
        for k in range(2, 6):
            ck, sk = ck * c1 - sk * s1, sk * c1 + ck * s1
            for kk, a_cos, a_sin in self.harmonics:
                if kk == k:
                    outline = outline + (f(a_cos) * ck + f(a_sin) * sk)
        return rho / outline

    def inside(self, z, r, c):
        nz, h, w = self.shape
        m = self._MARGIN - 0.5
        return ((self.radius(z, r, c) < 1.0) & (r > m) & (r < h - 1 - m)
                & (c > m) & (c < w - 1 - m))

    def depth(self, planes):
        """Lower bound of each voxel's distance into the bone (voxels;
        negative outside) in ``planes`` (a slice), float32."""
        nz, h, w = self.shape
        z = np.arange(planes.start, planes.stop)[:, None, None]
        r = np.arange(h, dtype=np.float32)[None, :, None]
        c = np.arange(w, dtype=np.float32)[None, None, :]
        depth = (np.float32(1.0) - self.radius(z, r, c)) * np.float32(self.inner_radius)
        m = self._MARGIN
        depth[:, :m] = depth[:, h - m:] = -1.0
        depth[:, :, :m] = depth[:, :, w - m:] = -1.0
        return depth


def _texture(rng, shape):
    """The bone's density: smooth noise (sd 1, correlation length
    ``_TEXTURE['sigma']``) made on a grid 4 times coarser and interpolated
    trilinearly, float32 (a full-size filter would cost ten times more)."""
    step = 4
    sigma = _TEXTURE["sigma"] / step
    coarse = rng.standard_normal(tuple(n // step + 3 for n in shape))
    coarse = ndi.gaussian_filter(coarse, sigma, mode="reflect") * (4.0 * np.pi * sigma**2) ** 0.75
    field = coarse.astype(np.float32)
    for axis, n in enumerate(shape):
        pos = np.arange(n) / step
        i = pos.astype(int)
        f = (pos - i).astype(np.float32)
        lo, hi = np.take(field, i, axis=axis), np.take(field, i + 1, axis=axis)
        f = f.reshape([-1 if k == axis else 1 for k in range(len(shape))])
        field = lo + (hi - lo) * f
    return field


# ------------------------------------------------------------ generation
@functools.lru_cache(maxsize=4)
def _generate(seed: int, shape: tuple, i: int):
    _check_memory(shape)
    info = _sheet_row(seed, i)
    rng = np.random.default_rng([seed, 3_2022, i])
    nz, h, w = shape
    mid = w / 2

    # The bone and its partial-volume voxels. The outline is evaluated plane
    # chunk by plane chunk (no full-size temporaries): inside, the bone fills
    # a voxel; in a band along the outline, the covered fraction comes from
    # 3 x 3 samples per voxel in its plane (the cross-section does not change
    # through the thickness of a plane, so 3 x 3 x 3 would give the same).
    outline = _Outline(rng, shape)
    bone = np.empty(shape, np.float32)
    depth = np.empty(shape, np.float32)       # for placing the objects
    for z0 in range(0, nz, _PLANES_PER_CHUNK):
        planes = slice(z0, min(nz, z0 + _PLANES_PER_CHUNK))
        d = outline.depth(planes)
        depth[planes] = d
        bone[planes] = d > 0
        band = np.nonzero(np.abs(d) < 1.0)
        z_band = (band[0] + z0)[:, None]      # the cross-section is constant through a plane

        def inside(r, c, z=z_band):
            return outline.inside(z, r, c)

        bone[planes][band] = imaging.coverage(inside, band[1:], INSTRUMENT.oversample)
    bone_voxels = float(bone.sum(dtype=np.float64))
    side_voxels = {"left": float(bone[:, :, : w // 2].sum(dtype=np.float64))}
    side_voxels["right"] = bone_voxels - side_voxels["left"]

    # What goes where: cells at the density of the sample's group and side.
    along = rng.uniform(60, 80)
    voxel_mm3 = (VOXEL_SIZE_UM * 1e-3) ** 3
    plan = []
    for side in ("left", "right"):
        d_factor = SIDE_FACTORS["dense" if side == info["dense_side"] else "sparse"]
        v_factor = SIDE_FACTORS["large" if side == info["large_side"] else "small"]
        n = int(round(info["planned_density_per_mm3"] * d_factor * side_voxels[side] * voxel_mm3))
        scale = (info["planned_volume_factor"] * v_factor) ** (1 / 3)
        plan += [("cell", side, scale)] * n
    plan = [plan[k] for k in rng.permutation(len(plan))]
    # The few large objects go first: they need the most room.
    n_extra = max(1, int(round(bone_voxels / _VOXELS_PER_EXTRA)))
    plan = [("too_big", None, 1.0)] * n_extra + [("odd", None, 1.0)] * n_extra + plan

    # Placement: a random point of the object's side, kept if the bone is
    # deep enough there and no other object is near.
    centers = np.empty((len(plan), 3))
    reaches = np.empty(len(plan))
    objects = []
    cols = {"left": (-0.5, mid), "right": (mid, w - 0.5), None: (-0.5, w - 0.5)}
    for kind, side, scale in plan:
        obj = _draw_object(kind, rng, scale, along)
        reach = obj[3]
        if nz - 2.0 - 2 * reach < 0:
            raise RuntimeError(f"no room for a {kind} object in a volume of shape {shape}")
        c_lo, c_hi = cols[side]
        placed = False
        for _attempt in range(_ATTEMPTS):
            center = np.array([rng.uniform(reach + 0.5, nz - 1.5 - reach),
                               rng.uniform(-0.5, h - 0.5), rng.uniform(c_lo, c_hi)])
            voxel = tuple(np.rint(center).astype(np.intp))
            if depth[voxel] < reach + 1.5:
                continue
            n_placed = len(objects)
            if n_placed and np.any(np.sqrt(((centers[:n_placed] - center) ** 2).sum(axis=1))
                                   < reaches[:n_placed] + reach + _GAP):
                continue
            placed = True
            break
        if not placed:
            if kind == "cell":  # a crowded sample: it ends up with one cell fewer
                continue
            raise RuntimeError(f"could not place a {kind} object in a volume of shape {shape}")
        centers[len(objects)] = center
        reaches[len(objects)] = reach
        objects.append((obj, center))
    del depth

    # The object: white background, textured bone, then every lacuna drawn
    # in its own box with its partial-volume voxels (objects never overlap).
    image = _texture(rng, shape)
    image *= np.float32(_TEXTURE["sd"])
    image += np.float32(LEVELS["bone"])
    np.clip(image, _TEXTURE["low"], _TEXTURE["high"], out=image)
    image -= np.float32(LEVELS["background"])
    image *= bone
    image += np.float32(LEVELS["background"])
    del bone
    rows = []
    for obj, center in objects:
        inside, lo, hi = _indicator(obj, center)
        box = _box(lo, hi, shape)
        cover = imaging.coverage(inside, np.ogrid[box], INSTRUMENT.oversample)
        part = image[box]
        part += cover * (np.float32(LEVELS["lacuna"]) - part)
        volume, (z0, r0, c0), (major, middle, minor), orientation, tilt = \
            _true_geometry(obj, center, inside, box)
        rows.append({
            "z": z0, "row": r0, "col": c0, "volume_vox": volume,
            "major_axis_vox": major, "middle_axis_vox": middle, "minor_axis_vox": minor,
            "orientation_deg": orientation, "tilt_deg": tilt,
            "side": "left" if c0 < mid else "right", "kind": obj[0],
        })

    # The instrument: blur, edge halo, then noise and 8 bits chunk by chunk.
    image = imaging.blur(image, INSTRUMENT.psf_sigma)
    image = imaging.edge_halo(image, INSTRUMENT.halo, INSTRUMENT.halo_sigma)
    volume = np.empty(shape, np.uint8)
    for z0 in range(0, nz, _PLANES_PER_CHUNK):
        planes = slice(z0, z0 + _PLANES_PER_CHUNK)
        noisy = imaging.add_noise(image[planes], rng, counts=INSTRUMENT.counts,
                                  read_noise=INSTRUMENT.read_noise, exact=False)
        volume[planes] = imaging.quantise(noisy, INSTRUMENT.dtype, INSTRUMENT.low, INSTRUMENT.high)
    del image

    table = pd.DataFrame(rows).sort_values(["z", "row", "col"], kind="stable").reset_index(drop=True)
    for col in ("z", "row", "col", "volume_vox", "major_axis_vox", "middle_axis_vox",
                "minor_axis_vox", "orientation_deg", "tilt_deg"):
        table[col] = table[col].astype(float).round(3)
    table.insert(0, "cell_id", np.arange(1, len(table) + 1, dtype=np.int64))
    volume.setflags(write=False)
    return volume, table, int(round(bone_voxels))


# ------------------------------------------------------ registered pieces
@register("cohort_sheet",
          "Sample sheet of the synthetic bone cohort: group and planned density and cell size",
          sha256="f6fdcd579e18714ef9166e670ba93316c1c7931c04bd3d540535c39e21930b15",
          params=(int_param("n_samples", 96, 1, _MAX_SAMPLES), seed_param(0)))
def cohort_sheet(n_samples=96, seed=0):
    """The sample sheet of a synthetic cohort of 3D bone samples.

    What it depicts
        The lecture's study design: ``n_samples`` bone samples (the lecture
        has 96, then 1090), each young or old and healthy or diseased. One
        row per sample; no image is made. The samples themselves come from
        ``Cohort(n_samples, seed).sample(i)`` (module
        :mod:`common.data.cohort`) or, for one of them, from
        ``load("cohort_sample", sample=i, seed=seed)``.

    Table
        ``pandas.DataFrame`` with the columns ``sample``, ``name``, ``age``,
        ``status``, ``group``, ``planned_density_per_mm3`` (cells per mm^3
        of bone), ``planned_volume_factor`` (mean cell volume relative to
        the base volume), ``dense_side`` and ``large_side`` (``"left"`` or
        ``"right"``). Groups are balanced in every block of four samples.

    How it is made
        The group of sample ``i`` comes from a permutation of the four
        groups drawn for its block of four; its density and volume factors
        are the built-in group effects (``EFFECTS``: old 0.90 x density;
        diseased 0.75 x density and 1.30 x cell volume) times
        ``exp(N(0, 0.10))`` and ``exp(N(0, 0.05))`` drawn from the seed and
        ``i``. Row ``i`` does not depend on ``n_samples``.

    Ground truth
        These are planned values; the realised cells of each sample are in
        its truth table (``cohort_sample_cells``).
    """
    return Cohort(n_samples=n_samples, seed=seed).sheet()


_SAMPLE_PARAMS = (int_param("sample", 0, 0, _MAX_SAMPLES - 1), seed_param(0),
                  Param("shape", SHAPE, SHAPE_ALLOWED, _check_shape))


def _cohort_for(sample, shape, seed):
    return Cohort(n_samples=sample + 1, seed=seed, shape=shape)


@register("cohort_sample",
          "One 3D bone sample of the synthetic cohort: lacunae in bone, 48 x 128 x 128 uint8",
          sha256="1878c31270d5351cd071d2dcd792462ac56bd65cba2d67f01545e2abcc3ef556",
          params=_SAMPLE_PARAMS)
def cohort_sample(sample=0, seed=0, shape=SHAPE):
    """One volume of the synthetic bone cohort: a 3D block of bone with lacunae.

    What it depicts
        A block of cortical bone imaged in 3D (think micro-CT or a confocal
        stack, shown with the contrast of ``bone_slice``): the bone matrix
        is dark, the space around the sample white, and the lacunae, the
        cavities of the bone cells, are bright ellipsoids elongated along
        one direction in the image plane. A few objects are not single
        cells: some far too big, some bent and two-armed (one of each kind
        per 120,000 voxels of bone: three of each in the default shape).

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(planes, rows, cols)`` =
        ``shape`` (default ``(48, 128, 128)``; limits in ``describe``);
        axis 0 runs through the planes (z), axis 1 top to bottom, axis 2
        left to right. Voxels are cubes of 2 micrometres.

    Values
        Background 255 (saturated). Bone about 36 with a slow texture
        (mostly 15 to 60), darker in a fringe one or two voxels wide along
        its outline and around every lacuna (the edge halo: the darkest
        voxel next to a lacuna is typically 10 to 25). Lacunae peak at
        about 210 to 245 (the smallest ones lower). Voxels at every edge
        take values in between (partial volume and blur), so no gray level
        is empty; the threshold of ``analysis.BONE_VOLUME`` (110) lies
        between bone and lacunae.

    How it is made
        The object: the bone is a tilted elliptic cylinder with a wobbly
        outline that drifts slightly from plane to plane. Cells are
        ellipsoids (semi-axes about 2.4-3.2, 1.5-1.9, 1.5-1.9 voxels, scaled
        by the sample's size factor) placed at random inside it, clear of
        each other (1.5 voxels between bounding spheres), of the outline
        and of the first and last planes, at the density of the sample's
        group (see ``cohort_sheet``), with one side denser and one side
        holding larger cells. Gray levels (``LEVELS``): background 290 (above
        the detector's range), bone 36 plus a smooth texture of standard
        deviation 9, lacunae 215.

        The instrument (``INSTRUMENT``, the chain of
        ``common.data.imaging``): every voxel records the mean of the
        object over its volume (3 x 3 x 3 samples per voxel, taken only in
        each object's bounding box and in a band along the outline, so
        generating costs less than analysing); a Gaussian point spread
        function of 0.6 voxel; an edge halo of strength 0.4 and width 1
        voxel; counting noise of 4 quanta per gray level (standard
        deviation 3 in bone, 7 in lacunae; drawn from its normal limit)
        plus read-out noise of 1; rounding to 8 bits. Everything follows
        from ``seed`` and ``sample``.

    Ground truth
        ``load("cohort_sample_cells")`` with the same parameters: the
        objects themselves, not their voxels. Measured sizes differ from
        it: with ``analysis.BONE_VOLUME`` the counts match, while cell
        volumes come out about 10 to 15 % smaller (blur and halo move the
        edge inwards at that threshold).
    """
    return _cohort_for(sample, shape, seed).sample(sample)


@register("cohort_sample_cells",
          "Truth table of every object in cohort_sample: position, size, axes, orientation, side, kind",
          sha256="ade4492aca052a2a91b575f4bc26d8c2a4f03484ae5edc2115aff2fd802f9a47",
          params=_SAMPLE_PARAMS)
def cohort_sample_cells(sample=0, seed=0, shape=SHAPE):
    """The true objects of ``cohort_sample`` (same parameters).

    ``pandas.DataFrame``, one row per object, sorted by plane, row, column:

    ========================  ======  =============================================
    column                    dtype   meaning
    ========================  ======  =============================================
    ``cell_id``               int64   1, 2, ... in that order
    ``z``, ``row``, ``col``   float   centroid, voxels (plane, row down, col right)
    ``volume_vox``            float   the object's volume in voxels
    ``major_axis_vox``        float   full lengths of the three axes of the
    ``middle_axis_vox``               ellipsoid with the same second moments,
    ``minor_axis_vox``                voxels (2 sqrt(5 lambda) for each
                                      eigenvalue lambda of the covariance)
    ``orientation_deg``       float   direction of the major axis projected on the
                                      image plane, degrees counter-clockwise from
                                      the horizontal as displayed, (-90, 90]
    ``tilt_deg``              float   angle between the major axis and the image
                                      plane, 0 (in the plane) to 90 (along z)
    ``side``                  str     ``"left"`` if the centroid lies in the left
                                      half of the columns, else ``"right"``
    ``kind``                  str     ``"cell"``: a single lacuna; ``"too_big"``:
                                      several hundred voxels; ``"odd"``: bent,
                                      two-armed
    ========================  ======  =============================================

    The geometry is that of the objects themselves, before the instrument:
    cells and too-big objects are ellipsoids, whose volume (4/3 pi a b c),
    centroid and axes are exact; a bent object is sampled 64 times per
    voxel (volume and axes to about 1 %). Values are rounded to 3
    decimals. Kinds are known by construction: every cell is smaller than
    150 voxels, every too-big object larger than 250, and odd objects are
    the only ones whose convex hull is much larger than themselves.
    """
    return _cohort_for(sample, shape, seed).truth(sample)


# ---------------------------------------------------- a block bigger than memory
#: Spacing of the lattice on which the cells of a :func:`bone_block` sit, voxels.
BLOCK_SPACING = 14
#: Fraction of lattice sites that hold a cell.
BLOCK_OCCUPANCY = 0.7
#: Largest shift of a cell from its lattice site along each axis, voxels.
BLOCK_JITTER = 1
#: Lattice sites are drawn in tiles of this many sites along each axis.
_TILE = 8
#: Number of different cell shapes in a block (stamped, for speed).
_N_STAMPS = 64
_STAMP_REACH = 6


def _check_block_shape(shape):
    allowed = "a tuple of 3 integers, each from 28 to 100000"
    try:
        values = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be {allowed}, got {shape!r}") from None
    if len(values) != 3 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 28 <= v <= 100_000
            for v in values):
        raise ValueError(f"shape must be {allowed}, got {shape!r}")
    return tuple(int(v) for v in values)


@functools.lru_cache(maxsize=8)
def _stamps(seed: int):
    """The cell shapes of a block: masks centred in (13, 13, 13) boxes."""
    rng = np.random.default_rng([seed, 9_2021])
    along = rng.uniform(60, 80)
    size = 2 * _STAMP_REACH + 1
    out = []
    for _ in range(_N_STAMPS):
        obj = _draw_object("cell", rng, math.exp(0.05 * rng.standard_normal()), along)
        slices, mask = _render(obj, [float(_STAMP_REACH)] * 3, (size, size, size))
        stamp = np.zeros((size, size, size), bool)
        stamp[slices] = mask
        out.append(stamp)
    return out


@functools.lru_cache(maxsize=512)
def _tile(seed: int, tile: tuple):
    """Cells of one tile of lattice sites: occupied, centre shifts, shapes."""
    rng = np.random.default_rng([seed, 7_2021, *tile])
    n = _TILE**3
    occupied = (rng.random(n) < BLOCK_OCCUPANCY).reshape((_TILE,) * 3)
    shifts = rng.integers(-BLOCK_JITTER, BLOCK_JITTER + 1, (_TILE,) * 3 + (3,))
    shapes = rng.integers(0, _N_STAMPS, (_TILE,) * 3)
    return occupied, shifts, shapes


def _sites(shape):
    """Number of lattice sites along each axis (their cells fit in the block)."""
    return tuple(n // BLOCK_SPACING for n in shape)


def bone_block_cells(shape, seed: int = 0) -> int:
    """The true number of cells in :func:`bone_block` (``shape``, ``seed``).

    Counts the occupied lattice sites without drawing a single voxel.
    """
    shape = _check_block_shape(shape)
    seed = seed_param().check(seed)
    sites = _sites(shape)
    total = 0
    for tile in np.ndindex(*[math.ceil(s / _TILE) for s in sites]):
        occupied = _tile(seed, tile)[0]
        limits = [min(_TILE, s - t * _TILE) for s, t in zip(sites, tile)]
        total += int(occupied[: limits[0], : limits[1], : limits[2]].sum())
    return total


def _hash32(x):
    """A 32-bit integer hash with good mixing ("lowbias32"), elementwise."""
    x = x ^ (x >> np.uint32(16))
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def _hash_noise(seed, shape, origin, size):
    """Noise in [-1, 1] (triangular, sd 0.41) from each voxel's global position.

    A hash of the position, not a random generator's stream, so a voxel gets
    the same value whichever chunk it is computed in.
    """
    z, r, c = (np.arange(o, o + n, dtype=np.uint32) for o, n in zip(origin, size))
    plane = _hash32(z * np.uint32(2654435761) + np.uint32(seed))
    x = _hash32((r[:, None] * np.uint32(shape[2]) + c[None, :])[None] ^ plane[:, None, None])
    low = (x & np.uint32(0xFFFF)).astype(np.float32)
    high = (x >> np.uint32(16)).astype(np.float32)
    return (low + high) / np.float32(65535.0) - np.float32(1.0)


def _render_block(seed, shape, origin, size):
    """One chunk of :func:`bone_block`: the voxels ``origin`` + ``size``."""
    sites = _sites(shape)
    # Global coordinates throughout: a chunk never depends on the chunking.
    z, r, c = (np.arange(o, o + n, dtype=np.float32) for o, n in zip(origin, size))
    texture = (np.sin(z[:, None, None] * 0.071 + r[None, :, None] * 0.02 + 1.0)
               + np.sin(r[None, :, None] * 0.063 - c[None, None, :] * 0.041 + 2.0)
               + np.sin(c[None, None, :] * 0.057 + z[:, None, None] * 0.033 + 3.0)) / 3
    noise = _hash_noise(seed, shape, origin, size)
    inside = np.zeros(size, bool)
    stamps = _stamps(seed)
    reach = BLOCK_JITTER + _STAMP_REACH
    lo = [max(0, (o - reach - BLOCK_SPACING // 2) // BLOCK_SPACING) for o in origin]
    hi = [min(s, (o + n + reach) // BLOCK_SPACING + 1) for o, n, s in zip(origin, size, sites)]
    for site in np.ndindex(*[max(0, b - a) for a, b in zip(lo, hi)]):
        site = tuple(a + k for a, k in zip(lo, site))
        tile = tuple(k // _TILE for k in site)
        local = tuple(k % _TILE for k in site)
        occupied, shifts, shapes = _tile(seed, tile)
        if not occupied[local]:
            continue
        centre = [k * BLOCK_SPACING + BLOCK_SPACING // 2 + int(d)
                  for k, d in zip(site, shifts[local])]
        box, cut = [], []
        for cen, o, n in zip(centre, origin, size):
            a, b = cen - _STAMP_REACH - o, cen + _STAMP_REACH + 1 - o
            box.append(slice(max(a, 0), min(b, n)))
            cut.append(slice(max(a, 0) - a, min(b, n) - a))
        if all(s.stop > s.start for s in box):
            inside[tuple(box)] |= stamps[shapes[local]][tuple(cut)]
    img = 36.0 + 12.0 * texture + 7.0 * noise
    img[inside] = 228.0 + 25.0 * noise[inside]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)
def bone_block(shape, chunks=(128, 128, 128), seed: int = 0):
    """A block of bone of any size, made chunk by chunk: a lazy dask array.

    What it depicts
        The inside of a large piece of bone: dark textured matrix filled
        with bright lacunae, as in a cohort sample but without outline or
        background, and as big as you like: a stand-in for one scan of the
        lecture's 2000-slice samples, too large for memory.

    Array
        ``dask.array.Array`` of ``uint8``, shape ``shape`` (planes, rows,
        cols; each 28 to 100000), chunked by ``chunks``. Values: bone 17
        to 55 with a slow texture and grain, lacunae 203 to 253 (no blur).
        Computing a chunk computes that chunk only.

    How it is made
        Cells sit near the sites of a cubic lattice of spacing
        :data:`BLOCK_SPACING` (14 voxels): each site holds a cell with
        probability :data:`BLOCK_OCCUPANCY`, shifted by up to
        :data:`BLOCK_JITTER` voxel along each axis, with one of 64 shapes
        like the cohort's cells (about 34 voxels). Cells never touch (at
        least 3 voxels of bone between them) and never cross the block's
        outer faces. Sites are drawn in tiles from ``seed``, and the grain
        is a hash of each voxel's position, so the values do not depend on
        ``chunks``.

    Ground truth
        :func:`bone_block_cells` gives the number of cells.
    """
    import dask.array as da

    shape = _check_block_shape(shape)
    seed = seed_param().check(seed)
    try:
        chunks = tuple(int(c) for c in chunks)
        ok = len(chunks) == 3 and all(16 <= c <= 1024 for c in chunks)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"chunks must be a tuple of 3 integers, each from 16 to 1024, got {chunks!r}")

    def block(block_info=None):
        info = block_info[None]
        origin = tuple(a for a, _ in info["array-location"])
        size = tuple(b - a for a, b in info["array-location"])
        return _render_block(seed, shape, origin, size)

    return da.map_blocks(block, dtype=np.uint8, chunks=da.core.normalize_chunks(chunks, shape),
                         name=f"bone-block-{seed}-{'x'.join(map(str, shape))}")
