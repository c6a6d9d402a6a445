"""The ``crimedash demo`` command: a ready-made warehouse, accounts and server.

The first run builds ``demo.sqlite`` in the data folder from the seeded generator
and imports it like real exports. Later runs reuse it unless ``--rebuild`` is given
or the generator version, seed or scale changed; ``demo.json`` records what the
file was built with. One account per role is created, scoped to Saint Lucia where
the role has a scope, and the passwords are kept in ``demo-accounts.json`` so that
they stay the same across runs. The session key is generated once and kept in
``demo-secret.key``, so restarts keep users logged in. Both files are readable by
their owner only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dashboard.cli import port_number, positive_count, subcommand
from dashboard.config import GEODATA_DIR, Settings
from data_access import users
from data_access.demo import DEFAULT_SEED, GENERATOR_VERSION, build_demo_warehouse
from data_access.engine import init_warehouse, make_engine

logger = logging.getLogger(__name__)

DATABASE_NAME = "demo.sqlite"
MARKER_NAME = "demo.json"
ACCOUNTS_NAME = "demo-accounts.json"
SECRET_NAME = "demo-secret.key"
EXPORTS_NAME = "demo-exports"
DEMO_COUNTRY = "LCA"
DEMO_DIVISION = "NORTH"
DEMO_STATION = "LC02-01"  # Castries Central Police Station

# Username, display name, role and scope (country, division, station) of each
# demo account.
ACCOUNTS = (
    ("demo-admin", "Demo Administrator", users.ADMINISTRATOR, (None, None, None)),
    (
        "demo-commissioner",
        "Demo Commissioner",
        users.COMMISSIONER,
        (DEMO_COUNTRY, None, None),
    ),
    (
        "demo-analyst",
        "Demo Crime Analyst",
        users.CRIME_ANALYST,
        (DEMO_COUNTRY, None, None),
    ),
    (
        "demo-division",
        "Demo Divisional Commander",
        users.DIVISIONAL_COMMANDER,
        (DEMO_COUNTRY, DEMO_DIVISION, None),
    ),
    (
        "demo-station",
        "Demo Station Commander",
        users.STATION_COMMANDER,
        (DEMO_COUNTRY, None, DEMO_STATION),
    ),
    (
        "demo-ministry",
        "Demo Ministry Official",
        users.MINISTRY_OFFICIAL,
        (DEMO_COUNTRY, None, None),
    ),
    (
        "demo-regional",
        "Demo Regional Observatory",
        users.REGIONAL_OBSERVATORY,
        (None, None, None),
    ),
)


@dataclass(frozen=True)
class DemoSetup:
    """A demo warehouse ready to serve.

    Attributes
    ----------
    built
        True when this run built the warehouse, False when it reused it.
    accounts
        (username, role, password) of each demo account.
    """

    database_url: str
    secret_key: str
    built: bool
    accounts: list[tuple[str, str, str]]


def prepare_demo(
    data_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, rebuild: bool = False
) -> DemoSetup:
    """Build or reuse the demo warehouse in ``data_dir`` and create its accounts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / DATABASE_NAME
    url = f"sqlite:///{database}"
    expected = {"generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale}
    built = rebuild or not database.is_file() or _marker(data_dir) != expected
    engine = make_engine(url)
    try:
        if built:
            _rebuild(engine, data_dir, database, seed, scale)
            (data_dir / MARKER_NAME).write_text(json.dumps(expected) + "\n", "utf-8")
        else:
            init_warehouse(engine)
        accounts = _ensure_accounts(engine, data_dir)
    finally:
        engine.dispose()
    return DemoSetup(url, _secret_key(data_dir), built, accounts)


def _marker(data_dir: Path) -> dict | None:
    path = data_dir / MARKER_NAME
    try:
        return json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _rebuild(engine, data_dir: Path, database: Path, seed: int, scale: float) -> None:
    (data_dir / MARKER_NAME).unlink(missing_ok=True)
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    logger.info(
        "building the demo warehouse at %s (seed %d, scale %s)", database, seed, scale
    )
    summary = build_demo_warehouse(
        engine, GEODATA_DIR, data_dir / EXPORTS_NAME, seed=seed, scale=scale
    )
    logger.info(
        "demo warehouse built in %.1f s: %d rows imported, %d rejected",
        summary.total_seconds,
        summary.rows_imported,
        summary.rows_rejected,
    )


def _private_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _ensure_accounts(engine, data_dir: Path) -> list[tuple[str, str, str]]:
    """Create each missing demo account, with the password kept from earlier runs."""
    path = data_dir / ACCOUNTS_NAME
    passwords = _private_json(path)
    result = []
    for username, display_name, role, (country, division, station) in ACCOUNTS:
        password = passwords.setdefault(username, secrets.token_urlsafe(12))
        try:
            users.get_user(engine, username)
        except users.UserNotFound:
            users.create_user(
                engine,
                username,
                display_name,
                password,
                role,
                country,
                division,
                station,
            )
        result.append((username, role, password))
    _write_private(path, json.dumps(passwords, indent=2) + "\n")
    return result


def _secret_key(data_dir: Path) -> str:
    path = data_dir / SECRET_NAME
    if path.is_file():
        return path.read_text("utf-8").strip()
    key = secrets.token_hex(32)
    _write_private(path, key + "\n")
    return key


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=8050, help="TCP port")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the demo warehouse again"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiple of the full incident volumes, above 0; 1 gives about "
        "310,000 incidents (homicides are always generated in full)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the generator"
    )
    parser.add_argument(
        "--workers",
        type=positive_count,
        default=1,
        help="number of gunicorn worker processes",
    )


@subcommand(
    "demo",
    "build a demo warehouse of the eight countries and serve it",
    _demo_arguments,
)
def demo(args: argparse.Namespace, settings: Settings) -> int:
    """Build or reuse the demo, print the demo accounts, then serve the dashboard."""
    setup = prepare_demo(settings.data_dir, args.seed, args.scale, args.rebuild)
    print(_accounts_text(setup, args.host, args.port), flush=True)

    # Each gunicorn worker builds the app from the environment.
    os.environ["CRIMEDASH_DATABASE_URL"] = setup.database_url
    os.environ["CRIMEDASH_SECRET_KEY"] = setup.secret_key
    from dashboard.server import run_gunicorn

    run_gunicorn(args.host, args.port, args.workers)
    return 0


def _accounts_text(setup: DemoSetup, host: str, port: int) -> str:
    lines = [
        f"Demo warehouse: {setup.database_url} "
        f"({'built now' if setup.built else 'reused'})",
        "Demo accounts (username, role, password):",
    ]
    lines.extend(
        f"  {username:<18} {role:<21} {password}"
        for username, role, password in setup.accounts
    )
    lines.append(f"Open http://{host}:{port}/ and log in with one of them.")
    return "\n".join(lines)
