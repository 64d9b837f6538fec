"""Bone slice with lacunae: the image of the lecture's "overwhelmed scientist".

A light micrograph of a section through cortical bone, made the way the
instrument records one (:mod:`common.data.imaging`): first the *object*,
drawn on a grid four times finer than the pixels, with its truth; then the
*instrument*: pixel integration (partial volume), a slight blur, the strong
edge halo of the original image (a dark fringe around every bright lacuna
and along the outline), counting noise and 8-bit quantisation.

Because the generator places every object itself, it knows the truth: the
table of all objects with their exact size, shape, orientation, side and
kind, and the exact fraction of every pixel that is bone and that is a
cavity. Chapters measure the image and compare the answer with the truth;
the two now differ, as they do for any real image, and the difference is
part of the lesson.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import imaging
from ._objects import blob, fine_geometry, union
from ._registry import register, seed_param, shape_param

#: Kinds of objects in the truth table, and the rules that define them.
KINDS = ("cell", "too_big", "odd")
#: An object with a true area above this (pixels) is "too big" to be one cell.
TOO_BIG_AREA = 40
#: An object whose convex hull is this much larger than itself is "odd".
ODD_SOLIDITY = 0.75

#: The instrument that records the slice (see :mod:`common.data.imaging`).
INSTRUMENT = imaging.Instrument(oversample=4, psf_sigma=0.55, halo=4.0, halo_sigma=0.6,
                                counts=2000.0, dtype="uint8", low=0.0, high=255.0)
#: Gray levels of the object before the instrument: background, bone, and the
#: range of the cavities (a lacuna cut off-centre by the section shows less).
BACKGROUND, BONE, CAVITY = 254.6, 55.0, (130.0, 210.0)
#: Gray level of the thin outermost pixel of the section.
RIM = 195.0
_CROSS = ndi.generate_binary_structure(2, 1)
#: Gray levels of the canals and other large cavities (always cut through).
CANAL = (225.0, 250.0)

# Cells per 1000 pixels of bone on each side.
_DENSITY = {"dense": 10.5, "sparse": 6.7}
# Semi-axes (pixels) of a lacuna, along and across, by size class; and of a
# lacuna that the section only grazes (it shows as a faint 1-2 pixel speck).
_SEMI_AXES = {"small": ((0.8, 1.3), (0.65, 0.9)), "large": ((1.05, 1.65), (0.8, 1.1))}
_GRAZED_AXES = ((0.45, 0.75), (0.4, 0.6))
_GRAZED_SHARE = 0.12
# Share of the cells placed right next to another one (they touch in the image).
_TOUCHING_SHARE = 0.05
# Spread (degrees, standard deviation) of cell orientation about the bone axis.
_SPREAD = 25.0


def _outline(rng, shape, scale=1.0):
    """The bone section as an ``inside`` function: a bent, notched, wobbly oval.

    ``scale`` shrinks the section about its centre (to keep it clear of the
    image border); the random draws do not depend on it.
    """
    h, w = shape
    size = min(h, w) / 140.0          # lengths scale with the image
    tilt = math.radians(rng.uniform(10, 22))
    cy = h / 2 + rng.uniform(-0.02, 0.02) * h
    cx = w / 2 + rng.uniform(-0.02, 0.02) * w
    ry, rx = scale * rng.uniform(0.42, 0.45) * h, scale * rng.uniform(0.31, 0.34) * w
    bend = rng.uniform(0.4, 0.55) * rng.choice([-1, 1])
    taper = rng.uniform(0.15, 0.3) * rng.choice([-1, 1])
    harmonics = [(k, rng.uniform(0.02, 0.05) / (1 + 0.3 * (k - 2)), rng.uniform(0, 2 * np.pi))
                 for k in range(2, 7)]
    # Small-scale roughness: a random radius every ~2.5 pixels of outline,
    # joined by straight lines (amplitude about 0.6 pixels).
    n_nodes = max(16, int(2 * np.pi * min(rx, ry) / 2.5))
    nodes = rng.normal(0.0, 0.6 / min(rx, ry), n_nodes)
    cos_t, sin_t = math.cos(tilt), math.sin(tilt)

    def polar(rows, cols):
        dy, dx = rows - cy, cols - cx
        v = (-dx * sin_t + dy * cos_t) / ry      # along the bone
        u = (dx * cos_t + dy * sin_t) / (rx * (1.0 + taper * v))   # across, tapered
        u = u - bend * (v * v - 0.3)              # bent like a banana
        return np.hypot(u, v), np.arctan2(v, u)

    def edge(theta):
        out = 1.0 + np.interp(np.mod(theta, 2 * np.pi) * (n_nodes / (2 * np.pi)),
                              np.arange(n_nodes + 1), np.append(nodes, nodes[0]))
        for k, amp, ph in harmonics:
            out = out + amp * np.cos(k * theta + ph)
        return out

    # Notches: bays cut into the outline, on one flank of the bone.
    notches = []
    flank = rng.uniform(0, 2 * np.pi)
    for _ in range(int(rng.integers(2, 4))):
        theta = flank + rng.uniform(-0.6, 0.6)
        r = edge(theta)
        depth = rng.uniform(7.0, 12.0) * size * scale
        width = depth * rng.uniform(0.55, 0.85)
        # The bay's centre: on the outline, pushed out by a third of its depth.
        un, vn = r * math.cos(theta), r * math.sin(theta)
        un = un + bend * (vn * vn - 0.3)
        u, v = un * rx * (1.0 + taper * vn), vn * ry
        dx, dy = u * cos_t - v * sin_t, u * sin_t + v * cos_t
        out_dx, out_dy = dx - 0.0, dy - 0.0
        norm = math.hypot(out_dx, out_dy) or 1.0
        cy_n = cy + dy + out_dy / norm * depth / 3
        cx_n = cx + dx + out_dx / norm * depth / 3
        normal = math.degrees(math.atan2(-out_dy, out_dx))   # outwards, as displayed
        notches.append(blob((cy_n, cx_n), (depth, width), normal,
                            [(3, rng.uniform(0.0, 0.12), rng.uniform(0, 2 * np.pi))])[0])

    def inside(rows, cols):
        rho, theta = polar(rows, cols)
        out = rho <= edge(theta)
        for notch in notches:
            out &= ~notch(rows, cols)
        return out

    return inside, math.degrees(math.atan2(math.cos(tilt), math.sin(tilt)))


def _cell(rng, center, size_class, axis_deg, grazed):
    (a0, a1), (b0, b1) = _GRAZED_AXES if grazed else _SEMI_AXES[size_class]
    a, b = rng.uniform(a0, a1), rng.uniform(b0, b1)
    wobble = [(k, rng.uniform(0.0, 0.12), rng.uniform(0, 2 * np.pi)) for k in (2, 3)]
    return blob(center, (a, b), axis_deg + rng.normal(0.0, _SPREAD), wobble)


def _too_big(rng, center, axis_deg):
    """A vascular canal: a long, wide cavity, far larger than a lacuna."""
    a, b = rng.uniform(8.0, 11.0), rng.uniform(1.5, 2.1)
    wobble = [(k, rng.uniform(0.0, 0.08), rng.uniform(0, 2 * np.pi)) for k in (2, 3, 4)]
    return blob(center, (a, b), axis_deg + rng.normal(0.0, 15.0), wobble)


def _odd(rng, center, axis_deg):
    """A bent, two-armed object (a 'V'): two thin ellipses sharing one end."""
    length, spread = rng.uniform(6.0, 8.0), rng.uniform(60.0, 90.0)
    angle = axis_deg + 90 + rng.normal(0.0, 20.0)
    arms = []
    for sign in (-1, 1):
        t = math.radians(angle + sign * spread / 2)
        c = (center[0] - math.sin(t) * length / 2, center[1] + math.cos(t) * length / 2)
        inside, _ = blob(c, (length / 2 + 0.8, 1.0), math.degrees(t))
        arms.append((inside, length + 1.0))
    return union(*arms)


def _is_kind(kind, g):
    """True when the object's true geometry obeys its kind's rule, with a margin."""
    if kind == "cell":
        return g["area"] <= 30 and g["solidity"] >= 0.8
    if kind == "too_big":
        return g["area"] >= 45
    return g["area"] <= 35 and g["solidity"] <= 0.7


@functools.lru_cache(maxsize=4)
def _generate(shape, seed):
    rng = np.random.default_rng([seed, 1_2021])
    h, w = shape
    f = INSTRUMENT.oversample
    whole = (slice(0, h), slice(0, w))
    state = rng.bit_generator.state
    for scale in np.linspace(1.0, 0.6, 9):
        rng.bit_generator.state = state   # the same section, smaller
        outline, axis_deg = _outline(rng, shape, scale)
        bone_cover = imaging.pixel_coverage(outline, whole, f)
        rim = bone_cover.copy()
        rim[3:-3, 3:-3] = 0
        if not rim.any():                 # 3 pixels of background all round
            break
    bone = bone_cover >= 0.5
    depth = ndi.distance_transform_edt(bone)   # pixels to the outline

    # Which side is denser and which holds the larger cells is drawn as the
    # book's first version of this generator drew it (after 12 numbers for
    # the outline), so every seed keeps its answer to "left or right?".
    sides = np.random.default_rng([seed, 1_2021])
    sides.random(12)
    dense_side = ("left", "right")[int(sides.integers(2))]
    large_side = ("left", "right")[int(sides.integers(2))]
    mid = w / 2
    columns = np.arange(w)[None, :]
    plan = []
    for side in ("left", "right"):
        in_side = bone & ((columns < mid) if side == "left" else (columns >= mid))
        density = _DENSITY["dense" if side == dense_side else "sparse"]
        n = int(round(density * np.count_nonzero(in_side) / 1000))
        size = "large" if side == large_side else "small"
        plan += [("cell", side, size)] * n
    n_extra = max(1, int(round(np.count_nonzero(bone) / 5000)))
    plan = [("too_big", None, None)] * n_extra + [("odd", None, None)] * n_extra + [
        plan[i] for i in rng.permutation(len(plan))]

    owner = np.zeros(shape, np.int32)         # which object covers a pixel (0: none)
    cover = np.zeros(shape, np.float32)       # how much of it objects cover
    objects = []
    for kind, side, size in plan:
        grazed = kind == "cell" and rng.uniform() < _GRAZED_SHARE
        touching = kind == "cell" and objects and rng.uniform() < _TOUCHING_SHARE
        for _attempt in range(200):
            if touching:
                other = objects[int(rng.integers(len(objects)))]
                if other["kind"] != "cell":
                    continue
                t = rng.uniform(0, 2 * np.pi)
                reach = other["radius"] + rng.uniform(1.2, 2.2)
                center = (other["center"][0] + reach * math.sin(t),
                          other["center"][1] + reach * math.cos(t))
            else:
                center = (rng.uniform(0, h - 1), rng.uniform(0, w - 1))
            if side is not None and (center[1] < mid) != (side == "left"):
                continue
            if kind == "cell":
                inside, radius = _cell(rng, center, size, axis_deg, grazed)
            elif kind == "too_big":
                inside, radius = _too_big(rng, center, axis_deg)
            else:
                inside, radius = _odd(rng, center, axis_deg)
            i, j = int(round(center[0])), int(round(center[1]))
            if not (0 <= i < h and 0 <= j < w) or depth[i, j] < radius + 2.5:
                continue           # keep clear of the outline and its halo
            box = imaging.box_around(center, radius, shape)
            fine = imaging.sample_object(inside, box, f)
            cov = imaging.integrate_pixels(fine, f)
            foot = cov > 0
            if not foot.any():
                continue
            if touching:
                ok = not np.any(cov + cover[box] > 1.0 + 1e-6)
            else:
                grown = ndi.binary_dilation(foot, np.ones((3, 3), bool))
                ok = not owner[box][grown].any()
            if ok:
                geometry = fine_geometry(fine, box, f)
                ok = _is_kind(kind, geometry)
            if ok:
                break
        else:
            if touching:
                continue   # no room beside another cell: leave it out
            raise RuntimeError(f"no room left for a {kind} in a bone slice of shape {shape}; "
                               "use a larger shape")
        number = len(objects) + 1
        owner[box][foot] = number
        cover[box] += cov
        objects.append({"kind": kind, "center": center, "radius": radius, "box": box,
                        "cov": cov, "geometry": geometry, "grazed": bool(grazed),
                        "number": number,
                        "value": rng.uniform(*(CAVITY if kind == "cell" else CANAL))})

    # The recorded image: the object painted pixel by pixel, then the instrument.
    canvas = np.full(shape, BACKGROUND, np.float32)
    # The section thins towards its cut edge: its outermost pixel of bone is
    # lighter (RIM), inside that the bone has its full density.
    imaging.paint(canvas, whole, bone_cover, RIM)
    imaging.paint(canvas, whole, ndi.grey_erosion(bone_cover, footprint=_CROSS), BONE)
    for obj in objects:
        imaging.paint(canvas, obj["box"], obj["cov"], obj["value"])
    image = imaging.detect(canvas, INSTRUMENT, rng)

    rows = []
    near = np.ones((3, 3), bool)
    for obj in objects:
        g, box = obj["geometry"], obj["box"]
        grown = ndi.binary_dilation(obj["cov"] > 0, near)
        neighbours = owner[box][grown]
        rows.append({
            "row": g["row"], "col": g["col"], "area_px": g["area"],
            "major_axis_px": g["major"], "minor_axis_px": g["minor"],
            "orientation_deg": g["orientation"], "solidity": g["solidity"],
            "side": "left" if g["col"] < mid else "right", "kind": obj["kind"],
            "grazed": obj["grazed"],
            "touching": bool(np.any((neighbours != 0) & (neighbours != obj["number"]))),
            "depth_px": float(depth[int(round(g["row"])), int(round(g["col"]))]),
        })
    table = pd.DataFrame(rows).sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    for col in ("row", "col", "area_px", "major_axis_px", "minor_axis_px", "orientation_deg",
                "solidity", "depth_px"):
        table[col] = table[col].round(4)
    table.insert(0, "cell_id", np.arange(1, len(table) + 1, dtype=np.int64))
    fractions = np.stack([bone_cover, np.clip(cover, 0.0, 1.0)]).astype(np.float32)
    return image, table, fractions


_PARAMS = (shape_param((180, 140), 64, 1024), seed_param(0))


@register("bone_slice",
          "Bone section with bright lacunae (cell holes), as a microscope records it, 180 x 140 uint8",
          sha256="f12944133705a459ef052be599aac3d7263392c8fe1784bb8c711685bd18a8de",
          params=_PARAMS)
def bone_slice(shape=(180, 140), seed=0):
    """Light micrograph of a bone section with lacunae (cell holes).

    What it depicts
        A slice through cortical bone: the bone matrix is dark, the
        background outside the sample is white, and the lacunae, the small
        cavities that hold the bone cells (osteocytes), show up as bright
        specks inside the bone. A few objects are not single cells: long
        vascular canals, far too big, and bent, two-armed objects of an odd
        shape. Some lacunae lie right next to another one, and some are cut
        by the section only at their tip, so they show as faint specks of a
        pixel or two.

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(rows, cols)`` =
        ``shape`` (default ``(180, 140)``); axis 0 runs top to bottom,
        axis 1 left to right. One pixel is one unit of length (the book
        measures in pixels). Values: background 254-255; flat bone 55;
        lacunae peak at about 130 to 255 with a dark fringe (0 to 30) around
        each, and a dark fringe along the bone's outline; in between, every
        value occurs (partial volume and blur), so no threshold separates
        lacunae from bone without error. A threshold near 100 to 130 finds
        most lacunae.

    How it is made (the imaging model of :mod:`common.data.imaging`)
        The object is drawn on a grid 4 times finer than the pixels: a
        bent, tapered oval with a wobbly, rough outline and a few bays cut
        into one flank is the bone (gray level 55, background 254.6; its
        outermost pixel, where the section thins, 195);
        inside it, at least 2.5 pixels from the outline, lacunae are
        irregular ellipses 1.6 to 3.3 pixels long and 1.3 to 2.2 wide
        (cavity gray level 130 to 210: a lacuna cut off its centre shows
        less), with one side denser (10.5 against 6.7 cells per 1000 pixels
        of bone) and one side holding the larger cells, both drawn from
        the seed; 12 % are grazed tips, 5 % are placed touching another
        cell; canals (gray level 225 to 250) and odd objects are added,
        one of each per 5000 pixels of bone. Each object is drawn only in
        its bounding box. The instrument then records it
        (``INSTRUMENT``): pixel integration, a Gaussian blur of 0.55
        pixel, an edge halo of strength 4 and width 0.6 pixel (the dark
        fringes), counting noise (2000 counts per gray level, so the flat
        bone is nearly noise-free, as in the original) and 8-bit
        quantisation. Everything follows from ``seed``.

    Statistics it matches (tests/test_data_realism.py)
        Measured like the original course image (182 x 139): about 100
        bright objects in about 12,000 pixels of bone (8 to 9 per 1000
        pixels), median 4 pixels (10-90 %: 2-6), flat bone at 55 with 3-5 %
        of the bone darker than 30 (the fringes), no empty gray level
        between 60 and 250, background 254-255.

    Ground truth
        ``load("bone_slice_cells")`` with the same parameters: one row per
        object, with its exact area and shape; ``load("bone_slice_fractions")``:
        the fraction of every pixel that is bone and that is a cavity, the
        truth for porosity. Measurements of the image differ from the truth:
        lacunae of 1-2 pixels vanish or shrink, touching ones merge, areas
        depend on the threshold.
    """
    return _generate(tuple(shape), seed)[0].copy()


@register("bone_slice_cells",
          "Truth table of every object in bone_slice: exact position, area, shape, side, kind",
          sha256="6a6a74015e63b9cb4700931fbb94df250e3c5bf8a51b299b2a2b4f422f35739f",
          params=_PARAMS)
def bone_slice_cells(shape=(180, 140), seed=0):
    """The true objects of ``bone_slice`` (same ``shape`` and ``seed``).

    ``pandas.DataFrame``, one row per object, sorted by row then column:

    ========================  =======  ============================================
    column                    dtype    meaning
    ========================  =======  ============================================
    ``cell_id``               int64    1, 2, ... in that order
    ``row``, ``col``          float    centroid, pixels (axis 0 down, axis 1 right)
    ``area_px``               float    true area in pixels (measured on the grid 4
                                       times finer than the pixels, so to 1/16 px)
    ``major_axis_px``         float    length of the major axis, pixels, as
                                       ``skimage.measure.regionprops`` defines it
    ``minor_axis_px``         float    length of the minor axis, pixels
    ``orientation_deg``       float    major axis angle, degrees counter-clockwise
                                       from the horizontal as displayed, (-90, 90]
    ``solidity``              float    area / area of the convex hull
    ``side``                  str      ``"left"`` if the centroid lies in the left
                                       half of the image, else ``"right"``
    ``kind``                  str      ``"cell"``: a single lacuna;
                                       ``"too_big"``: a canal, true area above 40
                                       pixels; ``"odd"``: bent, solidity below 0.75
    ``grazed``                bool     a lacuna cut at its tip: 1-2 pixels, faint
    ``touching``              bool     it comes within a pixel of another object,
                                       so the two may merge in a measurement
    ``depth_px``              float    distance from the centroid to the outline
                                       of the bone, pixels
    ========================  =======  ============================================

    The geometry is that of the object, before the instrument. Cells have a
    true area of at most 30 pixels and a solidity of at least 0.8, canals at
    least 45 pixels, odd objects a solidity of at most 0.7, so a measurement
    that sees an object clearly puts it in the right kind. What a
    measurement of the image finds differs from this table: grazed cells may
    vanish, touching cells merge, and measured areas depend on the
    threshold (partial volume). Values are rounded to 4 decimals.
    """
    return _generate(tuple(shape), seed)[1].copy()


@register("bone_slice_fractions",
          "Truth map of bone_slice: the fraction of each pixel that is bone and that is a cavity",
          sha256="b976a0c1f518e4066631a6433c3c0e102552587cdcee9fd32ddecb76c847bbfe",
          params=_PARAMS)
def bone_slice_fractions(shape=(180, 140), seed=0):
    """How much of each pixel of ``bone_slice`` is bone, and how much is a cavity.

    ``numpy.ndarray``, dtype ``float32``, shape ``(2, rows, cols)``, values 0
    to 1: ``[0]`` is the fraction of the pixel inside the bone section
    (matrix and cavities together), ``[1]`` the fraction inside a lacuna or
    canal. This is step 1 of the imaging model (pixel integration) before
    any blur or noise: the true partial-volume map. The true lacunar
    porosity is ``fractions[1].sum() / fractions[0].sum()``, and
    ``fractions[0].sum()`` is the true area of the section in pixels.
    """
    return _generate(tuple(shape), seed)[2].copy()
