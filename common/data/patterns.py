"""Noise-free test targets: the lecture's test pattern and a Siemens star.

Lecture 2 judges filters by what they do to known shapes, so these targets
have no noise at all (the chapters add their own with :mod:`common.noise`)
and are exactly known: every feature is drawn as a function of position and
recorded through the book's imaging model (:mod:`common.data.imaging`), each
detector pixel holding the fraction of its area that each gray level covers
(anti-aliased edges, the partial-volume effect); the Siemens star is also
blurred by the detector's point spread function.
"""
from __future__ import annotations

import functools

import numpy as np

from . import imaging
from ._registry import int_param, register

#: The three gray levels of the test pattern: dark, background, bright.
DARK, GRAY, BRIGHT = 0.0, 0.5, 1.0
#: Feature labels of ``test_pattern_labels``.
FEATURES = {0: "background", 1: "star", 2: "cross", 3: "bullseye", 4: "triangles", 5: "spiral"}
#: Fine cells per pixel along each axis (pixel integration) of the test pattern.
OVERSAMPLE = 6
#: Default side of the test pattern (pixels); the layout is defined at this size.
BASE = 512

# Layout at BASE = 512 (row, col, sizes in pixels); scaled for other sizes.
_STAR = dict(center=(128.0, 128.0), outer=100.0, inner=38.2)
_BULLSEYE = dict(center=(128.0, 384.0), ring=10.0, rings=10)
_TRIANGLES = dict(center=(388.0, 128.0), radii=(105.0, 75.0, 45.0, 15.0))
_SPIRAL = dict(center=(384.0, 384.0), start=5.0, end=95.0, band=3.0, gap_in=1.0, gap_out=14.0)
_CROSS = dict(center=(256.0, 256.0), outer=48.0, inner=38.0, arm=26.0, arm_half=5.0,
              disc_offset=19.0, disc_radius=8.0)
#: Half side (pixels at BASE) of the "plus in squares" crop around the cross.
CROP_HALF = 56


def _scale(size):
    return size / BASE


# --------------------------------------------------------------------------
# shapes as functions of position: inside(rows, cols) -> bool
# --------------------------------------------------------------------------
def _disc(center, radius):
    cy, cx = center

    def inside(rows, cols):
        return (rows - cy) ** 2 + (cols - cx) ** 2 <= radius * radius

    return inside


def _square(center, half):
    cy, cx = center

    def inside(rows, cols):
        return (np.abs(rows - cy) <= half) & (np.abs(cols - cx) <= half)

    return inside


def _plus(center, arm, half_width):
    cy, cx = center

    def inside(rows, cols):
        dr, dc = np.abs(rows - cy), np.abs(cols - cx)
        return ((dr <= half_width) & (dc <= arm)) | ((dc <= half_width) & (dr <= arm))

    return inside


def _polygon(vertices):
    """A convex polygon (vertices as (row, col), counter-clockwise on screen)."""
    vertices = [tuple(map(float, v)) for v in vertices]

    def inside(rows, cols):
        out = True
        for (r0, c0), (r1, c1) in zip(vertices, vertices[1:] + vertices[:1]):
            # Points on the inner side of every edge.
            out = out & ((c1 - c0) * (rows - r0) - (r1 - r0) * (cols - c0) <= 0)
        return out

    return inside


def _star(center, outer, inner):
    """A five-pointed star, one point up: the union of a pentagon and five tips."""
    cy, cx = center
    angles = np.deg2rad(90.0 + 36.0 * np.arange(10))
    radii = np.where(np.arange(10) % 2 == 0, outer, inner)
    points = [(cy - r * np.sin(a), cx + r * np.cos(a)) for r, a in zip(radii, angles)]
    pentagon = _polygon(points[1::2])
    tips = [_polygon([points[i - 1], points[i], points[(i + 1) % 10]]) for i in range(0, 10, 2)]

    def inside(rows, cols):
        out = pentagon(rows, cols)
        for tip in tips:
            out = out | tip(rows, cols)
        return out

    return inside


def _triangle(center, radius):
    """An equilateral triangle pointing up, ``radius`` from centre to corner."""
    cy, cx = center
    angles = np.deg2rad([90.0, 210.0, 330.0])
    return _polygon([(cy - radius * np.sin(a), cx + radius * np.cos(a)) for a in angles])


def _spiral(center, start, end, band, gap_in, gap_out):
    """A band of width ``band`` wound from radius ``start`` out to ``end``.

    Going out by one turn adds a pitch ``band + gap(r)`` to the radius; the
    gap between neighbouring turns grows linearly from ``gap_in`` at
    ``start`` to ``gap_out`` at ``end`` (so it shrinks towards the centre).
    With pitch ``a + b r`` the band's centre line is
    ``r(phi) = (start + a/b) exp(b phi / 2 pi) - a/b``.
    """
    cy, cx = center
    b = (gap_out - gap_in) / (end - start)
    a = band + gap_in - b * start
    k = a / b
    phi_end = 2 * np.pi / b * np.log((end + k) / (start + k))

    def inside(rows, cols):
        dr, dc = rows - cy, cols - cx
        r = np.hypot(dr, dc)
        theta = np.mod(np.arctan2(-dr, dc), 2 * np.pi)
        # The turn whose centre line passes nearest, and its neighbours.
        phi_r = 2 * np.pi / b * np.log(np.maximum(r + k, 1e-9) / (start + k))
        turn = np.floor((phi_r - theta) / (2 * np.pi))
        out = np.zeros(np.broadcast(r, theta).shape, bool)
        for shift in (-1.0, 0.0, 1.0, 2.0):
            phi = theta + 2 * np.pi * (turn + shift)
            centre = (start + k) * np.exp(b * phi / (2 * np.pi)) - k
            on = (np.abs(r - centre) <= band / 2) & (phi >= 0) & (phi <= phi_end)
            out |= on
        return out

    return inside


# --------------------------------------------------------------------------
# the test pattern
# --------------------------------------------------------------------------
def _layout(size):
    """Every feature as (label, footprint, [(inside, radius, center, level), ...])."""
    s = _scale(size)

    def at(center):
        return (center[0] * s, center[1] * s)

    st = _STAR
    star_c = at(st["center"])
    star = [(_star(star_c, st["outer"] * s, st["inner"] * s), st["outer"] * s, star_c, BRIGHT)]

    cr = _CROSS
    cross_c = at(cr["center"])
    cross = [(_square(cross_c, cr["outer"] * s), cr["outer"] * s * 1.42, cross_c, DARK),
             (_square(cross_c, cr["inner"] * s), cr["inner"] * s * 1.42, cross_c, BRIGHT),
             (_plus(cross_c, cr["arm"] * s, cr["arm_half"] * s), cr["arm"] * s * 1.42, cross_c, DARK)]
    for k, (sr, sc) in enumerate(((-1, 1), (-1, -1), (1, -1), (1, 1))):
        c = (cross_c[0] + sr * cr["disc_offset"] * s, cross_c[1] + sc * cr["disc_offset"] * s)
        cross.append((_disc(c, cr["disc_radius"] * s), cr["disc_radius"] * s, c,
                      GRAY if k % 2 == 0 else DARK))

    be = _BULLSEYE
    be_c = at(be["center"])
    bullseye = []
    for k in range(be["rings"], 0, -1):
        radius = k * be["ring"] * s
        bullseye.append((_disc(be_c, radius), radius, be_c, DARK if k % 2 == 0 else BRIGHT))

    tr = _TRIANGLES
    tr_c = at(tr["center"])
    triangles = [(_triangle(tr_c, r * s), r * s, tr_c, DARK if k % 2 == 0 else BRIGHT)
                 for k, r in enumerate(tr["radii"])]

    sp = _SPIRAL
    sp_c = at(sp["center"])
    spiral = [(_spiral(sp_c, sp["start"] * s, sp["end"] * s, sp["band"] * s, sp["gap_in"] * s,
                       sp["gap_out"] * s), (sp["end"] + sp["band"]) * s, sp_c, DARK)]
    spiral_area = (_disc(sp_c, (sp["end"] + sp["band"]) * s), (sp["end"] + sp["band"]) * s, sp_c)

    # The footprint of a feature is its first (outermost) part, except for
    # the spiral, whose footprint is the disc that holds it (None: the first part).
    return [(1, None, star), (2, None, cross), (3, None, bullseye), (4, None, triangles),
            (5, spiral_area, spiral)]


@functools.lru_cache(maxsize=4)
def _test_pattern(size):
    shape = (size, size)
    image = np.full(shape, GRAY, np.float32)
    labels = np.zeros(shape, np.uint8)
    for label, footprint, parts in _layout(size):
        for k, (part, r, c, level) in enumerate(parts):
            box = imaging.box_around(c, r, shape)
            cover = imaging.pixel_coverage(part, box, OVERSAMPLE)
            imaging.paint(image, box, cover, level)
            if k == 0 and footprint is None:
                labels[box][cover >= 0.5] = label
        if footprint is not None:
            inside, r, c = footprint
            box = imaging.box_around(c, r, shape)
            labels[box][imaging.pixel_coverage(inside, box, OVERSAMPLE) >= 0.5] = label
    np.clip(image, 0.0, 1.0, out=image)
    image.flags.writeable = False
    labels.flags.writeable = False
    return image, labels


def crop_box(size: int = BASE) -> tuple[slice, slice]:
    """Rows and columns of the "plus in squares" close-up in a pattern of side ``size``.

    At the default size 512 this is ``(slice(200, 312), slice(200, 312))``:
    112 x 112 pixels holding the whole cross feature (a black square, a white
    square, a black plus, two gray and two black discs) and a margin of the
    gray background. ``test_pattern(size)[crop_box(size)]`` equals
    ``load("test_pattern_crop", size=size)``.
    """
    size = _SIZE.check(size)
    s = _scale(size)
    cy, cx = _CROSS["center"][0] * s, _CROSS["center"][1] * s
    half = CROP_HALF * s
    r0, c0 = int(round(cy - half)), int(round(cx - half))
    n = int(round(2 * half))
    return slice(r0, r0 + n), slice(c0, c0 + n)


_SIZE = int_param("size", BASE, 128, 1024)

_PATTERN_DOC = """
    Layout (at the default size 512; positions and sizes scale with ``size``)
        Background gray (0.5). Top left: a white five-pointed star (outer
        radius 100 px, inner 38 px), one point up. Top right: a bullseye of
        ten rings 10 px wide, alternately white and black, white in the
        centre (radius 100 px). Centre: the cross, "plus in squares": a black
        square (side 96 px) holding a white square (side 76 px) with a black
        plus sign (arms 52 px long, 10 px wide) and four discs (radius 8 px)
        in its quadrants, gray top right and bottom left, black top left and
        bottom right. Bottom left: four nested equilateral triangles pointing
        up, black, white, black, white (corner radii 105, 75, 45, 15 px).
        Bottom right: a black spiral band 3 px wide wound about ten times
        from radius 5 px out to 95 px; the gray gap between neighbouring
        turns shrinks from 14 px at the outside to 1 px at the centre, so
        each filter and noise level has a radius below which the turns can
        no longer be told apart.

    How it is made
        Each shape is a function of position, evaluated on a grid 6 x 6
        times finer than the pixels inside its bounding box and integrated
        (``imaging.pixel_coverage``), then painted over what lies under it
        (``imaging.paint``): a pixel on an edge holds the covered fraction
        of each gray level. No blur, no noise: the pattern is the truth.
        It has no random part, hence no ``seed``.
"""


def _doc(text, tail=_PATTERN_DOC):
    def decorate(func):
        func.__doc__ = text + tail
        return func
    return decorate


@register("test_pattern",
          "Noise-free test target: star, cross, bullseye, triangles, spiral; 512 x 512 float32 in [0, 1]",
          sha256="43472f9b67c9b75892a2ce856d8575b47834e7be18303b7224ac40f7519cb747",
          params=(_SIZE,))
@_doc("""Test pattern: five shapes in three gray levels, with anti-aliased edges.

    What it is
        A target for filters and noise, in the spirit of the course's test
        pattern: sharp edges in every direction, fine periodic detail,
        corners, small discs and thin gaps, all at known positions and
        known gray levels. ``test_pattern_labels`` tells which feature each
        pixel belongs to; ``test_pattern_crop`` (or :func:`crop_box`) is the
        close-up of the cross used for the filter comparison.

    Array
        ``numpy.ndarray`` of shape ``(size, size)`` (512 x 512 by default,
        128 to 1024 allowed), ``float32``, axis 0 rows top to bottom, axis 1
        columns left to right; pixel units.

    Values
        Three gray levels, 0 (black), 0.5 (gray background) and 1 (white),
        with values in between only at edges (partial-volume pixels): at
        the default size about 96 % of the pixels hold one of the three
        levels exactly. No unit (a fraction of full scale).
""")
def test_pattern(size=BASE):
    return _test_pattern(size)[0].copy()


@register("test_pattern_labels",
          "Feature labels of test_pattern: 0 background, 1 star, 2 cross, 3 bullseye, 4 triangles, 5 spiral",
          sha256="ffeb778cde6c153b7688733bf529f3246e1e590f51bc4b778c70c858050886e1",
          params=(_SIZE,))
@_doc("""Which feature of ``test_pattern`` each pixel belongs to (its truth map).

    Array
        ``numpy.ndarray`` of shape ``(size, size)``, ``uint8``, on the grid
        of ``test_pattern`` with the same ``size``.

    Values
        0 background, 1 star, 2 cross (its outer black square), 3 bullseye
        (the disc of its outer ring), 4 triangles (the outer triangle), 5
        spiral (the disc just holding its outer turn, gaps included). A pixel
        carries a feature's label when at least half of its area lies inside
        the feature's outline (``FEATURES`` maps labels to names).
""")
def test_pattern_labels(size=BASE):
    return _test_pattern(size)[1].copy()


@register("test_pattern_crop",
          "Close-up of test_pattern's cross (plus in squares), 112 x 112 float32 in [0, 1]",
          sha256="aae24ff087867e0f148a527ca2d4d9511a4d7eadf0e0eb8dd5ac71b55be56617",
          params=(_SIZE,))
@_doc("""The "plus in squares" close-up of ``test_pattern``: the filter comparison's target.

    What it is
        ``test_pattern(size)[crop_box(size)]``: the cross feature with a
        margin of background, where a filter's damage is easy to see and to
        measure: straight edges, square corners, the thin plus and the small
        gray and black discs.

    Array
        ``numpy.ndarray`` of shape ``(n, n)`` with ``n = round(112 * size /
        512)`` (112 x 112 at the default size 512), ``float32``; rows and
        columns as in ``test_pattern``; the crop starts at row and column
        ``round(200 * size / 512)``.

    Values
        As in ``test_pattern``: 0, 0.5 and 1 with partial-volume pixels at
        the edges. At the default size about 34 % of the pixels are
        exactly black, 29 % exactly white and 32 % exactly gray.
""")
def test_pattern_crop(size=BASE):
    return _test_pattern(size)[0][crop_box(size)].copy()


# --------------------------------------------------------------------------
# the Siemens star
# --------------------------------------------------------------------------
#: Shape of the Siemens star image (rows, columns).
STAR_SHAPE = (256, 256)
#: Bright spokes (as many dark gaps lie between them).
SPOKES = 48
#: Gray levels of the dark gaps and background, and of the spokes and hub.
STAR_LOW, STAR_HIGH = 0.3, 0.7
#: Radii (pixels) of the central disc (hub) and of the star.
HUB_RADIUS, STAR_RADIUS = 16.0, 120.0
#: The detector that records it: 8 x 8 fine cells per pixel, 0.5 px blur, no noise.
STAR_INSTRUMENT = imaging.Instrument(oversample=8, psf_sigma=0.5)


def _star_inside(rows, cols):
    cy, cx = (STAR_SHAPE[0] - 1) / 2, (STAR_SHAPE[1] - 1) / 2
    dr, dc = rows - cy, cols - cx
    r2 = dr * dr + dc * dc
    theta = np.mod(np.arctan2(-dr, dc), 2 * np.pi)
    spoke = np.mod(theta * (SPOKES / np.pi), 2.0) < 1.0
    return (r2 <= HUB_RADIUS ** 2) | (spoke & (r2 <= STAR_RADIUS ** 2))


@functools.lru_cache(maxsize=1)
def _siemens_star():
    whole = (slice(0, STAR_SHAPE[0]), slice(0, STAR_SHAPE[1]))
    cover = imaging.pixel_coverage(_star_inside, whole, STAR_INSTRUMENT.oversample)
    image = STAR_LOW + (STAR_HIGH - STAR_LOW) * cover
    image = imaging.blur(image, STAR_INSTRUMENT.psf_sigma)
    image.flags.writeable = False
    return image


@register("siemens_star",
          "Noise-free Siemens star, 48 spokes, levels 0.3 / 0.7, 0.5 px blur, 256 x 256 float32",
          sha256="31737008172831b843297a11d4fe288e22e05f142f113a09cdfe11dd08d2376b")
def siemens_star():
    """Siemens star: 48 bright spokes narrowing to a central disc, slightly blurred.

    What it is
        The classic resolution target: 48 bright wedges (0.7) alternate with
        48 dark ones (0.3) around the image centre, so the period along a
        circle of radius ``r`` pixels is ``2 pi r / 48`` pixels: 15.7 px at
        the star's rim (radius 120 px) and 2.1 px, about the sampling limit
        of two pixels, at the bright central disc (radius 16 px) that
        covers the centre. Outside the star the background is 0.3. Filters
        that blur lose the spokes from the centre outwards; edge-preserving
        filters keep them further in.

    Array
        ``numpy.ndarray`` of shape ``(256, 256)``, ``float32``, rows top to
        bottom, columns left to right; the star's centre lies at (127.5,
        127.5), between the four middle pixels, so the image is symmetric.

    Values
        From 0.3 to 0.7, no unit. 0.3 outside the star and deep in the dark
        wedges, 0.7 in the hub and the bright wedges, intermediate values
        at every edge and near the hub, where several wedges share a pixel.

    How it is made
        Through the imaging model (``common.data.imaging``): the star is a
        function of position evaluated on a grid 8 x 8 times finer than the
        pixels and integrated (partial volume), then blurred by the
        detector's Gaussian point spread function of 0.5 px. No noise: the
        chapters add their own (``common.noise``). No random part, no
        parameters.
    """
    return _siemens_star().copy()
