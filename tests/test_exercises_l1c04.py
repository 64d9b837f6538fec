"""Checkers of chapter 4, "Images" (common/exercises/l1c04.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib as mpl  # noqa: E402
from scipy import ndimage as ndi  # noqa: E402
from skimage.color import rgb2lab  # noqa: E402
from skimage.transform import rescale  # noqa: E402

from common.exercises import STRICT_ENV  # noqa: E402
from common.exercises import l1c04  # noqa: E402
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# --------------------------------------------------------------- scan bytes
def scan_sizes(projection_dtype="uint16", volume_dtype="float32", unit=1e9):
    projections = 1501 * 2560 * 2160 * np.dtype(projection_dtype).itemsize / unit
    volume = 2560 * 2560 * 2160 * np.dtype(volume_dtype).itemsize / unit
    volume_uint8 = 2560 * 2560 * 2160 * np.dtype("uint8").itemsize / unit
    return projections, volume, volume_uint8


def test_scan_bytes():
    projections, volume, volume_uint8 = scan_sizes()
    correct(l1c04.check_scan_bytes(projections, volume, volume_uint8))
    correct(l1c04.check_scan_bytes(f"{projections * 1000:.1f} MB", volume, volume_uint8))
    rejected(l1c04.check_scan_bytes(projections * 8, volume, volume_uint8), "8 times too large",
             "bits instead of bytes")
    rejected(l1c04.check_scan_bytes(*scan_sizes(unit=2**30)), "right in GiB", "should be in GB")
    rejected(l1c04.check_scan_bytes(projections / 2, volume, volume_uint8),
             "number of pixels in billions", "2 bytes")
    rejected(l1c04.check_scan_bytes(projections / 1501, volume, volume_uint8), "one projection")
    rejected(l1c04.check_scan_bytes(*scan_sizes(volume_dtype="float64")), "`volume_gb`",
             "float64 (8 bytes per value)")
    rejected(l1c04.check_scan_bytes(projections, volume, volume), "`volume_uint8_gb`",
             "float32 volume")
    rejected(l1c04.check_scan_bytes(projections * 1e9, volume, volume_uint8), "right in bytes")
    rejected(l1c04.check_scan_bytes(..., volume, volume_uint8), "still the placeholder")


# --------------------------------------------------------------- LUT choice
def monotone_maps(candidates=l1c04.LUT_CANDIDATES, samples=256, strict=False):
    out = []
    for name in candidates:
        L = rgb2lab(mpl.colormaps[name](np.linspace(0, 1, samples))[:, :3])[:, 0]
        steps = np.diff(L)
        if not strict:
            steps = steps[steps != 0]
        if (steps > 0).all() or (steps < 0).all():
            out.append(name)
    return out


def test_lut_choice():
    monotone = monotone_maps()
    assert sorted(monotone) == sorted(["viridis", "hot", "Blues", "cividis", "magma",
                                       "cubehelix"])
    correct(l1c04.check_lut_choice(monotone, "viridis"))
    correct(l1c04.check_lut_choice(set(monotone), "magma"))
    # more samples give the same answer
    assert sorted(monotone_maps(samples=1000)) == sorted(monotone)
    only_rising = [n for n in monotone if n != "Blues"]
    rejected(l1c04.check_lut_choice(only_rising, "viridis"), "lacks 'Blues'", "only falls")
    rejected(l1c04.check_lut_choice(monotone + ["turbo"], "viridis"), "should not hold 'turbo'",
             "rises and then falls")
    rejected(l1c04.check_lut_choice(monotone + ["coolwarm"], "viridis"), "diverging")
    rejected(l1c04.check_lut_choice(monotone, "Blues"), "its lightness falls")
    rejected(l1c04.check_lut_choice(monotone, "jet"), "not monotone")
    rejected(l1c04.check_lut_choice("viridis", "viridis"), "list of names")
    rejected(l1c04.check_lut_choice(monotone + ["Viridis"], "viridis"), "not one of the candidates")
    rejected(l1c04.check_lut_choice(monotone + ["hot"], "viridis"), "twice")


# ------------------------------------------------------------ false stripes
def stripe_answers(anti_aliasing=True, method="rescale"):
    columns = np.arange(240)
    stripes = np.tile(np.sin(2 * np.pi * 0.3 * columns), (240, 1))
    plain = stripes[::4, ::4]
    if method == "rescale":
        smooth = rescale(stripes, 1 / 4, anti_aliasing=anti_aliasing)
    else:
        smooth = stripes.reshape(60, 4, 60, 4).mean(axis=(1, 3))
    spectrum = np.abs(np.fft.rfft(plain[0]))
    period = plain.shape[1] / (spectrum[1:].argmax() + 1)
    return period, smooth.std() / plain.std()


def test_false_stripes():
    period, ratio = stripe_answers()
    correct(l1c04.check_false_stripes(period, ratio))
    correct(l1c04.check_false_stripes(5, ratio))
    rejected(l1c04.check_false_stripes(period * 4, ratio), "4 times too large",
             "pixels of the original")
    rejected(l1c04.check_false_stripes(1 / 0.3, ratio), "period of the original stripes")
    rejected(l1c04.check_false_stripes(1 / 0.3 / 4, ratio), "above the limit of 0.5")
    rejected(l1c04.check_false_stripes(period, stripe_answers(anti_aliasing=False)[1]),
             "without anti_aliasing=True")
    rejected(l1c04.check_false_stripes(period, stripe_answers(method="blocks")[1]),
             "mean of 4 x 4 blocks")
    rejected(l1c04.check_false_stripes(period, 1.0), "all the contrast")
    rejected(l1c04.check_false_stripes(period, 1 / ratio), "inverse")


# ------------------------------------------------------------- Wiener noise
@pytest.fixture(scope="module")
def wiener_case():
    return l1c04._wiener_case()


def student_restoration(case, noise_power, wiener=True):
    """The chapter's recipe, written out again as a student would."""
    noisier, H = case["noisier"], case["H"]
    power = np.abs(np.fft.fft2(noisier)) ** 2 / noisier.size
    fy, fx = np.meshgrid(np.fft.fftfreq(noisier.shape[0]), np.fft.fftfreq(noisier.shape[1]),
                         indexing="ij")
    f = np.hypot(fy, fx)
    strong = (power > 10 * noise_power) & (f > 0)
    slope, log_a = np.polyfit(np.log(f[strong]), np.log(power[strong] / np.abs(H[strong]) ** 2), 1)
    with np.errstate(divide="ignore"):
        K = noise_power / (np.exp(log_a) * f**slope)
    W = np.conj(H) / (np.abs(H) ** 2 + K) if wiener else 1 / H
    return np.fft.ifft2(np.fft.fft2(noisier) * W).real


def test_wiener_noise(wiener_case):
    noisier = wiener_case["noisier"]
    # any flat background region will do
    for region in (np.s_[:, :10], np.s_[:15], np.s_[:20, :20]):
        noise_power = noisier[region].var()
        restored = student_restoration(wiener_case, noise_power)[::-1, ::-1]
        correct(l1c04.check_wiener_noise(noise_power, restored))
    noise_power = noisier[:, :10].var()
    restored = student_restoration(wiener_case, noise_power)
    rejected(l1c04.check_wiener_noise(noisier[:, :10].std(), restored[::-1, ::-1]),
             "standard deviation", "variance")
    rejected(l1c04.check_wiener_noise(noisier.var(), restored[::-1, ::-1]), "too large")
    rejected(l1c04.check_wiener_noise(noise_power, restored), "still rotated by 180 degrees")
    rejected(l1c04.check_wiener_noise(noise_power, restored[::-1]), "flipped along one axis")
    inverse = student_restoration(wiener_case, noise_power, wiener=False)[::-1, ::-1]
    rejected(l1c04.check_wiener_noise(noise_power, inverse), "inverse filter")
    rejected(l1c04.check_wiener_noise(noise_power, noisier[::-1, ::-1]),
             "no better than the unrestored measurement")
    H = wiener_case["H"]
    constant_K = np.fft.ifft2(np.fft.fft2(noisier) * np.conj(H) / (np.abs(H) ** 2 + 0.03)).real
    rejected(l1c04.check_wiener_noise(noise_power, constant_K[::-1, ::-1]),
             "more than the chapter's", "K estimated per frequency")
    blurred = ndi.gaussian_filter(restored[::-1, ::-1], 1.5)
    rejected(l1c04.check_wiener_noise(noise_power, blurred), "no better than the unrestored")
    complex_result = np.fft.ifft2(np.fft.fft2(restored))[::-1, ::-1]
    rejected(l1c04.check_wiener_noise(noise_power, complex_result), "complex numbers", ".real")
    rejected(l1c04.check_wiener_noise(noise_power, restored[:-1, ::-1]), "shape (179, 140)")
    with np.errstate(divide="ignore", invalid="ignore"):
        rejected(l1c04.check_wiener_noise(noise_power, restored / 0), "NaN or infinite")
