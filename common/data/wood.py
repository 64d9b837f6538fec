"""Neutron radiograph of a wooden board, with the three frames it comes from.

A neutron radiograph is made from three exposures of the same detector:

* the **raw** (sample) frame, taken with the sample in the beam;
* the **open-beam** frame, taken with the beam on and no sample, which
  records the uneven beam and the uneven response (gain) of the detector;
* the **dark-current** frame, taken with the beam off, which records what the
  camera reads without any neutrons: an offset, read noise and hot pixels.

The normalised radiograph ``(raw - dark) / (open - dark)`` is the fraction of
neutrons that passed the sample at each pixel: the beam profile and the gain
cancel out. The generator draws the board (its growth rings, fibres and
knots) as a transmission map, then simulates the three detector frames from
it, and divides them. Wood holds a lot of hydrogen, which scatters neutrons
strongly, so the board is clearly darker than the background and its denser
parts (latewood of each growth ring, knots) are darker still.
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage as ndi

from ._registry import register, seed_param

#: Shape of every frame: (rows, columns) of the detector.
SHAPE = (604, 897)
#: Camera offset of the dark-current frame (counts).
DARK_OFFSET = 400
#: Mean counts of the open beam above the dark current in the beam centre.
OPEN_BEAM_COUNTS = 24000
#: Counts of one detected neutron (the camera's conversion gain).
COUNTS_PER_NEUTRON = 5.0


def _r6(x):
    """Round a float field to 6 decimals before it drives a random draw.

    Transcendental functions (exp, sin, ...) may differ in the last bit
    between CPUs; rounding keeps such differences out of the integer counts.
    """
    return np.round(x, 6)


def _ring_profile(rng, t):
    """Density along the ring coordinate ``t`` (pixels): rings of varying width.

    Within one ring the light, porous earlywood turns gradually into dense
    latewood, which ends sharply at the next ring boundary. Returns values in
    [0, 1] (1 = densest latewood).
    """
    t_min, t_max = float(np.floor(t.min())) - 20, float(np.ceil(t.max())) + 20
    widths = []
    total = 0.0
    while total < t_max - t_min:
        width = float(np.clip(rng.gamma(6.0, 1.7), 4.0, 26.0))
        widths.append(width)
        total += width
    bounds = t_min + np.concatenate([[0.0], np.cumsum(widths)])
    # Latewood share and contrast vary from ring to ring (wet and dry years).
    late = rng.uniform(0.25, 0.45, len(widths))
    strength = rng.uniform(0.55, 1.0, len(widths))
    k = np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, len(widths) - 1)
    phase = (t - bounds[k]) / np.asarray(widths)[k]          # 0..1 within a ring
    onset = 1.0 - late[k]
    ramp = np.clip((phase - onset + 0.12) / 0.12, 0.0, 1.0)  # quick rise into latewood
    return ramp * strength[k]


def _fibre_texture(rng, shape_tu, sigma_t, sigma_u):
    """Noise stretched along the grain, indexed by (ring coordinate, length)."""
    white = rng.standard_normal(shape_tu)
    tex = ndi.gaussian_filter(white, (sigma_t, sigma_u), mode="wrap")
    return tex * (2.0 * np.sqrt(np.pi) * np.sqrt(sigma_t * sigma_u))


@functools.lru_cache(maxsize=4)
def _generate(seed):
    rng = np.random.default_rng([seed, 4_0604_0897])
    h, w = SHAPE
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]

    # ---------------------------------------------------------- the board
    # Board axes: u along the grain (length), v across it (width); a small tilt.
    tilt = np.deg2rad(rng.uniform(-4.0, -2.0))
    cy, cx = h * 0.52 + rng.uniform(-8, 8), w * 0.49 + rng.uniform(-8, 8)
    dy, dx = rows - cy, cols - cx
    cos_t, sin_t = float(np.cos(tilt)), float(np.sin(tilt))
    u = _r6(dx * cos_t + dy * sin_t)
    v = _r6(-dx * sin_t + dy * cos_t)
    half_len, half_wid = 0.43 * w, 0.33 * h

    # ---------------------------------------------------------- knots
    # (u, v, radius across the grain, elongation along it) of each knot.
    knots = [
        (-0.22 * half_len, 0.28 * half_wid, 38.0, 1.2),
        (0.40 * half_len, -0.40 * half_wid, 26.0, 1.3),
        (0.74 * half_len, 0.55 * half_wid, 14.0, 1.4),
    ]
    knots = [(ku + rng.uniform(-10, 10), kv + rng.uniform(-6, 6),
              kr * rng.uniform(0.9, 1.1), ke) for ku, kv, kr, ke in knots]

    # ---------------------------------------------------------- grain flow
    # Ring coordinate t (pixels): lines of constant t are the growth rings as
    # seen on the face of the board. The log's rings were cut at a slant
    # (a gentle curvature), the grain wanders a little, and it flows around
    # each knot like water around a stone.
    t = v + 0.00026 * (u + 0.35 * half_len) ** 2 \
        + 6.0 * np.sin(u / 97.0 + 0.7) + 2.5 * np.sin(u / 37.0 + 2.1)
    for ku, kv, kr, ke in knots:
        du, dv = (u - ku) / (ke * 1.6), v - kv
        t = t - dv * (kr * 1.3) ** 2 / (du * du + dv * dv + (kr * 0.45) ** 2)
    t = _r6(t)

    # The board's outline: a straight sawn end on the left; on the right it is
    # broken off, fibre bundles ending at different lengths (splinters).
    t_lo, t_hi = int(np.floor(t.min())) - 4, int(np.ceil(t.max())) + 4
    n_t = t_hi - t_lo + 1
    coarse = np.interp(np.arange(n_t), np.arange(0, n_t + 40, 40),
                       rng.normal(0.0, 14.0, n_t // 40 + 2))
    bundles = np.repeat(rng.exponential(5.0, n_t // 2 + 1), 2)[:n_t]
    slivers = np.where(rng.random(n_t // 3 + 1) < 0.06, rng.uniform(12, 35, n_t // 3 + 1), 0.0)
    slivers = np.repeat(slivers, 3)[:n_t]
    end_profile = half_len + coarse + bundles + slivers
    broken_end = np.interp(t, np.arange(t_lo, t_hi + 1), end_profile)
    inside = (u > -half_len) & (u < _r6(broken_end)) & (np.abs(v) < half_wid)

    # ---------------------------------------------------------- wood density
    rings = _ring_profile(rng, t)
    # How sharply the rings project varies over the board (they cross the
    # board's thickness at different slants).
    contrast = 0.65 + 0.35 * _coarse_noise(rng, SHAPE, 12, 2.5)
    # Fibres and rays: fine streaks that follow the grain.
    u_lo = int(np.floor(u.min())) - 2
    tex_shape = (n_t + 2, int(np.ceil(u.max())) - u_lo + 4)
    fibres = _fibre_texture(rng, tex_shape, 0.7, 10.0)
    fibres = ndi.map_coordinates(fibres, [t - t_lo, u - u_lo], order=1, mode="nearest")
    slow = _coarse_noise(rng, SHAPE, 8, 4.0)
    # Optical depth mu*d: earlywood ~0.38, latewood ~0.55.
    mu_d = 0.37 + 0.19 * rings * contrast + 0.03 * fibres + 0.025 * slow

    # Knots: a branch cut across, denser than the wood around it, with its own
    # faint rings, a dark rim and a few radial drying cracks.
    for i, (ku, kv, kr, ke) in enumerate(knots):
        r0, r1, c0, c1 = _bbox(ku, kv, 1.25 * kr * ke, tilt, cy, cx, SHAPE)
        du = (u[r0:r1, c0:c1] - ku) / ke
        dv = v[r0:r1, c0:c1] - kv
        ang = np.arctan2(dv, du)
        rr = np.sqrt(du * du + dv * dv)
        outline = kr * (1.0 + 0.07 * np.sin(3 * ang + ku) + 0.04 * np.sin(5 * ang + kv))
        rel = _r6(rr / outline)
        body = rel < 1.0
        ring_w = rng.uniform(3.5, 5.0)
        own = 0.5 + 0.5 * np.cos(2 * np.pi * rr / ring_w + 0.3 * np.sin(2 * ang))
        rim = np.exp(-((rel - 0.94) / 0.06) ** 2)
        level = 0.78 + 0.10 * own * (0.5 + 0.5 * rel) + 0.30 * rim + 0.12 * rel
        crack = np.zeros(body.shape, bool)
        for _ in range(2 if i < 2 else 0):
            a0 = rng.uniform(-np.pi, np.pi)
            crack |= (_r6(np.abs(np.angle(np.exp(1j * (ang - a0)))) * rr) < 0.6) \
                & (rel > rng.uniform(0.1, 0.4)) & (rel < 0.9)
        level = np.where(crack, 0.5, level)
        patch = mu_d[r0:r1, c0:c1]
        patch[body] = _r6(level + 0.03 * fibres[r0:r1, c0:c1])[body]

    # Thickness: the long edges are slightly eased (rounded).
    edge_dist = np.clip(half_wid - np.abs(v), 0, None)
    mu_d = mu_d * (1.0 - 0.3 * np.exp(-edge_dist / 5.0))
    mu_d = np.where(inside, mu_d, 0.0)
    transmission = np.exp(-_r6(mu_d))
    # The detector's resolution: a blur of about one pixel.
    transmission = ndi.gaussian_filter(_r6(transmission), 0.8, mode="nearest")

    # ---------------------------------------------------------- detector
    # Beam: a broad, off-centre bump with a gentle gradient (uneven beam).
    beam = np.exp(-((rows - 0.45 * h) / (0.95 * h)) ** 2) * np.exp(-((cols - 0.56 * w) / (0.85 * w)) ** 2) \
        * (1.0 - 0.10 * (cols / w)) * (1.0 + 0.03 * np.sin(rows / 71.0))
    beam = beam / beam.max()
    # Gain: pixel-to-pixel variation, a faint column pattern, a slow mottle
    # of the scintillator and a few blemishes (dust, damaged screen).
    gain = (1.0 + 0.02 * rng.standard_normal(SHAPE)) \
        * (1.0 + 0.012 * rng.standard_normal((1, w))) \
        * (1.0 + 0.025 * _coarse_noise(rng, SHAPE, 16, 2.0))
    for _ in range(7):
        sy, sx, sr = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(2.0, 7.0)
        depth = rng.uniform(0.15, 0.45)
        r0, r1 = max(int(sy - 4 * sr), 0), min(int(sy + 4 * sr) + 1, h)
        c0, c1 = max(int(sx - 4 * sr), 0), min(int(sx + 4 * sr) + 1, w)
        spot = np.exp(-((rows[r0:r1] - sy) ** 2 + (cols[:, c0:c1] - sx) ** 2) / sr ** 2)
        gain[r0:r1, c0:c1] *= 1.0 - depth * spot
    neutrons = _r6(OPEN_BEAM_COUNTS / COUNTS_PER_NEUTRON * beam * gain)

    # Dark current: offset with a slight gradient, read noise, hot pixels.
    dark_level = _r6(DARK_OFFSET + 12.0 * (rows / h) + 6.0 * (cols / w))
    hot = np.where(rng.random(SHAPE) < 3e-5, np.round(rng.uniform(300.0, 6000.0, SHAPE)), 0.0)

    def camera(detected):
        counts = detected * COUNTS_PER_NEUTRON + dark_level + hot + rng.normal(0.0, 6.0, SHAPE)
        return np.clip(np.rint(counts), 0, 65535).astype(np.uint16)

    # The open beam is the mean of 8 exposures (less noisy); during the sample
    # exposure the source gave 4.5 % fewer neutrons (drift).
    n_open, drift = 8, 0.955
    open_beam = camera(rng.poisson(neutrons * n_open) / n_open)
    raw = camera(rng.poisson(_r6(neutrons * drift * transmission)).astype(float))
    dark = camera(0.0)

    radiograph = (raw.astype(np.float64) - dark) / (open_beam.astype(np.float64) - dark)
    return raw, open_beam, dark, radiograph


def _coarse_noise(rng, shape, step, sigma):
    """Smooth unit noise: filtered on a grid ``step`` times coarser, then
    interpolated up (cheap for large correlation lengths)."""
    small = (shape[0] // step + 2, shape[1] // step + 2)
    field = ndi.gaussian_filter(rng.standard_normal(small), sigma, mode="reflect")
    field = field * (2.0 * np.sqrt(np.pi) * sigma)
    r = np.arange(shape[0]) / step
    c = np.arange(shape[1]) / step
    return _r6(ndi.map_coordinates(field, np.meshgrid(r, c, indexing="ij"), order=1))


def _bbox(ku, kv, radius, tilt, cy, cx, shape):
    """Row and column bounds of a disc given in board coordinates (u, v)."""
    yc = cy + ku * np.sin(tilt) + kv * np.cos(tilt)
    xc = cx + ku * np.cos(tilt) - kv * np.sin(tilt)
    r = int(np.ceil(radius)) + 2
    return (max(int(yc) - r, 0), min(int(yc) + r + 1, shape[0]),
            max(int(xc) - r, 0), min(int(xc) + r + 1, shape[1]))


_PARAMS = (seed_param(0),)

_COMMON = """
    Frames
        All four data sets share the detector grid: ``numpy.ndarray`` of shape
        ``(604, 897)`` = (rows, columns), axis 0 top to bottom, axis 1 left to
        right, one detector pixel each (the book measures in pixels). The
        three frames are ``uint16`` camera counts; the radiograph is
        ``float64`` and has no unit (a fraction of the beam).

    Relation between them
        ``wood_radiograph`` is exactly, bit for bit (no rounding)::

            raw, open_, dark = (load(n).astype(np.float64) for n in
                                ("wood_raw", "wood_open_beam", "wood_dark_current"))
            radiograph = (raw - dark) / (open_ - dark)

        with the same ``seed``; ``open_ - dark`` is positive at every pixel.

    How it is made
        The board is a transmission map ``exp(-mu*d)``: a tilted plank with a
        straight sawn end on the left and a splintered, broken end on the
        right; growth rings (earlywood ``mu*d`` ~0.37 rising into latewood
        ~0.56), fibres stretched along the grain, grain that flows around
        three knots, which are denser (``mu*d`` ~0.8-1.2) with a dark rim
        and radial drying cracks; the long edges are slightly rounded. The
        detector blurs it by 0.8 pixel. The beam is an off-centre bump
        falling to about 60 % in the corners; the gain has 2 % pixel noise,
        a faint column pattern, a slow mottle and seven dark blemishes; one
        neutron gives 5 counts; the open beam is the mean of 8 exposures;
        the source gives 4.5 % fewer neutrons during the sample exposure
        (so the background of the radiograph is about 0.955, not 1).
        Neutron counts are Poisson; the camera adds an offset of about 400
        counts, read noise of 6 counts and a few hot pixels (the same in
        every frame). Everything follows from ``seed``.
"""


def _doc(text):
    def decorate(func):
        func.__doc__ = text + _COMMON
        return func
    return decorate


@register("wood_raw",
          "Neutron radiography sample frame of a wooden board, 604 x 897 uint16 counts",
          sha256="db0146aa5fcd225419f4bb8dc91734bf33709a3021273035c5937191f2cc23fd",
          params=_PARAMS)
@_doc("""Sample (raw) frame of a neutron radiograph of a wooden board.

    What it depicts
        What the camera records with the board in the beam: the board's
        shadow multiplied by the uneven beam and detector gain, plus the
        dark current. Counts range from about 9,000 (the 1st percentile:
        knots, dim corners; the darkest knot pixels reach about 6,000) to
        about 26,000 (bright background in the beam centre); the beam
        profile and the gain blemishes are plainly visible, which is why
        the frame is normalised (see ``wood_radiograph``).
""")
def wood_raw(seed=0):
    return _generate(seed)[0].copy()


@register("wood_open_beam",
          "Neutron radiography open-beam frame (no sample), 604 x 897 uint16 counts",
          sha256="cb4f7875dddb699ae24f3cff11e29463979e36201d5e72ab1025d1877b5b4486",
          params=_PARAMS)
@_doc("""Open-beam frame of the wood radiograph: the beam with no sample.

    What it depicts
        The uneven neutron beam as the detector sees it: a broad bump,
        brightest a little right of and above the centre (about 25,000
        counts) and falling to about 15,000 counts in the corners, with the
        detector's gain pattern on top (pixel noise, faint vertical
        stripes, a slow mottle, seven dark blemishes). It is the mean of 8
        exposures, so it is less noisy than the sample frame.
""")
def wood_open_beam(seed=0):
    return _generate(seed)[1].copy()


@register("wood_dark_current",
          "Neutron radiography dark-current frame (beam off), 604 x 897 uint16 counts",
          sha256="29f61596faa95dc08200b14b1414b516f08a82c05d6994dba912b2993011ddc8",
          params=_PARAMS)
@_doc("""Dark-current frame of the wood radiograph: the camera with the beam off.

    What it depicts
        What the camera reads without neutrons: an offset of about 400
        counts with a slight gradient (400 top left to 418 bottom right),
        Gaussian read noise of 6 counts and a handful of hot pixels (300
        to 6,000 counts above the offset), which sit at the same places in
        the sample and open-beam frames.
""")
def wood_dark_current(seed=0):
    return _generate(seed)[2].copy()


@register("wood_radiograph",
          "Normalised neutron radiograph of a wooden board with knots, 604 x 897 float64",
          sha256="ac42e443a83d854d878b74b2b541d28fdaa1df34b1150967b83364158494bb6c",
          params=_PARAMS)
@_doc("""Normalised neutron radiograph of a wooden board (transmission).

    What it depicts
        The fraction of neutrons that passed a wooden board, lying across
        the field of view with its grain running left to right: growth
        rings and fibres, three dark knots with the grain flowing around
        them, a sawn end on the left and a broken end on the right.

    Values
        About 0.25 to 1.04. Background (about 43 % of the pixels) about
        0.955 with noise, between 0.75 and 1, a fraction of a percent just
        above 1 from noise; wood (about 54 %) 0.5 to 0.75, earlywood
        lighter than latewood; knots (about 2 %) 0.25 to 0.5. The fine
        grain is a few pixels wide, so it disappears when the image is
        downsampled by 32, while background, wood and knots separate into
        distinct levels when the gray values are quantised to 4 levels.
""")
def wood_radiograph(seed=0):
    return _generate(seed)[3].copy()
