"""Checkers of the exercises of lecture 1, chapter 4, "Images"
(``chapters/lecture-01/04-images.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c04-scan-bytes`` is checked by :func:`check_scan_bytes`). Each returns
a :class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.
"""
from __future__ import annotations

import functools

import numpy as np

from ._check import Wrong, as_array, checker, expect_number, expect_quantity, fmt

__all__ = ["check_scan_bytes", "check_lut_choice", "check_false_stripes", "check_wiener_noise",
           "LUT_CANDIDATES"]


# --------------------------------------------------------------------------
# Exercise: what a scan costs
# --------------------------------------------------------------------------
PROJECTIONS = (1501, 2560, 2160)
VOLUME = (2560, 2560, 2160)
#: Other units a size may be given in, as their size in GB.
_GB_UNITS = {"MB": 1e-3, "TB": 1e3, "GiB": 2**30 / 1e9, "bytes": 1e-9}
_GB_HINTS = {8.0: "bits instead of bytes? A byte has 8 bits, and itemsize counts bytes"}


def _gb(shape, dtype) -> float:
    return float(np.prod(shape, dtype=float)) * np.dtype(dtype).itemsize / 1e9


@checker("scan-bytes")
def check_scan_bytes(projections_gb, volume_gb, volume_uint8_gb):
    """The projections (uint16), the float32 volume and the uint8 volume, in GB."""
    pixels = float(np.prod(PROJECTIONS, dtype=float)) / 1e9
    voxels = float(np.prod(VOLUME, dtype=float)) / 1e9
    expect_quantity(projections_gb, _gb(PROJECTIONS, "uint16"), "GB", name="projections_gb",
                    units=_GB_UNITS, rtol=2e-3, hints=_GB_HINTS, mistakes={
                        "that is the number of pixels in billions; each uint16 value takes "
                        "2 bytes (np.dtype('uint16').itemsize).": pixels,
                        "that is one projection; the scan has 1501 of them.":
                            _gb(PROJECTIONS[1:], "uint16"),
                    })
    expect_quantity(volume_gb, _gb(VOLUME, "float32"), "GB", name="volume_gb",
                    units=_GB_UNITS, rtol=2e-3, hints=_GB_HINTS, mistakes={
                        "that is the size in float64 (8 bytes per value); float32 takes 4.":
                            _gb(VOLUME, "float64"),
                        "that is the number of voxels in billions; each float32 value takes "
                        "4 bytes.": voxels,
                        "that is the size in uint16 (2 bytes per value); float32 takes 4.":
                            _gb(VOLUME, "uint16"),
                    })
    expect_quantity(volume_uint8_gb, _gb(VOLUME, "uint8"), "GB", name="volume_uint8_gb",
                    units=_GB_UNITS, rtol=2e-3, hints=_GB_HINTS, mistakes={
                        "that is the float32 volume; in uint8 each voxel takes 1 byte.":
                            _gb(VOLUME, "float32"),
                    })
    return (f"{fmt(_gb(PROJECTIONS, 'uint16'), 3)} GB of projections and a volume that "
            "shrinks four-fold from float32 to uint8.")


# --------------------------------------------------------------------------
# Exercise: choose a colour map and defend it
# --------------------------------------------------------------------------
LUT_CANDIDATES = ("jet", "viridis", "hot", "Blues", "hsv", "cividis", "terrain",
                  "turbo", "coolwarm", "magma", "gist_earth", "cubehelix")

#: What to say when one of these maps is put on the wrong side.
_LUT_WHY = {
    "Blues": "Blues gets darker with every step: lightness that only falls is monotone too.",
    "hot": "hot runs from black through red and yellow to white, getting lighter all the way.",
    "turbo": "turbo is a smoother rainbow than jet, but its lightness still rises and then "
             "falls again.",
    "coolwarm": "coolwarm is a diverging map: its lightness peaks at the centre by design, "
                "for values above and below a reference.",
    "hsv": "hsv is a cyclic map whose lightness goes up and down several times.",
    "jet": "jet's lightness rises to yellow and falls again to dark red.",
}


def _lightness_steps(name):
    import matplotlib as mpl
    from skimage.color import rgb2lab

    colours = mpl.colormaps[name](np.linspace(0, 1, 256))[:, :3]
    steps = np.diff(rgb2lab(colours)[:, 0])
    return steps[steps != 0]


@functools.cache
def _monotone():
    """Names of LUT_CANDIDATES whose lightness only rises (+1) or only falls (-1)."""
    out = {}
    for name in LUT_CANDIDATES:
        steps = _lightness_steps(name)
        if (steps > 0).all():
            out[name] = 1
        elif (steps < 0).all():
            out[name] = -1
    return out


def _as_names(value, name):
    if isinstance(value, str):
        raise Wrong(f"`{name}` is one text, {value!r}; the exercise asks for a list of names, "
                    "e.g. ['gray', 'viridis'].")
    try:
        names = list(value)
    except TypeError:
        raise Wrong(f"`{name}` is a {type(value).__name__}; the exercise asks for a list of "
                    "colour map names.") from None
    if not all(isinstance(n, str) for n in names):
        raise Wrong(f"`{name}` holds something other than names; give the names as texts, "
                    "e.g. ['gray', 'viridis'].")
    return names


@checker("lut-choice")
def check_lut_choice(monotone, choice):
    """`monotone`: the candidates with monotone lightness; `choice`: one whose lightness rises."""
    names = _as_names(monotone, "monotone")
    reference = _monotone()
    unknown = [n for n in names if n not in LUT_CANDIDATES]
    if unknown:
        raise Wrong(f"`monotone` holds {unknown[0]!r}, which is not one of the candidates "
                    "(names are case-sensitive).")
    if len(set(names)) != len(names):
        raise Wrong("`monotone` names a map twice; each candidate belongs there once or not at all.")
    missing = [n for n in LUT_CANDIDATES if n in reference and n not in names]
    extra = [n for n in names if n not in reference]
    if missing:
        why = _LUT_WHY.get(missing[0], "compute its lightness steps again: they never change sign.")
        raise Wrong(f"`monotone` lacks {missing[0]!r}: {why}")
    if extra:
        why = _LUT_WHY.get(extra[0], "its lightness steps change sign somewhere along the scale.")
        raise Wrong(f"`monotone` should not hold {extra[0]!r}: {why}")
    if not isinstance(choice, str):
        raise Wrong(f"`choice` is a {type(choice).__name__}; give the name of one map as a text.")
    if choice not in reference:
        raise Wrong(f"`choice` = {choice!r}: its lightness is not monotone, so equal steps in "
                    "gray level would not look like equal steps; pick one of your monotone maps.")
    if reference[choice] < 0:
        raise Wrong(f"`choice` = {choice!r} is monotone, but its lightness falls: the densest "
                    "bone would be the darkest; pick a map whose lightness rises.")
    return (f"{len(reference)} of the {len(LUT_CANDIDATES)} maps are monotone, and {choice} "
            "shows denser material lighter, step by step.")


# --------------------------------------------------------------------------
# Exercise: false stripes
# --------------------------------------------------------------------------
STRIPE_FREQUENCY = 0.3   # cycles per pixel of the original
STRIPE_SIZE = 240
FACTOR = 4


@functools.cache
def _stripes_reference():
    from skimage.transform import rescale

    columns = np.arange(STRIPE_SIZE)
    stripes = np.tile(np.sin(2 * np.pi * STRIPE_FREQUENCY * columns), (STRIPE_SIZE, 1))
    plain = stripes[::FACTOR, ::FACTOR]
    smooth = rescale(stripes, 1 / FACTOR, anti_aliasing=True)
    unsmoothed = rescale(stripes, 1 / FACTOR, anti_aliasing=False)
    blocks = stripes.reshape(STRIPE_SIZE // FACTOR, FACTOR, STRIPE_SIZE // FACTOR, FACTOR)
    ratio = float(smooth.std() / plain.std())
    return {"ratio": ratio,
            "no_anti_aliasing": float(unsmoothed.std() / plain.std()),
            "block_mean": float(blocks.mean(axis=(1, 3)).std() / plain.std())}


def _aliased_period():
    """Period, in downsampled pixels, of the stripes after keeping every FACTOR-th pixel."""
    f = (STRIPE_FREQUENCY * FACTOR) % 1.0
    return 1 / min(f, 1 - f)


@checker("false-stripes")
def check_false_stripes(apparent_period, contrast_ratio):
    """`apparent_period` in pixels of the downsampled image; `contrast_ratio` of the two."""
    period = _aliased_period()
    true_period = 1 / STRIPE_FREQUENCY
    expect_number(apparent_period, period, name="apparent_period", rtol=0.02, unit="pixels",
                  hints={FACTOR: "that is the period in pixels of the original; measure it "
                                 "in pixels of `plain`"},
                  mistakes={
                      "that is the period of the original stripes; in `plain` they look "
                      "different, which is the point.": true_period,
                      "that is the true period shrunk by 4, what a correct downsampling "
                      "would show if the grid could hold it; but 0.3 x 4 = 1.2 cycles per "
                      "pixel is above the limit of 0.5.": true_period / FACTOR,
                  })
    reference = _stripes_reference()
    expect_number(contrast_ratio, reference["ratio"], name="contrast_ratio", rtol=0.05,
                  mistakes={
                      "that is rescale without anti_aliasing=True: interpolation alone keeps "
                      "most of the false stripes.": reference["no_anti_aliasing"],
                      "that is the mean of 4 x 4 blocks: a box average only weakens these "
                      "stripes; the exercise asks for rescale(..., anti_aliasing=True).":
                          reference["block_mean"],
                      "`smooth` has all the contrast of `plain`: was it made without "
                      "anti-aliasing, or from `plain` itself?": 1.0,
                      "that is plain.std() / smooth.std(), the inverse of the ratio asked for.":
                          1 / reference["ratio"],
                  })
    return ("Kept pixels alias 0.3 cycles per pixel into a false period of 5; "
            "anti-aliasing removes nearly all of it instead.")


# --------------------------------------------------------------------------
# Exercise: estimate the noise, then restore
# --------------------------------------------------------------------------
NOISE_SIGMA = 4.0
NOISE_SEED = 11
DISK_RADIUS = 2


@functools.cache
def _wiener_case():
    """The chapter's measurement with NOISE_SIGMA of noise, and reference results."""
    from common import data
    from common.data import imaging

    bone = data.load("bone_slice").astype(float)
    half = int(np.ceil(DISK_RADIUS))
    grid = np.ogrid[-half:half + 1, -half:half + 1]
    kernel = imaging.coverage(lambda r, c: r**2 + c**2 <= DISK_RADIUS**2, grid, 16)
    kernel = kernel / kernel.sum()
    padded = np.zeros(bone.shape)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    H = np.fft.fft2(np.roll(padded, (-half, -half), axis=(0, 1)))
    measured = np.fft.ifft2(np.fft.fft2(bone[::-1, ::-1]) * H).real
    noisier = measured + np.random.default_rng(NOISE_SEED).normal(0, NOISE_SIGMA, measured.shape)
    noise_power = float(noisier[:, :10].var())
    restored = _restore(noisier, H, noise_power)

    def rmse(estimate):
        return float(np.sqrt(np.mean((estimate - bone) ** 2)))

    return {"bone": bone, "H": H, "noisier": noisier, "noise_power": noise_power,
            "restored": restored, "rmse": rmse,
            "rmse_restored": rmse(restored), "rmse_measurement": rmse(noisier[::-1, ::-1])}


def _restore(measurement, H, noise_power, above_noise=10):
    """The chapter's Wiener filter with a power-law object power, rotated back."""
    power = np.abs(np.fft.fft2(measurement)) ** 2 / measurement.size
    fy, fx = np.meshgrid(np.fft.fftfreq(measurement.shape[0]),
                         np.fft.fftfreq(measurement.shape[1]), indexing="ij")
    f = np.hypot(fy, fx)
    strong = (power > above_noise * noise_power) & (f > 0)
    slope, log_amplitude = np.polyfit(np.log(f[strong]),
                                      np.log(power[strong] / np.abs(H[strong]) ** 2), 1)
    with np.errstate(divide="ignore"):
        object_power = np.exp(log_amplitude) * f**slope
    K = noise_power / object_power
    W = np.conj(H) / (np.abs(H) ** 2 + K)
    return np.fft.ifft2(np.fft.fft2(measurement) * W).real[::-1, ::-1]


@checker("wiener-noise")
def check_wiener_noise(noise_power, restored):
    """`noise_power` (gray levels squared) and the Wiener restoration, rotated back."""
    case = _wiener_case()
    true_power = NOISE_SIGMA**2
    power = expect_number(noise_power, true_power, name="noise_power", rtol=0.2,
                          unit="gray levels squared",
                          hints={1 / NOISE_SIGMA: "that is the standard deviation; the power "
                                                  "is its square, the variance"})
    array = as_array(restored, "restored")
    if array.dtype.kind == "c":
        raise Wrong("`restored` holds complex numbers: keep the real part of the inverse "
                    "transform (np.fft.ifft2(...).real).")
    if array.shape != case["bone"].shape:
        raise Wrong(f"`restored` has shape {array.shape}; it should have the shape of the "
                    f"bone slice, {case['bone'].shape}.")
    if not np.isfinite(array).all():
        raise Wrong("`restored` has NaN or infinite values: did a division by zero slip in "
                    "(at frequency 0, K must be 0)?")
    rmse = case["rmse"]
    error = rmse(array)
    if rmse(array[::-1, ::-1]) < 0.5 * error:
        raise Wrong("`restored` is still rotated by 180 degrees: rotate it back with "
                    "rotate_180 (image[::-1, ::-1]).")
    if rmse(array[::-1]) < 0.5 * error or rmse(array[:, ::-1]) < 0.5 * error:
        raise Wrong("`restored` is flipped along one axis only: a lens rotates the image by "
                    "180 degrees, so undo it with image[::-1, ::-1].")
    if error > 255:
        raise Wrong(f"`restored` is off by {fmt(error, 3)} gray levels on average: that is the "
                    "inverse filter's exploding noise; use the Wiener filter W.")
    if error > 0.97 * case["rmse_measurement"]:
        raise Wrong(f"`restored` is off by {fmt(error, 3)} gray levels on average, no better "
                    f"than the unrestored measurement ({fmt(case['rmse_measurement'], 3)}): "
                    "was the filter applied (np.fft.ifft2(np.fft.fft2(noisier) * W).real)?")
    reference = _restore(case["noisier"], case["H"], power)
    if error > 1.05 * rmse(reference) + 0.1:
        raise Wrong(f"`restored` is off by {fmt(error, 3)} gray levels on average, more than "
                    f"the chapter's Wiener filter gives with your noise power "
                    f"({fmt(rmse(reference), 3)}): was K estimated per frequency (the "
                    "chapter's wiener_filter), and W applied to `noisier`?")
    return (f"The error falls from {fmt(case['rmse_measurement'], 3)} to {fmt(error, 3)} gray "
            "levels, with K taken from the measurement alone.")
