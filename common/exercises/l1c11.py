"""Checkers of exercise sheet 1, "Working with images in Python" (lecture 1,
chapter 11: ``chapters/lecture-01/11-exercises-working-with-images.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c11-border`` is checked by :func:`check_border`). Each returns a
:class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: " and one
sentence about what is wrong.
"""
from __future__ import annotations

import functools
import math
import pathlib
import re

import numpy as np

from ._check import (
    Wrong,
    as_array,
    as_existing_file,
    as_figure,
    checker,
    expect_array,
    expect_quantity,
    file_kind,
    fmt,
    plot_axes,
)

__all__ = [
    "check_border", "check_distance", "check_random_images", "check_flat_field",
    "check_decay_plot", "check_radial_sinc", "check_saved_figure", "check_gaussian",
    "check_moore_fit", "check_furthest_chip",
    "FLAT_FIELD_RAW", "FLAT_FIELD_OPEN", "FLAT_FIELD_DARK",
]


# --------------------------------------------------------------------------
# Exercise: a border of ones
# --------------------------------------------------------------------------
def _border(rows=6, cols=8, width=1, inside=0.0, edge=1.0):
    image = np.full((rows, cols), edge, dtype=float)
    image[width:rows - width, width:cols - width] = inside
    return image


@checker("border")
def check_border(border):
    """`border`: 6 rows, 8 columns of floats, 1 on the outermost pixels, 0 inside."""
    expect_array(border, _border(), name="border", dtype="float", mistakes={
        "it is inverted, 0 on the border and 1 inside: start from np.zeros and set "
        "the border, or from np.ones and set the inside to 0.": _border(inside=1.0, edge=0.0),
        "its border is two pixels wide; the inside starts at index 1 (image[1:-1, 1:-1]).":
            _border(width=2),
    })
    return "A 6 x 8 frame of ones around zeros."


# --------------------------------------------------------------------------
# Exercise: distances on a grid
# --------------------------------------------------------------------------
def _distance_grid(indexing="xy", squared=False, npoints=(9, 5)):
    x = np.linspace(-4, 4, npoints[0])
    y = np.linspace(-2, 2, npoints[1])
    xx, yy = np.meshgrid(x, y, indexing=indexing)
    r2 = xx**2 + yy**2
    return r2 if squared else np.sqrt(r2)


@checker("distance")
def check_distance(distance):
    """`distance`: the distance from the origin on the 9 x 5 grid, shape (5, 9)."""
    expect_array(distance, _distance_grid(), name="distance", dtype="float", mistakes={
        "its shape is (9, 5): np.meshgrid(x, y, indexing='ij') puts x along the rows; "
        "the default indexing='xy' gives an image with one row per y value.":
            _distance_grid(indexing="ij"),
        "these are the squared distances x**2 + y**2; take the square root (np.sqrt).":
            _distance_grid(squared=True),
    })
    return "Rows follow y, columns follow x, and the centre is 0."


# --------------------------------------------------------------------------
# Exercise: random images from one seeded generator
# --------------------------------------------------------------------------
RANDOM_SEED = 42
RANDOM_SHAPE = (32, 32)


@functools.cache
def _random_images():
    rng = np.random.default_rng(RANDOM_SEED)
    noise = rng.normal(100, 5, RANDOM_SHAPE)
    uniform = rng.uniform(0, 10, RANDOM_SHAPE)
    counts = rng.poisson(3, RANDOM_SHAPE)
    return noise, uniform, counts


def _expect_statistics(array, name, mean, std, low=None, high=None, what=""):
    """Right distribution? Mean within 5 standard errors, std within 15 %."""
    n = array.size
    if low is not None and (array.min() < low or array.max() >= high
                            or array.max() - array.min() < (high - low) / 2):
        raise Wrong(f"`{name}` has values from {fmt(array.min())} to {fmt(array.max())}; "
                    f"{what} should spread over [{fmt(low)}, {fmt(high)}): pass the range, "
                    f"rng.uniform({fmt(low)}, {fmt(high)}, size).")
    actual_std = float(array.std())
    if abs(actual_std / std - 1) > 0.15:
        if abs(actual_std / std**2 - 1) < 0.15 and std != 1:
            raise Wrong(f"`{name}` has a standard deviation of {fmt(actual_std, 3)}, the "
                        f"square of {fmt(std)}: the scale is the standard deviation, not the "
                        "variance.")
        raise Wrong(f"`{name}` has a standard deviation of {fmt(actual_std, 3)}; {what} "
                    f"should have about {fmt(std, 3)}.")
    if abs(float(array.mean()) - mean) > 5 * std / math.sqrt(n):
        raise Wrong(f"`{name}` has a mean of {fmt(array.mean(), 4)}; {what} should have "
                    f"about {fmt(mean)}.")


@checker("random-images")
def check_random_images(noise, uniform, counts):
    """Three 32 x 32 images drawn, in this order, from default_rng(42)."""
    ref_noise, ref_uniform, ref_counts = _random_images()
    answers = (("noise", noise, ref_noise), ("uniform", uniform, ref_uniform),
               ("counts", counts, ref_counts))
    arrays = {}
    for name, value, ref in answers:
        array = as_array(value, name)
        if array.shape != ref.shape:
            raise Wrong(f"`{name}` has shape {array.shape}; draw a {ref.shape[0]} x "
                        f"{ref.shape[1]} image (size={ref.shape}).")
        arrays[name] = array
    _expect_statistics(arrays["noise"], "noise", 100, 5, what="Gaussian noise with mean 100 "
                       "and standard deviation 5")
    _expect_statistics(arrays["uniform"], "uniform", 5, 10 / math.sqrt(12), 0, 10,
                       what="uniform values from 0 to 10")
    if arrays["counts"].dtype.kind not in "iu":
        raise Wrong(f"`counts` holds {arrays['counts'].dtype} values; Poisson counts are "
                    "whole numbers: draw them with rng.poisson.")
    _expect_statistics(arrays["counts"], "counts", 3, math.sqrt(3),
                       what="Poisson counts with a mean of 3")
    for name, _value, ref in answers:
        if not np.array_equal(arrays[name], ref):
            first = answers[0][0] == name
            raise Wrong(
                f"`{name}` has the right distribution but not the same numbers: "
                + ("make the generator with np.random.default_rng(42) right before the draws."
                   if first else
                   "make one generator, rng = np.random.default_rng(42), and draw the three "
                   "images from it in the order noise, uniform, counts (a generator moves "
                   "on with every draw)."))
    return "Same seed, same order, same numbers, on any computer."


# --------------------------------------------------------------------------
# Exercise: flat-field correction on 3 x 3 frames
# --------------------------------------------------------------------------
#: The three camera frames of the exercise, as a camera stores them (uint16).
FLAT_FIELD_RAW = np.array([[1210, 1830, 2450],
                           [980, 415, 2020],
                           [1500, 2600, 3100]], dtype=np.uint16)
FLAT_FIELD_OPEN = np.array([[2410, 3050, 3300],
                            [2390, 3100, 3350],
                            [2380, 3080, 3400]], dtype=np.uint16)
FLAT_FIELD_DARK = np.array([[400, 402, 405],
                            [401, 420, 404],
                            [399, 403, 410]], dtype=np.uint16)


def _flat_field(kind="right"):
    raw, open_, dark = (a.astype(float) for a in (FLAT_FIELD_RAW, FLAT_FIELD_OPEN,
                                                  FLAT_FIELD_DARK))
    with np.errstate(all="ignore"):
        return {
            "right": (raw - dark) / (open_ - dark),
            "wrapped": (FLAT_FIELD_RAW - FLAT_FIELD_DARK) / (FLAT_FIELD_OPEN - FLAT_FIELD_DARK),
            "no dark below": (raw - dark) / open_,
            "no dark": raw / open_,
            "upside down": (open_ - dark) / (raw - dark),
            "floor": (FLAT_FIELD_RAW.astype(np.int64) - dark.astype(np.int64))
            // (open_.astype(np.int64) - dark.astype(np.int64)),
        }[kind]


@checker("flat-field")
def check_flat_field(transmission):
    """`transmission` = (raw - dark) / (open - dark), element by element, as floats."""
    wrapped = _flat_field("wrapped")
    expect_array(transmission, _flat_field(), name="transmission", dtype="float", mistakes={
        f"the centre pixel is about {wrapped[1, 1]:.0f}, far above 1: raw - dark wrapped "
        "around in uint16 (415 - 420 is 65531 for unsigned integers); convert the frames "
        "to float first.": wrapped,
        "subtract the dark frame in the denominator too: (open - dark).":
            _flat_field("no dark below"),
        "subtract the dark frame from both the raw and the open-beam frame.":
            _flat_field("no dark"),
        "it is upside down: the raw frame goes on top, (raw - dark) / (open - dark).":
            _flat_field("upside down"),
        "// divides and rounds down to whole numbers; use / for the true quotient.":
            _flat_field("floor"),
    })
    return ("The centre pixel is slightly negative: noise in a dark pixel, which "
            "unsigned integers could not even hold.")


# --------------------------------------------------------------------------
# Exercise: a decay curve, linear and logarithmic
# --------------------------------------------------------------------------
DECAY_N0, DECAY_TAU, DECAY_T_END = 1000.0, 3.0, 20.0
_UNIT_IN_LABEL = re.compile(r"[\(\[]\s*s\s*[\)\]]")


def _which(ax, axes):
    return "left" if ax is axes[0] else "right"


@checker("decay-plot")
def check_decay_plot(fig):
    """`fig`: two plots side by side of N(t) = 1000 exp(-t / 3 s), 0 to 20 s,
    the right one with a logarithmic y axis; all axes labelled, time in (s)."""
    figure = as_figure(fig, "fig")
    axes = plot_axes(figure)
    if len(axes) != 2:
        raise Wrong(f"`fig` has {len(axes)} plot(s); the exercise asks for two side by side: "
                    "fig, (left, right) = plt.subplots(1, 2).")
    boxes = [ax.get_position() for ax in axes]
    if abs(boxes[0].x0 - boxes[1].x0) < 0.05:
        raise Wrong("the two plots are stacked one above the other; put them side by side "
                    "with plt.subplots(1, 2).")
    axes = sorted(axes, key=lambda ax: ax.get_position().x0)
    for ax in axes:
        side = _which(ax, axes)
        lines = ax.get_lines()
        if not lines:
            raise Wrong(f"the {side} plot has no line: ax.plot(t, counts).")
        t, counts = (np.asarray(v, dtype=float) for v in lines[0].get_data())
        if len(t) < 50:
            raise Wrong(f"the {side} curve has only {len(t)} points; use a few hundred "
                        "(np.linspace(0, 20, 200)) so that it looks smooth.")
        if t.min() > 0.01 or t.max() < DECAY_T_END - 0.01:
            raise Wrong(f"the {side} curve covers t from {fmt(t.min())} to {fmt(t.max())} s; "
                        f"the exercise asks for 0 to {fmt(DECAY_T_END)} s.")
        expected = DECAY_N0 * np.exp(-t / DECAY_TAU)
        if not np.allclose(counts, expected, rtol=1e-6):
            with np.errstate(all="ignore"):
                if np.allclose(counts, np.exp(-t / DECAY_TAU), rtol=1e-6):
                    raise Wrong(f"the {side} curve starts at 1, not at N0 = 1000: multiply "
                                "by N0.")
                if np.allclose(counts, DECAY_N0 * np.exp(-t * DECAY_TAU), rtol=1e-6):
                    raise Wrong(f"the {side} curve falls far too fast: the exponent is -t/tau "
                                "= -t/3, not -3t.")
                if np.allclose(counts, DECAY_N0 * np.exp(t / DECAY_TAU), rtol=1e-6):
                    raise Wrong(f"the {side} curve grows: the exponent needs a minus sign.")
            raise Wrong(f"the {side} curve is not N(t) = 1000 exp(-t / 3).")
        if ax.get_xscale() != "linear":
            raise Wrong(f"the {side} plot has a logarithmic time axis; only the y axis of the "
                        "right plot should be logarithmic.")
        if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
            which = "x" if not ax.get_xlabel().strip() else "y"
            raise Wrong(f"the {side} plot has no {which} label: ax.set_{which}label(...).")
        if not _UNIT_IN_LABEL.search(ax.get_xlabel()):
            raise Wrong(f"the {side} plot's x label {ax.get_xlabel()!r} gives no unit; write "
                        "it in brackets, e.g. 'time (s)'.")
    left, right = axes
    if left.get_yscale() == "log" and right.get_yscale() != "log":
        raise Wrong("the logarithmic y axis is on the left plot; the exercise asks for it "
                    "on the right, next to the linear one.")
    if right.get_yscale() != "log":
        raise Wrong("the right plot's y axis is linear: make it logarithmic with "
                    "ax.set_yscale('log') (or draw it with ax.semilogy).")
    if left.get_yscale() != "linear":
        raise Wrong("both plots have a logarithmic y axis; the left one should stay linear.")
    return "On the log axis the exponential decay is a straight line."


# --------------------------------------------------------------------------
# Exercise: a radial sinc as an image with a colour bar
# --------------------------------------------------------------------------
SINC_HALF_WIDTH, SINC_POINTS = 20.0, 201
#: Colour maps that mislead for a measurement like this one (chapter 4).
_MISLEADING = {
    "jet": "a rainbow", "rainbow": "a rainbow", "gist_rainbow": "a rainbow",
    "nipy_spectral": "a rainbow", "gist_ncar": "a rainbow", "turbo": "a rainbow",
    "prism": "a repeating stripe map", "flag": "a repeating stripe map",
    "hsv": "a cyclic map (for angles)", "twilight": "a cyclic map (for angles)",
    "twilight_shifted": "a cyclic map (for angles)",
}
_QUALITATIVE = {"Accent", "Dark2", "okabe_ito", "Paired", "Pastel1", "Pastel2", "Set1",
                "Set2", "Set3", "tab10", "tab20", "tab20b", "tab20c"}


def _sinc(kind="right", points=SINC_POINTS):
    x = np.linspace(-SINC_HALF_WIDTH, SINC_HALF_WIDTH, points)
    xx, yy = np.meshgrid(x, x)
    r = np.hypot(xx, yy)
    with np.errstate(all="ignore"):
        return {"right": np.sinc(r / np.pi), "numpy sinc": np.sinc(r),
                "nan centre": np.sin(r) / r}[kind]


@checker("radial-sinc")
def check_radial_sinc(sinc, fig):
    """`sinc` = sin(r)/r on a 201 x 201 grid from -20 to 20 (1 at the centre);
    `fig` shows it with coordinates, an honest colour map and a labelled colour bar."""
    values = expect_array(sinc, _sinc(), name="sinc", atol=1e-9, mistakes={
        "the centre is NaN: sin(r)/r is 0/0 at r = 0; np.sinc(r / np.pi) equals sin(r)/r "
        "and is 1 there.": _sinc("nan centre"),
        "np.sinc(x) is sin(pi x)/(pi x), with pi inside: pass r / np.pi to get sin(r)/r.":
            _sinc("numpy sinc"),
    })
    figure = as_figure(fig, "fig")
    images = [im for ax in plot_axes(figure) for im in ax.get_images()]
    if not images:
        raise Wrong("`fig` shows no image: draw `sinc` with ax.imshow(sinc, ...).")
    image = images[0]
    shown = np.asarray(image.get_array())
    if shown.shape != values.shape:
        raise Wrong(f"the image in `fig` has shape {shown.shape}, not the shape of `sinc`.")
    cmap = image.get_cmap().name.removesuffix("_r")
    if cmap in _MISLEADING:
        raise Wrong(f"'{cmap}' is {_MISLEADING[cmap]}, whose bright bands are not in the data "
                    "(chapter 4); choose e.g. 'viridis', 'magma' or, for values around 0, "
                    "'RdBu'.")
    if cmap in _QUALITATIVE:
        raise Wrong(f"'{cmap}' is a qualitative map, for categories; choose a sequential or "
                    "diverging one for a measurement.")
    bar = image.colorbar
    if bar is None:
        raise Wrong("the image has no colour bar: bar = fig.colorbar(image, ax=ax).")
    label = bar.ax.get_ylabel() if bar.orientation == "vertical" else bar.ax.get_xlabel()
    if not label.strip():
        raise Wrong("the colour bar has no label: bar.set_label('sin(r) / r').")
    left, right, bottom, top = image.get_extent()
    xs, ys = sorted((left, right)), sorted((bottom, top))
    half = SINC_HALF_WIDTH
    pixel = 2 * half / (SINC_POINTS - 1)
    if not (np.allclose(xs, [-half, half], atol=pixel) and np.allclose(ys, [-half, half],
                                                                        atol=pixel)):
        raise Wrong(f"the axes run from {fmt(xs[0])} to {fmt(xs[1])}, pixel numbers; pass "
                    "extent=(-20, 20, -20, 20) to imshow so that they show x and y.")
    return f"The rings of sin(r)/r, shown in '{cmap}'."


# --------------------------------------------------------------------------
# Exercise: saving a figure to a folder of your own
# --------------------------------------------------------------------------
SAVE_DPI = 150
#: The book's chapters: a student's files do not belong there.
_BOOK_CHAPTERS = pathlib.Path(__file__).resolve().parents[2] / "chapters"


@checker("saved-figure")
def check_saved_figure(path):
    """`path`: a PNG file of 150 dots per inch, outside the book's chapters folder."""
    from PIL import Image

    file = as_existing_file(path, "path")
    resolved = file.resolve()
    if _BOOK_CHAPTERS in resolved.parents:
        raise Wrong("the file is inside the book's chapters folder; save your figures into "
                    "a folder of your own, e.g. Path.home() / 'qbi-exercises'.")
    kind = file_kind(file)
    if kind != "a PNG file":
        raise Wrong(f"{file.name} is {kind}, not a PNG: give the name the suffix .png "
                    "(savefig picks the format from it) or pass format='png'.")
    with Image.open(file) as png:
        dpi = png.info.get("dpi")
        size = png.size
    if dpi is None:
        raise Wrong(f"{file.name} does not say its resolution; save it with "
                    f"fig.savefig(path, dpi={SAVE_DPI}).")
    if abs(float(dpi[0]) - SAVE_DPI) > 1:
        default = " (Matplotlib's default)" if abs(float(dpi[0]) - 100) <= 1 else ""
        raise Wrong(f"{file.name} was saved at {float(dpi[0]):.0f} dots per inch{default}; "
                    f"pass dpi={SAVE_DPI} to savefig.")
    return f"{file.name}: {size[0]} x {size[1]} pixels at {SAVE_DPI} dpi."


# --------------------------------------------------------------------------
# Exercise: a Gaussian function, evaluated in a loop
# --------------------------------------------------------------------------
GAUSS_POSITIONS = [-3, -1.5, 0, 0.5, 2]
GAUSS_WIDTH = 1.5
_GAUSS_FORMS = {
    "it divides by 2 s**2, the statistics convention; this exercise's Gaussian is "
    "exp(-x**2 / s**2).": lambda x, s: np.exp(-x**2 / (2 * s**2)),
    "it grows away from 0: the exponent needs a minus sign, exp(-x**2 / s**2).":
        lambda x, s: np.exp(x**2 / s**2),
    "it divides by s, not by s squared: exp(-x**2 / s**2).":
        lambda x, s: np.exp(-x**2 / s),
    "it is exp(-x / s)**2 or similar; square x before dividing: exp(-x**2 / s**2).":
        lambda x, s: np.exp(-x / s) ** 2,
    "it divides the exponential by s**2; s**2 belongs inside the exponent, "
    "exp(-x**2 / s**2).": lambda x, s: np.exp(-x**2) / s**2,
}


def _gaussian(x, s):
    return np.exp(-np.asarray(x, dtype=float) ** 2 / s**2)


@checker("gaussian")
def check_gaussian(gaussian, values):
    """`gaussian(x, s)` = exp(-x**2 / s**2), for numbers and arrays; `values`:
    gaussian(x, 1.5) for each x of [-3, -1.5, 0, 0.5, 2], in a list."""
    if not callable(gaussian):
        raise Wrong(f"`gaussian` is a {type(gaussian).__name__}, not a function: pass the "
                    "function itself, gaussian, without parentheses.")
    points = [(-2.0, 1.0), (-0.5, 1.5), (0.0, 2.0), (1.0, 0.5), (3.0, 2.5)]
    got = []
    for x, s in points:
        try:
            result = gaussian(x, s)
        except Exception as error:
            raise Wrong(f"gaussian({x}, {s}) raised {type(error).__name__}: {error}.") from None
        if result is None:
            raise Wrong(f"gaussian({x}, {s}) returned None: end the function with "
                        "`return ...` (print() only shows the value).")
        try:
            got.append(float(result))
        except (TypeError, ValueError):
            raise Wrong(f"gaussian({x}, {s}) returned a {type(result).__name__}, not a "
                        "number.") from None
    got = np.array(got)
    xs, ss = (np.array(v) for v in zip(*points))
    if not np.allclose(got, _gaussian(xs, ss), rtol=1e-9):
        with np.errstate(all="ignore"):
            for sentence, form in _GAUSS_FORMS.items():
                if np.allclose(got, form(xs, ss), rtol=1e-9):
                    raise Wrong(f"`gaussian`: {sentence}")
        raise Wrong(f"gaussian({points[0][0]}, {points[0][1]}) gives {fmt(got[0])}; it is "
                    "not exp(-x**2 / s**2).")
    x = np.linspace(-3, 3, 7)
    try:
        on_array = np.asarray(gaussian(x, 1.5), dtype=float)
    except Exception as error:
        raise Wrong(f"`gaussian` works for one number but not for a NumPy array "
                    f"({type(error).__name__}); use np.exp, which works element-wise, "
                    "instead of math.exp.") from None
    if on_array.shape != x.shape or not np.allclose(on_array, _gaussian(x, 1.5)):
        raise Wrong("`gaussian` gives the wrong values for a NumPy array x; compute "
                    "element-wise with np.exp and ** (no loop over a list inside).")
    expected = _gaussian(GAUSS_POSITIONS, GAUSS_WIDTH)
    array = as_array(values, "values")
    if array.size == 1 and array.ndim <= 1:
        raise Wrong("`values` holds only one value: make an empty list before the loop and "
                    "append one result per position inside it.")
    expect_array(array.astype(float), expected, name="values", mistakes={
        "these are the values for s = 1; the exercise asks for s = 1.5.":
            _gaussian(GAUSS_POSITIONS, 1.0),
        "the values are in reverse order: loop over positions from first to last.":
            expected[::-1],
    })
    return "One function, reused for every position."


# --------------------------------------------------------------------------
# Exercise: Moore's law by least squares
# --------------------------------------------------------------------------
@functools.cache
def _moore():
    """(slope in doublings per year, intercept, table) of the least-squares fit."""
    from common import data

    table = data.load("processors")
    year = table["year"].to_numpy(float)
    log2_count = np.log2(table["transistors_k"].to_numpy(float) * 1e3)
    design = np.column_stack([year, np.ones_like(year)])
    (slope, intercept), *_ = np.linalg.lstsq(design, log2_count, rcond=None)
    return float(slope), float(intercept), table


@checker("moore-fit")
def check_moore_fit(doubling_months):
    """`doubling_months`: 12 / slope of the least-squares line log2(count) ~ year."""
    slope, _, _ = _moore()
    doubling = 12 / slope
    expect_quantity(doubling_months, doubling, "months", name="doubling_months",
                    units={"years": 12.0, "days": 12 / 365.25}, rtol=2e-3,
                    hints={math.log2(10): "you fitted log10 of the count; a doubling is "
                           "log10(2) = 0.301 decades, so use log2 (or multiply by log10(2)).",
                           1 / math.log(2): "you fitted the natural logarithm; a doubling "
                           "is ln(2) = 0.693 in that scale, so use log2."},
                    mistakes={"this is the slope, doublings per year; the doubling time is "
                              "12 / slope months.": slope})
    return "The same line as np.polyfit's in chapter 7: polyfit solves this least-squares problem."


@checker("furthest-chip")
def check_furthest_chip(processor):
    """`processor`: the name of the chip that lies furthest above the fitted line."""
    slope, intercept, table = _moore()
    year = table["year"].to_numpy(float)
    log2_count = np.log2(table["transistors_k"].to_numpy(float) * 1e3)
    residual = log2_count - (slope * year + intercept)
    names = [str(n) for n in table["processor"]]
    above, below = names[int(np.argmax(residual))], names[int(np.argmin(residual))]
    largest = names[int(np.argmax(table["transistors_k"].to_numpy(float)))]
    plain = table["transistors_k"].to_numpy(float) - 2 ** (slope * year + intercept) / 1e3
    plain_above = names[int(np.argmax(plain))]
    if not isinstance(processor, str):
        raise Wrong(f"`processor` is a {type(processor).__name__}; the exercise asks for the "
                    "chip's name as a text, e.g. 'MOS 6502'.")
    answer = " ".join(processor.split()).lower()
    known = {n.lower(): n for n in names}
    if answer not in known:
        raise Wrong(f"{processor!r} is not a processor of the table; copy the name from its "
                    "'processor' column.")
    name = known[answer]
    if name == above:
        factor = 2 ** float(residual.max())
        return f"It has {factor:.1f} times the transistors the trend predicts for its year."
    if name == below:
        raise Wrong(f"{name} lies furthest *below* the line (the most negative residual); "
                    "the exercise asks for the chip furthest above it.")
    if name == plain_above:
        raise Wrong(f"{name} is furthest above the line in plain counts; compare on the "
                    "log2 scale of the fit, where a residual of 1 means twice the trend.")
    if name == largest:
        raise Wrong(f"{name} has the most transistors of all, but for its year it is close "
                    "to the trend: look at the residuals, log2(count) minus the fitted line.")
    raise Wrong(f"{name} is not the chip furthest above the line: compute each chip's "
                "residual, log2(count) minus the fitted line, and take the largest.")
