"""Outcome review of an action plan: the target area against its baselines.

A plan aims to cut incidents in a target area during the plan month. The
review sets the plan month's count against two baselines, the previous month
and the same month a year earlier, and against their mean, which is the
baseline of the target. The rest of the station is reviewed the same way to
check whether crime moved out of the target area rather than fell.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.compstat import MIN_PERCENT_BASE, Comparison, compare
from analysis.errors import AnalysisError

# Flag level of the rest of the station's change score that counts as a rise.
DISPLACEMENT_FLAG = 2


@dataclass(frozen=True)
class OutcomeReview:
    """The review of one plan.

    Attributes
    ----------
    target, rest
        Comparisons of the plan month in the target area, and in the rest of
        the station, keyed ``"previous_month"``, ``"same_month_last_year"``
        and ``"baseline"`` (the mean of the two).
    baseline
        Mean of the target area's two baseline counts.
    target_reduction_pct
        The reduction aimed for, in percent of ``baseline``.
    target_count
        Largest plan-month count that meets the target:
        ``baseline * (1 - target_reduction_pct / 100)``.
    target_met
        Whether the plan-month count is at most ``target_count``; ``None``
        when the baseline is 0, since no reduction from nothing can be judged.
    displacement
        Whether the target area fell below its baseline while the rest of the
        station rose above its own with a change score over 2, a sign that
        crime may have moved rather than fallen.
    """

    target: dict[str, Comparison]
    rest: dict[str, Comparison]
    baseline: float
    target_reduction_pct: float
    target_count: float
    target_met: bool | None
    displacement: bool


def outcome_review(
    target_counts_plan_month: float,
    baseline_previous_month: float,
    baseline_same_month_last_year: float,
    rest_of_station_plan_month: float,
    rest_baseline_previous: float,
    rest_baseline_last_year: float,
    target_reduction_pct: float,
    min_base: float = MIN_PERCENT_BASE,
) -> OutcomeReview:
    """Review a plan month's counts against the baselines and the target.

    Parameters
    ----------
    target_counts_plan_month : float
        Incidents of the plan's categories in the target area in the plan
        month.
    baseline_previous_month, baseline_same_month_last_year : float
        The same count in the month before the plan month and in the plan's
        calendar month a year earlier.
    rest_of_station_plan_month, rest_baseline_previous, rest_baseline_last_year
        The same three counts for the rest of the station.
    target_reduction_pct : float
        The reduction aimed for, from 0 to 100 percent of the baseline.
    min_base : float, default 10
        Smallest base for which a percent change is given.

    Returns
    -------
    OutcomeReview

    Raises
    ------
    AnalysisError
        If a count is negative or ``target_reduction_pct`` is outside 0 to
        100.
    """
    if not 0 <= target_reduction_pct <= 100:
        raise AnalysisError(
            f"target_reduction_pct must be from 0 to 100, but is "
            f"{target_reduction_pct!r}."
        )
    target = _comparisons(
        target_counts_plan_month,
        baseline_previous_month,
        baseline_same_month_last_year,
        min_base,
    )
    rest = _comparisons(
        rest_of_station_plan_month,
        rest_baseline_previous,
        rest_baseline_last_year,
        min_base,
    )
    baseline = target["baseline"].base
    target_count = baseline * (1 - target_reduction_pct / 100)
    met = None if baseline == 0 else target_counts_plan_month <= target_count
    fell = target["baseline"].difference < 0
    rose = rest["baseline"].difference > 0 and rest["baseline"].flag >= (
        DISPLACEMENT_FLAG
    )
    return OutcomeReview(
        target=target,
        rest=rest,
        baseline=baseline,
        target_reduction_pct=float(target_reduction_pct),
        target_count=target_count,
        target_met=met,
        displacement=fell and rose,
    )


def _comparisons(
    current: float, previous: float, last_year: float, min_base: float
) -> dict[str, Comparison]:
    return {
        "previous_month": compare(current, previous, min_base),
        "same_month_last_year": compare(current, last_year, min_base),
        "baseline": compare(current, (previous + last_year) / 2, min_base),
    }
