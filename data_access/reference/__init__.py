"""Reference data shipped with the package: the ICCS classification."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def load_iccs_codes() -> tuple[dict, ...]:
    """Return the 320 ICCS v1.0 codes as rows with code, level, parent_code, name."""
    text = resources.files(__name__).joinpath("iccs_codes.csv").read_text("utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append(
            {
                "code": row["code"],
                "level": int(row["level"]),
                "parent_code": row["parent_code"] or None,
                "name": row["name"],
            }
        )
    return tuple(rows)
