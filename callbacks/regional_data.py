"""The panels of the Regional comparison page, shared by the page and its exports.

Each country's counts form the same cubes as on the Policy indicators page,
released by ``analysis.disclosure.release`` with the same threshold, so a
country's hidden cells are the same for the ministry and for the observatory.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from analysis import policy_cubes as cubes
from analysis import policy_rates as policy
from analysis.disclosure import Released, release
from callbacks.indicator_data import (
    COUNTING_UNIT_INCIDENTS,
    DATE_BASIS,
    HOMICIDE_CATEGORY,
    category_names,
    linked_victims_rule,
    suppression_rule,
    years_with_counts,
)
from data_access import indicator_queries
from data_access import regional_queries as queries
from data_access.cache import cached_read
from data_access.scope import Scope
from layouts.policy_panels import Panel

# Categories compared when the user has chosen none: all offences, every
# section, intentional homicide and burglary.
DEFAULT_CATEGORIES = (
    "TOTAL",
    "01",
    "0101",
    "02",
    "03",
    "04",
    "05",
    "0501",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
)
# Coverage below this share gets a warning: the country looks safer than it is.
COVERAGE_WARNING = 0.9


@dataclass(frozen=True)
class RegionalRequest:
    """The pickers of one page view or export link.

    Attributes
    ----------
    country_codes
        Countries compared; each is checked against the scope.
    year_from, year_to
        First and last year shown.
    categories
        ICCS sections and divisions compared.
    """

    country_codes: tuple[str, ...]
    year_from: int
    year_to: int
    categories: tuple[str, ...]

    @property
    def years(self) -> tuple[int, ...]:
        """Return the years shown, in order."""
        return tuple(range(self.year_from, self.year_to + 1))


def _populations(frame: pd.DataFrame) -> dict[str, dict[int, policy.Population]]:
    """Return each country's population by year."""
    found: dict[str, dict[int, policy.Population]] = {}
    for row in frame.itertuples(index=False):
        found.setdefault(row.country_code, {})[int(row.year)] = policy.Population(
            float(row.population), bool(row.is_estimate), row.source
        )
    return found


@cached_read
def released_by_country(
    engine: Engine,
    scope: Scope,
    request: RegionalRequest,
    threshold: int,
    years_before: int = 2,
) -> dict[str, Released]:
    """Return each country's released ICCS cube, ``years_before`` included.

    The two years before the first give the pooled rates. Each year is
    released on its own, so a year's cells are the same with or without them.
    Both panels of the page release the same cubes, so the result goes through
    the query cache: the second panel of a view takes the first one's.
    """
    first, last = request.year_from - years_before, request.year_to
    incidents = queries.regional_incidents(
        engine, scope, request.country_codes, first, last
    )
    categories = indicator_queries.iccs_categories(engine, scope)
    divisions = categories.loc[categories["level"] == 2, "code"]
    spans = indicator_queries.countries_data_months(
        engine, scope, request.country_codes
    )
    by_country = dict(tuple(incidents.groupby("country_code", sort=False)))
    empty = incidents.iloc[:0]
    released = {}
    for country in request.country_codes:
        rows = by_country.get(country, empty)
        years = years_with_counts(spans[country], first, last)
        cube = cubes.offence_cube(rows, divisions, years)
        released[country] = release(cube, threshold)
    return released


def _coverage(released: Released, year: int, code: str) -> float | None:
    # Only sections and divisions have a coverage; not TOTAL, MAPPED or UNMAPPED.
    if not (code.isdigit() and len(code) in (2, 4)):
        return None
    return policy.mapping_coverage(released, year, code)


def rates_panel(
    engine: Engine,
    scope: Scope,
    request: RegionalRequest,
    threshold: int,
    released: dict[str, Released] | None = None,
) -> Panel:
    """Build the table of rates and mapping coverage by country and category.

    ``released`` is ``released_by_country`` of the same request, computed here
    when not given.
    """
    names = category_names(engine, scope)
    names[cubes.TOTAL] = "All offences"
    if released is None:
        released = released_by_country(engine, scope, request, threshold)
    population = queries.regional_population(
        engine, scope, request.country_codes, request.year_from - 2, request.year_to
    )
    populations = _populations(population)
    frames = []
    for country in request.country_codes:
        codes = [(c, names.get(c, c)) for c in request.categories]
        table = policy.category_rates(
            released[country], populations.get(country, {}), codes, request.years
        )
        table.insert(0, "country_code", country)
        table["mapping_coverage"] = [
            _coverage(released[country], year, code)
            for code, year in zip(table["code"], table["year"], strict=True)
        ]
        frames.append(table[table["year"].isin(request.years)])
    table = pd.concat(frames, ignore_index=True)
    coverage = table["mapping_coverage"]
    table["coverage_warning"] = coverage.notna() & (
        coverage.fillna(1) < COVERAGE_WARNING
    )
    return Panel(
        "regional_rates",
        "Rates per 100,000 by ICCS category and country",
        table,
        _metadata(request, threshold, COUNTING_UNIT_INCIDENTS, population),
        "Mapping coverage: for a section, the share of the country's incidents "
        "mapped to any ICCS code; for a division, that share times the share of "
        "the section's incidents coded to a division. Below 90% the country's "
        "rate undercounts the category.",
    )


def homicide_panel(
    engine: Engine,
    scope: Scope,
    request: RegionalRequest,
    threshold: int,
    geodata=queries.GEODATA_DIR,
    released_offences: dict[str, Released] | None = None,
) -> Panel:
    """Build the table of computed and published intentional homicide rates.

    A country's victims of a year are hidden wherever its ICCS 0101 incidents
    are, because one victim per homicide would turn them into the hidden count,
    and are protected as if equal to them (``policy_cubes.linked_victims``).
    ``released_offences`` is ``released_by_country`` of the same request,
    computed here when not given.
    """
    if released_offences is None:
        released_offences = released_by_country(engine, scope, request, threshold)
    victims = queries.regional_homicide_victims(
        engine, scope, request.country_codes, request.year_from, request.year_to
    )
    population = queries.regional_population(
        engine, scope, request.country_codes, request.year_from, request.year_to
    )
    published = _published_rates(queries.read_unodc_homicide_rates(geodata))
    populations = _populations(population)
    by_country = dict(tuple(victims.groupby("country_code", sort=False)))
    empty = victims.iloc[:0]
    rows = []
    for country in request.country_codes:
        # The years with counts, as data_years gives them, read off the cube.
        offence_years = released_offences[country].values.index.unique(level=0)
        years = tuple(year for year in offence_years if year in request.years)
        cube = cubes.persons_cube(by_country.get(country, empty), years)
        link, bounds = cubes.linked_victims(
            released_offences[country],
            cube,
            {(year, cubes.ALL, cubes.ALL): (year, HOMICIDE_CATEGORY) for year in years},
        )
        released = release(cube, threshold, link, bounds)
        people = populations.get(country, {})
        for year in years:
            count = released.value(year, cubes.ALL, cubes.ALL)
            rows.append(
                _homicide_row(
                    country,
                    year,
                    count,
                    people.get(year),
                    published.get((country, year)),
                )
            )
    return Panel(
        "homicide_comparison",
        "Intentional homicide: computed rate beside the published UNODC rate",
        pd.DataFrame(rows),
        _metadata(
            request,
            threshold,
            "Victims of completed intentional homicide (ICCS 0101)",
            population,
            published_rates=queries.UNODC_SOURCE,
            linked_suppression=linked_victims_rule(HOMICIDE_CATEGORY),
        ),
        "A difference can come from a different counting unit, late recording, "
        "or offence codes not yet mapped to ICCS 0101.",
    )


def _published_rates(frame: pd.DataFrame) -> dict[tuple[str, int], float]:
    """Return the first published rate of each country and year."""
    rates: dict[tuple[str, int], float] = {}
    for row in frame.itertuples(index=False):
        rates.setdefault((row.country_code, int(row.year)), float(row.published_rate))
    return rates


def _homicide_row(country, year, count, population, published_rate) -> dict:
    computed = None
    if count is not None and population is not None and population.value:
        computed = count / population.value * 100_000
    difference = None
    if computed is not None and published_rate is not None:
        difference = computed - published_rate
    return {
        "country_code": country,
        "year": year,
        "victims": count,
        "suppressed": count is None,
        "population": population.value if population else None,
        "computed_per_100k": computed,
        "unodc_per_100k": published_rate,
        "difference": difference,
    }


def _metadata(request, threshold, unit, population, **extra) -> tuple:
    sources = "; ".join(sorted(set(population["source"]))) or "none found"
    estimates = sorted(
        {f"{r.country_code} {r.year}" for r in population.itertuples() if r.is_estimate}
    )
    text = f"Country totals by year: {sources}."
    if estimates:
        text += f" Estimated or projected: {', '.join(estimates)}."
    pairs = [
        ("Countries", ", ".join(request.country_codes)),
        ("Years", f"{request.year_from} to {request.year_to}"),
        ("Counting unit", unit),
        ("Date basis", DATE_BASIS),
        ("Population", text),
        ("Suppression rule", suppression_rule(threshold)),
    ]
    pairs += [(name.replace("_", " ").capitalize(), v) for name, v in extra.items()]
    return tuple(pairs)


def all_panels(
    engine, scope, request: RegionalRequest, threshold: int, geodata=queries.GEODATA_DIR
):
    """Build every panel of the page, for exports and the printable report."""
    released = released_by_country(engine, scope, request, threshold)
    return [
        rates_panel(engine, scope, request, threshold, released),
        homicide_panel(engine, scope, request, threshold, geodata, released),
    ]
