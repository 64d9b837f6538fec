"""Checkers of the exercises of lecture 1, chapter 7, "Computing has changed:
parallel" (``chapters/lecture-01/07-parallel-computing.md``).

One checker per exercise, named after the exercise's label
(``ex-l1c07-electricity`` is checked by :func:`check_electricity`). Each
returns a :class:`~common.exercises.Feedback`: "Correct! ..." or "Not yet: "
and one sentence about what is wrong.

The reference answers are computed here from the chapter's inputs (the
lecture's prices, the ``processors`` table), not stored as numbers.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from ._check import Wrong, checker, expect_number, expect_quantity

__all__ = ["check_electricity", "check_clock_doubling", "check_study_workflow"]


# --------------------------------------------------------------------------
# Exercise: a dearer kilowatt-hour
# --------------------------------------------------------------------------
# The cost model of the chapter, with the lecture's prices.
WORKSTATION_PRICE = 3999.99  # USD
WORKSTATION_KW = 0.190       # kW while it works
CLOUD_PEAK = 0.78            # USD per hour at peak time
WEEKS_PER_YEAR = 365.25 / 7
#: The exercise's electricity price (USD per kWh) and the chapter's.
NEW_PRICE, CHAPTER_PRICE = 0.40, 0.20
LIFE = 3  # years
ALL_WEEK = 24 * 7


def _break_even(electricity, kw=WORKSTATION_KW, cloud=CLOUD_PEAK):
    """Hours per week above which buying is cheaper, all hours at peak."""
    return WORKSTATION_PRICE / (WEEKS_PER_YEAR * LIFE * (cloud - kw * electricity))


def _never_price(hours=ALL_WEEK):
    """Electricity price (USD/kWh) at which the break-even is `hours` a week."""
    return (CLOUD_PEAK - WORKSTATION_PRICE / (WEEKS_PER_YEAR * LIFE * hours)) / WORKSTATION_KW


@checker("electricity")
def check_electricity(hours_at_040, never_price):
    """`hours_at_040`: break-even in hours per week at 0.40 USD/kWh (3 years,
    all hours at peak); `never_price`: the electricity price in USD/kWh above
    which buying never pays off, even running all 168 hours of every week."""
    hours = _break_even(NEW_PRICE)
    expect_quantity(hours_at_040, hours, "h/week", name="hours_at_040",
                    units={"h/year": 1 / WEEKS_PER_YEAR}, rtol=2e-3, mistakes={
                        "this is the break-even at the chapter's 0.20 USD/kWh; pass "
                        "electricity=0.40 to break_even_hours.": _break_even(CHAPTER_PRICE),
                        "this is at spot prices; the exercise puts all the hours at peak "
                        "time (peak_share=1.0).": WORKSTATION_PRICE / (
                            WEEKS_PER_YEAR * LIFE * (0.097 - WORKSTATION_KW * NEW_PRICE)),
                        "it is negative because the power went in as 190 W; the model "
                        "needs kilowatts (0.19 kW) times USD per kWh.":
                            _break_even(NEW_PRICE, kw=190),
                        "these are the hours of the whole three years; divide by the "
                        "weeks (3 x 52.18) for hours per week.": hours * WEEKS_PER_YEAR * LIFE,
                    })
    never = _never_price()
    expect_quantity(never_price, never, "USD/kWh", name="never_price",
                    units={"USD/Wh": 1000, "cents/kWh": 0.01}, rtol=2e-3, mistakes={
                        "at this price the electricity alone costs as much as renting; the "
                        "workstation's purchase price must be paid back too, so buying "
                        "stops paying off at a lower price.": CLOUD_PEAK / WORKSTATION_KW,
                        "this is where buying stops paying off at 40 hours a week; the "
                        "exercise asks for a machine busy all 168 hours.": _never_price(40),
                    })
    return ("Dearer electricity eats into every hour the workstation saves, so it must "
            "work longer to pay off; but only a price far above any tariff makes owning "
            "hopeless.")


# --------------------------------------------------------------------------
# Exercise: how fast did the clock double?
# --------------------------------------------------------------------------
#: The exercise fits the chips sold before this year.
CLOCK_BEFORE = 2005


@functools.cache
def _fits():
    """Doubling times (months): clock before 2005, clock of all chips, transistors."""
    from common import data

    table = data.load("processors")
    year = table["year"].to_numpy(float)
    early = year < CLOCK_BEFORE
    log2_clock = np.log2(table["clock_MHz"].to_numpy(float))
    log2_count = np.log2(table["transistors_k"].to_numpy(float) * 1e3)
    early_slope = np.polyfit(year[early], log2_clock[early], 1)[0]
    all_slope = np.polyfit(year, log2_clock, 1)[0]
    count_slope = np.polyfit(year, log2_count, 1)[0]
    return 12 / early_slope, 12 / all_slope, 12 / count_slope, early_slope


@checker("clock-doubling")
def check_clock_doubling(clock_doubling_months):
    """`clock_doubling_months`: doubling time (months) of the clock frequency,
    fitted to the chips sold before 2005."""
    early, every_chip, transistors, slope = _fits()
    expect_quantity(clock_doubling_months, early, "months", name="clock_doubling_months",
                    units={"years": 12.0}, rtol=2e-3,
                    hints={math.log2(10): "you fitted log10 of the clock; a doubling is "
                           "log10(2) = 0.301 decades, so use log2.",
                           1 / math.log(2): "you fitted the natural logarithm; use log2."},
                    mistakes={
                        "you fitted all 13 chips; the clock stalled after 2004, so fit only "
                        "the chips sold before 2005 (a boolean mask on the year).": every_chip,
                        "this is the doubling time of the transistor count; fit log2 of "
                        "the clock frequency instead.": transistors,
                        "this is the slope, doublings per year; the doubling time is "
                        "12 / slope months.": slope,
                    })
    return ("Until 2004 the clock doubled more slowly than the transistor count, "
            "and then it stopped.")


# --------------------------------------------------------------------------
# Exercise: a workflow for a study
# --------------------------------------------------------------------------
SAMPLES = (1, 2, 3)


def _study():
    """The reference workflow: load, filter, count each sample; one table."""
    workflow = {}
    for i in SAMPLES:
        workflow[f"load {i}"] = []
        workflow[f"filter {i}"] = [f"load {i}"]
        workflow[f"count {i}"] = [f"filter {i}"]
    workflow["table"] = [f"count {i}" for i in SAMPLES]
    return workflow


def _rounds(workflow):
    """Earliest round of every step (1 for a step that needs nothing)."""
    import graphlib

    rounds = {}
    for step in graphlib.TopologicalSorter(workflow).static_order():
        rounds[step] = 1 + max((rounds[n] for n in workflow.get(step, [])), default=0)
    return max(rounds.values())


@checker("study-workflow")
def check_study_workflow(study, study_rounds):
    """`study`: the workflow {step: [steps it needs]} of three samples (load,
    filter, count each) and a table of all counts; `study_rounds`: the
    number of rounds it takes with enough workers."""
    expected = _study()
    if not isinstance(study, Mapping):
        raise Wrong(f"`study` is a {type(study).__name__}; the exercise asks for a dictionary "
                    "that maps each step to the list of steps it needs.")
    missing = [s for s in expected if s not in study]
    extra = [s for s in study if s not in expected]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"misses the step(s) {', '.join(map(repr, missing))}")
        if extra:
            problems.append(f"has step(s) the exercise does not name: {', '.join(map(repr, extra))}")
        raise Wrong(f"`study` {' and '.join(problems)}; use the names 'load 1', 'filter 1', "
                    "'count 1', ... and 'table'.")
    for step, needs in study.items():
        if isinstance(needs, str):
            raise Wrong(f"`study[{step!r}]` is the text {needs!r}; write the steps it needs as a "
                        f"list, [{needs!r}].")
    given = {step: set(needs) for step, needs in study.items()}
    chain = list(expected)
    if all(given[b] == {a} for a, b in zip(chain, chain[1:])):
        raise Wrong("`study` is a chain: every step waits for the one before, but loading "
                    "sample 2 does not need the count of sample 1.")
    if given["table"] != set(expected["table"]):
        raise Wrong(f"'table' needs {sorted(given['table'])}, but it collects the counts of "
                    "all three samples: ['count 1', 'count 2', 'count 3'].")
    for step, needs in expected.items():
        if given[step] != set(needs):
            raise Wrong(f"`study[{step!r}]` is {sorted(given[step])}, but {step!r} needs "
                        f"{needs}: each sample's steps need only that sample's step before.")
    rounds = _rounds(expected)
    expect_number(study_rounds, rounds, name="study_rounds", rtol=0, atol=0, mistakes={
        "that is the number of steps, the time of one worker doing one step after the "
        "other; count rounds, in which independent steps run at the same time.":
            len(expected),
        "that is the rounds of one sample alone; the table waits for all counts, one round "
        "more.": rounds - 1,
    })
    return ("With enough workers the three samples run side by side; more samples would "
            "add workers, not rounds.")
