"""Checkers of exercise sheet 1 (common/exercises/l1c11.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import math
import pathlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from common.exercises import l1c11  # noqa: E402
from exercise_feedback import correct, lenient, rejected  # noqa: E402, F401


@pytest.fixture(autouse=True)
def close_figures():
    """The sheet's plotting tasks leave no figure open for the next test."""
    yield
    plt.close("all")


# ------------------------------------------------------------------- border
def student_border():
    border = np.ones((6, 8))
    border[1:-1, 1:-1] = 0
    return border


def test_border():
    correct(l1c11.check_border(student_border()))
    rejected(l1c11.check_border(student_border().T), "shape (8, 6), the transpose")
    rejected(l1c11.check_border(student_border().astype(int)), "holds integers")
    rejected(l1c11.check_border(1 - student_border()), "inverted")
    wide = np.ones((6, 8))
    wide[2:-2, 2:-2] = 0
    rejected(l1c11.check_border(wide), "two pixels wide")
    rejected(l1c11.check_border(...), "still the placeholder")


# ----------------------------------------------------------------- distance
def grid(x, y, **kw):
    xx, yy = np.meshgrid(x, y, **kw)
    return xx, yy


def test_distance():
    x, y = np.linspace(-4, 4, 9), np.linspace(-2, 2, 5)
    xx, yy = grid(x, y)
    correct(l1c11.check_distance(np.sqrt(xx**2 + yy**2)))
    rejected(l1c11.check_distance(xx**2 + yy**2), "squared distances")
    xi, yi = grid(x, y, indexing="ij")
    rejected(l1c11.check_distance(np.hypot(xi, yi)), "indexing='ij'")
    xa, ya = grid(np.arange(-4, 4), y)
    rejected(l1c11.check_distance(np.hypot(xa, ya)), "one too few columns", "np.arange")


# ------------------------------------------------------------ random images
def draws(seed=42, scale=5, order=("n", "u", "p"), fresh=False):
    rng = np.random.default_rng(seed)
    out = {}
    for kind in order:
        if fresh:
            rng = np.random.default_rng(seed)
        out[kind] = {"n": lambda: rng.normal(100, scale, (32, 32)),
                     "u": lambda: rng.uniform(0, 10, (32, 32)),
                     "p": lambda: rng.poisson(3, (32, 32))}[kind]()
    return out["n"], out["u"], out["p"]


def test_random_images():
    correct(l1c11.check_random_images(*draws()))
    rejected(l1c11.check_random_images(*draws(scale=25)), "the square of 5", "not the variance")
    rejected(l1c11.check_random_images(*draws(fresh=True)), "`uniform` has the right "
             "distribution but not the same numbers", "one generator")
    rejected(l1c11.check_random_images(*draws(order=("u", "n", "p"))), "`noise` has the right "
             "distribution but not the same numbers", "default_rng(42)")
    rejected(l1c11.check_random_images(*draws(seed=1)), "not the same numbers")
    noise, uniform, counts = draws()
    rejected(l1c11.check_random_images(noise, uniform / 10, counts), "`uniform` has values from 0",
             "[0, 10)")
    rejected(l1c11.check_random_images(noise, uniform, counts.astype(float)), "whole numbers")
    rejected(l1c11.check_random_images(noise[:16], uniform, counts), "shape (16, 32)")
    rejected(l1c11.check_random_images(noise + 10, uniform, counts), "mean of 109.9")


# --------------------------------------------------------------- flat field
def test_flat_field():
    raw, open_beam, dark = l1c11.FLAT_FIELD_RAW, l1c11.FLAT_FIELD_OPEN, l1c11.FLAT_FIELD_DARK
    r, o, d = (a.astype(float) for a in (raw, open_beam, dark))
    correct(l1c11.check_flat_field((r - d) / (o - d)))
    wrapped = (raw - dark) / (open_beam - dark)
    rejected(l1c11.check_flat_field(wrapped),
             f"about {wrapped[1, 1]:.0f}, far above 1", "wrapped around in uint16")
    rejected(l1c11.check_flat_field((r - d) / o), "in the denominator too")
    rejected(l1c11.check_flat_field(r / o), "from both the raw and the open-beam")
    rejected(l1c11.check_flat_field((o - d) / (r - d)), "upside down")
    rejected(l1c11.check_flat_field((raw.astype(int) - dark) // (open_beam.astype(int) - dark)),
             "// divides and rounds down")
    rejected(l1c11.check_flat_field((r - d) / (o - d) * 100), "100 times too large")


# --------------------------------------------------------------- decay plot
def decay_figure(rows=1, cols=2, log_on="right", xlabel="time (s)", tau=3.0, n0=1000.0,
                 points=200, sign=-1, t_end=20):
    t = np.linspace(0, t_end, points)
    fig, axes = plt.subplots(rows, cols)
    axes = np.atleast_1d(axes)
    for ax in axes:
        ax.plot(t, n0 * np.exp(sign * t / tau))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("signal (counts)")
    if log_on in ("right", "both"):
        axes[-1].set_yscale("log")
    if log_on in ("left", "both"):
        axes[0].set_yscale("log")
    return fig


def test_decay_plot():
    correct(l1c11.check_decay_plot(decay_figure()))
    correct(l1c11.check_decay_plot(decay_figure().axes[0]))  # an Axes leads to its figure
    rejected(l1c11.check_decay_plot(decay_figure(log_on="none")), "right plot's y axis is linear")
    rejected(l1c11.check_decay_plot(decay_figure(log_on="left")), "on the left plot")
    rejected(l1c11.check_decay_plot(decay_figure(log_on="both")), "left one should stay linear")
    rejected(l1c11.check_decay_plot(decay_figure(rows=2, cols=1)), "stacked one above the other")
    rejected(l1c11.check_decay_plot(decay_figure(cols=1)), "has 1 plot(s)")
    rejected(l1c11.check_decay_plot(decay_figure(xlabel="time")), "gives no unit")
    rejected(l1c11.check_decay_plot(decay_figure(xlabel="")), "has no x label")
    rejected(l1c11.check_decay_plot(decay_figure(n0=1)), "starts at 1, not at N0")
    rejected(l1c11.check_decay_plot(decay_figure(tau=1 / 3)), "-t/3, not -3t")
    rejected(l1c11.check_decay_plot(decay_figure(sign=1)), "needs a minus sign")
    rejected(l1c11.check_decay_plot(decay_figure(points=20)), "only 20 points")
    rejected(l1c11.check_decay_plot(decay_figure(t_end=10)), "from 0 to 10 s")
    fig, ax = plt.subplots()
    rejected(l1c11.check_decay_plot(ax.plot([1, 2])), "the list of lines")
    rejected(l1c11.check_decay_plot(None), "is None")


# -------------------------------------------------------------- radial sinc
def sinc_values(points=201, kind="right"):
    x = np.linspace(-20, 20, points)
    xx, yy = np.meshgrid(x, x)
    r = np.sqrt(xx**2 + yy**2)
    with np.errstate(all="ignore"):
        return {"right": np.sinc(r / np.pi), "nan": np.sin(r) / r, "numpy": np.sinc(r)}[kind]


def sinc_figure(values, cmap="magma", colorbar=True, label="sin(r)/r",
                extent=(-20, 20, -20, 20)):
    fig, ax = plt.subplots()
    image = ax.imshow(values, cmap=cmap, extent=extent)
    if colorbar:
        bar = fig.colorbar(image, ax=ax)
        bar.set_label(label)
    return fig


def test_radial_sinc():
    values = sinc_values()
    correct(l1c11.check_radial_sinc(values, sinc_figure(values)))
    correct(l1c11.check_radial_sinc(values, sinc_figure(values, cmap="RdBu_r")))
    rejected(l1c11.check_radial_sinc(sinc_values(kind="nan"), None), "the centre is NaN")
    rejected(l1c11.check_radial_sinc(sinc_values(kind="numpy"), None), "pass r / np.pi")
    rejected(l1c11.check_radial_sinc(sinc_values(points=200), None), "one too few rows and columns")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values, cmap="jet")), "'jet' is a rainbow")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values, cmap="tab10")), "qualitative")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values, colorbar=False)), "no colour bar")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values, label="")), "colour bar has no label")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values, extent=None)), "pixel numbers",
             "extent=(-20, 20, -20, 20)")
    rejected(l1c11.check_radial_sinc(values, sinc_figure(values[:100])), "not the shape of `sinc`")
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    rejected(l1c11.check_radial_sinc(values, fig), "shows no image")


# ------------------------------------------------------------- saved figure
def test_saved_figure(tmp_path):
    fig = sinc_figure(sinc_values())
    path = tmp_path / "mine" / "sinc.png"
    path.parent.mkdir()
    fig.savefig(path, dpi=150)
    correct(l1c11.check_saved_figure(path))
    correct(l1c11.check_saved_figure(str(path)))
    fig.savefig(tmp_path / "default.png")
    rejected(l1c11.check_saved_figure(tmp_path / "default.png"), "100 dots per inch",
             "Matplotlib's default")
    fig.savefig(tmp_path / "sinc.pdf", dpi=150)
    rejected(l1c11.check_saved_figure(tmp_path / "sinc.pdf"), "a PDF file, not a PNG")
    rejected(l1c11.check_saved_figure(tmp_path / "nothing.png"), "there is no file")
    rejected(l1c11.check_saved_figure(tmp_path), "is a folder")
    rejected(l1c11.check_saved_figure(fig.savefig(tmp_path / "x.png", dpi=150)),
             "savefig returns None")


def test_saved_figure_refuses_the_books_chapters_folder(monkeypatch, tmp_path):
    # A stand-in chapters folder: the real one is never written to.
    chapters = tmp_path / "book" / "chapters"
    (chapters / "lecture-01").mkdir(parents=True)
    monkeypatch.setattr(l1c11, "_BOOK_CHAPTERS", chapters.resolve())
    path = chapters / "lecture-01" / "sinc.png"
    sinc_figure(sinc_values()).savefig(path, dpi=150)
    rejected(l1c11.check_saved_figure(path), "inside the book's chapters folder")
    assert l1c11._BOOK_CHAPTERS != pathlib.Path(l1c11.__file__).resolve().parents[2] / "chapters"


def test_the_chapters_folder_the_check_refuses_is_the_books():
    book = pathlib.Path(__file__).resolve().parents[1]
    assert l1c11._BOOK_CHAPTERS == book / "chapters"


# ---------------------------------------------------------------- gaussian
def student_gaussian(x, s):
    return np.exp(-x**2 / s**2)


POSITIONS = [-3, -1.5, 0, 0.5, 2]


def loop(function, s=1.5, positions=POSITIONS):
    values = []
    for x in positions:
        values.append(function(x, s))
    return values


def test_gaussian():
    correct(l1c11.check_gaussian(student_gaussian, loop(student_gaussian)))
    correct(l1c11.check_gaussian(student_gaussian, np.array(loop(student_gaussian))))
    forms = {
        "2 s**2": lambda x, s: np.exp(-x**2 / (2 * s**2)),
        "needs a minus sign": lambda x, s: np.exp(x**2 / s**2),
        "divides by s, not by s squared": lambda x, s: np.exp(-x**2 / s),
        "square x before dividing": lambda x, s: np.exp(-x / s) ** 2,
        "s**2 belongs inside the exponent": lambda x, s: np.exp(-x**2) / s**2,
    }
    for words, function in forms.items():
        rejected(l1c11.check_gaussian(function, loop(function)), words)
    rejected(l1c11.check_gaussian(lambda x, s: math.exp(-x**2 / s**2), loop(student_gaussian)),
             "not for a NumPy array", "np.exp")
    rejected(l1c11.check_gaussian(lambda x, s: print(x), []), "returned None", "return")
    rejected(l1c11.check_gaussian(student_gaussian(1.0, 1.5), []), "not a function")
    rejected(l1c11.check_gaussian(lambda x: x, []), "raised TypeError")
    rejected(l1c11.check_gaussian(student_gaussian, [student_gaussian(2, 1.5)]), "only one value",
             "append")
    rejected(l1c11.check_gaussian(student_gaussian, loop(student_gaussian, s=1.0)), "s = 1.5")
    rejected(l1c11.check_gaussian(student_gaussian, loop(student_gaussian)[::-1]), "reverse order")
    rejected(l1c11.check_gaussian(student_gaussian, loop(student_gaussian)[:4]), "shape (4,)")


# ---------------------------------------------------------------- moore fit
def moore_slope(log=np.log2):
    import common.data as data

    table = data.load("processors")
    year = table["year"].to_numpy(float)
    A = np.column_stack([year, np.ones_like(year)])
    (a, _), *_ = np.linalg.lstsq(A, log(table["transistors_k"].to_numpy(float) * 1e3), rcond=None)
    return a


def test_moore_fit():
    a = moore_slope()
    correct(l1c11.check_moore_fit(12 / a))
    correct(l1c11.check_moore_fit(f"{1 / a:.4f} years"))
    rejected(l1c11.check_moore_fit(1 / a), "right in years, but it should be in months")
    rejected(l1c11.check_moore_fit(12 / moore_slope(np.log10)), "3.32 times too large",
             "fitted log10")
    rejected(l1c11.check_moore_fit(12 / moore_slope(np.log)), "1.44 times too large",
             "natural logarithm")
    rejected(l1c11.check_moore_fit(a), "this is the slope")
    rejected(l1c11.check_moore_fit(-12 / a), "wrong sign")
    rejected(l1c11.check_moore_fit(22), "% too small")
    rejected(l1c11.check_moore_fit("22 weeks"), "'weeks', a unit this check does not know")


def test_moore_fit_agrees_with_chapter_7():
    # chapter 7 quotes a doubling every 24 months for the same table
    assert round(12 / moore_slope()) == 24


# ----------------------------------------------------------- furthest chip
def test_furthest_chip():
    correct(l1c11.check_furthest_chip("Intel 8086"))
    correct(l1c11.check_furthest_chip("  intel   8086 "))
    rejected(l1c11.check_furthest_chip("MIPS R3000"), "furthest *below*")
    rejected(l1c11.check_furthest_chip("Intel Core i7-980X"), "in plain counts")
    rejected(l1c11.check_furthest_chip("AMD Phenom X4 9950"), "take the largest")
    rejected(l1c11.check_furthest_chip("Pentium 4"), "not a processor of the table")
    rejected(l1c11.check_furthest_chip(1), "as a text")


def test_praise_never_gives_the_answer_away():
    # the check cell's output is shown under the exercise in the book
    assert "8086" not in str(l1c11.check_furthest_chip("Intel 8086"))
    months = 12 / moore_slope()
    assert f"{months:.0f}" not in str(l1c11.check_moore_fit(months))
