"""Country-wide measures of the Strategy view: stations, youth, firearms, quality.

Pure functions on the monthly rollup frames. Months are integer ``YYYYMM``
values. Counts over several months are summed over 12-month periods that end at
the month read, so that every period holds each calendar month once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis import compstat
from analysis.errors import AnalysisError, require_columns
from analysis.months import month_numbers
from analysis.trends import MONTH_NAMES

# Age bands of the rollups that make up each youth band, by setting value.
YOUTH_BANDS = {
    "10-29": ("10-14", "15-17", "18-24", "25-29"),
    "15-24": ("15-17", "18-24"),
    "15-29": ("15-17", "18-24", "25-29"),
}
YOUTH_LABELS = {
    "10-29": "aged 10 to 29",
    "15-24": "aged 15 to 24",
    "15-29": "aged 15 to 29",
}
DEFAULT_YOUTH_BAND = "10-29"

# Delay bands of ``rollup_quality``, shortest first: (column, label).
DELAY_BANDS = (
    ("delay_days_0", "same day"),
    ("delay_days_1", "1 day"),
    ("delay_days_2_7", "2 to 7 days"),
    ("delay_days_8_30", "8 to 30 days"),
    ("delay_days_31_plus", "31 days or more"),
)

# Share of incidents with usable coordinates that a station should reach.
COORDINATE_TARGET = 0.85

RATE_BASE = 10_000

SHARE_COLUMNS = (
    "with_coordinates",
    "mapping_coverage",
    "victim_age_complete",
    "victim_sex_complete",
)

QUALITY_COLUMNS = (
    "incidents",
    "without_coordinates",
    "offences",
    "unmapped_offences",
    "victims",
    "victims_missing_age",
    "victims_missing_sex",
    *(column for column, _ in DELAY_BANDS),
)


def month_text(month: int) -> str:
    """Return a ``YYYYMM`` month in words, such as ``"March 2024"``."""
    return f"{MONTH_NAMES[month % 100 - 1]} {month // 100}"


def period_index(months, end_month: int) -> np.ndarray:
    """Return the 12-month period of each month, counted back from ``end_month``.

    Period 0 holds ``end_month`` and the 11 months before it, period 1 the 12
    months before those, and so on; months after ``end_month`` get -1.
    """
    gap = month_numbers([end_month])[0] - month_numbers(months)
    return np.where(gap < 0, -1, gap // 12)


def rate_per(count: float, population: float, base: int = RATE_BASE) -> float | None:
    """Return ``count`` per ``base`` people, or ``None`` without a population.

    Raises
    ------
    AnalysisError
        If ``count`` or ``population`` is negative.
    """
    if count < 0 or (population is not None and population < 0):
        raise AnalysisError(
            f"count {count!r} and population {population!r} must not be negative."
        )
    if population is None or math.isnan(population) or population == 0:
        return None
    return base * count / population


def station_table(
    stations: pd.DataFrame,
    counts: pd.DataFrame,
    populations: pd.DataFrame,
    quality: pd.DataFrame,
    month: int,
) -> pd.DataFrame:
    """Compare every station's month and 12 months with a year earlier.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``id``, ``code``, ``name`` and ``division_name``: every station
        listed, with or without counts.
    counts : pandas.DataFrame
        Columns ``station_id``, ``month`` and ``count``, covering the 24 months
        that end at ``month``; a missing month counts zero.
    populations : pandas.DataFrame
        Columns ``code``, ``year``, ``population`` and ``is_estimate``; a station
        without a row gets no rate.
    quality : pandas.DataFrame
        Columns ``station_id``, ``incidents`` and ``without_coordinates`` over
        the 12 months that end at ``month`` (incidents by month occurred).
    month : int
        The month read, ``YYYYMM``.

    Returns
    -------
    pandas.DataFrame
        One row per station, in the order of ``stations``, with ``count``
        (the month), ``previous`` (the same month a year earlier), ``score``
        and ``flag`` (Poisson change score and its level 0, 2 or 3),
        ``twelve_months``, ``twelve_months_before``, ``score_12``,
        ``flag_12``, ``rate`` (12-month count per 10,000 people),
        ``population``, ``population_year``, ``is_estimate`` and
        ``with_coordinates`` (share 0 to 1, ``None`` without incidents).
    """
    require_columns(counts, ("station_id", "month", "count"), "counts")
    table = stations[["id", "code", "name", "division_name"]].copy()
    table = _add_periods(table, counts, month)
    table = _add_scores(table)
    table = _add_rates(table, populations)
    return _add_coordinates(table, quality)


def month_changes(
    stations: pd.DataFrame, counts: pd.DataFrame, month: int
) -> pd.DataFrame:
    """Compare every station's month with the same month a year earlier.

    The ``count``, ``previous``, ``score`` and ``flag`` columns of
    ``station_table``, for callers that need no 12-month figures.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``id``, ``code``, ``name`` and ``division_name``.
    counts : pandas.DataFrame
        Columns ``station_id``, ``month`` and ``count`` of at least ``month``
        and the month a year earlier; a missing month counts zero.
    month : int
        The month read, ``YYYYMM``.
    """
    require_columns(counts, ("station_id", "month", "count"), "counts")
    table = stations[["id", "code", "name", "division_name"]].copy()
    months = counts["month"].to_numpy()
    values = counts["count"].to_numpy(dtype=float)
    ids, station_ids = table["id"].to_numpy(), counts["station_id"].to_numpy()
    for column, chosen in (("count", month), ("previous", month - 100)):
        sums = _sums_by_station(ids, station_ids, np.where(months == chosen, values, 0))
        table[column] = sums.astype("int64")
    table["score"] = [
        compstat.change_score(a, b)
        for a, b in zip(table["count"], table["previous"], strict=True)
    ]
    table["flag"] = [compstat.flag_level(value) for value in table["score"]]
    return table


def _add_periods(table: pd.DataFrame, counts: pd.DataFrame, month: int):
    months = counts["month"].to_numpy()
    values = counts["count"].to_numpy(dtype=float)
    period = period_index(months, month)
    masks = {
        "count": months == month,
        "previous": months == month - 100,
        "twelve_months": period == 0,
        "twelve_months_before": period == 1,
    }
    ids, stations = table["id"].to_numpy(), counts["station_id"].to_numpy()
    for column, mask in masks.items():
        sums = _sums_by_station(ids, stations, np.where(mask, values, 0.0))
        table[column] = sums.astype("int64")
    return table


def _sums_by_station(ids, station_ids, values) -> np.ndarray:
    """Return the sum of ``values`` over the rows of each station in ``ids``.

    A station without rows sums to 0; rows of stations not in ``ids`` are left
    out. The sums are floats, exact for whole counts below 2**53.
    """
    positions = pd.Index(ids).get_indexer(station_ids)
    found = positions >= 0
    weights = np.asarray(values, dtype=float)[found]
    return np.bincount(positions[found], weights=weights, minlength=len(ids))


def _add_scores(table: pd.DataFrame) -> pd.DataFrame:
    pairs = (
        ("score", "count", "previous"),
        ("score_12", "twelve_months", "twelve_months_before"),
    )
    for score, current, previous in pairs:
        table[score] = [
            compstat.change_score(a, b)
            for a, b in zip(table[current], table[previous], strict=True)
        ]
        flag = "flag" if score == "score" else "flag_12"
        table[flag] = [compstat.flag_level(value) for value in table[score]]
    return table


def _add_rates(table: pd.DataFrame, populations: pd.DataFrame) -> pd.DataFrame:
    found = populations.set_index("code")
    table["population"] = table["code"].map(found["population"])
    table["population_year"] = table["code"].map(found["year"])
    is_estimate = table["code"].map(found["is_estimate"]).astype("boolean")
    table["is_estimate"] = is_estimate.fillna(False).astype(bool)
    rates = [
        rate_per(count, None if pd.isna(population) else population)
        for count, population in zip(
            table["twelve_months"], table["population"], strict=True
        )
    ]
    table["rate"] = pd.Series(rates, index=table.index, dtype=object)
    return table


def _add_coordinates(table: pd.DataFrame, quality: pd.DataFrame) -> pd.DataFrame:
    ids, stations = table["id"].to_numpy(), quality["station_id"].to_numpy()
    incidents = pd.Series(
        _sums_by_station(ids, stations, quality["incidents"]), index=table.index
    )
    missing = _sums_by_station(ids, stations, quality["without_coordinates"])
    share = (incidents - missing) / incidents.where(incidents > 0)
    table["with_coordinates"] = share.astype(object).where(share.notna(), None)
    return table


def youth_summary(
    persons: pd.DataFrame, band: str, end_month: int, periods: int = 10
) -> pd.DataFrame:
    """Count victims and suspects by sex, in and out of a youth band, by period.

    Parameters
    ----------
    persons : pandas.DataFrame
        Columns ``month``, ``person_role`` (``victim`` or ``suspect``), ``sex``
        (``M``, ``F`` or ``unknown``), ``age_band`` and ``persons``.
    band : str
        A key of ``YOUTH_BANDS``.
    end_month : int
        Last month of period 0.
    periods : int, default 10
        12-month periods kept, newest first.

    Returns
    -------
    pandas.DataFrame
        One row per period, role and sex found, with ``period`` (0 newest),
        ``end_month``, ``person_role``, ``sex``, ``youth`` (persons in the
        band), ``known_age`` (persons whose age band is known) and ``total``.

    Raises
    ------
    AnalysisError
        If ``band`` is not a youth band.
    """
    require_columns(
        persons, ("month", "person_role", "sex", "age_band", "persons"), "persons"
    )
    members = set(youth_bands(band))
    rows = zip(
        period_index(persons["month"].to_numpy(), end_month).tolist(),
        persons["person_role"].tolist(),
        persons["sex"].tolist(),
        persons["age_band"].tolist(),
        persons["persons"].tolist(),
        strict=True,
    )
    sums: dict[tuple, list[int]] = {}
    for period, role, sex, age_band, count in rows:
        if 0 <= period < periods:
            found = sums.setdefault((period, role, sex), [0, 0, 0])
            found[0] += count if age_band in members else 0
            found[1] += count if age_band != "unknown" else 0
            found[2] += count
    keys = ["period", "person_role", "sex"]
    return _period_table(sums, keys, ["youth", "known_age", "total"], end_month)


def _period_table(
    sums: dict, keys: list[str], values: list[str], end_month: int
) -> pd.DataFrame:
    """Return sums keyed by ``(period, ...)`` as rows in key order, with end months.

    ``keys`` and ``values`` name the parts of each key and sum; ``end_month``,
    the last month of each period, is the second column. Counts are ``int64``.
    """
    ordered = sorted(sums)
    rows = [(*key, *sums[key]) for key in ordered]
    table = pd.DataFrame(rows, columns=[*keys, *values])
    table.insert(1, "end_month", [_shift(end_month, -12 * key[0]) for key in ordered])
    return table.astype({name: "int64" for name in ("period", *values)})


def youth_bands(band: str) -> tuple[str, ...]:
    """Return the rollup age bands that make up youth band ``band``."""
    try:
        return YOUTH_BANDS[band]
    except KeyError:
        raise AnalysisError(
            f"youth band {band!r} is unknown; use one of {sorted(YOUTH_BANDS)}."
        ) from None


def firearm_shares(
    counts: pd.DataFrame, end_month: int, periods: int = 10
) -> pd.DataFrame:
    """Return the firearm share of incidents by ICCS code and 12-month period.

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``month``, ``code``, ``incidents`` and ``firearm_incidents``.

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``end_month``, ``code``, ``incidents``,
        ``firearm_incidents`` and ``share`` (``None`` without incidents),
        newest period first.
    """
    require_columns(
        counts, ("month", "code", "incidents", "firearm_incidents"), "counts"
    )
    rows = zip(
        period_index(counts["month"].to_numpy(), end_month).tolist(),
        counts["code"].tolist(),
        counts["incidents"].tolist(),
        counts["firearm_incidents"].tolist(),
        strict=True,
    )
    sums: dict[tuple, list[int]] = {}
    for period, code, incidents, firearm in rows:
        if 0 <= period < periods:
            found = sums.setdefault((period, code), [0, 0])
            found[0] += incidents
            found[1] += firearm
    values = ["incidents", "firearm_incidents"]
    table = _period_table(sums, ["period", "code"], values, end_month)
    shares = table["firearm_incidents"] / table["incidents"].where(
        table["incidents"] > 0
    )
    table["share"] = shares.astype(object).where(shares.notna(), None)
    return table


def median_delay_band(counts: Mapping[str, float]) -> str | None:
    """Return the label of the delay band that holds the median delay.

    The median is the lower median: of ``n`` known delays sorted, the one at
    position ``ceil(n / 2)``. Delays whose time of recording is unknown are
    left out.

    Parameters
    ----------
    counts : mapping
        Count of incidents in each delay column of ``DELAY_BANDS``.

    Returns
    -------
    str or None
        A label of ``DELAY_BANDS``, or ``None`` when no delay is known.
    """
    values = [float(counts.get(column, 0) or 0) for column, _ in DELAY_BANDS]
    known = sum(values)
    if known == 0:
        return None
    position = math.ceil(known / 2)
    cumulative = np.cumsum(values)
    index = int(np.searchsorted(cumulative, position))
    return DELAY_BANDS[index][1]


def months_without_records(months_with_records: Sequence[int], span: Sequence[int]):
    """Return the months of ``span`` that have no records, as runs.

    Returns
    -------
    list of tuple
        ``(first, last)`` of each run of consecutive months without records,
        oldest first.
    """
    have = set(int(month) for month in months_with_records)
    runs: list[tuple[int, int]] = []
    for month in span:
        if month in have:
            continue
        if runs and _shift(runs[-1][1], 1) == month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def quality_table(
    stations: pd.DataFrame, quality: pd.DataFrame, span: Sequence[int]
) -> pd.DataFrame:
    """Return the data-quality measures of every station over ``span``.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``id``, ``code``, ``name`` and ``division_name``.
    quality : pandas.DataFrame
        Rows of ``rollup_quality`` (``station_id``, ``month`` and the columns of
        ``QUALITY_COLUMNS``) for the months of ``span``.
    span : sequence of int
        The months measured, oldest first.

    Returns
    -------
    pandas.DataFrame
        One row per station with ``incidents``, ``with_coordinates`` (share of
        incidents with usable coordinates), ``mapping_coverage`` (1 - unmapped
        offences / offences), ``victim_age_complete`` and
        ``victim_sex_complete`` (shares of victims whose age or sex is
        recorded), ``median_delay`` (a delay band label), and
        ``months_without_records`` (runs of ``(first, last)`` months). A share
        is ``None`` when its base is zero.
    """
    require_columns(quality, ("station_id", "month", *QUALITY_COLUMNS), "quality")
    sums = quality.groupby("station_id")[list(QUALITY_COLUMNS)].sum()
    # Plain dicts, because a Series lookup per station and column is slow.
    by_station = dict(zip(sums.index, sums.to_dict("records"), strict=True))
    months: dict = {}
    for station_id, month, incidents in zip(
        quality["station_id"], quality["month"], quality["incidents"], strict=True
    ):
        if incidents > 0:
            months.setdefault(station_id, []).append(month)
    rows = []
    for station in stations.itertuples(index=False):
        counts = by_station.get(station.id, {})
        recorded = months.get(station.id, [])
        rows.append(
            {
                "id": station.id,
                "code": station.code,
                "name": station.name,
                "division_name": station.division_name,
                **quality_measures(counts),
                "months_without_records": months_without_records(recorded, span),
            }
        )
    table = pd.DataFrame(rows)
    for column in SHARE_COLUMNS:
        if column in table:
            shares = table[column].astype(object)
            table[column] = shares.where(table[column].notna(), None)
    return table


def quality_measures(counts: Mapping[str, float]) -> dict:
    """Return the shares and median delay band of one station's summed counts."""

    def value(column: str) -> float:
        return float(counts.get(column, 0) or 0) if len(counts) else 0.0

    def complement(part: str, whole: str) -> float | None:
        return 1 - value(part) / value(whole) if value(whole) else None

    return {
        "incidents": int(value("incidents")),
        "with_coordinates": complement("without_coordinates", "incidents"),
        "mapping_coverage": complement("unmapped_offences", "offences"),
        "victim_age_complete": complement("victims_missing_age", "victims"),
        "victim_sex_complete": complement("victims_missing_sex", "victims"),
        "median_delay": median_delay_band(counts) if len(counts) else None,
    }


def describe_band_flags(
    flags: pd.DataFrame,
    category_names: Mapping[str, str],
    area_name: str,
    unit: str,
) -> list[str]:
    """Write one sentence per flagged month, newest first, naming the unit.

    For example: "Burglary, North division, March 2024: 41 incidents, above the
    expected 25 (band 15 to 35)."

    Parameters
    ----------
    flags : pandas.DataFrame
        Rows of ``analysis.trends.expected_band`` with a ``category`` column.
    category_names : mapping
        Name of each category; a missing one is shown as its code.
    area_name : str
        The area counted, such as ``"Saint Lucia"``.
    unit : str
        Counting unit in the plural, such as ``"incidents"``.
    """
    flagged = flags[flags["flag"].notna()].sort_values(
        ["month", "category"], ascending=[False, True]
    )
    sentences = []
    for row in flagged.itertuples(index=False):
        name = category_names.get(row.category, row.category)
        sentences.append(
            f"{name}, {area_name}, {month_text(row.month)}: "
            f"{row.count} {unit if row.count != 1 else unit[:-1]}, "
            f"{row.flag} the expected {_number(row.expected)} "
            f"(band {_number(row.lower)} to {_number(row.upper)})."
        )
    return sentences


def _number(value: float) -> str:
    if abs(value - round(value)) < 0.05:
        return str(int(round(value)))
    return f"{value:.1f}"


def _shift(month: int, months: int) -> int:
    index = (month // 100) * 12 + month % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1
