"""Month arithmetic, the CompStat comparisons, the trend and aoristic weights.

Pure functions on values and DataFrames for the Station workspace. Months are
integer ``YYYYMM`` values; ICCS codes are text, and a code's section is its first
two characters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Percentages are shown only when the base count is at least this large.
MIN_PERCENT_BASE = 10

# Sizes of the change score that raise a flag: above 2 a change is unusual, above 3
# very unusual, for counts that follow a Poisson law.
FLAG_LEVELS = (2.0, 3.0)

# Days in each of the two windows of the 28-day comparison.
WINDOW_DAYS = 28

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class MonthError(ValueError):
    """A month is not a valid integer ``YYYYMM``."""


def check_month(month: int) -> int:
    """Return ``month`` as an int after checking it is a valid ``YYYYMM``.

    Raises
    ------
    MonthError
        If the month number is outside 1 to 12 or the value is not an integer.
    """
    try:
        value = int(month)
    except (TypeError, ValueError):
        raise MonthError(f"month {month!r} is not an integer YYYYMM.") from None
    if not 1 <= value % 100 <= 12 or value < 100001:
        raise MonthError(f"month {month!r} is not a valid YYYYMM month.")
    return value


def shift_month(month: int, months: int) -> int:
    """Return the month ``months`` after ``month`` (before it when negative)."""
    index = (month // 100) * 12 + month % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1


def month_span(first: int, last: int) -> list[int]:
    """Return every month from ``first`` to ``last``, both included."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = shift_month(month, 1)
    return months


def month_days(month: int) -> tuple[dt.date, dt.date]:
    """Return the first and last day of ``month``."""
    year, number = divmod(month, 100)
    return dt.date(year, number, 1), dt.date(
        year, number, calendar.monthrange(year, number)[1]
    )


def month_label(month: int) -> str:
    """Return ``month`` as ``YYYY-MM``."""
    return f"{month // 100}-{month % 100:02d}"


def last_complete_month(today: dt.date) -> int:
    """Return the month before the month of ``today``."""
    return shift_month(today.year * 100 + today.month, -1)


def twenty_eight_day_windows(month: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """Return the last 28 days of ``month`` and the 28 days before, as date ranges.

    Both ranges include their ends: for March 2024 they are 4 to 31 March and
    5 February to 3 March.
    """
    _, last = month_days(month)
    start = last - dt.timedelta(days=WINDOW_DAYS - 1)
    before_end = start - dt.timedelta(days=1)
    before_start = before_end - dt.timedelta(days=WINDOW_DAYS - 1)
    return (start, last), (before_start, before_end)


def change_score(current: float, previous: float) -> float:
    """Return the Poisson change score ``2 * (sqrt(current) - sqrt(previous))``.

    Under a Poisson law with an unchanged rate the score is close to a standard
    normal value, so its size is read like a z-score.
    """
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def flag_level(score: float) -> int:
    """Return 3 or 2 when the score's size passes that level, else 0."""
    size = abs(score)
    for level in sorted(FLAG_LEVELS, reverse=True):
        if size > level:
            return int(level)
    return 0


def percent_change(current: float, previous: float) -> float | None:
    """Return the change in percent of ``previous``, or ``None`` on a small base.

    The percentage is ``None`` when ``previous`` is below ``MIN_PERCENT_BASE``,
    which includes a zero base, so it never divides by zero.
    """
    if previous < MIN_PERCENT_BASE:
        return None
    return 100.0 * (current - previous) / previous


@dataclass(frozen=True)
class Comparison:
    """One comparison of the CompStat table: a current and a base count."""

    name: str
    current: float
    previous: float

    @property
    def difference(self) -> float:
        """Return the current count less the base count."""
        return self.current - self.previous

    @property
    def score(self) -> float:
        """Return the Poisson change score."""
        return change_score(self.current, self.previous)

    @property
    def flag(self) -> int:
        """Return the flag level of the score (0, 2 or 3)."""
        return flag_level(self.score)

    @property
    def percent(self) -> float | None:
        """Return the change in percent, ``None`` on a base under 10."""
        return percent_change(self.current, self.previous)


COMPARISONS = (
    ("month", "This month vs previous month"),
    ("year", "This month vs same month last year"),
    ("days28", "Last 28 days vs 28 days before"),
    ("ytd", "Year to date vs last year to date"),
)


def matches(codes: pd.Series, prefixes: tuple[str, ...]) -> pd.Series:
    """Return which ``codes`` start with one of ``prefixes``; none match all."""
    if not prefixes:
        return pd.Series(True, index=codes.index)
    return codes.astype(str).str.startswith(tuple(prefixes))


def compstat_rows(
    monthly: pd.DataFrame,
    daily: pd.DataFrame,
    month: int,
    groups: list[tuple[str, tuple[str, ...]]],
) -> pd.DataFrame:
    """Build the CompStat table: each group's four comparisons.

    Parameters
    ----------
    monthly
        Columns ``month``, ``iccs_code`` and ``count``: counts by month, covering
        January of the previous year to ``month``.
    daily
        Columns ``day`` (``datetime.date``), ``iccs_code`` and ``count``, covering
        the 56 days that end on the last day of ``month``.
    month
        The month read, ``YYYYMM``.
    groups
        ``(label, prefixes)`` per table row; a row counts the codes that start
        with one of its prefixes (an empty tuple counts every code).

    Returns
    -------
    pandas.DataFrame
        One row per group and comparison, in order, with columns ``group``,
        ``comparison`` (a key of ``COMPARISONS``), ``current``, ``previous``,
        ``difference``, ``score``, ``flag`` and ``percent`` (``None`` on a small
        base).
    """
    recent, before = twenty_eight_day_windows(month)
    year_start = (month // 100) * 100 + 1
    months = monthly["month"].to_numpy()
    days = pd.to_datetime(daily["day"]).to_numpy("datetime64[D]")
    month_codes = monthly["iccs_code"].to_numpy(dtype=str)
    day_codes = daily["iccs_code"].to_numpy(dtype=str)
    month_counts = monthly["count"].to_numpy(dtype=float)
    day_counts = daily["count"].to_numpy(dtype=float)
    previous, last_year = shift_month(month, -1), shift_month(month, -12)
    periods = {
        "month": (months == month, months == previous),
        "year": (months == month, months == last_year),
        "ytd": (
            (months >= year_start) & (months <= month),
            (months >= year_start - 100) & (months <= month - 100),
        ),
        "days28": (_within(days, recent), _within(days, before)),
    }
    rows = []
    for label, prefixes in groups:
        in_months = _prefix_mask(month_codes, prefixes)
        in_days = _prefix_mask(day_codes, prefixes)
        for key, _ in COMPARISONS:
            now, base = periods[key]
            chosen, counts = (
                (in_days, day_counts) if key == "days28" else (in_months, month_counts)
            )
            comparison = Comparison(
                key,
                float(counts[chosen & now].sum()),
                float(counts[chosen & base].sum()),
            )
            rows.append(_comparison_row(label, comparison))
    return pd.DataFrame(rows)


def _within(days: np.ndarray, span: tuple[dt.date, dt.date]) -> np.ndarray:
    return (days >= np.datetime64(span[0])) & (days <= np.datetime64(span[1]))


def _prefix_mask(codes: np.ndarray, prefixes: tuple[str, ...]) -> np.ndarray:
    """Return which codes start with one of ``prefixes``; none match all."""
    mask = np.zeros(len(codes), dtype=bool) if prefixes else np.ones(len(codes), bool)
    for prefix in prefixes:
        mask |= np.char.startswith(codes, prefix)
    return mask


def _comparison_row(label: str, comparison: Comparison) -> dict:
    return {
        "group": label,
        "comparison": comparison.name,
        "current": comparison.current,
        "previous": comparison.previous,
        "difference": comparison.difference,
        "score": comparison.score,
        "flag": comparison.flag,
        "percent": comparison.percent,
    }


def thirteen_months(totals: pd.Series, month: int) -> pd.DataFrame:
    """Return the 13 months to ``month`` beside the same months a year earlier.

    Parameters
    ----------
    totals
        Counts indexed by integer month; missing months count zero. It should
        cover the 27 months that end at ``month`` so that every moving average
        has its three months.
    month
        The last month shown.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``count``, ``year_before`` (the count 12 months
        earlier), ``moving_average`` and ``moving_average_year_before`` (means of
        each month and the two before it).
    """
    months = month_span(shift_month(month, -12), month)

    def count(value: int) -> float:
        return float(totals.get(value, 0))

    def moving(value: int) -> float:
        return float(np.mean([count(shift_month(value, -k)) for k in range(3)]))

    return pd.DataFrame(
        {
            "month": months,
            "count": [count(m) for m in months],
            "year_before": [count(shift_month(m, -12)) for m in months],
            "moving_average": [moving(m) for m in months],
            "moving_average_year_before": [moving(shift_month(m, -12)) for m in months],
        }
    )


def aoristic_weights(occurred_from: pd.Series, occurred_to: pd.Series) -> np.ndarray:
    """Spread each incident over the hours of its occurrence window.

    An incident with a known time adds 1 to its hour. An incident known only to
    have happened between two times adds to each hour block the share of its
    window inside that block. So an 8-hour window from 22:00 to 06:00 adds 1/8 to
    each of its eight hours. A missing or non-positive window counts as a
    known time at ``occurred_from``.

    Parameters
    ----------
    occurred_from, occurred_to
        Start and end of each occurrence window, local time; ``occurred_to`` may
        hold missing values.

    Returns
    -------
    numpy.ndarray
        Shape ``(7, 24)``: weights by weekday (Monday first) and hour. The total
        equals the number of incidents.
    """
    table = np.zeros((7, 24))
    starts = pd.to_datetime(occurred_from).to_numpy("datetime64[s]")
    ends = pd.to_datetime(occurred_to).to_numpy("datetime64[s]")
    for start, end in zip(starts, ends, strict=True):
        if np.isnat(start):
            continue
        if np.isnat(end) or end <= start:
            _add_hour(table, start, 1.0)
            continue
        _spread(table, start, end)
    return table


def _add_hour(table: np.ndarray, moment: np.datetime64, weight: float) -> None:
    hours = int(moment.astype("int64")) // 3600
    table[_weekday(hours // 24), hours % 24] += weight


def _weekday(days_since_epoch):
    # 1 January 1970 was a Thursday, weekday 3 when Monday is 0.
    return (days_since_epoch + 3) % 7


def _spread(table: np.ndarray, start: np.datetime64, end: np.datetime64) -> None:
    first = int(start.astype("int64"))
    last = int(end.astype("int64"))
    blocks = np.arange(first // 3600, -(-last // 3600))
    overlap = np.minimum((blocks + 1) * 3600, last) - np.maximum(blocks * 3600, first)
    np.add.at(
        table,
        (_weekday(blocks // 24), blocks % 24),
        overlap / (last - first),
    )
