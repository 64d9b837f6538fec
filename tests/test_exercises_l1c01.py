"""The checker of chapter 1's exercise (common/exercises/l1c01.py) accepts a
reference solution, written as a student would, and rejects each typical
wrong answer it names, with its own sentence."""
import pytest

from common.exercises import STRICT_ENV
from common.exercises import l1c01
from exercise_feedback import correct, lenient, rejected  # noqa: F401


def is_older(installed, pinned):
    mine = tuple(int(part) for part in installed.split("."))
    books = tuple(int(part) for part in pinned.split("."))
    return mine < books


def test_reference_solutions_are_accepted():
    correct(l1c01.check_is_older(is_older))
    from packaging.version import Version
    correct(l1c01.check_is_older(lambda a, b: Version(a) < Version(b)))
    # a loop over the parts, as a beginner writes it
    def by_hand(installed, pinned):
        a = [int(x) for x in installed.split(".")]
        b = [int(x) for x in pinned.split(".")]
        for x, y in zip(a, b):
            if x != y:
                return x < y
        return len(a) < len(b)
    correct(l1c01.check_is_older(by_hand))


def test_typical_mistakes_are_named():
    rejected(l1c01.check_is_older(lambda a, b: a < b), "as text")
    rejected(l1c01.check_is_older(lambda a, b: int(a.split(".")[0]) < int(b.split(".")[0])),
             "only the first number")
    rejected(l1c01.check_is_older(
        lambda a, b: float(".".join(a.split(".")[:2])) < float(".".join(b.split(".")[:2]))),
        "decimal number")
    rejected(l1c01.check_is_older(lambda a, b: is_older(b, a)), "opposite question")
    rejected(l1c01.check_is_older(lambda a, b: not is_older(b, a)), "not older than itself")


def test_other_wrong_answers_get_a_helpful_sentence():
    rejected(l1c01.check_is_older(...), "still the placeholder")
    rejected(l1c01.check_is_older(True), "asks for a function")
    def forgot_return(installed, pinned):
        is_older(installed, pinned)
    rejected(l1c01.check_is_older(forgot_return), "returned None", "return")
    rejected(l1c01.check_is_older(lambda a, b: "yes" if is_older(a, b) else "no"),
             "should return True or False")
    rejected(l1c01.check_is_older(lambda a, b: float(a) < float(b)), "raised ValueError")
    # wrong on one pair only: the sentence names that pair
    rejected(l1c01.check_is_older(lambda a, b: is_older(a, b) if a != "0.9.9" else False),
             "is_older('0.9.9', '1.0.0') returned False", "0.9.9 is older than 1.0.0")


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    from common.exercises import ExerciseNotSolved
    with pytest.raises(ExerciseNotSolved):
        l1c01.check_is_older(lambda a, b: a < b)
