"""The import subcommands of ``crimedash``, run in-process as a user would."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from dashboard.cli import main
from data_access import schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(monkeypatch, database_url, *argv):
    monkeypatch.setenv("CRIMEDASH_DATABASE_URL", database_url)
    return main(list(argv))


def test_init_db_then_import_leeds(monkeypatch, capsys, database_url):
    # The commands of the README's import example, in its order.
    data = EXAMPLES / "leeds" / "street.csv"

    assert run(monkeypatch, database_url, "init-db") == 0
    assert (
        run(
            monkeypatch,
            database_url,
            "ingest",
            str(data),
            "--source",
            str(EXAMPLES / "leeds" / "source.toml"),
        )
        == 0
    )
    assert (
        run(
            monkeypatch,
            database_url,
            "ingest-offences",
            str(EXAMPLES / "leeds" / "offence_codes.csv"),
            "--country",
            "GBR-WYP",
        )
        == 0
    )
    output = capsys.readouterr().out

    assert "rows read:                10726" in output
    assert "incidents inserted:       10726" in output
    assert "Imported 14 offence codes for GBR-WYP." in output
    engine = create_engine(database_url)
    with engine.connect() as connection:
        unmapped = connection.scalar(
            select(func.count()).where(
                schema.incident.c.principal_iccs_code == schema.UNMAPPED
            )
        )
    engine.dispose()
    assert unmapped == 3319 + 227


def test_missing_file_exits_with_message(monkeypatch, capsys, database_url, tmp_path):
    status = run(
        monkeypatch,
        database_url,
        "ingest",
        str(tmp_path / "none.csv"),
        "--source",
        str(EXAMPLES / "leeds" / "source.toml"),
    )
    error = capsys.readouterr().err

    assert status == 2
    assert "none.csv: file not found." in error
    assert "Traceback" not in error


def test_bad_correspondence_exits_naming_row(
    monkeypatch, capsys, database_url, tmp_path
):
    table = tmp_path / "codes.csv"
    table.write_text("national_code,iccs_code,status\nA,0101,mapped\nB,9999,mapped\n")
    status = run(
        monkeypatch, database_url, "ingest-offences", str(table), "--country", "LCA"
    )
    error = capsys.readouterr().err

    assert status == 2
    assert "row 3: iccs_code '9999' is not in the ICCS list" in error


def test_load_geography_twice_keeps_stations(monkeypatch, capsys, database_url):
    # 13 + 12 + 14 + 124 + 11 + 15 + 21 + 65 stations in the eight countries.
    expected_stations = 275

    assert run(monkeypatch, database_url, "load-geography") == 0
    engine = create_engine(database_url)
    with engine.connect() as connection:
        first_ids = connection.scalars(
            select(schema.station.c.id).order_by(schema.station.c.id)
        ).all()
    assert run(monkeypatch, database_url, "load-geography") == 0
    with engine.connect() as connection:
        second_ids = connection.scalars(
            select(schema.station.c.id).order_by(schema.station.c.id)
        ).all()
    engine.dispose()
    output = capsys.readouterr().out

    assert len(first_ids) == expected_stations
    assert second_ids == first_ids
    assert f"{expected_stations} stations" in output


def test_load_geography_missing_folder(monkeypatch, capsys, database_url, tmp_path):
    status = run(monkeypatch, database_url, "load-geography", str(tmp_path / "none"))
    error = capsys.readouterr().err

    assert status == 2
    assert "none" in error
    assert "Traceback" not in error


def test_header_only_correspondence_exits(monkeypatch, capsys, database_url, tmp_path):
    table = tmp_path / "codes.csv"
    table.write_text("national_code,iccs_code,status\n")
    status = run(
        monkeypatch, database_url, "ingest-offences", str(table), "--country", "LCA"
    )
    captured = capsys.readouterr()

    assert status == 2
    assert "codes.csv: the table has a header but no rows" in captured.err
    assert "Nothing was changed." in captured.err
    assert "Imported" not in captured.out


def test_correspondence_encoding_option(monkeypatch, capsys, database_url, tmp_path):
    table = tmp_path / "codes.csv"
    body = (
        "national_code,description,iccs_code,status\nA,Vol à main armée,0101,mapped\n"
    )
    table.write_bytes(body.encode("cp1252"))

    wrong = run(
        monkeypatch,
        database_url,
        "ingest-offences",
        str(table),
        "--country",
        "LCA",
        "--encoding",
        "utf-8",
    )
    error = capsys.readouterr().err
    right = run(
        monkeypatch,
        database_url,
        "ingest-offences",
        str(table),
        "--country",
        "LCA",
        "--encoding",
        "cp1252",
    )
    output = capsys.readouterr().out

    assert wrong == 2
    assert "pass --encoding to ingest-offences" in error
    assert "source map" not in error
    assert right == 0
    assert "Imported 1 offence codes for LCA." in output


def test_csv_named_xlsx_exits_with_message(monkeypatch, capsys, database_url, tmp_path):
    data = tmp_path / "street.xlsx"
    data.write_bytes((EXAMPLES / "leeds" / "street.csv").read_bytes())
    status = run(
        monkeypatch,
        database_url,
        "ingest",
        str(data),
        "--source",
        str(EXAMPLES / "leeds" / "source.toml"),
    )
    error = capsys.readouterr().err

    assert status == 2
    assert "street.xlsx: not a readable Excel file" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url at all", "is not a valid database URL"),
        ("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x", "could not be opened"),
        ("mysql+nosuchdriver://u@h/d", "could not be opened"),
    ],
    ids=["unparsable", "server down", "unknown driver"],
)
def test_bad_database_url_exits_with_message(monkeypatch, capsys, url, expected):
    status = run(monkeypatch, url, "init-db")
    error = capsys.readouterr().err

    assert status == 2
    assert expected in error
    assert "Traceback" not in error
    assert "s3cret" not in error


def test_serve_rejects_port_out_of_range(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "99999"])

    assert exit_info.value.code == 2
    assert "99999 is not a port from 1 to 65535" in capsys.readouterr().err
