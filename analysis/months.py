"""Calendar months as ``pandas.Period`` values, read from the forms callers use.

The warehouse rollups store a month as an integer ``YYYYMM``; the screens use
``"YYYY-MM"`` text. Functions in this package accept either, or a
``pandas.Period``, and work on monthly periods.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.errors import InvalidMonth


def to_period(month) -> pd.Period:
    """Read ``month`` as a monthly ``pandas.Period``.

    Parameters
    ----------
    month : pandas.Period, int, str or datetime.date
        A period (any frequency; its month is taken), an integer ``YYYYMM``
        such as ``202403``, text ``"YYYY-MM"`` such as ``"2024-03"``, or a date
        in the month.

    Returns
    -------
    pandas.Period
        The month, with frequency ``"M"``.

    Raises
    ------
    InvalidMonth
        If ``month`` is none of these forms or names no calendar month.
    """
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if isinstance(month, dt.date):
        return pd.Period(year=month.year, month=month.month, freq="M")
    if isinstance(month, (int, np.integer)) and not isinstance(month, bool):
        return _from_yyyymm(int(month))
    if isinstance(month, str) and len(month) == 7 and month[4] == "-":
        year, number = month[:4], month[5:]
        if year.isdigit() and number.isdigit():
            return _from_parts(int(year), int(number), month)
    raise InvalidMonth(
        f"month {month!r} is not a month; pass an integer YYYYMM such as 202403, "
        "text 'YYYY-MM' or a pandas.Period."
    )


def to_yyyymm(period: pd.Period) -> int:
    """Return a monthly period as the integer ``YYYYMM`` used by the rollups."""
    return period.year * 100 + period.month


def month_numbers(yyyymm) -> np.ndarray:
    """Return months since year 0 for integer ``YYYYMM`` values, for arithmetic.

    Consecutive months differ by 1, so ``month_numbers([202312, 202401])`` is
    ``[24287, 24288]``.
    """
    values = np.asarray(yyyymm, dtype="int64")
    return (values // 100) * 12 + values % 100 - 1


def period_number(period: pd.Period) -> int:
    """Return a monthly period as months since year 0, like ``month_numbers``."""
    return period.year * 12 + period.month - 1


def _from_yyyymm(value: int) -> pd.Period:
    return _from_parts(value // 100, value % 100, value)


def _from_parts(year: int, number: int, original) -> pd.Period:
    if not 1 <= number <= 12 or not 1000 <= year <= 9999:
        raise InvalidMonth(
            f"month {original!r} has year {year} and month number {number}; "
            "the month number must be 1 to 12 and the year have four digits."
        )
    return pd.Period(year=year, month=number, freq="M")
