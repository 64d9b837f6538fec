"""Bone slice with lacunae: the image of the lecture's "overwhelmed scientist".

The generator draws a section of cortical bone (dark) on a white background
and places the lacunae, the small holes in which bone cells live, as bright
ellipses inside it. Because the generator places every cell itself, it also
knows the truth: the table of all cells with their size, shape, orientation,
side and kind. Chapters measure the image and check the answer against it.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from ._registry import register, seed_param, shape_param
from ._shapes import ellipse_mask, region_table, smooth_noise

#: Kinds of objects in the truth table, and the rules that define them.
KINDS = ("cell", "too_big", "odd")
#: An object with more pixels than this is "too big" to be a single cell.
TOO_BIG_AREA = 40
#: An object whose convex hull is this much larger than itself is "odd".
ODD_SOLIDITY = 0.75

# Cells per 1000 pixels of bone on each side, and their semi-axes (pixels).
_DENSITY = {"dense": 5.5, "sparse": 3.4}
_SEMI_AXES = {"small": ((1.6, 2.4), (0.9, 1.3)), "large": ((2.3, 3.2), (1.2, 1.7))}


def _bone_mask(rng, shape):
    h, w = shape
    rows, cols = np.ogrid[:h, :w]
    tilt = np.deg2rad(rng.uniform(12, 24))
    cy = h / 2 + rng.uniform(-0.02, 0.02) * h
    cx = w / 2 + rng.uniform(-0.02, 0.02) * w
    dy, dx = rows - cy, cols - cx
    u = dx * np.cos(tilt) + dy * np.sin(tilt)       # across the bone
    v = -dx * np.sin(tilt) + dy * np.cos(tilt)      # along the bone
    ry, rx = 0.44 * h, 0.33 * w
    theta = np.arctan2(v / ry, u / rx)
    wobble = np.zeros_like(theta)
    for k in (2, 3, 4, 5):
        wobble = wobble + rng.uniform(0.03, 0.07) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    radius = np.sqrt((u / rx) ** 2 + (v / ry) ** 2)
    mask = radius <= 1.0 + wobble
    margin = 2
    mask[:margin], mask[-margin:], mask[:, :margin], mask[:, -margin:] = False, False, False, False
    return mask


def _odd_shape(shape, center, length, angle):
    """A bent, two-armed object (a 'V'): two thin ellipses sharing one end."""
    spread = 70.0
    mask = np.zeros(shape, bool)
    for sign in (-1, 1):
        a = np.deg2rad(angle + sign * spread / 2)
        # The arm's centre sits half an arm away from the common end.
        c = (center[0] - np.sin(a) * length / 2, center[1] + np.cos(a) * length / 2)
        mask |= ellipse_mask(shape, c, (length / 2 + 0.8, 1.0), np.degrees(a))
    return mask


@functools.lru_cache(maxsize=8)
def _generate(shape, seed):
    rng = np.random.default_rng([seed, 1_2021])
    h, w = shape
    bone = _bone_mask(rng, shape)
    # Cells stay clear of the outline, so none touches the white background.
    inner = ndi.binary_erosion(bone, np.ones((9, 9), bool))
    along = rng.uniform(60, 80)  # mean cell orientation, degrees

    # Which side gets more cells, and which side gets the larger ones, is
    # decided by the seed; the truth table records the outcome.
    dense_side = ("left", "right")[int(rng.integers(2))]
    large_side = ("left", "right")[int(rng.integers(2))]
    mid = w / 2
    side_of = np.where(np.arange(w)[None, :] < mid, "left", "right")

    plan = []
    for side in ("left", "right"):
        side_area = np.count_nonzero(bone & (side_of == side))
        density = _DENSITY["dense" if side == dense_side else "sparse"]
        n = int(round(density * side_area / 1000))
        size = "large" if side == large_side else "small"
        plan += [("cell", side, size)] * n
    n_extra = max(1, int(round(np.count_nonzero(bone) / 4000)))
    plan += [("too_big", None, None)] * n_extra + [("odd", None, None)] * n_extra
    order = rng.permutation(len(plan))
    plan = [plan[i] for i in order]

    occupied = np.zeros(shape, bool)   # placed objects grown by a gap
    objects = []
    gap = np.ones((7, 7), bool)        # at least 3 pixels between objects
    for kind, side, size in plan:
        allowed = inner & ~occupied
        if side is not None:
            allowed &= side_of == side
        candidates = np.flatnonzero(allowed)
        for _attempt in range(200):
            if candidates.size == 0:
                break
            idx = candidates[rng.integers(candidates.size)]
            center = (idx // w + rng.uniform(-0.5, 0.5), idx % w + rng.uniform(-0.5, 0.5))
            angle = along + rng.normal(0, 12)
            if kind == "cell":
                (a0, a1), (b0, b1) = _SEMI_AXES[size]
                mask = ellipse_mask(shape, center, (rng.uniform(a0, a1), rng.uniform(b0, b1)), angle)
            elif kind == "too_big":
                mask = ellipse_mask(shape, center, (rng.uniform(5.0, 6.5), rng.uniform(3.2, 4.2)), angle)
            else:
                mask = _odd_shape(shape, center, rng.uniform(6.0, 8.0), angle + 90)
            if mask.sum() >= 3 and not (mask & ~inner).any() and not (mask & occupied).any():
                break
        else:
            raise RuntimeError(f"could not place a {kind} in a bone slice of shape {shape}")
        if candidates.size == 0:
            raise RuntimeError(f"no room left for a {kind} in a bone slice of shape {shape}")
        occupied |= ndi.binary_dilation(mask, gap)
        objects.append((kind, mask))

    # Intensities: bone 10-62 with a slow texture, lacunae and background bright.
    texture = smooth_noise(rng, shape, sigma=6.0)
    grain = rng.standard_normal(shape)
    img = np.full(shape, 255.0)
    img[bone] = (36.0 + 9.0 * texture + 3.0 * grain)[bone]
    img = np.clip(img, 10.0, 62.0, where=bone, out=img)
    cells = np.zeros(shape, bool)
    for _, mask in objects:
        cells |= mask
    img[cells] = np.clip(228.0 + 12.0 * rng.standard_normal(shape), 190.0, 255.0)[cells]
    # A slight blur: the optics of the microscope.
    img = ndi.gaussian_filter(img, 0.5, mode="nearest")
    image = np.clip(np.rint(img), 0, 255).astype(np.uint8)

    rows = []
    for kind, mask in objects:
        area, r0, c0, major, minor, angle = region_table(mask)
        hull = _convex_area(mask)
        rows.append({
            "row": r0, "col": c0, "area_px": area,
            "major_axis_px": major, "minor_axis_px": minor,
            "orientation_deg": angle, "solidity": area / hull,
            "side": "left" if c0 < mid else "right", "kind": kind,
        })
    table = pd.DataFrame(rows).sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    for col in ("row", "col", "major_axis_px", "minor_axis_px", "orientation_deg", "solidity"):
        table[col] = table[col].round(3)
    table.insert(0, "cell_id", np.arange(1, len(table) + 1, dtype=np.int64))
    table["area_px"] = table["area_px"].astype(np.int64)
    return image, table


def _convex_area(mask):
    from skimage.morphology import convex_hull_image

    return int(np.count_nonzero(convex_hull_image(mask)))


_PARAMS = (shape_param((180, 140), 64, 1024), seed_param(0))


@register("bone_slice",
          "Bone section with bright lacunae (cell holes), 180 x 140 uint8",
          sha256="896dc39d93abb4dc4c79f0b379852940d3a8d298a974cdb866a3f64dc847f8a9",
          params=_PARAMS)
def bone_slice(shape=(180, 140), seed=0):
    """Light micrograph of a bone section with lacunae (cell holes).

    What it depicts
        A slice through cortical bone: the bone matrix is dark, the
        background outside the sample is white, and the lacunae, the small
        cavities that hold the bone cells (osteocytes), show up as bright
        specks inside the bone, elongated along the bone's axis. Among them
        are a few objects that a careful analysis should not count as one
        cell: some are far too big, some have an odd, bent shape.

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(rows, cols)`` =
        ``shape`` (default ``(180, 140)``); axis 0 runs top to bottom,
        axis 1 left to right. One pixel is one unit of length (the book
        measures in pixels). Values: background 255, bone 10 to 62, lacunae
        about 190 to 255; a threshold anywhere between 100 and 150 separates
        lacunae from bone.

    How it is made
        A tilted ellipse with a wobbly outline is the bone; cells are placed
        at random inside it (at least 4 pixels from its edge and 3 pixels
        apart), with one side denser and one side holding the larger cells
        (which ones is drawn from the seed); a few too-big ellipses and bent
        two-armed objects are added. Gray levels get a slow texture and
        grain, and the whole image a blur of 0.5 pixel. Everything follows
        from ``seed``.

    Ground truth
        ``load("bone_slice_cells")`` with the same parameters: one row per
        object.
    """
    return _generate(tuple(shape), seed)[0].copy()


@register("bone_slice_cells",
          "Truth table of every object in bone_slice: position, size, shape, side, kind",
          sha256="6d8a080a048fc3f4c67e112f71e3d6c3c5d8b097dee18231dfea0b43579f1307",
          params=_PARAMS)
def bone_slice_cells(shape=(180, 140), seed=0):
    """The true objects of ``bone_slice`` (same ``shape`` and ``seed``).

    ``pandas.DataFrame``, one row per object, sorted by row then column:

    ========================  ======  =============================================
    column                    dtype   meaning
    ========================  ======  =============================================
    ``cell_id``               int64   1, 2, ... in that order
    ``row``, ``col``          float   centroid, pixels (axis 0 down, axis 1 right)
    ``area_px``               int64   number of pixels of the object's mask
    ``major_axis_px``         float   length of the major axis, pixels, as
                                      ``skimage.measure.regionprops`` defines it
    ``minor_axis_px``         float   length of the minor axis, pixels
    ``orientation_deg``       float   major axis angle, degrees counter-clockwise
                                      from the horizontal as displayed, (-90, 90]
    ``solidity``              float   area / area of the convex hull
    ``side``                  str     ``"left"`` if the centroid lies in the left
                                      half of the image, else ``"right"``
    ``kind``                  str     ``"cell"``: a single lacuna;
                                      ``"too_big"``: area above 40 pixels;
                                      ``"odd"``: bent, solidity below 0.75
    ========================  ======  =============================================

    Geometry is measured on the object masks before blur and noise, so it is
    exact; an analysis of the image should recover the count and sides of
    the cells exactly and their areas to within a pixel or two.
    """
    return _generate(tuple(shape), seed)[1].copy()
