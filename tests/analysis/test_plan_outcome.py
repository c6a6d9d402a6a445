"""Outcome review of a plan priority: target area against its baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import plan_outcome

SQUARE = "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"


def _incidents(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["month", "iccs_code", "lon", "lat"])


def test_target_met_and_displacement():
    rows = (
        # Inside: plan month 2, previous month 4, a year before 6 -> baseline 5.
        [(202403, "0501", 0.5, 0.5)] * 2
        + [(202402, "0501", 0.5, 0.5)] * 4
        + [(202303, "0501", 0.2, 0.2)] * 6
        # Outside: plan month 5, previous 1, a year before 1 -> baseline 1.
        + [(202403, "0501", 2.0, 2.0)] * 5
        + [(202402, "0501", 2.0, 2.0), (202303, "0501", 3.0, 3.0)]
        # Other categories and other months do not count.
        + [(202403, "0101", 0.5, 0.5), (202401, "0501", 0.5, 0.5)]
    )

    outcome = plan_outcome.review_priority(
        _incidents(rows), 202403, SQUARE, ("0501",), 20, 1, 3
    )

    assert outcome.area.plan_month == 2
    assert outcome.area.previous_month == 4
    assert outcome.area.year_before == 6
    assert outcome.area.baseline == 5
    assert outcome.area.change_percent == pytest.approx(-60.0)
    assert outcome.target_count == pytest.approx(4.0)
    assert outcome.met
    assert (outcome.rest.plan_month, outcome.rest.baseline) == (5, 1)
    assert outcome.displacement
    assert (outcome.responses_done, outcome.responses_total) == (1, 3)


def test_target_missed_on_zero_baseline():
    rows = [(202403, "0501", 0.5, 0.5)]

    outcome = plan_outcome.review_priority(_incidents(rows), 202403, SQUARE, (), 20)

    assert outcome.area.baseline == 0
    assert outcome.area.change_percent is None
    assert outcome.target_count == 0
    assert not outcome.met
    assert not outcome.displacement


def test_point_on_edge_counts_inside():
    points = pd.DataFrame({"lon": [1.0, 1.0001], "lat": [0.5, 0.5]})

    assert list(plan_outcome.inside_area(points, SQUARE)) == [True, False]
