"""Re-mapping stored offences after a country's correspondence table changes."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import bindparam, select, update

from data_access.ingest.prepare import Correspondence, lookup_iccs_codes
from data_access.ingest.ranking import principal_offences
from data_access.ingest.rollups import rebuild_rollups
from data_access.schema import UNMAPPED, incident, offence

CHUNK = 20_000


def remap_country(connection, country_code: str, table: Correspondence) -> int:
    """Map every stored offence of a country again and rebuild its rollups.

    Offence ICCS codes, each incident's principal offence and its count of unmapped
    offences are updated where they change. Returns the number of offences whose
    ICCS code changed.
    """
    offences = _stored_offences(connection, country_code)
    if offences.empty:
        rebuild_rollups(connection, country_code)
        return 0
    dates = offences["occurred_from"].to_numpy()
    offences["new_code"] = lookup_iccs_codes(offences, dates, table)
    changed = offences[offences["new_code"] != offences["iccs_code"]]
    _update_offences(connection, changed)

    ranked = offences.assign(
        iccs_code=offences["new_code"], row=offences["incident_id"]
    )
    principal = principal_offences(ranked)
    unmapped = (ranked["iccs_code"] == UNMAPPED).groupby(ranked["row"]).sum()
    _update_incidents(connection, principal, unmapped)
    rebuild_rollups(connection, country_code)
    return len(changed)


def _stored_offences(connection, country_code: str) -> pd.DataFrame:
    rows = connection.execute(
        select(
            offence.c.id,
            offence.c.incident_id,
            offence.c.seq,
            offence.c.national_code,
            offence.c.iccs_code,
            offence.c.attempted,
            incident.c.occurred_from,
        )
        .select_from(offence.join(incident, offence.c.incident_id == incident.c.id))
        .where(incident.c.country_code == country_code)
    ).all()
    columns = [
        "id",
        "incident_id",
        "seq",
        "national_code",
        "iccs_code",
        "attempted",
        "occurred_from",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["occurred_from"] = pd.to_datetime(frame["occurred_from"])
    return frame


def _update_offences(connection, changed: pd.DataFrame) -> None:
    statement = (
        update(offence)
        .where(offence.c.id == bindparam("b_id"))
        .values(iccs_code=bindparam("b_code"))
    )
    params = [
        {"b_id": int(row_id), "b_code": code}
        for row_id, code in zip(changed["id"], changed["new_code"], strict=True)
    ]
    for start in range(0, len(params), CHUNK):
        connection.execute(statement, params[start : start + CHUNK])


def _update_incidents(connection, principal: pd.DataFrame, unmapped) -> None:
    statement = (
        update(incident)
        .where(incident.c.id == bindparam("b_id"))
        .values(
            principal_national_code=bindparam("b_national"),
            principal_iccs_code=bindparam("b_code"),
            principal_attempted=bindparam("b_attempted"),
            unmapped_count=bindparam("b_unmapped"),
        )
    )
    params = [
        {
            "b_id": int(row.incident_id),
            "b_national": row.national_code,
            "b_code": row.iccs_code,
            "b_attempted": bool(row.attempted),
            "b_unmapped": int(unmapped[row.incident_id]),
        }
        for row in principal.itertuples()
    ]
    for start in range(0, len(params), CHUNK):
        connection.execute(statement, params[start : start + CHUNK])
