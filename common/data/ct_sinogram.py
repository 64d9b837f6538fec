"""Parallel-beam sinogram of the clean bone section, with faulty detector columns.

A CT scanner does not record a slice: it records projections, one line
integral of the attenuation per detector bin and angle, and the slice is
reconstructed from them. This module scans the object of
``ct_bone_section_clean`` (:mod:`common.data.ct_bone`) that way:

1. **the object**: the clean section (pixel-integrated, no blur or noise)
   as an attenuation map, ``MU_PER_LEVEL`` per pixel and gray level of the
   object (air 0, cortical bone about 0.0053 per pixel), placed in the
   middle of a square of air whose inscribed circle holds the whole
   section;
2. **the projections**: ``skimage.transform.radon`` at ``N_ANGLES`` angles
   over 180 degrees (:data:`ANGLES_DEG`), one bin per pixel: the clean
   sinogram, ``p = integral of mu along the ray`` (dimensionless);
3. **counting**: each bin of the detector counts a Poisson number of quanta
   with mean ``dose * exp(-p)`` (``dose``: counts of the open beam per bin
   and projection);
4. **faulty columns**: ``N_FAULTY`` detector bins amplify their counts by a
   wrong gain, 0.5 to 2 % off (above or below 1), that the flat-field
   correction does not know about;
5. **log**: the sinogram is ``-ln(counts / dose)``.

A wrong gain ``g`` adds the same ``-ln g`` to its bin at every angle: a
straight stripe along the angle axis of the sinogram, which filtered
back-projection turns into a half ring (a 180 degree scan) of radius
``|bin - CENTER_BIN|`` pixels around the rotation axis. The truth table
``ct_bone_sinogram_faults`` lists the faulty bins and their gains, so a
stripe filter can be checked against the stripe-free sinogram.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from skimage.transform import radon

from . import ct_bone
from ._registry import float_param, register, seed_param

#: Detector bins (= size of the square scanned, pixels): the diagonal of the
#: 305 x 282 section, rounded up, so the section fits in the inscribed circle.
N_BINS = 416
#: Projection angles over 180 degrees.
N_ANGLES = 360
#: The angles in degrees, as ``skimage.transform.iradon`` wants them (``theta``).
ANGLES_DEG = np.arange(N_ANGLES) * (180.0 / N_ANGLES)
#: The rotation axis projects onto this bin (skimage's convention: N // 2).
CENTER_BIN = N_BINS // 2
#: Where the section lies in the ``N_BINS`` x ``N_BINS`` square (and in its
#: reconstruction by ``iradon(..., circle=True)``): rows, columns.
SECTION_BOX = (slice(56, 56 + ct_bone.SHAPE[0]), slice(67, 67 + ct_bone.SHAPE[1]))
#: Attenuation per pixel (1/pixel) per gray level of the object (``ct_bone.LEVELS``):
#: cortical bone (212) 0.0053, embedding medium (73) 0.0018, air 0.
MU_PER_LEVEL = 2.5e-5
#: Open-beam counts per detector bin and projection of the default sinogram.
DOSE = 1.0e5
#: Number of detector bins with a wrong gain, and the range of the error.
N_FAULTY = 15
GAIN_ERROR = (0.005, 0.02)
#: Faulty bins lie in this range of bins (rings cross the bone), at least
#: this far from the centre bin and from each other.
FAULTY_RANGE = (40, 376)
_MIN_RADIUS = 4
_MIN_SPACING = 3


def _r6(x):
    """Round to 6 decimals: last-bit differences between CPUs stay out of the data."""
    return np.round(x, 6)


@functools.lru_cache(maxsize=4)
def _attenuation(seed):
    """The object of ``ct_bone_section`` (same seed) as attenuation, 1/pixel,
    in the middle of the scanned square (float64, read-only)."""
    obj = ct_bone._section_object(seed)[0]
    square = np.zeros((N_BINS, N_BINS))
    square[SECTION_BOX] = obj * MU_PER_LEVEL
    square.setflags(write=False)
    return square


@functools.lru_cache(maxsize=4)
def _clean(seed):
    sino = radon(_attenuation(seed).copy(), theta=ANGLES_DEG, circle=True)
    out = _r6(sino).astype(np.float32)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=4)
def _faults(seed):
    """The faulty bins (sorted) and their gains, drawn from the seed alone."""
    rng = np.random.default_rng([seed, 416_360, 1])
    candidates = np.arange(*FAULTY_RANGE)
    candidates = candidates[np.abs(candidates - CENTER_BIN) >= _MIN_RADIUS]
    chosen: list[int] = []
    for b in rng.permutation(candidates):
        if all(abs(int(b) - c) >= _MIN_SPACING for c in chosen):
            chosen.append(int(b))
        if len(chosen) == N_FAULTY:
            break
    bins = np.sort(np.array(chosen, dtype=np.int64))
    error = rng.uniform(*GAIN_ERROR, size=bins.size) * rng.choice([-1.0, 1.0], size=bins.size)
    gains = np.round(1.0 + error, 6)
    return bins, gains


def _faults_table(seed):
    bins, gains = _faults(seed)
    return pd.DataFrame({
        "bin": bins,
        "gain": gains,
        "offset": _r6(-np.log(gains)),
        "ring_radius_px": np.abs(bins - CENTER_BIN).astype(np.int64),
        "side": np.where(bins < CENTER_BIN, "low", "high"),
    })


def _sinogram(seed, dose):
    p = _clean(seed).astype(np.float64)
    rng = np.random.default_rng([seed, 416_360, 2])
    expected = _r6(dose * np.exp(-p))
    counts = rng.poisson(expected).astype(np.float64)
    bins, gains = _faults(seed)
    gain = np.ones(N_BINS)
    gain[bins] = gains
    measured = np.clip(counts, 0.5, None) * gain[:, None]
    return _r6(-np.log(measured / dose)).astype(np.float32)


_PARAMS = (float_param("dose", DOSE, 1.0e3, 1.0e8), seed_param(0))

_LAYOUT = """
    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(416, 360)`` = (detector
        bins, angles): axis 0 runs along the detector, axis 1 over the angles
        ``ANGLES_DEG = np.arange(360) * 0.5`` degrees, the layout
        ``skimage.transform.radon`` returns and ``iradon`` expects. So
        ``iradon(sinogram, theta=np.arange(360) * 0.5, circle=True)`` gives a
        416 x 416 slice in 1/pixel, in which the section occupies rows 56 to
        360 and columns 67 to 348 (``ct_sinogram.SECTION_BOX``); the rotation
        axis is the slice's pixel (208, 208), which is pixel (152, 141) of
        the section."""


def _doc(text):
    """Decorator: the docstring ``text`` with the shared array layout filled in."""
    def decorate(func):
        func.__doc__ = text.replace("{LAYOUT}", _LAYOUT)
        return func
    return decorate


@register("ct_bone_sinogram",
          "Parallel-beam sinogram of the clean bone section: 15 faulty detector bins, counting noise, 416 x 360 float32",
          sha256="ea740bd76f360c4145238b440206dba90f42a7d157ec6e1c11314e5527ae1a8d", params=_PARAMS)
@_doc("""Sinogram of the clean bone section, as a CT scanner with 15 faulty detector bins records it.

    What it depicts
        The projections from which a parallel-beam CT scanner reconstructs
        the bone section of ``ct_bone_section_clean`` (same seed): for each
        of 360 angles over 180 degrees, the line integral of the attenuation
        along each of 416 parallel rays, as ``-ln(I / I0)``. Each point of
        the section traces a sine curve (hence the name); the bright bands
        are the rays through the cortical bone. Fifteen detector bins have a
        wrong gain: each leaves a faint straight stripe along the angle
        axis, and in the reconstruction a half ring around the rotation axis.
{LAYOUT}

    Values
        ``-ln(counts / dose)``, dimensionless: 0 for air, up to about 1.7
        through the bone and its embedding block, with counting noise of
        standard deviation ``sqrt(exp(p) / dose)`` (0.003 in air, 0.007 in
        the densest bins at the default dose). The stripes add -0.02 to
        -0.005 or +0.005 to +0.02 to their rows.

    How it is made
        The attenuation is ``MU_PER_LEVEL`` (2.5e-5) per pixel times the
        object's gray level before the scanner of ``ct_bone_section``
        (cortical bone 0.0053 per pixel, marrow 0.0020, medium 0.0018, air
        0), in a 416 x 416 square of air. ``skimage.transform.radon``
        (``circle=True``) gives the clean sinogram (``ct_bone_sinogram_clean``).
        Each bin counts a Poisson number of quanta with mean
        ``dose * exp(-p)`` (``dose``, default 1e5: open-beam counts per bin
        and projection); the 15 faulty bins multiply their counts by their
        gain (1 +- 0.5 to 2 %, listed in ``ct_bone_sinogram_faults``), which
        the flat-field correction (division by ``dose``) does not undo;
        counts of 0 (possible only at very low dose) are taken as 0.5.
        Everything follows from ``seed`` (the section, the faults, the
        noise); ``dose`` changes only the noise.

    Numbers (default parameters)
        Reconstructed with ``iradon`` (ramp filter), the slice has noise of
        standard deviation about 1.5e-4 per pixel (the cortical bone is
        0.0053 per pixel); the stripes add half rings whose angular mean
        (the difference to the reconstruction of the clean sinogram,
        averaged over circles around the axis) reaches 3.5e-4 per pixel,
        7 % of the bone's attenuation. A band-stop that keeps, at zero
        angular frequency of the sinogram's 2D spectrum, only detector
        frequencies below about 0.1 cycles per bin (a Gaussian) lowers that
        to 7e-5, and the RMSE to the reconstruction of the stripe-free
        sinogram from 9e-5 to 3e-5 per pixel.

    Ground truth
        ``ct_bone_sinogram_clean``: the sinogram without noise and stripes;
        ``ct_bone_sinogram_faults``: the faulty bins, their gains and the
        offsets they added; ``ct_bone_section_clean``: the section itself.
    """)
def ct_bone_sinogram(dose=DOSE, seed=0):
    return _sinogram(seed, dose)


@register("ct_bone_sinogram_clean",
          "Noise-free, stripe-free sinogram of ct_bone_section_clean: 416 bins x 360 angles float32",
          sha256="c8e346346258bffd54c0e5b0b9c1eb03c366e8c6fed3c9a7ee2b016ea5e6d468", params=(seed_param(0),))
@_doc("""The sinogram of ``ct_bone_section_clean`` without noise and faulty bins.

    What it is
        The line integrals of the attenuation of the clean bone section
        (same seed), the truth behind ``ct_bone_sinogram``: its
        reconstruction is the stripe-free, noise-free slice against which a
        ring filter is measured.
{LAYOUT}

    Values
        Line integrals of the attenuation (1/pixel times pixels, so
        dimensionless): 0 for rays through air only, up to about 1.7. The
        attenuation is ``MU_PER_LEVEL`` (2.5e-5) per pixel times the gray
        level of the object of ``ct_bone_section`` (cortical bone 212, so
        0.0053 per pixel; embedding medium 0.0018; air 0).

    How it is made
        ``skimage.transform.radon(mu, theta=np.arange(360) * 0.5,
        circle=True)`` of the attenuation map, the section in the middle of
        a 416 x 416 square of air (the section's diagonal is 415.4 pixels,
        so it fits in the inscribed circle), rounded to 6 decimals.
        Everything follows from ``seed``.

    Ground truth
        ``ct_bone_section_clean`` is the slice it was computed from.
    """)
def ct_bone_sinogram_clean(seed=0):
    return _clean(seed).copy()


@register("ct_bone_sinogram_faults",
          "Truth table of ct_bone_sinogram: the faulty detector bins, their gains and ring radii",
          sha256="8097a911db6199ca6afad7150b9f3c3cdabfe27b6211fb2b2deef5f33cd19f72", params=(seed_param(0),))
def ct_bone_sinogram_faults(seed=0):
    """The faulty detector bins of ``ct_bone_sinogram`` (same seed), one row each.

    ``pandas.DataFrame`` sorted by bin:

    ==================  =======  ================================================
    column              dtype    meaning
    ==================  =======  ================================================
    ``bin``             int64    the detector bin (row of the sinogram)
    ``gain``            float    its true gain: its counts were multiplied by it
                                 (0.98 to 0.995 or 1.005 to 1.02)
    ``offset``          float    ``-ln(gain)``: what the wrong gain added to that
                                 row of the sinogram, the same at every angle
    ``ring_radius_px``  int64    ``|bin - 208|``: radius of the half ring it
                                 makes in the reconstruction, pixels from the
                                 rotation axis
    ``side``            str      ``"low"`` (bin below 208) or ``"high"``: on
                                 which side of the axis the half ring lies
    ==================  =======  ================================================

    The faults depend on ``seed`` only, not on the dose. Subtracting
    ``offset`` from those rows of ``ct_bone_sinogram`` gives exactly the
    sinogram the scanner would have recorded with correct gains (same
    counting noise): the reference for a stripe filter. Bins are drawn from
    40 to 375 (so every ring crosses the bone), at least 4 bins from the
    centre and 3 from each other.
    """
    return _faults_table(seed)
