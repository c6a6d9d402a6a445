"""The audit log: who logged in, was refused, exported data or changed users.

Entries go to the ``audit_log`` table. An entry names the user and the object acted
on (a station, a page, a user name); it never carries a password or a personal
detail of a victim or suspect.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from data_access.app_tables import audit_log

logger = logging.getLogger(__name__)

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
REFUSED = "refused"
EXPORT = "export"
USER_ADDED = "user_added"
USER_DISABLED = "user_disabled"
USER_ENABLED = "user_enabled"
PASSWORD_SET = "password_set"

ACTIONS = (
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    REFUSED,
    EXPORT,
    USER_ADDED,
    USER_DISABLED,
    USER_ENABLED,
    PASSWORD_SET,
)

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log.

    Attributes
    ----------
    at
        Naive UTC time of the event.
    username
        Who acted, or the name typed at a failed login; ``None`` when unknown.
    action
        One of ``ACTIONS``.
    object
        What was acted on: a page path, a station, a user name or a file.
    detail
        A short reason or description.
    remote_addr
        The client address, when the event came over HTTP.
    """

    id: int
    at: datetime
    username: str | None
    action: str
    object: str
    detail: str
    remote_addr: str | None


def record(
    engine: Engine,
    username: str | None,
    action: str,
    object: str = "",  # noqa: A002 - the column is named "object"
    detail: str = "",
    remote_addr: str | None = None,
) -> None:
    """Append one entry to the audit log.

    Parameters
    ----------
    engine
        Engine of the warehouse that holds ``audit_log``.
    username
        Who acted; for a failed login, the name that was typed.
    action
        One of ``ACTIONS``, for example ``EXPORT`` for a file download.
    object
        What was acted on, for example ``"station LCA/CAS"`` or ``"/admin"``.
    detail
        A short reason; never a password or a personal detail.
    remote_addr
        The client address, if known.

    Raises
    ------
    ValueError
        If ``action`` is not one of ``ACTIONS``.
    """
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} is unknown; use one of {ACTIONS}.")
    with engine.begin() as connection:
        connection.execute(
            insert(audit_log).values(
                at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                username=username,
                action=action,
                object=object,
                detail=detail,
                remote_addr=remote_addr,
            )
        )
    logger.info("audit %s by %s on %s", action, username, object)


def read(
    engine: Engine,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    usernames: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AuditEntry]:
    """Return audit entries, newest first, filtered by user, action and time.

    Parameters
    ----------
    engine
        Engine of the warehouse that holds ``audit_log``.
    username, action
        Keep only entries with exactly this user name or action.
    since, until
        Keep only entries at or after ``since`` and before ``until`` (naive UTC).
    usernames
        Keep only entries of these users, for an administrator limited to the
        users of one country; ``None`` keeps every user.
    limit
        The maximum number of entries returned.

    Returns
    -------
    list of AuditEntry
        The newest ``limit`` matching entries.
    """
    query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
    if username:
        query = query.where(audit_log.c.username == username)
    if action:
        query = query.where(audit_log.c.action == action)
    if usernames is not None:
        query = query.where(audit_log.c.username.in_(sorted(usernames)))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    with engine.connect() as connection:
        rows = connection.execute(query.limit(limit))
        return [AuditEntry(**row._mapping) for row in rows]
