"""Neutron camera data for lecture 2: a stepped tower, flat-field pairs, a spotty frame.

The three families share the camera of the wood radiograph
(:mod:`common.data.wood`): one detected neutron gives
:data:`COUNTS_PER_NEUTRON` = 5 counts, the camera adds an offset of about
:data:`OFFSET` = 400 counts and Gaussian read noise of :data:`READ_NOISE` = 6
counts, and stores 16-bit integers. Neutron counts are Poisson. What each
family is for:

* ``step_tower``: radiographs of a stepped cylinder at exposures from 50 ms
  to 10 s, with open-beam and dark frames, to measure how the signal-to-noise
  ratio grows with exposure (and why it grows more slowly than ``sqrt(t)``);
* ``flat_fields``: pairs of open-beam frames at eight doses, to measure the
  camera's gain and read noise from a photon-transfer curve;
* ``wood_raw_spotty``: the wood sample frame hit by gamma rays, to clean
  spots and score the cleaning against ``wood_spots_truth``.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from .. import noise
from . import imaging
from ._registry import Param, register, seed_param
from .wood import wood_raw

#: Counts of one detected neutron (the camera's conversion gain).
COUNTS_PER_NEUTRON = 5.0
#: Standard deviation of the camera's Gaussian read noise (counts).
READ_NOISE = 6.0
#: Camera offset (counts) of every frame.
OFFSET = 400.0


def _r6(x):
    """Round a float field to 6 decimals before it drives a random draw."""
    return np.round(x, 6)


def _smooth(rng, shape, sigma):
    """Gaussian-filtered white noise scaled to unit standard deviation (periodic)."""
    return noise.correlated_field(shape, 1.0, sigma, rng=rng)


def _slow(rng, shape, sigma):
    """Smooth unit noise of correlation length ``sigma`` (pixels), made on a grid
    ten times coarser and interpolated up (cheap for large ``sigma``)."""
    small = noise.correlated_field((shape[0] // 10 + 2, shape[1] // 10 + 2), 1.0, sigma / 10, rng=rng)
    r = np.arange(shape[0]) / 10
    c = np.arange(shape[1]) / 10
    return ndi.map_coordinates(small, np.meshgrid(r, c, indexing="ij"), order=1)


def _camera(neutrons, rng, *, frames=1, dark=0.0, offset=OFFSET):
    """Counts of the mean of ``frames`` frames that together detected ``neutrons``.

    ``neutrons`` is the expected number of neutrons per pixel over all frames
    (a Poisson draw); each frame adds the offset, ``dark`` counts of dark
    current and read noise, and the stored image is the mean of the frames,
    rounded to 16-bit integers (saturating at 65535).
    """
    detected = rng.poisson(_r6(neutrons)) if neutrons is not None else 0.0
    counts = (COUNTS_PER_NEUTRON * detected / frames + offset + dark
              + rng.normal(0.0, READ_NOISE / math.sqrt(frames), np.shape(offset)))
    return np.clip(np.rint(counts), 0, 65535).astype(np.uint16)


# ==========================================================================
# step tower
# ==========================================================================
#: Shape of the step-tower frames: (rows, columns).
TOWER_SHAPE = (830, 470)
#: Nominal transmission on the axis of each step, top (thin) to bottom (thick).
TOWER_TRANSMISSION = (0.8, 0.6, 0.4, 0.2)
#: Radius (pixels) of the widest, bottom step; the others follow from the transmissions.
TOWER_BASE_RADIUS = 200.0
#: Rows where each step starts (top to bottom) and where the last one ends.
TOWER_ROWS = (70, 240, 410, 580, 750)
#: Column of the tower's axis (between columns 234 and 235: the frame is symmetric).
TOWER_AXIS = 234.5
#: Relative variation (standard deviation) of the tower material's projected
#: density from place to place, and its correlation length (pixels).
TOWER_TEXTURE, TOWER_TEXTURE_LENGTH = 0.015, 1.5
#: Neutrons per pixel and millisecond in the open beam at the beam's centre.
TOWER_FLUX = 5.2
#: Longest single camera frame (ms); longer exposures are the mean of several frames.
MAX_FRAME_MS = 1000
#: Dark current (counts per ms per frame).
DARK_RATE = 0.002
#: The exposures of the lecture's table (ms).
TOWER_EXPOSURES = (50, 100, 200, 500, 1000, 2000, 5000, 10000)
#: Step whose flat region the lecture's SNR table refers to (third from the top).
SNR_STEP = 3
#: Half-width (columns) and margin (rows to each step edge) of the SNR regions.
REGION_HALF_WIDTH, REGION_MARGIN = 8, 25
#: The tower's recording: 4 x 4 fine cells per pixel and a detector blur of 0.7 px.
TOWER_INSTRUMENT = imaging.Instrument(oversample=4, psf_sigma=0.7)
#: Attenuation coefficient of the tower's material (per pixel of path).
TOWER_MU = -math.log(TOWER_TRANSMISSION[-1]) / (2.0 * TOWER_BASE_RADIUS)
#: Radius (pixels) of each step, top to bottom.
TOWER_RADII = tuple(-math.log(t) / (2.0 * TOWER_MU) for t in TOWER_TRANSMISSION)


def _tower_profiles(oversample):
    """Pixel-integrated transmission across each step: one row of values per step.

    The steps' top and bottom faces lie on pixel boundaries, so only the
    columns have partial pixels: the chord ``2 sqrt(R**2 - x**2)`` is sampled
    ``oversample`` times per pixel and integrated (``imaging.integrate_pixels``).
    """
    w = TOWER_SHAPE[1]
    cols = (np.arange(w * oversample) + 0.5) / oversample - 0.5
    x2 = (cols - TOWER_AXIS) ** 2
    fine = [np.exp(-TOWER_MU * 2.0 * np.sqrt(np.clip(r * r - x2, 0.0, None))) for r in TOWER_RADII]
    return np.array([imaging.integrate_pixels(f, oversample) for f in fine])


def _tower_regions():
    """The flat measuring region of each step: rows and columns (half-open)."""
    c0 = int(math.floor(TOWER_AXIS)) - REGION_HALF_WIDTH + 1
    out = []
    for k in range(4):
        out.append((TOWER_ROWS[k] + REGION_MARGIN, TOWER_ROWS[k + 1] - REGION_MARGIN,
                    c0, c0 + 2 * REGION_HALF_WIDTH))
    return out


@functools.lru_cache(maxsize=2)
def _tower_object(seed):
    """Transmission (truth), step labels, beam and detector of the tower's set-up."""
    rng = np.random.default_rng([seed, 8_3004_7001])
    h, w = TOWER_SHAPE
    profiles = _tower_profiles(TOWER_INSTRUMENT.oversample).astype(np.float64)
    geometric = np.ones(TOWER_SHAPE)
    for k in range(4):
        geometric[TOWER_ROWS[k]:TOWER_ROWS[k + 1]] = profiles[k]
    # The material's projected density varies a little from place to place:
    # the same in every exposure, a fixed pattern of the object.
    texture = _smooth(rng, TOWER_SHAPE, TOWER_TEXTURE_LENGTH)
    optical = -np.log(geometric)
    # Rounded to 6 decimals, so the truth has the same bytes on every CPU.
    transmission = _r6(np.exp(-_r6(optical * (1.0 + TOWER_TEXTURE * texture))))
    rows = np.arange(h)[:, None]
    cols = np.arange(w)[None, :]
    steps = np.zeros(TOWER_SHAPE, np.uint8)
    for k, radius in enumerate(TOWER_RADII):
        inside = (rows >= TOWER_ROWS[k]) & (rows < TOWER_ROWS[k + 1]) \
            & (np.abs(cols - TOWER_AXIS) < radius)
        steps[inside] = k + 1
    # Beam: a broad bump, brightest above the centre; detector efficiency
    # varies 1.5 % from pixel to pixel with a faint column pattern and a slow
    # mottle (normalisation by the open beam removes all of it).
    beam = np.exp(-((rows - 0.42 * h) / (1.1 * h)) ** 2 - ((cols - 0.55 * w) / (0.9 * w)) ** 2)
    beam = beam / beam.max()
    efficiency = (1.0 + 0.015 * rng.standard_normal(TOWER_SHAPE)) \
        * (1.0 + 0.01 * rng.standard_normal((1, w))) * (1.0 + 0.02 * _slow(rng, TOWER_SHAPE, 30.0))
    offset = _r6(OFFSET + 10.0 * rows / h + 5.0 * cols / w)
    flux = _r6(TOWER_FLUX * beam * efficiency)
    for a in (transmission, steps, flux, offset):
        a.flags.writeable = False
    return transmission, steps, flux, offset


@functools.lru_cache(maxsize=3)
def _tower_frames(seed, exposure_ms):
    transmission, _, flux, offset = _tower_object(seed)
    seen = imaging.blur(transmission, TOWER_INSTRUMENT.psf_sigma).astype(np.float64)
    frames = max(1, math.ceil(exposure_ms / MAX_FRAME_MS))
    dark = DARK_RATE * exposure_ms / frames
    rng = np.random.default_rng([seed, 8_3004_7002, exposure_ms])
    sample = _camera(flux * exposure_ms * seen, rng, frames=frames, dark=dark, offset=offset)
    open_beam = _camera(flux * exposure_ms, rng, frames=frames, dark=dark, offset=offset)
    dark_frame = _camera(None, rng, frames=frames, dark=dark, offset=offset)
    for a in (sample, open_beam, dark_frame):
        a.flags.writeable = False
    return sample, open_beam, dark_frame


def tower_snr(sample, open_beam, dark, step: int = SNR_STEP) -> float:
    """The SNR of a step-tower exposure, as the lecture's table defines it.

    The frames are normalised, ``n = (sample - dark) / (open_beam - dark)``
    in float64, and ``SNR = mean(n) / std(n)`` over the flat region of
    ``step`` (``step_tower_regions``: 120 rows by 16 columns around the
    tower's axis; ``np.std`` with ``ddof=0``).
    """
    if step not in (1, 2, 3, 4):
        raise ValueError(f"step must be 1, 2, 3 or 4 (top to bottom), got {step!r}")
    r0, r1, c0, c1 = _tower_regions()[step - 1]
    s, o, d = (np.asarray(a, np.float64)[r0:r1, c0:c1] for a in (sample, open_beam, dark))
    n = (s - d) / (o - d)
    return float(n.mean() / n.std())


def _exposure_check(value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or not 10 <= int(value) <= 10000:
        raise ValueError(f"exposure_ms must be an integer from 10 to 10000 (ms), got {value!r}")
    return int(value)


_EXPOSURE = Param("exposure_ms", 50, "an integer from 10 to 10000 (ms)", _exposure_check)
_TOWER_PARAMS = (_EXPOSURE, seed_param(0))

_TOWER_DOC = """
    The set-up
        A cylinder of one material, turned into four steps like a tiered
        cake, stands upright in the neutron beam on the tower's axis (column
        234.5): step 1 at the top is the narrowest (radius 28 px), step 4 at
        the bottom the widest (200 px); each is 170 rows tall (rows 70-239,
        240-409, 410-579, 580-749). Seen from the side, a ray through a step
        crosses a chord of ``2 sqrt(R**2 - x**2)``, so the transmission is
        lowest on the axis, 0.8, 0.6, 0.4 and 0.2 from top to bottom, and
        rises towards each step's sides. The material's projected density
        varies by 1.5 % (correlation length 1.5 px) from place to place: a
        fixed pattern of the object that is the same in every exposure.

    The camera
        The beam is a broad bump (the open beam falls to about 55 % of its
        peak in the corners); detector efficiency varies 1.5 % from pixel to
        pixel, with faint columns and a slow mottle. The open beam detects
        up to 5.2 neutrons per pixel and millisecond; one neutron gives 5
        counts; the offset is 400 counts (rising to 415 towards the bottom
        right), read noise 6 counts, dark current 0.002 counts per ms. A
        frame lasts at most 1000 ms: a longer exposure is the mean of
        ``ceil(t / 1000)`` frames (its counts stay within 16 bits), so its
        read noise is smaller and one neutron adds 5 / frames counts. The
        detector blurs by 0.7 px. Neutron counts are Poisson.

    Frames of one exposure
        ``step_tower``, ``step_tower_open_beam`` and ``step_tower_dark``
        with the same ``exposure_ms`` and ``seed`` are one measurement:
        normalise them as ``(sample - dark) / (open_beam - dark)`` (float64).
        Different exposures with the same ``seed`` show the same tower (the
        same fixed pattern) with independent noise.

    Signal-to-noise ratio
        ``SNR = mean(n) / std(n)`` of the normalised image ``n`` over the
        flat region of a step (``step_tower_regions``: 120 rows by 16
        columns on the axis, where the transmission varies by less than
        1 %), ``ddof=0``; ``common.data.neutron.tower_snr`` computes it. For
        step 3 (transmission 0.4) and seed 0 it is 8.3, 11.6, 16.5, 25.9,
        34.3, 44.1, 57.7 and 63.7 at 50, 100, 200, 500, 1000, 2000, 5000 and
        10000 ms (the lecture's measured table: 8.46 ... 68.21); a power law
        fitted to the eight has exponent 0.40, not the 0.5 of pure Poisson
        noise. Poisson noise shrinks with exposure, the object's fixed
        pattern does not: it caps the SNR of step 3 near 77, the SNR of the
        noise-free (blurred) transmission in that region. Thinner steps
        have a weaker pattern and grow closer to ``sqrt(t)``.
"""


def _tower_doc(text):
    def decorate(func):
        func.__doc__ = text + _TOWER_DOC
        return func
    return decorate


@register("step_tower",
          "Neutron radiograph (sample frame) of a four-step cylinder at one exposure, 830 x 470 uint16",
          sha256="1daadf3bcff1103b877355eeedbae179ee5512713f7071dbbdc165dae079f04a", params=_TOWER_PARAMS)
@_tower_doc("""Sample frame of a neutron radiograph of a stepped cylinder (a "step tower").

    Array
        ``numpy.ndarray`` of shape ``(830, 470)`` = (rows, columns), rows top
        to bottom, ``uint16`` camera counts; pixel units.

    Values
        At 50 ms about 1,050-1,850 counts in the air around the tower and
        down to about 550 behind the bottom step; counts grow with the
        exposure up to 1000 ms (air about 14,500-27,000, bottom step down
        to about 4,300); longer exposures are means of 1000-ms frames and
        stay in that range, with less noise.
""")
def step_tower(exposure_ms=50, seed=0):
    return _tower_frames(seed, exposure_ms)[0].copy()


@register("step_tower_open_beam",
          "Open-beam frame (no sample) for step_tower at one exposure, 830 x 470 uint16",
          sha256="ec40a237138df98668c09d5861baf1730df41ab0a7b8b9094bfb93f6fd22378f", params=_TOWER_PARAMS)
@_tower_doc("""Open-beam frame of the step-tower radiograph: the beam with the tower removed.

    Array
        ``numpy.ndarray`` of shape ``(830, 470)``, ``uint16`` camera counts,
        recorded at the same exposure as ``step_tower``, as one frame (not
        averaged), so its noise adds to that of the sample frame.

    Values
        The uneven beam times the detector's efficiency: at 50 ms about
        1,050-1,900 counts, at 1000 ms and above about 14,500-27,500.
""")
def step_tower_open_beam(exposure_ms=50, seed=0):
    return _tower_frames(seed, exposure_ms)[1].copy()


@register("step_tower_dark",
          "Dark frame (beam off) for step_tower at one exposure, 830 x 470 uint16",
          sha256="4c0c5062fbc3defee0e3d0e6de22d7d441ae1825db27f818b6a4459e385c6527", params=_TOWER_PARAMS)
@_tower_doc("""Dark frame of the step-tower radiograph: the camera with the beam off.

    Array
        ``numpy.ndarray`` of shape ``(830, 470)``, ``uint16`` camera counts,
        at the same exposure as ``step_tower``.

    Values
        The offset (400 top left to 415 bottom right), 0.002 counts per ms
        of dark current, read noise of 6 counts (less for the means of
        several frames above 1000 ms).
""")
def step_tower_dark(exposure_ms=50, seed=0):
    return _tower_frames(seed, exposure_ms)[2].copy()


@register("step_tower_transmission",
          "Truth of step_tower: the transmission each pixel sees (before blur and noise), 830 x 470 float64",
          sha256="b546313df66bc31c4853a7e711915524350997f40d9223149734d36ee5ce3712", params=(seed_param(0),))
@_tower_doc("""True transmission of the step tower: what a perfect radiograph would show.

    Array
        ``numpy.ndarray`` of shape ``(830, 470)``, ``float64``, no unit (the
        fraction of neutrons that pass), on the grid of ``step_tower``.

    Values
        1 in the air; on each step's axis about 0.8, 0.6, 0.4, 0.2 (top to
        bottom), rising towards the step's sides; edges pixel-integrated
        (partial volume) and the material's 1.5 % density pattern
        included. It is the object before the detector: the recorded frames
        are blurred by 0.7 px and noisy. The same for every exposure.
""")
def step_tower_transmission(seed=0):
    return _tower_object(seed)[0].copy()


@register("step_tower_steps",
          "Truth of step_tower: step label of every pixel (0 air, 1-4 top to bottom), 830 x 470 uint8",
          sha256="c57602ec5a2152dadf9ad3a7457b0c1651884ccd16e2b3f88e7bf33f7291a423", params=(seed_param(0),))
@_tower_doc("""Step masks of the step tower: which step each pixel lies behind.

    Array
        ``numpy.ndarray`` of shape ``(830, 470)``, ``uint8``, on the grid of
        ``step_tower``.

    Values
        0 for air, 1 to 4 for the steps from top (thin) to bottom (thick):
        a pixel carries a step's label when its centre lies within the
        step's rows and within its radius of the axis. ``steps == k`` is the
        mask of step ``k``. The geometry does not depend on ``seed``.
""")
def step_tower_steps(seed=0):
    return _tower_object(seed)[1].copy()


@register("step_tower_regions",
          "Truth table of step_tower's steps: radius, rows, nominal and true transmission, SNR region",
          sha256="adb54c92d9d2be204275747f6cae7ee2c2b6b353894cf91ad824d19c3bae2daa", params=(seed_param(0),))
@_tower_doc("""Table of the four steps of the step tower and their flat measuring regions.

    Table
        A ``pandas.DataFrame`` with one row per step, top to bottom:
        ``step`` (1-4), ``radius_px``, ``row_start`` and ``row_stop`` (the
        step's rows, half-open), ``nominal_transmission`` (on the axis
        without the density pattern: 0.8, 0.6, 0.4, 0.2), the flat region
        ``region_row_start``, ``region_row_stop``, ``region_col_start``,
        ``region_col_stop`` (half-open: ``img[r0:r1, c0:c1]``; 120 rows by
        16 columns centred on the axis, 25 rows clear of the step's edges),
        and ``true_mean`` and ``true_std`` of ``step_tower_transmission``
        in that region (its ratio is the SNR a noise-free image would
        have: the cap set by the fixed pattern).
""")
def step_tower_regions(seed=0):
    transmission = _tower_object(seed)[0]
    rows = []
    for k, (r0, r1, c0, c1) in enumerate(_tower_regions()):
        region = transmission[r0:r1, c0:c1]
        rows.append({"step": k + 1, "radius_px": TOWER_RADII[k], "row_start": TOWER_ROWS[k],
                     "row_stop": TOWER_ROWS[k + 1], "nominal_transmission": TOWER_TRANSMISSION[k],
                     "region_row_start": r0, "region_row_stop": r1,
                     "region_col_start": c0, "region_col_stop": c1,
                     "true_mean": float(region.mean()), "true_std": float(region.std())})
    return pd.DataFrame(rows)


# ==========================================================================
# flat-field pairs
# ==========================================================================
#: Shape of one flat-field frame: (rows, columns).
FLAT_SHAPE = (256, 256)
#: Mean neutrons per pixel of each dose (one frame).
FLAT_DOSES = (50, 100, 200, 500, 1000, 2000, 5000, 10000)


@functools.lru_cache(maxsize=2)
def _flat_fields(seed):
    rng = np.random.default_rng([seed, 2_5602_5608])
    h, w = FLAT_SHAPE
    rows = np.arange(h)[:, None] / h
    cols = np.arange(w)[None, :] / w
    # Illumination: a gentle tilt and bump (about +-3 %); detector efficiency:
    # 1 % from pixel to pixel. Both are the same in every frame; their mean is 1.
    light = (1.0 + 0.03 * (cols - 0.5)) * (1.0 + 0.02 * np.cos(np.pi * (rows - 0.4)))
    efficiency = 1.0 + 0.01 * rng.standard_normal(FLAT_SHAPE)
    pattern = light * efficiency
    pattern = _r6(pattern / pattern.mean())
    offset = np.full(FLAT_SHAPE, OFFSET)
    pairs = np.empty((len(FLAT_DOSES), 2) + FLAT_SHAPE, np.uint16)
    for i, dose in enumerate(FLAT_DOSES):
        for j in range(2):
            pairs[i, j] = _camera(dose * pattern, rng, offset=offset)
    dark = np.stack([_camera(None, rng, offset=offset) for _ in range(2)])
    for a in (pairs, dark):
        a.flags.writeable = False
    return pairs, dark


_FLAT_DOC = """
    How it is made
        A uniform open beam on the camera of the wood radiograph, without a
        sample: the illumination varies gently (about +-3 %) and the
        detector's efficiency by 1 % from pixel to pixel, the same in every
        frame (a fixed pattern, so a single frame's variance overstates the
        noise at high doses, while the difference of a pair cancels it).
        The number of neutrons detected by a pixel is Poisson with mean
        ``dose * pattern`` (the pattern averages 1 over the frame); one
        neutron gives exactly 5 counts (the gain), the camera adds an offset
        of exactly 400 counts and Gaussian read noise of 6 counts, and
        rounds to ``uint16``. The highest dose, 10,000 neutrons, gives about
        50,400 counts: at 5 counts per neutron a 16-bit camera saturates
        above about 13,000 neutrons per pixel.

    Photon-transfer curve
        For each pair ``a, b`` (as float64): ``mean = (a.mean() + b.mean())
        / 2`` and ``var = (a - b).var() / 2`` (the difference removes the
        fixed pattern; halving gives one frame's temporal variance). Then
        ``var = gain * (mean - offset) + read_noise**2 + 1/12`` (the last
        term is rounding to integers), so a straight-line fit of ``var``
        against ``mean - offset`` (the offset from ``flat_fields_dark``) has
        slope ``gain`` = 5 and intercept ``read_noise**2`` = 36; the dark
        pair alone gives ``read_noise`` from ``sqrt((a - b).var() / 2)``.
        Each ``var`` is uncertain by about ``var * sqrt(2 / 65536)`` (0.55 %),
        so an unweighted fit lets the highest doses decide the intercept,
        which is then off by up to hundreds of counts squared (seed 0: 74
        instead of 36, seed 1 below 0): include the dark
        pair as dose 0 and weight each point by ``1 / var``
        (``np.polyfit(mean - offset, var, 1, w=1 / var)``). For seed 0 that
        fit gives a gain of 4.986 counts per neutron and a read noise of
        5.99 counts; the dark pair alone 5.99 counts.

    Truth
        ``COUNTS_PER_NEUTRON`` = 5 (gain), ``READ_NOISE`` = 6 counts,
        ``OFFSET`` = 400 counts in ``common.data.neutron``; the doses are in
        ``flat_fields_doses``.
"""


def _flat_doc(text):
    def decorate(func):
        func.__doc__ = text + _FLAT_DOC
        return func
    return decorate


@register("flat_fields",
          "Open-beam frame pairs at 8 doses (50-10,000 neutrons/pixel) for a photon-transfer curve, 8 x 2 x 256 x 256 uint16",
          sha256="38857a3bc6208e38bf55923963682681fcf07f60c61069e98d8f598a67f06c70", params=(seed_param(0),))
@_flat_doc("""Pairs of open-beam frames at eight doses: the camera's noise, measured.

    Array
        ``numpy.ndarray`` of shape ``(8, 2, 256, 256)``: axis 0 the dose
        (``flat_fields_doses``: 50, 100, 200, 500, 1000, 2000, 5000, 10000
        neutrons per pixel on average), axis 1 the two frames of a pair
        (same dose, independent noise), then rows and columns. ``uint16``
        camera counts.

    Values
        About 650 counts (400 + 5 x 50) at the lowest dose to about 50,400
        at the highest, with the pixel-to-pixel spread of Poisson noise,
        read noise and the fixed pattern.
""")
def flat_fields(seed=0):
    return _flat_fields(seed)[0].copy()


@register("flat_fields_dark",
          "Dark frame pair (beam off) of the flat_fields camera: offset and read noise, 2 x 256 x 256 uint16",
          sha256="77b455bcebaa02c6156c979d15d257283bbaf744aa88f049c23074e628c89b94", params=(seed_param(0),))
@_flat_doc("""A pair of dark frames of the ``flat_fields`` camera: zero dose.

    Array
        ``numpy.ndarray`` of shape ``(2, 256, 256)``, ``uint16`` camera
        counts: two frames with the beam off.

    Values
        The offset, 400 counts, with Gaussian read noise of 6 counts
        (rounded): their mean estimates the offset, half the variance of
        their difference the read noise squared.
""")
def flat_fields_dark(seed=0):
    return _flat_fields(seed)[1].copy()


@register("flat_fields_doses",
          "Table of the 8 doses of flat_fields: neutrons per pixel and expected mean counts",
          sha256="37ff4c03bdddf88de71389dfbfa2e18925224eae2a59829d89960e01dd29bf4d", params=(seed_param(0),))
@_flat_doc("""The doses of ``flat_fields``, one row per pair, with what they should give.

    Table
        A ``pandas.DataFrame`` with columns ``dose`` (index 0-7 along axis 0
        of ``flat_fields``), ``neutrons_per_pixel`` (mean over the frame:
        50, 100, 200, 500, 1000, 2000, 5000, 10000), ``expected_mean``
        (counts: ``400 + 5 * neutrons_per_pixel``) and
        ``expected_variance`` (counts squared, of one frame without the
        fixed pattern: ``5 * (expected_mean - 400) + 36 + 1/12``).
""")
def flat_fields_doses(seed=0):
    doses = np.array(FLAT_DOSES, np.float64)
    mean = OFFSET + COUNTS_PER_NEUTRON * doses
    return pd.DataFrame({"dose": np.arange(len(FLAT_DOSES)), "neutrons_per_pixel": doses,
                         "expected_mean": mean,
                         "expected_variance": COUNTS_PER_NEUTRON ** 2 * doses + READ_NOISE ** 2 + 1 / 12})


# ==========================================================================
# the wood frame with gamma spots
# ==========================================================================
#: Share of the frame's pixels that gamma spots hit.
SPOT_FRACTION = 0.002
#: Smallest peak amplitude of a spot (counts) and the index of its Pareto tail.
SPOT_AMPLITUDE, SPOT_TAIL = 3000.0, 1.0
#: Share of the spots that are streaks (the others are blobs).
SPOT_STREAK_SHARE = 0.3


@functools.lru_cache(maxsize=2)
def _spotty(seed):
    clean = wood_raw(seed)
    rng = np.random.default_rng([seed, 6_0408_9701])
    spotted, mask = noise.gamma_spots(clean, fraction=SPOT_FRACTION, amplitude=SPOT_AMPLITUDE,
                                      tail=SPOT_TAIL, streak_share=SPOT_STREAK_SHARE, rng=rng)
    for a in (spotted, mask):
        a.flags.writeable = False
    return spotted, mask


_SPOT_DOC = """
    How it is made
        ``wood_raw`` (same ``seed``) is the clean frame; gamma rays hit the
        camera during this exposure only (not the open-beam or dark frames)
        and ``common.noise.gamma_spots`` adds their spots: blobs of 1-4
        touching pixels and (30 % of the spots) straight streaks of 3-8
        pixels, until 0.2 % of the pixels are hit. A spot's peak amplitude
        is ``3000 * (1 + X)`` counts with ``X`` Lomax of index 1 (heavy
        tailed: half the spots peak below 6,000 counts, one in ten above
        30,000, and some reach the camera's saturation at 65,535: 39 pixels
        at the default seed); its other pixels get 30-100 % of the peak. At
        the default seed there are 337 spots on 1,084 pixels. The clean
        frame's noise is about 300 counts (Poisson) and its fine grain
        differs from a 3 x 3 median by up to about 1,700 counts (99.9 % of
        the pixels), so the faintest spot pixels cannot be told from the
        wood: no cleaning finds them all without false alarms.
"""


def _spot_doc(text):
    def decorate(func):
        func.__doc__ = text + _SPOT_DOC
        return func
    return decorate


@register("wood_raw_spotty",
          "wood_raw hit by gamma rays: bright spots and streaks on 0.2 % of pixels, 604 x 897 uint16",
          sha256="f567c426c50209c4f2cb2bb9c2c16d8266132ec7a35b9c54a0476c0dc79e2e30", params=(seed_param(0),))
@_spot_doc("""The wood sample frame (``wood_raw``) with gamma spots: the target of spot cleaning.

    Array
        ``numpy.ndarray`` of shape ``(604, 897)``, ``uint16`` camera counts,
        on the grid of ``wood_raw``.

    Values
        ``wood_raw`` (about 6,000-26,000 counts, 99 % above 9,000) except
        at the spots, which
        are brighter by at least 0.3 x 3,000 counts (the smallest rise is
        940 counts) up to saturation (65,535).
        ``wood_raw_spotty != wood_raw`` holds exactly at the pixels of
        ``wood_spots_truth``; ``wood_raw_spotty - wood_raw`` (as integers)
        is what the spots added.
""")
def wood_raw_spotty(seed=0):
    return _spotty(seed)[0].copy()


@register("wood_spots_truth",
          "Truth mask of the gamma spots in wood_raw_spotty (True where a spot hit), 604 x 897 bool",
          sha256="fee0b553f9c77039a60bc31c8d3eafe0c7c24a547434dbe74d547fd6939393a8", params=(seed_param(0),))
@_spot_doc("""Where the gamma spots of ``wood_raw_spotty`` are: the truth for spot cleaning.

    Array
        ``numpy.ndarray`` of shape ``(604, 897)``, ``bool``, on the grid of
        ``wood_raw``: True at every pixel a spot added to (about 0.2 % of
        the pixels, about 1,080 at the default seed), False elsewhere. The
        clean frame is ``wood_raw`` itself (its hash is unchanged).

    Scoring a cleaning
        With ``found`` the pixels a method replaced: recall =
        ``(found & truth).sum() / truth.sum()``, precision =
        ``(found & truth).sum() / found.sum()``, and the share of non-spot
        pixels left unchanged ``(~found & ~truth).sum() / (~truth).sum()``.
""")
def wood_spots_truth(seed=0):
    return _spotty(seed)[1].copy()
