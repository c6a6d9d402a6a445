"""The seriousness ranking that picks an incident's principal offence.

An incident may carry several offences; the principal one is the most serious, and
the incident is counted under its ICCS code. The ranking, from most to least
serious:

1. Offences mapped to ICCS come before unmapped ones, and unmapped ones before those
   excluded as not a crime, so a real crime always outranks a code still pending.
2. Then by ICCS section in the classification's own order, 01 (acts leading to
   death) to 11 (other criminal acts). ICCS orders its sections from acts against
   the person, through property, to acts against the State and the environment,
   which is the order of seriousness police counting rules commonly use.
3. Then a completed offence before an attempt of the same rank.
4. Then by ICCS code, so that within a section the lower-numbered, more specific
   harm comes first (0101 intentional homicide before 0102 attempted homicide),
   and last by the order the export lists the offences.
"""

from __future__ import annotations

import pandas as pd

from data_access.schema import EXCLUDED, UNMAPPED

_STATUS_RANK = {UNMAPPED: 1, EXCLUDED: 2}


def rank_offences(offences: pd.DataFrame) -> pd.DataFrame:
    """Return ``offences`` sorted so that each row's principal offence comes first.

    ``offences`` has the columns ``row`` (the export row), ``seq`` (the order in the
    export), ``iccs_code`` and ``attempted``.
    """
    code = offences["iccs_code"]
    keys = pd.DataFrame(
        {
            "row": offences["row"],
            "status": code.map(_STATUS_RANK).fillna(0).astype(int),
            "section": code.str[:2].where(code.str.match(r"^\d"), "99"),
            "attempted": offences["attempted"].astype(int),
            "code": code,
            "seq": offences["seq"],
        }
    )
    order = keys.sort_values(
        ["row", "status", "section", "attempted", "code", "seq"], kind="stable"
    ).index
    return offences.loc[order]


def principal_offences(offences: pd.DataFrame) -> pd.DataFrame:
    """Return one row per export row: its principal offence."""
    return rank_offences(offences).drop_duplicates("row", keep="first")
