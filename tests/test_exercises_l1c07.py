"""Checkers of chapter 7's exercises (common/exercises/l1c07.py): each accepts a
reference solution, written here as a student would, and rejects every
typical wrong answer it names, with its own sentence."""
import numpy as np

from common import data
from common.exercises import l1c07
from exercise_feedback import correct, lenient, rejected  # noqa: F401


# ------------------------------------------------------------- electricity
# the chapter's cost model, as a student writes it from the chapter
PRICE, KW, PEAK, SPOT = 3999.99, 0.190, 0.78, 0.097
WEEKS = 365.25 / 7


def break_even(years=3, peak_share=1.0, electricity=0.20, kw=KW):
    hourly = peak_share * PEAK + (1 - peak_share) * SPOT
    return PRICE / (WEEKS * years * (hourly - kw * electricity))


def never_price(hours=168):
    return (PEAK - PRICE / (hours * WEEKS * 3)) / KW


def test_electricity():
    hours, never = break_even(electricity=0.40), never_price()
    assert 36 < hours < 37 and 3.2 < never < 3.4  # the reference, roughly
    correct(l1c07.check_electricity(hours, never))
    correct(l1c07.check_electricity(f"{hours * WEEKS:.1f} h/year", f"{never * 100:.2f} cents/kWh"))
    rejected(l1c07.check_electricity(break_even(electricity=0.20), never),
             "chapter's 0.20 USD/kWh", "electricity=0.40")
    rejected(l1c07.check_electricity(break_even(peak_share=0.0, electricity=0.40), never),
             "spot prices", "peak_share=1.0")
    rejected(l1c07.check_electricity(break_even(electricity=0.40, kw=190), never),
             "190 W", "kilowatts")
    rejected(l1c07.check_electricity(hours * WEEKS * 3, never), "whole three years")
    rejected(l1c07.check_electricity(hours, PEAK / KW), "purchase price must be paid back")
    rejected(l1c07.check_electricity(hours, never_price(40)), "40 hours a week", "168")
    rejected(l1c07.check_electricity(hours, never / 1000), "right in USD/Wh")
    rejected(l1c07.check_electricity(hours, 3.0), "% too small")
    rejected(l1c07.check_electricity(hours, ...), "still the placeholder")


def test_electricity_praise_gives_no_number_away():
    message = str(l1c07.check_electricity(break_even(electricity=0.40), never_price()))
    assert not any(ch.isdigit() for ch in message), message


# ---------------------------------------------------------- clock doubling
def clock_fit(before=2005, column="clock_MHz", log=np.log2):
    table = data.load("processors")
    keep = table["year"] < before
    values = table[column][keep] * (1e3 if column == "transistors_k" else 1)
    slope, _ = np.polyfit(table["year"][keep], log(values), 1)
    return slope


def test_clock_doubling():
    slope = clock_fit()
    correct(l1c07.check_clock_doubling(12 / slope))
    correct(l1c07.check_clock_doubling(f"{1 / slope:.4f} years"))
    rejected(l1c07.check_clock_doubling(12 / clock_fit(before=2100)), "all 13 chips",
             "before 2005")
    rejected(l1c07.check_clock_doubling(12 / clock_fit(before=2100, column="transistors_k")),
             "transistor count")
    rejected(l1c07.check_clock_doubling(slope), "this is the slope")
    rejected(l1c07.check_clock_doubling(12 / clock_fit(log=np.log10)), "log10")
    rejected(l1c07.check_clock_doubling(12 / clock_fit(log=np.log)), "natural logarithm")
    rejected(l1c07.check_clock_doubling(1 / slope), "right in years")
    rejected(l1c07.check_clock_doubling(24), "% too small")


# ---------------------------------------------------------- study workflow
def student_study():
    study = {}
    for i in (1, 2, 3):
        study[f"load {i}"] = []
        study[f"filter {i}"] = [f"load {i}"]
        study[f"count {i}"] = [f"filter {i}"]
    study["table"] = ["count 1", "count 2", "count 3"]
    return study


def test_study_workflow():
    correct(l1c07.check_study_workflow(student_study(), 4))
    # the order of the keys and of the needs does not matter
    shuffled = {k: list(reversed(v)) for k, v in reversed(list(student_study().items()))}
    correct(l1c07.check_study_workflow(shuffled, 4.0))

    chain = {}
    previous = []
    for step in student_study():
        chain[step] = previous
        previous = [step]
    rejected(l1c07.check_study_workflow(chain, 10), "a chain")
    only_last = student_study() | {"table": ["count 3"]}
    rejected(l1c07.check_study_workflow(only_last, 4), "all three samples")
    crossed = student_study() | {"filter 2": ["load 1"]}
    rejected(l1c07.check_study_workflow(crossed, 4), "'filter 2'", "['load 2']")
    missing = {k: v for k, v in student_study().items() if k != "count 2"}
    rejected(l1c07.check_study_workflow(missing, 4), "misses the step(s) 'count 2'")
    renamed = {k.title(): v for k, v in student_study().items()}
    rejected(l1c07.check_study_workflow(renamed, 4), "does not name")
    text_needs = student_study() | {"filter 1": "load 1"}
    rejected(l1c07.check_study_workflow(text_needs, 4), "as a list")
    rejected(l1c07.check_study_workflow([("load 1", [])], 4), "dictionary")
    rejected(l1c07.check_study_workflow(student_study(), 10), "number of steps")
    rejected(l1c07.check_study_workflow(student_study(), 3), "one sample alone")
    rejected(l1c07.check_study_workflow(student_study(), 5), "too large")
