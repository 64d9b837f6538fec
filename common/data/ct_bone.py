"""CT cross-section of a cortical bone: a bright ring with pores around marrow.

The generator builds the section from its parts: the teardrop-shaped outer
surface of the bone, the rounder inner surface that bounds the marrow
cavity, the cortical bone between them (with lamellae and a few hundred small
pores: osteocyte lacunae and vascular canals, some holding fluid, some air),
a band of spongy bone and a soft-tissue pocket at the top of the cavity. The
scanner then records it through the book's imaging model
(:mod:`common.data.imaging`): partial-volume pixels at every outline and
pore, blur, the dark fringe of an edge halo along the bone's surfaces,
counting noise that the reconstruction correlates, faint ring artefacts and
streaks. Gray levels are 8-bit display values as a CT viewer would export
them (no Hounsfield calibration). The pores drawn are listed in
``ct_bone_section_pores``, the truth a measurement on the image can be
checked against.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import imaging
from ._registry import register, seed_param

#: Shape of the section: (rows, columns).
SHAPE = (305, 282)
#: Mean gray levels of the regions before noise.
LEVELS = {"background": 73.0, "marrow": 78.0, "soft_tissue": 94.0, "bone": 212.0,
          "pore": 60.0, "air": 0.0}
#: One pore per this many pixels of cortical bone.
PIXELS_PER_PORE = 48
#: Share of the pores that are vascular canals (larger, always air-filled).
CANAL_SHARE = 0.035
#: Chance that a lacuna holds air rather than fluid, per unit of a * b (its
#: semi-axes in pixels): larger lacunae are more often empty. Canals always are.
AIR_SHARE = 0.2
#: The reconstruction's interpolation: a second Gaussian blur (pixels),
#: after the noise.
RECONSTRUCTION_SIGMA = 0.6
#: Standard deviation of the logarithm of the halo's strength over the field.
HALO_SPREAD = 0.4
#: The scanner (:mod:`common.data.imaging`): outlines drawn 3 x 3 times
#: finer than the pixels and integrated, a reconstruction blur of 0.6 pixel,
#: the dark and bright overshoot of filtered back-projection at edges,
#: counting noise (variance value / counts, plus read-out noise), 8 bits.
INSTRUMENT = imaging.Instrument(oversample=3, psf_sigma=0.5, halo=1.6, halo_sigma=0.8,
                                counts=1.8, read_noise=2.0, dtype="uint8", low=-4.0, high=262.0)


def _r6(x):
    """Round a float field to 6 decimals (keeps last-bit differences of
    transcendental functions between CPUs out of thresholds and counts)."""
    return np.round(x, 6)


def _smooth(rng, shape, sigma):
    """Gaussian-filtered white noise scaled to unit standard deviation."""
    field = ndi.gaussian_filter(rng.standard_normal(shape), sigma, mode="reflect")
    return field * (2.0 * np.sqrt(np.pi) * sigma)


def _signed_distance(mask):
    """Distance to the outline of ``mask``, negative inside, positive outside."""
    return ndi.distance_transform_edt(~mask) - ndi.distance_transform_edt(mask)


def _teardrop(rows, cols, center, radius, tip, bend):
    """Mask of a teardrop: a disc of ``radius`` around ``center`` whose
    tangents meet at ``tip``; the tail curves sideways by ``bend`` pixels."""
    axis = np.array(tip, float) - np.array(center, float)
    length = float(np.hypot(*axis))
    a_r, a_c = axis / length
    dr, dc = rows - center[0], cols - center[1]
    s = dr * a_r + dc * a_c                   # along the axis, towards the tip
    d = -dr * a_c + dc * a_r                  # across it
    frac = np.clip(s / length, 0.0, 1.0)
    d = d - bend * frac ** 2
    disc = s * s + d * d <= radius ** 2
    # Tangent lines from the tip touch the disc at s0 = r^2 / L.
    s0 = radius ** 2 / length
    half = np.sqrt(radius ** 2 - s0 ** 2) * (length - s) / (length - s0)
    cone = (s >= s0) & (s <= length) & (np.abs(d) <= half)
    return disc | cone


def _upsample(field, factor):
    """Bilinear interpolation of a pixel field at the centres of the cells of
    a grid ``factor`` times finer (edges held), float64."""
    out = field
    for axis, n in enumerate(field.shape):
        pos = np.clip((np.arange(n * factor) + 0.5) / factor - 0.5, 0, n - 1)
        i = np.minimum(pos.astype(int), n - 2)
        f = (pos - i).reshape([-1 if k == axis else 1 for k in range(field.ndim)])
        out = np.take(out, i, axis=axis) * (1.0 - f) + np.take(out, i + 1, axis=axis) * f
    return out


def _pixel_centres(fine, factor):
    """The values of a fine-grid field at the pixel centres (factor odd)."""
    return fine[factor // 2::factor, factor // 2::factor]


def _to_angle(theta_rows_down):
    """An angle measured with rows pointing down, as degrees counter-clockwise
    from the column axis as displayed, in (-90, 90]."""
    angle = -np.degrees(theta_rows_down)
    angle = (angle + 90.0) % 180.0 - 90.0
    return 90.0 if angle == -90.0 else float(angle)


@functools.lru_cache(maxsize=4)
def _section_object(seed):
    """The object of the section, before the scanner: gray levels of the
    materials, every outline and pore pixel-integrated (partial volume).

    Returns ``(image, pores, rng_state)``: the object as a read-only float64
    array (the gray scale of ``LEVELS``), the pore table, and the state of
    the random generator after drawing the object, from which
    :func:`_generate` draws the artefacts and the noise. Both the clean
    section and the recorded one come from this one object.
    """
    rng = np.random.default_rng([seed, 4_0305_0282])
    h, w = SHAPE
    F = INSTRUMENT.oversample
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]
    rr, cc = np.broadcast_arrays(rows, cols)
    # The outlines are drawn on a grid F times finer than the pixels, so
    # that pixel integration gives each edge pixel its covered fraction.
    fr = ((np.arange(h * F, dtype=float) + 0.5) / F - 0.5)[:, None]
    fc = ((np.arange(w * F, dtype=float) + 0.5) / F - 0.5)[None, :]
    frr, fcc = np.broadcast_arrays(fr, fc)

    def fine_signed_distance(mask):
        return _signed_distance(mask) / F

    # ---------------------------------------------------------- geometry
    # Outer surface: a teardrop whose tail runs out of the top-left corner.
    center = (186.0 + rng.uniform(-3, 3), 155.0 + rng.uniform(-3, 3))
    tip = (-43.0, -1.0)
    outer_f = _teardrop(frr, fcc, center, 115.0 + rng.uniform(-2, 2), tip=tip,
                        bend=rng.uniform(-6, 6))
    sd_outer_f = fine_signed_distance(outer_f) + 1.5 * _upsample(_smooth(rng, SHAPE, 9.0), F)
    outer_f = _r6(sd_outer_f) < 0.0
    depth_f = -sd_outer_f                     # distance into the bone from outside
    depth = _pixel_centres(depth_f, F)

    # Marrow cavity: what lies deeper than the cortical thickness (thinner on
    # the left and at the bottom, thicker towards the top right), cut off
    # before the solid tail and rounded; a small notch at the bottom is the
    # entrance of a nutrient canal.
    ang = np.arctan2(frr - center[0], fcc - center[1])
    thickness = 39.0 + 7.0 * np.cos(ang + 0.75) + 2.0 * np.cos(3 * ang + 1.0)
    axis = np.array(tip) - np.array(center)
    axis = axis / np.hypot(*axis)
    along = (frr - center[0]) * axis[0] + (fcc - center[1]) * axis[1]
    cavity_f = (_r6(depth_f - thickness) > 0.0) & (along < 108.0)
    cavity_f = ndi.gaussian_filter(cavity_f.astype(float), 5.0 * F) > 0.5
    roughen = (ndi.gaussian_filter(cavity_f.astype(float), 1.5 * F)
               + 0.12 * _upsample(_smooth(rng, SHAPE, 4.0), F))
    cavity_f = _r6(roughen) > 0.5
    labels, _ = ndi.label(cavity_f)               # one cavity, without islands
    cavity_f = ndi.binary_fill_holes(labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1)
    bottom = np.unravel_index(np.argmax(np.where(cavity_f, frr, -1.0)), cavity_f.shape)
    notch = (np.abs(fcc - fcc[0, bottom[1]]) < 1.2) & (frr >= frr[bottom[0], 0]) \
        & (frr < frr[bottom[0], 0] + 5)
    cavity_f |= notch
    inner_dist = _pixel_centres(fine_signed_distance(cavity_f), F)  # from the cavity wall
    cy, cx = center

    # Partial volume of the two outlines: the fraction of each pixel inside.
    outer_cov = imaging.integrate_pixels(outer_f, F).astype(float)
    cavity_cov = imaging.integrate_pixels(cavity_f & outer_f, F).astype(float)
    bone_cov = outer_cov - cavity_cov
    bone = bone_cov >= 0.5
    cavity = cavity_cov >= 0.5
    del frr, fcc, outer_f, cavity_f, sd_outer_f, depth_f, ang, thickness, along, roughen

    # ---------------------------------------------------------- bone texture
    # Lamellae run parallel to the outer surface; density varies slowly.
    lam_phase = 2 * np.pi * depth / 4.3 + 1.5 * _smooth(rng, SHAPE, 6.0)
    bone_val = LEVELS["bone"] + 6.0 * np.sin(_r6(lam_phase)) + 4.0 * _smooth(rng, SHAPE, 12.0)
    # Bone just under the surfaces is a little denser.
    bone_val += 4.0 * np.exp(-np.clip(depth, 0, None) / 4.0) \
        + 3.0 * np.exp(-np.clip(inner_dist, 0, None) / 4.0)

    # Marrow cavity. At its end towards the tail lies a pocket of denser soft
    # tissue, lined along the cavity wall by a band of spongy bone (gray
    # matrix riddled with small air holes) and holding a lobe of plain marrow.
    cav_val = LEVELS["marrow"] + 1.5 * _smooth(rng, SHAPE, 10.0)
    boundary = cy - 47.0 - 14.0 * ((cc - cx - 5.0) / 60.0) ** 2 \
        + 5.0 * np.sin(cc / 17.0 + rng.uniform(0, 2 * np.pi)) + 3.0 * _smooth(rng, SHAPE, 6.0)
    pocket = cavity & (_r6(rr - boundary) < 0.0)
    band = pocket & (_r6(inner_dist + 7.0 + 5.0 * np.clip(_smooth(rng, SHAPE, 5.0), -1, 1.5)) > 0.0)
    lobe_c = (cy - 97.0 + rng.uniform(-3, 3), cx - 35.0 + rng.uniform(-4, 4))
    lobe = pocket & ~band & (((rr - lobe_c[0]) / 10.0) ** 2 + ((cc - lobe_c[1]) / 27.0) ** 2
                             + 0.5 * _r6(_smooth(rng, SHAPE, 5.0)) < 1.0)
    sponge = _smooth(rng, SHAPE, 0.9)
    cav_val = np.where(pocket, LEVELS["soft_tissue"] + 2.0 * _smooth(rng, SHAPE, 4.0), cav_val)
    cav_val = np.where(lobe, LEVELS["marrow"] + 3.0, cav_val)
    # The holes of the spongy bone are drawn on the fine grid too.
    holes = imaging.integrate_pixels(_r6(_upsample(sponge, F)) < -0.9, F).astype(float)
    trabecular = 140.0 + 25.0 * np.clip(_r6(sponge), -1, 1)
    cav_val = np.where(band, trabecular * (1.0 - holes) + LEVELS["air"] * holes, cav_val)

    # The object: each pixel mixes the materials it holds.
    img = LEVELS["background"] * (1.0 - outer_cov) + bone_val * bone_cov + cav_val * cavity_cov

    # ---------------------------------------------------------- pores
    # Lacunae (small, elongated along the lamellae) and a few canals, denser
    # in the thin tail at the top left and near the cavity wall. Each is an
    # ellipse drawn with its partial-volume pixels in its own small box;
    # canals, and some of the larger lacunae, hold air, the rest fluid.
    grad_r, grad_c = np.gradient(ndi.gaussian_filter(depth, 3.0))
    candidates = np.flatnonzero(bone & (depth > 2.5) & (inner_dist > 2.0))
    weight = 1.0 + 1.5 * np.exp(-inner_dist.ravel()[candidates] / 8.0) \
        + 2.5 * (rr.ravel()[candidates] + cc.ravel()[candidates] < 170)
    weight = _r6(weight)
    n_pores = int(candidates.size / PIXELS_PER_PORE)
    picks = rng.choice(candidates, size=n_pores, replace=False, p=weight / weight.sum())
    pore_cov = np.zeros(SHAPE)
    pore_val = np.zeros(SHAPE)
    table = []
    for idx in picks:
        r0, c0 = divmod(int(idx), w)
        tangent = np.arctan2(grad_c[r0, c0], -grad_r[r0, c0])  # along the lamellae
        big = rng.random() < CANAL_SHARE
        a = rng.uniform(1.8, 3.5) if big else rng.uniform(0.55, 1.1)
        b = rng.uniform(0.9, 1.4) if big else rng.uniform(0.4, 0.7)
        theta = float(_r6(tangent + rng.normal(0, 0.25)))
        y, x = r0 + rng.uniform(-0.5, 0.5), c0 + rng.uniform(-0.5, 0.5)
        air = big or rng.random() < AIR_SHARE * a * b
        ct, st = np.cos(theta), np.sin(theta)

        def inside(r, c, y=y, x=x, a=a, b=b, ct=ct, st=st):
            u = (c - x) * ct + (r - y) * st
            v = -(c - x) * st + (r - y) * ct
            return (u / a) ** 2 + (v / b) ** 2 <= 1.0

        box = (slice(max(r0 - 4, 0), min(r0 + 5, h)), slice(max(c0 - 4, 0), min(c0 + 5, w)))
        cover = imaging.coverage(inside, np.ogrid[box], F).astype(float)
        part = pore_cov[box]
        pore_val[box] = np.where(cover > part, LEVELS["air" if air else "pore"], pore_val[box])
        np.maximum(part, cover, out=part)
        major, minor, along_major = (a, b, theta) if a >= b else (b, a, theta + np.pi / 2)
        table.append({"row": y, "col": x, "area_px": np.pi * a * b, "major_axis_px": 2.0 * major,
                      "minor_axis_px": 2.0 * minor, "orientation_deg": _to_angle(along_major),
                      "kind": "canal" if big else "lacuna", "content": "air" if air else "fluid"})
    pore_cov = np.minimum(pore_cov, bone_cov)
    img = img * (1.0 - pore_cov) + pore_val * pore_cov

    pores = pd.DataFrame(table)
    pores["overlaps"] = _overlapping(pores)
    pores = pores.sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    for col in ("row", "col", "area_px", "major_axis_px", "minor_axis_px", "orientation_deg"):
        pores[col] = pores[col].astype(float).round(3)
    pores.insert(0, "pore_id", np.arange(1, len(pores) + 1, dtype=np.int64))
    img.setflags(write=False)
    return img, pores, rng.bit_generator.state


@functools.lru_cache(maxsize=4)
def _generate(seed):
    """The recorded section: the object of :func:`_section_object` through
    CT artefacts and the scanner. Returns ``(image, pores)``."""
    obj, pores, state = _section_object(seed)
    rng = np.random.default_rng([seed, 4_0305_0282])
    rng.bit_generator.state = state
    h, w = SHAPE
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]
    rr, cc = np.broadcast_arrays(rows, cols)
    img = obj.copy()

    # ---------------------------------------------------------- CT artefacts
    # Rings centred on the rotation axis, streaks through the field.
    rot = (h / 2 + rng.uniform(-10, 10), w / 2 + rng.uniform(-10, 10))
    r_axis = np.hypot(rr - rot[0], cc - rot[1])
    ring_profile = np.zeros(int(r_axis.max()) + 2)
    for r_ring in rng.uniform(10, r_axis.max(), 9):
        ring_profile[int(r_ring)] += rng.choice([-1.0, 1.0]) * rng.uniform(2.5, 5.0)
    img = img + np.interp(r_axis, np.arange(ring_profile.size), ring_profile)
    streaks = np.zeros(SHAPE)
    phi = np.arctan2(rr - rot[0], cc - rot[1])
    for _ in range(40):
        a0 = rng.uniform(-np.pi, np.pi)
        streaks += rng.uniform(-2.0, 2.0) * np.exp(-(_r6(np.sin(phi - a0)) * r_axis / 1.0) ** 2)
    img = img + streaks * np.clip(r_axis / 40.0, 0.0, 1.0)
    # Fine arcs around the axis: back-projection noise is stretched along the
    # direction of rotation.
    n_r, n_phi = int(r_axis.max()) + 3, 900
    arcs = ndi.gaussian_filter(rng.standard_normal((n_r, n_phi)), (0.6, 5.0), mode="wrap")
    arcs *= 2.0 * np.sqrt(np.pi) * np.sqrt(0.6 * 5.0)
    arcs = ndi.map_coordinates(arcs, [r_axis, _r6((phi + np.pi) / (2 * np.pi) * n_phi) % n_phi],
                               order=1, mode="grid-wrap")
    img = img + 2.5 * arcs

    # The halo's strength varies over the field (within a factor of about
    # 4 either way): some stretches of the outline get a deep dark fringe.
    halo_map = np.exp(HALO_SPREAD * np.clip(_smooth(rng, SHAPE, 25.0), -2.0, 2.0))

    # ---------------------------------------------------------- the scanner
    # The imaging chain: blur, edge halo (phase contrast at the bone's
    # surfaces), counting noise; then the reconstruction's interpolation
    # blurs image and noise alike (neighbouring pixels' noise correlates,
    # as in a real CT slice), and 8 bits.
    img = imaging.blur(_r6(img), INSTRUMENT.psf_sigma)
    img = imaging.edge_halo(img, INSTRUMENT.halo * halo_map.astype(np.float32), INSTRUMENT.halo_sigma)
    img = imaging.add_noise(img, rng, counts=INSTRUMENT.counts, read_noise=INSTRUMENT.read_noise)
    img = imaging.blur(img, RECONSTRUCTION_SIGMA)
    image = imaging.quantise(_r6(img), INSTRUMENT.dtype, INSTRUMENT.low, INSTRUMENT.high)
    image.setflags(write=False)
    return image, pores


def _overlapping(pores):
    """For each pore, whether its ellipse may meet another's (bounding
    circles of radius ``major/2`` overlap): such pores can merge in the image."""
    pts = pores[["row", "col"]].to_numpy()
    reach = pores["major_axis_px"].to_numpy() / 2.0
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    near = d < reach[:, None] + reach[None, :]
    np.fill_diagonal(near, False)
    return near.any(axis=1)


@register("ct_bone_section",
          "CT cross-section of a cortical bone: bright porous ring around marrow, 305 x 282 uint8",
          sha256="958a3128bea8c8265d3e5f0ccc98105cfd96483a721ccbb89acbf6eed953542b",
          params=(seed_param(0),))
def ct_bone_section(seed=0):
    """CT slice through a long bone: cortical ring with pores, marrow inside.

    What it depicts
        A cross-section through the shaft of a bone as an X-ray computed
        tomography (CT) scanner reconstructs it. The cortical bone forms a
        thick, bright ring shaped like a teardrop whose tip leaves the image
        at the top left; it holds a few hundred small dark pores (osteocyte
        lacunae, elongated along the bone's lamellae, and a few longer
        vascular canals), more of them in the tip and near the cavity. The
        ring surrounds the darker marrow cavity, at whose top lie a band of
        spongy bone and a slightly brighter soft-tissue pocket. Outside the
        bone is the embedding medium.

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(305, 282)`` = (rows,
        columns); axis 0 runs top to bottom, axis 1 left to right; one
        pixel is one voxel of the reconstruction (the book measures in
        pixels). Values are 8-bit display gray levels, not Hounsfield
        units.

    Values
        Background about 74 and marrow about 80 (most pixels of both
        between 64 and 85), soft tissue about 94, cortical bone about 208
        (most of it 185 to 225; pores and partial-volume pixels pull its
        lower tail down). Values span about 4 to 253: the gray levels were
        exported with a little room at both ends, so hardly any pixel
        saturates. A dark fringe one or two pixels wide runs
        along the bone's surfaces (the edge halo: a few gray levels below
        the surroundings on average, down to about 30 where it is
        strongest) with a faint bright one on the bone's side. Pores go
        from about 170 (the smallest, fluid-filled, mostly partial-volume
        pixels) down to about 5 (air-filled canals and the larger lacunae; the
        holes of the spongy bone). About 38 % of the pixels are bone. The
        histogram has two clear peaks (soft matter and bone) far apart, so
        one threshold near 140 separates bone from everything else, pores
        excepted.

    How it is made
        The object: the outer surface is a teardrop (a disc with a tapered
        tail), the cavity what lies deeper than the cortical thickness (30
        to 48 pixels, thickest towards the top right), cut before the tail
        and rounded; both outlines are roughened by smooth noise and drawn
        on a grid 3 times finer than the pixels. Bone gray levels carry
        lamellae parallel to the outer surface and a slow density
        variation. One pore per ``PIXELS_PER_PORE`` (48) pixels of bone is
        an ellipse along the lamellae (``ct_bone_section_pores`` lists
        them), drawn with 3 x 3 samples per pixel: 3.5 % canals (semi-axes
        1.8-3.5 and 0.9-1.4 pixels, air), the rest lacunae (0.55-1.1 and
        0.4-0.7 pixels; fluid, gray level 60, or, more often the larger
        they are, air, 0). CT adds faint rings and streaks around the
        rotation axis and fine arcs of back-projection noise.

        The scanner (``INSTRUMENT``, the chain of ``common.data.imaging``):
        every pixel averages the object over its area (partial volume); a
        Gaussian blur of 0.5 pixel; an edge halo of strength 1.6 and width
        0.8 pixel whose strength varies slowly over the field (within a
        factor of about 2 either way); counting noise (1.8 quanta per gray
        level) and read-out noise (2 levels); the reconstruction's
        interpolation, a second blur of 0.6 pixel that makes neighbouring
        pixels' noise correlate (about 0.5, as in the reference scan); 8
        bits, the values -4 to 262 mapped onto 0 to 255. Everything follows
        from ``seed``.

    Statistics matched
        Measured on the CT slice of the original course (305 x 282):
        bone fraction above 140 (0.39 there), the soft-matter and bone
        histogram peaks (76 and 208), the number of pores in the ring's
        core (about 500) and their sizes (10/50/90 % at 1, 2, 5 pixels),
        the darkest pixel of the pores (median about 130) and of the
        larger ones (most below 50), noise (standard
        deviation about 4 in the background, correlation 0.4-0.5 between
        neighbours), the dark fringe and the near-black pixels (about 0.1 %
        of the ring's core below 30). ``tests/test_data_realism_ct_micrograph.py``
        prints each beside the reference.

    Ground truth
        ``load("ct_bone_section_pores")``: every pore drawn, with its
        true position, area, axes, orientation, kind and content.
    """
    return _generate(seed)[0].copy()


@register("ct_bone_section_pores",
          "Truth table of the pores of ct_bone_section: centre, area, axes, orientation, kind, content",
          sha256="ef1a9e24733b9926ba28afee2901304987e87d385d9bc51b25c2e172d48bd13a",
          params=(seed_param(0),))
def ct_bone_section_pores(seed=0):
    """The pores drawn in ``ct_bone_section`` (same seed), one row per pore.

    ``pandas.DataFrame`` sorted by row, then column:

    ===================  =======  ===============================================
    column               dtype    meaning
    ===================  =======  ===============================================
    ``pore_id``          int64    1, 2, ... in that order
    ``row``, ``col``     float    centre of the ellipse, pixels (row down, col right)
    ``area_px``          float    its true area, pi a b, pixels
    ``major_axis_px``    float    full lengths of its axes (2a, 2b), pixels
    ``minor_axis_px``
    ``orientation_deg``  float    direction of the major axis, degrees
                                  counter-clockwise from the horizontal as
                                  displayed, (-90, 90]
    ``kind``             str      ``"lacuna"`` (an osteocyte's cavity) or
                                  ``"canal"`` (a vascular canal, larger)
    ``content``          str      ``"fluid"`` (recorded gray) or ``"air"``
                                  (recorded near black)
    ``overlaps``         bool     the pore may meet another one (their bounding
                                  circles overlap), so the two can merge in
                                  the image
    ===================  =======  ===============================================

    The geometry is that of the ellipses themselves, before pixels, blur
    and noise: most lacunae are smaller than 2 pixels in area, so a
    measurement on the image finds them larger (blur) or not at all (noise),
    and touching pores as one. The holes of the spongy band inside the
    cavity are texture, not pores, and are not listed. Values rounded to 3
    decimals.
    """
    return _generate(seed)[1].copy()


def _display(obj):
    """Object gray levels on the recorded section's 8-bit scale, unrounded:
    the linear map of the scanner's quantisation (``INSTRUMENT.low`` to
    ``INSTRUMENT.high`` onto 0 to 255), as float32."""
    scale = 255.0 / (INSTRUMENT.high - INSTRUMENT.low)
    return _r6((obj - INSTRUMENT.low) * scale).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _clean(seed):
    out = _display(_section_object(seed)[0])
    out.setflags(write=False)
    return out


@register("ct_bone_section_clean",
          "The bone section of ct_bone_section before blur, artefacts and noise, 305 x 282 float32",
          sha256="922286daab6b7ee0a0ea6f76178e2d9fba8da1516905a65f521d529b8110db4a",
          params=(seed_param(0),))
def ct_bone_section_clean(seed=0):
    """The bone section of ``ct_bone_section`` (same seed) as it is, before the scanner.

    What it is
        The object from which ``ct_bone_section`` is recorded: the cortical
        ring with its lamellae and every pore of ``ct_bone_section_pores``,
        the marrow cavity with its spongy band and soft-tissue pocket, the
        embedding medium around. Each pixel holds the mean of the object
        over its area (pixel integration: outlines and pores have their
        partial-volume values), and nothing else: no blur, no edge halo, no
        rings, streaks or arcs, no noise, no rounding. Both data sets are
        made from one object, so ``ct_bone_section - ct_bone_section_clean``
        is exactly what the scanner added.

    Array
        ``numpy.ndarray``, dtype ``float32``, shape ``(305, 282)`` =
        (rows, columns), axes and pixels as in ``ct_bone_section``.

    Values
        Gray levels on the 8-bit scale of ``ct_bone_section``: the object's
        values mapped by the same straight line as the scanner's
        quantisation (object value -4 to 0, 262 to 255), but not rounded or
        clipped. Embedding medium about 73.8, marrow about 78.6, soft tissue
        about 94, cortical bone about 206 (lamellae and a slow density
        variation; 90 % of the pixels above 140 lie between 177 and 215,
        the lowest being partial-volume pixels), fluid-filled pores 61.4,
        air 3.8 (air-filled pores and the holes of the spongy band);
        partial-volume pixels lie between. Values span 3.8 to about 223. So
        the clean and the recorded section can be compared pixel by pixel
        (PSNR, difference images); divide by 255 for an image in [0, 1].

    How it is made
        The first half of the generator of ``ct_bone_section`` (see its
        documentation): outlines drawn 3 x 3 times finer than the pixels
        and integrated, bone texture, pores drawn with 3 x 3 samples per
        pixel. Everything follows from ``seed``.

    Ground truth
        This image is itself the truth for filters that remove blur and
        noise (the sinogram ``ct_bone_sinogram`` is computed from it);
        ``ct_bone_section_pores`` lists its pores.
    """
    return _clean(seed).copy()
