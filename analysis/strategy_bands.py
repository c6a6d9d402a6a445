"""Expected bands of many monthly series at once, for the Strategy view's trends.

``analysis.trends.expected_band`` and ``moving_average`` work on one long frame
through a pivot, shifts and a stack, which took longer than reading the counts.
``category_bands`` applies the same rules to a months-by-categories array:

- the expected count of a month is the mean of the same calendar month in the
  ``years_back`` previous years, and is missing while one of them is before the
  first month;
- the band is ``expected ± z √max(expected, 1)``, cut at 0 below;
- a month is flagged ``"above"`` or ``"below"`` when its count lies outside;
- the moving average is the mean of the month and the two before it.

Counts are whole numbers, so every sum is exact in floating point and the
results equal those of the ``analysis.trends`` functions to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import require_columns
from analysis.months import month_numbers
from analysis.trends import ABOVE, BELOW

MOVING_AVERAGE_MONTHS = 3


def category_bands(
    grouped: pd.DataFrame,
    categories: Sequence[str],
    first_month: int,
    last_month: int,
    years_back: int = 3,
    z: float = 2.0,
) -> pd.DataFrame:
    """Return each category's counts with their expected band and moving average.

    Parameters
    ----------
    grouped : pandas.DataFrame
        Columns ``category``, ``month`` (``YYYYMM``) and ``count``; rows with
        the same category and month are added up, and a missing month counts 0.
    categories : sequence of str
        Categories in the order wanted; each gets rows even without counts.
        Other categories found in ``grouped`` follow, in sorted order.
    first_month, last_month : int
        The months covered, ``YYYYMM``; rows outside are left out.
    years_back : int, default 3
        Earlier years averaged for the expected count.
    z : float, default 2.0
        Half-width of the band in Poisson standard deviations.

    Returns
    -------
    pandas.DataFrame
        One row per category and month, ordered by category then month, with
        ``category``, ``month``, ``count``, ``expected``, ``lower``, ``upper``
        (``NaN`` without a band), ``flag`` (``"above"``, ``"below"`` or
        ``None``) and ``moving_average``.
    """
    require_columns(grouped, ("category", "month", "count"), "grouped")
    numbers = np.arange(
        month_numbers([first_month])[0], month_numbers([last_month])[0] + 1
    )
    inside = grouped[grouped["month"].between(first_month, last_month)]
    columns = _columns(inside["category"], categories)
    counts = _counts_array(inside, numbers, columns)
    expected = _expected(counts, years_back)
    half = z * np.sqrt(np.maximum(expected, 1.0))
    lower = np.maximum(expected - half, 0.0)
    upper = expected + half
    flags = np.where(counts > upper, ABOVE, np.where(counts < lower, BELOW, None))
    months = (numbers // 12) * 100 + numbers % 12 + 1
    return pd.DataFrame(
        {
            "category": np.repeat(columns, len(numbers)),
            "month": np.tile(months, len(columns)),
            "count": counts.T.ravel().astype("int64"),
            "expected": expected.T.ravel(),
            "lower": lower.T.ravel(),
            "upper": upper.T.ravel(),
            "flag": pd.Series(flags.T.ravel(), dtype=object),
            "moving_average": _moving_average(counts).T.ravel(),
        }
    )


def _columns(found: pd.Series, categories: Sequence[str]) -> list[str]:
    others = sorted(set(found) - set(categories))
    return [*dict.fromkeys(categories), *others]


def _counts_array(frame: pd.DataFrame, numbers: np.ndarray, columns: list[str]):
    """Return counts as floats, one row per month of ``numbers``, a column each."""
    counts = np.zeros((len(numbers), len(columns)))
    rows = month_numbers(frame["month"].to_numpy()) - numbers[0]
    position = {category: i for i, category in enumerate(columns)}
    cols = np.array([position[category] for category in frame["category"]], dtype=int)
    np.add.at(counts, (rows, cols), frame["count"].to_numpy(dtype=float))
    return counts


def _expected(counts: np.ndarray, years_back: int) -> np.ndarray:
    """Return the mean of the same month in earlier years, NaN without them all."""
    total = np.zeros_like(counts)
    for year in range(1, years_back + 1):
        shifted = np.full_like(counts, np.nan)
        shifted[12 * year :] = counts[: len(counts) - 12 * year]
        total = total + shifted
    return total / years_back


def _moving_average(counts: np.ndarray) -> np.ndarray:
    window = MOVING_AVERAGE_MONTHS
    averages = np.full_like(counts, np.nan)
    if len(counts) >= window:
        sums = sum(counts[i : len(counts) - window + 1 + i] for i in range(window))
        averages[window - 1 :] = sums / window
    return averages
