"""Noise models for the book's images: add a known kind of noise to an image.

Lecture 2 degrades clean images on purpose and then tries to repair them, so
it needs each kind of noise on its own, with its parameters in plain sight:

* :func:`gaussian`: additive, signal-independent noise of standard deviation
  ``sigma`` (electronics, read-out noise);
* :func:`poisson`: counting noise; the image is a mean number of quanta
  divided by ``counts`` (the number of quanta at value 1), so its variance is
  ``image / counts``: it grows with the signal;
* :func:`salt_and_pepper`: event noise; a uniform number ``u`` is drawn per
  pixel, ``u < lambda1`` sets the pixel to the low value, ``u > lambda2`` to
  the high value, so a fraction ``lambda1 + (1 - lambda2)`` is hit;
* :func:`correlated` (and :func:`correlated_field`): structured noise, white
  noise blurred by a Gaussian of width ``length`` pixels and rescaled to
  standard deviation ``sigma``;
* :func:`gamma_spots`: the bright spots and short streaks that gamma rays
  leave on a camera, with their mask.

Every function needs ``rng``: a :class:`numpy.random.Generator` (its state
advances) or an integer seed (a fresh generator each call). There is no
default, so no noise in the book is drawn from an unseeded generator.

>>> import numpy as np
>>> from common import noise
>>> rng = np.random.default_rng(0)
>>> flat = np.full((100, 100), 0.5)
>>> noisy = noise.gaussian(flat, 0.1, rng=rng)
>>> events, hit = noise.salt_and_pepper(flat, 0.05, 0.95, rng=rng, return_mask=True)
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage as ndi

__all__ = ["as_generator", "gaussian", "poisson", "salt_and_pepper", "correlated",
           "correlated_field", "gamma_spots"]


# --------------------------------------------------------------------------
# checks shared by the noise functions
# --------------------------------------------------------------------------
def as_generator(rng) -> np.random.Generator:
    """``rng`` as a Generator: a Generator is used as it is, an integer seeds a new one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError("rng must be a numpy.random.Generator or an integer seed >= 0, "
                    f"got {rng!r}")


def _image(image, name="image") -> np.ndarray:
    array = np.asarray(image)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if array.size and not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite values only (no NaN or infinity)")
    return array


def _number(name, value, low, high=math.inf, *, low_open=False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    below = value <= low if low_open else value < low
    if below or value > high or not math.isfinite(value):
        lo = f"> {low}" if low_open else f">= {low}"
        hi = "" if high == math.inf else f" and <= {high}"
        raise ValueError(f"{name} must be {lo}{hi}, got {value!r}")
    return value


def _float(array: np.ndarray) -> np.ndarray:
    """Float images keep their precision; integer and boolean ones become float64."""
    return array if array.dtype.kind == "f" else array.astype(np.float64)


# --------------------------------------------------------------------------
# the noise models
# --------------------------------------------------------------------------
def gaussian(image, sigma: float, *, rng) -> np.ndarray:
    """``image`` plus white Gaussian noise of mean 0 and standard deviation ``sigma``.

    Each pixel gets an independent draw, whatever its value (additive,
    signal-independent noise). Returns float (float64 for integer input).
    """
    image = _float(_image(image))
    sigma = _number("sigma", sigma, 0.0)
    rng = as_generator(rng)
    return image + rng.normal(0.0, sigma, size=image.shape).astype(image.dtype, copy=False)


def poisson(image, *, counts: float = 1.0, rng) -> np.ndarray:
    """Counting (Poisson) noise: ``Poisson(counts * image) / counts``.

    ``counts`` is the number of quanta (photons, neutrons) detected where the
    image has the value 1: the default 1 reads the image as counts
    themselves. The result has the image's mean and the variance
    ``image / counts`` (variance = mean when ``counts`` is 1), so brighter
    pixels are noisier in absolute terms and less noisy relative to their
    value (``SNR = sqrt(counts * image)``). The image must not be negative.
    Returns float64.
    """
    image = _image(image)
    counts = _number("counts", counts, 0.0, low_open=True)
    rng = as_generator(rng)
    if image.size and image.min() < 0:
        raise ValueError("poisson noise needs an image without negative values (a mean count), "
                         f"got a minimum of {float(image.min())!r}")
    expected = image.astype(np.float64) * counts
    if expected.size and expected.max() > 1e15:
        raise ValueError(f"counts * image reaches {expected.max():.3g} quanta; at most 1e15 can be drawn")
    return rng.poisson(expected) / counts


def salt_and_pepper(image, lambda1: float, lambda2: float, *, low=None, high=None, rng,
                    return_mask: bool = False):
    """Event noise: pixels set to ``low`` (pepper) or ``high`` (salt) at random.

    A number ``u`` uniform on [0, 1) is drawn for every pixel; ``u < lambda1``
    sets it to ``low``, ``u > lambda2`` to ``high``, the rest keep their value.
    The expected fraction of pixels hit is ``lambda1 + (1 - lambda2)`` (not
    ``lambda1 + lambda2``): ``(0.05, 0.95)`` hits 10 % of the pixels, half
    pepper, half salt. ``low`` and ``high`` default to the full range: 0 and
    1 for float images (the book's float images run from 0 to 1), the
    dtype's minimum and maximum for integer images (0 and 255 for uint8).
    The result has the image's dtype; with ``return_mask`` it comes with a
    boolean mask of the pixels hit.
    """
    image = _image(image)
    lambda1 = _number("lambda1", lambda1, 0.0, 1.0)
    lambda2 = _number("lambda2", lambda2, 0.0, 1.0)
    if lambda1 > lambda2:
        raise ValueError(f"lambda1 must not exceed lambda2 (pepper below lambda1, salt above "
                         f"lambda2), got lambda1={lambda1}, lambda2={lambda2}")
    rng = as_generator(rng)
    if image.size == 0:
        out = image.copy()
        return (out, np.zeros(image.shape, bool)) if return_mask else out
    integer = image.dtype.kind in "iu"
    if low is None:
        low = np.iinfo(image.dtype).min if integer else 0.0
    if high is None:
        high = np.iinfo(image.dtype).max if integer else 1.0
    low, high = _number("low", low, -math.inf), _number("high", high, -math.inf)
    if integer:
        info = np.iinfo(image.dtype)
        for name, value in (("low", low), ("high", high)):
            if not info.min <= value <= info.max:
                raise ValueError(f"{name}={value} does not fit the image's dtype {image.dtype} "
                                 f"({info.min} to {info.max})")
    u = rng.random(image.shape)
    pepper, salt = u < lambda1, u > lambda2
    out = image.copy()
    out[pepper] = low
    out[salt] = high
    return (out, pepper | salt) if return_mask else out


def _gaussian_norm(length: float, size: int | None = None) -> float:
    """sqrt(sum of squared weights) of scipy's 1D Gaussian kernel of width ``length``.

    With ``size``, the kernel is first folded onto ``size`` pixels, as the
    periodic border (``mode="wrap"``) folds it when an axis is shorter than
    the kernel (``2 * int(4 * length + 0.5) + 1`` pixels); on a longer axis
    folding changes nothing.
    """
    radius = int(4.0 * length + 0.5)
    impulse = np.zeros(2 * radius + 1)
    impulse[radius] = 1.0
    kernel = ndi.gaussian_filter1d(impulse, length, mode="constant")
    if size is not None and size < kernel.size:
        kernel = np.bincount(np.arange(kernel.size) % size, weights=kernel, minlength=size)
    return float(np.sqrt(np.sum(kernel ** 2)))


def correlated_field(shape, sigma: float, length: float, *, rng) -> np.ndarray:
    """Correlated Gaussian noise alone: white noise blurred and rescaled (float64).

    White noise is blurred by a Gaussian of ``length`` pixels (its standard
    deviation, along every axis; 0 leaves it white) with periodic borders,
    then divided by the blur's own noise reduction (the root of the sum of
    the kernel's squared weights; along an axis shorter than the kernel,
    of the kernel folded onto it, as the periodic border folds it), so every
    pixel has standard deviation ``sigma`` exactly in expectation, at any
    ``length``, any shape and anywhere in the field. Neighbouring pixels are
    correlated by about ``exp(-1 / (4 length**2))``: 0.78 for ``length`` 1,
    0 for white noise (on axes much longer than ``length``).
    """
    try:
        shape = tuple(int(n) for n in (shape if np.iterable(shape) else (shape,)))
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a tuple of whole numbers, got {shape!r}") from None
    if not shape or any(n < 1 for n in shape):
        raise ValueError(f"shape must be a tuple of whole numbers >= 1, got {shape!r}")
    sigma = _number("sigma", sigma, 0.0)
    length = _number("length", length, 0.0, 1e4)
    rng = as_generator(rng)
    field = rng.standard_normal(shape)
    if length > 0:
        field = ndi.gaussian_filter(field, length, mode="wrap")
        kernel_size = 2 * int(4.0 * length + 0.5) + 1
        if all(n >= kernel_size for n in shape):
            field /= _gaussian_norm(length) ** len(shape)
        else:   # an axis shorter than the kernel: the border folds it
            field /= math.prod(_gaussian_norm(length, n) for n in shape)
    return field * sigma


def correlated(image, sigma: float, length: float, *, rng) -> np.ndarray:
    """``image`` plus correlated Gaussian noise (see :func:`correlated_field`).

    Structured noise: each pixel has standard deviation ``sigma``, like
    :func:`gaussian`, but neighbours within about ``length`` pixels move
    together, so the noise forms blobs of that size. Returns float (float64
    for integer input).
    """
    image = _float(_image(image))
    field = correlated_field(image.shape, sigma, length, rng=rng)
    return image + field.astype(image.dtype, copy=False)


# --------------------------------------------------------------------------
# gamma spots
# --------------------------------------------------------------------------
_NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _blob_pixels(rng, size):
    """``size`` pixels grown from (0, 0), each next to one already taken."""
    pixels = [(0, 0)]
    while len(pixels) < size:
        r, c = pixels[int(rng.integers(len(pixels)))]
        dr, dc = _NEIGHBOURS[int(rng.integers(4))]
        if (r + dr, c + dc) not in pixels:
            pixels.append((r + dr, c + dc))
    return np.array(pixels)


def _streak_pixels(rng, length):
    """A straight track of ``length`` distinct pixels at a random angle."""
    angle = rng.uniform(0.0, np.pi)
    dr, dc = np.sin(angle), np.cos(angle)
    step = 1.0 / max(abs(dr), abs(dc))           # one pixel per step along the longer axis
    t = np.arange(length) * step
    return np.stack([np.rint(t * dr), np.rint(t * dc)], axis=1).astype(int)


def gamma_spots(image, *, fraction: float = 0.002, amplitude: float, tail: float = 1.2,
                streak_share: float = 0.3, saturation=None, rng):
    """Bright spots from gamma rays hitting the camera: ``(spotted, mask)``.

    Gamma rays that reach a camera's sensor deposit charge in a few pixels:
    *blobs* of 1 to 4 touching pixels where a ray hits head-on, and *streaks*
    of 3 to 8 pixels in a line where it crosses the sensor at a slant (a
    share ``streak_share`` of the spots). Spots are added until at least
    ``fraction`` of the pixels are hit (slightly more: the last spot is
    whole). Each spot's amplitude is drawn from a heavy-tailed Pareto law,
    ``amplitude * (1 + X)`` with ``X`` Lomax of index ``tail`` (smaller
    ``tail``: more extreme spots), so most spots are a few times
    ``amplitude`` and a few are far brighter; the first pixel of a spot gets
    the full amplitude, the others 30 to 100 % of it. Values are clipped at
    ``saturation`` (default: the dtype's maximum for integer images, 1.0 for
    float images, which then must not exceed 1), as a camera saturates; a
    pixel already above it keeps its value.

    Returns the spotted image (the image's dtype; integer images are
    rounded) and a boolean mask of the pixels a spot added to. Every spot
    pixel is raised by at least ``0.3 * amplitude`` before clipping; on an
    integer image with ``0.3 * amplitude <= 0.5`` rounding can undo that,
    and such a pixel is left out of the mask. So the mask is exactly where
    the spotted image differs from the input, except at pixels that already
    sat at saturation (in the mask, unchanged).
    """
    image = _image(image)
    if image.ndim != 2:
        raise ValueError(f"gamma_spots needs a 2D image, got {image.ndim} dimensions")
    fraction = _number("fraction", fraction, 0.0, 0.5)
    amplitude = _number("amplitude", amplitude, 0.0, low_open=True)
    tail = _number("tail", tail, 0.0, 100.0, low_open=True)
    streak_share = _number("streak_share", streak_share, 0.0, 1.0)
    if saturation is None:
        if image.dtype.kind in "iu":
            saturation = float(np.iinfo(image.dtype).max)
        elif image.size and image.max() > 1.0:
            raise ValueError("gamma_spots saturates float images at 1.0 by default, but this image "
                             f"reaches {float(image.max())!r}: pass saturation=")
        else:
            saturation = 1.0
    else:
        saturation = _number("saturation", saturation, -math.inf)
        if image.dtype.kind in "iu" and saturation > np.iinfo(image.dtype).max:
            raise ValueError(f"saturation={saturation} exceeds the largest value of the image's "
                             f"dtype {image.dtype} ({np.iinfo(image.dtype).max})")
    rng = as_generator(rng)

    h, w = image.shape
    added = np.zeros(image.shape, np.float64)
    target = int(math.ceil(fraction * image.size))
    hit = 0
    while hit < target:
        streak = rng.random() < streak_share
        if streak:
            offsets = _streak_pixels(rng, int(rng.integers(3, 9)))
        else:
            offsets = _blob_pixels(rng, int(rng.integers(1, 5)))
        peak = amplitude * (1.0 + rng.pareto(tail))
        share = np.concatenate([[1.0], rng.uniform(0.3, 1.0, len(offsets) - 1)])
        rows = offsets[:, 0] + int(rng.integers(h))
        cols = offsets[:, 1] + int(rng.integers(w))
        keep = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
        rows, cols = rows[keep], cols[keep]
        before = np.count_nonzero(added[rows, cols])
        np.add.at(added, (rows, cols), peak * share[keep])
        hit += np.count_nonzero(added[rows, cols]) - before
    mask = added > 0
    # Clipped at saturation, but a spot never lowers a pixel.
    spotted = np.maximum(np.minimum(image.astype(np.float64) + added, saturation), image)
    if image.dtype.kind in "iu":
        spotted = np.rint(spotted)
    out = image.copy()
    out[mask] = spotted[mask].astype(image.dtype)
    # A spot that rounding undid (integer image, 0.3 * amplitude <= 0.5) did
    # not change its pixel: it leaves the mask, unless the pixel was saturated.
    mask &= (out != image) | (image >= saturation)
    return out, mask
