"""Checker of the exercise of lecture 1, chapter 1, "Today's lecture"
(``chapters/lecture-01/01-todays-lecture.md``).

:func:`check_is_older` judges a function ``is_older(installed, pinned)``
that tells whether one version number is older than another.
"""
from __future__ import annotations

from ._check import Wrong, checker

__all__ = ["check_is_older", "VERSION_PAIRS"]

#: The pairs the check tries, (installed, pinned), each with the right answer.
#: They include the cases that text comparison, the first number alone, and
#: decimal numbers get wrong.
VERSION_PAIRS = (
    (("1.9.2", "1.10.0"), True),
    (("1.10.0", "1.9.2"), False),
    (("2.4.6", "2.4.6"), False),
    (("2026.8.0", "2026.10.1"), True),
    (("0.26.0", "0.25.3"), False),
    (("3.11.2", "3.9.18"), False),
    (("2.4", "2.4.1"), True),
    (("10.0", "9.1"), False),
    (("1.2.10", "1.2.9"), False),
    (("0.9.9", "1.0.0"), True),
)


def _as_text(installed, pinned):
    return installed < pinned


def _first_number(installed, pinned):
    return int(installed.split(".")[0]) < int(pinned.split(".")[0])


def _decimal(installed, pinned):
    def number(version):
        return float(".".join(version.split(".")[:2]))
    return number(installed) < number(pinned)


def _newer(installed, pinned):
    return _reference(pinned, installed)


def _reference(installed, pinned):
    def parts(version):
        return tuple(int(p) for p in version.split("."))
    return parts(installed) < parts(pinned)


def _older_or_equal(installed, pinned):
    return not _reference(pinned, installed)


#: Typical wrong functions, each with its sentence.
MISTAKES = {
    "it compares the versions as text, character by character, so '1.10.0' comes "
    "before '1.9.2' (the character 1 before 9); compare the parts as whole numbers.":
        _as_text,
    "it compares only the first number; when that is equal, the next parts decide "
    "('1.9.2' is older than '1.10.0').": _first_number,
    "it reads the version as a decimal number, but '1.10' is not 1.1: each part is a "
    "whole number of its own (split at the dots).": _decimal,
    "it answers the opposite question: is_older(installed, pinned) should be True when "
    "`installed` is the older one.": _newer,
    "it says True for two equal versions; a version is not older than itself.":
        _older_or_equal,
}


@checker("is-older")
def check_is_older(is_older):
    """`is_older`: a function of two version texts, True if the first is older."""
    if not callable(is_older):
        raise Wrong(f"`is_older` is a {type(is_older).__name__}; the exercise asks for a "
                    "function, defined with def is_older(installed, pinned): ...")
    answers = []
    for (installed, pinned), right in VERSION_PAIRS:
        try:
            answer = is_older(installed, pinned)
        except Exception as error:  # noqa: BLE001 - the student's function
            raise Wrong(f"is_older({installed!r}, {pinned!r}) raised {type(error).__name__}: "
                        f"{error}.") from None
        if answer is None:
            raise Wrong(f"is_older({installed!r}, {pinned!r}) returned None: the function "
                        "needs a `return` with its answer.")
        if not isinstance(answer, bool) and type(answer).__name__ != "bool_":
            raise Wrong(f"is_older({installed!r}, {pinned!r}) returned "
                        f"{type(answer).__name__} {answer!r}; it should return True or False.")
        answers.append(bool(answer))
    rights = [right for _, right in VERSION_PAIRS]
    if answers == rights:
        return "Part by part, as whole numbers."
    for sentence, wrong in MISTAKES.items():
        if answers == [wrong(*pair) for pair, _ in VERSION_PAIRS]:
            raise Wrong(f"`is_older`: {sentence}")
    (installed, pinned), right = next(
        item for item, answer in zip(VERSION_PAIRS, answers) if answer != item[1])
    raise Wrong(f"is_older({installed!r}, {pinned!r}) returned {not right}, but {installed} is "
                f"{'older' if right else 'not older'} than {pinned}.")
