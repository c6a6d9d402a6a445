"""Users of the dashboard: accounts, roles, scopes, passwords and login checks.

Rows live in the ``app_user`` table. Passwords are stored only as argon2 hashes, and
no function here returns a hash or logs a password: ``UserRecord`` carries neither.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, and_, func, insert, select, update

from data_access.app_tables import (
    SESSION_ENDED_BY_DISABLING,
    SESSION_ENDED_BY_PASSWORD,
    app_session,
    app_user,
)
from data_access.schema import country, division, station
from data_access.scope import Scope

logger = logging.getLogger(__name__)

ADMINISTRATOR = "administrator"
COMMISSIONER = "commissioner"
CRIME_ANALYST = "crime_analyst"
DIVISIONAL_COMMANDER = "divisional_commander"
STATION_COMMANDER = "station_commander"
MINISTRY_OFFICIAL = "ministry_official"
REGIONAL_OBSERVATORY = "regional_observatory"

ROLES = (
    ADMINISTRATOR,
    COMMISSIONER,
    CRIME_ANALYST,
    DIVISIONAL_COMMANDER,
    STATION_COMMANDER,
    MINISTRY_OFFICIAL,
    REGIONAL_OBSERVATORY,
)

# Roles that read rollup aggregates only, never incident rows.
AGGREGATE_ONLY_ROLES = frozenset({MINISTRY_OFFICIAL, REGIONAL_OBSERVATORY})

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")

# Which parts of the scope each role must have ("required"), may have
# ("optional") or must not have (absent from the mapping).
_SCOPE_RULES = {
    ADMINISTRATOR: {"country": "optional"},
    COMMISSIONER: {"country": "required"},
    CRIME_ANALYST: {"country": "required"},
    DIVISIONAL_COMMANDER: {"country": "required", "division": "required"},
    STATION_COMMANDER: {"country": "required", "station": "required"},
    MINISTRY_OFFICIAL: {"country": "required"},
    REGIONAL_OBSERVATORY: {},
}


class UserError(ValueError):
    """A user account request is invalid; the message names the field and value."""


class UserNotFound(LookupError):
    """No user has the given user name."""


@dataclass(frozen=True)
class UserRecord:
    """One account, without its password hash.

    Attributes
    ----------
    country_code, division_code, station_code
        The scope: ``None`` for a part the role does not restrict.
    locked_until
        Naive UTC time until which logins are rejected, or ``None``.
    password_changed_at
        Naive UTC time the password was last replaced, or ``None`` if never.
    """

    id: int
    username: str
    display_name: str
    role: str
    country_code: str | None
    division_code: str | None
    station_code: str | None
    is_active: bool
    failed_logins: int
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    password_changed_at: datetime | None


@dataclass(frozen=True)
class LoginResult:
    """Outcome of one login attempt.

    Attributes
    ----------
    user
        The account when the login succeeded, else ``None``.
    reason
        ``ok``, ``unknown_user``, ``wrong_password``, ``locked`` or ``disabled``.
        The login page shows one generic message whatever the reason; the reason
        goes to the audit log only.
    """

    user: UserRecord | None
    reason: str


_RECORD_FIELDS = tuple(UserRecord.__dataclass_fields__)
_RECORD_COLUMNS = [app_user.c[name] for name in _RECORD_FIELDS]


def utcnow() -> datetime:
    """Return the current UTC time as a naive date-time, as stored in app tables."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password`` after checking its length.

    Raises
    ------
    UserError
        If the password is shorter than ``MIN_PASSWORD_LENGTH`` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"password is too short: it needs at least {MIN_PASSWORD_LENGTH} "
            "characters."
        )
    return PasswordHasher().hash(password)


def create_user(
    engine: Engine,
    username: str,
    display_name: str,
    password: str,
    role: str,
    country_code: str | None = None,
    division_code: str | None = None,
    station_code: str | None = None,
) -> UserRecord:
    """Create an active account after checking its role and scope.

    Parameters
    ----------
    engine
        Engine of the warehouse that holds ``app_user``.
    username, display_name, password
        Login name, the name shown on screen, and the plain password, which is
        hashed with argon2 and never stored or logged.
    role
        One of ``ROLES``.
    country_code, division_code, station_code
        The scope. A station commander needs a country and a station, a divisional
        commander a country and a division, the commissioner, crime analyst and
        ministry official a country; a regional observatory has none (all
        countries) and an administrator a country or none.

    Returns
    -------
    UserRecord
        The new account.

    Raises
    ------
    UserError
        If a field is invalid, the scope does not fit the role, a scope code is not
        in the warehouse, or the user name is taken.
    """
    _check_username(username)
    if not display_name.strip():
        raise UserError("display name is empty; give the name shown on screen.")
    scope = {
        "country": country_code,
        "division": division_code,
        "station": station_code,
    }
    _check_scope_fits_role(role, scope)
    password_hash = hash_password(password)

    with engine.begin() as connection:
        _check_scope_exists(connection, country_code, division_code, station_code)
        if _find(connection, username) is not None:
            raise UserError(f"user name {username!r} is taken; choose another.")
        connection.execute(
            insert(app_user).values(
                username=username,
                display_name=display_name.strip(),
                password_hash=password_hash,
                role=role,
                country_code=country_code,
                division_code=division_code,
                station_code=station_code,
                is_active=True,
                failed_logins=0,
                created_at=utcnow(),
            )
        )
        record = _find(connection, username)
    logger.info("created user %s with role %s", username, role)
    return record


def _check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise UserError(
            f"user name {username!r} is invalid; use 1 to 64 letters, digits or "
            "the characters . _ @ -"
        )


def _check_scope_fits_role(role: str, scope: dict[str, str | None]) -> None:
    if role not in _SCOPE_RULES:
        raise UserError(f"role {role!r} is unknown; use one of {list(ROLES)}.")
    rules = _SCOPE_RULES[role]
    for part, value in scope.items():
        rule = rules.get(part)
        if rule == "required" and not value:
            raise UserError(f"role {role!r} needs a {part} code; give --{part}.")
        if rule is None and value:
            raise UserError(
                f"role {role!r} takes no {part} code, got {value!r}; leave it out."
            )


def _check_scope_exists(connection, country_code, division_code, station_code):
    if country_code and not connection.scalar(
        select(country.c.code).where(country.c.code == country_code)
    ):
        raise UserError(f"country {country_code!r} is not in the warehouse.")
    if division_code and not connection.scalar(
        select(division.c.id).where(
            division.c.country_code == country_code, division.c.code == division_code
        )
    ):
        raise UserError(
            f"division {division_code!r} is not in the warehouse for country "
            f"{country_code!r}."
        )
    if station_code and not connection.scalar(
        select(station.c.id).where(
            station.c.country_code == country_code, station.c.code == station_code
        )
    ):
        raise UserError(
            f"station {station_code!r} is not in the warehouse for country "
            f"{country_code!r}."
        )


def _find(connection, username: str) -> UserRecord | None:
    row = connection.execute(
        select(*_RECORD_COLUMNS).where(app_user.c.username == username)
    ).first()
    return None if row is None else UserRecord(**row._mapping)


def get_user(engine: Engine, username: str) -> UserRecord:
    """Return the account named ``username``.

    Raises
    ------
    UserNotFound
        If there is no such account.
    """
    with engine.connect() as connection:
        record = _find(connection, username)
    if record is None:
        raise UserNotFound(f"user {username!r} not found; see `crimedash users list`.")
    return record


def find_user_by_id(engine: Engine, user_id: int) -> UserRecord | None:
    """Return the account with primary key ``user_id``, or ``None``."""
    with engine.connect() as connection:
        row = connection.execute(
            select(*_RECORD_COLUMNS).where(app_user.c.id == user_id)
        ).first()
    return None if row is None else UserRecord(**row._mapping)


def list_users(engine: Engine) -> list[UserRecord]:
    """Return every account, ordered by user name."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(*_RECORD_COLUMNS).order_by(app_user.c.username)
        )
        return [UserRecord(**row._mapping) for row in rows]


def count_active_administrators(engine: Engine) -> int:
    """Return how many active accounts have the administrator role."""
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).where(
                and_(app_user.c.role == ADMINISTRATOR, app_user.c.is_active)
            )
        )


def set_active(engine: Engine, username: str, active: bool) -> None:
    """Enable or disable the account ``username``.

    Disabling also ends every open session of the account in ``app_session``.

    Raises
    ------
    UserError
        If disabling would leave no active administrator to manage accounts in
        the Administration page.
    UserNotFound
        If there is no such account.
    """
    if not active:
        record = get_user(engine, username)
        is_administrator = record.is_active and record.role == ADMINISTRATOR
        if is_administrator and count_active_administrators(engine) <= 1:
            raise UserError(
                f"user {username!r} is the last active administrator; add or "
                "enable another administrator first."
            )
    end_reason = None if active else SESSION_ENDED_BY_DISABLING
    _update(engine, username, end_reason, is_active=active)
    logger.info("user %s %s", username, "enabled" if active else "disabled")


def set_password(engine: Engine, username: str, password: str) -> None:
    """Replace the password of ``username``, clear any lockout, end open sessions.

    The open sessions of the account in ``app_session`` end at once. Sessions
    that started before ``password_changed_at`` are rejected as well.

    Raises
    ------
    UserError
        If the password is too short.
    UserNotFound
        If there is no such account.
    """
    password_hash = hash_password(password)
    _update(
        engine,
        username,
        SESSION_ENDED_BY_PASSWORD,
        password_hash=password_hash,
        failed_logins=0,
        locked_until=None,
        # To the microsecond, so that a session started just before is ended.
        password_changed_at=datetime.now(UTC).replace(tzinfo=None),
    )
    logger.info("password of user %s replaced", username)


def _update(engine: Engine, username: str, end_reason: str | None, **values) -> None:
    """Write ``values`` to the account and end its sessions for ``end_reason``.

    Sessions stay open when ``end_reason`` is ``None``.
    """
    with engine.begin() as connection:
        result = connection.execute(
            update(app_user).where(app_user.c.username == username).values(**values)
        )
        if result.rowcount == 0:
            raise UserNotFound(
                f"user {username!r} not found; see `crimedash users list`."
            )
        if end_reason is not None:
            _end_sessions(connection, username, end_reason)


def _end_sessions(connection, username: str, reason: str) -> None:
    user_id = select(app_user.c.id).where(app_user.c.username == username)
    result = connection.execute(
        update(app_session)
        .where(
            app_session.c.user_id == user_id.scalar_subquery(),
            app_session.c.ended_at.is_(None),
        )
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if result.rowcount:
        logger.info(
            "ended %d sessions of user %s, reason %s", result.rowcount, username, reason
        )


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    max_failed_logins: int,
    lockout_minutes: int,
    now: datetime | None = None,
) -> LoginResult:
    """Check a login and update the failure count, lockout and last login.

    After ``max_failed_logins`` wrong passwords in a row the account is locked for
    ``lockout_minutes``; while locked, even the right password is rejected. A
    success resets the failure count and records the login time.

    Parameters
    ----------
    engine
        Engine of the warehouse that holds ``app_user``.
    username, password
        What the login form sent.
    max_failed_logins, lockout_minutes
        The lockout policy, from the settings.
    now
        Naive UTC time of the attempt; defaults to the current time.

    Returns
    -------
    LoginResult
        The account on success, and the reason in every case.
    """
    now = now or utcnow()
    with engine.begin() as connection:
        row = connection.execute(
            select(app_user.c.password_hash, *_RECORD_COLUMNS).where(
                app_user.c.username == username
            )
        ).first()
        if row is None:
            # Hash anyway so an unknown name takes as long as a wrong password.
            _verify(_DUMMY_HASH.value(), password)
            return LoginResult(None, "unknown_user")
        record = UserRecord(**{name: row._mapping[name] for name in _RECORD_FIELDS})
        if record.locked_until is not None and record.locked_until > now:
            return LoginResult(None, "locked")
        if not _verify(row.password_hash, password):
            _record_failure(connection, record, max_failed_logins, lockout_minutes, now)
            return LoginResult(None, "wrong_password")
        if not record.is_active:
            return LoginResult(None, "disabled")
        connection.execute(
            update(app_user)
            .where(app_user.c.id == record.id)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
        )
    return LoginResult(record, "ok")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_failure(connection, record, max_failed_logins, lockout_minutes, now):
    failures = record.failed_logins + 1
    locked_until = None
    if failures >= max_failed_logins:
        locked_until = now + timedelta(minutes=lockout_minutes)
        failures = 0
        logger.warning(
            "user %s locked until %s after %d failed logins",
            record.username,
            locked_until.isoformat(),
            max_failed_logins,
        )
    connection.execute(
        update(app_user)
        .where(app_user.c.id == record.id)
        .values(failed_logins=failures, locked_until=locked_until)
    )


class _LazyHash:
    """A hash of a throwaway password, made on first use rather than at import."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def value(self) -> str:
        if self._hash is None:
            self._hash = PasswordHasher().hash("not a password of any account")
        return self._hash


_DUMMY_HASH = _LazyHash()


def scope_for_record(user: UserRecord) -> Scope:
    """Return the ``Scope`` of an account, from its role and scope columns.

    A regional observatory, and an administrator without a country, read every
    country; the ministry official and the regional observatory read aggregates
    only.
    """
    return Scope(
        countries=None if not user.country_code else frozenset({user.country_code}),
        division_code=user.division_code,
        station_code=user.station_code,
        aggregate_only=user.role in AGGREGATE_ONLY_ROLES,
    )
