"""Server-side session records: a copy of the session cookie ends with the session."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from data_access import users
from data_access.app_tables import app_session
from data_access.sessions import hash_session_id
from tests.dashboard.helpers import callback_body, login

COOKIE = "crimedash_session"
SUMMARY = (
    "..station-compstat.children...station-trend.children"
    "...station-what.children...station-quality.children.."
)
EXPORT = "/export/indicators.xlsx?country=LCA&year_from=2023&year_to=2024"


def _summary_body(dependencies):
    return callback_body(
        dependencies,
        SUMMARY,
        {
            "station-station.value": "CAS",
            "station-country.value": "LCA",
            "station-month.value": 202402,
            "station-unit.value": "incidents",
            "station-basis.value": "occurred",
            "station-categories.value": [],
        },
    )


def _copy_of(app, client):
    """Return a new client that sends the session cookie ``client`` has now."""
    copy = app.server.test_client()
    copy.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return copy


def _statuses(app, cookie_value, dependencies) -> dict[str, int]:
    """Return the status of a page, a callback and an export sent with the cookie.

    Each request uses a fresh client, because a rejected session is dropped from
    the cookie that the response sets.
    """

    def client():
        fresh = app.server.test_client()
        fresh.set_cookie(COOKIE, cookie_value)
        return fresh

    body = _summary_body(dependencies)
    return {
        "page": client().get("/station").status_code,
        "callback": client().post("/_dash-update-component", json=body).status_code,
        "export": client().get(EXPORT).status_code,
    }


def _logout(client):
    layout = client.get("/_dash-layout").text
    token = layout.split('"name":"csrf_token"')[0].rsplit('"value":"', 1)[1]
    response = client.post("/logout", data={"csrf_token": token.split('"')[0]})
    assert response.status_code == 302


def _session_id(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def _record(engine, session_id):
    with engine.connect() as connection:
        return connection.execute(
            select(app_session).where(
                app_session.c.id_sha256 == hash_session_id(session_id)
            )
        ).first()


def _set_record(engine, session_id, **values) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(app_session)
            .where(app_session.c.id_sha256 == hash_session_id(session_id))
            .values(**values)
        )


def test_copied_cookie_ends_at_logout(app, login_as, dependencies):
    client = login_as("commissioner")
    cookie = client.get_cookie(COOKIE).value

    before = _statuses(app, cookie, dependencies)
    assert before == {"page": 200, "callback": 200, "export": 200}

    _logout(client)

    after = _statuses(app, cookie, dependencies)
    assert after["page"] == 302
    assert after["callback"] == 401
    assert after["export"] == 401


def test_copied_cookie_page_goes_to_login(app, login_as):
    client = login_as("commissioner")
    copy = _copy_of(app, client)
    _logout(client)

    response = copy.get("/station")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/station"
    assert copy.get("/login").status_code == 200


def test_logout_ends_only_own_session(app, login_as, dependencies):
    first = login_as("commissioner")
    second = login_as("commissioner")

    _logout(first)

    assert _statuses(app, second.get_cookie(COOKIE).value, dependencies) == {
        "page": 200,
        "callback": 200,
        "export": 200,
    }


def test_logout_marks_record_ended(login_as, seeded_engine):
    client = login_as("station")
    session_id = _session_id(client)
    assert _record(seeded_engine, session_id).ended_at is None

    _logout(client)

    record = _record(seeded_engine, session_id)
    assert record.ended_at is not None
    assert record.end_reason == "logout"


def test_copied_cookie_after_logout_logged(app, login_as, caplog):
    client = login_as("station")
    copy = _copy_of(app, client)
    _logout(client)
    caplog.set_level(logging.INFO, logger="dashboard.auth")

    assert copy.get("/_dash-layout").status_code == 401

    assert "rejected a session of user station that was logged out" in caplog.text


def test_disabling_ends_session_records(app, login_as, seeded_engine, dependencies):
    client = login_as("commissioner")
    cookie = client.get_cookie(COOKIE).value
    session_id = _session_id(client)

    users.set_active(seeded_engine, "commissioner", False)

    assert _record(seeded_engine, session_id).end_reason == "disabled"
    assert _statuses(app, cookie, dependencies) == {
        "page": 302,
        "callback": 401,
        "export": 401,
    }


def test_enabling_again_keeps_session_ended(app, login_as, seeded_engine):
    client = login_as("station")
    copy = _copy_of(app, client)
    users.set_active(seeded_engine, "station", False)

    users.set_active(seeded_engine, "station", True)

    assert copy.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert login_as("station").get("/_dash-layout").status_code == 200


def test_password_replacement_ends_sessions(app, login_as, seeded_engine, dependencies):
    client = login_as("commissioner")
    cookie = client.get_cookie(COOKIE).value
    session_id = _session_id(client)

    users.set_password(seeded_engine, "commissioner", "a new passphrase, long enough")

    assert _record(seeded_engine, session_id).end_reason == "password"
    assert _statuses(app, cookie, dependencies) == {
        "page": 302,
        "callback": 401,
        "export": 401,
    }


def test_password_change_time_still_checked(app, login_as, seeded_engine):
    client = login_as("station")
    copy = _copy_of(app, client)
    session_id = _session_id(client)
    users.set_password(seeded_engine, "station", "a new passphrase, long enough")

    # Reopen the record: the session began before the password change, so the
    # check against password_changed_at must still reject it.
    _set_record(seeded_engine, session_id, ended_at=None, end_reason=None)

    assert copy.get("/_dash-layout").status_code == 401


def test_other_users_sessions_stay_open(login_as, seeded_engine):
    station = login_as("station")
    analyst = login_as("analyst")

    users.set_active(seeded_engine, "analyst", False)
    users.set_password(seeded_engine, "analyst", "a new passphrase, long enough")

    assert analyst.get("/_dash-layout").status_code == 401
    assert station.get("/_dash-layout").status_code == 200


@pytest.mark.parametrize(
    "session_id",
    [
        pytest.param(secrets.token_urlsafe(32), id="made-up-id"),
        pytest.param("", id="empty-id"),
    ],
)
def test_unknown_session_id_rejected(app, dependencies, session_id):
    client = app.server.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["login_at"] = time.time()
    cookie = client.get_cookie(COOKIE).value

    statuses = _statuses(app, cookie, dependencies)

    assert statuses["page"] == 302
    assert statuses["callback"] == 401
    assert statuses["export"] == 401


def test_cookie_from_before_records_rejected(app, seeded_engine):
    # Before session records, the cookie carried the account's primary key.
    user_id = users.get_user(seeded_engine, "station").id
    client = app.server.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["login_at"] = time.time()

    page = client.get("/station")

    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=/station"
    assert client.get("/login").status_code == 200
    assert client.get("/_dash-layout").status_code == 401
    assert login(client, "station").status_code == 302
    assert client.get("/_dash-layout").status_code == 200


def test_table_stores_only_hash(login_as, seeded_engine):
    session_id = _session_id(login_as("station"))

    with seeded_engine.connect() as connection:
        rows = connection.execute(select(app_session)).all()

    assert len(rows) == 1
    assert rows[0].id_sha256 == hash_session_id(session_id)
    assert session_id not in [str(value) for value in rows[0]]


def test_session_id_never_logged(app, login_as, caplog):
    caplog.set_level(logging.DEBUG)
    client = login_as("station")
    session_id = _session_id(client)
    copy = _copy_of(app, client)
    client.get("/_dash-layout")
    _logout(client)
    copy.get("/_dash-layout")

    text = caplog.text + "".join(str(record.args) for record in caplog.records)

    assert "logged out" in text
    assert session_id not in text
    assert hash_session_id(session_id) not in text


def test_lifetime_ends_record_on_server(app, login_as, seeded_engine, settings):
    client = login_as("station")
    session_id = _session_id(client)
    copy = _copy_of(app, client)
    started = users.utcnow() - timedelta(minutes=settings.session_minutes, seconds=5)

    # The cookie's own login time stays recent, so only the record is too old.
    _set_record(seeded_engine, session_id, created_at=started)

    assert copy.get("/_dash-layout").status_code == 401
    assert _record(seeded_engine, session_id).end_reason == "expired"
    assert client.get("/_dash-layout").status_code == 401


def test_cookie_lifetime_ends_record(login_as, seeded_engine, settings):
    client = login_as("station")
    session_id = _session_id(client)
    with client.session_transaction() as session:
        session["login_at"] = time.time() - settings.session_minutes * 60 - 5

    assert client.get("/_dash-layout").status_code == 401

    assert _record(seeded_engine, session_id).end_reason == "expired"


def test_last_seen_written_once_a_minute(login_as, seeded_engine):
    client = login_as("station")
    session_id = _session_id(client)
    half_a_minute_ago = users.utcnow() - timedelta(seconds=30)
    two_minutes_ago = users.utcnow() - timedelta(minutes=2)

    _set_record(seeded_engine, session_id, last_seen_at=half_a_minute_ago)
    client.get("/_dash-layout")
    assert _record(seeded_engine, session_id).last_seen_at == half_a_minute_ago

    _set_record(seeded_engine, session_id, last_seen_at=two_minutes_ago)
    client.get("/_dash-layout")
    assert _record(seeded_engine, session_id).last_seen_at > half_a_minute_ago
