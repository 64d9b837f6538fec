"""Bone cell map: the binary image behind the "left or right?" questions.

A segmented section through two pieces of cortical bone, seen as a map of
the bone cells (osteocyte lacunae) only: every cell is a small white object,
everything else (the bone matrix and the gap between the two pieces) is
black. The two pieces are tilted vertical strips, one on the left and one on
the right of the picture, so questions like "are there more cells on the
left?" have a clear meaning.

The generator places every object itself, so it knows the truth: the table
of all objects with position, area, shape, orientation, side and kind.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from ._registry import register, seed_param, shape_param
from ._shapes import ellipse_mask, region_table

#: Kinds of objects in the truth table, and the rules that define them.
KINDS = ("cell", "too_big", "odd")
#: An object with more pixels than this is "too big" to be a single cell.
TOO_BIG_AREA = 60
#: An object (not too big) whose convex hull is this much larger than itself is "odd".
ODD_SOLIDITY = 0.7

# Cells per 1000 pixels of strip on the denser and on the sparser side.
_DENSITY = {"dense": 4.2, "sparse": 2.6}
# Semi-axes (pixels) of the cells, along and across their long axis.
_SEMI_AXES = {"small": ((2.0, 2.8), (0.95, 1.3)), "large": ((2.9, 3.8), (1.25, 1.7))}
# Spread (degrees, standard deviation) of cell orientation about the strip axis.
_SPREAD = {"aligned": 7.0, "loose": 22.0}
# Safety margins that keep the measured kind equal to the true kind.
_CELL_MAX_AREA = 30
_CELL_MIN_SOLIDITY = 0.8
_TOO_BIG_MIN_AREA = 80
_ODD_MAX_AREA = 50
_ODD_MAX_SOLIDITY = 0.6
# Every object is at least this many pixels from every other one.
_GAP = 2


def _unit_noise_1d(rng, n, sigma):
    """Smooth 1D noise with unit standard deviation (analytic scale)."""
    white = rng.standard_normal(n)
    smooth = ndi.gaussian_filter1d(white, sigma, mode="reflect")
    return np.round(smooth * np.sqrt(2.0 * np.sqrt(np.pi) * sigma), 4)


def _strips(rng, shape):
    """Masks of the left and the right strip, and the direction of each.

    Each strip runs from the top to the bottom edge; its centre line is a
    straight, tilted line, its half-width changes linearly from top to bottom
    and both edges wobble slowly.
    """
    h, w = shape
    rows = np.arange(h)[:, None]
    cols = np.arange(w)[None, :]
    frac = rows / (h - 1)
    layout = {  # centre at top and bottom, half-width at top and bottom (x w)
        "left": ((0.12, 0.15), (0.13, 0.17), (0.075, 0.095), (0.10, 0.12)),
        "right": ((0.80, 0.85), (0.68, 0.72), (0.055, 0.075), (0.10, 0.12)),
    }
    masks, axis_deg = {}, {}
    for side, ((c0, c1), (b0, b1), (t0, t1), (u0, u1)) in layout.items():
        c_top, c_bot = rng.uniform(c0, c1) * w, rng.uniform(b0, b1) * w
        hw_top, hw_bot = rng.uniform(t0, t1) * w, rng.uniform(u0, u1) * w
        centre = c_top + (c_bot - c_top) * frac
        half = hw_top + (hw_bot - hw_top) * frac
        wobble = 0.012 * w
        lo = centre - half + wobble * _unit_noise_1d(rng, h, 30.0)[:, None]
        hi = centre + half + wobble * _unit_noise_1d(rng, h, 30.0)[:, None]
        mask = (cols >= lo) & (cols <= hi)
        # Each strip stays in its own half, so "side" is never ambiguous.
        mask &= (cols < 0.46 * w) if side == "left" else (cols > 0.54 * w)
        masks[side] = mask
        # Direction of the strip's axis as displayed: degrees counter-clockwise
        # from the horizontal, pointing from the bottom end to the top end.
        axis_deg[side] = float(np.degrees(np.arctan2(h - 1, c_top - c_bot)))
    return masks, axis_deg


def _patch(size):
    """Side length of a square patch that holds an object of radius ``size``."""
    return 2 * int(np.ceil(size)) + 2 * _GAP + 3


def _draw(rng, kind, size_class, axis_deg, spread):
    """One object drawn in its own small patch (mask, its radius)."""
    if kind == "cell":
        (a0, a1), (b0, b1) = _SEMI_AXES[size_class]
        a, b = rng.uniform(a0, a1), rng.uniform(b0, b1)
        angle = axis_deg + rng.normal(0.0, spread)
        n = _patch(a)
        c = n / 2 + rng.uniform(-0.5, 0.5, 2)
        return ellipse_mask((n, n), c, (a, b), angle)
    if kind == "too_big":
        # A vascular canal: a large blob, or the rim of one.
        a, b = rng.uniform(6.0, 9.0), rng.uniform(4.5, 6.5)
        angle = axis_deg + rng.normal(0.0, 15.0)
        n = _patch(a)
        c = n / 2 + rng.uniform(-0.5, 0.5, 2)
        outer = ellipse_mask((n, n), c, (a, b), angle)
        if rng.uniform() < 0.5:
            return outer
        return outer & ~ellipse_mask((n, n), c, (a - 2.2, b - 2.2), angle)
    # "odd": a thin arc, like a fragment of a canal's edge or a crack.
    radius = rng.uniform(5.0, 7.5)
    span = np.deg2rad(rng.uniform(130.0, 200.0))
    start = rng.uniform(0.0, 2.0 * np.pi)
    n = _patch(radius + 1.0)
    rr, cc = np.mgrid[:n, :n]
    dy, dx = -(rr - n / 2), cc - n / 2
    dist = np.hypot(dx, dy)
    phi = np.mod(np.arctan2(dy, dx) - start, 2.0 * np.pi)
    return (np.abs(dist - radius) <= 0.85) & (phi <= span)


def _is_acceptable(kind, mask):
    """True when the object is one 4-connected piece of the right kind."""
    labels, n = ndi.label(mask)  # 4-connectivity: one piece under any rule
    if n != 1:
        return False
    area = int(mask.sum())
    if kind == "cell":
        return 5 <= area <= _CELL_MAX_AREA and area / _convex_area(mask) >= _CELL_MIN_SOLIDITY
    if kind == "too_big":
        return area >= _TOO_BIG_MIN_AREA
    return area <= _ODD_MAX_AREA and area / _convex_area(mask) <= _ODD_MAX_SOLIDITY


def _convex_area(mask):
    from skimage.morphology import convex_hull_image

    return int(np.count_nonzero(convex_hull_image(mask)))


@functools.lru_cache(maxsize=8)
def _generate(shape, seed):
    rng = np.random.default_rng([seed, 557_2021])
    h, w = shape
    masks, axis_deg = _strips(rng, shape)

    # Which side has more cells, which side has the larger cells and which
    # side has the better aligned cells is decided by the seed; the truth
    # table records the outcome.
    dense_side = ("left", "right")[int(rng.integers(2))]
    large_side = ("left", "right")[int(rng.integers(2))]
    aligned_side = ("left", "right")[int(rng.integers(2))]

    plan = []  # (kind, side, size class); the big objects go first
    n_extra = {}
    for side in ("left", "right"):
        area = int(np.count_nonzero(masks[side]))
        n_extra[side] = max(1, int(round(area / 15000)))
    for kind in ("too_big", "odd"):
        for side in ("left", "right"):
            plan += [(kind, side, None)] * n_extra[side]
    cells = []
    for side in ("left", "right"):
        area = int(np.count_nonzero(masks[side]))
        density = _DENSITY["dense" if side == dense_side else "sparse"]
        size = "large" if side == large_side else "small"
        cells += [("cell", side, size)] * int(round(density * area / 1000))
    plan += [cells[i] for i in rng.permutation(len(cells))]

    # Where an object's patch may go: fully inside its strip and the image.
    image = np.zeros(shape, bool)
    occupied = np.zeros(shape, bool)  # placed objects, grown by the gap
    gap = np.ones((2 * _GAP + 1, 2 * _GAP + 1), bool)
    objects = []
    centres = {}
    for kind, side, size_class in plan:
        spread = _SPREAD["aligned" if side == aligned_side else "loose"]
        for _attempt in range(300):
            mask = _draw(rng, kind, size_class, axis_deg[side], spread)
            if _is_acceptable(kind, mask):
                break
        else:  # pragma: no cover - the ranges above make this unreachable
            raise RuntimeError(f"could not draw a {kind} for a bone cell map")
        n = mask.shape[0]
        # Centres whose whole (odd-sized, square) patch lies in the strip.
        if (side, n) not in centres:
            inside = ndi.minimum_filter(masks[side].view(np.uint8), size=n,
                                        mode="constant", cval=0)
            centres[side, n] = np.flatnonzero(inside)
        candidates = centres[side, n]
        window = None
        for _attempt in range(400 if candidates.size else 0):
            idx = int(candidates[rng.integers(candidates.size)])
            r0, c0 = idx // w - n // 2, idx % w - n // 2
            trial = (slice(r0, r0 + n), slice(c0, c0 + n))
            if not (occupied[trial] & mask).any():
                window = trial
                break
        if window is None:
            raise RuntimeError(
                f"no room left for a {kind} in a bone cell map of shape {shape}; "
                "use a larger shape")
        image[window] |= mask
        occupied[window] |= ndi.binary_dilation(mask, gap)
        objects.append((kind, side, r0, c0, mask))

    rows = []
    for kind, side, r0, c0, mask in objects:
        area, rr, cc, major, minor, angle = region_table(mask)
        rows.append({
            "row": r0 + rr, "col": c0 + cc, "area_px": area,
            "major_axis_px": major, "minor_axis_px": minor,
            "orientation_deg": angle, "solidity": area / _convex_area(mask),
            "side": side, "kind": kind,
        })
    table = pd.DataFrame(rows).sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    for col in ("row", "col", "major_axis_px", "minor_axis_px", "orientation_deg", "solidity"):
        table[col] = table[col].round(3)
    table.insert(0, "cell_id", np.arange(1, len(table) + 1, dtype=np.int64))
    table["area_px"] = table["area_px"].astype(np.int64)
    return image, table


_PARAMS = (shape_param((557, 557), 256, 1024), seed_param(0))


@register("bone_cells",
          "Binary map of bone cells in two tilted cortical strips (left, right), 557 x 557 bool",
          sha256="f7512f8e99691f09753d91ce4069679b2db7d7b9951346ba34f93a7fb4461971",
          params=_PARAMS)
def bone_cells(shape=(557, 557), seed=0):
    """Binary map of the bone cells in a section through two pieces of bone.

    What it depicts
        A segmented microscope image of cortical bone in which only the
        bone cells (more precisely their lacunae, the cavities they live
        in) are kept: each cell is a small white object, elongated along
        the bone. The bone itself and the space around it are black. The
        section cuts two pieces of bone, seen as two roughly vertical,
        slightly tilted strips full of cells: one in the left half of the
        picture and one in the right half, with nothing in between. Besides
        the cells there are a few objects that a careful count leaves out:
        vascular canals, far too big to be one cell (filled, or only their
        rim), and thin curved fragments with an odd, bent shape.

    Array
        ``numpy.ndarray``, dtype ``bool``, shape ``(rows, cols)`` =
        ``shape`` (default ``(557, 557)``); axis 0 runs top to bottom,
        axis 1 left to right. ``True`` (white) is an object, ``False``
        (black) is not. One pixel is one unit of length (the book measures
        in pixels).

    How it is made
        Each strip is the band between two slowly wobbling edges around a
        straight, tilted centre line; it narrows towards the top, like the
        bone in the original course data. The objects are drawn one by one
        (ellipses for cells and filled canals, elliptic rings for canal
        rims, circular arcs for the odd fragments) and dropped at random
        positions inside their strip, never closer than 2 pixels to another
        object, so that each object is one connected piece and labelling
        the image finds every object exactly once. Three things are drawn
        from the seed: the side with more cells (4.2 instead of 2.6 cells
        per 1000 pixels of strip), the side with the larger cells (mean
        area about 15.5 instead of 8.5 pixels) and the side whose cells are
        better aligned with the strip (orientation spread 7 instead of 22
        degrees). Everything follows from ``seed``; the image has exactly
        the objects of the truth table.

    Ground truth
        ``load("bone_cells_truth")`` with the same parameters: one row per
        object, with its side and kind. The kinds follow fixed rules that
        anyone can apply to a measurement of the image: ``"too_big"`` when
        the area exceeds 60 pixels, otherwise ``"odd"`` when the solidity
        (area over convex hull area) is below 0.7, otherwise ``"cell"``.
        Every object respects these rules with a margin (cells have at most
        30 pixels and a solidity of at least 0.8; too big objects at least
        80 pixels; odd ones at most 50 pixels and a solidity of at most 0.6).
    """
    return _generate(tuple(shape), seed)[0].copy()


@register("bone_cells_truth",
          "Truth table of every object in bone_cells: position, area, shape, orientation, side, kind",
          sha256="37b6b3722281ea35f7700ab96d7229379e618f58eace98758bce0465e53851fd",
          params=_PARAMS)
def bone_cells_truth(shape=(557, 557), seed=0):
    """The true objects of ``bone_cells`` (same ``shape`` and ``seed``).

    ``pandas.DataFrame``, one row per object, sorted by row then column:

    ========================  ======  =============================================
    column                    dtype   meaning
    ========================  ======  =============================================
    ``cell_id``               int64   1, 2, ... in that order
    ``row``, ``col``          float   centroid, pixels (axis 0 down, axis 1 right)
    ``area_px``               int64   number of pixels of the object
    ``major_axis_px``         float   length of the major axis, pixels, as
                                      ``skimage.measure.regionprops`` defines it
    ``minor_axis_px``         float   length of the minor axis, pixels
    ``orientation_deg``       float   major axis angle, degrees counter-clockwise
                                      from the horizontal as displayed, (-90, 90]
    ``solidity``              float   area / area of the convex hull
    ``side``                  str     ``"left"`` or ``"right"``: the strip the
                                      object lies in, which is also the half of
                                      the image that holds its centroid
    ``kind``                  str     ``"cell"``: a single cell;
                                      ``"too_big"``: area above 60 pixels;
                                      ``"odd"``: solidity below 0.7
    ========================  ======  =============================================

    The image is binary and each object is drawn exactly as measured here,
    so labelling the image (``skimage.measure.label``, either connectivity)
    recovers every row: the same count, the same centroids and areas to the
    pixel, and the same side and kind when the rules above are applied.
    Values are rounded to 3 decimals.
    """
    return _generate(tuple(shape), seed)[1].copy()
