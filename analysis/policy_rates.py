"""Rates, pooled and smoothed rates and mapping coverage from released counts.

Every function here reads counts from a ``Released`` cube only, so a rate can
never be worked back to a hidden count: a hidden count gives an empty rate,
an empty unstable flag (which would bound the count), an empty pooled rate
for every window that contains it, and no coverage ratio that needs it.
Smoothed rates are computed from the areas with shown counts only, so that
the prior they share reveals nothing about a hidden area.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis import policy_cubes as cubes
from analysis.disclosure import Released
from analysis.errors import AnalysisError, AnalysisWarning
from analysis.rates import (
    PER_10K,
    PER_100K,
    UNSTABLE_COUNT,
    YouthBand,
    empirical_bayes_rates,
)

POOLED_YEARS = 3

# Columns of the tables below, so that a table without rows keeps them.
_RATE = ("population", "population_estimate", "per_10k", "per_100k", "unstable")
CATEGORY_COLUMNS = (
    "code",
    "name",
    "year",
    "incidents",
    "suppressed",
    *_RATE,
    "pooled_3y_per_100k",
)
PERSONS_COLUMNS = ("year", "sex", "age_band", "persons", "suppressed", *_RATE)
YOUTH_COLUMNS = ("year", "role", "persons", "suppressed", "population_missing", *_RATE)
RELATIONSHIP_COLUMNS = ("year", "relationship", "sex", "victims", "suppressed", *_RATE)
FIREARM_COLUMNS = (
    "year",
    "firearm_incidents",
    "all_incidents",
    "firearm_share",
    "suppressed",
    *_RATE,
)
AREA_COLUMNS = (
    "area_code",
    "name",
    "year",
    "incidents",
    "suppressed",
    *_RATE,
    "pooled_3y_per_100k",
)


@dataclass(frozen=True)
class Population:
    """People at risk in one year.

    Attributes
    ----------
    value
        Number of people, or ``None`` when unknown.
    is_estimate
        Whether the figure is an estimate or a projection.
    source
        Where the figure comes from.
    """

    value: float | None
    is_estimate: bool = False
    source: str = ""


def population_table(frame: pd.DataFrame) -> dict[tuple, Population]:
    """Return populations keyed by ``(year, sex, age_band)``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``year``, ``sex``, ``age_band``, ``population``,
        ``is_estimate`` and ``source``, as read by
        ``data_access.indicator_queries.country_population``.
    """
    return {
        (int(row.year), row.sex, row.age_band): Population(
            float(row.population), bool(row.is_estimate), row.source
        )
        for row in frame.itertuples(index=False)
    }


def _rates(count: int | None, population: Population | None) -> dict:
    """Return the rate columns of one count, empty where it is hidden."""
    values = {
        "population": population.value if population else None,
        "population_estimate": population.is_estimate if population else None,
        "per_10k": None,
        "per_100k": None,
        "unstable": None,
    }
    if count is None:
        return values
    values["unstable"] = count <= UNSTABLE_COUNT
    people = _people(population.value if population else None)
    if people is not None:
        values["per_10k"] = _per(count, people, PER_10K)
        values["per_100k"] = _per(count, people, PER_100K)
    return values


def _people(value: float | None) -> float | None:
    """Return a population to divide by, or ``None`` where ``rate_per`` gives none.

    Raises
    ------
    AnalysisError
        If ``value`` is negative, as ``analysis.rates.rate_per`` does.
    """
    if value is None or math.isnan(value) or value == 0:
        return None
    if value < 0:
        raise AnalysisError(
            f"population must be a number of 0 or more, but is {value!r}."
        )
    return value


def _per(count: int, people: float, per: int) -> float:
    """Return ``count`` per ``per`` people, the value of ``analysis.rates.rate_per``.

    Released counts are whole and not negative, and ``_people`` has checked
    the population, so the checks of ``rate_per`` are not repeated for each of
    the thousands of cells of a page.
    """
    return count / people * per


def pooled_per_100k(
    released: Released,
    populations: dict[int, Population],
    cell: tuple,
    year: int,
    years: int = POOLED_YEARS,
) -> float | None:
    """Return the rate per 100,000 over ``years`` years ending with ``year``.

    ``cell`` is the key of the count without its year, such as ``("0101",)``.
    The rate is empty when a year of the window is missing, hidden or has no
    population: its sum with shown years would reveal it.
    """
    count = 0
    people = 0.0
    for each in range(year - years + 1, year + 1):
        value = released.get((each, *cell))
        population = populations.get(each)
        if value is None or population is None or not population.value:
            return None
        count += value
        people += population.value
    total = _people(people)
    return None if total is None else _per(count, total, PER_100K)


def category_rates(
    released: Released,
    populations: dict[int, Population],
    categories: Sequence[tuple[str, str]],
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Return incidents and rates by category and year from the ICCS cube.

    Parameters
    ----------
    released : Released
        The released ICCS cube (``analysis.policy_cubes.offence_cube``).
    populations : dict
        Total population of each year.
    categories : sequence of (str, str)
        ``(cube category, name)`` of each row wanted, such as
        ``("0101", "Intentional homicide")``.
    years : sequence of int, optional
        Years of the rows, among the cube's; by default every year of the
        cube. Pooled rates still read the years before the first.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``year``, ``incidents`` (empty where
        hidden), ``suppressed``, ``population``, ``population_estimate``,
        ``per_10k``, ``per_100k``, ``unstable`` and ``pooled_3y_per_100k``.
    """
    cube_years = sorted(set(released.values.index.get_level_values("year")))
    if years is not None:
        wanted = set(years)
        cube_years = [year for year in cube_years if year in wanted]
    rows = []
    for code, name in categories:
        for year in cube_years:
            count = released.value(year, code)
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "year": year,
                    "incidents": count,
                    "suppressed": count is None,
                    **_rates(count, populations.get(year)),
                    "pooled_3y_per_100k": pooled_per_100k(
                        released, populations, (code,), year
                    ),
                }
            )
    return pd.DataFrame(rows, columns=list(CATEGORY_COLUMNS))


def mapping_coverage(released: Released, year: int, code: str) -> float | None:
    """Return the share of incidents that could be in ``code`` and are coded to it.

    Coverage is defined level by level, assuming that unmapped incidents and
    incidents coded at section level only are spread like the coded ones:

    - a section: ``MAPPED / TOTAL``, the share of incidents mapped to ICCS;
    - a division of section S: the section's coverage times
      ``S:divisions / S``, the share of S's incidents coded to a division.

    Parameters
    ----------
    released : Released
        The released ICCS cube.
    year : int
        The year.
    code : str
        A section (2 characters) or division (4 characters).

    Returns
    -------
    float or None
        From 0 to 1; ``None`` when a count it needs is hidden or 0.
    """
    share = _ratio(released, (year, cubes.MAPPED), (year, cubes.TOTAL))
    if share is None or len(code) == 2:
        return share
    section = code[:2]
    within = _ratio(released, (year, section + cubes.DIVISIONS), (year, section))
    return None if within is None else share * within


def _ratio(released: Released, top: tuple, bottom: tuple) -> float | None:
    numerator = released.value(*top)
    denominator = released.value(*bottom)
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def persons_rates(
    released: Released, populations: dict[tuple, Population]
) -> pd.DataFrame:
    """Return people and rates per 100,000 by year, sex and age band.

    Each rate uses the population of the same sex and age band; unknown sex
    or age has no population, so its rate stays empty.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``sex``, ``age_band``, ``persons``, ``suppressed``,
        ``population``, ``population_estimate``, ``per_10k``, ``per_100k``
        and ``unstable``.
    """
    rows = []
    for (year, sex, age_band), count in released.values.items():
        rows.append(
            {
                "year": year,
                "sex": sex,
                "age_band": age_band,
                "persons": count,
                "suppressed": count is None,
                **_rates(count, populations.get((year, sex, age_band))),
            }
        )
    return pd.DataFrame(rows, columns=list(PERSONS_COLUMNS))


def youth_population(
    populations: dict[tuple, Population], year: int, bands: Sequence[str]
) -> Population:
    """Return the population of a youth range, the sum of its age bands.

    The value is ``None`` when a band has no population row, and an estimate
    when any band is.
    """
    parts = [populations.get((year, cubes.ALL, band)) for band in bands]
    if any(part is None for part in parts):
        return Population(None)
    return Population(
        sum(part.value for part in parts),
        any(part.is_estimate for part in parts),
        parts[0].source,
    )


def youth_rates(
    released: Released, populations: dict[tuple, Population], band: YouthBand
) -> pd.DataFrame:
    """Return youth victims and suspects with rates per 100,000 young people.

    ``released`` is the released ``policy_cubes.youth_cube``; the rows are
    its cells of the youth range ``band``.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``role``, ``persons``, ``suppressed``,
        ``population`` (of the youth range), ``population_estimate``,
        ``population_missing``, ``per_10k``, ``per_100k`` and ``unstable``.
    """
    rows = []
    for (year, role, age), count in released.values.items():
        if age != band.name:
            continue
        population = youth_population(populations, year, band.bands)
        rows.append(
            {
                "year": year,
                "role": role,
                "persons": count,
                "suppressed": count is None,
                "population_missing": population.value is None,
                **_rates(count, population),
            }
        )
    return pd.DataFrame(rows, columns=list(YOUTH_COLUMNS))


def relationship_rates(
    released: Released, populations: dict[tuple, Population]
) -> pd.DataFrame:
    """Return victims by relationship and sex with rates per 100,000 of that sex.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``relationship``, ``sex``, ``victims``,
        ``suppressed``, ``population``, ``population_estimate``, ``per_10k``,
        ``per_100k`` and ``unstable``.
    """
    rows = []
    for (year, relationship, sex), count in released.values.items():
        population = populations.get((year, sex, cubes.ALL))
        rows.append(
            {
                "year": year,
                "relationship": relationship,
                "sex": sex,
                "victims": count,
                "suppressed": count is None,
                **_rates(count, population),
            }
        )
    return pd.DataFrame(rows, columns=list(RELATIONSHIP_COLUMNS))


def firearm_rates(
    released: Released, populations: dict[int, Population]
) -> pd.DataFrame:
    """Return firearm incidents, their share of all incidents and their rate.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``firearm_incidents``, ``all_incidents``,
        ``firearm_share`` (0 to 1), ``suppressed``, ``population``,
        ``population_estimate``, ``per_10k``, ``per_100k`` and ``unstable``.
    """
    rows = []
    years = sorted(set(released.values.index.get_level_values("year")))
    for year in years:
        firearm = released.value(year, cubes.FIREARM)
        total = released.value(year, cubes.ALL)
        share = None if firearm is None or not total else firearm / total
        rows.append(
            {
                "year": year,
                "firearm_incidents": firearm,
                "all_incidents": total,
                "firearm_share": share,
                "suppressed": firearm is None,
                **_rates(firearm, populations.get(year)),
            }
        )
    return pd.DataFrame(rows, columns=list(FIREARM_COLUMNS))


def area_rates(
    released: Released,
    populations: pd.DataFrame,
    year: int,
) -> pd.DataFrame:
    """Return each admin area's raw, smoothed and pooled rates for one year.

    Parameters
    ----------
    released : Released
        The released area cube (``analysis.policy_cubes.area_cube``).
    populations : pandas.DataFrame
        Columns ``year``, ``area_code``, ``name``, ``population`` and
        ``is_estimate``, as read by
        ``data_access.indicator_queries.parish_population``.
    year : int
        The year of the raw and smoothed rates, and the last of the pooled.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code``, ``name``, ``year``, ``incidents``,
        ``suppressed``, ``population``, ``population_estimate``,
        ``per_100k``, ``smoothed_per_100k``, ``smoothing_weight``,
        ``pooled_3y_per_100k`` and ``unstable``. Its ``attrs["note"]`` states
        when the smoothing moved every area to the overall rate.
    """
    by_key = {
        (int(row.year), row.area_code): row
        for row in populations.itertuples(index=False)
    }
    yearly = {
        area: {
            y: Population(float(r.population), bool(r.is_estimate))
            for (y, code), r in by_key.items()
            if code == area
        }
        for area in {code for _, code in by_key}
    }
    rows = []
    for area in sorted(yearly):
        count = released.value(year, area)
        population = yearly[area].get(year)
        rows.append(
            {
                "area_code": area,
                "name": by_key[(year, area)].name if (year, area) in by_key else area,
                "year": year,
                "incidents": count,
                "suppressed": count is None,
                **_rates(count, population),
                "pooled_3y_per_100k": pooled_per_100k(
                    released, yearly[area], (area,), year
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=list(AREA_COLUMNS))
    return _add_smoothed(frame)


def _add_smoothed(frame: pd.DataFrame) -> pd.DataFrame:
    """Add empirical Bayes rates, computed from the areas with shown counts."""
    frame["smoothed_per_100k"] = None
    frame["smoothing_weight"] = None
    frame.attrs["note"] = ""
    usable = frame["incidents"].notna() & (frame["population"].fillna(0) > 0)
    if usable.sum() < 2:
        frame.attrs["note"] = "Too few areas with shown counts to smooth."
        return frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AnalysisWarning)
        smoothed = empirical_bayes_rates(
            frame.loc[usable, "incidents"].astype(float),
            frame.loc[usable, "population"].astype(float),
            PER_100K,
        )
    if caught:
        frame.attrs["note"] = str(caught[0].message)
    frame.loc[usable, "smoothed_per_100k"] = smoothed["smoothed_rate"].to_numpy()
    frame.loc[usable, "smoothing_weight"] = smoothed["weight"].to_numpy()
    return frame
