"""Aoristic analysis: when in the week incidents happen, from time windows.

Many incidents, such as a burglary found on return home, are known only to have
happened between two times. Aoristic analysis spreads each incident's weight of
1 over the hours its window covers, so the weights of all incidents add up to a
day-of-week by hour-of-day table of likely occurrence times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError

# Windows longer than this many hours are left out by default: a window of a
# week or more covers every hour of the week and carries no timing information.
MAX_WINDOW_HOURS = 7 * 24

WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

_SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class AoristicTable:
    """Aoristic weights by day of week and hour, with what was left out.

    Attributes
    ----------
    table
        7 rows (index ``weekday``, Monday = 0) by 24 columns (hours 0 to 23)
        of summed weights. The weights add up to ``counted``.
    counted
        Incidents spread over the table.
    too_long
        Incidents left out because their window is longer than the maximum.
    reversed
        Incidents left out because their window ends before it starts.
    missing_start
        Incidents left out because they have no start time.
    """

    table: pd.DataFrame
    counted: int
    too_long: int
    reversed: int
    missing_start: int


def aoristic_weights(start, end, max_hours: float = MAX_WINDOW_HOURS) -> AoristicTable:
    """Spread each incident over the clock hours of its time window.

    Each clock hour a window touches receives the share of the window that
    falls in that hour, in proportion to the time inside it. An 8-hour window
    from 00:00 to 08:00 adds 1/8 to each of its 8 hours, and a window from
    09:30 to 11:00 adds 1/3 to 09:00 and 2/3 to 10:00. An incident with no end,
    or an end equal to its start, adds 1 to its start hour.

    Parameters
    ----------
    start, end : array-like of datetime
        Start and end of each incident's window, in local clock time. Missing
        ends are allowed. Time-zone-aware values are read on their own clock.
    max_hours : float, default 168
        Maximum window length spread, in hours. Longer windows are left out and
        counted in ``too_long``, since they spread over the whole week.

    Returns
    -------
    AoristicTable

    Raises
    ------
    AnalysisError
        If ``start`` and ``end`` differ in length, a value is not a date-time,
        or ``max_hours`` is not positive.
    """
    if not max_hours > 0:
        raise AnalysisError(f"max_hours must be positive, but is {max_hours!r}.")
    first = _seconds(start, "start")
    last = _seconds(end, "end")
    if len(first) != len(last):
        raise AnalysisError(
            f"start has {len(first)} values but end has {len(last)}; pass one "
            "end (or a missing value) per start."
        )

    missing_start = np.isnan(first)
    last = np.where(np.isnan(last), first, last)
    backwards = ~missing_start & (last < first)
    too_long = ~missing_start & (last - first > max_hours * _SECONDS_PER_HOUR)
    keep = ~(missing_start | backwards | too_long)
    weights = _hour_weights(first[keep], last[keep])
    return AoristicTable(
        table=_week_table(weights),
        counted=int(keep.sum()),
        too_long=int(too_long.sum()),
        reversed=int(backwards.sum()),
        missing_start=int(missing_start.sum()),
    )


def _seconds(values, argument: str) -> np.ndarray:
    """Return local clock times as float seconds since 1970, NaN where missing."""
    try:
        stamps = pd.to_datetime(pd.Series(values))
    except (TypeError, ValueError) as error:
        raise AnalysisError(
            f"{argument} contains an invalid date-time: {error}."
        ) from None
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    seconds = stamps.to_numpy("datetime64[s]").astype("int64").astype(float)
    seconds[stamps.isna().to_numpy()] = np.nan
    return seconds


def _hour_weights(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Return the 168 weights (hour of the week, Monday 00:00 first) of windows."""
    start_hour = np.floor(first / _SECONDS_PER_HOUR).astype("int64")
    end_hour = np.ceil(last / _SECONDS_PER_HOUR).astype("int64")
    hours = np.maximum(end_hour - start_hour, 1)

    # One entry per incident and clock hour touched.
    incident = np.repeat(np.arange(len(first)), hours)
    offset = np.arange(len(incident)) - np.repeat(np.cumsum(hours) - hours, hours)
    hour = start_hour[incident] + offset
    length = last - first
    overlap = np.minimum((hour + 1) * _SECONDS_PER_HOUR, last[incident]) - np.maximum(
        hour * _SECONDS_PER_HOUR, first[incident]
    )
    instant = length[incident] == 0
    share = np.where(instant, 1.0, overlap / np.where(instant, 1.0, length[incident]))

    # 1 January 1970 was a Thursday, weekday 3 when Monday is 0.
    hour_of_week = ((hour // 24 + 3) % 7) * 24 + hour % 24
    return np.bincount(hour_of_week, weights=share, minlength=7 * 24)


def _week_table(weights: np.ndarray) -> pd.DataFrame:
    table = pd.DataFrame(
        weights.reshape(7, 24),
        index=pd.RangeIndex(7, name="weekday"),
        columns=pd.RangeIndex(24, name="hour"),
    )
    return table
