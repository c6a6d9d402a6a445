"""``crimedash quarantine`` and ``crimedash imports`` after real imports.

Two exports are imported through the command line. The first has a good row, an
unknown offence code (stored as unmapped, not rejected) and five rows with a bad or
missing occurrence date, including long, non-ASCII, control and wide characters.
The second, imported later, has one bad date.
"""

import csv
import logging
import re
import stat
import textwrap

import pytest
from sqlalchemy import create_engine, select

from dashboard.cli import main
from dashboard.quarantine_commands import VALUE_COLUMNS
from dashboard.terminal_text import text_width
from data_access import schema

SOURCE_MAP = """
    name = "Test export"
    country = "LCA"
    date_order = "year_first"
    [station]
    mode = "column"
    column = "station"
    create_missing = true
    [columns]
    source_id = "no"
    occurred_from = "from"
    offence_codes = "codes"
"""
ADDRESS = "Marie-Thérèse Joseph, 14 rue de l'Église, Castries, née le 3 mai 1990"
CONTROL = "2024\t03\u202e01"
WIDE = "東京都港区六本木一丁目二番三号東京都港区六本木一丁目"
FIRST_ROWS = [
    ("1", "W", "2024-03-01 10:00", "MUR"),
    ("2", "W", "2024-31-31", "MUR"),
    ("3", "W", "2024-03-02 09:00", "XYZ"),
    ("4", "W", "", "MUR"),
    ("5", "W", ADDRESS, "MUR"),
    ("6", "W", CONTROL, "MUR"),
    ("7", "W", WIDE, "MUR"),
]
SECOND_ROWS = [
    ("10", "W", "2024-04-01 10:00", "MUR"),
    ("11", "W", "2024-04-31", "MUR"),
]
NOT_A_DATE = "not a date"
MISSING_DATE = "the occurrence date is missing"

# (row number, value) of the cells each import must quarantine, all in "from".
FIRST_REJECTED = [(3, "2024-31-31"), (5, ""), (6, ADDRESS), (7, CONTROL), (8, WIDE)]
SECOND_REJECTED = [(3, "2024-04-31")]


def run(monkeypatch, database_url, *argv):
    monkeypatch.setenv("CRIMEDASH_DATABASE_URL", database_url)
    return main(list(argv))


def write_export(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("no", "station", "from", "codes"))
        writer.writerows(rows)
    return path


@pytest.fixture
def imported(monkeypatch, capsys, database_url, tmp_path):
    """Return the database URL after both exports were imported, in order."""
    source_map = tmp_path / "source.toml"
    source_map.write_text(textwrap.dedent(SOURCE_MAP), encoding="utf-8")
    first = write_export(tmp_path / "first.csv", FIRST_ROWS)
    second = write_export(tmp_path / "second.csv", SECOND_ROWS)

    assert run(monkeypatch, database_url, "init-db") == 0
    for export in (first, second):
        status = run(
            monkeypatch,
            database_url,
            "ingest",
            str(export),
            "--source",
            str(source_map),
        )
        assert status == 0
    capsys.readouterr()
    return database_url


def cell_lines(output: str) -> list[str]:
    """Return the data lines of the cell table: run id, then a file name."""
    return [
        line
        for line in output.splitlines()
        if re.match(r"^\d+\s+(first|second)\.csv\s", line)
    ]


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_quarantine_run_lists_rejected_rows(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "quarantine", "--run", "1")
    output = capsys.readouterr().out
    lines = cell_lines(output)

    assert status == 0
    assert len(lines) == len(FIRST_REJECTED)
    assert re.match(r"^1\s+first\.csv\s+3\s+from\s+2024-31-31\s+not a date", lines[0])
    assert re.match(rf"^1\s+first\.csv\s+5\s+from\s+{MISSING_DATE}$", lines[1])
    assert [int(line.split()[2]) for line in lines] == [3, 5, 6, 7, 8]
    assert "Import runs with" not in output


def test_quarantine_skips_unmapped_code(imported, monkeypatch, capsys):
    run(monkeypatch, imported, "quarantine", "--run", "1")
    output = capsys.readouterr().out

    assert "XYZ" not in output
    assert not any(line.split()[2] == "4" for line in cell_lines(output))


def test_quarantine_lists_newest_run_first(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "quarantine")
    output = capsys.readouterr().out
    lines = cell_lines(output)
    summary = output.split("\n\n")[0].splitlines()

    assert status == 0
    assert [line.split()[0] for line in lines] == ["2"] + ["1"] * 5
    assert re.match(r"^2\s+second\.csv\s+3\s+from\s+2024-04-31\s", lines[0])
    assert summary[0] == "Import runs with matching quarantined cells:"
    # Columns: run, start date and time, country, read, inserted, updated,
    # unchanged, rejected rows, quarantined cells, file.
    assert summary[2].split()[0] == "2"
    assert summary[2].split()[3:10] == ["LCA", "2", "1", "0", "0", "1", "1"]
    assert summary[3].split()[0] == "1"
    assert summary[3].split()[3:10] == ["LCA", "7", "2", "0", "0", "5", "5"]
    assert summary[3].endswith("first.csv")


def test_quarantine_filters_by_reason(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "quarantine", "--reason", "DATE IS MISSING")
    output = capsys.readouterr().out
    lines = cell_lines(output)

    assert status == 0
    assert len(lines) == 1
    assert lines[0].endswith(MISSING_DATE)
    assert "second.csv" not in output


def test_quarantine_reason_wildcards_are_literal(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "quarantine", "--reason", "not_a%date")
    output = capsys.readouterr().out

    assert status == 0
    assert cell_lines(output) == []
    assert "No quarantined cells in the warehouse match." in output


def test_quarantine_filters_by_country(imported, monkeypatch, capsys):
    matching = run(monkeypatch, imported, "quarantine", "--country", "LCA")
    lca_output = capsys.readouterr().out
    other = run(monkeypatch, imported, "quarantine", "--country", "BRB")
    brb_output = capsys.readouterr().out

    assert matching == 0
    assert len(cell_lines(lca_output)) == 6
    assert other == 0
    assert cell_lines(brb_output) == []


def test_quarantine_limit_cuts_list(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "quarantine", "--limit", "2")
    output = capsys.readouterr().out

    assert status == 0
    assert len(cell_lines(output)) == 2
    assert "Showing 2 of 6 cells" in output


def test_quarantine_limit_zero_rejected(imported, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(monkeypatch, imported, "quarantine", "--limit", "0")

    assert exit_info.value.code == 2
    assert "0 is below 1" in capsys.readouterr().err


def test_quarantine_cuts_long_values(imported, monkeypatch, capsys):
    run(monkeypatch, imported, "quarantine", "--run", "1")
    lines = cell_lines(capsys.readouterr().out)
    address_cell = re.split(r"\s+from\s+", lines[2], maxsplit=1)[1]
    wide_value = re.split(r"\s+from\s+", lines[4], maxsplit=1)[1]
    wide_cell = wide_value.split("...")[0] + "..."

    assert ADDRESS not in lines[2]
    assert address_cell.startswith(ADDRESS[: VALUE_COLUMNS - 3] + "...")
    assert WIDE not in lines[4]
    assert WIDE.startswith(wide_cell[:-3])
    assert text_width(wide_cell) <= VALUE_COLUMNS


def test_quarantine_escapes_control_chars(imported, monkeypatch, capsys):
    run(monkeypatch, imported, "quarantine", "--run", "1")
    output = capsys.readouterr().out

    assert "2024\\t03\\u202e01" in output
    assert "\t" not in output
    assert "\u202e" not in output


def test_quarantine_csv_has_full_values(imported, monkeypatch, capsys, tmp_path):
    target = tmp_path / "cells.csv"
    status = run(
        monkeypatch, imported, "quarantine", "--csv", str(target), "--limit", "1"
    )
    output = capsys.readouterr().out
    rows = read_csv(target)
    expected = [("2", "second.csv", row, value) for row, value in SECOND_REJECTED]
    expected += [("1", "first.csv", row, value) for row, value in FIRST_REJECTED]

    assert status == 0
    assert f"Wrote 6 quarantined cells to {target}." in output
    assert cell_lines(output) == []
    assert [
        (row["import_id"], row["file_name"], int(row["row_number"]), row["value"])
        for row in rows
    ] == expected
    assert {row["field"] for row in rows} == {"from"}
    assert {row["country_code"] for row in rows} == {"LCA"}
    assert rows[2]["reason"] == MISSING_DATE
    assert all(row["reason"].startswith(NOT_A_DATE) for row in rows if row["value"])


FORMULAS = [
    '=HYPERLINK("http://127.0.0.1/?"&A1)',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
]


def test_quarantine_csv_quotes_formulas(monkeypatch, capsys, database_url, tmp_path):
    source_map = tmp_path / "source.toml"
    source_map.write_text(textwrap.dedent(SOURCE_MAP), encoding="utf-8")
    values = [*FORMULAS, "-61.5"]
    rows = [(str(n), "W", value, "MUR") for n, value in enumerate(values, start=1)]
    export = write_export(tmp_path / "=export.csv", rows)
    target = tmp_path / "cells.csv"

    run(monkeypatch, database_url, "init-db")
    run(monkeypatch, database_url, "ingest", str(export), "--source", str(source_map))
    status = run(monkeypatch, database_url, "quarantine", "--csv", str(target))
    capsys.readouterr()
    written = read_csv(target)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(
            select(schema.quarantine.c.file_name, schema.quarantine.c.value).order_by(
                schema.quarantine.c.row_number
            )
        ).all()
    engine.dispose()

    assert status == 0
    assert [row["value"] for row in written] == ["'" + value for value in FORMULAS] + [
        "-61.5"
    ]
    assert {row["file_name"] for row in written} == {"'=export.csv"}
    assert {row["field"] for row in written} == {"from"}
    assert [value for _, value in stored] == values
    assert {name for name, _ in stored} == {"=export.csv"}


def test_quarantine_csv_readable_by_owner_only(imported, monkeypatch, tmp_path):
    target = tmp_path / "cells.csv"
    run(monkeypatch, imported, "quarantine", "--csv", str(target), "--run", "2")

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"\xef\xbb\xbfimport_id,")
    assert len(read_csv(target)) == 1
    assert [path.name for path in tmp_path.glob("*.part")] == []


def test_quarantine_values_stay_out_of_logs(imported, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    run(monkeypatch, imported, "--verbose", "quarantine")
    output = capsys.readouterr().out

    assert "2024-04-31" in output
    assert "2024-04-31" not in caplog.text
    assert "Marie-Th" not in caplog.text


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--run", "99"], "import run 99 not found; list the runs with"),
        (["--country", "XXX"], "country 'XXX' is not in the warehouse; known"),
    ],
    ids=["unknown run", "unknown country"],
)
def test_quarantine_unknown_filter_exits(imported, monkeypatch, capsys, argv, expected):
    status = run(monkeypatch, imported, "quarantine", *argv)
    captured = capsys.readouterr()

    assert status == 2
    assert expected in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_quarantine_csv_missing_folder(imported, monkeypatch, capsys, tmp_path):
    target = tmp_path / "none" / "cells.csv"
    status = run(monkeypatch, imported, "quarantine", "--csv", str(target))
    error = capsys.readouterr().err

    assert status == 2
    assert f"folder {str(target.parent)!r} not found" in error
    assert "Traceback" not in error
    assert not target.parent.exists()


def test_quarantine_csv_folder_path(imported, monkeypatch, capsys, tmp_path):
    status = run(monkeypatch, imported, "quarantine", "--csv", str(tmp_path))
    error = capsys.readouterr().err

    assert status == 2
    assert "is a folder; name a file inside it" in error


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url at all", "is not a valid database URL"),
        ("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x", "could not be opened"),
        ("mysql+nosuchdriver://u@h/d", "could not be opened"),
    ],
    ids=["unparsable", "server down", "unknown driver"],
)
@pytest.mark.parametrize("command", ["quarantine", "imports"])
def test_bad_database_url_exits(monkeypatch, capsys, url, expected, command):
    status = run(monkeypatch, url, command)
    error = capsys.readouterr().err

    assert status == 2
    assert f"crimedash {command}: " in error
    assert expected in error
    assert "Traceback" not in error
    assert "s3cret" not in error


def test_missing_sqlite_file_not_created(monkeypatch, capsys, tmp_path):
    path = tmp_path / "none" / "warehouse.sqlite"
    status = run(monkeypatch, f"sqlite:///{path}", "quarantine")
    error = capsys.readouterr().err

    assert status == 2
    assert "could not be opened" in error
    assert "Traceback" not in error
    assert not path.exists()


def test_database_without_warehouse_exits(monkeypatch, capsys, database_url):
    # Connecting creates an empty SQLite file; a PostgreSQL test database is empty.
    empty = create_engine(database_url)
    empty.connect().close()
    empty.dispose()
    status = run(monkeypatch, database_url, "imports")
    error = capsys.readouterr().err

    assert status == 2
    assert "the warehouse has no import_run or quarantine table" in error
    assert "run `crimedash init-db` first" in error


def test_imports_lists_runs_newest_first(imported, monkeypatch, capsys):
    status = run(monkeypatch, imported, "imports")
    lines = capsys.readouterr().out.splitlines()

    assert status == 0
    assert lines[0].split()[:2] == ["run", "started"]
    assert len(lines) == 3
    assert lines[1].split()[0] == "2"
    assert lines[1].split()[3:10] == ["LCA", "2", "1", "0", "0", "1", "1"]
    assert lines[1].endswith("second.csv")
    assert lines[2].split()[0] == "1"
    assert lines[2].split()[3:10] == ["LCA", "7", "2", "0", "0", "5", "5"]


def test_reimport_lists_cells_once(imported, monkeypatch, capsys, tmp_path):
    argv = ("ingest", str(tmp_path / "first.csv"), "--source")
    status = run(monkeypatch, imported, *argv, str(tmp_path / "source.toml"))
    report = capsys.readouterr().out
    run(monkeypatch, imported, "imports")
    runs = capsys.readouterr().out.splitlines()
    run(monkeypatch, imported, "quarantine", "--run", "3")
    listing = capsys.readouterr().out
    run(monkeypatch, imported, "quarantine")
    cells = cell_lines(capsys.readouterr().out)

    assert status == 0
    assert "5 of the quarantined cells were already in the quarantine" in report
    assert runs[1].split()[0] == "3"
    assert runs[1].split()[3:10] == ["LCA", "7", "0", "0", "2", "5", "0"]
    assert "No quarantined cells in import run 3 match." in listing
    assert "Import run 3 rejected 5 rows, but an earlier import had quarantined" in (
        listing
    )
    assert len(cells) == len(FIRST_REJECTED) + len(SECOND_REJECTED)


def test_imports_limit_and_country(imported, monkeypatch, capsys):
    limited = run(monkeypatch, imported, "imports", "--limit", "1")
    limited_output = capsys.readouterr().out
    other = run(monkeypatch, imported, "imports", "--country", "BRB")
    other_output = capsys.readouterr().out
    unknown = run(monkeypatch, imported, "imports", "--country", "XXX")
    unknown_error = capsys.readouterr().err

    assert limited == 0
    assert "Showing 1 of 2 runs; raise --limit to see more." in limited_output
    assert other == 0
    assert other_output == "No import runs found.\n"
    assert unknown == 2
    assert "country 'XXX' is not in the warehouse" in unknown_error
