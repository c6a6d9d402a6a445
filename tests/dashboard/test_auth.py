"""Login, logout, lockout, session cookies and what reaches the logs."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from dashboard.app import create_app
from dashboard.config import ConfigError
from data_access import users
from data_access.app_tables import app_user, audit_log
from tests.dashboard.helpers import PASSWORD, csrf_token, login, make_settings


def _audit(app, action):
    engine = app.server.config["CRIMEDASH_ENGINE"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [(row.username, row.detail) for row in rows]


def test_login_without_csrf_token_refused(app):
    client = app.server.test_client()
    client.get("/login")

    response = client.post("/login", data={"username": "admin", "password": PASSWORD})

    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert client.get("/_dash-layout").status_code == 401


def test_login_with_forged_token_refused(app):
    client = app.server.test_client()
    client.get("/login")

    response = client.post(
        "/login",
        data={"csrf_token": "forged", "username": "admin", "password": PASSWORD},
    )

    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


def test_wrong_user_and_password_same_message(app):
    client = app.server.test_client()

    unknown = login(client, "nobody", PASSWORD)
    wrong = login(client, "admin", "not the password")

    assert unknown.status_code == wrong.status_code == 401
    message = "Wrong user name or password, or the account is locked."
    assert message in unknown.text
    assert message in wrong.text
    assert _audit(app, "login_failed") == [
        ("nobody", "unknown_user"),
        ("admin", "wrong_password"),
    ]


def test_failures_lock_account(seeded_engine, make_app):
    app = make_app(max_failed_logins=3, lockout_minutes=5)
    client = app.server.test_client()

    for _ in range(3):
        assert login(client, "analyst", "wrong password!").status_code == 401
    locked = login(client, "analyst", PASSWORD)

    assert locked.status_code == 401
    assert "Wrong user name or password" in locked.text
    assert client.get("/_dash-layout").status_code == 401
    assert users.get_user(seeded_engine, "analyst").locked_until is not None
    assert _audit(app, "login_failed")[-1] == ("analyst", "locked")


def test_disabled_user_cannot_log_in(app, seeded_engine):
    users.set_active(seeded_engine, "analyst", False)

    response = login(app.server.test_client(), "analyst")

    assert response.status_code == 401
    assert _audit(app, "login_failed") == [("analyst", "disabled")]


def test_disabling_ends_open_session(login_as, seeded_engine):
    client = login_as("analyst")
    assert client.get("/_dash-layout").status_code == 200

    users.set_active(seeded_engine, "analyst", False)

    assert client.get("/_dash-layout").status_code == 401


def test_password_reset_ends_open_session(app, login_as, seeded_engine):
    client = login_as("analyst")
    assert client.get("/_dash-layout").status_code == 200

    users.set_password(seeded_engine, "analyst", "a new passphrase for the analyst")

    assert client.get("/_dash-layout").status_code == 401
    fresh = app.server.test_client()
    response = login(fresh, "analyst", "a new passphrase for the analyst")
    assert response.status_code == 302
    assert fresh.get("/_dash-layout").status_code == 200


def test_login_records_last_login(app, seeded_engine):
    assert users.get_user(seeded_engine, "station").last_login_at is None

    login(app.server.test_client(), "station")

    assert users.get_user(seeded_engine, "station").last_login_at is not None
    assert _audit(app, "login") == [("station", "")]


def test_logout_ends_session(app, login_as):
    client = login_as("station")
    layout = client.get("/_dash-layout").text
    token = layout.split('"name":"csrf_token"')[0].rsplit('"value":"', 1)[1]
    token = token.split('"')[0]

    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    assert _audit(app, "logout") == [("station", "")]


def test_logout_without_token_refused(login_as):
    client = login_as("station")

    assert client.post("/logout").status_code == 400
    assert client.get("/_dash-layout").status_code == 200


def test_session_expires_after_lifetime(login_as, settings):
    client = login_as("station")
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - settings.session_minutes * 60 - 5

    assert client.get("/_dash-layout").status_code == 401


def _session_cookie(response) -> str:
    cookies = [
        header
        for header in response.headers.get_all("Set-Cookie")
        if header.startswith("crimedash_session=")
    ]
    assert len(cookies) == 1
    return cookies[0]


def test_session_cookie_flags(app):
    cookie = _session_cookie(login(app.server.test_client(), "station"))

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_when_configured(make_app):
    app = make_app(secure_cookies=True)
    client = app.server.test_client()
    page = client.get("/login", base_url="https://localhost")

    response = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={
            "csrf_token": csrf_token(page.text),
            "username": "station",
            "password": PASSWORD,
        },
    )

    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_valid_in_second_instance(make_app):
    first = make_app().server.test_client()
    second = make_app().server.test_client()
    login(first, "commissioner")
    cookie = first.get_cookie("crimedash_session")

    second.set_cookie("crimedash_session", cookie.value)

    assert second.get("/_dash-layout").status_code == 200
    assert second.get("/strategy").status_code == 200


def test_other_secret_key_rejects_session(make_app):
    first = make_app().server.test_client()
    second = make_app(secret_key="another-key-" + "x" * 32).server.test_client()
    login(first, "commissioner")

    second.set_cookie("crimedash_session", first.get_cookie("crimedash_session").value)

    assert second.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("secret_key", [None, "", "short"])
def test_app_requires_secret_key(database_url, tmp_path, secret_key):
    settings = make_settings(database_url, tmp_path, secret_key=secret_key)

    with pytest.raises(ConfigError, match="CRIMEDASH_SECRET_KEY"):
        create_app(settings)


def test_logs_never_show_passwords(app, seeded_engine, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.server.test_client()
    new_password = "a brand new secret phrase"

    login(client, "admin")
    login(app.server.test_client(), "admin", "wrong guess of a password")
    login(app.server.test_client(), "nobody", PASSWORD)
    users.create_user(
        seeded_engine, "later", "Later", new_password, "commissioner", "LCA"
    )
    users.set_password(seeded_engine, "later", PASSWORD + "!")

    with seeded_engine.connect() as connection:
        hashes = list(connection.scalars(select(app_user.c.password_hash)))
    text = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert "created user later" in caplog.text
    for secret in [PASSWORD, new_password, "wrong guess of a password", *hashes]:
        assert secret not in text
    assert "argon2" not in text


def test_login_puts_form_token_in_session(app):
    client = app.server.test_client()

    login(client, "station")

    with client.session_transaction() as session:
        assert "csrf_token" in session
