"""The audit log: writing entries and filtering them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from data_access import audit
from data_access.app_tables import audit_log


def _backdate(engine, entry_id: int, at: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.id == entry_id).values(at=at)
        )


def test_record_and_read_back(engine):
    audit.record(engine, "ann", audit.EXPORT, "station LCA/CAS", "csv", "127.0.0.1")

    [entry] = audit.read(engine)

    assert (entry.username, entry.action, entry.object) == (
        "ann",
        "export",
        "station LCA/CAS",
    )
    assert (entry.detail, entry.remote_addr) == ("csv", "127.0.0.1")


def test_unknown_action_rejected(engine):
    with pytest.raises(ValueError, match="audit action 'deleted' is unknown"):
        audit.record(engine, "ann", "deleted")


def test_read_filters_user_action_dates(engine):
    audit.record(engine, "ann", audit.LOGIN)
    audit.record(engine, "ann", audit.LOGOUT)
    audit.record(engine, "bob", audit.LOGIN)
    audit.record(engine, "ann", audit.LOGIN)
    _backdate(engine, 1, datetime(2025, 1, 10, 8, 0))
    _backdate(engine, 2, datetime(2025, 1, 10, 9, 0))
    _backdate(engine, 3, datetime(2025, 1, 11, 8, 0))
    _backdate(engine, 4, datetime(2025, 1, 12, 8, 0))

    by_user = audit.read(engine, username="ann")
    by_action = audit.read(engine, action=audit.LOGIN)
    by_dates = audit.read(
        engine, since=datetime(2025, 1, 10), until=datetime(2025, 1, 11)
    )
    by_list = audit.read(engine, usernames=["bob"])

    assert [e.id for e in by_user] == [4, 2, 1]
    assert [e.id for e in by_action] == [4, 3, 1]
    assert [e.id for e in by_dates] == [2, 1]
    assert [e.id for e in by_list] == [3]
    assert [e.id for e in audit.read(engine, limit=2)] == [4, 3]
    assert audit.read(engine, until=datetime(2025, 1, 10) - timedelta(seconds=1)) == []
