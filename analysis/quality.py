"""Data quality measures of the records, from per-station monthly counts.

The input has the columns of the warehouse's ``rollup_quality`` table: one row
per station and month (integer ``YYYYMM``) with counts of incidents, of those
without coordinates, of offences and unmapped offences, of victims and those
missing an age or sex, of late entries, and of incidents by recording delay
band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, require_columns
from analysis.months import month_numbers, period_number, to_period

# Share of incidents with coordinates that a station should reach; pages draw
# it as a target line.
COORDINATE_TARGET = 0.85

# Delay from occurrence to recording: rollup column -> label, shortest first.
DELAY_BANDS = {
    "delay_days_0": "same day",
    "delay_days_1": "1 day",
    "delay_days_2_7": "2 to 7 days",
    "delay_days_8_30": "8 to 30 days",
    "delay_days_31_plus": "31 days or more",
}

COUNT_COLUMNS = (
    "incidents",
    "without_coordinates",
    "offences",
    "unmapped_offences",
    "victims",
    "victims_missing_age",
    "victims_missing_sex",
    "recorded_late",
    *DELAY_BANDS,
    "delay_unknown",
)

LEADING = "leading"
TRAILING = "trailing"
INNER = "inner"
WHOLE = "whole"


def share(part: float, whole: float) -> float | None:
    """Return ``part / whole``, or ``None`` when ``whole`` is 0."""
    if part < 0 or whole < 0 or part > whole:
        raise AnalysisError(
            f"part {part!r} and whole {whole!r} must be counts with part at most whole."
        )
    return None if whole == 0 else part / whole


def median_delay_band(counts: Mapping[str, float]) -> str | None:
    """Return the label of the delay band that contains the median delay.

    The median is the lower middle value of the incidents with a known delay:
    with ``n`` of them, the ``ceil(n / 2)``-th shortest. Incidents of unknown
    delay are left out.

    Parameters
    ----------
    counts : mapping
        Incidents per delay band, keyed by the columns of ``DELAY_BANDS``; a
        row of the quality frame will do.

    Returns
    -------
    str or None
        A label of ``DELAY_BANDS``, or ``None`` when no delay is known.
    """
    values = np.array([float(counts[column]) for column in DELAY_BANDS])
    known = values.sum()
    if known == 0:
        return None
    position = math.ceil(known / 2)
    band = int(np.searchsorted(np.cumsum(values), position, side="left"))
    return list(DELAY_BANDS.values())[band]


def quality_summary(
    quality: pd.DataFrame, by: Sequence[str] = ("station_id",)
) -> pd.DataFrame:
    """Summarise record quality per group over all months of ``quality``.

    Parameters
    ----------
    quality : pandas.DataFrame
        Rows of ``rollup_quality``, with every column of ``COUNT_COLUMNS`` and
        those named in ``by``.
    by : sequence of str, default ("station_id",)
        Columns to group by; an empty sequence gives one row for all.

    Returns
    -------
    pandas.DataFrame
        One row per group with the ``by`` columns, the summed counts, and:
        ``share_with_coordinates`` (incidents with coordinates / incidents),
        ``meets_coordinate_target`` (that share at least
        ``COORDINATE_TARGET``), ``mapping_coverage`` (offences mapped to ICCS
        / offences), ``victim_age_complete`` and ``victim_sex_complete``
        (victims with the field / victims), ``late_share`` (late entries /
        incidents) and ``median_delay_band``. A share whose denominator is 0
        is ``None`` and so is its target check.
    """
    by = list(by)
    require_columns(quality, [*COUNT_COLUMNS, *by], "quality")
    if by:
        sums = quality.groupby(by, sort=True)[list(COUNT_COLUMNS)].sum().reset_index()
    else:
        sums = quality[list(COUNT_COLUMNS)].sum().to_frame().T
    measures = [_measures(row) for row in sums.to_dict("records")]
    for name in _MEASURES:
        values = [measure[name] for measure in measures]
        sums[name] = pd.Series(values, index=sums.index, dtype=object)
    return sums[[*by, *COUNT_COLUMNS, *_MEASURES]]


def activity_gaps(
    quality: pd.DataFrame,
    first_month,
    last_month,
    by: str = "station_id",
    stations: Iterable | None = None,
) -> pd.DataFrame:
    """List the runs of months with no incidents recorded, per station.

    A month with no row, or a row with 0 incidents, counts as empty. A run at
    the start of the span is ``"leading"`` (the station had not yet started
    using the system), one at the end ``"trailing"`` (it stopped, or has not
    sent its latest records), one between records ``"inner"``, and a span with
    no records at all ``"whole"``.

    Parameters
    ----------
    quality : pandas.DataFrame
        Columns ``month`` (integer ``YYYYMM``), ``incidents`` and ``by``.
    first_month, last_month : pandas.Period, int or str
        The span examined, both included.
    by : str, default "station_id"
        Column of the station.
    stations : iterable, optional
        Stations to examine, including any with no rows at all; by default
        those in ``quality``.

    Returns
    -------
    pandas.DataFrame
        One row per run with columns ``by``, ``first_month`` and
        ``last_month`` (integer ``YYYYMM``), ``months`` (run length) and
        ``kind``, ordered by station and month.
    """
    require_columns(quality, ("month", "incidents", by), "quality")
    first = period_number(to_period(first_month))
    last = period_number(to_period(last_month))
    if last < first:
        raise AnalysisError(
            f"last_month {last_month!r} is before first_month {first_month!r}."
        )
    numbers = month_numbers(quality["month"].to_numpy())
    active = quality[
        (quality["incidents"] > 0) & (numbers >= first) & (numbers <= last)
    ]
    active_months = active.groupby(by)["month"].apply(
        lambda months: set(month_numbers(months.to_numpy()).tolist())
    )
    if stations is None:
        stations = sorted(pd.unique(quality[by]))
    rows = []
    for station in stations:
        months = active_months.get(station, set())
        rows.extend(_runs(station, months, first, last, by))
    return pd.DataFrame(
        rows, columns=[by, "first_month", "last_month", "months", "kind"]
    )


_MEASURES = (
    "share_with_coordinates",
    "meets_coordinate_target",
    "mapping_coverage",
    "victim_age_complete",
    "victim_sex_complete",
    "late_share",
    "median_delay_band",
)


def _measures(row: Mapping[str, float]) -> dict:
    incidents = row["incidents"]
    located = share(incidents - row["without_coordinates"], incidents)
    return {
        "share_with_coordinates": located,
        "meets_coordinate_target": None
        if located is None
        else located >= COORDINATE_TARGET,
        "mapping_coverage": share(
            row["offences"] - row["unmapped_offences"], row["offences"]
        ),
        "victim_age_complete": share(
            row["victims"] - row["victims_missing_age"], row["victims"]
        ),
        "victim_sex_complete": share(
            row["victims"] - row["victims_missing_sex"], row["victims"]
        ),
        "late_share": share(row["recorded_late"], incidents),
        "median_delay_band": median_delay_band(row),
    }


def _runs(station, active: set[int], first: int, last: int, by: str) -> list[dict]:
    """Return the runs of months from ``first`` to ``last`` not in ``active``."""
    runs = []
    start = None
    for number in range(first, last + 2):
        empty = number <= last and number not in active
        if empty and start is None:
            start = number
        elif not empty and start is not None:
            runs.append((start, number - 1))
            start = None
    return [
        {
            by: station,
            "first_month": _yyyymm(run_first),
            "last_month": _yyyymm(run_last),
            "months": run_last - run_first + 1,
            "kind": _kind(run_first, run_last, first, last),
        }
        for run_first, run_last in runs
    ]


def _kind(run_first: int, run_last: int, first: int, last: int) -> str:
    if run_first == first and run_last == last:
        return WHOLE
    if run_first == first:
        return LEADING
    if run_last == last:
        return TRAILING
    return INNER


def _yyyymm(number: int) -> int:
    return (number // 12) * 100 + number % 12 + 1
