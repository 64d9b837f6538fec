"""Objects for the imaging model: shapes as functions, and their exact geometry.

An object is a function ``inside(rows, cols)`` of detector-pixel coordinates
(see :mod:`common.data.imaging` for the conventions) that says which points
belong to it, together with the radius of a circle around its centre that
holds it. :func:`common.data.imaging.pixel_coverage` evaluates it on the fine
grid of its bounding box only. The truth tables are measured on the same
fine grid by :func:`fine_geometry`, so a true area is the object's area (to
``1 / oversample**2`` of a pixel), not a count of detector pixels.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.spatial import ConvexHull, QhullError


def _frame(rows, cols, center, angle_deg):
    """Coordinates along (u) and across (v) the direction ``angle_deg``."""
    dy = -(rows - center[0])  # up is positive on screen
    dx = cols - center[1]
    t = math.radians(angle_deg)
    return dx * math.cos(t) + dy * math.sin(t), -dx * math.sin(t) + dy * math.cos(t)


def blob(center, semi_axes, angle_deg, wobble=()):
    """An ellipse whose outline is bent by a few harmonics: ``(inside, radius)``.

    ``semi_axes`` (a, b) in pixels, ``a`` along ``angle_deg`` (degrees
    counter-clockwise from the horizontal as displayed); ``wobble`` is a
    sequence of ``(k, amplitude, phase)``: the outline lies at
    ``1 + sum(amplitude * cos(k * phi + phase))`` times the ellipse's.
    """
    a, b = float(semi_axes[0]), float(semi_axes[1])
    wobble = tuple((int(k), float(amp), float(ph)) for k, amp, ph in wobble)
    radius = max(a, b) * (1.0 + sum(abs(amp) for _, amp, _ in wobble))

    def inside(rows, cols):
        u, v = _frame(rows, cols, center, angle_deg)
        u, v = u / a, v / b
        rho2 = u * u + v * v
        if not wobble:
            return rho2 <= 1.0
        phi = np.arctan2(v, u)
        edge = 1.0
        for k, amp, ph in wobble:
            edge = edge + amp * np.cos(k * phi + ph)
        return rho2 <= edge * edge

    return inside, radius


def ring_arc(center, radius, half_width, start_deg, span_deg):
    """A thin circular arc (a crack or the edge of a canal): ``(inside, radius)``."""
    start, span = math.radians(start_deg), math.radians(span_deg)

    def inside(rows, cols):
        dy, dx = -(rows - center[0]), cols - center[1]
        phi = np.mod(np.arctan2(dy, dx) - start, 2.0 * np.pi)
        return (np.abs(np.hypot(dx, dy) - radius) <= half_width) & (phi <= span)

    return inside, radius + half_width


def union(*parts):
    """Several ``(inside, radius)`` objects about the same centre, as one."""
    def inside(rows, cols):
        out = parts[0][0](rows, cols)
        for part, _ in parts[1:]:
            out = out | part(rows, cols)
        return out

    return inside, max(r for _, r in parts)


def fine_geometry(fine: np.ndarray, box, oversample: int) -> dict:
    """Exact geometry of an object sampled on the fine grid of ``box``.

    Returns area (detector pixels, a multiple of ``1 / oversample**2``),
    centroid (row, col), full major and minor axis lengths (4 times the
    square root of the eigenvalues of the coordinate covariance, the
    convention of ``skimage.measure.regionprops``), orientation of the major
    axis (degrees counter-clockwise from the horizontal as displayed, in
    (-90, 90]) and solidity (area over the area of the convex hull of the
    fine cells). Empty objects give area 0 and NaN elsewhere.
    """
    rr, cc = np.nonzero(fine)
    n = rr.size
    out = {"area": n / oversample**2}
    if n == 0:
        out.update(row=math.nan, col=math.nan, major=math.nan, minor=math.nan,
                   orientation=math.nan, solidity=math.nan)
        return out
    offset = (np.arange(oversample) + 0.5) / oversample - 0.5
    rows = box[0].start + rr // oversample + offset[rr % oversample]
    cols = box[1].start + cc // oversample + offset[cc % oversample]
    r0, c0 = rows.mean(), cols.mean()
    dr, dc = rows - r0, cols - c0
    cov = np.array([[np.mean(dr * dr), np.mean(dr * dc)], [np.mean(dr * dc), np.mean(dc * dc)]])
    evals, evecs = np.linalg.eigh(cov)
    vr, vc = evecs[:, 1]
    angle = math.degrees(math.atan2(-vr, vc))
    if angle <= -90:
        angle += 180
    elif angle > 90:
        angle -= 180
    half = 0.5 / oversample
    corners = np.concatenate([np.stack([rows + sr * half, cols + sc * half], axis=1)
                              for sr in (-1, 1) for sc in (-1, 1)])
    try:
        hull = ConvexHull(corners).volume
    except QhullError:  # pragma: no cover - a single fine cell still has 4 corners
        hull = out["area"]
    out.update(row=r0, col=c0, major=4.0 * math.sqrt(max(evals[1], 0.0)),
               minor=4.0 * math.sqrt(max(evals[0], 0.0)), orientation=angle,
               solidity=min(1.0, out["area"] / hull))
    return out
