"""Accounts: role and scope checks, password hashing, lockout and scopes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from data_access import users
from data_access.app_tables import app_user
from data_access.scope import Scope
from tests.dashboard.helpers import seed_places

PASSWORD = "a password long enough"
NOW = datetime(2025, 3, 1, 12, 0, 0)


@pytest.fixture
def places(engine):
    seed_places(engine)
    return engine


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("station_commander", {"country_code": "LCA"}, "needs a station code"),
        ("station_commander", {"station_code": "CAS"}, "needs a country code"),
        ("divisional_commander", {"country_code": "LCA"}, "needs a division code"),
        (
            "divisional_commander",
            {"country_code": "LCA", "division_code": "NORTH", "station_code": "CAS"},
            "takes no station code",
        ),
        ("commissioner", {}, "needs a country code"),
        ("regional_observatory", {"country_code": "LCA"}, "takes no country code"),
        ("sheriff", {"country_code": "LCA"}, "role 'sheriff' is unknown"),
        (
            "station_commander",
            {"country_code": "LCA", "station_code": "BRI"},
            "station 'BRI' is not in the warehouse for country 'LCA'",
        ),
        (
            "divisional_commander",
            {"country_code": "BRB", "division_code": "NORTH"},
            "division 'NORTH' is not in the warehouse",
        ),
        ("ministry_official", {"country_code": "XYZ"}, "country 'XYZ' is not in"),
    ],
    ids=[
        "station-without-station",
        "station-without-country",
        "division-without-division",
        "division-with-station",
        "commissioner-without-country",
        "observatory-with-country",
        "unknown-role",
        "station-of-other-country",
        "division-of-other-country",
        "unknown-country",
    ],
)
def test_create_user_checks_scope(places, role, scope, message):
    with pytest.raises(users.UserError, match=message):
        users.create_user(places, "someone", "Someone", PASSWORD, role, **scope)

    assert users.list_users(places) == []


def test_create_user_rejects_taken_name(places):
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")

    with pytest.raises(users.UserError, match="user name 'ann' is taken"):
        users.create_user(places, "ann", "Ann B", PASSWORD, "commissioner", "BRB")


def test_create_user_rejects_short_password(places):
    with pytest.raises(users.UserError, match="at least 10 characters"):
        users.create_user(places, "ann", "Ann", "short", "commissioner", "LCA")


def test_password_stored_as_argon2_hash(places):
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")

    with places.connect() as connection:
        stored = connection.scalar(select(app_user.c.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_record_has_no_password_hash(places):
    record = users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")

    assert "password_hash" not in repr(record)
    assert "$argon2" not in repr(record)
    assert PASSWORD not in repr(record)


def test_lockout_after_failures_then_expires(places):
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")

    reasons = [
        users.authenticate(places, "ann", "wrong one", 3, 15, NOW).reason
        for _ in range(3)
    ]
    during = users.authenticate(places, "ann", PASSWORD, 3, 15, NOW).reason
    later = NOW + timedelta(minutes=15, seconds=1)
    after = users.authenticate(places, "ann", PASSWORD, 3, 15, later)

    assert reasons == ["wrong_password"] * 3
    assert during == "locked"
    assert after.reason == "ok"
    record = users.get_user(places, "ann")
    assert record.failed_logins == 0
    assert record.locked_until is None
    assert record.last_login_at == later


def test_success_resets_failure_count(places):
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")
    users.authenticate(places, "ann", "wrong one", 3, 15, NOW)
    users.authenticate(places, "ann", "wrong one", 3, 15, NOW)

    users.authenticate(places, "ann", PASSWORD, 3, 15, NOW)
    users.authenticate(places, "ann", "wrong one", 3, 15, NOW)

    assert users.get_user(places, "ann").failed_logins == 1
    assert users.get_user(places, "ann").locked_until is None


def test_set_password_clears_lockout(places):
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")
    for _ in range(3):
        users.authenticate(places, "ann", "wrong one", 3, 15, NOW)

    users.set_password(places, "ann", "a fresh password")

    assert users.get_user(places, "ann").locked_until is None
    assert users.authenticate(places, "ann", "a fresh password", 3, 15, NOW).user


def test_unknown_user_not_found(places):
    with pytest.raises(users.UserNotFound, match="user 'ghost' not found"):
        users.set_active(places, "ghost", False)
    assert users.authenticate(places, "ghost", PASSWORD, 3, 15).reason == (
        "unknown_user"
    )


def test_count_active_administrators(places):
    users.create_user(places, "root", "Root", PASSWORD, "administrator")
    users.create_user(places, "lca", "Lca", PASSWORD, "administrator", "LCA")
    users.create_user(places, "ann", "Ann", PASSWORD, "commissioner", "LCA")
    users.set_active(places, "lca", False)

    assert users.count_active_administrators(places) == 1


def test_last_administrator_stays_active(places):
    users.create_user(places, "root", "Root", PASSWORD, "administrator")
    users.create_user(places, "lca", "Lca", PASSWORD, "administrator", "LCA")
    users.set_active(places, "lca", False)

    with pytest.raises(users.UserError, match="last active administrator"):
        users.set_active(places, "root", False)
    assert users.count_active_administrators(places) == 1
    users.set_active(places, "lca", False)  # already disabled: allowed
    assert users.get_user(places, "root").is_active


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        ("administrator", {}, Scope(countries=None)),
        ("administrator", {"country_code": "LCA"}, Scope(frozenset({"LCA"}))),
        (
            "station_commander",
            {"country_code": "LCA", "station_code": "CAS"},
            Scope(frozenset({"LCA"}), station_code="CAS"),
        ),
        (
            "divisional_commander",
            {"country_code": "LCA", "division_code": "NORTH"},
            Scope(frozenset({"LCA"}), division_code="NORTH"),
        ),
        ("crime_analyst", {"country_code": "LCA"}, Scope(frozenset({"LCA"}))),
        (
            "ministry_official",
            {"country_code": "LCA"},
            Scope(frozenset({"LCA"}), aggregate_only=True),
        ),
        ("regional_observatory", {}, Scope(None, aggregate_only=True)),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_scope_for_record_by_role(places, role, scope, expected):
    record = users.create_user(places, "u", "U", PASSWORD, role, **scope)

    assert users.scope_for_record(record) == expected
