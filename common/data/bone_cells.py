"""Bone cell map: the image behind the "left or right?" questions.

A section through two pieces of cortical bone, seen as a map of the bone
cells (osteocyte lacunae) only: every cell is a small bright object, the
bone matrix is nearly black and the gap between the two pieces black. The
two pieces are tilted vertical strips, one on the left and one on the right
of the picture, so questions like "are there more cells on the left?" have a
clear meaning. The map is recorded through the imaging model of
:mod:`common.data.imaging` (partial volume, blur, counting noise, 8 bits),
so it is gray and anti-aliased like the original course image, not binary.

The generator places every object itself, so it knows the truth: the table
of all objects with their exact position, area, shape, orientation, side
and kind, and whether they touch another object or the image border.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import imaging
from ._objects import blob, fine_geometry, ring_arc
from ._registry import register, seed_param, shape_param

#: Kinds of objects in the truth table, and the rules that define them.
KINDS = ("cell", "too_big", "odd")
#: An object with more pixels than this is "too big" to be a single cell.
TOO_BIG_AREA = 60
#: An object (not too big) whose convex hull is this much larger than itself is "odd".
ODD_SOLIDITY = 0.7

#: The instrument that records the map (see :mod:`common.data.imaging`).
INSTRUMENT = imaging.Instrument(oversample=4, psf_sigma=0.5, counts=4.0, dtype="uint8",
                                low=0.0, high=255.0)
#: Gray levels before the instrument: the faint bone matrix and the cells.
MATRIX, CELL = 0.3, 270.0

# Cells per 1000 pixels of strip on the denser and on the sparser side.
_DENSITY = {"dense": 6.8, "sparse": 4.2}
# Semi-axes (pixels) of the cells, along and across their long axis; and of
# a lacuna whose tip only is in the section (a 1-2 pixel speck).
_SEMI_AXES = {"small": ((1.6, 2.6), (0.55, 0.85)), "large": ((2.3, 3.6), (0.75, 1.1))}
_GRAZED_AXES = ((0.6, 1.0), (0.45, 0.7))
_GRAZED_SHARE = 0.3
# Share of the cells placed right next to another one (they touch in the image).
_TOUCHING_SHARE = 0.1
# Spread (degrees, standard deviation) of cell orientation about the strip axis.
_SPREAD = {"aligned": 10.0, "loose": 16.0}
# Margins that keep each object's true geometry clear of the kind rules.
_CELL_MAX_AREA = 30
_CELL_MIN_SOLIDITY = 0.8
_TOO_BIG_MIN_AREA = 80
_ODD_MAX_AREA = 50
_ODD_MAX_SOLIDITY = 0.6


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


def _cell(rng, center, size_class, axis_deg, spread, grazed):
    """A lacuna: an irregular ellipse along the strip (or the small cut tip of one)."""
    (a0, a1), (b0, b1) = _GRAZED_AXES if grazed else _SEMI_AXES[size_class]
    a, b = rng.uniform(a0, a1), rng.uniform(b0, b1)
    wobble = [(k, rng.uniform(0.0, amp), rng.uniform(0, 2 * np.pi))
              for k, amp in ((2, 0.15), (3, 0.15), (5, 0.08))]
    return blob(center, (a, b), axis_deg + rng.normal(0.0, spread), wobble)


def _too_big(rng, center, axis_deg):
    """A vascular canal: a large blob, or the rim of one."""
    a, b = rng.uniform(6.0, 9.0), rng.uniform(4.5, 6.5)
    angle = axis_deg + rng.normal(0.0, 15.0)
    wobble = [(k, rng.uniform(0.0, 0.12), rng.uniform(0, 2 * np.pi)) for k in (2, 3, 4)]
    outer, radius = blob(center, (a, b), angle, wobble)
    if rng.uniform() < 0.25:
        return outer, radius
    inner, _ = blob(center, (a - 2.2, b - 2.2), angle, wobble)
    return (lambda rows, cols: outer(rows, cols) & ~inner(rows, cols)), radius


def _odd(rng, center):
    """A thin arc, like a fragment of a canal's edge or a crack."""
    return ring_arc(center, rng.uniform(5.0, 7.5), 0.85, rng.uniform(0.0, 360.0),
                    rng.uniform(130.0, 200.0))


def _crack(rng, point, axis_deg):
    """A long, gently curved crack through ``point``, along the strip's axis."""
    radius, length = rng.uniform(25.0, 45.0), rng.uniform(18.0, 30.0)
    a = np.deg2rad(axis_deg)
    sign = rng.choice([-1.0, 1.0])
    # The circle's centre lies ``radius`` away from the point, across the axis.
    centre = (point[0] - sign * radius * np.cos(a), point[1] - sign * radius * np.sin(a))
    through = np.degrees(np.arctan2(-(point[0] - centre[0]), point[1] - centre[1]))
    span = np.degrees(length / radius)
    return ring_arc(centre, radius, rng.uniform(0.5, 0.65), through - span / 2, span)


def _is_kind(kind, g):
    """True when the true geometry obeys the kind's rule, with a margin."""
    if kind == "cell":
        return 0 < g["area"] <= _CELL_MAX_AREA and g["solidity"] >= _CELL_MIN_SOLIDITY
    if kind == "too_big":
        return g["area"] >= _TOO_BIG_MIN_AREA
    return g["area"] <= _ODD_MAX_AREA and g["solidity"] <= _ODD_MAX_SOLIDITY


@functools.lru_cache(maxsize=4)
def _generate(shape, seed):
    rng = np.random.default_rng([seed, 557_2021])
    h, w = shape
    f = INSTRUMENT.oversample
    masks, axis_deg = _strips(rng, shape)

    # Which side has more cells, which side has the larger cells and which
    # side has the better aligned cells is decided by the seed; the truth
    # table records the outcome.
    dense_side = ("left", "right")[int(rng.integers(2))]
    large_side = ("left", "right")[int(rng.integers(2))]
    aligned_side = ("left", "right")[int(rng.integers(2))]

    plan = []  # (kind, side, size class); the big objects go first
    for kind in ("too_big", "odd"):
        for side in ("left", "right"):
            plan += [(kind, side, None)] * max(1, int(round(np.count_nonzero(masks[side]) / 15000)))
    for side in ("left", "right"):   # cracks along the strips' edges, also "odd"
        plan += [("crack", side, None)] * max(1, int(round(np.count_nonzero(masks[side]) / 25000)))
    cells = []
    for side in ("left", "right"):
        area = int(np.count_nonzero(masks[side]))
        density = _DENSITY["dense" if side == dense_side else "sparse"]
        size = "large" if side == large_side else "small"
        cells += [("cell", side, size)] * int(round(density * area / 1000))
    plan += [cells[i] for i in rng.permutation(len(cells))]

    # Where a centre may go: inside its strip, at least a pixel from its edge.
    where = {side: np.flatnonzero(ndi.distance_transform_edt(mask) >= 1.5)
             for side, mask in masks.items()}
    owner = np.zeros(shape, np.int32)       # which object covers a pixel (0: none)
    cover = np.zeros(shape, np.float32)     # how much of it objects cover
    grow = np.ones((3, 3), bool)            # one clear pixel between objects
    objects = []
    for kind, side, size_class in plan:
        spread = _SPREAD["aligned" if side == aligned_side else "loose"]
        grazed = kind == "cell" and rng.uniform() < _GRAZED_SHARE
        touching = (kind == "cell" and rng.uniform() < _TOUCHING_SHARE
                    and any(o["kind"] == "cell" and o["side"] == side for o in objects))
        placed = None
        for _attempt in range(300):
            if touching:
                other = objects[int(rng.integers(len(objects)))]
                if other["kind"] != "cell" or other["side"] != side:
                    continue
                t = rng.uniform(0, 2 * np.pi)
                reach = other["radius"] + rng.uniform(0.8, 2.0)
                center = (other["center"][0] + reach * np.sin(t),
                          other["center"][1] + reach * np.cos(t))
                i, j = int(round(center[0])), int(round(center[1]))
                if not (0 <= i < h and 0 <= j < w and masks[side][i, j]):
                    continue
            elif kind == "crack":
                r = int(rng.integers(h))
                cols = np.flatnonzero(masks[side][r])
                if cols.size < 4:
                    continue
                edge = cols[1] if rng.uniform() < 0.5 else cols[-2]
                center = (r + rng.uniform(-0.5, 0.5), edge + rng.uniform(-0.5, 0.5))
            else:
                idx = int(where[side][rng.integers(where[side].size)])
                center = (idx // w + rng.uniform(-0.5, 0.5), idx % w + rng.uniform(-0.5, 0.5))
            if kind == "cell":
                inside, radius = _cell(rng, center, size_class, axis_deg[side], spread, grazed)
            elif kind == "too_big":
                inside, radius = _too_big(rng, center, axis_deg[side])
            elif kind == "crack":
                inside, radius = _crack(rng, center, axis_deg[side])
                box = imaging.box_around(center, 16.0, shape)
            else:
                inside, radius = _odd(rng, center)
            if kind != "crack":
                box = imaging.box_around(center, radius, shape)
            fine = imaging.sample_object(inside, box, f)
            cov = imaging.integrate_pixels(fine, f)
            foot = cov > 0
            if not foot.any():
                continue
            if touching:
                if np.any(cov + cover[box] > 1.0 + 1e-6):
                    continue
            elif owner[box][ndi.binary_dilation(foot, grow)].any():
                continue
            geometry = fine_geometry(fine, box, f)
            cut = bool(center[0] - radius < -0.5 or center[0] + radius > h - 0.5
                       or center[1] - radius < -0.5 or center[1] + radius > w - 0.5)
            cut = cut and bool(foot[0].any() and box[0].start == 0
                               or foot[-1].any() and box[0].stop == h
                               or foot[:, 0].any() and box[1].start == 0
                               or foot[:, -1].any() and box[1].stop == w)
            if not cut and not _is_kind(kind, geometry):
                continue
            placed = (center, radius, box, cov, geometry, cut)
            break
        if placed is None:
            if touching:
                continue        # no room beside another cell: leave it out
            raise RuntimeError(f"no room left for a {kind} in a bone cell map of shape {shape}; "
                               "use a larger shape")
        center, radius, box, cov, geometry, cut = placed
        number = len(objects) + 1
        owner[box][cov > 0] = number
        cover[box] += cov
        objects.append({"kind": "odd" if kind == "crack" else kind, "side": side, "center": center, "radius": radius,
                        "box": box, "cov": cov, "geometry": geometry, "grazed": bool(grazed),
                        "cut": cut, "number": number})

    # The recorded image: faint bone matrix, bright cells, then the instrument.
    canvas = np.zeros(shape, np.float32)
    for mask in masks.values():
        canvas[mask] = MATRIX
    for obj in objects:
        imaging.paint(canvas, obj["box"], obj["cov"], CELL)
    image = imaging.detect(canvas, INSTRUMENT, rng)

    rows = []
    for obj in objects:
        g, box = obj["geometry"], obj["box"]
        neighbours = owner[box][ndi.binary_dilation(obj["cov"] > 0, grow)]
        rows.append({
            "row": g["row"], "col": g["col"], "area_px": g["area"],
            "major_axis_px": g["major"], "minor_axis_px": g["minor"],
            "orientation_deg": g["orientation"], "solidity": g["solidity"],
            "side": obj["side"], "kind": obj["kind"], "grazed": obj["grazed"],
            "touching": bool(np.any((neighbours != 0) & (neighbours != obj["number"]))),
            "cut_by_border": obj["cut"],
        })
    table = pd.DataFrame(rows).sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    for col in ("row", "col", "area_px", "major_axis_px", "minor_axis_px", "orientation_deg",
                "solidity"):
        table[col] = table[col].round(4)
    table.insert(0, "cell_id", np.arange(1, len(table) + 1, dtype=np.int64))
    return image, table


_PARAMS = (shape_param((557, 557), 256, 1024), seed_param(0))


@register("bone_cells",
          "Bone cells in two tilted cortical strips (left, right), as a gray map, 557 x 557 uint8",
          sha256="602a0706406f92fd8b69a38d093791d3cff5fe8e3de2025203a9f1877b4e4876",
          params=_PARAMS)
def bone_cells(shape=(557, 557), seed=0):
    """Gray map of the bone cells in a section through two pieces of bone.

    What it depicts
        A microscope image of cortical bone processed so that only the bone
        cells (more precisely their lacunae, the cavities they live in)
        stay bright: each cell is a small white object, elongated along
        the bone; the bone matrix is almost black and the space around it
        black. The section cuts two pieces of bone, seen as two roughly
        vertical, slightly tilted strips full of cells: one in the left
        half of the picture and one in the right half, with nothing in
        between. Besides the cells there are a few objects that a careful
        count leaves out: vascular canals, far too big to be one cell
        (mostly only their rim, some filled), and thin curved fragments
        with an odd, bent shape: short arcs, and long gently curved cracks
        along the edges of the strips. Some cells touch a neighbour, many are cut
        by the section at their tip and show as specks of 1-2 pixels, and
        at the top and bottom the image border cuts a few.

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(rows, cols)`` =
        ``shape`` (default ``(557, 557)``); axis 0 runs top to bottom,
        axis 1 left to right. One pixel is one unit of length (the book
        measures in pixels). Values 0 to 255: the cells are bright (up to
        255) with gray, anti-aliased edges; the matrix shows as 0 to a few
        gray levels, the gap between the strips as 0. A threshold at 128
        separates cells from the rest about where half a pixel is covered.

    How it is made (the imaging model of :mod:`common.data.imaging`)
        Each strip is the band between two slowly wobbling edges around a
        straight, tilted centre line; it narrows towards the top, like the
        bone in the original course data. The objects are drawn on a grid
        4 times finer than the pixels, each only in its bounding box:
        irregular ellipses for cells (gray level 270 before the
        instrument, so their centres saturate), elliptic blobs and rings
        for canals, circular arcs for the fragments and for the cracks (one per
        25,000 pixels of strip, 18-30 pixels long, about 1.1 pixels wide, so
        a threshold breaks them into pieces); 30 % of the cells are
        grazed tips, 10 % are placed touching another cell, the others
        keep one clear pixel from every object. Three things are drawn
        from the seed: the side with more cells (6.8 instead of 4.2 cells
        per 1000 pixels of strip), the side with the larger cells (true
        mean area about 6.5 instead of 3.6 pixels) and the side whose
        cells are better aligned with the strip (orientation spread 10
        instead of 16 degrees). The instrument (``INSTRUMENT``) then
        integrates the pixels (partial volume), blurs by 0.5 pixel, adds
        counting noise (4 counts per gray level) and quantises to 8 bits.
        Everything follows from ``seed``.

    Statistics it matches (tests/test_data_realism.py)
        Measured like the original course map: about 1.1 % of the pixels
        at 128 or above; about 540 objects above that threshold, median
        4 pixels, a quarter to a third of them 1-2 pixel specks; median
        elongation about 2.7 and solidity about 0.9 for objects of 5 pixels
        or more, whose orientations have an alignment (mean resultant
        length of twice the angle) of about 0.8.

    Ground truth
        ``load("bone_cells_truth")`` with the same parameters: one row per
        object, with its exact area and shape, side and kind. The kinds
        follow fixed rules on the true geometry that anyone can apply to a
        measurement of the image: ``"too_big"`` when the area exceeds 60
        pixels, otherwise ``"odd"`` when the solidity (area over convex hull
        area) is below 0.7, otherwise ``"cell"``. Every object respects
        these rules with a margin (cells have at most 30 pixels and a
        solidity of at least 0.8; too big objects at least 80 pixels; odd
        ones at most 50 pixels and a solidity of at most 0.6), except
        objects cut by the image border. A measurement of the image does
        not recover the truth exactly: specks below the threshold vanish,
        touching cells merge, areas depend on the threshold.
    """
    return _generate(tuple(shape), seed)[0].copy()


@register("bone_cells_truth",
          "Truth table of every object in bone_cells: exact position, area, shape, side, kind",
          sha256="338795386c03b4c555f1b2edb304f6656e12d49a2436ad280d2be5fd9d7f074d",
          params=_PARAMS)
def bone_cells_truth(shape=(557, 557), seed=0):
    """The true objects of ``bone_cells`` (same ``shape`` and ``seed``).

    ``pandas.DataFrame``, one row per object, sorted by row then column:

    ========================  =======  ============================================
    column                    dtype    meaning
    ========================  =======  ============================================
    ``cell_id``               int64    1, 2, ... in that order
    ``row``, ``col``          float    centroid, pixels (axis 0 down, axis 1 right)
    ``area_px``               float    true area in pixels inside the image
                                       (measured on the grid 4 times finer than the
                                       pixels, so to 1/16 px)
    ``major_axis_px``         float    length of the major axis, pixels, as
                                       ``skimage.measure.regionprops`` defines it
    ``minor_axis_px``         float    length of the minor axis, pixels
    ``orientation_deg``       float    major axis angle, degrees counter-clockwise
                                       from the horizontal as displayed, (-90, 90]
    ``solidity``              float    area / area of the convex hull
    ``side``                  str      ``"left"`` or ``"right"``: the strip the
                                       object lies in, which is also the half of
                                       the image that holds its centroid
    ``kind``                  str      ``"cell"``: a single cell;
                                       ``"too_big"``: area above 60 pixels;
                                       ``"odd"``: solidity below 0.7
    ``grazed``                bool     a cell cut at its tip: a 1-2 pixel speck
    ``touching``              bool     it comes within a pixel of another object,
                                       so the two may merge in a measurement
    ``cut_by_border``         bool     the image border cuts it (its area and
                                       shape are those of the visible part)
    ========================  =======  ============================================

    Values are rounded to 4 decimals.
    """
    return _generate(tuple(shape), seed)[1].copy()
