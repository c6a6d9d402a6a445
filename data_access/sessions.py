"""Login sessions recorded on the server, so that a copied session cookie can end.

``start_session`` makes a random session id for the signed cookie and stores only
its SHA-256 in ``app_session``. Every request reads the record back with
``find_session``: one primary-key lookup joined to the account. Logging out, the
end of the session lifetime, disabling the account and replacing its password set
``ended_at``, after which the id is rejected. Neither the id nor its hash is ever
logged.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, or_, select, update

from data_access.app_tables import app_session, app_user
from data_access.users import UserRecord, utcnow

logger = logging.getLogger(__name__)

# Random bytes in a session id; the id is their URL-safe base64 text.
SESSION_ID_BYTES = 32
# ``touch_session`` writes ``last_seen_at`` only when the stored time is this old,
# so most requests only read the table.
LAST_SEEN_INTERVAL = timedelta(minutes=1)
# Records are deleted this long after they ended or their lifetime passed.
RETENTION = timedelta(days=1)

_USER_COLUMNS = [app_user.c[field.name] for field in fields(UserRecord)]


@dataclass(frozen=True)
class SessionRecord:
    """One login session and the account it belongs to.

    Attributes
    ----------
    id_sha256
        SHA-256 of the session id, as 64 hexadecimal digits.
    created_at, last_seen_at, ended_at
        Naive UTC times of the login, of the latest request (to within
        ``LAST_SEEN_INTERVAL``) and of the end (``None`` while the session is open).
    end_reason
        One of the ``SESSION_ENDED_BY_*`` values of ``data_access.app_tables``, or
        ``None`` while the session is open.
    """

    id_sha256: str
    user: UserRecord
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None


def hash_session_id(session_id: str) -> str:
    """Return the SHA-256 of ``session_id`` in hexadecimal, as stored in the table."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(
    engine: Engine, user_id: int, lifetime: timedelta, now: datetime | None = None
) -> str:
    """Record a new session of account ``user_id`` and return its session id.

    The same transaction deletes the records that ended, or whose ``lifetime``
    passed, more than ``RETENTION`` ago, which keeps the table to about the
    sessions of the last ``lifetime`` plus one day.

    Parameters
    ----------
    engine
        Engine of the warehouse that contains ``app_session``.
    user_id
        Primary key of the account in ``app_user``.
    lifetime
        Maximum time a session lasts from its login.
    now
        Naive UTC time of the login; defaults to the current time.

    Returns
    -------
    str
        The session id for the cookie. Only its hash is stored, so it cannot be
        read back later.
    """
    now = now or utcnow()
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    with engine.begin() as connection:
        _delete_old_sessions(connection, lifetime, now)
        connection.execute(
            insert(app_session).values(
                id_sha256=hash_session_id(session_id),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
            )
        )
    return session_id


def _delete_old_sessions(connection, lifetime: timedelta, now: datetime) -> None:
    # NOTE: neither condition has an index, so this scans the table. The table
    # contains about the logins of one lifetime plus one day.
    cutoff = now - RETENTION
    result = connection.execute(
        delete(app_session).where(
            or_(
                app_session.c.ended_at < cutoff,
                app_session.c.created_at < cutoff - lifetime,
            )
        )
    )
    if result.rowcount:
        logger.info("deleted %d old session records", result.rowcount)


def find_session(engine: Engine, session_id: str) -> SessionRecord | None:
    """Return the session with id ``session_id`` and its account, or ``None``.

    Ended sessions are returned too, so that the caller can tell a logged-out
    cookie from an unknown one.
    """
    id_sha256 = hash_session_id(session_id)
    with engine.connect() as connection:
        row = connection.execute(
            select(
                app_session.c.created_at,
                app_session.c.last_seen_at,
                app_session.c.ended_at,
                app_session.c.end_reason,
                *_USER_COLUMNS,
            )
            .join(app_user, app_user.c.id == app_session.c.user_id)
            .where(app_session.c.id_sha256 == id_sha256)
        ).first()
    if row is None:
        return None
    values = row._mapping
    return SessionRecord(
        id_sha256=id_sha256,
        user=UserRecord(**{column.name: values[column] for column in _USER_COLUMNS}),
        created_at=values[app_session.c.created_at],
        last_seen_at=values[app_session.c.last_seen_at],
        ended_at=values[app_session.c.ended_at],
        end_reason=values[app_session.c.end_reason],
    )


def touch_session(
    engine: Engine, record: SessionRecord, now: datetime | None = None
) -> bool:
    """Write ``now`` to ``last_seen_at`` once ``LAST_SEEN_INTERVAL`` has passed.

    Returns
    -------
    bool
        Whether the row was written.
    """
    now = now or utcnow()
    if now - record.last_seen_at < LAST_SEEN_INTERVAL:
        return False
    with engine.begin() as connection:
        connection.execute(
            update(app_session)
            .where(app_session.c.id_sha256 == record.id_sha256)
            .values(last_seen_at=now)
        )
    return True


def end_session(
    engine: Engine, session_id: str, reason: str, now: datetime | None = None
) -> None:
    """Mark the session ``session_id`` ended for ``reason``, unless it already is."""
    with engine.begin() as connection:
        connection.execute(
            update(app_session)
            .where(
                app_session.c.id_sha256 == hash_session_id(session_id),
                app_session.c.ended_at.is_(None),
            )
            .values(ended_at=now or utcnow(), end_reason=reason)
        )
