"""Quarantine entries for coordinates that cannot be placed on the map.

A row whose latitude or longitude is out of range, or whose two values look
swapped, is still imported when nothing else is wrong with it. Its incident is
stored and counted, with a ``coord_flag`` that keeps it off the map. Each such
cell is also listed in the quarantine, so that the records staff can correct it
in the source system. A row rejected for another reason lists these cells too.
"""

from __future__ import annotations

import pandas as pd

from data_access.ingest.errors import Problem, display_value
from data_access.ingest.source_map import SourceMap

KEPT_WITHOUT_LOCATION = (
    "the incident was imported without a map location; correct the value and "
    "import the file again"
)
CORRECT_VALUE = "correct the value"
LATITUDE_RANGE = "the latitude is outside -90 to 90 degrees"
LONGITUDE_RANGE = "the longitude is outside -180 to 180 degrees"
SWAPPED = (
    "latitude and longitude look swapped, because the point lies near the station "
    "areas only with the two exchanged"
)
SWAPPED_OUT_OF_RANGE = (
    "latitude and longitude look swapped, because the latitude is outside -90 to "
    "90 degrees and the longitude would fit there"
)


def unusable_point_problems(
    frame: pd.DataFrame, source_map: SourceMap, incidents: pd.DataFrame, kept: bool
) -> list[Problem]:
    """Return a quarantine entry for each unusable coordinate of ``incidents``.

    ``incidents`` are rows of ``frame`` with their parsed ``lat``, ``lon`` and
    ``coord_flag``. A latitude outside -90 to 90 or a longitude outside -180 to
    180 is listed on its own, and both cells of a point that looks swapped are
    listed. The values are the cells of ``frame`` as the file has them. With
    ``kept``, the rows are imported, and the reason states that.
    """
    lat_column = source_map.column("latitude")
    lon_column = source_map.column("longitude")
    if lat_column is None or lon_column is None or incidents.empty:
        return []
    flags = incidents["coord_flag"]
    lat, lon = incidents["lat"], incidents["lon"]
    swapped = flags == "swapped"
    out_of_range = flags == "out_of_range"
    swapped_reason = pd.Series(SWAPPED, index=incidents.index).where(
        lat.abs() <= 90, SWAPPED_OUT_OF_RANGE
    )
    cells = (
        (lat_column, out_of_range & (lat.abs() > 90), LATITUDE_RANGE),
        (lon_column, out_of_range & (lon.abs() > 180), LONGITUDE_RANGE),
        (lat_column, swapped, swapped_reason),
        (lon_column, swapped, swapped_reason),
    )
    suffix = KEPT_WITHOUT_LOCATION if kept else CORRECT_VALUE
    problems = []
    for column, mask, reason in cells:
        problems.extend(_problems(frame, incidents, column, mask, reason, suffix))
    return sorted(problems, key=lambda problem: problem.row_number)


def _problems(frame, incidents, column, mask, reason, suffix) -> list[Problem]:
    rows = incidents.index[mask.to_numpy()]
    reasons = reason if isinstance(reason, pd.Series) else None
    return [
        Problem(
            int(incidents.at[row, "row_number"]),
            column,
            display_value(frame.at[row, column]),
            f"{reasons[row] if reasons is not None else reason}; {suffix}",
        )
        for row in rows
    ]
