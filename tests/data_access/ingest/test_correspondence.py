"""Import of correspondence tables from national offence codes to ICCS."""

import pytest
from sqlalchemy import select

from data_access import schema
from data_access.ingest import CorrespondenceError, import_correspondence, ingest_file
from tests.data_access.ingest.helpers import (
    count_rows,
    fetch_incidents,
    write_source_map,
)

HEADER = "national_code,description,iccs_code,status,valid_from,valid_to\n"


def write_table(tmp_path, body: str):
    path = tmp_path / "codes.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_valid_table_keeps_leading_zeros(engine, tmp_path):
    path = write_table(
        tmp_path,
        "0101-01,Murder,0101,mapped,,\n"
        "007,Burglary of a dwelling,050121,mapped,,\n"
        "900,Sudden death,,excluded,,\n"
        "950,Under review,,pending,,\n",
    )
    assert import_correspondence(engine, path, "LCA") == 4
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                schema.offence_code.c.national_code, schema.offence_code.c.iccs_code
            ).order_by(schema.offence_code.c.national_code)
        ).all()

    assert [tuple(row) for row in rows] == [
        ("007", "050121"),
        ("0101-01", "0101"),
        ("900", None),
        ("950", None),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("A1,Theft,0599,mapped,,\n", r"row 3: iccs_code '0599' is not in the ICCS"),
        ("A1,Theft,502,mapped,,\n", r"row 3: iccs_code '502' has the wrong form"),
        (
            "A1,Theft,0502,mapped,,\nA1,Theft again,0502,mapped,,\n",
            r"row 4: national_code 'A1' duplicates row 3",
        ),
        ("A1,Theft,0502,stolen,,\n", r"row 3: status 'stolen' is invalid"),
        ("A1,Theft,,mapped,,\n", r"row 3: iccs_code is empty"),
        ("A1,Theft,0502,mapped,2024-31-01,\n", r"row 3: valid_from '2024-31-01'"),
    ],
    ids=[
        "unknown-code",
        "wrong-length",
        "duplicate",
        "bad-status",
        "empty-code",
        "bad-date",
    ],
)
def test_invalid_row_named_nothing_imported(engine, tmp_path, body, message):
    path = write_table(tmp_path, "B2,Robbery,0401,mapped,,\n" + body)
    with pytest.raises(CorrespondenceError, match=message):
        import_correspondence(engine, path, "LCA")

    assert count_rows(engine, schema.offence_code) == 0


def test_new_table_remaps_stored_offences(engine, tmp_path):
    data = tmp_path / "export.csv"
    data.write_text(
        "no,when,code\n1,2024-02-03 10:00,BUR;ASSLT\n2,2024-02-04 11:00,XX\n"
    )
    source = write_source_map(
        tmp_path,
        """
        country = "LCA"
        [station]
        mode = "fixed"
        code = "CASTRIES"
        create_missing = true
        [columns]
        source_id = "no"
        occurred_from = "when"
        offence_codes = "code"
        """,
    )
    ingest_file(engine, data, source)
    before = fetch_incidents(engine, "LCA")
    import_correspondence(
        engine,
        write_table(
            tmp_path, "BUR,Burglary,0501,mapped,,\nASSLT,Assault,02011,mapped,,\n"
        ),
        "LCA",
    )
    after = fetch_incidents(engine, "LCA")

    assert before["1"]["principal_iccs_code"] == schema.UNMAPPED
    assert before["1"]["unmapped_count"] == 2
    # Assault (section 02) outranks burglary (section 05) as the principal offence.
    assert after["1"]["principal_iccs_code"] == "02011"
    assert after["1"]["principal_national_code"] == "ASSLT"
    assert after["1"]["unmapped_count"] == 0
    assert after["2"]["principal_iccs_code"] == schema.UNMAPPED


def test_validity_window_picks_mapping_by_date(engine, tmp_path):
    import_correspondence(
        engine,
        write_table(
            tmp_path,
            "T1,Theft (old act),0502,mapped,,2023-12-31\n"
            "T1,Shop theft (new act),050231,mapped,2024-01-01,\n",
        ),
        "LCA",
    )
    data = tmp_path / "export.csv"
    data.write_text("no,when,code\n1,2023-12-31 23:00,T1\n2,2024-01-01 01:00,T1\n")
    source = write_source_map(
        tmp_path,
        """
        country = "LCA"
        [station]
        mode = "fixed"
        code = "CASTRIES"
        create_missing = true
        [columns]
        source_id = "no"
        occurred_from = "when"
        offence_codes = "code"
        """,
    )
    ingest_file(engine, data, source)
    incidents = fetch_incidents(engine, "LCA")

    assert incidents["1"]["principal_iccs_code"] == "0502"
    assert incidents["2"]["principal_iccs_code"] == "050231"
