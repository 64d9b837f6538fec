"""The filter comparison of lecture 2 (chapter 12, "Overview"): six denoising
filters on the test pattern's close-up at several noise levels.

The study, as the chapter runs it:

* the target is ``data.load("test_pattern_crop")`` (112 x 112, levels 0, 0.5
  and 1, with partial-volume values along the edges of its discs, about 5 %
  of the pixels), so the contrast between black and white is 1 and a noise of
  standard deviation ``sigma`` gives ``SNR = 1 / sigma`` (:func:`noisy`);
* each filter has one or two parameters (:data:`GRIDS`); for every SNR of
  :data:`SNRS` the parameter with the best PSNR is chosen on a *tuning draw*
  of the noise (:func:`tune`, seed :data:`TUNING_SEED`), which is never used
  again;
* the tuned filters then run on :data:`N_DRAWS` other draws (:func:`evaluate`),
  which give the mean and the spread of PSNR and SSIM.

The whole study (tuning and scoring) takes about half a minute on a
2-core machine (24 to 30 s measured on a shared one), and the chapter runs
it at build time; ``tests/test_filter_comparison.py`` checks the pieces
(the noise level, the paired draws, the diffusion scheme, and, at SNR 10,
that the tuned wavelet, TV and non-local means parameters are not at an
end of their grids). At other SNRs a tuned parameter can sit at a grid's
end: diffusion at SNR 100 takes the smallest kappa and the most
iterations, and box and median often take their smallest size (3 px, the
smallest filter there is); the chapter states and checks these.

Every filter is ``filter(image, parameter, sigma)`` and returns a float
image; ``sigma`` is the noise level, which the wavelet and non-local means
filters take as input (as their estimators would give it) and the others
ignore.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from . import noise

__all__ = ["SNRS", "N_DRAWS", "TUNING_SEED", "EVALUATION_SEED", "GRIDS", "FILTERS",
           "target", "noisy", "perona_malik", "apply", "scores", "tuning_curves",
           "best_parameters", "tune",
           "evaluate"]

#: Noise levels of the study: SNR = contrast (1, black to white) / sigma.
SNRS = (100, 10, 3, 1)
#: Noise draws per SNR on which the tuned filters are scored.
N_DRAWS = 20
#: Seed of the draws used for tuning only.
TUNING_SEED = 12_2021
#: Seed of the draws used for scoring.
EVALUATION_SEED = 2021_12

#: The time step of the Perona-Malik scheme (stable for diffusivities <= 1
#: up to 0.25 in 2D).
DIFFUSION_STEP = 0.2


def perona_malik(image, kappa: float, iterations: int, *, step: float = DIFFUSION_STEP,
                 every: int | None = None):
    """Perona-Malik diffusion, explicit scheme with four neighbours.

    ``u <- u + step * sum_n g(d_n) d_n`` over the differences ``d_n`` to the
    four neighbours (reflecting borders), with the diffusivity ``g(d) = 1 /
    (1 + (d / kappa)^2)``: about 1 where the image is flat, small across an
    edge much higher than ``kappa``. With ``every``, returns a dict
    ``{iteration: image}`` of every ``every``-th iteration instead.
    """
    if kappa <= 0:
        raise ValueError(f"kappa must be > 0, got {kappa!r}")
    if not 0 < step <= 0.25:
        raise ValueError(f"step must be in (0, 0.25] for a stable scheme, got {step!r}")
    u = np.array(image, dtype=float)
    frames = {0: u.copy()} if every else None
    for i in range(1, int(iterations) + 1):
        p = np.pad(u, 1, mode="edge")
        flow = np.zeros_like(u)
        for d in (p[:-2, 1:-1] - u, p[2:, 1:-1] - u, p[1:-1, :-2] - u, p[1:-1, 2:] - u):
            flow += d / (1 + (d / kappa) ** 2)
        u = u + step * flow
        if every and i % every == 0:
            frames[i] = u.copy()
    return frames if every else u


def _box(image, size, sigma):
    return ndi.uniform_filter(image, size=size, mode="reflect")


def _median(image, size, sigma):
    return ndi.median_filter(image, size=size, mode="reflect")


def _wavelet(image, factor, sigma):
    from skimage.restoration import denoise_wavelet

    # BayesShrink: a soft threshold per sub-band from the noise sigma and the
    # sub-band's spread; the factor scales the sigma it is given (tuned).
    return denoise_wavelet(image, sigma=factor * sigma, wavelet="db2", mode="soft",
                           method="BayesShrink", wavelet_levels=4, rescale_sigma=False)


def _diffusion(image, parameter, sigma):
    kappa, iterations = parameter
    return perona_malik(image, kappa, iterations)


def _tv(image, weight, sigma):
    from skimage.restoration import denoise_tv_chambolle

    return denoise_tv_chambolle(image, weight=weight)


def _nlm(image, factor, sigma):
    from skimage.restoration import denoise_nl_means

    return denoise_nl_means(image, h=factor * sigma, sigma=sigma, patch_size=5,
                            patch_distance=6, fast_mode=True)


#: name -> filter(image, parameter, sigma)
FILTERS = {
    "box": _box,
    "median": _median,
    "wavelet": _wavelet,
    "diffusion": _diffusion,
    "TV": _tv,
    "NLM": _nlm,
}

#: What the parameter of each filter is, in words.
PARAMETERS = {
    "box": "side of the square (px)",
    "median": "side of the square (px)",
    "wavelet": "sigma given / true sigma (BayesShrink, db2, 4 levels, soft)",
    "diffusion": "(kappa, iterations), time step 0.2",
    "TV": "weight of Chambolle's ROF solver",
    "NLM": "h / sigma (patch 5, search distance 6)",
}

_ITERATIONS = (2, 5, 10, 20, 40, 80)

#: The parameters each filter is tuned over.
GRIDS = {
    "box": [3, 5, 7, 9, 11],
    "median": [3, 5, 7, 9, 11],
    "wavelet": [0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8],
    "diffusion": [(k, n) for k in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
                  for n in _ITERATIONS],
    "TV": [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
    "NLM": [0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 3.0, 4.0, 6.0],
}

def target() -> np.ndarray:
    """The clean close-up of the test pattern, float64."""
    from . import data

    return np.asarray(data.load("test_pattern_crop"), dtype=float)


def _check_snr(snr):
    if isinstance(snr, bool) or not isinstance(snr, (int, float, np.integer, np.floating)) \
            or not snr > 0 or not np.isfinite(snr):
        raise ValueError(f"snr must be a finite number > 0, got {snr!r}")
    return float(snr)


def noisy(clean, snr, rng) -> np.ndarray:
    """``clean`` plus white Gaussian noise of sigma ``1 / snr`` (contrast 1)."""
    return noise.gaussian(clean, 1.0 / _check_snr(snr), rng=rng)


def apply(name, image, parameter, sigma):
    """Run filter ``name`` of :data:`FILTERS` on ``image``."""
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; the filters are {', '.join(FILTERS)}")
    return FILTERS[name](image, parameter, sigma)


def scores(clean, result) -> tuple[float, float]:
    """(PSNR in dB, SSIM) of ``result`` against ``clean``, data range 1."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    return (float(peak_signal_noise_ratio(clean, result, data_range=1.0)),
            float(structural_similarity(clean, result, data_range=1.0)))


def tuning_curves(snr, clean=None) -> pd.DataFrame:
    """PSNR of every filter and parameter of :data:`GRIDS` on the tuning draw at ``snr``.

    One row per (filter, parameter), columns ``filter``, ``parameter``,
    ``psnr``. The diffusion runs once per kappa and is read off at each
    number of iterations of the grid.
    """
    from skimage.metrics import peak_signal_noise_ratio

    snr = _check_snr(snr)
    clean = target() if clean is None else clean
    rng = np.random.default_rng([TUNING_SEED, int(round(snr * 1000))])
    image = noisy(clean, snr, rng)
    sigma = 1.0 / snr
    rows = []
    for name, grid in GRIDS.items():
        if name == "diffusion":
            for kappa in sorted({k for k, _ in grid}):
                frames = perona_malik(image, kappa, max(_ITERATIONS), every=1)
                for k, n in grid:
                    if k == kappa:
                        rows.append((name, (k, n), peak_signal_noise_ratio(
                            clean, frames[n], data_range=1.0)))
            continue
        for parameter in grid:
            result = apply(name, image, parameter, sigma)
            rows.append((name, parameter, peak_signal_noise_ratio(clean, result,
                                                                  data_range=1.0)))
    return pd.DataFrame(rows, columns=["filter", "parameter", "psnr"])


def best_parameters(curves) -> dict:
    """``{filter: parameter}`` with the best PSNR in a table of :func:`tuning_curves`."""
    best = curves.loc[curves.groupby("filter", sort=False)["psnr"].idxmax()]
    return dict(zip(best["filter"], best["parameter"]))


def tune(snr, clean=None) -> dict:
    """The PSNR-best parameter of each filter on the tuning draw at ``snr``."""
    return best_parameters(tuning_curves(snr, clean))


def evaluate(tuned, snrs=SNRS, n_draws=N_DRAWS, clean=None) -> pd.DataFrame:
    """PSNR and SSIM of every tuned filter on ``n_draws`` noise draws per SNR.

    ``tuned`` is ``{snr: {filter: parameter}}``, as :func:`tune` gives them.

    One row per (snr, draw, filter) with columns ``snr``, ``draw``,
    ``filter``, ``psnr``, ``ssim``; the filter ``"noisy"`` is the unfiltered
    image. Draw ``d`` at SNR ``s`` uses the generator
    ``default_rng([EVALUATION_SEED, d, s * 1000])``, the same noise for
    every filter (a paired comparison).
    """
    clean = target() if clean is None else clean
    rows = []
    for snr in snrs:
        snr = _check_snr(snr)
        if snr not in tuned:
            raise ValueError(f"no tuned parameters for snr={snr}; tuned: {sorted(tuned)}")
        for draw in range(int(n_draws)):
            rng = np.random.default_rng([EVALUATION_SEED, draw, int(round(snr * 1000))])
            image = noisy(clean, snr, rng)
            rows.append((snr, draw, "noisy", *scores(clean, image)))
            for name in FILTERS:
                result = apply(name, image, tuned[snr][name], 1.0 / snr)
                rows.append((snr, draw, name, *scores(clean, result)))
    return pd.DataFrame(rows, columns=["snr", "draw", "filter", "psnr", "ssim"])
