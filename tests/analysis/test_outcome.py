"""Action plan outcome review, checked against values worked by hand."""

from __future__ import annotations

import math

import pytest

from analysis import outcome
from analysis.errors import AnalysisError

# Target area: 12 in the plan month, 18 the month before, 22 a year earlier;
# baseline (18 + 22) / 2 = 20, and a 20% cut allows at most 16.
# Rest of the station: 60, against 40 and 44; baseline 42.
MET = dict(
    target_counts_plan_month=12,
    baseline_previous_month=18,
    baseline_same_month_last_year=22,
    rest_of_station_plan_month=60,
    rest_baseline_previous=40,
    rest_baseline_last_year=44,
    target_reduction_pct=20,
)


def test_target_met_by_hand():
    review = outcome.outcome_review(**MET)

    assert review.baseline == 20.0
    assert review.target_count == pytest.approx(16.0)  # 20 * (1 - 0.2)
    assert review.target_met is True  # 12 <= 16


@pytest.mark.parametrize(
    ("key", "difference", "percent", "score", "flag"),
    [
        # 12 vs 18: -6, 100 * -6 / 18, 2 * (3.4641 - 4.2426) = -1.557.
        ("previous_month", -6, -100 / 3, 2 * (math.sqrt(12) - math.sqrt(18)), 0),
        # 12 vs 22: -10, -45.45%, 2 * (3.4641 - 4.6904) = -2.453.
        (
            "same_month_last_year",
            -10,
            -1000 / 22,
            2 * (math.sqrt(12) - math.sqrt(22)),
            2,
        ),
        # 12 vs 20: -8, -40%, 2 * (3.4641 - 4.4721) = -2.016.
        ("baseline", -8, -40.0, 2 * (math.sqrt(12) - math.sqrt(20)), 2),
    ],
    ids=["previous", "last-year", "baseline"],
)
def test_target_comparisons_by_hand(key, difference, percent, score, flag):
    comparison = outcome.outcome_review(**MET).target[key]

    assert comparison.difference == difference
    assert comparison.percent == pytest.approx(percent)
    assert comparison.score == pytest.approx(score)
    assert comparison.flag == flag


def test_displacement_when_rest_rises():
    review = outcome.outcome_review(**MET)

    # Rest: 60 vs 42, 2 * (7.7460 - 6.4807) = 2.531 > 2, while the target fell.
    assert review.rest["baseline"].score == pytest.approx(
        2 * (math.sqrt(60) - math.sqrt(42))
    )
    assert review.rest["baseline"].percent == pytest.approx(100 * 18 / 42)
    assert review.displacement is True


def test_no_displacement_small_rise():
    review = outcome.outcome_review(**{**MET, "rest_of_station_plan_month": 45})

    # Rest: 45 vs 42, 2 * (6.7082 - 6.4807) = 0.455, within chance.
    assert review.displacement is False


def test_no_displacement_when_target_rose():
    review = outcome.outcome_review(**{**MET, "target_counts_plan_month": 25})

    assert review.target_met is False  # 25 > 16
    assert review.displacement is False  # the target rose too


def test_target_missed_by_one():
    assert (
        outcome.outcome_review(**{**MET, "target_counts_plan_month": 17}).target_met
        is False
    )
    assert (
        outcome.outcome_review(**{**MET, "target_counts_plan_month": 16}).target_met
        is True
    )


def test_small_base_gives_no_percent():
    review = outcome.outcome_review(
        **{**MET, "baseline_previous_month": 9, "baseline_same_month_last_year": 8}
    )

    assert review.target["previous_month"].percent is None  # base 9 < 10
    assert review.target["baseline"].percent is None  # base 8.5 < 10
    assert review.target_count == pytest.approx(6.8)  # 8.5 * 0.8


def test_zero_baseline_not_judged():
    review = outcome.outcome_review(
        **{**MET, "baseline_previous_month": 0, "baseline_same_month_last_year": 0}
    )

    assert review.target_met is None
    assert review.target["baseline"].score == pytest.approx(2 * math.sqrt(12))


@pytest.mark.parametrize("percent", [-5, 120], ids=["negative", "over-100"])
def test_invalid_reduction_rejected(percent):
    with pytest.raises(AnalysisError, match="target_reduction_pct must be from 0"):
        outcome.outcome_review(**{**MET, "target_reduction_pct": percent})


def test_negative_count_rejected():
    with pytest.raises(AnalysisError, match="must be a count of 0 or more"):
        outcome.outcome_review(**{**MET, "rest_baseline_previous": -1})
