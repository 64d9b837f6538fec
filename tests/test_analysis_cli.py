"""The command line `python -m common.analysis IMAGE ...`, run as a user runs it.

Every case writes small generated files to a temporary folder and runs the
command in a subprocess: the JSON summary on stdout and the table for good
input; for bad input one line `error: ...` on stderr, exit code 2 and no
traceback.
"""
import json
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pandas as pd
import pytest
import tifffile


def spots(shape=(60, 80), n=(2, 3), radius=3.0, surround=40, spot=200, seed=0):
    """A noisy gray image with a grid of n[0] x n[1] bright round spots."""
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    image = np.full(shape, float(surround))
    for r in np.linspace(0, shape[0], n[0] + 2)[1:-1]:
        for c in np.linspace(0, shape[1], n[1] + 2)[1:-1]:
            image[(rows - r) ** 2 + (cols - c) ** 2 <= radius**2] = spot
    image += np.random.default_rng(seed).normal(0, 3, shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "common.analysis", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def ok(*args, cwd):
    done = run(*args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def refused(*args, cwd, message):
    done = run(*args, cwd=cwd)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert message in lines[0], lines[0]
    return lines[0]


def test_a_gray_png_gives_the_summary_and_the_table(tmp_path):
    iio.imwrite(tmp_path / "cells.png", spots())
    summary = ok("cells.png", "--min-size", 10, "--max-size", 60, "--out", "cells.csv",
                 cwd=tmp_path)
    assert summary["count"] == 6
    assert (summary["too_big"], summary["odd"], summary["border"]) == (0, 0, 0)
    assert summary["density_per_1000px"] == pytest.approx(6 / 4.8)
    assert "density_per_mm2" not in summary
    assert summary["settings"]["min_size"] == 10 and summary["settings"]["max_size"] == 60
    table = pd.read_csv(tmp_path / "cells.csv")
    assert (table["kind"] == "cell").sum() == 6
    assert {"row", "col", "size_px", "elongation", "solidity", "kind"} <= set(table.columns)
    assert summary["table"] == "cells.csv"


def test_a_pixel_size_gives_densities_per_mm2(tmp_path):
    iio.imwrite(tmp_path / "cells.png", spots())
    summary = ok("cells.png", "--pixel-size", 0.5, cwd=tmp_path)
    assert summary["density_per_mm2"] == pytest.approx(6 / (4800 * 0.0005**2))


def test_gray_saved_as_rgba_is_read_as_gray_not_as_a_volume(tmp_path):
    image = spots()
    iio.imwrite(tmp_path / "rgba.png", np.dstack([image, image, image, np.full_like(image, 255)]))
    summary = ok("rgba.png", cwd=tmp_path)
    assert summary["ndim"] == 2 and summary["shape"] == [60, 80] and summary["count"] == 6


def test_a_colour_image_needs_a_channel(tmp_path):
    image = spots()
    iio.imwrite(tmp_path / "rgb.png", np.dstack([image, 255 - image, image // 2]))
    refused("rgb.png", cwd=tmp_path, message="image has 3 colour channels (shape (60, 80, 3)); "
                                             "choose one with channel=0..2 or channel='gray'")
    assert ok("rgb.png", "--channel", 0, cwd=tmp_path)["count"] == 6
    assert ok("rgb.png", "--channel", 1, "--polarity", "dark", cwd=tmp_path)["count"] == 6
    refused("rgb.png", "--channel", 3, cwd=tmp_path,
            message="channel must be from 0 to 2 for this image of 3 channels")
    refused("rgb.png", "--channel", "red", cwd=tmp_path,
            message="argument --channel: must be a channel number or 'gray', got 'red'")


def test_a_jpeg(tmp_path):
    iio.imwrite(tmp_path / "cells.jpg", spots(), quality=90)
    assert ok("cells.jpg", cwd=tmp_path)["count"] == 6


def test_tiff_images_and_stacks(tmp_path):
    tifffile.imwrite(tmp_path / "flat.tif", spots().astype(np.uint16) * 100)
    assert ok("flat.tif", cwd=tmp_path)["count"] == 6
    # A stack of 9 planes: the spots are balls now (in planes 2 to 6).
    stack = np.stack([spots(seed=k) if 2 <= k <= 6 else spots(spot=40, seed=k)
                      for k in range(9)])
    tifffile.imwrite(tmp_path / "stack.tiff", stack)
    summary = ok("stack.tiff", "--min-size", 50, "--pixel-size", 2, "--out", "balls.csv",
                 cwd=tmp_path)
    assert summary["ndim"] == 3 and summary["shape"] == [9, 60, 80]
    assert summary["count"] == 6 and "density_per_mm3" in summary
    assert "z" in pd.read_csv(tmp_path / "balls.csv").columns


def test_uneven_illumination_is_removed_with_a_background(tmp_path):
    # Light brighter on the left: the surroundings there are almost as bright
    # as the spots on the right, and no one threshold fits.
    image = spots(surround=20, spot=100).astype(float) + np.linspace(130, 0, 80)[None, :]
    iio.imwrite(tmp_path / "uneven.png", image.astype(np.uint8))
    assert ok("uneven.png", cwd=tmp_path)["count"] == 2
    summary = ok("uneven.png", "--background", 20, cwd=tmp_path)
    assert summary["count"] == 6 and summary["settings"]["background"] == 20


def test_a_region_of_interest(tmp_path):
    image = spots()
    iio.imwrite(tmp_path / "cells.png", image)
    roi = np.zeros(image.shape, np.uint8)
    roi[:, :50] = 255                                 # the left: 4 spots
    iio.imwrite(tmp_path / "roi.png", roi)
    summary = ok("cells.png", "--roi", "roi.png", cwd=tmp_path)
    assert summary["count"] == 4 and summary["tissue_px"] == 60 * 50
    iio.imwrite(tmp_path / "small.png", roi[:30])
    refused("cells.png", "--roi", "small.png", cwd=tmp_path,
            message="the ROI small.png has shape (30, 80), the image (60, 80)")


def test_nothing_the_user_made_is_overwritten(tmp_path):
    iio.imwrite(tmp_path / "cells.png", spots())
    (tmp_path / "cells.csv").write_text("my own notes\n")
    refused("cells.png", "--out", "cells.csv", cwd=tmp_path,
            message="cells.csv exists; choose another --out or pass --force to overwrite it")
    assert (tmp_path / "cells.csv").read_text() == "my own notes\n"
    ok("cells.png", "--out", "cells.csv", "--force", cwd=tmp_path)
    assert len(pd.read_csv(tmp_path / "cells.csv")) == 6


@pytest.mark.filterwarnings("ignore:.*writing zero-size array")
@pytest.mark.parametrize("make, args, message", [
    (None, ["missing.png"], "no such file: missing.png"),
    (lambda p: (p / "notes.png").write_text("not an image"), ["notes.png"],
     "cannot read notes.png as a PNG, JPEG or TIFF image"),
    (lambda p: (p / "notes.tif").write_text("not an image"), ["notes.tif"],
     "cannot read notes.tif as a PNG, JPEG or TIFF image (not a TIFF file"),
    (lambda p: (p / "folder.png").mkdir(), ["folder.png"], "folder.png is a folder"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--channel", "0"],
     "channel=0 selects a colour channel, but the image (shape (60, 80)) has none"),
    (lambda p: iio.imwrite(p / "flat.png", np.full((20, 20), 7, np.uint8)), ["flat.png"],
     "Otsu's threshold needs an image with more than one gray value; this one is 7.0 everywhere"),
    (lambda p: tifffile.imwrite(p / "empty.tif", np.zeros((0, 5), np.uint8)), ["empty.tif"],
     "empty.tif holds an empty image (shape (0, 5))"),
    (lambda p: tifffile.imwrite(p / "4d.tif", np.zeros((2, 3, 8, 9), np.uint8),
                                                     photometric="minisblack"), ["4d.tif"],
     "image must be a 2D or 3D array, got shape (2, 3, 8, 9)"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--polarity", "up"],
     "argument --polarity: invalid choice: 'up'"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--min-size", "-3"],
     "argument --min-size: must be a positive number, got '-3'"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--threshold", "half"],
     "argument --threshold: must be 'otsu' or a number, got 'half'"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--min-size", "50",
                                                      "--max-size", "10"],
     "max_size must be a number of pixels at least min_size (50), or math.inf, got 10.0"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--out", "no/such/t.csv"],
     "cannot write no/such/t.csv: the folder no/such does not exist"),
    (lambda p: iio.imwrite(p / "gray.png", spots()), ["gray.png", "--threshold", "1"],
     "no tissue left: every pixel belongs to an object that reaches the border"),
], ids=["missing file", "text as png", "text as tiff", "a folder", "channel of gray",
        "constant image", "empty tiff", "4D array", "bad polarity", "negative size",
        "bad threshold", "sizes swapped", "no output folder", "all objects"])
def test_bad_input_gets_one_clear_line_and_exit_code_2(tmp_path, make, args, message):
    if make is not None:
        make(tmp_path)
    refused(*args, cwd=tmp_path, message=message)
