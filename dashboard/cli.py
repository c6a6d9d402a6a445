"""The ``crimedash`` command line: set up the warehouse, import data, serve."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.exc import (
    ArgumentError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)

from dashboard.config import ConfigError, Settings

logger = logging.getLogger(__name__)

# Subcommands register themselves here through ``subcommand``; each entry maps a
# name to (help text, argument builder, handler).
_COMMANDS: dict[str, tuple[str, Callable, Callable]] = {}


class CommandError(Exception):
    """A command failed in a way the user can fix; its message says how."""


def subcommand(name: str, help_text: str, add_arguments: Callable | None = None):
    """Register the decorated function as the handler of ``crimedash NAME``."""

    def register(handler: Callable[[argparse.Namespace, Settings], int]):
        _COMMANDS[name] = (help_text, add_arguments or (lambda parser: None), handler)
        return handler

    return register


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered subcommand."""
    _import_command_modules()
    parser = argparse.ArgumentParser(
        prog="crimedash",
        description="Crime analysis dashboard: warehouse, imports and web server.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debug messages"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, handler) in _COMMANDS.items():
        command_parser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        add_arguments(command_parser)
        command_parser.set_defaults(handler=handler)
    return parser


def _import_command_modules() -> None:
    # Importing these modules registers their subcommands.
    import dashboard.commands  # noqa: F401
    import dashboard.demo  # noqa: F401
    import dashboard.quarantine_commands  # noqa: F401
    import dashboard.user_commands  # noqa: F401


def port_number(text: str) -> int:
    """Return ``text`` as a TCP port number; for ``type=`` of argparse arguments."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port from 1 to 65535")
    return port


def positive_count(text: str) -> int:
    """Return ``text`` as a whole number of at least 1, such as a worker count."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"{count} is below 1")
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``crimedash`` command line and return its exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        return args.handler(args, settings)
    except (CommandError, ConfigError) as error:
        print(f"crimedash {args.command}: {error}", file=sys.stderr)
        return 2
    except (NoSuchModuleError, OperationalError, InterfaceError) as error:
        print(
            f"crimedash {args.command}: the warehouse database could not be opened "
            f"({_first_line(error)}); check CRIMEDASH_DATABASE_URL and that the "
            "database server is running.",
            file=sys.stderr,
        )
        return 2
    except ArgumentError:
        # After NoSuchModuleError, its subclass for a missing database driver.
        # The message would repeat the URL, which may contain a password.
        print(
            f"crimedash {args.command}: CRIMEDASH_DATABASE_URL is not a valid "
            "database URL; write it as dialect+driver://user@host/database, for "
            "example postgresql+psycopg://crimedash@localhost/warehouse.",
            file=sys.stderr,
        )
        return 2
    except OSError as error:
        print(f"crimedash {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"crimedash {args.command}: interrupted.", file=sys.stderr)
        return 130


def _first_line(error: Exception) -> str:
    """Return the first line of an error's message, without SQLAlchemy's footer."""
    message = str(getattr(error, "orig", None) or error)
    return message.strip().splitlines()[0] if message.strip() else type(error).__name__


if __name__ == "__main__":
    # Under ``python -m`` this file runs as ``__main__``, while the command modules
    # register into ``dashboard.cli``; run that module's ``main``.
    from dashboard.cli import main as registered_main

    sys.exit(registered_main())
