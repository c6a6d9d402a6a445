"""The simulated users of the load test: roles, scopes and the pages they open.

Users are spread over the roles in the proportions of ``ROLE_MIX`` and over the
countries of the warehouse in turn. Station and divisional commanders get
stations and divisions in turn within their country, so that most users read
different rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from _pages import Case, Choices, choose, page_cases

from data_access import users
from data_access.scope import Scope
from data_access.stations import list_countries, list_stations

# Role and number of users per 50 simulated users.
ROLE_MIX = (
    (users.STATION_COMMANDER, 20),
    (users.DIVISIONAL_COMMANDER, 6),
    (users.COMMISSIONER, 8),
    (users.CRIME_ANALYST, 6),
    (users.MINISTRY_OFFICIAL, 5),
    (users.REGIONAL_OBSERVATORY, 3),
    (users.ADMINISTRATOR, 2),
)
# Pages each role moves through.
ROLE_PAGES = {
    users.STATION_COMMANDER: ("station",),
    users.DIVISIONAL_COMMANDER: ("station",),
    users.COMMISSIONER: ("strategy", "station", "indicators"),
    users.CRIME_ANALYST: ("strategy", "station", "indicators"),
    users.MINISTRY_OFFICIAL: ("indicators",),
    users.REGIONAL_OBSERVATORY: ("regional",),
    users.ADMINISTRATOR: ("admin", "regional"),
}


@dataclass
class SimulatedUser:
    """One simulated user: account, scope and the callback cases of each page.

    Attributes
    ----------
    pages
        The ``_pages.Case`` list of each page the user opens, routing first.
    """

    username: str
    role: str
    country: str | None
    division: str | None
    station: str | None
    pages: dict[str, list[Case]]


def role_sequence(count: int) -> list[str]:
    """Return the role of each of ``count`` users, following ``ROLE_MIX``.

    The roles of a block of 50 are interleaved (every seventh position in turn),
    so that a count below 50 still has most roles, and the block repeats for a
    count above 50.
    """
    block = [role for role, number in ROLE_MIX for _ in range(number)]
    spread = [block[(index * 7) % len(block)] for index in range(len(block))]
    return [spread[index % len(spread)] for index in range(count)]


def plan_users(engine, count: int, prefix: str) -> list[SimulatedUser]:
    """Return ``count`` users with scopes spread over the warehouse."""
    everything = Scope.everything()
    countries = [code for code, _ in list_countries(engine, everything)]
    stations = {code: list_stations(engine, everything, code) for code in countries}
    countries = [code for code in countries if stations[code]]
    choices: dict[tuple, Choices] = {}
    planned = []
    turn_by_role: dict[str, int] = {}
    for index, role in enumerate(role_sequence(count)):
        turn = turn_by_role.get(role, 0)
        turn_by_role[role] = turn + 1
        country = countries[turn % len(countries)]
        in_country = stations[country]
        pick = in_country[(turn // len(countries)) % len(in_country)]
        key = (country, pick.code)
        if key not in choices:
            choices[key] = choose(engine, country, pick.code)
        planned.append(_user(f"{prefix}-{index + 1:02d}", role, pick, choices[key]))
    return planned


def _user(username: str, role: str, station, choices: Choices) -> SimulatedUser:
    country = station.country_code
    division = station.division_code
    scope = {
        users.STATION_COMMANDER: (country, None, station.code),
        users.DIVISIONAL_COMMANDER: (country, division, None),
        users.REGIONAL_OBSERVATORY: (None, None, None),
        users.ADMINISTRATOR: (None, None, None),
    }.get(role, (country, None, None))
    if role == users.DIVISIONAL_COMMANDER and division is None:
        # A station without a division: read it as its commander would.
        role, scope = users.STATION_COMMANDER, (country, None, station.code)
    cases = page_cases(choices)
    pages = {page: cases[page] for page in ROLE_PAGES[role]}
    return SimulatedUser(username, role, *scope, pages)
