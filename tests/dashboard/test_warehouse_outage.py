"""The app while the warehouse database is unreachable, and after it comes back.

On PostgreSQL the app reaches the server through a TCP proxy that the test cuts
and restores; the server itself keeps running. On SQLite the warehouse file is
moved away and back. The same app object serves before, during and after.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dashboard.app import create_app
from dashboard.auth import LOGIN_FAILED_MESSAGE
from dashboard.outage import ERROR_CODE, LOGIN_UNAVAILABLE_MESSAGE
from data_access.app_tables import app_user
from layouts.shell import WAREHOUSE_UNAVAILABLE_MESSAGE
from tests.dashboard.helpers import ALL_PAGES, callback_body, login, make_settings
from tests.dashboard.outage_helpers import warehouse_switch
from tests.dashboard.strategy_helpers import MONTH, seed_strategy

TRENDS = "strategy-trends.children"
SEEDED_TREND = "March 2024: 25 incidents, above the expected 12"
MAX_FAILED_LOGINS = 3


@pytest.fixture
def outage(seeded_engine, database_url, tmp_path):
    """Yield ``(app, switch)``: an app whose warehouse ``switch`` cuts and restores."""
    seed_strategy(seeded_engine)
    seeded_engine.dispose()
    with warehouse_switch(database_url) as (app_url, switch):
        settings = make_settings(app_url, tmp_path, max_failed_logins=MAX_FAILED_LOGINS)
        app = create_app(settings)
        yield app, switch
        switch.restore()
        app.server.config["CRIMEDASH_ENGINE"].dispose()


def _trends_body(client) -> dict:
    dependencies = client.get("/_dash-dependencies").json
    values = {
        "strategy-country.value": "LCA",
        "strategy-month.value": MONTH,
        "strategy-division.value": "all",
        "strategy-categories.value": [],
        "strategy-unit.value": "incidents",
        "strategy-basis.value": "occurred",
    }
    return callback_body(dependencies, TRENDS, values)


def _requests(client, body) -> dict:
    return {
        "page": client.get("/strategy"),
        "layout": client.get("/_dash-layout"),
        "callback": client.post("/_dash-update-component", json=body),
    }


def _logged_in(app):
    client = app.server.test_client()
    response = login(client, "commissioner")
    assert response.status_code == 302, response.text
    return client


def _failed_logins(app) -> tuple:
    engine = app.server.config["CRIMEDASH_ENGINE"]
    with engine.connect() as connection:
        return connection.execute(
            select(app_user.c.failed_logins, app_user.c.locked_until).where(
                app_user.c.username == "commissioner"
            )
        ).one()


def test_requests_answer_503_while_cut(outage):
    app, switch = outage
    client = _logged_in(app)
    body = _trends_body(client)
    before = _requests(client, body)
    for name, response in before.items():
        assert response.status_code == 200, (name, response.text)

    switch.cut()
    during = _requests(client, body)

    for name, response in during.items():
        assert response.status_code == 503, (name, response.text)
        assert response.headers["Retry-After"] == "30"
        assert "Traceback" not in response.text
        assert "sqlalchemy" not in response.text.lower()
    assert WAREHOUSE_UNAVAILABLE_MESSAGE in during["page"].text
    assert during["page"].mimetype == "text/html"
    for name in ("layout", "callback"):
        assert during[name].json == {
            "error": ERROR_CODE,
            "message": WAREHOUSE_UNAVAILABLE_MESSAGE,
        }


def test_every_page_and_callback_503(outage):
    app, switch = outage
    client = app.server.test_client()
    assert login(client, "admin").status_code == 302
    dependencies = client.get("/_dash-dependencies").json
    bodies = [callback_body(dependencies, d["output"], {}) for d in dependencies]

    switch.cut()
    pages = {path: client.get(path).status_code for path in ALL_PAGES}
    callbacks = {
        body["output"]: client.post("/_dash-update-component", json=body).status_code
        for body in bodies
    }

    assert pages == {path: 503 for path in ALL_PAGES}
    assert callbacks == {output: 503 for output in callbacks}
    assert len(callbacks) == len(dependencies)


def test_callback_sends_no_data_while_cut(outage):
    app, switch = outage
    client = _logged_in(app)
    body = _trends_body(client)

    switch.cut()
    response = client.post("/_dash-update-component", json=body)

    assert response.status_code == 503
    assert set(response.json) == {"error", "message"}
    assert "incidents" not in response.text
    assert '"figure"' not in response.text


def test_same_app_recovers_after_restore(outage):
    app, switch = outage
    client = _logged_in(app)
    body = _trends_body(client)
    before = _requests(client, body)

    switch.cut()
    assert client.post("/_dash-update-component", json=body).status_code == 503
    switch.restore()
    after = _requests(client, body)

    for name, response in after.items():
        assert response.status_code == 200, (name, response.text)
    assert after["callback"].json == before["callback"].json
    assert SEEDED_TREND in after["callback"].text


def test_login_says_service_unavailable(outage):
    app, switch = outage
    client = app.server.test_client()

    switch.cut()
    attempts = [
        login(client, "commissioner", "wrong password")
        for _ in range(MAX_FAILED_LOGINS + 1)
    ]
    attempts.append(login(client, "commissioner"))

    for response in attempts:
        assert response.status_code == 503, response.text
        assert LOGIN_UNAVAILABLE_MESSAGE in response.text
        assert LOGIN_FAILED_MESSAGE not in response.text
        assert "Traceback" not in response.text


def test_outage_locks_no_account(outage):
    app, switch = outage
    client = app.server.test_client()

    switch.cut()
    for _ in range(MAX_FAILED_LOGINS + 1):
        assert login(client, "commissioner", "wrong password").status_code == 503
    switch.restore()

    assert login(client, "commissioner").status_code == 302
    assert _failed_logins(app) == (0, None)


def test_outage_logged_once(outage, caplog):
    app, switch = outage
    client = _logged_in(app)
    body = _trends_body(client)

    switch.cut()
    caplog.set_level(logging.ERROR, logger="dashboard.outage")
    for _ in range(3):
        _requests(client, body)

    records = [r for r in caplog.records if r.name == "dashboard.outage"]
    assert len(records) == 1
    assert "warehouse unavailable" in records[0].getMessage()
    assert "commissioner" not in records[0].getMessage()


def test_missing_sqlite_file_not_created(outage, database_url):
    app, switch = outage
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("moves a SQLite file")
    client = _logged_in(app)

    switch.cut()
    response = client.get("/_dash-layout")

    assert response.status_code == 503
    assert not switch.path.exists()
