"""Checkers of the exercises of lecture 1, chapter 6, "On science"
(``chapters/lecture-01/06-on-science.md``).

- :func:`check_fingerprint`: SHA-256 fingerprints of ``bone_slice`` before
  and after one byte changes, and how many of their digits agree;
- :func:`check_repeat_count`: a count of the bone cells repeated with ten
  noise seeds, and its spread (the count's repeatability);
- :func:`check_lock_diff`: which package versions differ between the two
  lock files :data:`LOCK_BEFORE` and :data:`LOCK_AFTER`.
"""
from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from ._check import Wrong, as_array, checker, expect_array, expect_number

__all__ = ["check_fingerprint", "check_repeat_count", "check_lock_diff",
           "LOCK_BEFORE", "LOCK_AFTER", "EDITED_PIXEL", "NOISE_SD", "NOISE_SEEDS",
           "THRESHOLD", "MIN_SIZE"]


# --------------------------------------------------------------------------
# Exercise: one byte, a new fingerprint
# --------------------------------------------------------------------------
#: The pixel (row, column) that the exercise makes one gray level brighter.
EDITED_PIXEL = (90, 70)


@functools.cache
def _fingerprints():
    import common.data as data

    image = data.load("bone_slice")
    edited = image.copy()
    edited[EDITED_PIXEL] += 1
    return {
        "original": hashlib.sha256(image.tobytes()).hexdigest(),
        "changed": hashlib.sha256(edited.tobytes()).hexdigest(),
        "printout": hashlib.sha256(str(image).encode()).hexdigest(),
        "printout edited": hashlib.sha256(str(edited).encode()).hexdigest(),
        "book": data.fingerprint(image),
        "book edited": data.fingerprint(edited),
    }


def _expect_hex(value, name):
    if isinstance(value, bytes):
        raise Wrong(f"`{name}` is bytes ({len(value)} of them), what .digest() gives; use "
                    ".hexdigest() for the text of 64 hexadecimal digits.")
    if hasattr(value, "hexdigest"):
        raise Wrong(f"`{name}` is the hash object itself; call its .hexdigest() for the "
                    "text of 64 digits.")
    if not isinstance(value, str):
        raise Wrong(f"`{name}` is a {type(value).__name__}; it should be the text that "
                    ".hexdigest() returns.")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise Wrong(f"`{name}` = {value[:20]!r}... is not 64 hexadecimal digits; SHA-256 "
                    "gives 64 (use hashlib.sha256(...).hexdigest()).")
    return value.lower()


@checker("fingerprint")
def check_fingerprint(original, changed, same_digits):
    """`original`, `changed`: SHA-256 hex digests of bone_slice's bytes before and
    after pixel (90, 70) is made one gray level brighter; `same_digits`: the
    number of positions where the two agree."""
    ref = _fingerprints()
    original = _expect_hex(original, "original")
    changed = _expect_hex(changed, "changed")
    if original == ref["printout"] or changed == ref["printout"]:
        raise Wrong("these are fingerprints of str(image), the printout, which shows only "
                    "the corners of the image; hash its bytes, image.tobytes().")
    if original == ref["book"] or changed == ref["book edited"]:
        raise Wrong("that is data.fingerprint, which also hashes the array's type and "
                    "shape; hash the bytes alone, hashlib.sha256(image.tobytes()).")
    if original == changed:
        raise Wrong("`original` and `changed` are the same: both fingerprint one image. "
                    "Compute `original` first, then change a copy (image.copy()) and "
                    "fingerprint the copy.")
    if original == ref["changed"]:
        raise Wrong("`original` is the fingerprint of the edited image: the change was "
                    "made to the image itself, not to a copy (use image.copy()).")
    if original != ref["original"]:
        raise Wrong("`original` is not the SHA-256 of bone_slice's bytes: load it with "
                    "data.load('bone_slice') and hash image.tobytes().")
    if changed != ref["changed"]:
        raise Wrong("`changed` is not the fingerprint of the image with one gray level "
                    f"added at row {EDITED_PIXEL[0]}, column {EDITED_PIXEL[1]}: is it the "
                    "right pixel, [90, 70] (row first)?")
    agree = sum(a == b for a, b in zip(ref["original"], ref["changed"]))
    expect_number(same_digits, agree, name="same_digits", rtol=0, atol=0, mistakes={
        "that is the number of positions that differ; count those that agree.": 64 - agree,
        "that compares the fingerprints as wholes; count position by position, "
        "sum(a == b for a, b in zip(original, changed)).": 0,
    })
    return "One byte changed, and only chance agreement (1 digit in 16) is left."


# --------------------------------------------------------------------------
# Exercise: how repeatable is a count?
# --------------------------------------------------------------------------
NOISE_SD = 40.0
NOISE_SEEDS = tuple(range(10))
THRESHOLD = 128
MIN_SIZE = 3


def _count(noisy, threshold=THRESHOLD, min_size=MIN_SIZE, bright=True):
    import scipy.ndimage as ndi

    labels, _ = ndi.label(noisy > threshold if bright else noisy < threshold)
    sizes = np.bincount(labels.ravel())[1:]
    return int((sizes >= min_size).sum())


@functools.cache
def _repeat_counts():
    import common.data as data

    cells = data.load("bone_cells").astype(float)
    results = {"right": [], "same seed": [], "no size limit": [], "variance": [],
               "dark": []}
    first = np.random.default_rng(NOISE_SEEDS[0]).normal(0, NOISE_SD, cells.shape)
    for seed in NOISE_SEEDS:
        noise = np.random.default_rng(seed).normal(0, NOISE_SD, cells.shape)
        results["right"].append(_count(cells + noise))
        results["same seed"].append(_count(cells + first))
        results["no size limit"].append(_count(cells + noise, min_size=1))
        results["variance"].append(
            _count(cells + np.random.default_rng(seed).normal(0, NOISE_SD**2, cells.shape)))
        results["dark"].append(_count(cells + noise, bright=False))
    return {k: np.array(v) for k, v in results.items()}


@checker("repeat-count")
def check_repeat_count(counts, spread):
    """`counts`: the 10 counts for seeds 0 to 9; `spread`: their standard
    deviation with ddof=1."""
    ref = _repeat_counts()
    array = as_array(counts, "counts")
    if array.ndim != 1 or array.size != len(NOISE_SEEDS):
        raise Wrong(f"`counts` has shape {array.shape}; it should hold "
                    f"{len(NOISE_SEEDS)} counts, one per seed from 0 to 9.")
    if np.array_equal(array, ref["dark"]):
        raise Wrong("`counts`: it counts dark objects; the cells are bright, so threshold "
                    "with noisy > 128.")
    if np.all(array == array.flat[0]):
        raise Wrong("all ten counts are equal: each recording needs its own noise, from "
                    "np.random.default_rng(seed) with that recording's seed.")
    expect_array(array, ref["right"], name="counts", mistakes={
        "all ten recordings used the noise of seed 0; make a new generator from each "
        "seed inside the loop.": ref["same seed"],
        "it counts objects of every size; keep only those of at least 3 pixels "
        "(np.bincount of the labels gives the sizes).": ref["no size limit"],
        "the noise is far too strong: rng.normal takes the standard deviation (40), "
        "not the variance.": ref["variance"],
    })
    right = float(ref["right"].std(ddof=1))
    expect_number(spread, right, name="spread", rtol=1e-6, mistakes={
        "that is the standard deviation with ddof=0; the sample standard deviation of "
        "ten repeats divides by 9 (ddof=1).": float(ref["right"].std(ddof=0)),
        "that is the variance; take its square root.": float(ref["right"].var(ddof=1)),
    })
    return ("Same sample, same procedure, only the noise differs: that spread is the "
            "count's repeatability.")


# --------------------------------------------------------------------------
# Exercise: what changed in a year?
# --------------------------------------------------------------------------
#: A lab's lock file (in the format pip-compile writes), and the same a year
#: later. Made up for the exercise.
LOCK_BEFORE = """\
#
# This file is autogenerated by pip-compile with Python 3.11
# by the following command:
#
#    pip-compile --output-file=requirements.txt requirements.in
#
contourpy==1.3.1
    # via matplotlib
cycler==0.12.1
    # via matplotlib
fonttools==4.55.3
    # via matplotlib
imageio==2.36.1
    # via scikit-image
kiwisolver==1.4.7
    # via matplotlib
lazy-loader==0.4
    # via scikit-image
matplotlib==3.10.0
    # via -r requirements.in
networkx==3.4.2
    # via scikit-image
numpy==2.2.1
    # via
    #   -r requirements.in
    #   contourpy
    #   imageio
    #   matplotlib
    #   pywavelets
    #   scikit-image
    #   scipy
    #   tifffile
packaging==24.2
    # via
    #   lazy-loader
    #   matplotlib
    #   scikit-image
pillow==11.0.0
    # via
    #   imageio
    #   matplotlib
    #   scikit-image
pyparsing==3.2.0
    # via matplotlib
python-dateutil==2.9.0.post0
    # via matplotlib
PyWavelets==1.8.0
    # via -r requirements.in
scikit-image==0.25.0
    # via -r requirements.in
scipy==1.14.1
    # via
    #   -r requirements.in
    #   scikit-image
six==1.17.0
    # via python-dateutil
tifffile==2024.12.12
    # via scikit-image
tqdm==4.67.1
    # via -r requirements.in
"""

LOCK_AFTER = """\
#
# This file is autogenerated by pip-compile with Python 3.11
# by the following command:
#
#    pip-compile --output-file=requirements.txt requirements.in
#
contourpy==1.3.1
    # via matplotlib
cycler==0.12.1
    # via matplotlib
fonttools==4.58.4
    # via matplotlib
imagecodecs==2025.3.30
    # via -r requirements.in
imageio==2.37.0
    # via scikit-image
kiwisolver==1.4.7
    # via matplotlib
lazy_loader==0.4
    # via scikit-image
matplotlib==3.10.3
    # via -r requirements.in
networkx==3.4.2
    # via scikit-image
numpy==2.3.1
    # via
    #   -r requirements.in
    #   contourpy
    #   imagecodecs
    #   imageio
    #   matplotlib
    #   pywavelets
    #   scikit-image
    #   scipy
    #   tifffile
packaging==25.0
    # via
    #   lazy-loader
    #   matplotlib
    #   scikit-image
pillow==11.3.0
    # via
    #   imageio
    #   matplotlib
    #   scikit-image
pyparsing==3.2.0
    # via matplotlib
python-dateutil==2.9.0.post0
    # via matplotlib
pywavelets==1.8.0
    # via -r requirements.in
scikit-image==0.25.2
    # via -r requirements.in
scipy==1.16.0
    # via
    #   -r requirements.in
    #   scikit-image
six==1.17.0
    # via python-dateutil
tifffile==2025.6.11
    # via scikit-image
"""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", str(name).strip()).lower()


def _read_lock(text, normalise=True):
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[_normalise(name) if normalise else name.strip()] = version.strip()
    return pins


def _diff(before, after, changed_only=True):
    return {name: (before.get(name), after.get(name))
            for name in sorted(before.keys() | after.keys())
            if not changed_only or before.get(name) != after.get(name)}


def _reference_diff():
    return _diff(_read_lock(LOCK_BEFORE), _read_lock(LOCK_AFTER))


@checker("lock-diff")
def check_lock_diff(differences):
    """`differences`: {package: (version before, version after)} for every package
    whose version changed, None for a side where it is missing."""
    if isinstance(differences, (list, tuple, set)):
        raise Wrong("`differences` is a list; make it a dict from each package's name to "
                    "the pair (version before, version after).")
    if hasattr(differences, "to_dict") and not isinstance(differences, dict):
        raise Wrong("`differences` is a pandas object; give the dict itself (or "
                    "table.T.to_dict('list')).")
    if not isinstance(differences, dict):
        raise Wrong(f"`differences` is a {type(differences).__name__}; it should be a dict "
                    "{name: (before, after)}.")
    right = _reference_diff()
    raw = _diff(_read_lock(LOCK_BEFORE, normalise=False), _read_lock(LOCK_AFTER, normalise=False))
    given = {}
    for name, pair in differences.items():
        if not isinstance(name, str):
            raise Wrong(f"the key {name!r} of `differences` is not a package name (text).")
        if name.lstrip().startswith("#") or "via" in name.split():
            raise Wrong(f"`differences` has the key {name!r}, from a comment line; skip "
                        "everything after a # (line.split('#')[0]).")
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            pair = tuple(None if v is None else str(v).strip() for v in pair)
        else:
            raise Wrong(f"`differences[{name!r}]` is {pair!r}; it should be a pair "
                        "(version before, version after).")
        given[name] = pair
    if {k: tuple(v) for k, v in given.items()} == raw and raw != right:
        raise Wrong("the same package appears twice under two spellings (PyWavelets and "
                    "pywavelets, lazy-loader and lazy_loader) as removed and added: "
                    "normalise the names (lower case, -, _ and . as -).")
    normalised = {}
    for name, pair in given.items():
        key = _normalise(name)
        if key in normalised and normalised[key] != pair:
            raise Wrong(f"`differences` holds {key!r} twice under different spellings; "
                        "normalise the names (lower case, -, _ and . as -) before "
                        "comparing.")
        normalised[key] = pair
    if normalised == right:
        return "Changed, added and removed packages, each under one spelling."
    unchanged = [k for k, (a, b) in normalised.items() if a == b]
    if unchanged:
        raise Wrong(f"`differences` holds {unchanged[0]!r}, whose version is the same in "
                    "both files; keep only the packages that changed.")
    swapped = {k: (b, a) for k, (a, b) in normalised.items()}
    if swapped == right:
        raise Wrong("every pair is the wrong way round: (version before, version after).")
    missing = [k for k in right if k not in normalised]
    if missing:
        one_sided = [k for k in missing if None in right[k]]
        if one_sided and len(one_sided) == len(missing):
            raise Wrong(f"`differences` lacks {len(missing)} package(s) that are in only "
                        "one of the files; give them None for the side they are missing from.")
        raise Wrong(f"`differences` lacks {len(missing)} package(s) whose version changed.")
    extra = [k for k in normalised if k not in right]
    if extra:
        raise Wrong(f"`differences` holds {extra[0]!r}, which is not a package whose "
                    "version changed.")
    wrong = next(k for k in right if normalised[k] != right[k])
    raise Wrong(f"`differences[{wrong!r}]` is {normalised[wrong]!r}; check both versions "
                "against the two files (a version is the text after ==, without spaces).")
