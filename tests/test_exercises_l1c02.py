"""The checker of chapter 2's exercise (common/exercises/l1c02.py) accepts a
reference solution, written as a student would, and rejects each typical
wrong answer it names, with its own sentence."""
import datetime

import numpy as np
import pandas as pd

from common.exercises import l1c02
from exercise_feedback import correct, lenient, rejected  # noqa: F401


EASTER = pd.Timestamp("2022-04-17")


def student(start="2022-02-24", freq="7D", easter=EASTER, days_to_ascension=39,
            drop_easter=True, drop_ascension=True):
    slots = pd.date_range(start, periods=14, freq=freq)
    drop = np.zeros(len(slots), dtype=bool)
    if drop_easter:
        drop |= (slots > easter) & (slots <= easter + pd.Timedelta(days=7))
    if drop_ascension:
        drop |= slots == EASTER + pd.Timedelta(days=days_to_ascension)
    return slots[~drop]


def test_reference_and_other_forms_are_accepted():
    correct(l1c02.check_lectures_2022(student()))
    dates = student()
    correct(l1c02.check_lectures_2022(list(dates.date)))             # datetime.date
    correct(l1c02.check_lectures_2022([d.strftime("%Y-%m-%d") for d in dates]))
    correct(l1c02.check_lectures_2022(pd.Series(dates[::-1])))       # any order
    correct(l1c02.check_lectures_2022(pd.date_range("2022-02-24", periods=14,
                                                    freq="W-THU").drop(
        [pd.Timestamp("2022-04-21"), pd.Timestamp("2022-05-26")])))


def test_typical_mistakes_are_named():
    rejected(l1c02.check_lectures_2022(student(drop_easter=False, drop_ascension=False)),
             "all 14 slots")
    rejected(l1c02.check_lectures_2022(student(drop_easter=False)), "not the Thursday of the Easter break")
    rejected(l1c02.check_lectures_2022(student(drop_ascension=False)), "not Ascension Day")
    rejected(l1c02.check_lectures_2022(student(easter=EASTER - pd.Timedelta(days=7))),
             "14 April is the Thursday before Easter")
    rejected(l1c02.check_lectures_2022(student(freq="W")), "not a Thursday", "freq='7D'")
    rejected(l1c02.check_lectures_2022(student(start="2021-02-25")), "before 2022")


def test_other_wrong_answers_get_a_helpful_sentence():
    rejected(l1c02.check_lectures_2022(...), "still the placeholder")
    rejected(l1c02.check_lectures_2022(None), "is None")
    rejected(l1c02.check_lectures_2022(12), "single value")
    rejected(l1c02.check_lectures_2022(["someday"] * 12), "not dates")
    rejected(l1c02.check_lectures_2022(student().append(student()[:1])), "twice")
    # Ascension counted 40 days after Easter (a Friday): nothing dropped there
    rejected(l1c02.check_lectures_2022(student(days_to_ascension=40)), "not Ascension Day")
    # one week late throughout
    rejected(l1c02.check_lectures_2022(student(start="2022-03-03")),
             "is not a lecture day of 2022", "24 February 2022")
    rejected(l1c02.check_lectures_2022(student()[:-1]), "holds 11 dates", "leave 12")
    rejected(l1c02.check_lectures_2022(pd.DataFrame({"date": student()})), "is a table")
    assert datetime  # imported for the date objects above
