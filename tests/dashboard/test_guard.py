"""Callback enforcement: page roles, the user's scope, and the audit of refusals."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from data_access import users
from data_access.app_tables import audit_log
from tests.dashboard.helpers import callback_body

SUMMARY = (
    "..station-compstat.children...station-trend.children"
    "...station-what.children...station-quality.children.."
)
STATION_LIST = (
    "..station-country.value...station-station.options...station-station.value.."
)
USERS_TABLE = "..admin-users-table.children...admin-target-user.options.."
AUDIT_TABLE = "admin-audit-table.children"


def _summary_body(dependencies, station_code, country_code="LCA"):
    return callback_body(
        dependencies,
        SUMMARY,
        {
            "station-station.value": station_code,
            "station-country.value": country_code,
            "station-month.value": 202402,
            "station-unit.value": "incidents",
            "station-basis.value": "occurred",
            "station-categories.value": [],
        },
    )


def _refusals(app):
    engine = app.server.config["CRIMEDASH_ENGINE"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.action == "refused")
        ).all()
    return [(row.username, row.detail) for row in rows]


def test_station_commander_reads_own_station(login_as, dependencies):
    response = login_as("station").post(
        "/_dash-update-component", json=_summary_body(dependencies, "CAS")
    )

    assert response.status_code == 200
    compstat = response.json["response"]["station-compstat"]["children"]
    cells = _cell_texts(compstat)
    # February 2024 against January: 4 incidents against 6 in the seeded rollups.
    assert cells[:6] == ["All categories", "4", "6", "-2", "-0.9", "–"]


def _cell_texts(node) -> list[str]:
    """Return the texts of the Td components in a callback response, in order."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "Td":
            found.append(node["props"]["children"])
        for value in node.values():
            found += _cell_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _cell_texts(item)
    return found


def test_station_commander_other_station_refused(app, login_as, dependencies):
    client = login_as("station")

    response = client.post(
        "/_dash-update-component", json=_summary_body(dependencies, "GRI")
    )

    assert response.status_code == 403
    assert response.text == "Not allowed."
    assert _refusals(app) == [
        ("station", "out of scope: station 'GRI' is outside the user's scope")
    ]


def test_other_country_refused_for_commissioner(app, login_as, dependencies):
    response = login_as("commissioner").post(
        "/_dash-update-component", json=_summary_body(dependencies, "BRI", "BRB")
    )

    assert response.status_code == 403
    assert "7" not in response.text
    assert _refusals(app) == [
        ("commissioner", "out of scope: country 'BRB' is outside the user's scope")
    ]


def test_divisional_commander_lists_division_stations(login_as, dependencies):
    body = callback_body(dependencies, STATION_LIST, {"station-country.value": "LCA"})

    response = login_as("divisional").post("/_dash-update-component", json=body)

    assert response.status_code == 200
    options = response.json["response"]["station-station"]["options"]
    assert [option["value"] for option in options] == ["CAS", "GRI"]


def test_divisional_commander_other_division_refused(login_as, dependencies):
    response = login_as("divisional").post(
        "/_dash-update-component", json=_summary_body(dependencies, "VFT")
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("username", "output"),
    [
        ("ministry", SUMMARY),
        ("observatory", SUMMARY),
        ("station", USERS_TABLE),
        ("commissioner", AUDIT_TABLE),
        ("analyst", USERS_TABLE),
    ],
)
def test_callback_of_forbidden_page_refused(
    app, login_as, dependencies, username, output
):
    values = {"station-station.value": "CAS", "station-country.value": "LCA"}
    body = callback_body(dependencies, output, values)

    response = login_as(username).post("/_dash-update-component", json=body)

    assert response.status_code == 403
    assert response.text == "Not allowed."
    refusals = _refusals(app)
    assert len(refusals) == 1
    assert refusals[0][0] == username
    assert "not allowed for role" in refusals[0][1]


def test_unknown_callback_refused(login_as):
    body = {
        "output": "secret-table.data",
        "outputs": {"id": "secret-table", "property": "data"},
        "inputs": [],
    }

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 403


def test_admin_reads_users_table(login_as, dependencies):
    body = callback_body(dependencies, USERS_TABLE, {"admin-users-version.data": 0})

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 200
    options = response.json["response"]["admin-target-user"]["options"]
    assert [option["value"] for option in options] == [
        "admin",
        "analyst",
        "commissioner",
        "divisional",
        "ministry",
        "observatory",
        "station",
    ]
    assert "argon2" not in response.text


def test_admin_adds_user_and_audits(app, login_as, dependencies):
    output = "..admin-message.children...admin-users-version.data.."
    values = {
        "admin-add-button.n_clicks": 1,
        "admin-new-username.value": "newcomer",
        "admin-new-display-name.value": "New Comer",
        "admin-new-password.value": "a long enough password",
        "admin-new-role.value": "station_commander",
        "admin-new-country.value": "LCA",
        "admin-new-station.value": "GRI",
        "admin-users-version.data": 3,
    }
    body = callback_body(dependencies, output, values)
    body["changedPropIds"] = ["admin-add-button.n_clicks"]

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 200
    assert response.json["response"]["admin-users-version"]["data"] == 4
    assert "User newcomer added." in json.dumps(response.json)
    assert "a long enough password" not in response.text
    audit = json.dumps(
        login_as("admin")
        .post(
            "/_dash-update-component",
            json=callback_body(
                dependencies, AUDIT_TABLE, {"admin-audit-action.value": "user_added"}
            ),
        )
        .json
    )
    assert "user newcomer" in audit
    assert "role station_commander" in audit


def test_admin_cannot_disable_own_account(seeded_engine, login_as, dependencies):
    output = "..admin-message.children...admin-users-version.data.."
    values = {"admin-disable-button.n_clicks": 1, "admin-target-user.value": "admin"}
    body = callback_body(dependencies, output, values)
    body["changedPropIds"] = ["admin-disable-button.n_clicks"]

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 200
    assert "cannot disable your own account" in response.text
    assert users.get_user(seeded_engine, "admin").is_active


def test_admin_audit_filter_by_user(login_as, dependencies):
    login_as("station")
    login_as("ministry")
    body = callback_body(
        dependencies,
        AUDIT_TABLE,
        {"admin-audit-user.value": "ministry", "admin-audit-action.value": "login"},
    )

    response = login_as("admin").post("/_dash-update-component", json=body)

    cells = _cell_texts(response.json)
    assert cells[1:4] == ["ministry", "login", "login"]
    assert "station" not in cells
    assert len(cells) == 6
