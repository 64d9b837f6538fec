"""The imaging model behind the book's data sets: object, instrument, image.

Every generated image is made the way an instrument records one. The
*object* is drawn first, with its truth, on a grid finer than the detector's
pixels; the *instrument* then turns it into the recorded image in five steps,
each a function of this module, applied in this order by :func:`record`:

1. **pixel integration** (:func:`integrate_pixels`): each detector pixel
   records the mean of the object over its area. A pixel that straddles an
   edge gets a value between the two materials: the *partial-volume* effect.
2. **blur** (:func:`blur`): the point spread function of optics, scintillator
   and detector, a Gaussian of width ``psf_sigma`` pixels.
3. **edge halo** (:func:`edge_halo`): reconstruction (filtered back-projection)
   and phase contrast overshoot at edges, a dark fringe on the dark side of
   an edge and a bright one on the bright side.
4. **noise** (:func:`add_noise`): counting noise (Poisson, the signal
   expressed as a number of detected quanta) and read-out noise (Gaussian).
5. **quantisation** (:func:`quantise`): the analogue value becomes an integer
   of the detector's bit depth; values beyond its range saturate.

In the notation of chapter 4 (lecture 1), the recorded image is

.. math::

   g = Q\\bigl(N\\bigl(h * \\operatorname{int}(f) + \\eta\\bigr)\\bigr)

with ``f`` the object, ``int`` the pixel integration, ``h`` the blur
(with its halo), ``N`` the noise, ``Q`` the quantisation. Because each step is
a separate function, a chapter can show what each does to the same object.

Objects in their bounding boxes
-------------------------------
Drawing a whole image on the fine grid costs ``oversample**2`` times the
memory of the image, and drawing every object over the whole grid costs that
again per object. :func:`sample_object` and :func:`pixel_coverage` draw one
object only inside its bounding box (in bands of rows, so even a box as large
as the image needs little memory), and :func:`paint` lays the covered
fraction of each pixel over a canvas of detector pixels. Pixel integration is
then done object by object, and :func:`detect` applies steps 2 to 5 to the
canvas. For objects laid side by side (not in partial overlap inside one
pixel) this is the same image that :func:`record` makes from the whole fine
grid; a test checks it.

Coordinates: detector pixel ``(i, j)`` has its centre at ``(i, j)`` and
covers ``[i - 1/2, i + 1/2) x [j - 1/2, j + 1/2)``, so a centroid computed
from pixel indices is in the same units as the positions of the objects.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage as ndi

__all__ = ["Instrument", "integrate_pixels", "coverage", "blur", "edge_halo", "add_noise",
           "quantise", "record", "detect", "box_around", "fine_grid", "sample_object",
           "pixel_coverage", "paint"]


def integrate_pixels(fine: np.ndarray, factor: int) -> np.ndarray:
    """Mean over blocks of ``factor`` fine cells along every axis.

    ``fine`` is the object drawn on a grid ``factor`` times finer than the
    detector; each axis length must be a multiple of ``factor``.
    """
    fine = np.asarray(fine)
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"factor must be a whole number >= 1, got {factor}")
    if factor == 1:
        return fine.astype(np.float32, copy=False)
    if any(n % factor for n in fine.shape):
        raise ValueError(f"every axis of the fine grid must be a multiple of factor={factor}, "
                         f"got shape {fine.shape}")
    shape = []
    for n in fine.shape:
        shape += [n // factor, factor]
    blocks = fine.astype(np.float32, copy=False).reshape(shape)
    return blocks.mean(axis=tuple(range(1, 2 * fine.ndim, 2)), dtype=np.float32)


def coverage(inside, centres, factor: int) -> np.ndarray:
    """Pixel integration of one object, only at the pixels asked for.

    ``inside(*coords)`` is the object's indicator: given one array of
    coordinates per axis (pixel units, pixel centres at whole numbers), it
    returns True where a point lies inside the object. ``centres`` holds
    one array per axis with the centres of the pixels wanted; they only
    need to broadcast together (``np.ogrid`` boxes or lists of pixels).
    Each pixel is sampled at the centres of its ``factor**ndim`` sub-cells,
    the points where :func:`integrate_pixels` would average the object
    drawn ``factor`` times finer, and the fraction of them inside is its
    covered fraction (float32, 0 to 1; broadcast shape of ``centres``).

    This is how a generator draws small objects with their partial-volume
    pixels without a fine grid of the whole image: it asks only for the
    pixels of each object's bounding box, or of a band along an outline.
    """
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"factor must be a whole number >= 1, got {factor}")
    ndim = len(centres)
    sub = (np.arange(factor) + 0.5) / factor - 0.5
    offsets = np.stack(np.meshgrid(*[sub] * ndim, indexing="ij")).reshape(ndim, -1)
    coords = [np.asarray(c, dtype=float)[..., None] + offsets[k] for k, c in enumerate(centres)]
    hits = np.asarray(inside(*coords))
    return np.count_nonzero(hits, axis=-1).astype(np.float32) / np.float32(offsets.shape[1])


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """The point spread function: a Gaussian of ``sigma`` pixels (0: none)."""
    image = np.asarray(image, dtype=np.float32)
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0 pixels, got {sigma}")
    if sigma == 0:
        return image
    return ndi.gaussian_filter(image, sigma, mode="nearest")


def edge_halo(image: np.ndarray, strength, sigma: float = 2.0) -> np.ndarray:
    """Overshoot at edges: ``image + strength * (image - gaussian(image, sigma))``.

    Filtered back-projection and phase contrast both enhance high spatial
    frequencies; at an edge this leaves a dark fringe on the dark side and a
    bright one on the bright side, about ``sigma`` pixels wide. Flat regions
    keep their value (the mean is preserved). ``strength`` is a number, or
    an array of the image's shape where the overshoot varies over the field
    (a reconstruction's halo is stronger along some edges than others).
    """
    image = np.asarray(image, dtype=np.float32)
    strength = np.asarray(strength, dtype=np.float32)
    if not strength.any():
        return image
    if sigma <= 0:
        raise ValueError(f"halo sigma must be > 0 pixels, got {sigma}")
    return image + strength * (image - ndi.gaussian_filter(image, sigma, mode="nearest"))


def add_noise(image: np.ndarray, rng: np.random.Generator, *, counts: float | None = None,
              read_noise: float = 0.0, exact: bool = True) -> np.ndarray:
    """Counting noise and read-out noise.

    ``counts``: the number of quanta (photons, neutrons, electrons) detected
    where the image has the value 1; each pixel then records a Poisson number
    of quanta with mean ``counts * image`` (negative values count as 0),
    scaled back to the image's units, so its variance is ``image / counts``.
    ``None`` switches counting noise off. ``read_noise``: the standard
    deviation of Gaussian noise added afterwards, in the image's units.

    ``exact=False`` draws both at once from the normal distribution with the
    same mean and variance (``image / counts + read_noise**2``), in float32:
    the Poisson distribution's own limit, which cannot be told from it above
    about 20 quanta per pixel, and several times faster (for volumes).
    """
    image = np.asarray(image, dtype=np.float32)
    out = image
    if counts is not None:
        if not counts > 0:
            raise ValueError(f"counts must be > 0 quanta per unit value, got {counts}")
    if read_noise < 0:
        raise ValueError(f"read_noise must be >= 0, got {read_noise}")
    if not exact:
        variance = np.float32(read_noise) ** 2
        if counts is not None:
            variance = np.clip(image, 0, None) / np.float32(counts) + variance
        return image + np.sqrt(variance) * rng.standard_normal(image.shape, dtype=np.float32)
    if counts is not None:
        expected = np.clip(image, 0, None).astype(np.float64) * counts
        out = (rng.poisson(expected) / counts).astype(np.float32)
    if read_noise > 0:
        out = out + rng.normal(0.0, read_noise, size=image.shape).astype(np.float32)
    return out


def quantise(image: np.ndarray, dtype="uint8", low: float = 0.0, high: float | None = None) -> np.ndarray:
    """Map ``[low, high]`` onto the full range of an integer ``dtype``, round, saturate.

    ``high`` defaults to ``low`` plus the number of levels of ``dtype`` minus
    one, so that by default one unit of the image is one gray level.
    """
    dtype = np.dtype(dtype)
    if dtype.kind not in "ui":
        raise ValueError(f"dtype must be an integer type (uint8, uint16, ...), got {dtype}")
    info = np.iinfo(dtype)
    if high is None:
        high = low + (info.max - info.min)
    if not high > low:
        raise ValueError(f"high must be above low, got low={low}, high={high}")
    scaled = (np.asarray(image, dtype=np.float64) - low) * ((info.max - info.min) / (high - low)) + info.min
    return np.clip(np.rint(scaled), info.min, info.max).astype(dtype)


@dataclasses.dataclass(frozen=True)
class Instrument:
    """The settings of :func:`record`, one per step; the defaults change nothing.

    oversample
        fine-grid cells per detector pixel along each axis (pixel integration)
    psf_sigma
        width of the Gaussian point spread function, in pixels
    halo, halo_sigma
        strength and width (pixels) of the edge overshoot
    counts, read_noise
        quanta detected at value 1 (Poisson; ``None`` for none) and the
        standard deviation of the Gaussian read-out noise
    dtype, low, high
        the detector's integer type and the value range mapped onto it
    """

    oversample: int = 1
    psf_sigma: float = 0.0
    halo: float = 0.0
    halo_sigma: float = 2.0
    counts: float | None = None
    read_noise: float = 0.0
    dtype: str = "uint8"
    low: float = 0.0
    high: float | None = None


def record(fine: np.ndarray, instrument: Instrument, rng: np.random.Generator) -> np.ndarray:
    """The recorded image of an object drawn on the fine grid: steps 1 to 5 in order."""
    return detect(integrate_pixels(fine, instrument.oversample), instrument, rng)


def detect(image: np.ndarray, instrument: Instrument, rng: np.random.Generator) -> np.ndarray:
    """Steps 2 to 5 (blur, halo, noise, quantisation) on pixel-integrated values.

    ``image`` is already on the detector's grid: made with
    :func:`integrate_pixels`, or painted object by object with
    :func:`pixel_coverage` and :func:`paint`.
    """
    image = blur(image, instrument.psf_sigma)
    image = edge_halo(image, instrument.halo, instrument.halo_sigma)
    image = add_noise(image, rng, counts=instrument.counts, read_noise=instrument.read_noise)
    return quantise(image, instrument.dtype, instrument.low, instrument.high)


# --------------------------------------------------------------------------
# objects drawn in their bounding boxes
# --------------------------------------------------------------------------
def box_around(center, radius: float, shape) -> tuple[slice, slice]:
    """Detector pixels within ``radius`` (plus one) of ``center``, clipped to ``shape``.

    Returns a pair of slices (rows, cols); it can be empty when the object
    lies outside the image.
    """
    if not radius >= 0:
        raise ValueError(f"radius must be >= 0 pixels, got {radius}")
    out = []
    for c, n in zip(center, shape):
        lo = max(0, int(np.floor(c - radius)) - 1)
        hi = min(int(n), int(np.ceil(c + radius)) + 2)
        out.append(slice(lo, max(lo, hi)))
    return tuple(out)


def fine_grid(box: tuple[slice, slice], oversample: int):
    """Row and column coordinates (detector-pixel units) of the fine cells of ``box``.

    Returns ``(rows, cols)`` shaped ``(n, 1)`` and ``(1, m)`` for
    broadcasting: the centres of the ``oversample x oversample`` cells into
    which each detector pixel of ``box`` is divided.
    """
    oversample = int(oversample)
    if oversample < 1:
        raise ValueError(f"oversample must be a whole number >= 1, got {oversample}")
    offsets = (np.arange(oversample) + 0.5) / oversample - 0.5
    axes = []
    for sl in box:
        pixels = np.arange(sl.start, sl.stop, dtype=np.float64)
        axes.append((pixels[:, None] + offsets[None, :]).ravel())
    return axes[0][:, None], axes[1][None, :]


def sample_object(inside, box: tuple[slice, slice], oversample: int) -> np.ndarray:
    """The object on the fine grid of ``box``: ``inside(rows, cols)`` at every fine cell.

    ``inside`` takes broadcastable arrays of row and column coordinates
    (detector-pixel units, see the module's conventions) and returns a
    boolean (or 0..1) array. The result has ``oversample`` times the shape
    of ``box`` along each axis.
    """
    rows, cols = fine_grid(box, oversample)
    return np.asarray(inside(rows, cols))


def pixel_coverage(inside, box: tuple[slice, slice], oversample: int, *,
                   band_cells: int = 1 << 20) -> np.ndarray:
    """Step 1 for one object: the fraction of each pixel of ``box`` that it covers.

    The object (``inside``, as for :func:`sample_object`) is evaluated on the
    fine grid and integrated (:func:`integrate_pixels`), in bands of rows of
    at most about ``band_cells`` fine cells, so memory stays small however
    large the box. Returns ``float32`` values from 0 to 1, shaped like
    ``box``.
    """
    oversample = int(oversample)
    n_rows = box[0].stop - box[0].start
    n_cols = box[1].stop - box[1].start
    out = np.zeros((max(n_rows, 0), max(n_cols, 0)), np.float32)
    if out.size == 0:
        return out
    step = max(1, int(band_cells) // max(1, n_cols * oversample * oversample))
    for r in range(0, n_rows, step):
        band = (slice(box[0].start + r, box[0].start + min(n_rows, r + step)), box[1])
        fine = sample_object(inside, band, oversample)
        out[r:r + step] = integrate_pixels(fine, oversample)
    return out


def paint(canvas: np.ndarray, box: tuple[slice, slice], coverage: np.ndarray, value) -> None:
    """Lay an object of gray level ``value`` over ``canvas`` (in place).

    Each pixel of ``box`` becomes ``(1 - c) * old + c * value`` with ``c``
    its coverage: the pixel-integrated mix of the object and whatever it
    covers. ``value`` is a number or an array shaped like ``box``.
    """
    coverage = np.asarray(coverage, dtype=canvas.dtype)
    window = canvas[box]
    if window.shape != coverage.shape:
        raise ValueError(f"coverage has shape {coverage.shape}, but the box covers {window.shape}")
    window += coverage * (np.asarray(value, dtype=canvas.dtype) - window)
