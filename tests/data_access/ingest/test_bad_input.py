"""Bad input: each fault is rejected with a message or quarantined, never a crash."""

import codecs

import pytest
from sqlalchemy import insert, select

from data_access import schema
from data_access.ingest import (
    CorrespondenceError,
    IngestError,
    SourceMapError,
    UnreadableFileError,
    import_correspondence,
    ingest_file,
)
from data_access.ingest.csv_rows import MISPLACED_QUOTE_REASON, UNCLOSED_QUOTE_REASON
from tests.data_access.ingest.helpers import (
    count_rows,
    fetch_incidents,
    quarantined,
    write_source_map,
)

MAP = """
    country = "LCA"
    [station]
    mode = "column"
    column = "station"
    [columns]
    source_id = "no"
    occurred_from = "from"
    reported_at = "reported"
    weapon = "weapon"
    offence_codes = "codes"
"""
HEADER = "no,station,from,reported,weapon,codes,note"
GOOD_ROW = "1,W,2024-03-01 10:00,,,MUR,"
CODES = """national_code,description,iccs_code,status
MUR,Murder,0101,mapped
BUR,Burglary,0501,mapped
"""
SQUARE = (
    "POLYGON ((-61.00 14.00, -60.99 14.00, -60.99 14.01, -61.00 14.01, -61.00 14.00))"
)


@pytest.fixture
def warehouse(engine, tmp_path):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"country_code": "LCA", "code": "W", "name": "West"}],
        )
    codes = tmp_path / "codes.csv"
    codes.write_text(CODES)
    import_correspondence(engine, codes, "LCA")
    return engine


def write_export(tmp_path, lines, header=HEADER, name="export.csv"):
    data = tmp_path / name
    data.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return data


def ingest_lines(engine, tmp_path, lines, header=HEADER, body=MAP):
    data = write_export(tmp_path, lines, header)
    return ingest_file(engine, data, write_source_map(tmp_path, body))


def test_header_only_export_warns(warehouse, tmp_path, caplog):
    report = ingest_lines(warehouse, tmp_path, [])

    assert report.rows_read == 0
    assert count_rows(warehouse, schema.incident) == 0
    assert "has a header and no data rows" in report.format()
    assert "export.csv: the file has no data rows" in caplog.text


def test_header_only_correspondence_changes_nothing(warehouse, tmp_path):
    ingest_lines(warehouse, tmp_path, [GOOD_ROW])
    empty = tmp_path / "empty.csv"
    empty.write_text("national_code,description,iccs_code,status\n")

    with pytest.raises(IngestError, match=r"empty\.csv: the table has a header but"):
        import_correspondence(warehouse, empty, "LCA")

    assert count_rows(warehouse, schema.offence_code) == 2
    assert fetch_incidents(warehouse, "LCA")["1"]["principal_iccs_code"] == "0101"


def test_nul_byte_quarantines_row(warehouse, tmp_path):
    report = ingest_lines(
        warehouse,
        tmp_path,
        [
            GOOD_ROW,
            "2,W,2024-03-01 10:00,,Kni\x00fe,MUR,",
            "3,W,2024-03-01,,,MUR,x\x00",
        ],
    )

    assert report.inserted == 1
    assert report.rejected == 2
    assert quarantined(warehouse) == [
        (
            3,
            "weapon",
            "Kni\\x00fe",
            "the cell contains a NUL byte; export the file again",
        ),
        (4, "note", "x\\x00", "the cell contains a NUL byte; export the file again"),
    ]


def test_long_source_id_quarantines_row(warehouse, tmp_path):
    long_id = "9" * 2_000_000
    report = ingest_lines(
        warehouse, tmp_path, [GOOD_ROW, f"{long_id},W,2024-03-01 10:00,,,MUR,"]
    )
    problems = quarantined(warehouse)

    assert report.inserted == 1
    assert report.rejected == 1
    assert len(problems) == 1
    assert problems[0][:2] == (3, "no")
    assert problems[0][2].endswith("... (2000000 characters)")
    assert len(problems[0][2]) < 300
    assert problems[0][3].startswith("source_id is longer than 200 characters")


def test_long_offence_code_quarantined_and_cut(warehouse, tmp_path):
    long_code = "Z" * 5_000
    report = ingest_lines(
        warehouse,
        tmp_path,
        [GOOD_ROW, f"2,W,2024-03-01 10:00,,,BUR;{long_code},", "3,W,2024-03-01,,,QQ,"],
    )
    problems = quarantined(warehouse)
    text = report.format()

    assert report.inserted == 2
    assert report.rejected == 1
    assert [row[:2] for row in problems] == [(3, "codes")]
    assert problems[0][3].startswith("an offence code is longer than 200")
    assert long_code not in problems[0][2]
    assert long_code not in text
    assert "'QQ': 1 offence(s)" in text


def test_long_cell_quarantines_row(warehouse, tmp_path):
    weapon = "k" * 10_001
    report = ingest_lines(
        warehouse, tmp_path, [GOOD_ROW, f"2,W,2024-03-01 10:00,,{weapon},MUR,"]
    )

    assert report.inserted == 1
    assert [row[:2] for row in quarantined(warehouse)] == [(3, "weapon")]


def test_csv_named_xlsx_is_unreadable(warehouse, tmp_path):
    data = write_export(tmp_path, [GOOD_ROW], name="export.xlsx")
    source = write_source_map(tmp_path, MAP)

    with pytest.raises(UnreadableFileError, match=r"export\.xlsx: not a readable"):
        ingest_file(warehouse, data, source)
    with pytest.raises(UnreadableFileError, match=r"rename it to \.csv"):
        import_correspondence(warehouse, data, "LCA")
    assert count_rows(warehouse, schema.import_run) == 0


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('delimiter = ""', r"delimiter='' is invalid; it must be one character"),
        ('delimiter = ";;"', r"delimiter=';;' is invalid"),
        ('list_separator = ""', r"list_separator='' is invalid"),
        (
            'dateorder = "day_first"',
            r"unknown setting 'dateorder' in the top level; "
            r"did you mean 'date_order'\?",
        ),
        (
            "country = 42",
            r"country = 42 in the top level has the wrong type; it "
            r"must be text",
        ),
    ],
    ids=["empty-delimiter", "long-delimiter", "empty-separator", "typo", "number"],
)
def test_top_level_mistake_is_named(engine, tmp_path, setting, message):
    body = MAP.replace('country = "LCA"', f'country = "LCA"\n    {setting}')
    if setting.startswith("country"):
        body = MAP.replace('country = "LCA"', setting)
    data = write_export(tmp_path, [GOOD_ROW])

    with pytest.raises(SourceMapError, match=message):
        ingest_file(engine, data, write_source_map(tmp_path, body))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "create_missng = true",
            r"unknown setting 'create_missng' in \[station\]; "
            r"did you mean 'create_missing'\?",
        ),
        (
            'create_missing = "yes"',
            r"create_missing = 'yes' in \[station\] has the "
            r"wrong type; it must be true or false",
        ),
        ("code = 5", r"code = 5 in \[station\] has the wrong type"),
    ],
    ids=["typo", "text-flag", "number-code"],
)
def test_station_mistake_is_named(engine, tmp_path, setting, message):
    body = MAP.replace('column = "station"', f'column = "station"\n    {setting}')
    data = write_export(tmp_path, [GOOD_ROW])

    with pytest.raises(SourceMapError, match=message):
        ingest_file(engine, data, write_source_map(tmp_path, body))


def test_column_typo_suggests_field(engine, tmp_path):
    body = MAP.replace('weapon = "weapon"', 'weapn = "weapon"')
    data = write_export(tmp_path, [GOOD_ROW])

    with pytest.raises(SourceMapError, match=r"'weapn' in \[columns\]; did you mean "):
        ingest_file(engine, data, write_source_map(tmp_path, body))


def test_jurisdiction_without_timezone_is_named(engine, tmp_path):
    body = MAP.replace('"LCA"', '"XYZ"') + '\n[jurisdiction]\nname = "Xyz"\n'
    data = write_export(tmp_path, [GOOD_ROW])

    with pytest.raises(IngestError, match=r"\[jurisdiction\] table lacks timezone"):
        ingest_file(engine, data, write_source_map(tmp_path, body))
    assert count_rows(engine, schema.import_run) == 0


def test_duplicate_column_rejects_file(warehouse, tmp_path):
    header = "no,station,from,reported,weapon,codes,weapon"

    with pytest.raises(IngestError, match=r"column\(s\) \['weapon'\] more than once"):
        ingest_lines(warehouse, tmp_path, [GOOD_ROW], header=header)
    assert count_rows(warehouse, schema.import_run) == 0


@pytest.mark.parametrize("position", ["first", "later"])
def test_row_with_extra_fields_quarantined(warehouse, tmp_path, position):
    long_row = "2,W,2024-03-01 10:00,,Knife, gun,BUR,"
    lines = [long_row, GOOD_ROW] if position == "first" else [GOOD_ROW, long_row]
    report = ingest_lines(warehouse, tmp_path, lines)
    incidents = fetch_incidents(warehouse, "LCA")
    long_number = 2 if position == "first" else 3

    assert report.rows_read == 2
    assert report.inserted == 1
    assert report.rejected == 1
    assert incidents["1"]["principal_national_code"] == "MUR"
    assert quarantined(warehouse) == [
        (
            long_number,
            "(whole row)",
            long_row,
            "8 fields, header has 7; quote the cells that hold the delimiter",
        )
    ]


def test_extra_fields_keep_later_row_numbers(warehouse, tmp_path):
    lines = ["2,W,2024-03-01,,a,b,MUR,", GOOD_ROW, "3,W,1850-01-01,,,MUR,"]
    ingest_lines(warehouse, tmp_path, lines)

    assert [row[:2] for row in quarantined(warehouse)] == [
        (2, "(whole row)"),
        (4, "from"),
    ]


def test_point_mode_needs_station_areas(warehouse, tmp_path):
    body = MAP.replace('mode = "column"\n    column = "station"', 'mode = "point"')

    with pytest.raises(IngestError, match=r"the stations of 'LCA' have no areas"):
        ingest_lines(warehouse, tmp_path, [GOOD_ROW], body=body)
    assert count_rows(warehouse, schema.import_run) == 0


def test_point_mode_with_areas_imports(warehouse, tmp_path):
    with warehouse.begin() as connection:
        connection.execute(
            schema.station.update()
            .where(schema.station.c.code == "W")
            .values(area_wkt=SQUARE)
        )
    body = MAP.replace('mode = "column"\n    column = "station"', 'mode = "point"')

    report = ingest_lines(warehouse, tmp_path, [GOOD_ROW], body=body)

    assert report.inserted == 1


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("2,W,1850-01-01,,,MUR,", "from", "the date is before 1900; check the year"),
        (
            "2,W,2024-03-01,2099-01-01,,MUR,",
            "reported",
            "the date is after ",
        ),
        ("2,W,2024-03-01,1899-12-31 23:00,,MUR,", "reported", "the date is before"),
    ],
    ids=["old-occurrence", "far-report", "old-report"],
)
def test_implausible_date_quarantined(warehouse, tmp_path, line, field, reason):
    report = ingest_lines(warehouse, tmp_path, [GOOD_ROW, line])
    problems = quarantined(warehouse)

    assert report.inserted == 1
    assert len(problems) == 1
    assert problems[0][:2] == (3, field)
    assert problems[0][3].startswith(reason)


def test_plausible_old_date_kept(warehouse, tmp_path):
    report = ingest_lines(warehouse, tmp_path, ["2,W,1901-06-01,,,MUR,"])
    with warehouse.connect() as connection:
        stored = connection.scalar(select(schema.incident.c.occurred_from))

    assert report.inserted == 1
    assert stored.year == 1901


def test_excel_value_right_of_header_quarantined(warehouse, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["1", "W", "2024-03-01 10:00", None, None, "MUR", None, "stray"])
    sheet.append(["2", "W", "2024-03-01 10:00", None, None, "BUR", None, None])
    data = tmp_path / "export.xlsx"
    workbook.save(data)

    report = ingest_file(warehouse, data, write_source_map(tmp_path, MAP))
    problems = quarantined(warehouse)

    assert report.rows_read == 2
    assert report.inserted == 1
    assert list(fetch_incidents(warehouse, "LCA")) == ["2"]
    assert [row[:2] for row in problems] == [(2, "(whole row)")]
    assert problems[0][3].startswith("8 fields, header has 7")


def test_unsafe_correspondence_rows_named(warehouse, tmp_path):
    long_code = "C" * 5_000
    table = tmp_path / "bad_codes.csv"
    table.write_text(
        "national_code,description,iccs_code,status\n"
        "MUR,Murder,0101,mapped\n"
        "B\x00UR,Burglary,0501,mapped\n"
        f"{long_code},Long,0501,mapped\n"
    )

    with pytest.raises(CorrespondenceError) as caught:
        import_correspondence(warehouse, table, "LCA")
    message = str(caught.value)

    assert "row 3: national_code contains a NUL byte" in message
    assert "row 4: national_code is longer than 200 characters (5000)" in message
    assert long_code not in message
    assert count_rows(warehouse, schema.offence_code) == 2


def write_encoded(tmp_path, encoded: bytes):
    data = tmp_path / "export.csv"
    data.write_bytes(encoded)
    return data


WIDE_TEXT = (
    "\n".join([HEADER, GOOD_ROW, "2,W,2024-03-02 10:00,,Coutelas é,BUR,"]) + "\n"
)


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF16_LE + WIDE_TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + WIDE_TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + WIDE_TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + WIDE_TEXT.encode("utf-32-be"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"],
)
def test_wide_file_with_bom_imports(warehouse, tmp_path, encoded):
    data = write_encoded(tmp_path, encoded)

    report = ingest_file(warehouse, data, write_source_map(tmp_path, MAP))
    incidents = fetch_incidents(warehouse, "LCA")

    assert report.inserted == 2
    assert report.rejected == 0
    assert incidents["2"]["weapon"] == "Coutelas é"
    assert incidents["1"]["principal_national_code"] == "MUR"


def test_wide_bom_against_set_encoding(warehouse, tmp_path):
    data = write_encoded(tmp_path, WIDE_TEXT.encode("utf-16"))
    body = MAP.replace('country = "LCA"', 'country = "LCA"\n    encoding = "utf-8"')

    with pytest.raises(
        IngestError,
        match=r"export\.csv: the file starts with a UTF-16 LE byte order mark, but "
        r"its encoding is set to 'utf-8'\. Save the file as UTF-8",
    ):
        ingest_file(warehouse, data, write_source_map(tmp_path, body))
    assert count_rows(warehouse, schema.import_run) == 0


@pytest.mark.parametrize(
    ("codec", "name"),
    [
        ("utf-16-le", "UTF-16 LE"),
        ("utf-16-be", "UTF-16 BE"),
        ("utf-32-le", "UTF-32 LE"),
        ("utf-32-be", "UTF-32 BE"),
    ],
)
def test_wide_file_without_bom_named(warehouse, tmp_path, codec, name):
    data = write_encoded(tmp_path, WIDE_TEXT.encode(codec))

    with pytest.raises(IngestError) as caught:
        ingest_file(warehouse, data, write_source_map(tmp_path, MAP))
    message = str(caught.value)

    assert message.startswith(f"{data}: ")
    assert f"the file looks like {name} text without a byte order mark" in message
    assert "Save it as UTF-8" in message
    assert "not in the file" not in message
    assert count_rows(warehouse, schema.import_run) == 0


def test_invalid_utf16_named(warehouse, tmp_path):
    data = write_encoded(tmp_path, WIDE_TEXT.encode("utf-16") + b"\x00")

    with pytest.raises(
        IngestError,
        match=r"export\.csv: the file starts with a UTF-16 LE byte order mark but "
        r"is not valid UTF-16 LE \(truncated data at byte offset \d+\)",
    ):
        ingest_file(warehouse, data, write_source_map(tmp_path, MAP))


def test_tab_delimited_header_named(warehouse, tmp_path):
    text = WIDE_TEXT.replace(",", "\t")
    data = write_encoded(tmp_path, text.encode("utf-16"))

    with pytest.raises(
        IngestError, match=r'header looks delimited by "\\t": set delimiter = "\\t"'
    ):
        ingest_file(warehouse, data, write_source_map(tmp_path, MAP))


def test_wide_correspondence_table_imports(warehouse, tmp_path):
    table = tmp_path / "codes_utf16.csv"
    table.write_bytes((CODES + "ROB,Robbery,0401,mapped\n").encode("utf-16"))

    assert import_correspondence(warehouse, table, "LCA") == 3
    assert count_rows(warehouse, schema.offence_code) == 3


UNCLOSED = 'unclosed quote: a " opens a cell of this row and never closes'


def test_unclosed_quote_quarantines_row(warehouse, tmp_path):
    stray = '2,W,"2024-03-01 10:00,,,MUR,'
    lines = [GOOD_ROW, stray, "3,W,2024-03-02 10:00,,,BUR,"]
    report = ingest_lines(warehouse, tmp_path, lines)
    problems = quarantined(warehouse)
    text = report.format()

    assert report.rows_read == 3
    assert report.inserted == 2
    assert report.rejected == 1
    assert sorted(fetch_incidents(warehouse, "LCA")) == ["1", "3"]
    assert [row[:3] for row in problems] == [(3, "(whole row)", stray)]
    assert problems[0][3].startswith(UNCLOSED)
    assert problems[0][3].endswith("close or remove the quote")
    assert report.unclosed_quotes == [(3, 3)]
    assert f"unclosed quotes in {tmp_path / 'export.csv'}: row 3. " in text
    assert "C error" not in text


def test_unclosed_quote_row_after_blank_and_multiline(warehouse, tmp_path):
    lines = [
        GOOD_ROW,
        "",
        '2,W,2024-03-01 11:00,,"Knife,',
        'long blade",BUR,',
        '3,W,2024-03-01 12:00,,"Cutlass,MUR,',
        "4,W,2024-03-01 13:00,,,MUR,",
    ]
    report = ingest_lines(warehouse, tmp_path, lines)
    incidents = fetch_incidents(warehouse, "LCA")

    assert report.unclosed_quotes == [(4, 6)]
    assert [row[:2] for row in quarantined(warehouse)] == [(4, "(whole row)")]
    assert sorted(incidents) == ["1", "2", "4"]
    assert incidents["2"]["weapon"] == "Knife,\nlong blade"
    assert "row 4 (line 6)" in report.format()


def test_unclosed_quote_after_multiline_cell(warehouse, tmp_path):
    lines = ['2,W,2024-03-01 11:00,,"Knife,', 'blade",BUR,"x', GOOD_ROW]
    report = ingest_lines(warehouse, tmp_path, lines)
    problems = quarantined(warehouse)

    assert report.unclosed_quotes == [(2, 3)]
    assert problems[0][:3] == (2, "(whole row)", "\n".join(lines[:2]))
    assert list(fetch_incidents(warehouse, "LCA")) == ["1"]


def test_unclosed_quote_on_last_line(warehouse, tmp_path):
    data = tmp_path / "export.csv"
    data.write_text(f'{HEADER}\r\n{GOOD_ROW}\r\n2,W,2024-03-01,,"Knife', "utf-8")

    report = ingest_file(warehouse, data, write_source_map(tmp_path, MAP))

    assert report.inserted == 1
    assert report.unclosed_quotes == [(3, 3)]
    assert quarantined(warehouse)[0][:3] == (
        3,
        "(whole row)",
        '2,W,2024-03-01,,"Knife',
    )


def test_unclosed_quote_in_header_rejects_file(warehouse, tmp_path):
    header = 'no,station,"from,reported,weapon,codes,note'

    with pytest.raises(
        IngestError,
        match=r'export\.csv: a " on line 1 opens a cell of the header row and never '
        r"closes.*Close or remove the quote; nothing was imported\.",
    ):
        ingest_lines(warehouse, tmp_path, [GOOD_ROW], header=header)
    assert count_rows(warehouse, schema.import_run) == 0


def test_unclosed_quote_in_correspondence_named(warehouse, tmp_path):
    table = tmp_path / "quoted_codes.csv"
    table.write_text(CODES + 'ROB,"Robbery,0401,mapped\n', encoding="utf-8")

    with pytest.raises(
        IngestError, match=r"quoted_codes\.csv: 1 row\(s\) do not fit .*row 4: unclosed"
    ):
        import_correspondence(warehouse, table, "LCA")
    assert count_rows(warehouse, schema.offence_code) == 2


SHORT = "the row is short, so add the missing fields or delimiters"


@pytest.mark.parametrize("position", ["first", "later", "last"])
def test_short_row_quarantined(warehouse, tmp_path, position):
    short_row = "2,W,2024-03-01 10:00"
    lines = {
        "first": [short_row, GOOD_ROW, "3,W,2024-03-02,,,BUR,"],
        "later": [GOOD_ROW, short_row, "3,W,2024-03-02,,,BUR,"],
        "last": [GOOD_ROW, "3,W,2024-03-02,,,BUR,", short_row],
    }[position]
    report = ingest_lines(warehouse, tmp_path, lines)
    short_number = lines.index(short_row) + 2

    assert report.rows_read == 3
    assert report.inserted == 2
    assert report.rejected == 1
    assert sorted(fetch_incidents(warehouse, "LCA")) == ["1", "3"]
    assert quarantined(warehouse) == [
        (short_number, "(whole row)", short_row, f"3 fields, header has 7; {SHORT}")
    ]


def test_short_row_in_quoted_crlf_file(warehouse, tmp_path):
    data = tmp_path / "export.csv"
    rows = [HEADER, '1,W,2024-03-01 10:00,,"Knife, long",MUR,', "2,W,2024-03-01"]
    data.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")

    report = ingest_file(warehouse, data, write_source_map(tmp_path, MAP))

    assert report.inserted == 1
    assert fetch_incidents(warehouse, "LCA")["1"]["weapon"] == "Knife, long"
    assert quarantined(warehouse) == [
        (3, "(whole row)", "2,W,2024-03-01", f"3 fields, header has 7; {SHORT}")
    ]


def test_stray_quotes_set_aside_row_by_row(warehouse, tmp_path):
    # The quote that opens on row 2 closes inside a cell of row 4 ("x), which
    # would join rows 2 to 4 into one row. Each row with a bad quote is set
    # aside alone, and the good row between them is imported.
    lines = ['2,W,"2024-03-01,,,MUR,', GOOD_ROW, '3,W,2024-03-01,,"x,MUR,', GOOD_ROW]
    report = ingest_lines(warehouse, tmp_path, lines)
    problems = quarantined(warehouse)

    assert report.rejected == 2
    assert [row[:2] for row in problems] == [(2, "(whole row)"), (4, "(whole row)")]
    assert problems[0][2] == lines[0]
    assert problems[0][3] == MISPLACED_QUOTE_REASON
    assert problems[1][2] == lines[2]
    assert problems[1][3] == UNCLOSED_QUOTE_REASON
    assert list(fetch_incidents(warehouse, "LCA")) == ["1"]


def test_quote_closing_in_later_row_loses_nothing(warehouse, tmp_path):
    # Row 3's quote closes at a well-formed quoted cell three lines on, so the
    # joined lines still have seven fields. pandas alone would import them as
    # one incident with the other rows inside one cell.
    lines = [
        "1,W,2024-03-01 10:00,,,MUR,",
        '2,W,2024-03-01 10:00,,"Knife,MUR,',
        "3,W,2024-03-01 10:00,,,MUR,",
        '4,W,2024-03-01 10:00,,"Say ""hi""",MUR,',
        "5,W,2024-03-01 10:00,,,MUR,",
    ]
    report = ingest_lines(warehouse, tmp_path, lines)
    problems = quarantined(warehouse)

    assert sorted(fetch_incidents(warehouse, "LCA")) == ["1", "3", "4", "5"]
    assert fetch_incidents(warehouse, "LCA")["4"]["weapon"] == 'Say "hi"'
    assert report.rejected == 1
    assert [row[:3] for row in problems] == [(3, "(whole row)", lines[1])]
    assert problems[0][3] == MISPLACED_QUOTE_REASON


@pytest.mark.parametrize(
    ("quoted", "ends"),
    [
        (False, ("\r", "\r", "\r", "\r")),
        (True, ("\r", "\r", "\r", "\r")),
        (True, ("\r\n", "\r", "\n", "\r\n")),
    ],
    ids=["plain", "quoted", "mixed"],
)
def test_lone_carriage_returns_read(warehouse, tmp_path, quoted, ends):
    # Classic Mac line ends: a line ends with a carriage return alone, in all
    # lines or mixed with other line ends.
    weapon = '"Knife, long"' if quoted else "Knife"
    rows = [HEADER, f"1,W,2024-03-01 10:00,,{weapon},MUR,", "2,W,2024-03-01"]
    rows.append("3,W,2024-03-02 10:00,,,MUR,")
    text = "".join(row + end for row, end in zip(rows, ends, strict=True))
    data = tmp_path / "export.csv"
    data.write_bytes(text.encode("utf-8"))

    report = ingest_file(warehouse, data, write_source_map(tmp_path, MAP))

    assert sorted(fetch_incidents(warehouse, "LCA")) == ["1", "3"]
    assert fetch_incidents(warehouse, "LCA")["1"]["weapon"] == weapon.strip('"')
    assert report.rejected == 1
    assert quarantined(warehouse) == [
        (3, "(whole row)", "2,W,2024-03-01", f"3 fields, header has 7; {SHORT}")
    ]


def test_huge_cell_beside_short_row(warehouse, tmp_path):
    # A cell longer than the csv module's default limit of 131,072 characters
    # in a file that must be read row by row.
    weapon = "k" * 200_000
    lines = [GOOD_ROW, f"2,W,2024-03-01 10:00,,{weapon},MUR,", "3,W"]

    report = ingest_lines(warehouse, tmp_path, lines)

    assert report.inserted == 1
    assert [row[:2] for row in quarantined(warehouse)] == [
        (3, "weapon"),
        (4, "(whole row)"),
    ]


def test_short_correspondence_row_named(warehouse, tmp_path):
    table = tmp_path / "short_codes.csv"
    table.write_text(CODES + "ROB,Robbery\n", encoding="utf-8")

    with pytest.raises(
        IngestError,
        match=r"short_codes\.csv: 1 row\(s\) do not fit the header of 4 columns: "
        r"row 4: 2 fields, header has 4; the row is short",
    ):
        import_correspondence(warehouse, table, "LCA")
    assert count_rows(warehouse, schema.offence_code) == 2


POINT_MAP = MAP + '    latitude = "lat"\n    longitude = "lon"\n'
POINT_HEADER = "no,station,from,reported,weapon,codes,lat,lon"
KEPT = (
    "the incident was imported without a map location; correct the value and "
    "import the file again"
)


def test_unusable_coordinates_quarantined(warehouse, tmp_path):
    with warehouse.begin() as connection:
        connection.execute(
            schema.station.update()
            .where(schema.station.c.code == "W")
            .values(area_wkt=SQUARE)
        )
    lines = [
        "1,W,2024-03-01 10:00,,,MUR,14.005,-60.995",
        "2,W,2024-03-01 10:00,,,MUR,95.5,-120",
        "3,W,2024-03-01 10:00,,,MUR,14.0,-200",
        "4,W,2024-03-01 10:00,,,MUR,-250,300",
        "5,W,2024-03-01 10:00,,,MUR,-60.995,14.005",
        "6,W,2024-03-01 10:00,,,MUR,95,-61",
    ]
    report = ingest_lines(
        warehouse, tmp_path, lines, header=POINT_HEADER, body=POINT_MAP
    )
    incidents = fetch_incidents(warehouse, "LCA")
    swapped = "latitude and longitude look swapped, because the "

    assert report.inserted == 6
    assert report.rejected == 0
    assert report.without_coordinates == 5
    assert {key: row["coord_flag"] for key, row in incidents.items()} == {
        "1": "",
        "2": "out_of_range",
        "3": "out_of_range",
        "4": "out_of_range",
        "5": "swapped",
        "6": "swapped",
    }
    assert [row[:3] for row in quarantined(warehouse)] == [
        (3, "lat", "95.5"),
        (4, "lon", "-200"),
        (5, "lat", "-250"),
        (5, "lon", "300"),
        (6, "lat", "-60.995"),
        (6, "lon", "14.005"),
        (7, "lat", "95"),
        (7, "lon", "-61"),
    ]
    reasons = [row[3] for row in quarantined(warehouse)]
    assert reasons[0] == f"the latitude is outside -90 to 90 degrees; {KEPT}"
    assert reasons[1] == f"the longitude is outside -180 to 180 degrees; {KEPT}"
    assert reasons[4].startswith(swapped + "point lies near the station areas")
    assert reasons[6].startswith(swapped + "latitude is outside -90 to 90")
    assert all(reason.endswith(KEPT) for reason in reasons)
    assert "Coordinates out of range or swapped are in the quarantine" in (
        report.format()
    )
    with warehouse.connect() as connection:
        rejected = connection.scalar(select(schema.import_run.c.rows_rejected))
    assert rejected == 0


def test_rejected_row_lists_coordinates_too(warehouse, tmp_path):
    lines = ["1,W,1850-01-01,,,MUR,95.5,-120"]
    report = ingest_lines(
        warehouse, tmp_path, lines, header=POINT_HEADER, body=POINT_MAP
    )
    problems = quarantined(warehouse)

    assert report.rejected == 1
    assert [row[:3] for row in problems] == [
        (2, "from", "1850-01-01"),
        (2, "lat", "95.5"),
    ]
    assert problems[1][3] == (
        "the latitude is outside -90 to 90 degrees; correct the value"
    )
    assert "lat: the latitude is outside" in " ".join(report.rejected_by_reason)
