"""What computing costs: the cost model of chapter 7, for every chapter.

Chapter 7 ("Computing has changed: parallel") compares buying a
workstation with renting a cloud machine, with the prices of the original
lecture and two stated assumptions (the electricity price, what an hour of
a person costs). Chapter 9 prices a whole study with the same model and the
seconds per sample it measured. Every price is a parameter, with these
values as defaults, so a reader changes one and sees the consequence.
"""
from __future__ import annotations

#: USD per machine-hour of a cloud machine at the spot price (the lecture's).
CLOUD_SPOT = 0.097
#: USD per machine-hour on demand at peak time (the lecture's).
CLOUD_PEAK = 0.78
#: USD, the workstation's price, bought once (the lecture's).
WORKSTATION_PRICE = 3999.99
#: kW the workstation draws while it works (190 W, the lecture's).
WORKSTATION_KW = 0.190
#: USD per kWh: an ASSUMPTION (it differs a lot between countries and years).
ELECTRICITY_PRICE = 0.20
#: USD per year a doctoral student costs the group: an ASSUMPTION.
PERSON_YEAR = 70_000
#: Working hours per year: an ASSUMPTION.
WORKING_HOURS = 1_800
WEEKS_PER_YEAR = 365.25 / 7


def person_hour(person_year: float = PERSON_YEAR, working_hours: float = WORKING_HOURS) -> float:
    """USD per hour of a person's time."""
    return person_year / working_hours


def cloud_hourly(peak_share: float, peak: float = CLOUD_PEAK, spot: float = CLOUD_SPOT) -> float:
    """USD per machine-hour when `peak_share` of the hours are at peak."""
    return peak_share * peak + (1 - peak_share) * spot


def workstation_cost(hours_per_week: float, years: float, price: float = WORKSTATION_PRICE,
                     kw: float = WORKSTATION_KW, electricity: float = ELECTRICITY_PRICE) -> float:
    """Total cost (USD) of buying the workstation and running it."""
    hours = hours_per_week * WEEKS_PER_YEAR * years
    return price + hours * kw * electricity


def cloud_cost(hours_per_week: float, years: float, peak_share: float, **prices) -> float:
    """Total cost (USD) of renting for the same hours instead."""
    hours = hours_per_week * WEEKS_PER_YEAR * years
    return hours * cloud_hourly(peak_share, **prices)


def break_even_hours(years: float, peak_share: float, price: float = WORKSTATION_PRICE,
                     kw: float = WORKSTATION_KW, electricity: float = ELECTRICITY_PRICE,
                     **prices) -> float:
    """Hours per week above which the workstation is the cheaper one."""
    saved_per_hour = cloud_hourly(peak_share, **prices) - kw * electricity
    return price / (WEEKS_PER_YEAR * years * saved_per_hour)


def study_cost(seconds_per_sample: float, samples: int, cores_per_machine: int = 8,
               kw: float = WORKSTATION_KW, electricity: float = ELECTRICITY_PRICE,
               **prices) -> dict:
    """What a study costs when every sample takes `seconds_per_sample` of one core.

    The cores of a machine work all the time, each as fast as the core the
    seconds were measured on. Returns core-hours, machine-hours, the days
    one machine runs, the USD of renting (spot and peak) or of the
    workstation's electricity for those hours, and of a person waiting
    for them.
    """
    if seconds_per_sample < 0 or samples < 0 or cores_per_machine < 1:
        raise ValueError(f"need seconds_per_sample >= 0, samples >= 0 and cores_per_machine "
                         f">= 1, got {seconds_per_sample}, {samples}, {cores_per_machine}")
    core_hours = samples * seconds_per_sample / 3600
    hours = core_hours / cores_per_machine
    return {"core-hours": core_hours, "machine-hours": hours,
            "days on one machine": hours / 24,
            "cloud, spot (USD)": hours * cloud_hourly(0.0, **prices),
            "cloud, peak (USD)": hours * cloud_hourly(1.0, **prices),
            "workstation electricity (USD)": hours * kw * electricity,
            "a person waiting (USD)": hours * person_hour()}
