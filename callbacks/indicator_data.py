"""The panels of the Policy indicators page, shared by the page and its exports.

Each builder reads yearly counts from ``data_access.indicator_queries``, builds
a cube (``analysis.policy_cubes``), releases it through
``analysis.disclosure.release`` with the configured threshold, and computes
rates from the released counts only. The page and every export call the same
builders, so a number hidden on screen is hidden in every file. The Policy
indicators and Regional comparison pages apply this control to every role
that may open them, not only to aggregate-only roles.

Each cube is protected with the sums inside it and the cells it shares with
another cube (linked with ``fixed``). Victims of homicide, trafficking and
sexual violence are hidden in a year where the incidents of their ICCS
category are, because one victim per incident would give those incidents
away. The reader's range of those incidents also bounds the hidden victims
total in the audit of the victims cube, so that taking the two as equal pins
neither, and a victims total equal to shown incidents is shown. The youth
cube has every youth range, so that a range minus a range nested in it is
protected too. A cube releases each year on its own,
and the areas of the area cube do not depend on the years asked for, so a
year's counts are hidden alike in every request that shows the year.
``tests/callbacks/test_policy_views.py`` checks, over every span of years,
youth range and category a user may request, that no hidden count is a sum or
difference of published ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from analysis import policy_cubes as cubes
from analysis import policy_rates as policy
from analysis.disclosure import Released, release
from analysis.rates import UNSTABLE_COUNT, youth_band
from data_access import indicator_queries as queries
from data_access.scope import Scope
from layouts.policy_panels import Panel

COUNTING_UNIT_INCIDENTS = "Incidents, each counted once under its principal offence"
DATE_BASIS = "Month the offence occurred (local time); a year is January to December"
HOMICIDE_CATEGORY = "0101"
TRAFFICKING_CATEGORY = "0204"
SEXUAL_VIOLENCE_CATEGORY = "03"
FIRST_SUPPORTED_YEAR = 1900


@dataclass(frozen=True)
class Request:
    """The pickers of one page view or export link.

    Attributes
    ----------
    country_code
        The country read; checked against the scope by every query.
    year_from, year_to
        First and last year shown, both included.
    divisions
        ICCS divisions shown beside the sections.
    youth
        Youth range, a key of ``analysis.rates.YOUTH_BANDS``.
    """

    country_code: str
    year_from: int
    year_to: int
    divisions: tuple[str, ...] = ()
    youth: str = "10-29"

    @property
    def years(self) -> tuple[int, ...]:
        """Return the years shown, in order."""
        return tuple(range(self.year_from, self.year_to + 1))

    @property
    def read_years(self) -> tuple[int, int]:
        """Return the years read: two more before the first, for pooled rates."""
        return self.year_from - 2, self.year_to


@dataclass(frozen=True)
class Context:
    """Values read once and shared by the builders of one request."""

    engine: Engine
    scope: Scope
    request: Request
    threshold: int
    populations: dict = field(default_factory=dict)
    population_rows: pd.DataFrame | None = None
    cube_years: tuple[int, ...] = ()
    shown_years: tuple[int, ...] = ()
    memo: dict = field(default_factory=dict)


def yearly_incidents(context: Context) -> pd.DataFrame:
    """Return the request's yearly incidents, read once per context."""
    if "incidents" not in context.memo:
        first, last = context.request.read_years
        context.memo["incidents"] = queries.yearly_incidents(
            context.engine, context.scope, context.request.country_code, first, last
        )
    return context.memo["incidents"]


def data_years(engine: Engine, scope: Scope, country_code: str, first: int, last: int):
    """Return the years from ``first`` to ``last`` that the country has counts in.

    A year before the first imported month or after the last is missing, not
    a year without crime, so no cube has a cell for it.
    """
    span = queries.data_months(engine, scope, country_code)
    return years_with_counts(span, first, last)


def years_with_counts(span: tuple, first: int, last: int) -> tuple[int, ...]:
    """Return the years from ``first`` to ``last`` within a ``data_months`` span."""
    first_month, last_month = span
    if first_month is None:
        return ()
    low = max(first, first_month // 100)
    high = min(last, last_month // 100)
    return tuple(range(low, high + 1))


def suppression_rule(threshold: int) -> str:
    """Return the suppression rule in words, for panel metadata."""
    return (
        f"Counts from 1 to {threshold} are hidden, and so are other cells that "
        "would let a hidden count be worked out from totals or other tables "
        "of this report. Rates, pooled rates and shares of hidden counts are "
        f"hidden too. Rates on {UNSTABLE_COUNT} events or fewer are flagged "
        "as unstable."
    )


def make_context(engine: Engine, scope: Scope, request: Request, threshold: int):
    """Read the country's populations once and return the shared context."""
    first, last = request.read_years
    rows = queries.country_population(engine, scope, request.country_code, first, last)
    years = data_years(engine, scope, request.country_code, first, last)
    return Context(
        engine=engine,
        scope=scope,
        request=request,
        threshold=threshold,
        populations=policy.population_table(rows),
        population_rows=rows,
        cube_years=years,
        shown_years=tuple(year for year in years if year in request.years),
    )


def _totals(context: Context) -> dict[int, policy.Population]:
    return {
        year: population
        for (year, sex, age), population in context.populations.items()
        if sex == cubes.ALL and age == cubes.ALL
    }


def population_note(context: Context) -> str:
    """Return the population source and years, naming estimated years.

    Every panel of a request carries the same note, so it is worked out once.
    """
    if "population_note" not in context.memo:
        context.memo["population_note"] = _population_note(context)
    return context.memo["population_note"]


def _population_note(context: Context) -> str:
    rows = context.population_rows
    totals = rows[(rows["sex"] == cubes.ALL) & (rows["age_band"] == cubes.ALL)]
    shown = totals[totals["year"].between(*context.request.read_years)]
    if shown.empty:
        return "No population figures for these years; rates are left empty."
    estimates = sorted(int(y) for y in shown.loc[shown["is_estimate"], "year"])
    sources = "; ".join(sorted(set(shown["source"])))
    text = (
        f"Population at 'country' level, {int(shown['year'].min())} to "
        f"{int(shown['year'].max())}: {sources}."
    )
    if estimates:
        text += f" Estimated or projected years: {', '.join(map(str, estimates))}."
    return text


def metadata(context: Context, unit: str, **extra: str) -> tuple:
    """Return the metadata pairs every panel carries."""
    pairs = [
        ("Country", context.request.country_code),
        ("Years", f"{context.request.year_from} to {context.request.year_to}"),
        ("Counting unit", unit),
        ("Date basis", DATE_BASIS),
        ("Population", population_note(context)),
        ("Suppression rule", suppression_rule(context.threshold)),
    ]
    pairs += [
        (name.replace("_", " ").capitalize(), text) for name, text in extra.items()
    ]
    return tuple(pairs)


def released_offences(context: Context) -> Released:
    """Return the released ICCS cube of the request's years, built once per context."""
    if "offences" not in context.memo:
        incidents = yearly_incidents(context)
        categories = queries.iccs_categories(context.engine, context.scope)
        divisions = categories.loc[categories["level"] == 2, "code"]
        cube = cubes.offence_cube(incidents, divisions, context.cube_years)
        context.memo["offences"] = release(cube, context.threshold)
    return context.memo["offences"]


def _shown_years(frame: pd.DataFrame, context: Context) -> pd.DataFrame:
    years = context.request.years
    return frame[frame["year"].isin(years)].reset_index(drop=True)


def section_panel(context: Context, released: Released, names: dict) -> Panel:
    """Build the panel of incidents and rates by ICCS section."""
    codes = [cubes.TOTAL] + sorted(c for c in names if len(c) == 2) + [cubes.UNMAPPED]
    labels = {cubes.TOTAL: "All offences", cubes.UNMAPPED: "Not mapped to ICCS"}
    rows = [(code, labels.get(code) or names[code]) for code in codes]
    years = context.request.years
    table = policy.category_rates(released, _totals(context), rows, years)
    return Panel(
        "sections",
        "Incidents and rates by ICCS section",
        _shown_years(table, context),
        metadata(context, COUNTING_UNIT_INCIDENTS),
    )


def division_panel(context: Context, released: Released, names: dict) -> Panel:
    """Build the panel of the chosen ICCS divisions."""
    chosen = [code for code in context.request.divisions if code in names]
    rows = [(code, names[code]) for code in chosen]
    years = context.request.years
    table = policy.category_rates(released, _totals(context), rows, years)
    if table.empty:
        table = pd.DataFrame(columns=["code", "name", "year", "incidents"])
    return Panel(
        "divisions",
        "Incidents and rates of chosen ICCS divisions",
        _shown_years(table, context),
        metadata(context, COUNTING_UNIT_INCIDENTS),
        "" if chosen else "Choose divisions above to add them here.",
    )


def firearm_panel(context: Context, released_offences: Released) -> Panel:
    """Build the panel of incidents involving a firearm."""
    cube = cubes.firearm_cube(yearly_incidents(context), context.cube_years)
    link = {
        (year, cubes.ALL): bool(released_offences.hidden.loc[(year, cubes.TOTAL)])
        for year in context.cube_years
    }
    table = policy.firearm_rates(
        release(cube, context.threshold, link), _totals(context)
    )
    return Panel(
        "firearms",
        "Incidents involving a firearm",
        _shown_years(table, context),
        metadata(context, COUNTING_UNIT_INCIDENTS),
    )


def persons_panel(
    context: Context, key: str, title: str, category: str, completed_only=False
) -> Panel:
    """Build a panel of victims of one ICCS category by sex and age band.

    A year's victims are hidden wherever the category's incidents are, since
    one victim per incident would turn the victims into the hidden count, and
    are protected as if equal to them (``policy_cubes.linked_victims``).
    """
    request = context.request
    persons = queries.yearly_persons(
        context.engine,
        context.scope,
        request.country_code,
        request.year_from,
        request.year_to,
        "victim",
        (category,),
        completed_only,
    )
    cube = cubes.persons_cube(persons, context.shown_years)
    offences = released_offences(context)
    link, bounds = cubes.linked_victims(
        offences,
        cube,
        {
            (year, cubes.ALL, cubes.ALL): (year, category)
            for year in context.shown_years
        },
    )
    released = release(cube, context.threshold, link, bounds)
    table = policy.persons_rates(released, context.populations)
    unit = "Victims, each counted once under the principal offence of the incident"
    return Panel(
        key,
        title,
        table,
        metadata(
            context,
            unit,
            rates="Per 100,000 people of the same sex and age band",
            linked_suppression=linked_victims_rule(category),
        ),
    )


def linked_victims_rule(category: str) -> str:
    """Return the rule that hides victims with their incidents, for metadata."""
    return (
        f"All victims of a year are hidden where the year's ICCS {category} "
        "incident count is hidden, as one victim per incident would reveal it, "
        "and enough other victims are hidden that neither count can be worked "
        "out by taking the two as equal."
    )


def released_relationships(context: Context) -> Released:
    """Return the released cube of victims by relationship and sex."""
    request = context.request
    victims = queries.yearly_relationships(
        context.engine,
        context.scope,
        request.country_code,
        request.year_from,
        request.year_to,
    )
    cube = cubes.relationship_cube(victims, context.shown_years)
    return release(cube, context.threshold)


def relationship_panel(context: Context) -> Panel:
    """Build the panel of victims by relationship to the suspect."""
    released = released_relationships(context)
    table = policy.relationship_rates(released, context.populations)
    unit = "Victims of any offence, by relationship to the suspect where recorded"
    return Panel(
        "relationships",
        "Violence between intimate partners and family members",
        table,
        metadata(context, unit, rates="Per 100,000 people of the same sex"),
        "'unknown' counts victims whose relationship is not recorded; the "
        "partner and family counts are a lower bound where it is often missing.",
    )


def youth_panel(context: Context) -> Panel:
    """Build the panel of youth victims and suspects."""
    request = context.request
    band = youth_band(request.youth)

    frames = []
    for role in ("victim", "suspect"):
        frame = queries.yearly_persons(
            context.engine,
            context.scope,
            request.country_code,
            request.year_from,
            request.year_to,
            role,
        )
        frames.append(frame.assign(role=role))
    persons = pd.concat(frames, ignore_index=True)
    cube = cubes.youth_cube(persons, context.shown_years)
    # All victims are also the total of the relationship panel.
    relationships = released_relationships(context)
    link = {
        (year, "victim", cubes.ALL): bool(
            relationships.hidden.loc[(year, cubes.ALL, cubes.ALL)]
        )
        for year in context.shown_years
    }
    table = policy.youth_rates(
        release(cube, context.threshold, link), context.populations, band
    )
    unit = "Victims and suspects of any offence, under the incident's principal offence"
    return Panel(
        "youth",
        "Youth victimisation and offending",
        table,
        metadata(
            context,
            unit,
            youth_definition=f"{band.label}: age bands {', '.join(band.bands)}",
            rates="Per 100,000 people of the youth range (age-specific population)",
        ),
        "People of unknown age are not counted as young. Where the population "
        "by age is missing the rate is empty and flagged.",
    )


def area_panel(context: Context, released_offences: Released) -> Panel:
    """Build the panel of admin areas with raw, smoothed and pooled rates.

    The table counts all offences only: a second table by area for one
    category would let a reader subtract the two and learn the small count
    of the other offences in an area, which no cube protects.
    """
    request = context.request
    first, last = request.read_years
    incidents = queries.parish_incidents(
        context.engine, context.scope, request.country_code, first, last
    )
    people = queries.parish_population(
        context.engine, context.scope, request.country_code, first, last
    )
    # Areas with a population in any year, not only in the years read, so that
    # every request divides a year's incidents among the same areas and so
    # hides the same cells of that year.
    areas = queries.parish_codes(context.engine, context.scope, request.country_code)
    cube = cubes.area_cube(incidents, context.cube_years, areas)
    link = {
        (year, cubes.COUNTRY): bool(released_offences.hidden.loc[(year, cubes.TOTAL)])
        for year in context.cube_years
    }
    # The last year asked for that has counts, because an export link may ask
    # for a later year than the warehouse has.
    year = max(context.shown_years, default=None)
    if year is None:
        table = pd.DataFrame(columns=list(policy.AREA_COLUMNS))
        table.attrs["note"] = "No counts in the years asked for."
    else:
        released = release(cube, context.threshold, link)
        table = policy.area_rates(released, people, year)
    return Panel(
        "areas",
        f"All offences by admin area, {year or request.year_to}",
        table,
        metadata(
            context,
            COUNTING_UNIT_INCIDENTS,
            smoothing=(
                "Empirical Bayes (global, method of moments) toward the rate of "
                "the areas with shown counts; 3-year pooled rate beside it"
            ),
            areas="Admin area of the station that recorded the incident",
        ),
        table.attrs.get("note", ""),
    )


def category_names(engine: Engine, scope: Scope) -> dict[str, str]:
    """Return ICCS section and division names keyed on code."""
    frame = queries.iccs_categories(engine, scope)
    return dict(zip(frame["code"], frame["name"], strict=True))


def offence_panels(context: Context) -> list[Panel]:
    """Build the section, division and firearm panels."""
    names = category_names(context.engine, context.scope)
    released = released_offences(context)
    return [
        section_panel(context, released, names),
        division_panel(context, released, names),
        firearm_panel(context, released),
    ]


def sdg_panels(context: Context) -> list[Panel]:
    """Build the homicide, trafficking, sexual violence and relationship panels."""
    return [
        persons_panel(
            context,
            "homicide",
            "SDG 16.1.1 Victims of intentional homicide (ICCS 0101, completed)",
            HOMICIDE_CATEGORY,
            completed_only=True,
        ),
        persons_panel(
            context,
            "trafficking",
            "Detected victims of trafficking in persons (ICCS 0204)",
            TRAFFICKING_CATEGORY,
        ),
        persons_panel(
            context,
            "sexual_violence",
            "Victims of sexual violence (ICCS section 03)",
            SEXUAL_VIOLENCE_CATEGORY,
        ),
        relationship_panel(context),
    ]


def area_panels(context: Context) -> list[Panel]:
    """Build the admin area panel."""
    return [area_panel(context, released_offences(context))]


def all_panels(engine: Engine, scope: Scope, request: Request, threshold: int):
    """Build every panel of the page, for exports and the printable report."""
    context = make_context(engine, scope, request, threshold)
    return [
        *offence_panels(context),
        *sdg_panels(context),
        youth_panel(context),
        *area_panels(context),
    ]
