"""Helpers for dashboard tests: a small seeded warehouse, accounts and logins.

The seeded places are Saint Lucia with divisions NORTH (stations CAS and GRI) and
SOUTH (station VFT), and Barbados with division A (station BRI). CAS has 6
incidents in January 2024 and 4 in February 2024; GRI has 7 in January 2024.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import insert

from dashboard.config import Settings
from data_access import users
from data_access.ingest.rollups import rebuild_summed_rollups
from data_access.schema import EXCLUDED, division, rollup_monthly, station

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key-" + "0123456789abcdef" * 2

# One account per role: user name -> (role, country, division, station).
ACCOUNTS = {
    "admin": ("administrator", None, None, None),
    "commissioner": ("commissioner", "LCA", None, None),
    "analyst": ("crime_analyst", "LCA", None, None),
    "divisional": ("divisional_commander", "LCA", "NORTH", None),
    "station": ("station_commander", "LCA", None, "CAS"),
    "ministry": ("ministry_official", "LCA", None, None),
    "observatory": ("regional_observatory", None, None, None),
}

# The pages each account may open, in navbar order.
EXPECTED_PAGES = {
    "admin": ["/station", "/strategy", "/indicators", "/regional", "/admin"],
    "commissioner": ["/station", "/strategy", "/indicators"],
    "analyst": ["/station", "/strategy", "/indicators"],
    "divisional": ["/station"],
    "station": ["/station"],
    "ministry": ["/indicators"],
    "observatory": ["/regional"],
}

LANDING = {
    "admin": "/admin",
    "commissioner": "/strategy",
    "analyst": "/strategy",
    "divisional": "/station",
    "station": "/station",
    "ministry": "/indicators",
    "observatory": "/regional",
}

ALL_PAGES = ["/station", "/strategy", "/indicators", "/regional", "/admin"]


def seed_places(engine) -> None:
    """Insert the divisions, stations and monthly counts described above.

    The country-wide and yearly sums of the counts are built as an import
    builds them.
    """
    with engine.begin() as connection:
        connection.execute(
            insert(division),
            [
                {"id": 1, "country_code": "LCA", "code": "NORTH", "name": "North"},
                {"id": 2, "country_code": "LCA", "code": "SOUTH", "name": "South"},
                {"id": 3, "country_code": "BRB", "code": "A", "name": "Division A"},
            ],
        )
        connection.execute(
            insert(station),
            [
                _station(1, "LCA", 1, "CAS", "Castries"),
                _station(2, "LCA", 1, "GRI", "Gros Islet"),
                _station(3, "LCA", 2, "VFT", "Vieux Fort"),
                _station(4, "BRB", 3, "BRI", "Bridgetown"),
            ],
        )
        connection.execute(insert(rollup_monthly), _rollup_rows())
        rebuild_summed_rollups(connection, "LCA")


def _station(id_, country_code, division_id, code, name) -> dict:
    return {
        "id": id_,
        "country_code": country_code,
        "division_id": division_id,
        "code": code,
        "name": name,
        "is_demo": False,
    }


def _rollup_rows() -> list[dict]:
    def row(station_id, month, iccs, incidents, attempted=False, **extra):
        values = {
            "country_code": "LCA",
            "station_id": station_id,
            "basis": "occurred",
            "month": month,
            "iccs_code": iccs,
            "attempted": attempted,
            "person_role": "all",
            "sex": "all",
            "age_band": "all",
            "incidents": incidents,
            "offences": incidents,
            "persons": 0,
            "firearm_incidents": 0,
        }
        values.update(extra)
        return values

    return [
        # CAS, January 2024: 2 + 3 + 1 attempted = 6 incidents.
        row(1, 202401, "0101", 2),
        row(1, 202401, "0501", 3),
        row(1, 202401, "0501", 1, attempted=True),
        # Left out of the counts: excluded offences, victim rows, reported basis.
        row(1, 202401, EXCLUDED, 9),
        row(1, 202401, "0501", 5, person_role="victim", sex="F", age_band="18-24"),
        row(1, 202401, "0501", 8, basis="reported"),
        # CAS, February 2024: 4 incidents.
        row(1, 202402, "0401", 4),
        # GRI, January 2024: 7 incidents.
        row(2, 202401, "0101", 7),
    ]


def add_accounts(engine, names=None) -> None:
    """Create the accounts in ``ACCOUNTS`` (or only ``names``) with ``PASSWORD``."""
    for username in names or ACCOUNTS:
        role, country, division_code, station_code = ACCOUNTS[username]
        users.create_user(
            engine,
            username,
            username.title(),
            PASSWORD,
            role,
            country_code=country,
            division_code=division_code,
            station_code=station_code,
        )


def make_settings(database_url: str, data_dir: Path, **overrides) -> Settings:
    """Return settings for a test app with a fixed secret key."""
    values = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": SECRET_KEY,
    }
    values.update(overrides)
    return Settings(**values)


def csrf_token(html: str) -> str:
    """Return the CSRF token of the login form in ``html``."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the login form has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    """Log in through the form with the Flask test client and return the response."""
    token = csrf_token(client.get("/login").text)
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
    )


def callback_body(dependencies: list[dict], output: str, values: dict) -> dict:
    """Build a callback POST body for the callback named ``output``.

    ``dependencies`` is the JSON of ``/_dash-dependencies``; ``values`` maps
    ``"id.property"`` of each input and state to the value to send.
    """
    dependency = next(d for d in dependencies if d["output"] == output)

    def items(kind):
        return [
            {
                "id": item["id"],
                "property": item["property"],
                "value": values.get(f"{item['id']}.{item['property']}"),
            }
            for item in dependency[kind]
        ]

    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in output.strip(".").split("...")
    ]
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dependency["inputs"]],
    }
