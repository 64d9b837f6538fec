"""Small deterministic building blocks shared by the data set generators."""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi


def ellipse_mask(shape, center, semi_axes, angle_deg):
    """Boolean mask of a filled ellipse.

    ``center`` is (row, col) in pixels, ``semi_axes`` is (a, b) with ``a``
    along the direction ``angle_deg`` (degrees counter-clockwise from the
    column axis as the image is displayed, rows pointing down).
    """
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    dy = -(rows - center[0])  # up is positive on screen
    dx = cols - center[1]
    t = np.deg2rad(angle_deg)
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    a, b = semi_axes
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def smooth_noise(rng, shape, sigma):
    """Gaussian-filtered white noise scaled to unit standard deviation.

    The scale is the analytic one for 2D white noise, 1 / (2 sqrt(pi) sigma),
    not a measured standard deviation, so no floating-point reduction whose
    order depends on the CPU enters the data.
    """
    white = rng.standard_normal(shape)
    return ndi.gaussian_filter(white, sigma, mode="reflect") * (2.0 * np.sqrt(np.pi) * sigma)


def region_table(mask):
    """Pixel-exact geometry of one binary region.

    Returns area (pixels), centroid (row, col), major and minor axis lengths
    (pixels; 4 sqrt of the eigenvalues of the pixel-coordinate covariance,
    the convention of scikit-image's ``regionprops``) and orientation of the
    major axis (degrees counter-clockwise from the column axis as displayed,
    in (-90, 90]).
    """
    rr, cc = np.nonzero(mask)
    area = rr.size
    r0, c0 = rr.mean(), cc.mean()
    dr, dc = rr - r0, cc - c0
    cov = np.array([[np.mean(dr * dr), np.mean(dr * dc)],
                    [np.mean(dr * dc), np.mean(dc * dc)]])
    evals, evecs = np.linalg.eigh(cov)
    major = 4.0 * np.sqrt(evals[1])
    minor = 4.0 * np.sqrt(max(evals[0], 0.0))
    vr, vc = evecs[:, 1]
    angle = np.degrees(np.arctan2(-vr, vc))
    if angle <= -90:
        angle += 180
    elif angle > 90:
        angle -= 180
    return area, r0, c0, major, minor, angle
