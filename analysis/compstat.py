"""CompStat comparisons: counts of a month against earlier periods.

Each comparison sets a current count against a base count and reports the
difference, the Poisson change score, its flag level and the percent change.
The change score ``2 * (sqrt(current) - sqrt(base))`` uses the square-root
transform, which brings the variance of a Poisson count close to 1/4 whatever
its mean. Under an unchanged rate the score is therefore roughly standard
normal, and its size is read like a z-score. A change is flagged at level 2
when its size passes 2, and at level 3 when it passes 3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, require_columns
from analysis.months import month_numbers, period_number, to_period

# Percent changes are given only when the base count is at least this large.
MIN_PERCENT_BASE = 10

# Sizes of the change score that raise a flag of that level.
FLAG_LEVELS = (2, 3)

# Label of the row that sums every category.
TOTAL = "Total"

# Days in each window of the 28-day comparison.
WINDOW_DAYS = 28

# Comparison name -> (current column, base column), in the order shown.
COMPARISONS = {
    "month_on_month": ("this_month", "previous_month"),
    "year_on_year": ("this_month", "same_month_last_year"),
    "days_28": ("last_28_days", "previous_28_days"),
    "year_to_date": ("ytd", "ytd_last_year"),
}


@dataclass(frozen=True)
class Comparison:
    """A current count set against a base count.

    Attributes
    ----------
    current, base
        The two counts (a base may be a mean, so both are floats).
    difference
        ``current - base``.
    score
        The Poisson change score.
    flag
        0, 2 or 3 from ``flag_level``.
    percent
        Change in percent of the base, ``None`` when the base is below the
        minimum.
    """

    current: float
    base: float
    difference: float
    score: float
    flag: int
    percent: float | None


def change_score(current: float, previous: float) -> float:
    """Compute the Poisson change score ``2 * (sqrt(current) - sqrt(previous))``.

    Parameters
    ----------
    current, previous : float
        Counts (or mean counts) of the two periods; neither may be negative.

    Returns
    -------
    float
        Roughly standard normal when both counts come from the same Poisson
        rate; positive for a rise.

    Raises
    ------
    AnalysisError
        If a count is negative or not a number.
    """
    _check_count(current, "current")
    _check_count(previous, "previous")
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def percent_change(
    current: float, base: float, min_base: float = MIN_PERCENT_BASE
) -> float | None:
    """Compute the change from ``base`` to ``current`` in percent of ``base``.

    Parameters
    ----------
    current, base : float
        The counts compared.
    min_base : float, default 10
        Smallest base for which a percentage is given. A percentage on a small
        base swings wildly (2 to 4 is +100%), so below it the result is
        ``None``. A zero base gives ``None`` whatever ``min_base`` is, so the
        function never divides by zero.

    Returns
    -------
    float or None
        ``100 * (current - base) / base``, or ``None`` on a small base.
    """
    _check_count(current, "current")
    _check_count(base, "base")
    if base < min_base or base == 0:
        return None
    return 100.0 * (current - base) / base


def flag_level(score: float) -> int:
    """Return the flag level of a change score: 3, 2 or 0.

    The level is 3 when ``abs(score) > 3``, 2 when ``abs(score) > 2`` and 0
    otherwise, so a score of exactly 2 raises no flag.
    """
    if math.isnan(score):
        raise AnalysisError(f"score {score!r} is not a number.")
    size = abs(score)
    for level in sorted(FLAG_LEVELS, reverse=True):
        if size > level:
            return level
    return 0


def compare(
    current: float, base: float, min_base: float = MIN_PERCENT_BASE
) -> Comparison:
    """Set ``current`` against ``base`` with every CompStat measure.

    Parameters
    ----------
    current, base : float
        The counts compared; ``base`` may be a mean of several periods.
    min_base : float, default 10
        Smallest base for which a percentage is given.

    Returns
    -------
    Comparison
    """
    score = change_score(current, base)
    return Comparison(
        current=float(current),
        base=float(base),
        difference=float(current - base),
        score=score,
        flag=flag_level(score),
        percent=percent_change(current, base, min_base),
    )


def compstat_table(
    incidents: pd.DataFrame,
    month,
    categories: Iterable | None = None,
    min_base: float = MIN_PERCENT_BASE,
) -> pd.DataFrame:
    """Build the CompStat table of ``month`` from incident rows.

    Parameters
    ----------
    incidents : pandas.DataFrame
        One row per incident with columns ``occurred_date`` (a date or
        date-time, local time) and ``category`` (such as an ICCS section code).
        It should cover 1 January of the previous year to the end of ``month``;
        rows outside the periods compared are ignored.
    month : pandas.Period, int or str
        The month reported, as read by ``analysis.months.to_period``.
    categories : iterable, optional
        Categories to show, in order, including those with no incidents. By
        default every category in ``incidents``, sorted. The total row sums the
        categories shown.
    min_base : float, default 10
        Smallest base for which a percentage is given.

    Returns
    -------
    pandas.DataFrame
        One row per category and a last row with ``category`` equal to
        ``TOTAL``. Count columns: ``this_month``, ``previous_month``,
        ``same_month_last_year``, ``last_28_days`` (the 28 days that end on the
        month's last day), ``previous_28_days`` (the 28 days before those),
        ``ytd`` (1 January to the month's end) and ``ytd_last_year`` (the same
        span a year earlier). For each comparison named in ``COMPARISONS``,
        columns ``<name>_difference``, ``<name>_score``, ``<name>_flag`` and
        ``<name>_percent``. The percent columns have dtype ``object`` and
        contain ``None`` where the base is below ``min_base``.

    Raises
    ------
    MissingColumns
        If ``incidents`` lacks a column.
    InvalidMonth
        If ``month`` is not a month.
    AnalysisError
        If an ``occurred_date`` cannot be read as a date.
    """
    require_columns(incidents, ("occurred_date", "category"), "incidents")
    period = to_period(month)
    days = _as_days(incidents["occurred_date"])
    spans = _day_spans(period)
    counts = {
        column: incidents["category"][(days >= first) & (days <= last)].value_counts()
        for column, (first, last) in spans.items()
    }
    return _finish_table(counts, incidents["category"], categories, min_base)


def compstat_from_monthly(
    monthly: pd.DataFrame,
    month,
    categories: Iterable | None = None,
    min_base: float = MIN_PERCENT_BASE,
) -> pd.DataFrame:
    """Build the CompStat table of ``month`` from monthly counts.

    This serves rollups, which hold counts by month and have no days, so the
    table has every column of ``compstat_table`` except the 28-day counts and
    the ``days_28`` comparison.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Columns ``category``, ``month`` (integer ``YYYYMM``) and ``count``.
        Several rows for one category and month are added up; a missing row
        counts zero.
    month : pandas.Period, int or str
        The month reported.
    categories : iterable, optional
        Categories to show, in order; by default every category in
        ``monthly``, sorted.
    min_base : float, default 10
        Smallest base for which a percentage is given.

    Returns
    -------
    pandas.DataFrame
        As ``compstat_table`` without ``last_28_days``, ``previous_28_days``
        and the ``days_28_*`` columns.
    """
    require_columns(monthly, ("category", "month", "count"), "monthly")
    now = period_number(to_period(month))
    numbers = month_numbers(monthly["month"])
    january = now - (now % 12)
    spans = {
        "this_month": (now, now),
        "previous_month": (now - 1, now - 1),
        "same_month_last_year": (now - 12, now - 12),
        "ytd": (january, now),
        "ytd_last_year": (january - 12, now - 12),
    }
    counts = {
        column: monthly.loc[
            (numbers >= first) & (numbers <= last), ["category", "count"]
        ]
        .groupby("category")["count"]
        .sum()
        for column, (first, last) in spans.items()
    }
    return _finish_table(counts, monthly["category"], categories, min_base)


def _check_count(value: float, argument: str) -> None:
    if not isinstance(value, (int, float, np.integer, np.floating)) or not (value >= 0):
        raise AnalysisError(
            f"{argument} must be a count of 0 or more, but is {value!r}."
        )


def _as_days(values: pd.Series) -> np.ndarray:
    """Return dates as ``datetime64[D]``. A missing date (NaT) matches no span."""
    try:
        stamps = pd.to_datetime(values)
    except (TypeError, ValueError) as error:
        raise AnalysisError(
            f"occurred_date contains an invalid date: {error}. Pass dates or "
            "ISO date text."
        ) from None
    return stamps.to_numpy("datetime64[D]")


def _day_spans(period: pd.Period) -> dict[str, tuple[np.datetime64, np.datetime64]]:
    """Return the first and last day of each counted span, both included."""

    def days(first: pd.Period, last: pd.Period):
        return (
            np.datetime64(first.start_time.date(), "D"),
            np.datetime64(last.end_time.date(), "D"),
        )

    end = np.datetime64(period.end_time.date(), "D")
    window = np.timedelta64(WINDOW_DAYS, "D")
    january = pd.Period(year=period.year, month=1, freq="M")
    return {
        "this_month": days(period, period),
        "previous_month": days(period - 1, period - 1),
        "same_month_last_year": days(period - 12, period - 12),
        "last_28_days": (end - window + 1, end),
        "previous_28_days": (end - 2 * window + 1, end - window),
        "ytd": days(january, period),
        "ytd_last_year": days(january - 12, period - 12),
    }


def _finish_table(
    counts: dict[str, pd.Series],
    seen: pd.Series,
    categories: Iterable | None,
    min_base: float,
) -> pd.DataFrame:
    """Arrange the counts by category, add the total row and the comparisons."""
    if categories is None:
        order = sorted(pd.unique(seen.dropna()))
    else:
        order = list(categories)
    table = pd.DataFrame(
        {
            column: found.reindex(order, fill_value=0).to_numpy("int64")
            for column, found in counts.items()
        }
    )
    table.insert(0, "category", pd.Series(order, dtype=object))
    total = table.drop(columns="category").sum()
    table.loc[len(table)] = {"category": TOTAL, **total.to_dict()}
    for name, (current, base) in COMPARISONS.items():
        if current in table and base in table:
            _add_comparison(table, name, current, base, min_base)
    return table


def _add_comparison(
    table: pd.DataFrame, name: str, current: str, base: str, min_base: float
) -> None:
    results = [
        compare(now, then, min_base)
        for now, then in zip(table[current], table[base], strict=True)
    ]
    table[f"{name}_difference"] = [r.difference for r in results]
    table[f"{name}_score"] = [r.score for r in results]
    table[f"{name}_flag"] = [r.flag for r in results]
    table[f"{name}_percent"] = pd.Series([r.percent for r in results], dtype=object)
