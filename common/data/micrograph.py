"""A stained bright-field micrograph and a Raman map measured on it.

Hyperspectral imaging records a whole spectrum at every measurement position
instead of one gray value. The three data sets of this module belong
together, like the files of one experiment:

* ``stained_micrograph``: the RGB bright-field image of the sample, a pink
  stained tissue section with clusters of droplets and a bright crystal,
  recorded through the book's imaging model (:mod:`common.data.imaging`),
  with ``stained_micrograph_droplets``, the table of its droplets;
* ``spectrum_positions``: the 1405 positions, in micrograph pixels, where a
  Raman spectrum was measured (an irregular patch of a regular grid);
* ``spectra``: the spectra as one long table, one row per position and
  wavenumber.

The spectra are mixtures of three made-up component spectra (tissue,
lipid droplets, crystal) whose proportions at each position follow what the
micrograph shows there, so spectra from different parts of the patch look
different, and spectra from nearby positions look alike.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import imaging
from ._registry import register, seed_param

#: Shape of the micrograph: (rows, columns, RGB channels).
SHAPE = (512, 640, 3)
#: The measurement grid: first x (column) and step, first y (row) and step,
#: number of x and y values.
GRID_X0, GRID_DX, GRID_NX = 168.95, 5.95, 39
GRID_Y0, GRID_DY, GRID_NY = 174.0, 5.6, 40
#: Number of measured positions.
N_POSITIONS = 1405
#: Wavenumbers of every spectrum, cm^-1: 750, 753, ..., 1797.
WAVENUMBERS = np.arange(750, 1800, 3, dtype=np.int64)

# Colours (RGB, 0-255) of the scene.
_TISSUE = np.array([257.0, 136.0, 201.0])
_DROPLET_LIGHT = np.array([258.0, 215.0, 238.0])
_DROPLET_RIM = np.array([30.0, 8.0, 26.0])
_GLINT = np.array([300.0, 295.0, 290.0])
_GLARE = np.array([255.0, 251.0, 228.0])
#: Direction the oblique light comes from, degrees counter-clockwise from the
#: right as displayed (droplet rims are darkest on the opposite side).
LIGHT_FROM_DEG = 135.0
#: The microscope and camera (:mod:`common.data.imaging`), per colour channel:
#: the object is drawn at pixel resolution (the optics' blur is wider than a
#: pixel), a Gaussian point spread function of 1.1 pixels, a faint halo of
#: defocus at edges, photon noise (30 photons per gray level) and read-out
#: noise, 8 bits.
INSTRUMENT = imaging.Instrument(oversample=1, psf_sigma=0.9, halo=0.3, halo_sigma=2.0,
                                counts=45.0, read_noise=1.0, dtype="uint8", low=0.0, high=255.0)

# Droplet clusters: (row, column, semi-axis along rows, along columns,
# tilt in degrees, median droplet radius, share of the area the droplets fill).
_CLUSTERS = (
    (70.0, 160.0, 95.0, 85.0, 20.0, 9.0, 0.80),    # large cluster, top left
    (70.0, 315.0, 85.0, 55.0, -10.0, 8.0, 0.75),   # top middle
    (270.0, 300.0, 95.0, 55.0, -50.0, 7.5, 0.78),  # across the measured patch
    (330.0, 360.0, 45.0, 28.0, -30.0, 6.0, 0.70),  # its tail to the lower right
    (425.0, 40.0, 90.0, 50.0, 10.0, 2.6, 0.15),    # small droplets on the left
    (510.0, 190.0, 40.0, 70.0, 0.0, 11.0, 0.80),   # cut by the bottom edge
    (110.0, 470.0, 70.0, 70.0, 0.0, 3.0, 0.06),    # a few tiny ones on the right
)
# The crystal (a bright, glaring spot): centre row, column and semi-axes.
_CRYSTAL = (224.0, 342.0, 40.0, 52.0)


def _r6(x):
    """Round to 6 decimals: keeps last-bit differences of transcendental
    functions between CPUs out of the data."""
    return np.round(x, 6)


def _smooth(rng, shape, sigma):
    """Smooth noise of unit standard deviation and correlation length sigma.

    Large sigmas are filtered on a coarser grid and interpolated up, which
    is much faster and looks the same.
    """
    step = max(1, int(sigma // 3))
    small = (shape[0] // step + 2, shape[1] // step + 2)
    s = sigma / step
    field = ndi.gaussian_filter(rng.standard_normal(small), s, mode="reflect")
    field = field * (2.0 * np.sqrt(np.pi) * s)
    if step == 1:
        return field[:shape[0], :shape[1]]
    return _r6(_upsample(field, step, shape))


def _upsample(field, step, shape):
    """Bilinear interpolation of ``field`` onto a grid ``step`` times finer."""
    pos = np.arange(shape[0]) / step
    i = pos.astype(int)
    f = (pos - i)[:, None]
    field = field[i] * (1.0 - f) + field[i + 1] * f
    pos = np.arange(shape[1]) / step
    i = pos.astype(int)
    f = (pos - i)[None, :]
    return field[:, i] * (1.0 - f) + field[:, i + 1] * f


# --------------------------------------------------------------------------
# the micrograph
# --------------------------------------------------------------------------
def _cluster_mask(wobble, rows, cols, row, col, a_r, a_c, tilt):
    """An elliptical blob with a wavy outline."""
    h, w = wobble.shape
    m = 1.3 * max(a_r, a_c)
    r0, r1 = max(int(row - m), 0), min(int(row + m) + 1, h)
    c0, c1 = max(int(col - m), 0), min(int(col + m) + 1, w)
    t = np.deg2rad(tilt)
    dr, dc = rows[r0:r1] - row, cols[:, c0:c1] - col
    u = (dr * np.cos(t) + dc * np.sin(t)) / a_r
    v = (-dr * np.sin(t) + dc * np.cos(t)) / a_c
    mask = np.zeros((h, w), bool)
    mask[r0:r1, c0:c1] = _r6(np.hypot(u, v) - 0.18 * wobble[r0:r1, c0:c1]) < 1.0
    return mask


def _place_droplets(rng, rows, cols):
    """Droplets packed densely (slightly squeezed) inside each cluster.

    Random sequential placement, biggest droplets first, then small ones
    filling the gaps; each droplet is checked only against its neighbours
    near the cluster.
    """
    h, w = SHAPE[:2]
    centres = np.zeros((0, 2))
    radii = np.zeros(0)
    clusters = np.zeros((h, w), bool)
    n_try = 60
    wobble = _smooth(rng, (h, w), 14.0)
    for row, col, a_r, a_c, tilt, median, fill in _CLUSTERS:
        mask = _cluster_mask(wobble, rows, cols, row, col, a_r, a_c, tilt)
        if fill > 0.5:
            clusters |= mask
        spots = np.flatnonzero(mask)
        rr, cc = spots // w, spots % w
        near = ((centres[:, 0] > rr.min() - 30) & (centres[:, 0] < rr.max() + 30)
                & (centres[:, 1] > cc.min() - 30) & (centres[:, 1] < cc.max() + 30))
        local_c, local_r = centres[near], radii[near]
        sizes = []
        while np.pi * np.sum(np.square(sizes)) < fill * spots.size:
            sizes.append(float(np.clip(median * rng.lognormal(0.0, 0.4), 1.8, 24.0)))
        fillers = [float(rng.uniform(1.8, 3.5)) for _ in range(int(0.6 * len(sizes)))]
        new_c, new_r = [], []
        for r in sorted(sizes, reverse=True) + fillers:
            idx = spots[rng.integers(spots.size, size=n_try)]
            cand = np.column_stack([idx // w, idx % w]) + rng.uniform(-0.5, 0.5, (n_try, 2))
            if local_r.size:
                d = np.hypot(cand[:, None, 0] - local_c[None, :, 0],
                             cand[:, None, 1] - local_c[None, :, 1])
                # Touching droplets squeeze each other a little.
                ok = (d - (local_r[None, :] + r) + 0.25 * np.minimum(local_r[None, :], r) > 0).all(axis=1)
            else:
                ok = np.ones(n_try, bool)
            if ok.any():
                c = cand[np.argmax(ok)]
                local_c = np.vstack([local_c, c])
                local_r = np.append(local_r, r)
                new_c.append(c)
                new_r.append(r)
        if new_r:
            centres = np.vstack([centres, np.array(new_c)])
            radii = np.append(radii, new_r)
    return centres, radii, clusters


def _fibre_mesh(rng, shape, sigma):
    """A mesh of thin, wavy fibres: the ridges (zero crossings) of band-pass
    filtered noise, which form a connected net of lines; 0 to 1. A ``sigma``
    longer along one axis stretches the fibres along it."""
    white = rng.standard_normal(shape)
    band = ndi.gaussian_filter(white, sigma, mode="reflect") \
        - ndi.gaussian_filter(white, tuple(2 * s for s in sigma), mode="reflect")
    band = band / (np.sqrt(np.mean(band * band)) + 1e-12)
    return np.exp(-_r6(band / 0.35) ** 2)


def _channels(op, img, *args):
    """Apply a 2D step of the imaging model to each colour channel."""
    return np.stack([op(img[..., k], *args) for k in range(img.shape[-1])], axis=-1)


@functools.lru_cache(maxsize=4)
def _scene(seed):
    """The micrograph, the maps of what lies under each pixel, the droplets."""
    rng = np.random.default_rng([seed, 5_0512_0640])
    # The appearance (texture, glints) draws from a stream of its own, so the
    # geometry, and the spectra computed from it, stay as they were.
    look = np.random.default_rng([seed, 5_0512_0640, 2])
    h, w = SHAPE[:2]
    rows = np.arange(h, dtype=float)[:, None]
    cols = np.arange(w, dtype=float)[None, :]

    # Droplets: for every pixel the nearest droplet in units of its radius.
    centres, radii, clusters = _place_droplets(rng, rows, cols)
    q = np.full((h, w), 9.0)          # distance / radius of the nearest droplet
    rad = np.full((h, w), 10.0)       # radius of that droplet
    side = np.zeros((h, w))           # cosine of the angle to the light's side
    label = np.zeros((h, w), np.int32)
    light_dir = np.deg2rad(LIGHT_FROM_DEG)
    shapes = []
    for k, ((cr, cc), r) in enumerate(zip(centres, radii), start=1):
        m = int(np.ceil(1.5 * r)) + 2
        r0, r1 = max(int(cr) - m, 0), min(int(cr) + m + 1, h)
        c0, c1 = max(int(cc) - m, 0), min(int(cc) + m + 1, w)
        if r0 >= r1 or c0 >= c1:
            shapes.append(None)
            continue
        # Slightly squashed: an ellipse with a random axis ratio and tilt.
        t, squash = rng.uniform(0, np.pi), rng.uniform(0.86, 1.0)
        shapes.append((t, squash))
        dr, dc = rows[r0:r1] - cr, cols[:, c0:c1] - cc
        u = dr * np.cos(t) + dc * np.sin(t)
        v = (dc * np.cos(t) - dr * np.sin(t)) / squash
        qq = _r6(np.hypot(u, v) / r)
        closer = qq < q[r0:r1, c0:c1]
        q[r0:r1, c0:c1][closer] = qq[closer]
        rad[r0:r1, c0:c1][closer] = r
        facing = _r6((-dr * np.sin(light_dir) + dc * np.cos(light_dir)) / np.maximum(np.hypot(dr, dc), 1e-9))
        side[r0:r1, c0:c1][closer] = np.broadcast_to(facing, closer.shape)[closer]
        label[r0:r1, c0:c1][closer & (qq < 1.0)] = k
    inside = label > 0
    # Where two squeezed droplets meet, a dark seam.
    seam = np.zeros((h, w), bool)
    seam[:, 1:] |= (label[:, 1:] != label[:, :-1]) & inside[:, 1:] & inside[:, :-1]
    seam[1:, :] |= (label[1:, :] != label[:-1, :]) & inside[1:, :] & inside[:-1, :]

    # Background: the stained tissue, unevenly lit, mottled, with a few long
    # pale fibres, a dense mesh of fine wavy ones seen in relief (the oblique
    # light makes one side of each fibre bright and the other dark) and a
    # few specks of debris.
    light = 1.0 - 0.012 * (((rows - h / 2) / h) ** 2 + ((cols - w / 2) / w) ** 2) * 4.0
    pale = 0.35 + 0.5 * _smooth(rng, (h, w), 20.0) + 0.25 * _smooth(rng, (h, w), 2.0)
    span = np.arange(-420.0, 420.0, 0.25)
    for _ in range(6):                   # six directions, five fibres each
        a = rng.uniform(-0.3, 1.3)
        profile = np.zeros(span.size)
        for p, amp, width in zip(rng.uniform(-380, 380, 5), rng.uniform(0.5, 3.0, 5),
                                 rng.uniform(0.6, 1.6, 5)):
            profile += amp / (1.0 + ((span - p) / width) ** 2)
        dist = _r6((cols - w / 2) * np.sin(a) + (rows - h / 2) * np.cos(a))
        pale += np.interp(dist, span, profile)
    pale = np.clip(_r6(pale), 0.0, 4.0) * 0.05
    strength = np.clip(0.85 + 0.2 * _smooth(look, (h, w), 30.0), 0.4, 1.2)
    mesh = _fibre_mesh(look, (h, w), (4.5, 1.8)) * strength      # pale fibres, mostly upright
    strands = _fibre_mesh(look, (h, w), (1.8, 4.5)) * strength   # darker strands, mostly across
    relief = np.zeros((h, w))
    relief[1:-1, 1:-1] = mesh[2:, 2:] - mesh[:-2, :-2]          # lit from the top left
    specks = (look.random((h, w)) < 0.00005).astype(float)
    specks = ndi.gaussian_filter(specks, 1.0) * 4.0
    img = _TISSUE[None, None, :] * light[..., None]
    img = img * (1 - pale)[..., None] + _DROPLET_LIGHT * pale[..., None]
    img = img * (1 - 0.2 * mesh)[..., None] + _DROPLET_LIGHT * (0.2 * mesh)[..., None]
    img = img * (1.0 + 0.035 * relief - 0.05 * strands - np.clip(specks, 0, 0.5))[..., None]

    # Droplets. Inside a cluster the space between droplets is dark. Each
    # droplet has a light interior, a bright ring just inside its edge and a
    # near-black refractive rim just outside, darkest on the side away from
    # the light; small and middle-sized droplets focus the light into a
    # white glint at their centre (they act as lenses).
    gaps = ndi.gaussian_filter(clusters.astype(float), 3.0) * ~inside
    small = np.clip((16.0 - rad) / 12.0, 0.0, 1.0)
    body = np.where(inside, 0.32 - 0.12 * small + 0.35 * (1.0 - q * q) ** 2, 0.0)
    ring = np.where(inside, 0.35 * np.exp(-_r6((q - 0.86) * rad / 1.5) ** 2), 0.0)
    # Contrast: crisp, near-black rims far from the crystal, paler ones near
    # it, where its stray light washes them out (and a slow random part: the
    # section is not flat); the smallest droplets' rims are fainter.
    stray = np.hypot((rows - _CRYSTAL[0]) / 1.2, cols - _CRYSTAL[1]) / 220.0
    focus = np.clip(0.32 + 0.75 * stray + 0.12 * _smooth(look, (h, w), 60.0), 0.15, 1.0)
    rim = 0.97 * np.exp(-_r6((q - 1.04) * rad / 1.0) ** 2) * (q >= 0.9) * (0.8 - 0.2 * side) \
        * focus * np.clip(rad / 5.0, 0.55, 1.0)
    dark = np.clip(np.maximum(rim, 0.28 * focus ** 2 * gaps) + 0.8 * seam * focus, 0.0, 0.97)
    bright = np.clip(body + ring, 0.0, 0.92)
    lens = np.clip((rad - 3.5) / 2.5, 0.0, 1.0) * np.clip((14.0 - rad) / 6.0, 0.0, 1.0)
    glint = inside * lens * np.exp(-_r6(q * rad / (0.45 * rad + 0.6)) ** 2) \
        * (0.75 + 0.25 * np.clip(0.5 * side + 0.5, 0, 1))
    img = img * (1 - bright)[..., None] + _DROPLET_LIGHT * bright[..., None]
    img = img * (1 - dark)[..., None] + _DROPLET_RIM * dark[..., None]
    img = img * (1 - glint)[..., None] + _GLINT * glint[..., None]

    # The crystal: a glaring white-yellow spot with many fine, short rays
    # and two long faint streaks of scattered light.
    gr, gc, ar, ac = _CRYSTAL
    dr, dc = rows - gr, cols - gc
    ell = np.hypot(dr / ar, dc / ac)
    outline = np.clip(1.0 + 0.3 * _smooth(rng, (h, w), 6.0), 0.6, 1.5)
    core = np.clip(1.8 * (1.0 - _r6(ell / outline)) + 0.3, 0.0, 1.0) ** 0.7
    phi = _r6(np.arctan2(dr, dc))
    n_phi = 1440
    spikes = rng.exponential(0.9, n_phi) * (rng.random(n_phi) < 0.5)
    spikes = ndi.gaussian_filter1d(spikes, 0.8, mode="wrap")
    reach = np.interp(phi, np.linspace(-np.pi, np.pi, n_phi), spikes)
    rays = np.clip(reach - (ell - 1.0) * 0.9, 0.0, 1.0) * (ell > 0.5) * (0.6 + 0.4 * np.cos(phi + 0.4))
    dist = np.hypot(dr, dc)
    for a0, length, strength in ((np.pi - 0.3, 150.0, 0.6), (-0.3, 110.0, 0.5)):
        a = a0 + rng.uniform(-0.08, 0.08)
        along = dist * np.cos(phi - a)
        across = dist * np.sin(phi - a)
        rays = np.maximum(rays, strength * (along > 0) * np.exp(-_r6(across / (2.0 + 0.03 * along)) ** 2)
                          * np.exp(-_r6(np.clip(along, 0, None) / length)))
    glare = ndi.gaussian_filter(np.clip(_r6(np.maximum(core, 0.9 * rays)), 0.0, 1.0), 1.2)
    tint = np.clip(ell - 0.7, 0.0, 1.0)[..., None] * np.array([0.0, -12.0, -45.0])
    img = img * (1 - glare)[..., None] + (_GLARE + tint) * glare[..., None]

    # The microscope and camera (common.data.imaging): the optics blur, a
    # slight halo of defocus at edges, photon and read-out noise, 8 bits
    # (bright red saturates at 255).
    img = _channels(imaging.blur, _r6(img), INSTRUMENT.psf_sigma)
    img = _channels(imaging.edge_halo, img, INSTRUMENT.halo, INSTRUMENT.halo_sigma)
    img = imaging.add_noise(_r6(img), rng, counts=INSTRUMENT.counts, read_noise=INSTRUMENT.read_noise)
    image = imaging.quantise(_r6(img), INSTRUMENT.dtype, INSTRUMENT.low, INSTRUMENT.high)

    # What a laser spot (about 4 pixels) sees: droplet and crystal fractions.
    lipid = _r6(ndi.gaussian_filter(inside.astype(float), 4.0))
    crystal = _r6(ndi.gaussian_filter(np.clip(1.0 - ell / outline, 0.0, 1.0) ** 0.5, 3.0))
    droplets = _droplet_table(centres, radii, shapes, label, clusters)
    image.setflags(write=False)
    return image, lipid, crystal, droplets


def _droplet_table(centres, radii, shapes, label, clusters):
    """One row per droplet: where it is, how big, its shape, what is seen of it."""
    h, w = SHAPE[:2]
    seen = np.bincount(label.ravel(), minlength=len(radii) + 1)[1:]
    rows = []
    for k, ((cr, cc), r, shp) in enumerate(zip(centres, radii, shapes)):
        t, squash = shp if shp is not None else (0.0, 1.0)
        major, minor = 2.0 * r, 2.0 * r * squash
        # The long axis points along (cos t, sin t) in (row, col): on screen,
        # counter-clockwise from the right, that is t - 90 degrees.
        angle = np.degrees(t) % 180.0 - 90.0
        angle = 90.0 if angle == -90.0 else angle
        inside_image = (cr - r >= -0.5) and (cr + r <= h - 0.5) and (cc - r >= -0.5) and (cc + r <= w - 0.5)
        rows.append({"row": cr, "col": cc, "radius_px": r, "area_px": np.pi * r * r * squash,
                     "major_axis_px": major, "minor_axis_px": minor, "orientation_deg": angle,
                     "visible_px": int(seen[k]), "in_cluster": bool(clusters[
                         min(max(int(round(cr)), 0), h - 1), min(max(int(round(cc)), 0), w - 1)]),
                     "cut_by_border": not inside_image})
    table = pd.DataFrame(rows)
    for col in ("row", "col", "radius_px", "area_px", "major_axis_px", "minor_axis_px", "orientation_deg"):
        table[col] = table[col].astype(float).round(3)
    table = table.sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    table.insert(0, "droplet_id", np.arange(1, len(table) + 1, dtype=np.int64))
    return table


# --------------------------------------------------------------------------
# the measurement positions
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _positions(seed):
    """Indices (iy, ix) of the measured grid points, sorted row by row.

    The measured patch is the grid with an irregular bite taken out of its
    top edge, left of the middle: grown one grid point at a time from the
    edge, always taking the neighbour that is closest to where it started
    (distance plus a smooth random field, which makes the outline ragged).
    """
    rng = np.random.default_rng([seed, 5_1405])
    ny, nx = GRID_NY, GRID_NX
    gy, gx = np.mgrid[:ny, :nx]
    start = (0, 12 + int(rng.integers(0, 4)))
    # A shallow bite (wider than deep), so that every fifth of the x and y
    # ranges keeps measured positions.
    score = _r6(np.hypot(2.6 * (gy - start[0]), gx - start[1]) / 4.0
                + 0.45 * _smooth(rng, (ny, nx), 2.0))
    removed = np.zeros((ny, nx), bool)
    removed[start] = True
    while removed.sum() < ny * nx - N_POSITIONS:
        grown = ndi.binary_dilation(removed) & ~removed
        # Every grid row and column stays measured.
        ok = grown & (np.sum(~removed, axis=1) > 2)[:, None] & (np.sum(~removed, axis=0) > 2)[None, :]
        cand = np.flatnonzero(ok)
        removed.flat[cand[np.argmin(score.ravel()[cand])]] = True
    iy, ix = np.nonzero(~removed)
    return iy, ix


def _grid_x(ix):
    return np.round(GRID_X0 + GRID_DX * ix, 2)


def _grid_y(iy):
    return np.round(GRID_Y0 + GRID_DY * iy, 2)


# --------------------------------------------------------------------------
# the spectra
# --------------------------------------------------------------------------
def _lorentz(wn, peaks):
    """Sum of Lorentzian bands (centre, height, half width at half maximum)."""
    out = np.zeros(wn.shape)
    for centre, height, hwhm in peaks:
        out = out + height / (1.0 + ((wn - centre) / hwhm) ** 2)
    return out


#: Bands of the three component spectra: (centre cm^-1, height, half width).
COMPONENTS = {
    # Protein-rich tissue: phenylalanine ring at 1003, amide III, CH2, amide I.
    "tissue": ((853, 330, 8), (937, 300, 11), (1003, 620, 4), (1031, 200, 6),
               (1125, 210, 10), (1250, 380, 22), (1340, 430, 12), (1450, 600, 14),
               (1660, 680, 22)),
    # Lipid droplets: C-C stretches, CH2 twist and bend, C=C and ester C=O.
    "lipid": ((872, 900, 8), (970, 600, 10), (1065, 2600, 8), (1082, 2000, 10),
              (1128, 2800, 7), (1267, 1700, 10), (1302, 3500, 9), (1442, 5200, 12),
              (1656, 4500, 12), (1745, 1400, 10)),
    # The crystal: a very strong, sharp lattice band just below 1200.
    "crystal": ((1191, 17800, 5.5), (1163, 2400, 5), (1107, 1100, 4), (1395, 800, 6)),
}


@functools.lru_cache(maxsize=4)
def _spectra(seed):
    _, lipid, crystal, _ = _scene(seed)
    iy, ix = _positions(seed)
    x, y = _grid_x(ix), _grid_y(iy)
    rng = np.random.default_rng([seed, 5_2107_50])
    n = x.size
    wn = WAVENUMBERS.astype(float)

    # Proportions at each position: bilinear sample of the maps.
    coords = [y, x]
    f_lipid = _r6(ndi.map_coordinates(lipid, coords, order=1))
    f_crystal = _r6(ndi.map_coordinates(crystal, coords, order=1))
    f_tissue = _r6(np.clip(1.0 - f_lipid - f_crystal, 0.0, 1.0))

    comp = {k: _r6(_lorentz(wn, v)) for k, v in COMPONENTS.items()}
    signal = (f_tissue[:, None] * comp["tissue"] + f_lipid[:, None] * comp["lipid"]
              + f_crystal[:, None] * comp["crystal"])

    # Baseline removal leaves a smooth residue that varies from place to
    # place, and dips beside strong bands (the fitted baseline overshoots).
    t = (wn - 1275.0) / 525.0                      # -1 .. 1
    grid = (GRID_NY, GRID_NX)
    coef = [np.round(_smooth(rng, grid, 3.0)[iy, ix] * s, 6) for s in (150.0, 120.0, 100.0, 80.0)]
    legendre = [np.ones_like(t), t, 1.5 * t * t - 0.5, 2.5 * t ** 3 - 1.5 * t]
    residue = sum(c[:, None] * p[None, :] for c, p in zip(coef, legendre))
    dips = _r6(_lorentz(wn, [(c, h, 45.0) for c, h, _ in COMPONENTS["lipid"] if h > 3000]))
    overshoot = 0.10 * f_lipid[:, None] * dips \
        + 0.06 * f_crystal[:, None] * _r6(_lorentz(wn, [(1191, 17000, 40.0)]))

    # Detector noise: read noise plus shot noise of the signal.
    noise = rng.standard_normal((n, wn.size)) * (45.0 + 0.25 * np.sqrt(np.abs(signal) + 1.0) * 6.0)
    val = np.round(signal + residue - overshoot + _r6(noise), 2)

    return pd.DataFrame({
        "x": np.repeat(x, wn.size),
        "y": np.repeat(y, wn.size),
        "wavenum": np.tile(WAVENUMBERS, n),
        "val": val.ravel(),
    })


# --------------------------------------------------------------------------
# the registered data sets
# --------------------------------------------------------------------------
_PARAMS = (seed_param(0),)


@register("stained_micrograph",
          "Pink-stained bright-field micrograph with droplet clusters and a crystal, 512 x 640 x 3 uint8 RGB",
          sha256="0d1125c2ccdd65407f9131bffceedf0f8dc16c7a90bc0555430877959d0048ae",
          params=_PARAMS)
def stained_micrograph(seed=0):
    """Bright-field light micrograph of a stained tissue section (RGB).

    What it depicts
        A tissue section stained pink, seen in transmitted light: clusters
        of densely packed droplets (lipid droplets: light interiors, dark
        refractive rims, squeezed against each other; the middle-sized
        ones focus the light into a white glint at their centre), a few
        scattered small droplets, a mesh of fine wavy fibres and a few long
        pale ones in the tissue, and a crystal that glares white-yellow
        where the light hits it, with fine rays around it. The crystal and
        the droplet cluster around it lie inside the patch where Raman
        spectra were measured (``spectrum_positions``).

    Array
        ``numpy.ndarray``, dtype ``uint8``, shape ``(512, 640, 3)`` =
        (rows, columns, channel); axis 0 runs top to bottom, axis 1 left to
        right, the channels are red, green, blue. One pixel is the unit of
        length (``spectrum_positions`` uses the same pixels: ``x`` is the
        column, ``y`` the row, so ``plt.imshow(img); plt.plot(pos.x,
        pos.y, ".")`` overlays them).

    Values
        Channel means near R 244, G 145, B 199. The tissue is about (251,
        139, 200) with red saturated at 255 in about a third of all
        pixels. Droplet rims go down to near black (the darkest 0.5 % of
        pixels about (115, 60, 95), single pixels to about 60) where the
        view is crisp, far from the crystal; glints and the crystal reach
        white (255 in every channel).

    How it is made
        The object: droplets are packed, biggest first, into seven
        blob-shaped clusters, each droplet a slightly squashed disc that
        may overlap its neighbours by a quarter of the smaller radius
        (``stained_micrograph_droplets`` lists them). Each pixel takes its
        colour from the nearest droplet's profile (light body, bright ring
        inside the edge, dark rim outside, darkest on the side away from
        the oblique light, a white glint in droplets of radius about 4 to
        14) over a background with a slow mottle, long fibres and a fibre
        mesh (the ridges of band-pass filtered noise) in relief. Rims are
        crisp far from the crystal and washed out near it. The crystal is
        a glaring spot with rays.

        The microscope and camera (``INSTRUMENT``, the chain of
        ``common.data.imaging``, per channel): a Gaussian point spread
        function of 0.9 pixel, a faint defocus halo (strength 0.3, width
        2 pixels), photon noise (45 photons per gray level) and read-out
        noise (1 level), 8 bits, where bright red saturates. Everything
        follows from ``seed``.

    Statistics matched
        Measured on the original course's micrograph (512 x 640 RGB):
        channel means, the share of saturated red (31 % there), the
        darkest percentiles (rims), the glints away from the crystal
        (about 1.4 % of pixels brighter than 235), the texture of the
        plain tissue (high-pass standard deviation about 4.5 gray levels,
        orientation coherence about 0.27) and the pixel noise.
        ``tests/test_data_realism_ct_micrograph.py`` prints each beside the
        reference.
    """
    return _scene(seed)[0].copy()


@register("stained_micrograph_droplets",
          "Truth table of the droplets of stained_micrograph: centre, radius, area, axes, cluster, border",
          sha256="f1ffcc6d8bda31d6f20085df4f0300fef70f6363de4f402f99bc8f8bc1542bcc",
          params=_PARAMS)
def stained_micrograph_droplets(seed=0):
    """The droplets drawn in ``stained_micrograph`` (same seed), one per row.

    ``pandas.DataFrame`` sorted by row, then column:

    ===================  =======  ===============================================
    column               dtype    meaning
    ===================  =======  ===============================================
    ``droplet_id``       int64    1, 2, ... in that order
    ``row``, ``col``     float    centre, pixels (row down, col right)
    ``radius_px``        float    radius of the disc before it is squashed
    ``area_px``          float    true area of the (squashed) droplet, pi r^2
                                  times its axis ratio, pixels
    ``major_axis_px``    float    full lengths of its axes, pixels
    ``minor_axis_px``
    ``orientation_deg``  float    direction of the major axis, degrees
                                  counter-clockwise from the horizontal as
                                  displayed, (-90, 90]
    ``visible_px``       int64    pixels where this droplet is the nearest and
                                  covers the pixel: less than ``area_px`` where
                                  a neighbour squeezes it or the border cuts it
    ``in_cluster``       bool     its centre lies in one of the dense clusters
    ``cut_by_border``    bool     part of it lies outside the image
    ===================  =======  ===============================================

    The geometry is that of the droplets themselves, before blur and
    noise. Droplets that touch look like one blob in a threshold of the
    image, and the smallest (radius 1.8 pixels) barely stand out from the
    tissue's texture: a count of the image will differ from this table.
    Values rounded to 3 decimals.
    """
    return _scene(seed)[3].copy()


@register("spectrum_positions",
          "The 1405 Raman measurement positions on stained_micrograph (x, y in pixels)",
          sha256="6f924f2c221305dd5a1497ff9864c8e0110c7fc32d4291c18de6e2f5a77e6469",
          params=_PARAMS)
def spectrum_positions(seed=0):
    """Where the Raman spectra of ``spectra`` were measured on the micrograph.

    ``pandas.DataFrame`` with 1405 rows and two ``float64`` columns:

    =====  ==============================================================
    ``x``  column in ``stained_micrograph`` pixels: 168.95 to 395.05 in
           steps of 5.95 (39 values)
    ``y``  row in ``stained_micrograph`` pixels: 174.0 to 392.4 in steps
           of 5.6 (40 values)
    =====  ==============================================================

    The positions are points of that regular 39 x 40 grid (1560 points);
    the measured patch is irregular: a ragged bite out of its top edge
    leaves 1405 of them. Every grid row and column keeps measured points,
    and so does every cell when the x and y ranges are each cut into five
    equal bins. Sorted by ``y``, then ``x`` (a raster scan). The values
    are rounded to 2 decimals, so ``x`` equals ``round(168.95 + 5.95 * i,
    2)`` exactly. The patch covers the crystal (top right of the patch),
    a cluster of droplets (middle) and plain tissue (bottom left).
    """
    iy, ix = _positions(seed)
    return pd.DataFrame({"x": _grid_x(ix), "y": _grid_y(iy)})


@register("spectra",
          "Raman spectra at the 1405 positions, long table x, y, wavenum, val (491,750 rows)",
          sha256="365e2429e9ae1f4a3d4da5cfe38aa87c7a62d7e1343cef36fde629ccc4c14569",
          params=_PARAMS)
def spectra(seed=0):
    """Baseline-removed Raman spectra measured on ``stained_micrograph``.

    ``pandas.DataFrame`` in long ("tidy") form, one row per position and
    wavenumber:

    ============  =======  ==============================================
    ``x``, ``y``  float64  position, the ``spectrum_positions`` values
    ``wavenum``   int64    Raman shift, cm^-1: 750, 753, ..., 1797 (350
                           values)
    ``val``       float64  baseline-removed intensity (counts), rounded
                           to 2 decimals
    ============  =======  ==============================================

    Rows are sorted by position (in the order of ``spectrum_positions``),
    then by wavenumber: 1405 x 350 = 491,750 rows, of which those with
    ``wavenum < 1200`` are 1405 x 150 = 210,750.

    Values
        Mostly between about -1000 and 3000: baseline removal leaves a
        smooth residue of a few hundred counts, positive or negative, and
        dips beside strong bands. The strongest band, up to about 17,000
        at 1191 cm^-1, belongs to the crystal.

    How it is made
        Each spectrum mixes three component spectra, sums of Lorentzian
        bands listed in ``common.data.micrograph.COMPONENTS``: tissue
        (protein bands: 1003 phenylalanine, amide III, 1450, amide I),
        lipid (1065, 1082, 1128, 1302, 1442, 1656, 1745) and crystal (a
        very strong band at 1191 and weaker ones at 1107, 1163, 1395). The
        proportions at a position are what a laser spot of about 4 pixels
        sees in the micrograph: the fraction of droplet and of crystal
        there, the rest tissue. So neighbouring spectra are alike, and the
        crystal, droplet and tissue parts of the patch give visibly
        different groups. Added: a smooth residual baseline (Legendre
        polynomials up to degree 3 whose coefficients vary smoothly over
        the patch), overshoot dips beside the strong bands, and noise
        (read noise plus shot noise). Everything follows from ``seed``.
    """
    return _spectra(seed).copy()
