"""Date-times with and without a UTC offset, parsed into local time."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.ingest.parsing import parse_datetimes

# Saint Lucia is UTC-4 all year.
CASES = [
    ("2024-01-31T13:30:00-08:00", "2024-01-31 17:30", "minute"),
    ("2024-01-31 13:30+0100", "2024-01-31 08:30", "minute"),
    ("2024-01-31T13:30:00Z", "2024-01-31 09:30", "minute"),
    ("2024-01-31T13:30:00.250Z", "2024-01-31 09:30:00.250", "minute"),
    ("2024/01/31 13:30:00+01:00", "2024-01-31 08:30", "minute"),
    ("2024-01-31T13:30:00 -08:00", "2024-01-31 17:30", "minute"),
    ("2024-03-09", "2024-03-09 00:00", "day"),
    ("09/03/2024 10:00", "2024-03-09 10:00", "minute"),
    ("2024-01-31 24:00", "2024-02-01 00:00", "minute"),
]


@pytest.mark.parametrize(
    ("text", "local", "precision"), CASES, ids=[case[0] for case in CASES]
)
def test_offsets_parsed_to_local_time(text, local, precision):
    parsed = parse_datetimes(pd.Series([text]), "day_first", "America/St_Lucia")

    assert parsed.values[0] == pd.Timestamp(local)
    assert parsed.precision[0] == precision
    assert not parsed.bad[0]


def test_offsets_among_local_times():
    texts = ["2024-01-31T13:30:00Z", "31/01/2024 13:30", "2024-01-31 13:30-04:00"]
    parsed = parse_datetimes(pd.Series(texts), "day_first", "America/St_Lucia")

    assert list(parsed.values) == [
        pd.Timestamp("2024-01-31 09:30"),
        pd.Timestamp("2024-01-31 13:30"),
        pd.Timestamp("2024-01-31 13:30"),
    ]
    assert not parsed.bad.any()


def test_offset_after_date_only_invalid():
    parsed = parse_datetimes(
        pd.Series(["2024-01-31+01:00"]), "day_first", "America/St_Lucia"
    )

    assert parsed.bad[0]
    assert parsed.values.isna()[0]
