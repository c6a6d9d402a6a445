"""The callbacks posted for each page, and the account that reads each page.

The callback cases of the Station, Strategy, Policy indicators and Regional pages
come from the page benchmarks (``station_page``, ``strategy_page`` and
``indicator_pages``), so every script posts the same requests. Each page also
gets its routing callback, which the browser posts first on every page load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import indicator_pages
import station_page
import strategy_page
from sqlalchemy import func, select

from analysis.station_extra import last_complete_month
from data_access import station_queries, strategy_queries, users
from data_access.schema import incident, station
from data_access.scope import Scope
from data_access.stations import list_countries

ROUTING_PREFIX = "shell-content.children"
PAGE_PATHS = {
    "station": "/station",
    "strategy": "/strategy",
    "indicators": "/indicators",
    "regional": "/regional",
    "admin": "/admin",
}
# Role of the account that reads each page.
PAGE_ROLES = {
    "station": users.STATION_COMMANDER,
    "strategy": users.COMMISSIONER,
    "indicators": users.MINISTRY_OFFICIAL,
    "regional": users.REGIONAL_OBSERVATORY,
    "admin": users.ADMINISTRATOR,
}


@dataclass(frozen=True)
class Case:
    """One callback request: the page, a label, the output prefix and inputs.

    Attributes
    ----------
    prefix
        Start of the callback's output key in ``/_dash-dependencies``.
    values
        Input and state values by ``"id.property"``; missing ones are sent as
        ``None``.
    changed
        The ``"id.property"`` keys sent as triggers.
    """

    page: str
    label: str
    prefix: str
    values: dict
    changed: list = field(default_factory=list)


@dataclass(frozen=True)
class Choices:
    """Readings of the benchmark: a country, its busiest station, months, years."""

    country: str
    station: str
    station_month: int
    strategy_month: int
    years: tuple[int, int]
    regional_years: tuple[int, int]


def busiest_station(engine, country: str) -> str:
    """Return the code of the country's station with the most incidents."""
    query = (
        select(station.c.code)
        .join(incident, incident.c.station_id == station.c.id)
        .where(station.c.country_code == country)
        .group_by(station.c.code)
        .order_by(func.count().desc(), station.c.code)
        .limit(1)
    )
    with engine.connect() as connection:
        code = connection.scalar(query)
    if code is None:
        raise SystemExit(f"country {country!r} has no incidents in the warehouse")
    return code


def choose(engine, country: str, station_code: str | None) -> Choices:
    """Pick the station, the months and the years the pages open on."""
    everything = Scope.everything()
    station_code = station_code or busiest_station(engine, country)
    today = last_complete_month(dt.date.today())
    record = station_queries.find_station(engine, everything, country, station_code)
    span = station_queries.data_months(engine, everything, record, "occurred")
    national = strategy_queries.data_months(engine, everything, country, "occurred")
    countries = [code for code, _ in list_countries(engine, everything)]
    return Choices(
        country=country,
        station=station_code,
        station_month=min(today, span[1]) if span else today,
        strategy_month=min(today, national[1]) if national else today,
        years=indicator_pages.default_years(engine, [country]),
        regional_years=indicator_pages.default_years(engine, countries),
    )


def routing_case(page: str) -> Case:
    """Return the routing callback that shows ``page`` on a page load."""
    values = {"shell-url.pathname": PAGE_PATHS[page]}
    return Case(page, f"{page}: page layout", ROUTING_PREFIX, values)


def admin_cases() -> list[Case]:
    """Return the read callbacks of the Administration page."""
    audit = {
        "admin-audit-user.value": None,
        "admin-audit-action.value": None,
        "admin-audit-dates.start_date": None,
        "admin-audit-dates.end_date": None,
        "admin-users-version.data": 0,
    }
    return [
        Case(
            "admin",
            "admin: users table",
            "..admin-users-table.children",
            {"admin-users-version.data": 0},
        ),
        Case("admin", "admin: audit log", "admin-audit-table.children", audit),
        Case(
            "admin",
            "admin: audit log, logins",
            "admin-audit-table.children",
            {**audit, "admin-audit-action.value": "login"},
        ),
    ]


def page_cases(choices: Choices) -> dict[str, list[Case]]:
    """Return the cases of every page, routing callback first."""
    station = [
        Case("station", f"station: {label}", prefix, values, changed)
        for label, prefix, values, changed in station_page.cases(
            choices.country, choices.station, choices.station_month
        )
    ]
    strategy = [
        Case("strategy", f"strategy: {label}", prefix, values)
        for label, prefix, values in strategy_page.cases(
            choices.country, choices.strategy_month
        )
    ]
    indicators = [
        Case("indicators", label, prefix, values)
        for label, prefix, values in indicator_pages.indicator_cases(
            choices.country, choices.years
        )
    ]
    regional = [
        Case("regional", label, prefix, values)
        for label, prefix, values in indicator_pages.regional_cases(
            choices.regional_years
        )
    ]
    pages = {
        "station": station,
        "strategy": strategy,
        "indicators": indicators,
        "regional": regional,
        "admin": admin_cases(),
    }
    return {page: [routing_case(page), *cases] for page, cases in pages.items()}


def page_accounts(choices: Choices, prefix: str) -> dict[str, tuple]:
    """Return ``(username, role, country, division, station)`` for each page."""
    scopes = {
        "station": (choices.country, None, choices.station),
        "strategy": (choices.country, None, None),
        "indicators": (choices.country, None, None),
        "regional": (None, None, None),
        "admin": (None, None, None),
    }
    return {
        page: (f"{prefix}-{page}", PAGE_ROLES[page], *scope)
        for page, scope in scopes.items()
    }


def request_body(dependencies: list[dict], case: Case) -> dict:
    """Build the POST body of ``case`` from the app's ``/_dash-dependencies``."""
    found = [d for d in dependencies if d["output"].startswith(case.prefix)]
    if len(found) != 1:
        raise SystemExit(
            f"{case.label}: {len(found)} callbacks have outputs starting with "
            f"{case.prefix!r}; expected exactly 1"
        )
    return station_page.body_for(found[0], case.values, case.changed)


def unmeasured(dependencies: list[dict], cases: list[Case], page: str) -> list[str]:
    """Return the server callbacks of ``page`` that no case posts."""
    prefix = f"{page}-"
    measured = {
        d["output"]
        for d in dependencies
        for case in cases
        if d["output"].startswith(case.prefix)
    }
    missing = []
    for dependency in dependencies:
        output = dependency["output"]
        if dependency.get("clientside_function"):
            continue
        if output.lstrip(".").startswith(prefix) and output not in measured:
            missing.append(output)
    return missing
