"""Outcome review of an action plan priority: the target area against its baseline.

For each priority the review counts incidents of the priority's categories inside
its target area (point in polygon) in the plan month and in two baseline months,
the previous month and the same month a year earlier, and does the same for the
rest of the station to show displacement. The baseline is the mean of the two
baseline months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely import wkt as shapely_wkt

from analysis.station_extra import matches, shift_month


@dataclass(frozen=True)
class AreaCounts:
    """Counts of one place over the plan month and its two baseline months."""

    plan_month: int
    previous_month: int
    year_before: int

    @property
    def baseline(self) -> float:
        """Return the mean of the previous month and the same month last year."""
        return (self.previous_month + self.year_before) / 2

    @property
    def change_percent(self) -> float | None:
        """Return the change from the baseline in percent, ``None`` on zero."""
        if self.baseline == 0:
            return None
        return 100 * (self.plan_month - self.baseline) / self.baseline


@dataclass(frozen=True)
class PriorityOutcome:
    """The review of one priority.

    Attributes
    ----------
    area, rest
        Counts inside the target area and in the rest of the station.
    target_percent
        The reduction aimed for, in percent of the baseline.
    target_count
        The most incidents the area may have in the plan month to meet the
        target: ``baseline * (1 - target_percent / 100)``.
    met
        Whether the plan month's count is at most ``target_count``.
    displacement
        Whether the rest of the station rose above its baseline while the area
        fell below its baseline, a sign that crime may have moved.
    responses_done, responses_total
        Responses recorded as done, and all responses.
    """

    area: AreaCounts
    rest: AreaCounts
    target_percent: float
    target_count: float
    met: bool
    displacement: bool
    responses_done: int
    responses_total: int


def inside_area(points: pd.DataFrame, area_wkt: str) -> np.ndarray:
    """Return which ``lon``/``lat`` points lie inside or on the edge of an area."""
    area = shapely_wkt.loads(area_wkt)
    return shapely.intersects_xy(
        area, points["lon"].to_numpy(float), points["lat"].to_numpy(float)
    )


def review_priority(
    incidents: pd.DataFrame,
    plan_month: int,
    area_wkt: str,
    categories: tuple[str, ...],
    target_percent: float,
    responses_done: int = 0,
    responses_total: int = 0,
) -> PriorityOutcome:
    """Review one priority of the plan of ``plan_month``.

    Parameters
    ----------
    incidents
        The station's incidents with columns ``month``, ``iccs_code``, ``lon``
        and ``lat``, covering the plan month, the month before and the same month
        a year earlier. Incidents without coordinates count for neither place.
    plan_month
        The month the plan ran, ``YYYYMM``.
    area_wkt
        The target area in WGS84 as WKT.
    categories
        ICCS code prefixes of the priority; empty means every category.
    target_percent
        The reduction aimed for, in percent of the baseline.
    responses_done, responses_total
        Completion of the priority's responses, as recorded.

    Returns
    -------
    PriorityOutcome
    """
    chosen = incidents[matches(incidents["iccs_code"], tuple(categories))]
    chosen = chosen.dropna(subset=["lon", "lat"])
    inside = inside_area(chosen, area_wkt)
    area = _counts(chosen[inside], plan_month)
    rest = _counts(chosen[~inside], plan_month)
    target = area.baseline * (1 - target_percent / 100)
    return PriorityOutcome(
        area=area,
        rest=rest,
        target_percent=target_percent,
        target_count=target,
        met=area.plan_month <= target,
        displacement=area.plan_month < area.baseline
        and rest.plan_month > rest.baseline,
        responses_done=responses_done,
        responses_total=responses_total,
    )


def _counts(frame: pd.DataFrame, plan_month: int) -> AreaCounts:
    months = frame["month"]
    return AreaCounts(
        plan_month=int((months == plan_month).sum()),
        previous_month=int((months == shift_month(plan_month, -1)).sum()),
        year_before=int((months == shift_month(plan_month, -12)).sum()),
    )
