"""Session records in ``app_session``: start, lookup, last-seen, end and cleanup."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from data_access import sessions, users
from data_access.app_tables import app_session, app_user

LIFETIME = timedelta(hours=8)
NOON = datetime(2026, 3, 2, 12, 0, 0)


@pytest.fixture
def account(engine):
    """Return a commissioner account in the test warehouse."""
    return users.create_user(
        engine, "ann", "Ann", "a long enough password", "commissioner", "LCA"
    )


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(app_session))


def test_start_returns_id_and_stores_hash(engine, account):
    session_id = sessions.start_session(engine, account.id, LIFETIME, NOON)

    record = sessions.find_session(engine, session_id)

    assert len(session_id) >= 43
    assert record.id_sha256 == sessions.hash_session_id(session_id)
    assert record.id_sha256 != session_id
    assert record.user == account
    assert record.created_at == NOON
    assert record.last_seen_at == NOON
    assert record.ended_at is None
    assert record.end_reason is None


def test_each_login_gets_new_id(engine, account):
    first = sessions.start_session(engine, account.id, LIFETIME)
    second = sessions.start_session(engine, account.id, LIFETIME)

    assert first != second
    assert _count(engine) == 2


def test_unknown_id_not_found(engine, account):
    sessions.start_session(engine, account.id, LIFETIME)

    assert sessions.find_session(engine, "made-up") is None


def test_end_session_sets_reason_once(engine, account):
    session_id = sessions.start_session(engine, account.id, LIFETIME, NOON)
    later = NOON + timedelta(minutes=5)

    sessions.end_session(engine, session_id, "logout", later)
    sessions.end_session(engine, session_id, "expired", later + timedelta(hours=1))

    record = sessions.find_session(engine, session_id)
    assert record.ended_at == later
    assert record.end_reason == "logout"


def test_touch_waits_one_interval(engine, account):
    session_id = sessions.start_session(engine, account.id, LIFETIME, NOON)
    record = sessions.find_session(engine, session_id)
    soon = NOON + sessions.LAST_SEEN_INTERVAL - timedelta(seconds=1)
    due = NOON + sessions.LAST_SEEN_INTERVAL

    assert not sessions.touch_session(engine, record, soon)
    assert sessions.find_session(engine, session_id).last_seen_at == NOON
    assert sessions.touch_session(engine, record, due)
    assert sessions.find_session(engine, session_id).last_seen_at == due


@pytest.mark.parametrize(
    ("age", "ended_ago", "kept"),
    [
        pytest.param(timedelta(hours=1), None, True, id="open"),
        pytest.param(timedelta(hours=2), timedelta(hours=23), True, id="ended-hours"),
        pytest.param(
            timedelta(days=2), timedelta(days=1, seconds=1), False, id="ended"
        ),
        pytest.param(LIFETIME + timedelta(hours=23), None, True, id="expired-hours"),
        pytest.param(
            LIFETIME + timedelta(days=1, seconds=1), None, False, id="expired"
        ),
    ],
)
def test_login_deletes_old_records(engine, account, age, ended_ago, kept):
    old = sessions.start_session(engine, account.id, LIFETIME, NOON - age)
    if ended_ago is not None:
        sessions.end_session(engine, old, "logout", NOON - ended_ago)

    new = sessions.start_session(engine, account.id, LIFETIME, NOON)

    assert (sessions.find_session(engine, old) is not None) is kept
    assert sessions.find_session(engine, new) is not None


def test_deleting_user_deletes_sessions(engine, account):
    sessions.start_session(engine, account.id, LIFETIME)

    with engine.begin() as connection:
        connection.execute(delete(app_user).where(app_user.c.id == account.id))

    assert _count(engine) == 0


def test_disable_and_password_end_sessions(engine, account):
    other = users.create_user(
        engine, "bob", "Bob", "a long enough password", "commissioner", "LCA"
    )
    disabled = sessions.start_session(engine, account.id, LIFETIME)
    untouched = sessions.start_session(engine, other.id, LIFETIME)

    users.set_active(engine, "ann", False)
    users.set_active(engine, "ann", True)
    replaced = sessions.start_session(engine, account.id, LIFETIME)
    users.set_password(engine, "ann", "another long password")

    assert sessions.find_session(engine, disabled).end_reason == "disabled"
    assert sessions.find_session(engine, replaced).end_reason == "password"
    assert sessions.find_session(engine, untouched).ended_at is None


def test_enable_leaves_sessions_open(engine, account):
    session_id = sessions.start_session(engine, account.id, LIFETIME)

    users.set_active(engine, "ann", True)

    assert sessions.find_session(engine, session_id).ended_at is None
