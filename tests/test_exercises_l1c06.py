"""The checkers of chapter 6's exercises (common/exercises/l1c06.py) accept
reference solutions, written as a student would, and reject each typical
wrong answer they name, with its own sentence."""
import hashlib
import re

import numpy as np
import pytest
import scipy.ndimage as ndi

import common.data as data
from common.exercises import l1c06
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# -------------------------------------------------------------- fingerprint
def sha(array):
    return hashlib.sha256(array.tobytes()).hexdigest()


def agree(a, b):
    return sum(x == y for x, y in zip(a, b))


@pytest.fixture
def fingerprints():
    image = data.load("bone_slice")
    original = sha(image)
    edited = image.copy()
    edited[90, 70] += 1
    changed = sha(edited)
    return image, edited, original, changed


def test_fingerprint_reference_is_accepted(fingerprints):
    image, edited, original, changed = fingerprints
    correct(l1c06.check_fingerprint(original, changed, agree(original, changed)))
    # hashing the array directly (buffer protocol) is the same, upper case too
    correct(l1c06.check_fingerprint(hashlib.sha256(image).hexdigest().upper(), changed,
                                    agree(original, changed)))


def test_fingerprint_mistakes_are_named(fingerprints):
    image, edited, original, changed = fingerprints
    same = agree(original, changed)
    rejected(l1c06.check_fingerprint(hashlib.sha256(image.tobytes()).digest(), changed, same),
             ".hexdigest()")
    rejected(l1c06.check_fingerprint(hashlib.sha256(image.tobytes()), changed, same),
             "hash object")
    printout = hashlib.sha256(str(image).encode()).hexdigest()
    printout_edited = hashlib.sha256(str(edited).encode()).hexdigest()
    assert printout == printout_edited      # why this mistake matters
    rejected(l1c06.check_fingerprint(printout, printout_edited, 64), "str(image)", "corners")
    rejected(l1c06.check_fingerprint(data.fingerprint(image), data.fingerprint(edited), same),
             "data.fingerprint", "type and shape")
    rejected(l1c06.check_fingerprint(changed, changed, 64), "the same", "image.copy()")
    rejected(l1c06.check_fingerprint(changed, original, same), "edited image", "copy")
    other = image.copy()
    other[70, 90] += 1                       # row and column swapped
    rejected(l1c06.check_fingerprint(original, sha(other), same), "row first")
    rejected(l1c06.check_fingerprint(sha(data.load("bone_slice", seed=1)), changed, same),
             "not the SHA-256 of bone_slice")
    rejected(l1c06.check_fingerprint(original, changed, 64 - same), "positions that differ")
    rejected(l1c06.check_fingerprint(original, changed, 0), "position by position")
    rejected(l1c06.check_fingerprint(original[:40], changed, same), "not 64 hexadecimal")
    rejected(l1c06.check_fingerprint(original, changed, ...), "still the placeholder")


# ------------------------------------------------------------- repeat count
def repeat(sd=40, seeds=range(10), min_size=3, same_seed=False):
    cells = data.load("bone_cells").astype(float)
    counts = []
    for seed in seeds:
        rng = np.random.default_rng(0 if same_seed else seed)
        noisy = cells + rng.normal(0, sd, size=cells.shape)
        labels, _ = ndi.label(noisy > 128)
        sizes = np.bincount(labels.ravel())[1:]
        counts.append(int((sizes >= min_size).sum()))
    return np.array(counts)


def test_repeat_count_reference_is_accepted():
    counts = repeat()
    correct(l1c06.check_repeat_count(counts, counts.std(ddof=1)))
    correct(l1c06.check_repeat_count(list(counts), float(np.std(counts, ddof=1))))


def test_repeat_count_mistakes_are_named():
    counts = repeat()
    rejected(l1c06.check_repeat_count(counts, counts.std()), "ddof=0")
    rejected(l1c06.check_repeat_count(counts, counts.var(ddof=1)), "variance")
    rejected(l1c06.check_repeat_count(repeat(min_size=1), 1.0), "at least 3 pixels")
    # one generator made outside the loop: ten different draws, wrong numbers
    cells = data.load("bone_cells").astype(float)
    rng = np.random.default_rng(0)
    outside = []
    for _ in range(10):
        labels, _ = ndi.label(cells + rng.normal(0, 40, cells.shape) > 128)
        outside.append(int((np.bincount(labels.ravel())[1:] >= 3).sum()))
    rejected(l1c06.check_repeat_count(np.array(outside), 1.0), "counts")
    rejected(l1c06.check_repeat_count(np.full(10, counts[0]), 0.0), "all ten counts are equal")
    rejected(l1c06.check_repeat_count(counts[:9], 1.0), "one per seed")


def test_repeat_count_knows_its_slow_mistakes():
    same = l1c06._repeat_counts()
    rejected(l1c06.check_repeat_count(same["variance"], 1.0), "standard deviation (40)")
    rejected(l1c06.check_repeat_count(same["dark"], 1.0), "dark objects")


# ---------------------------------------------------------------- lock diff
def read_lock(text, normalise=True):
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            name = name.strip()
            pins[re.sub(r"[-_.]+", "-", name).lower() if normalise else name] = version.strip()
    return pins


def diff(before, after):
    return {n: (before.get(n), after.get(n)) for n in sorted(before.keys() | after.keys())
            if before.get(n) != after.get(n)}


def test_lock_diff_reference_is_accepted():
    right = diff(read_lock(l1c06.LOCK_BEFORE), read_lock(l1c06.LOCK_AFTER))
    correct(l1c06.check_lock_diff(right))
    correct(l1c06.check_lock_diff({k: list(v) for k, v in right.items()}))
    assert right["tqdm"] == ("4.67.1", None) and right["imagecodecs"] == (None, "2025.3.30")
    assert "pywavelets" not in right and "lazy-loader" not in right


def test_lock_diff_mistakes_are_named():
    before, after = read_lock(l1c06.LOCK_BEFORE), read_lock(l1c06.LOCK_AFTER)
    right = diff(before, after)
    raw = diff(read_lock(l1c06.LOCK_BEFORE, False), read_lock(l1c06.LOCK_AFTER, False))
    rejected(l1c06.check_lock_diff(raw), "two spellings", "normalise")
    everything = {n: (before.get(n), after.get(n)) for n in before.keys() | after.keys()}
    rejected(l1c06.check_lock_diff(everything), "same in both files")
    rejected(l1c06.check_lock_diff({k: (b, a) for k, (a, b) in right.items()}), "wrong way round")
    both = {k: v for k, v in right.items() if None not in v}
    rejected(l1c06.check_lock_diff(both), "in only one of the files", "None")
    rejected(l1c06.check_lock_diff({k: v for k, v in right.items() if k != "numpy"}),
             "lacks 1 package(s) whose version changed")
    # a naive parser that keeps comments: lines such as "# via matplotlib"
    rejected(l1c06.check_lock_diff({**right, "# via matplotlib": (None, None)}), "comment")
    rejected(l1c06.check_lock_diff({**right, "numpy": ("2.2.1 ", "2.3.1  # via")}),
             "differences['numpy']")
    rejected(l1c06.check_lock_diff(list(right)), "is a list")
    rejected(l1c06.check_lock_diff({**right, "numpy": "2.3.1"}), "should be a pair")
    rejected(l1c06.check_lock_diff({**right, "NumPy": ("2.2.1", "2.4.0")}), "twice")
