"""Fixtures of dashboard tests: a seeded warehouse, the app, logged-in clients."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from tests.dashboard.helpers import add_accounts, login, make_settings, seed_places


@pytest.fixture
def seeded_engine(engine):
    """Return the warehouse engine with the seeded places and one account per role."""
    seed_places(engine)
    add_accounts(engine)
    return engine


@pytest.fixture
def settings(database_url, tmp_path):
    """Return settings of a test app on the test database."""
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(seeded_engine, settings):
    """Return the dashboard app on the seeded warehouse."""
    dash_app = create_app(settings)
    yield dash_app
    dash_app.server.config["CRIMEDASH_ENGINE"].dispose()


@pytest.fixture
def make_app(seeded_engine, database_url, tmp_path):
    """Return a factory of apps on the seeded warehouse, with settings overrides."""
    apps = []

    def build(**overrides):
        apps.append(create_app(make_settings(database_url, tmp_path, **overrides)))
        return apps[-1]

    yield build
    for built in apps:
        built.server.config["CRIMEDASH_ENGINE"].dispose()


@pytest.fixture
def login_as(app):
    """Return a function that logs a user in and returns their test client."""

    def log_in(username: str):
        client = app.server.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.text
        return client

    return log_in


@pytest.fixture
def dependencies(login_as):
    """Return the callback list of ``/_dash-dependencies``, read as administrator."""
    response = login_as("admin").get("/_dash-dependencies")
    assert response.status_code == 200
    return response.json
