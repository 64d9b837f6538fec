"""common.costs: chapter 7's cost model, shared with chapter 9."""
import math

import pytest

from common import costs


def test_break_even_is_where_the_two_costs_meet():
    for share in (1.0, 0.5, 0.0):
        hours = costs.break_even_hours(3, share)
        assert math.isclose(costs.workstation_cost(hours, 3), costs.cloud_cost(hours, 3, share))
    assert round(costs.break_even_hours(3, 1.0)) == 34     # chapter 7's figure


def test_study_cost():
    one = costs.study_cost(3600.0, 8, cores_per_machine=8)  # one machine-hour
    assert math.isclose(one["core-hours"], 8) and math.isclose(one["machine-hours"], 1)
    assert math.isclose(one["cloud, peak (USD)"], costs.CLOUD_PEAK)
    assert math.isclose(one["cloud, spot (USD)"], costs.CLOUD_SPOT)
    assert math.isclose(one["workstation electricity (USD)"], 0.190 * 0.20)
    assert math.isclose(one["a person waiting (USD)"], 70_000 / 1_800)
    dearer = costs.study_cost(3600.0, 8, electricity=0.40)
    assert math.isclose(dearer["workstation electricity (USD)"], 0.190 * 0.40)


@pytest.mark.parametrize("args", [(-1.0, 10), (1.0, -1), (1.0, 10, 0)])
def test_study_cost_refuses_bad_input(args):
    with pytest.raises(ValueError, match="got"):
        costs.study_cost(*args)
