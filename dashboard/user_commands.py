"""Subcommands of ``crimedash`` for accounts and the web server: ``users``, ``serve``.

Passwords are read from a prompt or from standard input (``--password-stdin``), so
they never appear in the process list or the shell history.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from sqlalchemy.exc import OperationalError, ProgrammingError

from dashboard.cli import CommandError, port_number, positive_count, subcommand
from dashboard.config import Settings
from data_access import audit, users
from data_access.engine import make_engine
from data_access.migrations import app_tables_revisions

logger = logging.getLogger(__name__)

# User name recorded in the audit log for changes made on the command line.
CLI_ACTOR = "cli"

CREATE_ADMIN_HINT = (
    "crimedash users add --role administrator --username NAME "
    "--display-name 'FULL NAME'"
)


def _users_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="users_action", required=True)

    add = actions.add_parser("add", help="create an account")
    add.add_argument("--username", required=True, help="login name")
    add.add_argument("--display-name", required=True, help="name shown on screen")
    add.add_argument("--role", required=True, choices=users.ROLES, help="role")
    add.add_argument("--country", help="country code of the scope, e.g. LCA")
    add.add_argument("--division", help="division code (divisional commander)")
    add.add_argument("--station", help="station code (station commander)")
    _password_arguments(add)

    actions.add_parser("list", help="list accounts")

    disable = actions.add_parser("disable", help="disable an account")
    disable.add_argument("username")
    enable = actions.add_parser("enable", help="enable a disabled account")
    enable.add_argument("username")

    password = actions.add_parser(
        "set-password", help="replace a password and clear a lockout"
    )
    password.add_argument("username")
    _password_arguments(password)


def _password_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the two passwords differ; run the command again.")
    return first


@subcommand(
    "users", "add, list, disable or enable accounts, set passwords", _users_arguments
)
def users_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one ``crimedash users`` action."""
    engine = make_engine(settings.database_url)
    handlers = {
        "add": _add,
        "list": _list,
        "disable": _set_active,
        "enable": _set_active,
        "set-password": _set_password,
    }
    try:
        return handlers[args.users_action](engine, args)
    except (users.UserError, users.UserNotFound) as error:
        raise CommandError(str(error)) from None
    except (OperationalError, ProgrammingError):
        raise CommandError(
            "the user tables are missing; run `crimedash init-db` first."
        ) from None
    finally:
        engine.dispose()


def _add(engine, args) -> int:
    password = _read_password(args)
    record = users.create_user(
        engine,
        args.username,
        args.display_name,
        password,
        args.role,
        country_code=args.country,
        division_code=args.division,
        station_code=args.station,
    )
    audit.record(
        engine,
        CLI_ACTOR,
        audit.USER_ADDED,
        f"user {record.username}",
        f"role {record.role}",
    )
    print(f"Added user {record.username} ({record.role}).")
    return 0


def _list(engine, args) -> int:
    print(f"{'user':<20} {'role':<22} {'scope':<24} {'active':<7} last login (UTC)")
    for user in users.list_users(engine):
        scope = (
            "/".join(
                part
                for part in (user.country_code, user.division_code, user.station_code)
                if part
            )
            or "all"
        )
        last = (
            user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else ""
        )
        active = "yes" if user.is_active else "no"
        print(f"{user.username:<20} {user.role:<22} {scope:<24} {active:<7} {last}")
    return 0


def _set_active(engine, args) -> int:
    active = args.users_action == "enable"
    users.set_active(engine, args.username, active)
    action = audit.USER_ENABLED if active else audit.USER_DISABLED
    audit.record(engine, CLI_ACTOR, action, f"user {args.username}")
    print(f"User {args.username} {'enabled' if active else 'disabled'}.")
    return 0


def _set_password(engine, args) -> int:
    users.get_user(engine, args.username)
    users.set_password(engine, args.username, _read_password(args))
    audit.record(
        engine, CLI_ACTOR, audit.PASSWORD_SET, f"user {args.username}", "password set"
    )
    print(f"Password of {args.username} set.")
    return 0


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=8050, help="TCP port")
    parser.add_argument(
        "--workers",
        type=positive_count,
        default=2,
        help="number of gunicorn worker processes",
    )


@subcommand("serve", "run the dashboard under gunicorn", _serve_arguments)
def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check the configuration and accounts, then run gunicorn until stopped."""
    settings.require_secret_key()
    engine = make_engine(settings.database_url)
    try:
        current, head = app_tables_revisions(engine)
        if current is None:
            raise CommandError(
                "the warehouse has no user tables; run `crimedash init-db`, then "
                f"`{CREATE_ADMIN_HINT}`."
            )
        if current != head:
            raise CommandError(
                f"the application tables are at revision {current} and this "
                f"version needs {head}; back them up (docs/operations.md), then "
                "run `crimedash init-db` to migrate them."
            )
        administrators = users.count_active_administrators(engine)
    except (OperationalError, ProgrammingError) as error:
        raise CommandError(
            f"the warehouse could not be read ({error.orig}); check "
            "CRIMEDASH_DATABASE_URL, then run `crimedash init-db`."
        ) from None
    finally:
        engine.dispose()
    if administrators == 0:
        raise CommandError(
            f"no active administrator account exists; create one with "
            f"`{CREATE_ADMIN_HINT}`."
        )
    from dashboard.server import run_gunicorn

    run_gunicorn(args.host, args.port, args.workers)
    return 0
