"""Crime rates per head of population, smoothed and pooled rates, youth bands.

A rate on few events swings widely from one year to the next, so every rate
carries an ``unstable`` flag when it rests on ``UNSTABLE_COUNT`` events or
fewer. A page shows the flag beside the rate instead of a warning, because one
table contains many rates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, AnalysisWarning

# A rate on this many events or fewer is flagged as unstable.
UNSTABLE_COUNT = 20

PER_100K = 100_000
PER_10K = 10_000

# Age bands of the population and victim rollups, as the warehouse names them.
AGE_BANDS = ("0-9", "10-14", "15-17", "18-24", "25-29", "30-44", "45-59", "60+")

# Youth definitions: name -> (rollup age bands, label shown to users).
YOUTH_BANDS = {
    "10-29": (
        ("10-14", "15-17", "18-24", "25-29"),
        "Youth 10 to 29 (CARICOM and WHO)",
    ),
    "15-24": (("15-17", "18-24"), "Youth 15 to 24 (United Nations)"),
    "15-29": (("15-17", "18-24", "25-29"), "Youth 15 to 29 (Commonwealth)"),
}
DEFAULT_YOUTH_BAND = "10-29"


@dataclass(frozen=True)
class Rate:
    """A count per ``per`` people.

    Attributes
    ----------
    value
        ``count / population * per``, or ``None`` when the population is
        missing or 0.
    count, population, per
        The inputs.
    unstable
        Whether the count is ``UNSTABLE_COUNT`` or fewer.
    """

    value: float | None
    count: float
    population: float | None
    per: int
    unstable: bool


@dataclass(frozen=True)
class YouthBand:
    """A youth age range as a union of rollup age bands.

    Attributes
    ----------
    name
        The setting, such as ``"10-29"``.
    label
        Text for users, such as ``"Youth 10 to 29 (CARICOM and WHO)"``.
    bands
        The rollup age bands whose counts add up to the range.
    """

    name: str
    label: str
    bands: tuple[str, ...]


def rate_per(count: float, population: float | None, per: int = PER_100K) -> Rate:
    """Compute ``count`` per ``per`` people.

    Parameters
    ----------
    count : float
        Events in the period, 0 or more.
    population : float or None
        People at risk. ``None``, ``NaN`` and 0 give a rate of ``None``, so
        the function never divides by zero.
    per : int, default 100000
        Rate base, usually ``PER_100K`` or ``PER_10K``.

    Returns
    -------
    Rate

    Raises
    ------
    AnalysisError
        If ``count`` or ``population`` is negative or ``per`` is not positive.
    """
    _check_non_negative(count, "count")
    if not per > 0:
        raise AnalysisError(f"per must be positive, such as 100000, but is {per!r}.")
    unstable = count <= UNSTABLE_COUNT
    if population is None or _is_nan(population) or population == 0:
        return Rate(None, count, None, per, unstable)
    _check_non_negative(population, "population")
    return Rate(count / population * per, count, population, per, unstable)


def empirical_bayes_rates(counts, populations, per: int = PER_100K) -> pd.DataFrame:
    """Smooth area rates toward the overall rate (global empirical Bayes).

    The method of moments of Marshall (1991, Applied Statistics 40:283-294):
    with raw rates ``r_i = counts_i / pop_i``, the prior mean is ``m =
    sum(counts) / sum(pop)`` and the prior variance ``s2 = sum(pop_i * (r_i -
    m)**2) / sum(pop) - m / mean(pop)``, floored at 0. Each area's weight is
    ``w_i = s2 / (s2 + m / pop_i)`` and its smoothed rate ``w_i * r_i + (1 -
    w_i) * m``. Small areas, whose raw rates are noisy, move most toward
    ``m``.

    Parameters
    ----------
    counts, populations : array-like
        Events and people of each area, in the same order. A ``pandas.Series``
        keeps its index in the result.
    per : int, default 100000
        Rate base of the ``raw_rate`` and ``smoothed_rate`` columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``count``, ``population``, ``raw_rate``, ``smoothed_rate``,
        ``weight`` and ``unstable``. Its ``attrs`` contain ``prior_mean`` and
        ``prior_variance`` per person.

    Raises
    ------
    AnalysisError
        If the lengths differ, a population is missing or not positive, or a
        count is negative.

    Warns
    -----
    AnalysisWarning
        When the prior variance is floored at 0, so every area gets the
        overall rate: the areas differ no more than chance alone would make
        them.
    """
    frame = _areas(counts, populations)
    count = frame["count"].to_numpy(float)
    population = frame["population"].to_numpy(float)
    raw = count / population
    mean = count.sum() / population.sum()
    variance = (population * (raw - mean) ** 2).sum() / population.sum()
    variance -= mean / population.mean()
    if variance <= 0:
        warnings.warn(
            "The rates of the areas vary no more than chance would make them, so "
            "the prior variance is 0 and every smoothed rate equals the overall "
            "rate.",
            AnalysisWarning,
            stacklevel=2,
        )
        variance = 0.0
    weight = _weights(variance, mean, population)
    frame["raw_rate"] = raw * per
    frame["smoothed_rate"] = (weight * raw + (1 - weight) * mean) * per
    frame["weight"] = weight
    frame["unstable"] = count <= UNSTABLE_COUNT
    frame.attrs.update(prior_mean=float(mean), prior_variance=float(variance))
    return frame


def pooled_rate(
    counts_by_year: Mapping[int, float],
    population_by_year: Mapping[int, float],
    end_year: int,
    years: int = 3,
    per: int = PER_100K,
) -> Rate:
    """Compute the rate over ``years`` years pooled, ending with ``end_year``.

    The rate is the sum of the counts over the years divided by the sum of the
    populations over the same years (person-years), times ``per``. Pooling
    steadies the rate of a small area.

    Parameters
    ----------
    counts_by_year, population_by_year : mapping or pandas.Series
        Values keyed by year.
    end_year : int
        Last year pooled.
    years : int, default 3
        Years pooled, ending with ``end_year``.
    per : int, default 100000
        Rate base.

    Returns
    -------
    Rate
        ``count`` and ``population`` are the pooled sums.

    Raises
    ------
    AnalysisError
        If a year of the span is missing from either mapping, or ``years`` is
        not a positive whole number.
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise AnalysisError(
            f"years must be a whole number, 1 or more, but is {years!r}."
        )
    span = list(range(end_year - years + 1, end_year + 1))
    for values, argument in (
        (counts_by_year, "counts_by_year"),
        (population_by_year, "population_by_year"),
    ):
        missing = [year for year in span if year not in values or _is_nan(values[year])]
        if missing:
            raise AnalysisError(
                f"{argument} has no value for {missing!r}; a pooled rate for "
                f"{span[0]} to {span[-1]} needs every year."
            )
    count = float(sum(counts_by_year[year] for year in span))
    population = float(sum(population_by_year[year] for year in span))
    return rate_per(count, population, per)


def youth_band(
    name: str = DEFAULT_YOUTH_BAND, bands: Sequence[str] = AGE_BANDS
) -> YouthBand:
    """Return the youth age range called ``name`` as rollup age bands.

    Parameters
    ----------
    name : str, default "10-29"
        ``"10-29"`` (CARICOM's Youth Development Action Plan, and the WHO's
        range for youth violence), ``"15-24"`` (the United Nations'
        statistical definition) or ``"15-29"`` (the Commonwealth's).
    bands : sequence of str, default AGE_BANDS
        Age bands that the data have, to check that the range can be built.

    Returns
    -------
    YouthBand

    Raises
    ------
    AnalysisError
        If ``name`` is unknown or ``bands`` lacks a band it needs.
    """
    if name not in YOUTH_BANDS:
        raise AnalysisError(
            f"youth band {name!r} is unknown; use one of {sorted(YOUTH_BANDS)!r}."
        )
    needed, label = YOUTH_BANDS[name]
    missing = [band for band in needed if band not in bands]
    if missing:
        raise AnalysisError(
            f"youth band {name!r} needs the age bands {missing!r}, which bands "
            f"{list(bands)!r} lacks."
        )
    return YouthBand(name, label, needed)


def firearm_share(firearm_count: float, total: float) -> float | None:
    """Return the share, from 0 to 1, of incidents that involved a firearm.

    Returns ``None`` when ``total`` is 0, so the function never divides by
    zero.

    Raises
    ------
    AnalysisError
        If a count is negative or ``firearm_count`` exceeds ``total``.
    """
    _check_non_negative(firearm_count, "firearm_count")
    _check_non_negative(total, "total")
    if firearm_count > total:
        raise AnalysisError(
            f"firearm_count {firearm_count!r} exceeds total {total!r}; firearm "
            "incidents are part of the total."
        )
    if total == 0:
        return None
    return firearm_count / total


def _check_non_negative(value, argument: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not value >= 0
    ):
        raise AnalysisError(
            f"{argument} must be a number of 0 or more, but is {value!r}."
        )


def _is_nan(value) -> bool:
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _areas(counts, populations) -> pd.DataFrame:
    index = counts.index if isinstance(counts, pd.Series) else None
    count = np.asarray(counts, dtype=float)
    population = np.asarray(populations, dtype=float)
    if count.shape != population.shape or count.ndim != 1:
        raise AnalysisError(
            f"counts has shape {count.shape} but populations has shape "
            f"{population.shape}; pass one population per area."
        )
    if not len(count):
        raise AnalysisError("counts is empty; pass at least one area.")
    if np.isnan(population).any() or (population <= 0).any():
        position = int(np.nonzero(np.isnan(population) | (population <= 0))[0][0])
        raise AnalysisError(
            f"populations[{position}] is {float(population[position])!r}; every area "
            "needs a positive population. Leave out areas without one."
        )
    if np.isnan(count).any() or (count < 0).any():
        raise AnalysisError("counts must be numbers of 0 or more.")
    return pd.DataFrame({"count": count, "population": population}, index=index)


def _weights(variance: float, mean: float, population: np.ndarray) -> np.ndarray:
    if variance == 0:
        return np.zeros(len(population))
    return variance / (variance + mean / population)
