"""Neutron CT slice of a rolled lead sheet: a spiral of thin bright turns in noise.

The object is a lead sheet about 3 pixels thick rolled into a loose scroll
of about nine turns. The gap between neighbouring turns varies along the
sheet between about 2 and 6 pixels, and at a few places the turns touch. In
a neutron CT slice such a scroll is the classic test for a denoising
filter: the sheet is thin (a filter that blurs merges the turns), the gaps
are narrow (a filter that keeps noise leaves them speckled), and the noise
of a reconstruction is correlated, so a filter tuned for white noise
misjudges it.

The slice is made through the book's imaging model
(:mod:`common.data.imaging`): the sheet is drawn as a function of position,
each pixel along its outline integrated over 4 x 4 samples (partial volume),
the image blurred by the point spread function, then the reconstruction adds
faint rings around the rotation axis and correlated noise with the noise
power spectrum of filtered back-projection (a ramp times a smooth window).
No quantisation: the slice is float32, as a reconstruction is stored.

Signal-to-noise ratio: ``snr = contrast / noise_sd``, with ``contrast`` the
difference between lead (1) and air (0) in the object and ``noise_sd`` the
standard deviation of the noise added (about what one measures in air,
where the rings are the only other signal).
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage as ndi

from . import imaging
from ._registry import float_param, register, seed_param

#: Shape of the slice: (rows, columns).
SHAPE = (512, 512)
#: Gray levels of the object: attenuation relative to lead.
LEAD, AIR = 1.0, 0.0
#: Sheet thickness (pixels) and the range of the gap between turns (pixels).
THICKNESS = 3.0
GAP = (2.0, 6.0)
#: Number of turns, drawn from this range.
TURNS = (8.6, 9.6)
#: Radius of the innermost turn, pixels.
INNER_RADIUS = 105.0
#: Places where two neighbouring turns touch (the gap goes to 0).
N_TOUCHING = 4
#: Pixel integration: samples per pixel along each axis, at the outline.
OVERSAMPLE = 4
#: Point spread function of the neutron detector, pixels.
PSF_SIGMA = 0.7
#: The reconstruction's window on the ramp filter: a Gaussian of this width
#: in cycles per pixel (sets the grain of the noise).
NOISE_CUTOFF = 0.22
#: Number of faint rings and the range of their amplitude (in lead units).
N_RINGS = 10
#: Width (Gaussian sigma, pixels) of the rings across.
RING_WIDTH = 0.8
RING_AMPLITUDE = (0.06, 0.15)
#: Signal-to-noise ratio of the default slice (lead - air over noise sd).
SNR = 4.0

_STEP = 2 * np.pi / 4096           # spiral parameter resolution, radians


def _r6(x):
    """Round to 6 decimals: last-bit differences between CPUs stay out of the data."""
    return np.round(x, 6)


def _smooth_1d(rng, n, sigma):
    """White noise along a line, Gaussian-filtered, scaled to unit variance (analytic)."""
    field = ndi.gaussian_filter1d(rng.standard_normal(n), sigma, mode="reflect")
    return field * np.sqrt(2.0 * np.sqrt(np.pi) * sigma)


class _Spiral:
    """The rolled sheet as a function of position.

    The centre line of the sheet is a spiral ``rho = R(t)``: ``t`` runs from
    0 (inner end) to ``t_max`` (outer end), the polar angle is
    ``start + t``, and one turn further out lies ``R(t + 2 pi) = R(t) +
    THICKNESS + gap(t + 2 pi)``. ``rho`` is the radius measured in a
    slightly squashed frame (the roll is not quite round).
    """

    def __init__(self, rng):
        h, w = SHAPE
        self.center = (h / 2 + rng.uniform(-14, -6), w / 2 + rng.uniform(6, 14))
        self.start = rng.uniform(0, 2 * np.pi)
        self.t_max = 2 * np.pi * rng.uniform(*TURNS)
        # The roll's out-of-roundness: two harmonics of the radius.
        self.shape_terms = [(2, rng.uniform(0.04, 0.07), rng.uniform(0, 2 * np.pi)),
                            (3, rng.uniform(0.01, 0.025), rng.uniform(0, 2 * np.pi))]
        n = int(np.ceil(self.t_max / _STEP)) + 2
        t = np.arange(n) * _STEP
        # Gap along the sheet: smooth, mostly 2 to 6 pixels, ...
        mid, half = (GAP[0] + GAP[1]) / 2, (GAP[1] - GAP[0]) / 2
        gap = mid + half * np.tanh(0.9 * _smooth_1d(rng, n, 0.5 / _STEP))
        # ... and closed at a few places on the outer turns (the turns touch).
        for t0 in rng.uniform(2.5 * 2 * np.pi, self.t_max - 0.5, N_TOUCHING):
            width = rng.uniform(0.18, 0.35)                  # radians
            gap *= 1.0 - np.exp(-0.5 * ((t - t0) / width) ** 4)
        per_turn = int(round(2 * np.pi / _STEP))
        radius = np.empty(n)
        radius[:per_turn] = INNER_RADIUS + (THICKNESS + gap[per_turn]) * t[:per_turn] / (2 * np.pi)
        for i in range(per_turn, n, per_turn):
            j = min(n, i + per_turn)
            radius[i:j] = radius[i - per_turn:j - per_turn] + THICKNESS + gap[i:j]
        self.t, self.gap, self.radius = t, gap, _r6(radius)

    def polar(self, rows, cols):
        """(rho, t0): squashed radius and the spiral parameter of the
        innermost turn at that angle, in [0, 2 pi)."""
        dy, dx = rows - self.center[0], cols - self.center[1]
        phi = np.arctan2(dy, dx)
        scale = 1.0
        for k, amp, ph in self.shape_terms:
            scale = scale + amp * np.cos(k * phi + ph)
        rho = np.hypot(dy, dx) / scale
        return rho, np.mod(_r6(phi - self.start), 2 * np.pi)

    def distance(self, rows, cols):
        """Radial distance (pixels, squashed frame) to the sheet's centre line;
        ``inf`` where no turn passes at that angle."""
        rho, t0 = self.polar(rows, cols)
        best = np.full(np.broadcast(rows, cols).shape, np.inf)
        for k in range(int(self.t_max / (2 * np.pi)) + 2):
            tk = t0 + 2 * np.pi * k
            r = np.interp(tk, self.t, self.radius)
            d = np.where(tk <= self.t_max, np.abs(rho - r), np.inf)
            np.minimum(best, d, out=best)
        return best

    def inside(self, rows, cols):
        return self.distance(rows, cols) <= THICKNESS / 2

    def ends(self):
        """(row, col) of the inner and the outer end of the sheet."""
        out = []
        for t in (0.0, self.t_max):
            phi = self.start + t
            scale = 1.0
            for k, amp, ph in self.shape_terms:
                scale = scale + amp * np.cos(k * phi + ph)
            r = np.interp(t, self.t, self.radius) * scale
            out.append((self.center[0] + r * np.sin(phi), self.center[1] + r * np.cos(phi)))
        return out


def _ct_noise(rng, shape, cutoff):
    """Stationary noise with the texture of a filtered back-projection, unit sd.

    White noise shaped in Fourier space by ``sqrt(|k|)`` (the ramp filter's
    noise power grows with frequency) times a Gaussian window of width
    ``cutoff`` cycles per pixel (the reconstruction's apodisation). The
    scale is the filter's exact mean power, not a measured standard
    deviation, so nothing depends on a floating-point reduction order.
    """
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.rfftfreq(shape[1])[None, :]
    k = np.hypot(ky, kx)
    gain = np.sqrt(k) * np.exp(-0.5 * (k / cutoff) ** 2)
    # Mean power over the full (two-sided) spectrum of a real field.
    full = np.hypot(np.fft.fftfreq(shape[0])[:, None], np.fft.fftfreq(shape[1])[None, :])
    power = np.mean(full * np.exp(-(full / cutoff) ** 2))
    white = rng.standard_normal(shape)
    field = np.fft.irfft2(np.fft.rfft2(white) * gain, s=shape)
    return field / np.sqrt(power)


@functools.lru_cache(maxsize=4)
def _object(seed):
    """The pixel-integrated sheet (coverage 0..1, float64) and the spiral."""
    rng = np.random.default_rng([seed, 5120, 512])
    spiral = _Spiral(rng)
    h, w = SHAPE
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]
    d = spiral.distance(rows, cols)
    cover = (d <= THICKNESS / 2).astype(np.float32)
    # Pixels whose square may cross the outline: the band around the sheet's
    # faces, and the pixels around its two cut ends.
    reach = 0.75 / (1.0 - sum(a for _, a, _ in spiral.shape_terms))
    band = np.abs(d - THICKNESS / 2) <= reach
    for r0, c0 in spiral.ends():
        band |= np.hypot(rows - r0, cols - c0) <= THICKNESS + 2
    pr, pc = np.nonzero(band)
    cover[pr, pc] = imaging.coverage(spiral.inside, (pr.astype(float), pc.astype(float)),
                                     OVERSAMPLE)
    cover.setflags(write=False)
    return cover, spiral


@functools.lru_cache(maxsize=4)
def _clean(seed):
    cover = _object(seed)[0].astype(np.float64)
    image = AIR + (LEAD - AIR) * cover
    out = _r6(imaging.blur(image, PSF_SIGMA)).astype(np.float32)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=4)
def _rings(seed):
    """Faint rings around the rotation axis (the image centre), lead units."""
    rng = np.random.default_rng([seed, 5120, 512, 1])
    h, w = SHAPE
    rows = np.arange(h, dtype=float)[:, None] - (h - 1) / 2
    cols = np.arange(w, dtype=float)[None, :] - (w - 1) / 2
    r = np.hypot(rows, cols)
    out = np.zeros(SHAPE)
    for radius in rng.uniform(15, 240, N_RINGS):
        amp = rng.uniform(*RING_AMPLITUDE) * rng.choice([-1.0, 1.0])
        out += amp * np.exp(-0.5 * ((r - radius) / RING_WIDTH) ** 2)
    return _r6(out)


def _scroll(seed, snr):
    rng = np.random.default_rng([seed, 5120, 512, 2])
    noise = _ct_noise(rng, SHAPE, NOISE_CUTOFF) * ((LEAD - AIR) / snr)
    return _r6(_clean(seed) + _rings(seed) + noise).astype(np.float32)


_PARAMS = (float_param("snr", SNR, 0.5, 1000.0), seed_param(0))


@register("scroll_ct",
          "Neutron CT slice of a rolled lead sheet: 9-turn spiral in correlated noise, 512 x 512 float32",
          sha256="5203ae7ac9d3336cd5642a34601f254785ad86930abb5668a00bca51ff5e6415", params=_PARAMS)
def scroll_ct(snr=SNR, seed=0):
    """Neutron CT slice of a rolled lead sheet, with the noise and rings of a reconstruction.

    What it depicts
        A lead sheet rolled into a loose scroll, cut across: a bright spiral
        of about nine turns (8.6 to 9.6, drawn from ``seed``) on a dark
        background. The sheet is 3 pixels thick; the gap to the next turn
        wanders between about 2 and 6 pixels along the sheet, and at four
        places on the outer turns it closes over a few degrees, so two
        turns touch. The roll is slightly out of round, 105 pixels in
        radius inside and about 165 outside. Around the rotation axis (the
        image centre, 9 to 20 pixels from the scroll's centre) lie ten
        faint rings, and the whole slice carries correlated noise: at the
        default SNR of 4 the gaps are hard to follow by eye, and the rings
        show only after filtering.

    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(512, 512)`` = (rows,
        columns); axis 0 runs top to bottom, axis 1 left to right; one
        pixel is one voxel of the reconstruction.

    Values
        Attenuation relative to lead: lead 1, air 0, before noise; the
        middle of the sheet reaches about 0.97 in the noise-free image (the
        blur takes a little from a 3-pixel sheet; 1 where turns touch) and
        partial-volume pixels lie between. The noise is Gaussian with mean
        0 and standard deviation ``1 / snr`` (0.25 by default), so values
        run from about -1.2 to 2.0 at the default SNR. Each ring adds
        +-0.06 to 0.15 along a circle about 2 pixels wide (Gaussian
        profile of 0.8 pixel).

    Signal-to-noise ratio
        ``snr = contrast / noise_sd``: ``contrast`` is lead minus air in the
        object (1), ``noise_sd`` the standard deviation of the noise added.
        Measured in the air around the scroll, the standard deviation is
        that of the noise (0.251 at the default SNR; the rings add less
        than 1 % to it). Beware of ``skimage.restoration.estimate_sigma``
        here: it reads the noise from the finest wavelet scale, where
        correlated noise has little power, and returns about 0.11 instead
        of 0.25.

    How it is made
        The object: the sheet's centre line is a spiral whose radius grows
        by the thickness plus the local gap per turn (the gap a smooth
        random function of the position along the sheet, closed at the
        touching places), starting 105 pixels from the centre. Each pixel
        whose square may cross the sheet's outline holds the fraction of
        its 4 x 4 samples inside (partial volume); the image is blurred by
        a Gaussian point spread function of 0.7 pixel
        (``scroll_ct_clean``). The reconstruction then adds ten thin rings
        of random radius (15 to 240 pixels) and sign around the image
        centre, and stationary
        noise with the texture of filtered back-projection: white noise
        shaped by the square root of the ramp filter (noise power
        proportional to the spatial frequency) times a Gaussian window of
        0.22 cycles per pixel, scaled to standard deviation ``1 / snr``.
        Neighbouring pixels' noise is correlated (0.47 along rows and
        columns, about 0 two pixels apart); its power is low at low
        frequencies too, so a wide smoothing filter removes it faster than
        white noise. Everything follows from
        ``seed``; ``snr`` changes only the noise's amplitude (the same noise
        pattern at every SNR).

    Ground truth
        ``scroll_ct_clean``: the same slice without noise and rings;
        ``scroll_ct_mask``: which pixels are lead.
    """
    return _scroll(seed, snr)


@register("scroll_ct_clean",
          "Noise-free, ring-free version of scroll_ct (pixel integration and blur only), 512 x 512 float32",
          sha256="41011378493bda4863f1f55edc6f4bee9bc8698af7f46a63cb3c29cacd4e0727", params=(seed_param(0),))
def scroll_ct_clean(seed=0):
    """The slice of ``scroll_ct`` (same seed) without noise and rings.

    What it is
        What the neutron CT would show of the rolled lead sheet with no
        noise and no ring artefacts: the sheet pixel-integrated (each
        outline pixel holds the fraction of its 4 x 4 samples that is lead)
        and blurred by the detector's point spread function (Gaussian,
        0.7 pixel). ``scroll_ct - scroll_ct_clean`` is exactly the rings
        plus the noise. This is the reference for a denoising filter: a
        perfect filter would return it (PSNR and SSIM with ``data_range=1``).

    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(512, 512)``, as
        ``scroll_ct``.

    Values
        0 (air) to about 0.97 (the middle of the sheet; the blur lowers a
        3-pixel sheet's peak), partial-volume and blurred pixels between.
        Where two turns touch, they merge into one band up to 1.

    Ground truth
        ``scroll_ct_mask``: the lead pixels.
    """
    return _clean(seed).copy()


@register("scroll_ct_mask",
          "Truth mask of scroll_ct: the pixels at least half covered by the lead sheet, 512 x 512 bool",
          sha256="605bff58b79ac6bf99778f68cff2e04e00ee6ccb3bf43acddac15c967ee5be70", params=(seed_param(0),))
def scroll_ct_mask(seed=0):
    """Which pixels of ``scroll_ct`` (same seed) are lead.

    ``numpy.ndarray``, dtype ``bool``, shape ``(512, 512)``: True where at
    least half of the pixel's area is lead (its pixel-integrated coverage,
    before blur, is 0.5 or more). About 9 % of the pixels, in one
    connected spiral; along a ray from the scroll's centre, runs of lead
    are about 3 pixels long and the gaps between them 2 to 6, except where
    turns touch. The segmentation of a filtered ``scroll_ct`` can be scored
    against it (Dice, or the area of lead found).
    """
    return _object(seed)[0] >= 0.5
