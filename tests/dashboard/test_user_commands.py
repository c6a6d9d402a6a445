"""The ``crimedash users`` and ``crimedash serve`` commands, run in-process."""

from __future__ import annotations

import io

import pytest
from alembic import command

from dashboard.cli import main
from data_access import audit, users
from data_access.migrations import alembic_config
from tests.dashboard.helpers import SECRET_KEY, seed_places

NEW_PASSWORD = "another long password"


@pytest.fixture
def cli_env(engine, database_url, tmp_path, monkeypatch):
    """Point the command line at the test warehouse and return its engine."""
    monkeypatch.setenv("CRIMEDASH_DATABASE_URL", database_url)
    monkeypatch.setenv("CRIMEDASH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRIMEDASH_SECRET_KEY", raising=False)
    seed_places(engine)
    return engine


def _run_with_stdin(monkeypatch, argv, text):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    return main(argv)


def _add_station_commander(monkeypatch):
    argv = [
        "users",
        "add",
        "--username",
        "sc1",
        "--display-name",
        "Sam Cole",
        "--role",
        "station_commander",
        "--country",
        "LCA",
        "--station",
        "CAS",
        "--password-stdin",
    ]
    return _run_with_stdin(monkeypatch, argv, NEW_PASSWORD + "\n")


def test_users_add_creates_account(cli_env, monkeypatch, capsys):
    assert _add_station_commander(monkeypatch) == 0

    record = users.get_user(cli_env, "sc1")
    assert (record.role, record.country_code, record.station_code) == (
        "station_commander",
        "LCA",
        "CAS",
    )
    assert users.authenticate(cli_env, "sc1", NEW_PASSWORD, 5, 15).reason == "ok"
    assert "Added user sc1 (station_commander)." in capsys.readouterr().out
    entries = audit.read(cli_env, action="user_added")
    assert [(e.username, e.object) for e in entries] == [("cli", "user sc1")]


def test_users_add_rejects_missing_station(cli_env, monkeypatch, capsys):
    argv = [
        "users",
        "add",
        "--username",
        "sc2",
        "--display-name",
        "Sam",
        "--role",
        "station_commander",
        "--country",
        "LCA",
        "--password-stdin",
    ]

    assert _run_with_stdin(monkeypatch, argv, NEW_PASSWORD + "\n") == 2
    assert "needs a station code" in capsys.readouterr().err


def test_users_add_rejects_unknown_station(cli_env, monkeypatch, capsys):
    argv = [
        "users",
        "add",
        "--username",
        "sc2",
        "--display-name",
        "Sam",
        "--role",
        "station_commander",
        "--country",
        "LCA",
        "--station",
        "XXX",
        "--password-stdin",
    ]

    assert _run_with_stdin(monkeypatch, argv, NEW_PASSWORD + "\n") == 2
    assert "station 'XXX' is not in the warehouse" in capsys.readouterr().err


def test_users_add_reads_password_prompt(cli_env, monkeypatch):
    prompts = iter([NEW_PASSWORD, NEW_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(prompts))

    code = main(
        [
            "users",
            "add",
            "--username",
            "obs",
            "--display-name",
            "Obs",
            "--role",
            "regional_observatory",
        ]
    )

    assert code == 0
    assert users.authenticate(cli_env, "obs", NEW_PASSWORD, 5, 15).reason == "ok"


def test_users_list_shows_accounts(cli_env, monkeypatch, capsys):
    _add_station_commander(monkeypatch)
    capsys.readouterr()

    assert main(["users", "list"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[1].split() == ["sc1", "station_commander", "LCA/CAS", "yes"]


def test_users_disable_blocks_login(cli_env, monkeypatch):
    _add_station_commander(monkeypatch)

    assert main(["users", "disable", "sc1"]) == 0

    assert users.get_user(cli_env, "sc1").is_active is False
    assert users.authenticate(cli_env, "sc1", NEW_PASSWORD, 5, 15).reason == "disabled"


def test_users_set_password_replaces_it(cli_env, monkeypatch):
    _add_station_commander(monkeypatch)
    argv = ["users", "set-password", "sc1", "--password-stdin"]

    assert _run_with_stdin(monkeypatch, argv, "the replacement phrase\n") == 0

    assert users.authenticate(cli_env, "sc1", NEW_PASSWORD, 5, 15).reason == (
        "wrong_password"
    )
    assert users.authenticate(cli_env, "sc1", "the replacement phrase", 5, 15).user


def test_users_set_password_unknown_user(cli_env, monkeypatch, capsys):
    argv = ["users", "set-password", "ghost", "--password-stdin"]

    assert _run_with_stdin(monkeypatch, argv, NEW_PASSWORD + "\n") == 2
    assert "user 'ghost' not found" in capsys.readouterr().err


def test_serve_requires_secret_key(cli_env, capsys):
    assert main(["serve", "--port", "8999"]) == 2

    assert "CRIMEDASH_SECRET_KEY is missing" in capsys.readouterr().err


def test_serve_requires_administrator(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("CRIMEDASH_SECRET_KEY", SECRET_KEY)
    _add_station_commander(monkeypatch)

    assert main(["serve", "--port", "8999"]) == 2

    error = capsys.readouterr().err
    assert "no active administrator" in error
    assert "crimedash users add --role administrator" in error


def test_serve_requires_migrated_tables(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("CRIMEDASH_SECRET_KEY", SECRET_KEY)
    command.downgrade(alembic_config(cli_env), "0002")

    assert main(["serve", "--port", "8999"]) == 2

    error = capsys.readouterr().err
    assert "at revision 0002" in error
    assert "crimedash init-db" in error


def test_serve_rejects_tables_without_sessions(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("CRIMEDASH_SECRET_KEY", SECRET_KEY)
    command.downgrade(alembic_config(cli_env), "0003")

    assert main(["serve", "--port", "8999"]) == 2

    error = capsys.readouterr().err
    assert "at revision 0003" in error
    assert "needs 0004" in error
    assert "crimedash init-db" in error
