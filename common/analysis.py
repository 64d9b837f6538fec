"""Find, measure and count objects (cells) in 2D and 3D images.

The analysis of the lecture's bone study, written once for images of any
dimension, so the same code counts the lacunae of a 2D slice and of a 3D
volume, of one sample or of a thousand:

1. :func:`smooth` the image (Gaussian, optionally after subtracting a smooth
   background);
2. :func:`threshold` it into objects and surroundings;
3. :func:`label` the connected objects;
4. :func:`measure` every object: size, position, axes, elongation,
   orientation, solidity;
5. :func:`classify` the objects: single cells, or too small, too big, oddly
   shaped, or cut by the image border;
6. :func:`summarise` the cells of a sample: count, density, left against
   right, size by side, alignment.

:func:`analyse` runs all six with one :class:`Settings`.

Your own images
    :func:`read_image` reads PNG, JPEG and TIFF files (2D images and 3D
    stacks); :func:`as_gray` turns a colour image into the one gray channel
    the analysis works on, and never mistakes it for a volume;
    ``analyse(image, settings, channel=..., roi=...)`` does both and counts
    only inside a region of interest. :meth:`Settings.for_objects` derives
    the settings from what you know about your objects: their size range and
    whether they are brighter or darker than their surroundings. Check them
    on a few images whose answer you know (the steps are in the docstring of
    :meth:`Settings.for_objects`). From a shell::

        python -m common.analysis IMAGE --min-size 2 --max-size 20 --out cells.csv

    prints a JSON summary and writes one row per object (``--help`` lists
    the options).

Assumptions (check them before trusting the numbers on your own images)
    * The objects differ from their surroundings by brightness, so that
      after smoothing one global threshold separates them (``polarity``
      says whether objects are brighter or darker). Uneven illumination can
      be removed first with ``background``.
    * Objects are separated by at least a pixel or two of surroundings after
      smoothing; touching objects are counted as one (and then usually
      flagged as too big or oddly shaped).
    * Pixels (voxels) are square (cubic); their edge length
      ``voxel_size_um`` only converts counts into physical densities.
    * "Left" and "right" are the two halves of the last image axis (the
      columns as displayed); an object belongs to the half its centroid is
      in.

Conventions
    Positions are in pixels, axis by axis: ``row`` and ``col`` for a 2D
    image, ``z``, ``row`` and ``col`` for a 3D one. Sizes are numbers of
    pixels (the area in 2D, the volume in 3D). Axis lengths are the full
    lengths of the ellipse (ellipsoid) with the same second moments as the
    object, as :func:`skimage.measure.regionprops` defines them:
    ``2 sqrt((ndim + 2) lambda)`` for each eigenvalue ``lambda`` of the
    covariance of the pixel coordinates.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import numbers
import pathlib
import sys

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from ._convex import hull_pixels

__all__ = ["Settings", "Result", "BONE_SLICE", "BONE_VOLUME", "COINS", "KINDS",
           "read_image", "as_gray", "sample_region",
           "smooth", "threshold", "label", "measure", "classify", "tissue",
           "summarise", "analyse", "axis_names", "main"]

#: Kinds an object can be classified as, in the order the rules are applied.
KINDS = ("border", "too_small", "too_big", "odd", "cell")

#: Objects larger than this (pixels) get no solidity (it would be slow and
#: they are never single cells): NaN.
SOLIDITY_MAX_SIZE = 50_000

#: Second moment of a pixel about its centre along each axis (px^2): a
#: square of side 1 has variance 1/12 along each of its axes.
PIXEL_VARIANCE = 1.0 / 12.0

#: Luminance weights of red, green and blue (ITU-R BT.709, as
#: :func:`skimage.color.rgb2gray`) for ``channel="gray"``.
LUMINANCE = (0.2125, 0.7154, 0.0721)

#: Sizes of a colour axis: gray and alpha, RGB, RGBA.
_COLOUR_AXIS = (2, 3, 4)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _diameter(size_px: float, ndim: int) -> float:
    """Diameter of the disk (2D) or ball (3D) of ``size_px`` pixels."""
    if ndim == 2:
        return 2.0 * math.sqrt(size_px / math.pi)
    return (6.0 * size_px / math.pi) ** (1.0 / 3.0)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The parameters of the analysis, checked when made.

    For your own images, start from :meth:`for_objects`, which derives them
    from the size of your objects and their polarity.

    sigma
        Standard deviation of the Gaussian smoothing, pixels; 0 for none.
        Smoothing removes noise before the threshold; it should stay below
        half the thickness of the thinnest object.
    background
        Scale (pixels) of a smooth background subtracted before smoothing:
        the image minus its Gaussian blur of this sigma. 0 (default) for
        none. Use it for uneven illumination; it must be several times the
        object size.
    threshold
        A number (in the units of the smoothed image) or ``"otsu"`` for
        Otsu's method, which picks the level that best separates two
        populations of gray values (computed over the region of interest or
        the sample when there is one, see ``backdrop``).
    polarity
        ``"bright"`` if objects are brighter than their surroundings,
        ``"dark"`` if darker.
    backdrop
        ``"bright"`` or ``"dark"`` if the sample lies on an empty backdrop of
        that brightness that reaches the image border (the white around a
        section, the air around a bone), ``None`` (default) if the sample
        fills the image. With a backdrop, :func:`sample_region` finds the
        sample first; Otsu's threshold is computed in it alone, objects are
        counted in it, objects cut by its outline are ``"border"``, and
        densities are per pixel of sample. When objects and backdrop are on
        the same side of the threshold (bright objects, bright backdrop),
        whatever joins the backdrop at the objects' threshold, such as the
        blurred rim of the sample, is backdrop too.
    fill_holes
        Fill holes inside objects (e.g. dark details on a bright coin):
        holes of at most ``max_size`` pixels (all holes when ``max_size`` is
        infinite), so that a sample enclosed by a bright backdrop is never
        taken for a hole.
    connectivity
        Which neighbours touch: 1 = faces only (4 in 2D, 6 in 3D) up to
        ``ndim`` = also corners (8 in 2D, 26 in 3D).
    min_size, max_size
        Objects with fewer than ``min_size`` pixels are noise
        (``"too_small"``); with more than ``max_size`` they are
        ``"too_big"`` to be one cell.
    min_solidity
        Objects whose solidity (size over the size of their convex hull) is
        below this are ``"odd"``: bent, branched or several cells touching.
        0 keeps all shapes.
    exclude_border
        Objects that touch the image border are ``"border"`` (cut, so their
        size and shape are unknown) and are not counted.
    voxel_size_um
        Edge length of a pixel or voxel in micrometres, or ``None``: then
        densities are given per 1000 pixels only.
    """

    sigma: float = 1.0
    background: float = 0.0
    threshold: float | str = "otsu"
    polarity: str = "bright"
    fill_holes: bool = False
    connectivity: int = 1
    min_size: int = 4
    max_size: float = math.inf
    min_solidity: float = 0.0
    exclude_border: bool = True
    voxel_size_um: float | None = None
    backdrop: str | None = None

    def __post_init__(self):
        def bad(name, allowed):
            value = getattr(self, name)
            raise ValueError(f"{name} must be {allowed}, got {value!r}")

        if not _is_number(self.sigma) or not 0 <= self.sigma <= 100:
            bad("sigma", "a number of pixels from 0 to 100")
        if not _is_number(self.background) or not 0 <= self.background <= 10_000:
            bad("background", "a number of pixels from 0 (none) to 10000")
        if isinstance(self.threshold, str):
            if self.threshold != "otsu":
                bad("threshold", 'a number or "otsu"')
        elif not _is_number(self.threshold) or not math.isfinite(self.threshold):
            bad("threshold", 'a number or "otsu"')
        if self.polarity not in ("bright", "dark"):
            bad("polarity", '"bright" or "dark"')
        if self.backdrop not in (None, "bright", "dark"):
            bad("backdrop", 'None, "bright" or "dark"')
        if not isinstance(self.fill_holes, bool):
            bad("fill_holes", "True or False")
        if isinstance(self.connectivity, bool) or self.connectivity not in (1, 2, 3):
            bad("connectivity", "1, 2 or 3 (at most the number of image dimensions)")
        if (isinstance(self.min_size, bool) or not isinstance(self.min_size, numbers.Integral)
                or self.min_size < 1):
            bad("min_size", "an integer number of pixels, at least 1")
        if not _is_number(self.max_size) or not self.max_size >= self.min_size:
            bad("max_size", f"a number of pixels at least min_size ({self.min_size}), or math.inf")
        if not _is_number(self.min_solidity) or not 0 <= self.min_solidity <= 1:
            bad("min_solidity", "a number from 0 to 1")
        if not isinstance(self.exclude_border, bool):
            bad("exclude_border", "True or False")
        if self.voxel_size_um is not None and (
                not _is_number(self.voxel_size_um) or not 0 < self.voxel_size_um < math.inf):
            bad("voxel_size_um", "None or a positive number of micrometres")

    @classmethod
    def for_objects(cls, min_size: float, max_size: float = math.inf, *,
                    polarity: str = "bright", ndim: int = 2, unit: str = "px",
                    pixel_size_um: float | None = None, backdrop: str | None = None,
                    **changes) -> "Settings":
        """Settings for your own images, from what you know about your objects.

        ``min_size`` and ``max_size``
            The smallest and largest single object you want to count: its
            number of pixels (area in 2D, volume in 3D) as the image shows
            it, or with ``unit="um"`` its area in um^2 (volume in um^3),
            converted with ``pixel_size_um``. Faint small objects look
            smaller than they are: be generous with ``min_size``.
        ``polarity``
            ``"bright"`` objects on darker surroundings, or ``"dark"``.
        ``ndim``
            2 for images, 3 for volumes (sizes are areas or volumes).
        ``pixel_size_um``
            Edge length of a pixel in micrometres, if known: densities are
            then also given per mm^2 (mm^3).
        ``backdrop``
            ``"bright"`` or ``"dark"`` if the sample lies on an empty
            backdrop that reaches the image border (see :class:`Settings`).

        Derived: ``sigma`` is a quarter of the diameter of the smallest
        object (a Gaussian that keeps about 85 % of its contrast at its
        centre), at most 2 pixels so that neighbours a few pixels apart stay
        apart; the threshold is Otsu's (in the sample, with a backdrop);
        holes up to ``max_size`` are filled; no shape rule
        (``min_solidity=0``); objects cut by the border are not counted.
        Any other parameter can be given in ``changes``, e.g.
        ``min_solidity=0.7`` to reject touching objects, or ``background``
        (several times the largest diameter) for uneven illumination.

        Check the settings before you trust them, on a few images whose
        answer you know (count some by hand):

        1. ``result = analyse(image, settings)``; compare
           ``result.summary["count"]`` with your count. Within 10 % is good;
           much more or much less means a wrong threshold or size range.
        2. Look at ``result.objects["kind"].value_counts()`` and draw the
           outlines of each kind over the image: ``"too_small"`` should be
           noise, ``"too_big"`` clumps or structures that are not single
           objects. Real objects among them mean the size range is wrong.
        3. Look at ``result.level`` and the histogram of the image: the
           threshold should fall between the surroundings and the objects.
        4. Change one setting at a time (``settings.replace(min_size=...)``)
           and watch the count: a count that jumps with a small change is
           not yet a number you can trust.
        """
        if not isinstance(ndim, numbers.Integral) or isinstance(ndim, bool) or ndim not in (2, 3):
            raise ValueError(f"ndim must be 2 or 3, got {ndim!r}")
        if unit not in ("px", "um"):
            raise ValueError(f'unit must be "px" (pixels) or "um" (micrometres), got {unit!r}')
        if pixel_size_um is not None and (not _is_number(pixel_size_um)
                                          or not 0 < pixel_size_um < math.inf):
            raise ValueError(f"pixel_size_um must be None or a positive number of micrometres, "
                             f"got {pixel_size_um!r}")
        for name, value in (("min_size", min_size), ("max_size", max_size)):
            if not _is_number(value) or not value > 0:
                raise ValueError(f"{name} must be a positive number of "
                                 f"{'pixels' if unit == 'px' else 'um^' + str(ndim)}, got {value!r}")
        if unit == "um":
            if pixel_size_um is None:
                raise ValueError('unit="um" needs pixel_size_um, the edge length of a pixel in um')
            per_pixel = pixel_size_um ** ndim
            min_size, max_size = min_size / per_pixel, max_size / per_pixel
        smallest = max(1, int(math.floor(min_size + 1e-9)))
        largest = max_size if max_size == math.inf else float(math.ceil(max_size - 1e-9))
        sigma = round(min(_diameter(smallest, ndim) / 4.0, 2.0), 2)
        values = dict(sigma=sigma, threshold="otsu", polarity=polarity, backdrop=backdrop,
                      fill_holes=True, min_size=smallest, max_size=largest, min_solidity=0.0,
                      exclude_border=True, voxel_size_um=pixel_size_um)
        values.update(changes)
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        """A copy with some parameters changed (and checked)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """The parameters as a plain dict (``max_size`` inf becomes None)."""
        out = dataclasses.asdict(self)
        if out["max_size"] == math.inf:
            out["max_size"] = None
        return out


def _preset(doc: str, **values) -> Settings:
    """Settings with a docstring of their own (``BONE_SLICE.__doc__``)."""
    settings = Settings(**values)
    object.__setattr__(settings, "__doc__", doc)
    return settings


#: The book's synthetic 2D bone slice (``data.load("bone_slice")``).
BONE_SLICE = _preset(
    """Tuned to the book's synthetic 2D bone slice, ``data.load("bone_slice")``.

    Made the way the book teaches for your own images:
    ``Settings.for_objects(1, 40, backdrop="bright", min_solidity=0.75)``.
    Bright lacunae of 1 to 6 px (the faintest, cut at their tip, a single
    pixel above the threshold), too big above 40 px (canals), odd below a
    solidity of 0.75 (bent two-armed objects), dark bone on a white backdrop:
    Otsu's threshold computed inside the section, smoothing 0.28 px. On the
    course's real slice of the same kind (``tiny-bone.png``, not part of the
    book) it counts 103 lacunae, as many as a careful count by hand.""",
    sigma=0.28, threshold="otsu", backdrop="bright", fill_holes=True, min_size=1,
    max_size=40, min_solidity=0.75)
#: The 3D samples of the synthetic cohort (:class:`common.data.cohort.Cohort`).
BONE_VOLUME = _preset(
    """Tuned to the 3D samples of the book's synthetic cohort (``Cohort``).

    2 um voxels; bright cells of about 20 to 150 voxels in dark bone on a
    white background; smoothing 0.6 voxel, a fixed threshold of 110, too
    small below 4 voxels, too big above 250, odd below a solidity of 0.7
    (the bent two-armed objects the generator makes). A fixed threshold
    because the cohort's gray values are the same in every sample, so the
    study's samples are all cut at the same level.""",
    sigma=0.6, threshold=110, max_size=250, min_solidity=0.7, voxel_size_um=2.0)
#: scikit-image's photograph of 24 coins (``skimage.data.coins()``).
COINS = _preset(
    """Tuned to scikit-image's photograph of 24 coins, ``skimage.data.coins()``.

    Uneven lighting removed with a 30 px background, smoothing 2 px, Otsu's
    threshold, holes (the coins' relief) filled, too small below 200 px;
    coins touching the border count (``exclude_border=False``).""",
    sigma=2.0, background=30.0, threshold="otsu", fill_holes=True,
    min_size=200, exclude_border=False)


# ----------------------------------------------------------------- input
def _check_image(image, name="image") -> np.ndarray:
    array = np.asarray(image)
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must be a 2D or 3D array, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers (bool, integer or float), got dtype {array.dtype}")
    if min(array.shape) < 1:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values; replace them first")
    return array


def _looks_coloured(array: np.ndarray) -> bool:
    """Whether the last axis holds colour channels (2 to 4, rows and columns longer)."""
    return (array.ndim in (3, 4) and array.shape[-1] in _COLOUR_AXIS
            and min(array.shape[-3:-1]) > max(_COLOUR_AXIS))


def as_gray(image, channel: int | str | None = None) -> np.ndarray:
    """The one gray image (2D) or volume (3D) the analysis works on.

    ``channel=None`` (default)
        A 2D array is a gray image and a 3D array a volume, unless its last
        axis holds 2 to 4 colour channels (gray and alpha, RGB, RGBA; the
        other axes longer than 4): then it is a colour image. A colour
        image whose colour channels are all equal (gray saved as RGB, as
        many PNG files are) is read as gray; otherwise you must choose.
        The alpha channel is always ignored.
    ``channel=N``
        Colour channel N of a colour image (0 red, 1 green, 2 blue, 3
        alpha), of a 2D image or of a 3D stack of colour images.
    ``channel="gray"``
        The luminance ``0.2125 R + 0.7154 G + 0.0721 B`` (as
        :func:`skimage.color.rgb2gray`, but in the image's own units, not
        scaled to 0..1), as float32; a gray image is returned as it is.

    Raises ValueError with what was found and what to choose otherwise.
    """
    array = np.asarray(image)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"image must hold numbers (bool, integer or float), got dtype {array.dtype}")
    coloured = _looks_coloured(array)
    if channel is None:
        if not coloured:
            if array.ndim == 4:
                raise ValueError(f"image must be a 2D or 3D array, got shape {array.shape} (a "
                                 "stack of colour images has its 2 to 4 channels last)")
            return array
        colours = array[..., : min(3, array.shape[-1] - (array.shape[-1] in (2, 4)))]
        if all(np.array_equal(colours[..., 0], colours[..., k]) for k in range(1, colours.shape[-1])):
            return array[..., 0]
        n = array.shape[-1]
        raise ValueError(f"image has {n} colour channels (shape {array.shape}); choose one with "
                         f"channel=0..{n - 1} or channel='gray' for the luminance")
    if isinstance(channel, str):
        if channel != "gray":
            raise ValueError(f"channel must be None, a channel number or 'gray', got {channel!r}")
        if not coloured:
            if array.ndim == 4:
                raise ValueError(f"image must be a 2D or 3D array, got shape {array.shape} "
                                 "(no colour axis of 2 to 4 channels last to turn into gray)")
            return array
        if array.shape[-1] == 2:                      # gray and alpha
            return array[..., 0]
        rgb = array[..., :3].astype(np.float32)
        return (LUMINANCE[0] * rgb[..., 0] + LUMINANCE[1] * rgb[..., 1]
                + LUMINANCE[2] * rgb[..., 2]).astype(np.float32)
    if isinstance(channel, bool) or not isinstance(channel, numbers.Integral):
        raise ValueError(f"channel must be None, a channel number or 'gray', got {channel!r}")
    if not coloured:
        raise ValueError(f"channel={channel} selects a colour channel, but the image (shape "
                         f"{array.shape}) has none; leave channel out for a gray image or volume")
    n = array.shape[-1]
    if not 0 <= channel < n:
        raise ValueError(f"channel must be from 0 to {n - 1} for this image of {n} channels "
                         f"(shape {array.shape}), got {channel}")
    return array[..., int(channel)]


def read_image(path) -> np.ndarray:
    """Read a PNG, JPEG or TIFF file into a numpy array, as stored.

    TIFF files (``.tif``, ``.tiff``) are read with tifffile: a multi-page
    file is a 3D stack. Other files are read with imageio (Pillow): PNG and
    JPEG, palette images as RGB(A). Colour stays colour: pass the array to
    :func:`as_gray` (or :func:`analyse` with ``channel=``). Raises
    FileNotFoundError or ValueError with a one-line message.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not an image file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".tif", ".tiff"):
            import tifffile

            array = tifffile.imread(path)
        else:
            import imageio.v3 as iio

            array = iio.imread(path)
    except Exception as error:  # the readers raise many kinds; all mean "cannot read"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"cannot read {path} as a PNG, JPEG or TIFF image ({reason})") from None
    array = np.asarray(array)
    if array.size == 0:
        raise ValueError(f"{path} holds an empty image (shape {array.shape})")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{path} holds {array.dtype} values, not gray values")
    return array


def axis_names(ndim: int) -> tuple[str, ...]:
    """Names of the position columns: ``("row", "col")`` or ``("z", "row", "col")``."""
    if ndim == 2:
        return ("row", "col")
    if ndim == 3:
        return ("z", "row", "col")
    raise ValueError(f"images must have 2 or 3 dimensions, got {ndim}")


def _check_region(region, shape, name="roi") -> np.ndarray | None:
    if region is None:
        return None
    array = np.asarray(region)
    if array.dtype != bool:
        raise ValueError(f"{name} must be a boolean mask (True inside), got dtype {array.dtype}")
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must have the image's shape {tuple(shape)}, got {array.shape}")
    if not array.any():
        raise ValueError(f"{name} is empty: no pixel is inside it")
    return array


# ------------------------------------------------------------- the steps
def smooth(image, sigma: float = 1.0, background: float = 0.0) -> np.ndarray:
    """Gaussian smoothing (``sigma`` pixels), after removing a background.

    With ``background > 0`` the image's Gaussian blur of that sigma is
    subtracted first (a flat-field correction for uneven lighting). Returns
    ``float32``; the input is not changed.
    """
    Settings(sigma=sigma, background=background)  # checks the values
    out = _check_image(image).astype(np.float32)
    if background > 0:
        out -= ndi.gaussian_filter(out, background, mode="reflect")
    if sigma > 0:
        out = ndi.gaussian_filter(out, sigma, mode="nearest")
    return out


def threshold(image, level: float | str = "otsu", polarity: str = "bright", *, within=None):
    """Split ``image`` into objects (True) and surroundings.

    ``level`` is a number or ``"otsu"``; objects are the pixels above it
    (``polarity="bright"``) or below it (``"dark"``). With a boolean mask
    ``within``, Otsu's level is computed from the pixels inside it only (the
    mask returned still covers the whole image). Returns ``(mask, level)``
    with the level actually used.
    """
    Settings(threshold=level, polarity=polarity)
    image = _check_image(image)
    within = _check_region(within, image.shape, "within")
    if level == "otsu":
        from skimage.filters import threshold_otsu

        values = image if within is None else image[within]
        if values.min() == values.max():
            where = "" if within is None else " inside the region"
            raise ValueError("Otsu's threshold needs an image with more than one gray value; "
                             f"this one is {values.min()} everywhere{where}")
        level = float(threshold_otsu(values))
    level = float(level)
    mask = image > level if polarity == "bright" else image < level
    return mask, level


def label(mask, connectivity: int = 1):
    """Number the connected objects of a boolean ``mask``: ``(labels, n)``.

    ``labels`` is ``int32``, 0 for the surroundings and 1..n for the
    objects; ``connectivity`` as in :class:`Settings`.
    """
    mask = _check_image(mask, "mask")
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array, got dtype {mask.dtype}")
    if isinstance(connectivity, bool) or connectivity not in range(1, mask.ndim + 1):
        raise ValueError(f"connectivity must be an integer from 1 to {mask.ndim} for a "
                         f"{mask.ndim}D mask, got {connectivity!r}")
    structure = ndi.generate_binary_structure(mask.ndim, connectivity)
    labels, n = ndi.label(mask, structure=structure, output=np.int32)
    return labels, int(n)


def _on_border(labels: np.ndarray) -> np.ndarray:
    """The labels found on the outermost pixels of the image (0 included if there)."""
    faces = []
    for axis in range(labels.ndim):
        faces.append(np.take(labels, 0, axis=axis).ravel())
        faces.append(np.take(labels, -1, axis=axis).ravel())
    return np.unique(np.concatenate(faces))


def _reaching_border(mask: np.ndarray) -> np.ndarray:
    """The pixels of ``mask`` connected (faces only) to the image border."""
    labels, n = ndi.label(mask, output=np.int32)
    reach = np.zeros(n + 1, bool)
    reach[_on_border(labels)] = True
    reach[0] = False
    return reach[labels]


def tissue(mask, region=None) -> np.ndarray:
    """The sample's region: the surroundings of the objects, holes filled.

    With bright cells in dark bone on a bright background, the surroundings
    (``~mask``) are the bone; filling its holes adds back the cells that lie
    inside it, while the background, which reaches the image border, stays
    out. Densities are counts per volume of this region. (The same as
    ``scipy.ndimage.binary_fill_holes(~mask)``, computed by labelling.) With
    a boolean ``region``, only its pixels can belong to the tissue, and
    pixels outside it count as reaching the border.
    """
    mask = _check_image(mask, "mask")
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array, got dtype {mask.dtype}")
    region = _check_region(region, mask.shape, "region")
    if region is None:
        return ~_reaching_border(mask)
    return region & ~_reaching_border(mask | ~region)


def sample_region(image, backdrop: str = "bright", *, roi=None) -> np.ndarray:
    """The sample of an image that lies on an empty ``backdrop`` ("bright" or "dark").

    Otsu's threshold (over the ``roi`` if given) splits the image in two;
    the pixels on the backdrop's side that are connected to the image
    border (or, with a ``roi``, to its outside) are the backdrop. The
    sample is everything else, with the holes in it: a lacuna as bright as
    a white backdrop but enclosed by bone belongs to the sample. Pass the
    smoothed image.
    """
    if backdrop not in ("bright", "dark"):
        raise ValueError(f'backdrop must be "bright" or "dark", got {backdrop!r}')
    image = _check_image(image)
    roi = _check_region(roi, image.shape)
    side, _ = threshold(image, "otsu", backdrop, within=roi)
    if roi is None:
        region = ~_reaching_border(side)
    else:
        region = roi & ~_reaching_border(side | ~roi)
    return region


def _fill_holes(mask: np.ndarray, max_size: float) -> np.ndarray:
    """Fill the holes of ``mask`` of at most ``max_size`` pixels (all if inf)."""
    if max_size == math.inf:
        return ndi.binary_fill_holes(mask)
    holes, n = ndi.label(~mask, output=np.int32)
    if n == 0:
        return mask
    small = np.bincount(holes.ravel(), minlength=n + 1) <= max_size
    small[_on_border(holes)] = False
    small[0] = False
    return mask | small[holes]


#: Objects whose bounding box has more pixels than this are measured from
#: projections of their box (one big background object would otherwise
#: cost as much as all the cells together).
_LARGE_BOX = 1 << 16


def _columns(ndim: int) -> list[str]:
    return (["label", *axis_names(ndim), "size_px", "major_axis_px"]
            + (["middle_axis_px"] if ndim == 3 else [])
            + ["minor_axis_px", "elongation", "orientation_deg"]
            + (["tilt_deg"] if ndim == 3 else []) + ["solidity", "touches_border"])


def _moments_large(mask: np.ndarray, start) -> tuple[float, np.ndarray, np.ndarray]:
    """Size, centroid and covariance of one object from projections of its box."""
    ndim = mask.ndim
    pixels = mask.view(np.uint8)
    axes = [np.arange(n, dtype=np.float64) for n in mask.shape]
    if ndim == 2:
        planes = {(0, 1): pixels}
    else:  # the three projections onto planes of two axes (integer sums, exact)
        planes = {(0, 1): np.add.reduce(pixels, axis=2, dtype=np.int32),
                  (0, 2): np.add.reduce(pixels, axis=1, dtype=np.int32),
                  (1, 2): np.add.reduce(pixels, axis=0, dtype=np.int32)}
    profiles = [planes[0, 1].sum(axis=1, dtype=np.int64), planes[0, 1].sum(axis=0, dtype=np.int64)]
    if ndim == 3:
        profiles.append(planes[0, 2].sum(axis=0, dtype=np.int64))
    count = float(profiles[0].sum())
    first = np.array([axes[a] @ profiles[a] for a in range(ndim)])
    second = np.diag([(axes[a] ** 2) @ profiles[a] for a in range(ndim)])
    for (a, b), plane in planes.items():
        second[a, b] = second[b, a] = axes[a] @ plane.astype(np.float64) @ axes[b]
    mean = first / count
    cov = second / count - np.outer(mean, mean)
    return count, mean + np.asarray(start, float), cov


def measure(labels, *, solidity=True, region=None) -> pd.DataFrame:
    """One row per labelled object: size, position, shape, orientation.

    Columns (positions and lengths in pixels):

    ``label``
        the object's number in ``labels``.
    ``row``, ``col`` (2D) or ``z``, ``row``, ``col`` (3D)
        centroid.
    ``size_px``
        number of pixels (area in 2D, volume in 3D).
    ``major_axis_px``, (3D: ``middle_axis_px``), ``minor_axis_px``
        full axis lengths of the ellipse (ellipsoid) with the same second
        moments (see the module's conventions).
    ``elongation``
        how much longer than wide: the ratio of the axes of the object
        taken as the union of its pixels, squares of side 1, which adds
        1/12 px^2 to the variance along every axis: ``sqrt((l_max + 1/12) /
        (l_min + 1/12))`` for the largest and smallest eigenvalue. 1 for a
        disk or ball, n for a line of n pixels, never infinite.
    ``orientation_deg``
        direction of the major axis in the image plane (projected, in 3D),
        degrees counter-clockwise from the horizontal as displayed, in
        (-90, 90].
    ``tilt_deg`` (3D only)
        angle between the major axis and the image plane (rows, cols): 0 in
        the plane, 90 along z.
    ``solidity``
        size over the number of pixels whose centres lie in the convex hull
        of the object (the hull of its pixels' face midpoints, as
        :func:`skimage.measure.regionprops` counts it): 1 for convex
        objects, lower for bent or branched ones. NaN above
        :data:`SOLIDITY_MAX_SIZE` pixels, with ``solidity=False``, or for
        objects not in ``solidity`` when it is a list of labels.
    ``touches_border``
        whether the object touches the edge of the image, or, with a
        boolean ``region``, a pixel outside the region (cut by its outline).

    Solidity is counted exactly, mostly without computing a hull (see
    :mod:`common._convex`).
    """
    labels = _check_image(labels, "labels")
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be an integer array (from label()), got dtype {labels.dtype}")
    if labels.min() < 0:
        raise ValueError(f"labels must be 0 (surroundings) or positive, found {labels.min()}")
    region = _check_region(region, labels.shape, "region")
    ndim = labels.ndim
    names = axis_names(ndim)
    boxes = ndi.find_objects(labels)
    numbers = np.array([i + 1 for i, box in enumerate(boxes) if box is not None], np.int64)
    count = len(numbers)
    if count == 0:
        table = pd.DataFrame({name: pd.Series(dtype=float) for name in _columns(ndim)})
        return table.astype({"label": np.int64, "size_px": np.int64, "touches_border": bool})

    masks = [labels[boxes[number - 1]] == number for number in numbers]
    bounds = np.array([[(s.start, s.stop) for s in boxes[number - 1]] for number in numbers],
                      np.int64).reshape(count, ndim, 2)
    starts, extents = bounds[:, :, 0], bounds[:, :, 1] - bounds[:, :, 0]
    border = ((starts == 0) | (bounds[:, :, 1] == np.array(labels.shape))).any(axis=1)
    sizes = extents.prod(axis=1)
    large = sizes > _LARGE_BOX

    size = np.empty(count)
    centroid = np.empty((count, ndim))
    cov = np.empty((count, ndim, ndim))
    small = np.flatnonzero(~large)
    if len(small):
        flat = np.concatenate([masks[k].ravel() for k in small])
        run = np.repeat(np.arange(len(small)), sizes[small])
        offset = np.concatenate([[0], np.cumsum(sizes[small])[:-1]])
        where = np.flatnonzero(flat)
        owner = run[where]
        rest = where - offset[owner]
        coords = np.empty((len(where), ndim))
        for axis in range(ndim - 1, -1, -1):
            extent = extents[small, axis][owner]
            coords[:, axis] = rest % extent + starts[small[owner], axis]
            rest //= extent
        n = np.bincount(owner, minlength=len(small)).astype(float)
        mean = np.stack([np.bincount(owner, coords[:, a], len(small)) for a in range(ndim)],
                        axis=1) / n[:, None]
        centred = coords - mean[owner]
        for a in range(ndim):
            for b in range(a, ndim):
                cov[small, a, b] = cov[small, b, a] = (
                    np.bincount(owner, centred[:, a] * centred[:, b], len(small)) / n)
        size[small], centroid[small] = n, mean
    for k in np.flatnonzero(large):
        size[k], centroid[k], cov[k] = _moments_large(masks[k], starts[k])

    evals, evecs = np.linalg.eigh(cov)
    evals = np.clip(evals[:, ::-1], 0.0, None)               # largest first
    lengths = 2.0 * np.sqrt((ndim + 2) * evals)
    major = evecs[:, :, -1]
    orientation = np.degrees(np.arctan2(-major[:, -2], major[:, -1]))
    orientation = np.where(orientation <= -90, orientation + 180,
                           np.where(orientation > 90, orientation - 180, orientation))

    columns = {"label": numbers}
    columns.update(zip(names, centroid.T))
    columns["size_px"] = size.astype(np.int64)
    columns["major_axis_px"] = lengths[:, 0]
    if ndim == 3:
        columns["middle_axis_px"] = lengths[:, 1]
    columns["minor_axis_px"] = lengths[:, -1]
    columns["elongation"] = np.sqrt((evals[:, 0] + PIXEL_VARIANCE) / (evals[:, -1] + PIXEL_VARIANCE))
    columns["orientation_deg"] = orientation
    if ndim == 3:
        columns["tilt_deg"] = np.degrees(np.arcsin(np.minimum(1.0, np.abs(major[:, 0]))))

    if region is not None:
        outside = ndi.binary_dilation(~region) & (labels > 0)
        border |= np.isin(numbers, labels[outside])
    columns["touches_border"] = border

    solid = np.full(count, np.nan)
    if callable(solidity):                      # analyse(): the objects that may be cells
        wanted = np.asarray(solidity(size, border), bool) & (size <= SOLIDITY_MAX_SIZE)
    elif solidity is True:
        wanted = size <= SOLIDITY_MAX_SIZE
    elif solidity is False:
        wanted = np.zeros(count, bool)
    else:
        wanted = np.isin(numbers, np.asarray(solidity, dtype=np.int64)) & (size <= SOLIDITY_MAX_SIZE)
    chosen = np.flatnonzero(wanted)
    if len(chosen):
        solid[chosen] = size[chosen] / hull_pixels([masks[k] for k in chosen])
    columns["solidity"] = solid
    return pd.DataFrame(columns, columns=_columns(ndim))


def classify(table: pd.DataFrame, settings: Settings | None = None, *,
             shape=None) -> pd.DataFrame:
    """Add the columns ``kind`` and ``side`` to a table from :func:`measure`.

    ``kind`` is the first rule that applies, in this order: ``"border"``
    (touches the image border, if ``settings.exclude_border``),
    ``"too_small"`` (below ``min_size``), ``"too_big"`` (above
    ``max_size``), ``"odd"`` (solidity below ``min_solidity``), else
    ``"cell"``. ``side`` is ``"left"`` if the centroid lies in the left half
    of the columns of an image of ``shape``, else ``"right"``. Returns a new
    table.
    """
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    required = {"size_px", "solidity", "touches_border", "col"}
    missing = sorted(required - set(table.columns))
    if missing:
        raise ValueError(f"the table lacks the columns {missing}; make it with measure()")
    if shape is None:
        raise ValueError("classify needs the image shape (shape=image.shape) to tell left from right")
    out = table.copy()
    kind = np.full(len(out), "cell", dtype=object)
    solid = out["solidity"].to_numpy(float)
    rules = [
        ("odd", solid < settings.min_solidity),
        ("too_big", out["size_px"].to_numpy() > settings.max_size),
        ("too_small", out["size_px"].to_numpy() < settings.min_size),
        ("border", out["touches_border"].to_numpy(bool) & settings.exclude_border),
    ]
    for name, hit in rules:  # later rules win: border is the strongest
        kind[hit] = name
    out["kind"] = pd.Series(kind, index=out.index, dtype=object)
    out["side"] = np.where(out["col"].to_numpy() < shape[-1] / 2, "left", "right")
    return out


def _axial_mean(angles_deg):
    """Mean direction and alignment (0 random .. 1 parallel) of axes."""
    if len(angles_deg) == 0:
        return math.nan, math.nan
    z = np.exp(2j * np.deg2rad(np.asarray(angles_deg, float))).mean()
    return math.degrees(np.angle(z)) / 2, float(abs(z))


def summarise(cells: pd.DataFrame, *, tissue_px: int, ndim: int,
              voxel_size_um: float | None = None, size: str = "size_px") -> dict:
    """Per-sample answers from a classified table (:func:`classify`).

    Only rows with ``kind == "cell"`` count. ``tissue_px`` is the size of the
    sample region in pixels (:func:`tissue`), ``ndim`` 2 or 3,
    ``size`` the column holding each object's size. The same function
    summarises a truth table (with ``size="volume_vox"`` or ``"area_px"``).

    Returns a dict: ``count`` and the number of each other kind
    (``n_too_big``, ...); ``tissue_px``; ``density_per_kpx`` (cells per 1000
    pixels of tissue) and, with ``voxel_size_um``, ``density_per_mm2`` or
    ``density_per_mm3``; ``count_left``/``count_right`` and
    ``more_cells_on``; ``mean_size_px`` and by side, and ``larger_cells_on``;
    ``mean_elongation`` (of the column ``elongation`` if the table has
    one, else major over minor axis); ``mean_orientation_deg`` and
    ``alignment`` (1 when
    all cells point the same way in the image plane, 0 when their
    directions are random).
    """
    if ndim not in (2, 3):
        raise ValueError(f"ndim must be 2 or 3, got {ndim!r}")
    for name in ("kind", "side", size):
        if name not in cells.columns:
            raise ValueError(f"the table lacks the column {name!r}; classify() it first "
                             "(or name the size column with size=...)")
    if isinstance(tissue_px, bool) or not isinstance(tissue_px, numbers.Integral) or tissue_px < 1:
        raise ValueError(f"tissue_px must be a positive integer number of pixels, got {tissue_px!r}")
    kind = cells["kind"].to_numpy()
    is_cell = kind == "cell"
    count = int(np.count_nonzero(is_cell))
    out = {"ndim": ndim, "count": count}
    for name in ("too_big", "odd", "too_small", "border"):
        out[f"n_{name}"] = int(np.count_nonzero(kind == name))
    out["tissue_px"] = int(tissue_px)
    out["density_per_kpx"] = 1000.0 * count / tissue_px
    if voxel_size_um is not None:
        mm = voxel_size_um * 1e-3
        out[f"density_per_mm{ndim}"] = count / (tissue_px * mm**ndim)
    side = cells["side"].to_numpy()[is_cell]
    left, right = side == "left", side == "right"
    out["count_left"], out["count_right"] = int(left.sum()), int(right.sum())
    out["more_cells_on"] = ("left" if left.sum() > right.sum()
                            else "right" if right.sum() > left.sum() else "equal")
    sizes = cells[size].to_numpy(float)[is_cell]
    mean = lambda values: float(values.mean()) if len(values) else math.nan  # noqa: E731
    out["mean_size_px"] = mean(sizes)
    out["mean_size_left_px"], out["mean_size_right_px"] = mean(sizes[left]), mean(sizes[right])
    a, b = out["mean_size_left_px"], out["mean_size_right_px"]
    out["larger_cells_on"] = ("left" if a > b else "right" if b > a else "equal")
    if "elongation" in cells:
        out["mean_elongation"] = mean(cells["elongation"].to_numpy(float)[is_cell])
    elif "major_axis_px" in cells and "minor_axis_px" in cells:
        ratio = cells["major_axis_px"].to_numpy(float) / cells["minor_axis_px"].to_numpy(float)
        out["mean_elongation"] = mean(ratio[is_cell])
    else:
        out["mean_elongation"] = math.nan
    angles = cells["orientation_deg"].to_numpy(float)[is_cell] if "orientation_deg" in cells else []
    out["mean_orientation_deg"], out["alignment"] = _axial_mean(angles)
    return out


@dataclasses.dataclass
class Result:
    """What :func:`analyse` found in one image.

    ``labels``: the labelled objects; ``objects``: the table of every object
    (:func:`measure` + :func:`classify`; solidity is measured for the
    objects that can be cells, those neither cut by the border nor outside
    the size limits, and is NaN for the others: ``measure(result.labels)``
    measures all); ``summary``: the dict of :func:`summarise`; ``level``:
    the threshold used; ``region``: the region the objects were counted in
    (the ``roi``, the sample found on a backdrop, or both), or None for the
    whole image.
    """

    labels: np.ndarray
    objects: pd.DataFrame
    summary: dict
    level: float
    region: np.ndarray | None = None

    @property
    def cells(self) -> pd.DataFrame:
        """The rows of :attr:`objects` that are single cells."""
        return self.objects[self.objects["kind"] == "cell"].reset_index(drop=True)


def analyse(image, settings: Settings | None = None, *, channel=None, roi=None) -> Result:
    """Run the whole pipeline on one 2D or 3D image (see the module doc).

    ``channel`` chooses what to analyse in a colour image (see
    :func:`as_gray`; a colour image is never taken for a volume). ``roi`` is
    an optional boolean mask of the image's shape: Otsu's threshold is
    computed inside it, objects are counted inside it, objects cut by its
    outline are ``"border"``, and densities are per pixel of it.
    """
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    image = _check_image(as_gray(image, channel))
    region = _check_region(roi, image.shape)
    if settings.connectivity > image.ndim:
        raise ValueError(f"connectivity must be at most {image.ndim} for a {image.ndim}D image, "
                         f"got {settings.connectivity}")
    smoothed = smooth(image, settings.sigma, settings.background)
    if settings.backdrop is not None:
        region = sample_region(smoothed, settings.backdrop, roi=region)
    mask, level = threshold(smoothed, settings.threshold, settings.polarity, within=region)
    if settings.backdrop == settings.polarity:
        # Objects and backdrop on the same side of the threshold: what joins
        # the backdrop at this level (the blurred rim of the sample) is backdrop.
        region = region & ~_reaching_border(mask | ~region)
    if region is not None:
        mask &= region
    if settings.fill_holes:
        mask = _fill_holes(mask, settings.max_size)
    labels, _ = label(mask, settings.connectivity)

    def may_be_cell(size, border):       # solidity only where it can matter
        maybe = (size >= settings.min_size) & (size <= settings.max_size)
        return maybe & ~border if settings.exclude_border else maybe

    objects = classify(measure(labels, solidity=may_be_cell, region=region), settings,
                       shape=image.shape)
    size = objects["size_px"].to_numpy()
    if region is not None:
        tissue_px = int(np.count_nonzero(region))
    elif settings.connectivity == 1:
        # The tissue is everything but the objects that reach the border
        # (tissue(mask) without labelling again).
        tissue_px = int(mask.size - size[objects["touches_border"].to_numpy(bool)].sum())
    else:
        tissue_px = int(np.count_nonzero(tissue(mask)))
    if tissue_px == 0:
        raise ValueError("no tissue left: every pixel belongs to an object that reaches the "
                         "border; are the objects "
                         f"{'dark' if settings.polarity == 'bright' else 'bright'} instead?")
    summary = summarise(objects, tissue_px=tissue_px, ndim=image.ndim,
                        voxel_size_um=settings.voxel_size_um)
    return Result(labels=labels, objects=objects, summary=summary, level=level, region=region)


# --------------------------------------------------------- command line
class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"error: {message} (see python -m common.analysis --help)\n")


def _channel(text: str):
    if text == "gray":
        return "gray"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a channel number or 'gray', got {text!r}") from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _level(text: str):
    if text == "otsu":
        return "otsu"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'otsu' or a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be 'otsu' or a finite number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m common.analysis",
        description="Count the objects (cells) of one image with the book's recipe: smooth, "
                    "threshold, label, measure, classify. Prints a JSON summary; --out writes "
                    "one row per object.",
        epilog="Settings not given are derived from the object sizes as "
               "common.analysis.Settings.for_objects does. Check them on a few images whose "
               "answer you know before you trust the counts.")
    parser.add_argument("image", metavar="IMAGE",
                        help="a PNG, JPEG or TIFF file: a 2D image or a 3D stack")
    parser.add_argument("--channel", type=_channel, metavar="N|gray",
                        help="colour channel to analyse (0 red, 1 green, 2 blue) or 'gray' for "
                             "the luminance; needed for a colour image whose channels differ")
    parser.add_argument("--polarity", choices=("bright", "dark"), default="bright",
                        help="objects brighter (default) or darker than their surroundings")
    parser.add_argument("--backdrop", choices=("bright", "dark"),
                        help="the sample lies on an empty backdrop of this brightness that "
                             "reaches the image border: threshold and densities in the sample")
    parser.add_argument("--min-size", type=_positive, default=4, metavar="PX",
                        help="smallest single object, pixels (area in 2D, volume in 3D); "
                             "default 4")
    parser.add_argument("--max-size", type=_positive, default=math.inf, metavar="PX",
                        help="largest single object, pixels; default: no limit")
    parser.add_argument("--sigma", type=float, metavar="S",
                        help="Gaussian smoothing, pixels; default: a quarter of the diameter "
                             "of the smallest object, at most 2")
    parser.add_argument("--threshold", type=_level, default="otsu", metavar="otsu|VALUE",
                        help="Otsu's method (default) or a gray value")
    parser.add_argument("--background", type=_positive, metavar="PX",
                        help="uneven illumination: subtract a Gaussian blur of this scale, "
                             "pixels (several times the largest object's diameter)")
    parser.add_argument("--min-solidity", type=float, default=0.0, metavar="X",
                        help="objects of lower solidity are 'odd' (touching, bent); default 0")
    parser.add_argument("--pixel-size", type=_positive, metavar="UM",
                        help="pixel (voxel) edge length in micrometres: densities per mm^2 "
                             "(mm^3) too")
    parser.add_argument("--roi", metavar="MASK",
                        help="an image file of the same shape; its nonzero pixels are the "
                             "region of interest")
    parser.add_argument("--keep-border", action="store_true",
                        help="count objects that touch the image border too")
    parser.add_argument("--out", metavar="CSV",
                        help="write one row per object to this CSV file (single cells have "
                             "kind 'cell')")
    parser.add_argument("--force", action="store_true", help="overwrite the --out file")
    return parser


def _plain(value):
    """JSON-friendly: numpy numbers as Python numbers, NaN as None."""
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    return value


def _run(args) -> dict:
    out = pathlib.Path(args.out) if args.out else None
    if out is not None:
        if out.exists() and not args.force:
            raise ValueError(f"{out} exists; choose another --out or pass --force to overwrite it")
        if not out.parent.is_dir():
            raise ValueError(f"cannot write {out}: the folder {out.parent} does not exist")
    raw = read_image(args.image)
    image = as_gray(raw, args.channel)
    if image.ndim not in (2, 3):
        raise ValueError(f"{args.image} has shape {raw.shape}; the analysis takes 2D images and "
                         "3D stacks")
    roi = None
    if args.roi:
        roi = as_gray(read_image(args.roi), "gray") != 0
        if roi.shape != image.shape:
            raise ValueError(f"the ROI {args.roi} has shape {roi.shape}, the image {image.shape}")
    changes = {"exclude_border": not args.keep_border, "min_solidity": args.min_solidity,
               "threshold": args.threshold}
    if args.sigma is not None:
        changes["sigma"] = args.sigma
    if args.background is not None:
        changes["background"] = args.background
    settings = Settings.for_objects(args.min_size, args.max_size, polarity=args.polarity,
                                    ndim=image.ndim, pixel_size_um=args.pixel_size,
                                    backdrop=args.backdrop, **changes)
    result = analyse(image, settings, roi=roi)
    s = result.summary
    summary = {"image": str(args.image), "shape": list(image.shape), "ndim": image.ndim,
               "count": s["count"], "too_big": s["n_too_big"], "odd": s["n_odd"],
               "too_small": s["n_too_small"], "border": s["n_border"],
               "tissue_px": s["tissue_px"], "density_per_1000px": s["density_per_kpx"]}
    unit = f"density_per_mm{image.ndim}"
    if unit in s:
        summary[unit] = s[unit]
    summary.update({"mean_size_px": s["mean_size_px"], "mean_elongation": s["mean_elongation"],
                    "threshold": result.level, "settings": settings.as_dict(),
                    "table": str(out) if out else None})
    if out is not None:
        result.objects.to_csv(out, index=False)
    return {key: _plain(value) for key, value in summary.items()}


def main(argv=None) -> int:
    """The command line: ``python -m common.analysis IMAGE [options]`` (see ``--help``).

    Prints the JSON summary on stdout and returns 0; on bad input prints one
    line ``error: ...`` on stderr and returns 2.
    """
    args = _parser().parse_args(argv)
    try:
        summary = _run(args)
    except (ValueError, OSError) as error:
        message = str(error).strip().replace("\n", " ") or type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
