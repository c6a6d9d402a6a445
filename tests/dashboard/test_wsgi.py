"""The WSGI entry point behind a reverse proxy."""

from __future__ import annotations

import pytest

from dashboard.config import Settings
from dashboard.wsgi import create_server
from data_access import audit
from tests.dashboard.helpers import PASSWORD, csrf_token, make_settings

CLIENT_ADDRESS = "203.0.113.7"


def _log_in_through_proxy(server) -> str:
    """Log in as the commissioner through a proxy and return the audited address."""
    client = server.test_client()
    headers = {
        "X-Forwarded-For": CLIENT_ADDRESS,
        "X-Forwarded-Proto": "https",
        "Referer": "https://localhost/login",
    }
    token = csrf_token(client.get("/login", headers=headers).text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": "commissioner", "password": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 302, response.text
    entries = audit.read(server.config["CRIMEDASH_ENGINE"], action=audit.LOGIN)
    return entries[0].remote_addr


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(0, "127.0.0.1"), (1, CLIENT_ADDRESS)],
    ids=["direct", "proxy"],
)
def test_audit_address_behind_proxy(
    seeded_engine, database_url, tmp_path, hops, expected
):
    settings = make_settings(database_url, tmp_path, trusted_proxies=hops)
    server = create_server(settings)
    try:
        assert _log_in_through_proxy(server) == expected
    finally:
        server.config["CRIMEDASH_ENGINE"].dispose()


def test_trusted_proxies_from_environment(tmp_path):
    settings = Settings.from_env(
        {"CRIMEDASH_DATA_DIR": str(tmp_path), "CRIMEDASH_TRUSTED_PROXIES": "2"}
    )
    assert settings.trusted_proxies == 2
