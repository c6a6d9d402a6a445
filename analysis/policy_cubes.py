"""The cubes of counts behind the policy and regional pages.

Each function turns the yearly counts of a query into a ``Cube`` whose cells
are every number one group of panels shows, with the sums that tie them, so
that ``analysis.disclosure.release`` protects all those panels at once.

The ICCS cube has, for every year, these cells and sums::

    TOTAL = MAPPED + UNMAPPED
    MAPPED = sum of the sections ("01" ... "11")
    section "05" = "05:divisions" + "05:section only"
    "05:divisions" = sum of its divisions ("0501", "0502", ...)

Incidents coded below division level count in their division; incidents
coded at section level only count in "SS:section only". Excluded offences
are not crimes and appear nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.disclosure import Cube, Dimension, Released, build_cube
from analysis.errors import AnalysisError
from analysis.rates import AGE_BANDS, YOUTH_BANDS

TOTAL = "TOTAL"
MAPPED = "MAPPED"
UNMAPPED = "UNMAPPED"
DIVISIONS = ":divisions"
SECTION_ONLY = ":section only"
ALL = "all"
UNKNOWN = "unknown"
SEXES = ("F", "M", UNKNOWN)
AGE_VALUES = (*AGE_BANDS, UNKNOWN)
RELATIONSHIPS = ("intimate_partner", "family", "other_recorded", UNKNOWN)
# Recorded relationships outside intimate partner and family.
OTHER_RECORDED = ("acquaintance", "stranger", "other")
OTHER_AGES = "other ages"
FIREARM = "firearm"
NO_FIREARM = "no firearm"
COUNTRY = "country"
NO_AREA = "no admin area"


def category_leaf(iccs_code: str) -> str:
    """Return the cube leaf an incident's principal ICCS code counts in."""
    if iccs_code == UNMAPPED:
        return UNMAPPED
    if len(iccs_code) == 2:
        return iccs_code + SECTION_ONLY
    return iccs_code[:4]


def category_dimension(division_codes: Iterable[str]) -> Dimension:
    """Return the ICCS dimension over the given division codes (4 characters)."""
    divisions = sorted(set(division_codes))
    sections = sorted({code[:2] for code in divisions})
    children: dict[str, tuple[str, ...]] = {
        TOTAL: (MAPPED, UNMAPPED),
        MAPPED: tuple(sections),
    }
    for section in sections:
        children[section] = (section + DIVISIONS, section + SECTION_ONLY)
        children[section + DIVISIONS] = tuple(
            code for code in divisions if code[:2] == section
        )
    return Dimension("category", children)


def offence_cube(
    incidents: pd.DataFrame, division_codes: Iterable[str], years: Sequence[int]
) -> Cube:
    """Build the ICCS cube of incidents by year and category.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Columns ``year``, ``iccs_code`` and ``incidents``, as read by
        ``data_access.indicator_queries.yearly_incidents``.
    division_codes : iterable of str
        Every ICCS division, so that a division without incidents shows 0.
    years : sequence of int
        Years of the cube, so that a year without incidents shows 0.

    Returns
    -------
    Cube
        Dimensions ``year`` and ``category``.
    """
    leaves = [category_leaf(code) for code in incidents["iccs_code"].tolist()]
    frame = {
        "year": _whole(incidents["year"]),
        "category": leaves,
        "incidents": _whole(incidents["incidents"]),
    }
    seen = {leaf for leaf in leaves if len(leaf) == 4}
    dimensions = [
        Dimension("year", values=tuple(years)),
        category_dimension(set(division_codes) | seen),
    ]
    return build_cube(frame, dimensions, "incidents")


def firearm_cube(incidents: pd.DataFrame, years: Sequence[int]) -> Cube:
    """Build the cube of incidents with and without a firearm, by year.

    Its ``(year, "all")`` cells equal the ICCS cube's ``(year, TOTAL)``; link
    them with ``fixed`` when releasing.
    """
    by_year: dict[int, list[int]] = {}
    for year, count, firearm in zip(
        _whole(incidents["year"]),
        _whole(incidents["incidents"]),
        _whole(incidents["firearm_incidents"]),
        strict=True,
    ):
        sums = by_year.setdefault(year, [0, 0])
        sums[0] += count
        sums[1] += firearm
    rows = []
    for year in sorted(by_year):
        count, firearm = by_year[year]
        rows.append((year, FIREARM, firearm))
        rows.append((year, NO_FIREARM, count - firearm))
    frame = pd.DataFrame(rows, columns=["year", "firearm", "incidents"])
    dimensions = [
        Dimension("year", values=tuple(years)),
        Dimension("firearm", {ALL: (FIREARM, NO_FIREARM)}),
    ]
    return build_cube(frame, dimensions, "incidents")


def persons_cube(persons: pd.DataFrame, years: Sequence[int]) -> Cube:
    """Build the cube of people by year, sex and age band, with their totals.

    Parameters
    ----------
    persons : pandas.DataFrame
        Columns ``year``, ``sex``, ``age_band`` and ``persons``, as read by
        ``data_access.indicator_queries.yearly_persons``. A sex other than M
        or F counts as unknown.
    years : sequence of int
        Years of the cube.
    """
    frame = {
        "year": _whole(persons["year"]),
        "sex": _or_unknown(persons["sex"], ("F", "M")),
        "age_band": _or_unknown(persons["age_band"], AGE_BANDS),
        "persons": _whole(persons["persons"]),
    }
    dimensions = [
        Dimension("year", values=tuple(years)),
        Dimension("sex", {ALL: SEXES}),
        Dimension("age_band", {ALL: AGE_VALUES}),
    ]
    return build_cube(frame, dimensions, "persons")


def _whole(column: pd.Series) -> list[int]:
    """Return the values of ``column`` as whole numbers, in a plain list."""
    return [int(value) for value in column.tolist()]


def _or_unknown(column: pd.Series, known) -> list:
    """Return the values of ``column``, with ``UNKNOWN`` for any not in ``known``."""
    allowed = set(known)
    return [value if value in allowed else UNKNOWN for value in column.tolist()]


def _youth_children() -> dict[str, tuple[str, ...]]:
    """Return the sums of the youth cube's age dimension, ranges nested in ranges.

    Each youth range adds up the ranges nested in it and those of its age
    bands that no nested range has. The ranges that no other range contains
    add up to all ages, together with the other ages.

    Raises
    ------
    AnalysisError
        If two youth ranges overlap without one containing the other.
    """
    ranges = {name: frozenset(bands) for name, (bands, _) in YOUTH_BANDS.items()}
    parent = {}
    for name, bands in ranges.items():
        larger = [other for other, more in ranges.items() if bands < more]
        for other, more in ranges.items():
            if other != name and bands & more and not (bands <= more or more < bands):
                raise AnalysisError(
                    f"youth ranges {name!r} and {other!r} overlap without one "
                    "containing the other; the youth cube cannot add them up."
                )
        parent[name] = min(larger, key=lambda other: len(ranges[other]), default=ALL)
    children: dict[str, list[str]] = {ALL: [], **{name: [] for name in ranges}}
    for name in ranges:
        children[parent[name]].append(name)
    for name, bands in ranges.items():
        nested = set().union(*(ranges[child] for child in children[name]))
        children[name] += [band for band in AGE_BANDS if band in bands - nested]
    children[ALL].append(OTHER_AGES)
    return {total: tuple(parts) for total, parts in children.items()}


YOUTH_CHILDREN = _youth_children()
_YOUTH_LEAVES = frozenset(band for bands, _ in YOUTH_BANDS.values() for band in bands)


def youth_cube(persons: pd.DataFrame, years: Sequence[int]) -> Cube:
    """Build the cube of victims and suspects in every youth range.

    Every range of ``analysis.rates.YOUTH_BANDS`` is a cell, whichever one
    the user picked, so that the difference of two ranges (victims aged 25
    to 29 = 15 to 29 less 15 to 24) is protected like any other count, and
    every pick hides the same cells.

    Parameters
    ----------
    persons : pandas.DataFrame
        Columns ``year``, ``role`` (victim or suspect), ``age_band`` and
        ``persons``. People of unknown age count under other ages.
    years : sequence of int
        Years of the cube.
    """
    frame = {
        "year": _whole(persons["year"]),
        "role": persons["role"].tolist(),
        "age": [
            band if band in _YOUTH_LEAVES else OTHER_AGES
            for band in persons["age_band"].tolist()
        ],
        "persons": _whole(persons["persons"]),
    }
    dimensions = [
        Dimension("year", values=tuple(years)),
        Dimension("role", values=("victim", "suspect")),
        Dimension("age", YOUTH_CHILDREN),
    ]
    return build_cube(frame, dimensions, "persons")


def relationship_cube(victims: pd.DataFrame, years: Sequence[int]) -> Cube:
    """Build the cube of victims by relationship to the suspect and sex.

    Acquaintances, strangers and other recorded relationships are grouped as
    ``other_recorded``; ``unknown`` is a relationship not recorded.
    """
    relationships = [
        "other_recorded" if value in OTHER_RECORDED else value
        for value in victims["relationship"].tolist()
    ]
    frame = {
        "year": _whole(victims["year"]),
        "relationship": _or_unknown(pd.Series(relationships), RELATIONSHIPS),
        "sex": _or_unknown(victims["sex"], ("F", "M")),
        "victims": _whole(victims["victims"]),
    }
    dimensions = [
        Dimension("year", values=tuple(years)),
        Dimension("relationship", {ALL: RELATIONSHIPS}),
        Dimension("sex", {ALL: SEXES}),
    ]
    return build_cube(frame, dimensions, "victims")


def area_cube(
    incidents: pd.DataFrame, years: Sequence[int], area_codes: Iterable[str]
) -> Cube:
    """Build the cube of incidents by year and admin area, summed to the country.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Columns ``year``, ``area_code`` and ``incidents``; an empty or unknown
        area code counts under ``NO_AREA``.
    years : sequence of int
        Years of the cube.
    area_codes : iterable of str
        The country's admin areas, so that an area without incidents shows 0.

    Returns
    -------
    Cube
        Dimensions ``year`` and ``area``; ``(year, COUNTRY)`` equals a cell of
        the ICCS cube, to link with ``fixed``.
    """
    areas = tuple(sorted(set(area_codes)))
    known = set(areas)
    frame = {
        "year": _whole(incidents["year"]),
        "area": [
            code if code in known else NO_AREA
            for code in incidents["area_code"].tolist()
        ],
        "incidents": _whole(incidents["incidents"]),
    }
    dimensions = [
        Dimension("year", values=tuple(years)),
        Dimension("area", {COUNTRY: (*areas, NO_AREA)}),
    ]
    return build_cube(frame, dimensions, "incidents")


def linked_victims(
    released: Released, victims: Cube, cells: Mapping[tuple, tuple]
) -> tuple[dict[tuple, bool], dict[tuple, tuple[float, float]]]:
    """Return ``fixed`` and ``bounds`` that tie victims totals to incident counts.

    The victims of some offences nearly always number the incidents, so a
    reader may take the two counts as equal. For each victims total:

    - where the incidents are hidden, the victims total is hidden too. Where
      its count lies within the reader's range of the incidents, that range
      bounds it in the audit of the victims cube, so that neither the
      victims shown around it nor the range pins it;
    - where the incidents are shown and the victims total equals them, the
      total is shown, because the reader can already work it out;
    - otherwise the total is left free, and a count from 1 to the threshold
      is still hidden.

    Parameters
    ----------
    released : Released
        The cube of incidents, released.
    victims : Cube
        The cube of victims, before its release.
    cells : mapping
        Each victims total mapped to the matching cell of the incidents.

    Returns
    -------
    fixed, bounds
        The arguments of ``release`` for the victims cube.
    """
    fixed, bounds = {}, {}
    positions = victims.layout.position
    counts = victims.counts.to_numpy()
    for second, first in cells.items():
        count = counts[positions[second]]
        if released.is_hidden(first):
            fixed[second] = True
            least, greatest = released.ranges.get(first, (np.inf, -np.inf))
            if least <= count <= greatest:
                bounds[second] = (least, greatest)
        elif released.value(*first) == count:
            fixed[second] = False
    return fixed, bounds
