"""Configuration of the dashboard, read from environment variables.

Every default lives in this module. Values are parsed strictly: a boolean accepts only
``1/0``, ``true/false``, ``yes/no`` or ``on/off``, and anything else is an error that
names the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GEODATA_DIR = PROJECT_ROOT / "geodata"
ASSETS_DIR = PROJECT_ROOT / "assets"

# Shortest secret key accepted: 32 characters, such as 16 random bytes in hex.
MIN_SECRET_KEY_LENGTH = 32

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A configuration variable has an invalid value or is missing."""


def default_data_dir() -> Path:
    """Return the per-user data folder: ``$XDG_DATA_HOME/crimedash`` or similar."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "crimedash"


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"{name}={raw!r} is not a boolean; use one of {sorted(_TRUE | _FALSE)}."
    )


def _parse_int(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Settings of one running dashboard or command.

    Attributes
    ----------
    database_url
        SQLAlchemy URL of the warehouse (``CRIMEDASH_DATABASE_URL``). Default: a
        SQLite file ``warehouse.sqlite`` in the per-user data folder.
    data_dir
        Folder for the default SQLite file and the demo cache (``CRIMEDASH_DATA_DIR``).
    secret_key
        Key that signs session cookies (``CRIMEDASH_SECRET_KEY``). It must be the same
        in every worker and across restarts, so it comes only from configuration.
        The web server refuses to start without one of at least
        ``MIN_SECRET_KEY_LENGTH`` characters.
    session_minutes
        Lifetime of a login session in minutes (``CRIMEDASH_SESSION_MINUTES``).
    secure_cookies
        Mark the session cookie Secure, for HTTPS (``CRIMEDASH_SECURE_COOKIES``).
    max_failed_logins
        Failed logins in a row that lock an account (``CRIMEDASH_MAX_FAILED_LOGINS``).
    lockout_minutes
        How long a locked account stays locked (``CRIMEDASH_LOCKOUT_MINUTES``).
    suppression_threshold
        Counts from 1 to this value are suppressed for aggregate-only roles
        (``CRIMEDASH_SUPPRESSION_THRESHOLD``).
    query_cache
        Keep the results of warehouse queries in a cache, which every import
        invalidates (``CRIMEDASH_QUERY_CACHE``, default on). Turn it off to time
        every query against the warehouse.
    redis_url
        Redis URL for the shared cache (``CRIMEDASH_REDIS_URL``); empty means an
        in-process cache.
    tile_url
        Optional map tile URL template for stations that are online
        (``CRIMEDASH_TILE_URL``); empty means the offline base map only.
    trusted_proxies
        Number of reverse proxies in front of the app whose ``X-Forwarded-For``,
        ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` headers are believed
        (``CRIMEDASH_TRUSTED_PROXIES``). Set it to 1 behind one proxy such as nginx,
        so the audit log records the client's address and links use HTTPS; leave it
        at 0 when clients reach the app directly, or they could forge the headers.
    """

    database_url: str
    data_dir: Path
    secret_key: str | None
    session_minutes: int = 480
    secure_cookies: bool = False
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    suppression_threshold: int = 3
    query_cache: bool = True
    redis_url: str = ""
    tile_url: str = ""
    trusted_proxies: int = 0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build the settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CRIMEDASH_DATA_DIR") or default_data_dir())
        url = env.get("CRIMEDASH_DATABASE_URL") or (
            f"sqlite:///{data_dir / 'warehouse.sqlite'}"
        )
        return cls(
            database_url=url,
            data_dir=data_dir,
            secret_key=env.get("CRIMEDASH_SECRET_KEY") or None,
            session_minutes=_int(env, "CRIMEDASH_SESSION_MINUTES", 480, 1),
            secure_cookies=_bool(env, "CRIMEDASH_SECURE_COOKIES", False),
            max_failed_logins=_int(env, "CRIMEDASH_MAX_FAILED_LOGINS", 5, 1),
            lockout_minutes=_int(env, "CRIMEDASH_LOCKOUT_MINUTES", 15, 1),
            suppression_threshold=_int(env, "CRIMEDASH_SUPPRESSION_THRESHOLD", 3, 0),
            query_cache=_bool(env, "CRIMEDASH_QUERY_CACHE", True),
            redis_url=env.get("CRIMEDASH_REDIS_URL", ""),
            tile_url=env.get("CRIMEDASH_TILE_URL", ""),
            trusted_proxies=_int(env, "CRIMEDASH_TRUSTED_PROXIES", 0, 0),
        )

    def require_secret_key(self) -> str:
        """Return the secret key, or raise ``ConfigError`` if it is missing or short."""
        if not self.secret_key:
            raise ConfigError(
                "CRIMEDASH_SECRET_KEY is missing; set it to a random string of at "
                f"least {MIN_SECRET_KEY_LENGTH} characters, the same for every "
                "worker, for example the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        if len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"CRIMEDASH_SECRET_KEY has {len(self.secret_key)} characters; it "
                f"needs at least {MIN_SECRET_KEY_LENGTH}."
            )
        return self.secret_key


def _bool(env, name: str, default: bool) -> bool:
    raw = env.get(name)
    return default if raw in (None, "") else _parse_bool(name, raw)


def _int(env, name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    return default if raw in (None, "") else _parse_int(name, raw, minimum)
