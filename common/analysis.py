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

import dataclasses
import math
import numbers

import numpy as np
import pandas as pd
from scipy import ndimage as ndi
from scipy.spatial import ConvexHull

__all__ = ["Settings", "Result", "BONE_SLICE", "BONE_VOLUME", "COINS", "KINDS",
           "smooth", "threshold", "label", "measure", "classify", "tissue",
           "summarise", "analyse", "axis_names"]

#: Kinds an object can be classified as, in the order the rules are applied.
KINDS = ("border", "too_small", "too_big", "odd", "cell")

#: Objects larger than this (pixels) get no solidity (it would be slow and
#: they are never single cells): NaN.
SOLIDITY_MAX_SIZE = 50_000


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The parameters of the analysis, checked when made.

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
        populations of gray values.
    polarity
        ``"bright"`` if objects are brighter than their surroundings,
        ``"dark"`` if darker.
    fill_holes
        Fill holes inside objects (e.g. dark details on a bright coin).
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

    def replace(self, **changes) -> "Settings":
        """A copy with some parameters changed (and checked)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """The parameters as a plain dict (``max_size`` inf becomes None)."""
        out = dataclasses.asdict(self)
        if out["max_size"] == math.inf:
            out["max_size"] = None
        return out


#: The book's 2D bone slice (``data.load("bone_slice")``): bright lacunae,
#: too big above 40 pixels, odd below a solidity of 0.75 (the rules of its
#: truth table).
BONE_SLICE = Settings(sigma=0.5, threshold=128, max_size=40, min_solidity=0.75)
#: The 3D samples of the synthetic cohort (:class:`common.data.cohort.Cohort`):
#: 2 micrometre voxels, cells of about 20 to 150 voxels.
BONE_VOLUME = Settings(sigma=0.6, threshold=110, max_size=250, min_solidity=0.7,
                       voxel_size_um=2.0)
#: scikit-image's photograph of 24 coins (``skimage.data.coins()``): uneven
#: lighting removed with a 30-pixel background, Otsu's threshold, holes
#: filled; coins touching the border count.
COINS = Settings(sigma=2.0, background=30.0, threshold="otsu", fill_holes=True,
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


def axis_names(ndim: int) -> tuple[str, ...]:
    """Names of the position columns: ``("row", "col")`` or ``("z", "row", "col")``."""
    if ndim == 2:
        return ("row", "col")
    if ndim == 3:
        return ("z", "row", "col")
    raise ValueError(f"images must have 2 or 3 dimensions, got {ndim}")


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


def threshold(image, level: float | str = "otsu", polarity: str = "bright"):
    """Split ``image`` into objects (True) and surroundings.

    ``level`` is a number or ``"otsu"``; objects are the pixels above it
    (``polarity="bright"``) or below it (``"dark"``). Returns
    ``(mask, level)`` with the level actually used.
    """
    Settings(threshold=level, polarity=polarity)
    image = _check_image(image)
    if level == "otsu":
        from skimage.filters import threshold_otsu

        if image.min() == image.max():
            raise ValueError("Otsu's threshold needs an image with more than one gray value; "
                             f"this one is {image.min()} everywhere")
        level = float(threshold_otsu(image))
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


# The midpoints of the faces of a pixel (voxel): +-0.5 along each axis.
_FACES = {d: np.concatenate([np.eye(d) * 0.5, -np.eye(d) * 0.5]) for d in (2, 3)}


def _solidity(coords: np.ndarray) -> float:
    """Size over the number of pixels whose centres lie in the convex hull.

    The hull is that of the midpoints of the pixels' faces, and the pixels
    it covers are counted as :func:`skimage.morphology.convex_hull_image`
    (which ``regionprops`` uses for its ``solidity``) does.
    """
    ndim = coords.shape[1]
    hull = ConvexHull((coords[:, None, :] + _FACES[ndim][None]).reshape(-1, ndim))
    lo = coords.min(axis=0)
    hi = coords.max(axis=0)
    grid = np.stack(np.meshgrid(*[np.arange(a, b + 1, dtype=float) for a, b in zip(lo, hi)],
                                indexing="ij"), axis=-1).reshape(-1, ndim)
    distance = grid @ hull.equations[:, :-1].T
    distance += hull.equations[:, -1]
    covered = int(np.count_nonzero((distance <= 1e-9).all(axis=1)))
    return coords.shape[0] / max(covered, coords.shape[0])


def measure(labels, *, solidity: bool = True) -> pd.DataFrame:
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
        major over minor axis length: 1 for a circle or sphere.
    ``orientation_deg``
        direction of the major axis in the image plane (projected, in 3D),
        degrees counter-clockwise from the horizontal as displayed, in
        (-90, 90].
    ``tilt_deg`` (3D only)
        angle between the major axis and the image plane (rows, cols): 0 in
        the plane, 90 along z.
    ``solidity``
        size over the size of the convex hull; 1 for convex objects, lower
        for bent or branched ones. NaN above :data:`SOLIDITY_MAX_SIZE`
        pixels, or with ``solidity=False``.
    ``touches_border``
        whether the object touches the edge of the image.
    """
    labels = _check_image(labels, "labels")
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be an integer array (from label()), got dtype {labels.dtype}")
    if labels.min() < 0:
        raise ValueError(f"labels must be 0 (surroundings) or positive, found {labels.min()}")
    ndim = labels.ndim
    names = axis_names(ndim)
    rows = []
    for index, box in enumerate(ndi.find_objects(labels)):
        if box is None:
            continue
        number = index + 1
        local = np.nonzero(labels[box] == number)
        coords = np.stack([c + s.start for c, s in zip(local, box)], axis=1)
        size = coords.shape[0]
        centroid = coords.mean(axis=0)
        d = coords - centroid
        cov = d.T @ d / size
        evals, evecs = np.linalg.eigh(cov)
        lengths = 2.0 * np.sqrt((ndim + 2) * np.clip(evals[::-1], 0.0, None))
        major = evecs[:, -1]
        vr, vc = major[-2], major[-1]
        orientation = math.degrees(math.atan2(-vr, vc))
        if orientation <= -90:
            orientation += 180
        elif orientation > 90:
            orientation -= 180
        row = {"label": number}
        row.update(zip(names, centroid.tolist()))
        row["size_px"] = size
        row["major_axis_px"] = lengths[0]
        if ndim == 3:
            row["middle_axis_px"] = lengths[1]
        row["minor_axis_px"] = lengths[-1]
        row["elongation"] = lengths[0] / lengths[-1] if lengths[-1] > 0 else math.inf
        row["orientation_deg"] = orientation
        if ndim == 3:
            row["tilt_deg"] = math.degrees(math.asin(min(1.0, abs(major[0]))))
        row["solidity"] = (_solidity(coords) if solidity and size <= SOLIDITY_MAX_SIZE
                           else math.nan)
        row["touches_border"] = any(s.start == 0 or s.stop == n
                                    for s, n in zip(box, labels.shape))
        rows.append(row)
    columns = (["label", *names, "size_px", "major_axis_px"]
               + (["middle_axis_px"] if ndim == 3 else [])
               + ["minor_axis_px", "elongation", "orientation_deg"]
               + (["tilt_deg"] if ndim == 3 else []) + ["solidity", "touches_border"])
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"label": np.int64, "size_px": np.int64, "touches_border": bool})


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


def tissue(mask) -> np.ndarray:
    """The sample's region: the surroundings of the objects, holes filled.

    With bright cells in dark bone on a bright background, the surroundings
    (``~mask``) are the bone; filling its holes adds back the cells that lie
    inside it, while the background, which reaches the image border, stays
    out. Densities are counts per volume of this region.
    """
    mask = _check_image(mask, "mask")
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array, got dtype {mask.dtype}")
    return ndi.binary_fill_holes(~mask)


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
    sample region in pixels (:func:`tissue`), ``width`` the number of
    columns of the image (to split left from right), ``ndim`` 2 or 3,
    ``size`` the column holding each object's size. The same function
    summarises a truth table (with ``size="volume_vox"`` or ``"area_px"``).

    Returns a dict: ``count`` and the number of each other kind
    (``n_too_big``, ...); ``tissue_px``; ``density_per_kpx`` (cells per 1000
    pixels of tissue) and, with ``voxel_size_um``, ``density_per_mm2`` or
    ``density_per_mm3``; ``count_left``/``count_right`` and
    ``more_cells_on``; ``mean_size_px`` and by side, and ``larger_cells_on``;
    ``mean_elongation``; ``mean_orientation_deg`` and ``alignment`` (1 when
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
    kinds = cells["kind"].value_counts()
    cell = cells[cells["kind"] == "cell"]
    out = {"ndim": ndim, "count": int(len(cell))}
    for kind in ("too_big", "odd", "too_small", "border"):
        out[f"n_{kind}"] = int(kinds.get(kind, 0))
    out["tissue_px"] = int(tissue_px)
    out["density_per_kpx"] = 1000.0 * len(cell) / tissue_px
    if voxel_size_um is not None:
        mm = voxel_size_um * 1e-3
        out[f"density_per_mm{ndim}"] = len(cell) / (tissue_px * mm**ndim)
    left = cell[cell["side"] == "left"]
    right = cell[cell["side"] == "right"]
    out["count_left"], out["count_right"] = int(len(left)), int(len(right))
    out["more_cells_on"] = ("left" if len(left) > len(right)
                            else "right" if len(right) > len(left) else "equal")
    mean = lambda frame: float(frame[size].mean()) if len(frame) else math.nan  # noqa: E731
    out["mean_size_px"] = mean(cell)
    out["mean_size_left_px"], out["mean_size_right_px"] = mean(left), mean(right)
    a, b = out["mean_size_left_px"], out["mean_size_right_px"]
    out["larger_cells_on"] = ("left" if a > b else "right" if b > a else "equal")
    if "major_axis_px" in cell and "minor_axis_px" in cell and len(cell):
        out["mean_elongation"] = float((cell["major_axis_px"] / cell["minor_axis_px"]).mean())
    else:
        out["mean_elongation"] = math.nan
    angles = cell["orientation_deg"] if "orientation_deg" in cell else []
    out["mean_orientation_deg"], out["alignment"] = _axial_mean(angles)
    return out


@dataclasses.dataclass
class Result:
    """What :func:`analyse` found in one image.

    ``labels``: the labelled objects; ``objects``: the table of every object
    (:func:`measure` + :func:`classify`); ``summary``: the dict of
    :func:`summarise`; ``level``: the threshold used.
    """

    labels: np.ndarray
    objects: pd.DataFrame
    summary: dict
    level: float

    @property
    def cells(self) -> pd.DataFrame:
        """The rows of :attr:`objects` that are single cells."""
        return self.objects[self.objects["kind"] == "cell"].reset_index(drop=True)


def analyse(image, settings: Settings | None = None) -> Result:
    """Run the whole pipeline on one 2D or 3D image (see the module doc)."""
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    image = _check_image(image)
    if settings.connectivity > image.ndim:
        raise ValueError(f"connectivity must be at most {image.ndim} for a {image.ndim}D image, "
                         f"got {settings.connectivity}")
    smoothed = smooth(image, settings.sigma, settings.background)
    mask, level = threshold(smoothed, settings.threshold, settings.polarity)
    if settings.fill_holes:
        mask = ndi.binary_fill_holes(mask)
    labels, _ = label(mask, settings.connectivity)
    objects = classify(measure(labels), settings, shape=image.shape)
    summary = summarise(objects, tissue_px=int(np.count_nonzero(tissue(mask))),
                        ndim=image.ndim,
                        voxel_size_um=settings.voxel_size_um)
    return Result(labels=labels, objects=objects, summary=summary, level=level)
