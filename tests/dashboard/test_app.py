"""Routes of the dashboard: login required, pages by role, navbar, landing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from data_access.app_tables import audit_log
from tests.dashboard.helpers import (
    ACCOUNTS,
    ALL_PAGES,
    EXPECTED_PAGES,
    LANDING,
    callback_body,
    login,
)

LOGGED_OUT_GETS = ["/", *ALL_PAGES, "/_dash-layout", "/_dash-dependencies"]


@pytest.mark.parametrize("path", LOGGED_OUT_GETS)
def test_logged_out_get_is_refused(app, path):
    response = app.server.test_client().get(path)

    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    assert "react-entry-point" not in response.text
    assert "shell-" not in response.text
    assert "station-" not in response.text


def test_logged_out_dash_json_routes_get_401(app):
    client = app.server.test_client()

    for path in ("/_dash-layout", "/_dash-dependencies", "/_reload-hash"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.text == "Login required."


def test_logged_out_callback_post_gets_401(app, dependencies):
    body = {
        "output": "station-summary.children",
        "outputs": {"id": "station-summary", "property": "children"},
        "inputs": [{"id": "station-station", "property": "value", "value": "CAS"}],
        "state": [{"id": "station-country", "property": "value", "value": "LCA"}],
    }

    response = app.server.test_client().post("/_dash-update-component", json=body)

    assert response.status_code == 401
    assert response.text == "Login required."


def test_assets_and_login_are_public(app):
    client = app.server.test_client()

    with client.get("/assets/vendor/bootstrap/bootstrap.min.css") as stylesheet:
        assert stylesheet.status_code == 200
        assert b".navbar" in stylesheet.data
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_role_opens_exactly_its_pages(login_as, username):
    client = login_as(username)

    for path in ALL_PAGES:
        response = client.get(path)
        if path in EXPECTED_PAGES[username]:
            assert response.status_code == 200, path
            assert "react-entry-point" in response.text
        else:
            assert response.status_code == 403, path
            assert "Not allowed" in response.text
            assert "react-entry-point" not in response.text


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_navbar_lists_role_pages(login_as, username):
    layout = login_as(username).get("/_dash-layout")

    assert layout.status_code == 200
    assert _nav_links(layout.json) == EXPECTED_PAGES[username]


def _nav_links(node) -> list[str]:
    """Return the hrefs of the NavLink components in a layout tree, in order."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "NavLink":
            found.append(node["props"]["href"])
        for value in node.values():
            found += _nav_links(value)
    elif isinstance(node, list):
        for item in node:
            found += _nav_links(item)
    return found


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_login_lands_on_role_page(app, username):
    client = app.server.test_client()
    response = login(client, username)

    assert response.status_code == 302
    assert response.headers["Location"] == LANDING[username]
    assert client.get("/").headers["Location"] == LANDING[username]


def test_navbar_shows_name_role_and_scope(login_as):
    layout = json.dumps(login_as("station").get("/_dash-layout").json)

    assert "Station" in layout
    assert "Station commander" in layout
    assert "Saint Lucia, station CAS" in layout


def test_unknown_path_is_not_found(login_as):
    assert login_as("admin").get("/no-such-page").status_code == 404


def test_forbidden_page_is_audited(app, login_as):
    login_as("ministry").get("/admin")

    engine = app.server.config["CRIMEDASH_ENGINE"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.action == "refused")
        ).all()
    assert [(row.username, row.object) for row in rows] == [("ministry", "/admin")]


def test_routing_callback_refuses_forbidden_page(login_as, dependencies):
    body = callback_body(
        dependencies, "shell-content.children", {"shell-url.pathname": "/admin"}
    )

    response = login_as("station").post("/_dash-update-component", json=body)

    assert response.status_code == 200
    content = json.dumps(response.json)
    assert "Not allowed" in content
    assert "admin-users-table" not in content
