"""Checker of the exercise of lecture 1, chapter 2, "About the course"
(``chapters/lecture-01/02-about-the-course.md``).

:func:`check_lectures_2022` judges the dates of the 2022 lectures, made
with the rules of the 2021 schedule: 14 weekly Thursday slots from 24
February 2022, none in the week after Easter Sunday (17 April 2022) nor on
Ascension Day (39 days after Easter Sunday).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._check import Wrong, checker

__all__ = ["check_lectures_2022", "FIRST_SESSION_2022", "EASTER_2022"]

FIRST_SESSION_2022 = pd.Timestamp("2022-02-24")
EASTER_2022 = pd.Timestamp("2022-04-17")
SLOTS = 14


def _slots(start=FIRST_SESSION_2022, freq="7D"):
    return pd.date_range(start, periods=SLOTS, freq=freq)


def _lectures(easter_week=True, ascension=True, break_after=EASTER_2022):
    """The lecture dates; ``break_after``: the Sunday the week off follows."""
    slots = _slots()
    drop = np.zeros(len(slots), dtype=bool)
    if easter_week:
        drop |= (slots > break_after) & (slots <= break_after + pd.Timedelta(days=7))
    if ascension:
        drop |= slots == EASTER_2022 + pd.Timedelta(days=39)
    return slots[~drop]


def _as_dates(value) -> pd.DatetimeIndex:
    if value is None:
        raise Wrong("`lectures_2022` is None: did a function forget to `return` the dates?")
    if isinstance(value, (str, pd.Timestamp)) or not hasattr(value, "__len__"):
        raise Wrong("`lectures_2022` is a single value; the exercise asks for all the "
                    "dates of the lectures (a DatetimeIndex or a list of dates).")
    if isinstance(value, pd.DataFrame):
        raise Wrong("`lectures_2022` is a table; pass only the dates (one column, or a "
                    "DatetimeIndex).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas guessing the format of texts
            dates = pd.DatetimeIndex(pd.to_datetime(list(value)))
    except (TypeError, ValueError) as error:
        raise Wrong(f"`lectures_2022` holds values that are not dates ({error}); use "
                    "pd.date_range or pd.Timestamp.") from None
    if dates.isna().any():
        raise Wrong("`lectures_2022` holds a missing date (NaT).")
    return dates.normalize().sort_values()


@checker("lectures-2022")
def check_lectures_2022(lectures_2022):
    """`lectures_2022`: the 12 dates of 2022 on which a lecture takes place."""
    dates = _as_dates(lectures_2022)
    right = _lectures()
    if dates.equals(right):
        return "The calendar, not memory, decided the dates."
    if dates.year.max() == 2021 or dates.year.min() < 2022:
        raise Wrong("`lectures_2022` holds dates before 2022: start the slots on "
                    "24 February 2022.")
    if (dates.day_of_week != 3).any():
        day = dates[dates.day_of_week != 3][0]
        raise Wrong(f"{day.date()} is a {day.day_name()}, not a Thursday: freq='W' steps "
                    "from Sunday to Sunday; step by exactly a week from the first "
                    "date (freq='7D') instead.")
    if dates.duplicated().any():
        raise Wrong("`lectures_2022` holds a date twice.")
    known = {
        "it holds all 14 slots; leave out the one in the Easter break and Ascension Day.":
            _slots(),
        "Ascension Day (39 days after Easter Sunday) is left out, but not the Thursday "
        "of the Easter break, the week after Easter Sunday.": _lectures(easter_week=False),
        "the Easter break is left out, but not Ascension Day, 39 days after Easter "
        "Sunday (a Thursday).": _lectures(ascension=False),
        "14 April is the Thursday before Easter; the break is the week after Easter "
        "Sunday (17 April).": _lectures(break_after=EASTER_2022 - pd.Timedelta(days=7)),
    }
    for sentence, wrong in known.items():
        if dates.equals(wrong):
            raise Wrong(f"`lectures_2022`: {sentence}")
    if len(dates) != len(right):
        raise Wrong(f"`lectures_2022` holds {len(dates)} dates; the rules leave "
                    f"{len(right)} of the {SLOTS} slots.")
    extra = dates.difference(right)
    raise Wrong(f"{extra[0].date()} is not a lecture day of 2022 under these rules: do the "
                "slots start on 24 February 2022 and step by one week?")
