"""Monthly trends: moving averages, the 13-month view and expected bands.

Monthly counts come as integer ``YYYYMM`` months, the form of the rollups. A
month missing from the counts had no incidents. Where the data start later than
a comparison needs, pass ``first_month``: months before it are unknown and give
``NaN`` rather than a zero that would look like no crime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, require_columns
from analysis.months import month_numbers, period_number, to_period

# English month names for sentences, independent of the server's locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ABOVE = "above"
BELOW = "below"


def moving_average(series: pd.Series, window: int = 3) -> pd.Series:
    """Compute the trailing moving average of consecutive monthly values.

    Each value is the mean of its month and the ``window - 1`` months before
    it, so the first ``window - 1`` values are ``NaN``, and so is any mean that
    takes in a ``NaN`` month.

    Parameters
    ----------
    series : pandas.Series
        One value per month, in month order, with no month left out (fill
        months without incidents with 0 first).
    window : int, default 3
        Months in each mean.

    Returns
    -------
    pandas.Series
        The means, on the index of ``series``.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise AnalysisError(
            f"window must be a whole number of months, 1 or more, but is {window!r}."
        )
    return series.astype(float).rolling(window, min_periods=window).mean()


def thirteen_month_comparison(
    monthly: pd.Series, end_month, first_month=None
) -> pd.DataFrame:
    """Set the 13 months to ``end_month`` beside the same months a year earlier.

    Parameters
    ----------
    monthly : pandas.Series
        Counts indexed by integer ``YYYYMM`` month. A month missing from the
        index counts zero. The 3-month averages of the earlier year need the 27
        months that end at ``end_month``.
    end_month : pandas.Period, int or str
        The last month shown.
    first_month : pandas.Period, int or str, optional
        The first month the data cover. Counts and averages that need an
        earlier month are ``NaN``. By default every month is covered.

    Returns
    -------
    pandas.DataFrame
        Thirteen rows, oldest first, with columns ``month`` (integer
        ``YYYYMM``), ``count``, ``year_before`` (the count 12 months earlier),
        ``difference`` (``count - year_before``), ``moving_average`` and
        ``moving_average_year_before`` (trailing 3-month means).
    """
    end = period_number(to_period(end_month))
    numbers = np.arange(end - 26, end + 1)
    counts = _complete(monthly, numbers, first_month)
    averages = moving_average(counts)
    table = pd.DataFrame(
        {
            "month": _yyyymm(numbers[-13:]),
            "count": counts.to_numpy()[-13:],
            "year_before": counts.to_numpy()[-25:-12],
            "moving_average": averages.to_numpy()[-13:],
            "moving_average_year_before": averages.to_numpy()[-25:-12],
        }
    )
    table.insert(3, "difference", table["count"] - table["year_before"])
    return table


def expected_band(
    monthly: pd.DataFrame,
    years_back: int = 3,
    z: float = 2.0,
    by: Sequence[str] = (),
    first_month=None,
    last_month=None,
) -> pd.DataFrame:
    """Compare each month's count with the count expected from earlier years.

    The expected count of a month is the mean of the same calendar month in
    the ``years_back`` previous years. The band is ``expected +/- z *
    sqrt(max(expected, 1))``, cut at 0 below: ``sqrt(expected)`` is the Poisson
    standard deviation, and the floor of 1 keeps a month expected to have no
    incidents from being flagged for a single one. A month is flagged
    ``"above"`` or ``"below"`` when its count lies outside the band. A month
    with fewer than ``years_back`` earlier years in the data has no band.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Columns ``month`` (integer ``YYYYMM``), ``count`` and the columns named
        in ``by``. Rows with the same month and group are added up, and a month
        missing for a group counts zero.
    years_back : int, default 3
        Earlier years averaged for the expected count.
    z : float, default 2.0
        Half-width of the band in Poisson standard deviations.
    by : sequence of str, default ()
        Columns that split the counts into groups, such as ``("category",)``.
    first_month, last_month : pandas.Period, int or str, optional
        The months the data cover. By default the first and last month in
        ``monthly``.

    Returns
    -------
    pandas.DataFrame
        One row per month and per group found in ``monthly``, ordered by the
        ``by`` columns then month, with
        the ``by`` columns, ``month``, ``count``, ``expected``, ``lower``,
        ``upper`` (``NaN`` without a band) and ``flag`` (``"above"``,
        ``"below"`` or ``None``).

    Raises
    ------
    MissingColumns
        If ``monthly`` lacks a column.
    AnalysisError
        If ``monthly`` is empty and no months are given, or ``years_back`` or
        ``z`` is not positive.
    """
    by = list(by)
    require_columns(monthly, ["month", "count", *by], "monthly")
    _check_band_settings(years_back, z)
    numbers = _span(monthly, first_month, last_month)
    wide = _wide_counts(monthly, by, numbers)

    history = [wide.shift(12 * year) for year in range(1, years_back + 1)]
    expected = sum(history) / years_back
    half = z * np.sqrt(np.maximum(expected, 1.0))
    table = pd.DataFrame(
        {
            "count": _stack(wide),
            "expected": _stack(expected),
            "lower": _stack(np.maximum(expected - half, 0.0)),
            "upper": _stack(expected + half),
        }
    )
    return _band_table(table, by)


def describe_flags(
    flags: pd.DataFrame,
    category_names: Mapping | None,
    area_name: str,
    all_label: str = "All offences",
) -> list[str]:
    """Write one plain sentence for each flagged month.

    For example: "Burglary in Castries North, March 2024: 41 incidents,
    expected 25 (band 15 to 35)."

    Parameters
    ----------
    flags : pandas.DataFrame
        Rows of ``expected_band``; rows whose ``flag`` is ``None`` are skipped.
    category_names : mapping or None
        Name of each value of the ``category`` column; a value missing from it
        is shown as it is.
    area_name : str
        Name of the area counted, such as a station.
    all_label : str, default "All offences"
        Name used when ``flags`` has no ``category`` column.

    Returns
    -------
    list of str
        Sentences in the order of ``flags``. Expected counts and band edges are
        shown whole when within 0.05 of a whole number, else to one decimal.
    """
    require_columns(
        flags, ("month", "count", "expected", "lower", "upper", "flag"), "flags"
    )
    names = category_names or {}
    sentences = []
    for row in flags[flags["flag"].notna()].itertuples(index=False):
        category = getattr(row, "category", None)
        label = all_label if category is None else names.get(category, category)
        sentences.append(
            f"{label} in {area_name}, {_month_text(row.month)}: "
            f"{_incidents_text(row.count)}, expected {_number(row.expected)} "
            f"(band {_number(row.lower)} to {_number(row.upper)})."
        )
    return sentences


def _complete(monthly: pd.Series, numbers: np.ndarray, first_month) -> pd.Series:
    """Return counts for ``numbers`` (months since year 0), NaN before the data."""
    known = pd.Series(
        monthly.to_numpy(dtype=float), index=month_numbers(monthly.index.to_numpy())
    )
    known = known.groupby(level=0).sum()
    counts = known.reindex(numbers, fill_value=0.0)
    if first_month is not None:
        counts[numbers < period_number(to_period(first_month))] = np.nan
    return counts.reset_index(drop=True)


def _yyyymm(numbers: np.ndarray) -> np.ndarray:
    return (numbers // 12) * 100 + numbers % 12 + 1


def _check_band_settings(years_back: int, z: float) -> None:
    if (
        isinstance(years_back, bool)
        or not isinstance(years_back, int)
        or (years_back < 1)
    ):
        raise AnalysisError(
            f"years_back must be a whole number of years, 1 or "
            f"more, but is {years_back!r}."
        )
    if not z > 0:
        raise AnalysisError(f"z must be a positive number, but is {z!r}.")


def _span(monthly: pd.DataFrame, first_month, last_month) -> np.ndarray:
    """Return every month of the data as months since year 0."""
    numbers = month_numbers(monthly["month"].to_numpy())
    if first_month is None or last_month is None:
        if not len(numbers):
            raise AnalysisError(
                "monthly is empty; pass first_month and last_month to say which "
                "months had no incidents."
            )
    first = (
        numbers.min() if first_month is None else period_number(to_period(first_month))
    )
    last = numbers.max() if last_month is None else period_number(to_period(last_month))
    return np.arange(first, last + 1)


def _wide_counts(
    monthly: pd.DataFrame, by: list[str], numbers: np.ndarray
) -> pd.DataFrame:
    """Return counts with one row per month of ``numbers`` and a column per group."""
    frame = monthly.assign(number=month_numbers(monthly["month"].to_numpy()))
    frame = frame[frame["number"].between(numbers[0], numbers[-1])]
    if by:
        wide = frame.pivot_table(
            index="number",
            columns=by,
            values="count",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
    else:
        wide = frame.groupby("number")["count"].sum().to_frame("all")
    return wide.reindex(numbers, fill_value=0).astype(float)


def _stack(wide: pd.DataFrame) -> pd.Series:
    """Stack every column level, so each group and month becomes one row."""
    return wide.stack(list(range(wide.columns.nlevels)), future_stack=True)


def _band_table(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Turn the stacked band columns into the documented result frame."""
    table = table.reset_index()
    table = table.rename(columns={table.columns[0]: "number"})
    if not by:
        table = table.drop(columns=table.columns[1])
    table["month"] = _yyyymm(table["number"].to_numpy())
    table["count"] = table["count"].astype("int64")
    flag = np.where(
        table["count"] > table["upper"],
        ABOVE,
        np.where(table["count"] < table["lower"], BELOW, None),
    )
    table["flag"] = pd.Series(flag, dtype=object)
    table = table.sort_values([*by, "number"], kind="stable")
    columns = [*by, "month", "count", "expected", "lower", "upper", "flag"]
    return table[columns].reset_index(drop=True)


def _month_text(yyyymm: int) -> str:
    return f"{MONTH_NAMES[yyyymm % 100 - 1]} {yyyymm // 100}"


def _incidents_text(count: int) -> str:
    return "1 incident" if count == 1 else f"{count} incidents"


def _number(value: float) -> str:
    if abs(value - round(value)) < 0.05:
        return str(int(round(value)))
    return f"{value:.1f}"
