"""CT cross-section of a cortical bone: a bright ring with pores around marrow.

The generator builds the section from its parts: the teardrop-shaped outer
surface of the bone, the rounder inner surface that bounds the marrow
cavity, the cortical bone between them (with lamellae and a few hundred small
pores: osteocyte lacunae and vascular canals), a band of spongy bone and a
soft-tissue pocket at the top of the cavity, then the imperfections of a CT
reconstruction: a slight blur, correlated noise, faint ring artefacts and
streaks. Gray levels are 8-bit display values as a CT viewer would export
them (no Hounsfield calibration).
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage as ndi

from ._registry import register, seed_param

#: Shape of the section: (rows, columns).
SHAPE = (305, 282)
#: Mean gray levels of the regions before noise.
LEVELS = {"background": 73.0, "marrow": 78.0, "soft_tissue": 94.0, "bone": 216.0,
          "pore": 40.0}


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


@functools.lru_cache(maxsize=4)
def _generate(seed):
    rng = np.random.default_rng([seed, 4_0305_0282])
    h, w = SHAPE
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]
    rr, cc = np.broadcast_arrays(rows, cols)

    # ---------------------------------------------------------- geometry
    # Outer surface: a teardrop whose tail runs out of the top-left corner.
    center = (186.0 + rng.uniform(-3, 3), 155.0 + rng.uniform(-3, 3))
    tip = (-43.0, -1.0)
    outer = _teardrop(rr, cc, center, 115.0 + rng.uniform(-2, 2), tip=tip,
                      bend=rng.uniform(-6, 6))
    sd_outer = _signed_distance(outer) + 1.5 * _smooth(rng, SHAPE, 9.0)
    outer = _r6(sd_outer) < 0.0
    depth = -sd_outer                         # distance into the bone from outside

    # Marrow cavity: what lies deeper than the cortical thickness (thinner on
    # the left and at the bottom, thicker towards the top right), cut off
    # before the solid tail and rounded; a small notch at the bottom is the
    # entrance of a nutrient canal.
    ang = np.arctan2(rr - center[0], cc - center[1])
    thickness = 39.0 + 7.0 * np.cos(ang + 0.75) + 2.0 * np.cos(3 * ang + 1.0)
    axis = np.array(tip) - np.array(center)
    axis = axis / np.hypot(*axis)
    along = (rr - center[0]) * axis[0] + (cc - center[1]) * axis[1]
    cavity = (_r6(depth - thickness) > 0.0) & (along < 108.0)
    cavity = ndi.gaussian_filter(cavity.astype(float), 5.0) > 0.5
    roughen = ndi.gaussian_filter(cavity.astype(float), 1.5) + 0.12 * _smooth(rng, SHAPE, 4.0)
    cavity = _r6(roughen) > 0.5
    labels, _ = ndi.label(cavity)                 # one cavity, without islands
    cavity = ndi.binary_fill_holes(labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1)
    bottom = np.unravel_index(np.argmax(np.where(cavity, rr, -1.0)), SHAPE)
    notch = (np.abs(cc - bottom[1]) < 1.2) & (rr >= bottom[0]) & (rr < bottom[0] + 5)
    cavity |= notch
    inner_dist = _signed_distance(cavity)     # distance from the cavity wall
    cy, cx = center

    bone = outer & ~cavity

    # ---------------------------------------------------------- bone texture
    # Lamellae run parallel to the outer surface; density varies slowly.
    lam_phase = 2 * np.pi * depth / 4.3 + 1.5 * _smooth(rng, SHAPE, 6.0)
    img = np.full(SHAPE, LEVELS["background"])
    bone_val = LEVELS["bone"] + 4.0 * np.sin(_r6(lam_phase)) + 4.0 * _smooth(rng, SHAPE, 12.0)
    # Bone just under the surfaces is a little denser.
    bone_val += 4.0 * np.exp(-depth / 4.0) + 3.0 * np.exp(-inner_dist / 4.0)
    img = np.where(bone, bone_val, img)

    # Marrow cavity. At its end towards the tail lies a pocket of denser soft
    # tissue, lined along the cavity wall by a band of spongy bone (gray
    # matrix riddled with small holes) and holding a lobe of plain marrow.
    img = np.where(cavity, LEVELS["marrow"] + 1.5 * _smooth(rng, SHAPE, 10.0), img)
    boundary = cy - 47.0 - 14.0 * ((cc - cx - 5.0) / 60.0) ** 2 \
        + 5.0 * np.sin(cc / 17.0 + rng.uniform(0, 2 * np.pi)) + 3.0 * _smooth(rng, SHAPE, 6.0)
    pocket = cavity & (_r6(rr - boundary) < 0.0)
    band = pocket & (_r6(inner_dist + 7.0 + 5.0 * np.clip(_smooth(rng, SHAPE, 5.0), -1, 1.5)) > 0.0)
    lobe_c = (cy - 97.0 + rng.uniform(-3, 3), cx - 35.0 + rng.uniform(-4, 4))
    lobe = pocket & ~band & (((rr - lobe_c[0]) / 10.0) ** 2 + ((cc - lobe_c[1]) / 27.0) ** 2
                             + 0.5 * _r6(_smooth(rng, SHAPE, 5.0)) < 1.0)
    sponge = _smooth(rng, SHAPE, 0.9)
    img = np.where(pocket, LEVELS["soft_tissue"] + 2.0 * _smooth(rng, SHAPE, 4.0), img)
    img = np.where(lobe, LEVELS["marrow"] + 3.0, img)
    img = np.where(band, 140.0 + 25.0 * np.clip(_r6(sponge), -1, 1), img)
    img = np.where(band & (_r6(sponge) < -0.8), LEVELS["pore"], img)

    # ---------------------------------------------------------- pores
    # Lacunae (small, elongated along the lamellae) and a few canals, denser
    # in the thin tail at the top left and near the cavity wall.
    grad_r, grad_c = np.gradient(ndi.gaussian_filter(depth, 3.0))
    candidates = np.flatnonzero(bone & (depth > 2.5) & (inner_dist > 2.0))
    weight = 1.0 + 1.5 * np.exp(-inner_dist.ravel()[candidates] / 8.0) \
        + 2.5 * (rr.ravel()[candidates] + cc.ravel()[candidates] < 170)
    weight = _r6(weight)
    n_pores = int(candidates.size / 85)
    picks = rng.choice(candidates, size=n_pores, replace=False, p=weight / weight.sum())
    dark = np.zeros(SHAPE)
    for k, idx in enumerate(picks):
        r0, c0 = divmod(int(idx), w)
        tangent = np.arctan2(grad_c[r0, c0], -grad_r[r0, c0])  # along the lamellae
        big = rng.random() < 0.06
        a = rng.uniform(1.8, 3.5) if big else rng.uniform(0.7, 1.3)
        b = rng.uniform(0.6, 0.9) if big else rng.uniform(0.5, 0.8)
        theta = tangent + rng.normal(0, 0.25)
        y, x = r0 + rng.uniform(-0.5, 0.5), c0 + rng.uniform(-0.5, 0.5)
        lo_r, hi_r = max(r0 - 5, 0), min(r0 + 6, h)
        lo_c, hi_c = max(c0 - 5, 0), min(c0 + 6, w)
        py = rows[lo_r:hi_r] - y
        px = cols[:, lo_c:hi_c] - x
        u = px * np.cos(theta) + py * np.sin(theta)
        v = -px * np.sin(theta) + py * np.cos(theta)
        # Soft-edged ellipse: pixel coverage from a smooth step of the radius.
        q = _r6(np.sqrt((u / a) ** 2 + (v / b) ** 2))
        cover = np.clip(1.5 - q, 0.0, 1.0)
        np.maximum(dark[lo_r:hi_r, lo_c:hi_c], cover, out=dark[lo_r:hi_r, lo_c:hi_c])
    dark = np.where(bone, dark, 0.0)
    img = img * (1.0 - dark) + LEVELS["pore"] * dark

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

    # The reconstruction blurs a little; its noise is fine-grained but not
    # white (filtered back-projection correlates neighbouring pixels).
    img = ndi.gaussian_filter(_r6(img), 0.6, mode="nearest")
    noise = ndi.gaussian_filter(rng.standard_normal(SHAPE), 0.6) * (2.0 * np.sqrt(np.pi) * 0.6)
    img = img + np.where(bone, 7.0, 4.0) * noise
    return np.clip(np.rint(_r6(img)), 0, 255).astype(np.uint8)


@register("ct_bone_section",
          "CT cross-section of a cortical bone: bright porous ring around marrow, 305 x 282 uint8",
          sha256="f5dfb96199e1769cabaf8e872035375c2f07bc3e6e8fe559619c9a1b92d6c4e9",
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
        Background about 73 and marrow about 78 (most pixels of both
        between 64 and 85), soft tissue about 94, cortical bone about 215
        (most of it 200 to 232), pores down to about 40. About 38 % of the
        pixels are bone. The histogram has two clear peaks (soft matter
        and bone) far apart, so one threshold near 140 separates bone from
        everything else, pores excepted.

    How it is made
        The outer surface is a teardrop (a disc with a tapered tail), the
        cavity what lies deeper than the cortical thickness (30 to 48
        pixels, thickest towards the top right), cut before the tail and
        rounded; both outlines are roughened by smooth noise. Bone gray
        levels carry lamellae parallel to the outer surface and a slow
        density variation. About one pore per 85 pixels of bone (some 300)
        is drawn as a small soft-edged ellipse along the lamellae, more of
        them in the tail and near the cavity. Then come the artefacts of
        CT: nine faint rings and forty faint streaks around the rotation
        axis, fine arcs of back-projection noise, a blur of 0.6 pixel and
        fine-grained noise (standard deviation about 4 in soft matter, 7
        in bone). Everything follows from ``seed``.
    """
    return _generate(seed).copy()
