"""A small warehouse for the Station workspace, with counts worked out by hand.

On top of ``seed_places`` (Saint Lucia: NORTH with CAS and GRI, SOUTH with VFT),
CAS and GRI get square station areas side by side and one parish covers both.
The incidents below are imported through the ordinary import with ICCS codes.
At CAS, by month occurred:

======== ===================================================== ======
month    incidents                                             total
======== ===================================================== ======
2023-01  8 burglaries (0501) at place C                          8
2023-03  4 burglaries: 2 at place A, 2 at place B                4
2024-01  3 burglaries at place C                                 3
2024-02  5 assaults (02011), places apart                        5
2024-03  12 burglaries (8 at A, 4 apart); 3 assaults, one        16
         without coordinates; 1 coded only as section 02
======== ===================================================== ======

One March burglary at A occurred on Saturday 2 March, before the last 28 days of
the month (4 to 31 March); one has an 8-hour window, Monday 4 March 22:00 to
Tuesday 06:00. The February assaults fell on 1, 3, 10, 20 and 28 February, so
three are in the 28 days before (5 February to 3 March). GRI has 2 burglaries
in March 2024.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, update

from data_access.ingest import ingest_file
from data_access.schema import admin_area, station

PLACE_A = (-60.995, 14.005)
PLACE_B = (-60.985, 14.015)
PLACE_C = (-60.99, 14.01)

CAS_AREA = "POLYGON ((-61 14, -60.98 14, -60.98 14.02, -61 14.02, -61 14))"
GRI_AREA = "POLYGON ((-60.98 14, -60.96 14, -60.96 14.02, -60.98 14.02, -60.98 14))"
PARISH = "POLYGON ((-61 14, -60.96 14, -60.96 14.02, -61 14.02, -61 14))"

SOURCE_MAP = """
country = "LCA"
offence_code_system = "iccs"
date_order = "year_first"

[station]
mode = "column"
column = "station_code"

[columns]
source_id = "incident_no"
occurred_from = "occurred_at"
occurred_to = "occurred_to"
longitude = "x"
latitude = "y"
location_type = "premises"
offence_codes = "iccs_code"
"""


def _rows() -> list[tuple]:
    """Return (station, occurred_at, occurred_to, code, lon, lat, premises)."""
    rows = []
    a, b, c = PLACE_A, PLACE_B, PLACE_C
    for day in range(1, 9):
        rows.append(("CAS", f"2023-01-0{day} 12:00", "", "0501", *c, "house"))
    for day, place in ((10, a), (11, a), (12, b), (13, b)):
        rows.append(("CAS", f"2023-03-{day} 12:00", "", "0501", *place, "house"))
    for day in (10, 15, 20):
        rows.append(("CAS", f"2024-01-{day} 12:00", "", "0501", *c, "house"))
    february = [(1, -60.999), (3, -60.998), (10, -60.997), (20, -60.996), (28, -60.994)]
    for day, lon in february:
        rows.append(
            ("CAS", f"2024-02-{day:02d} 12:00", "", "02011", lon, 14.019, "street")
        )
    at_a = [
        ("2024-03-02 10:00", ""),
        ("2024-03-04 22:00", "2024-03-05 06:00"),
        ("2024-03-06 09:00", ""),
        ("2024-03-08 13:00", ""),
        ("2024-03-10 20:00", ""),
        ("2024-03-12 21:00", ""),
        ("2024-03-15 11:00", ""),
        ("2024-03-20 02:00", ""),
    ]
    for start, end in at_a:
        rows.append(("CAS", start, end, "0501", *a, "house"))
    apart = [
        ("2024-03-22 14:00", -60.997, 14.015),
        ("2024-03-25 15:00", -60.99, 14.002),
        ("2024-03-28 16:00", -60.982, 14.008),
        ("2024-03-30 17:00", -60.993, 14.018),
    ]
    for start, lon, lat in apart:
        rows.append(("CAS", start, "", "0501", lon, lat, "shop"))
    rows.append(("CAS", "2024-03-05 10:00", "", "02011", -60.988, 14.012, "street"))
    rows.append(("CAS", "2024-03-18 12:00", "", "02011", -60.996, 14.01, "bar"))
    rows.append(("CAS", "2024-03-26 19:00", "", "02011", "", "", "street"))
    rows.append(("CAS", "2024-03-29 08:00", "", "02", -60.984, 14.004, "street"))
    rows.append(("GRI", "2024-03-07 12:00", "", "0501", -60.97, 14.01, "house"))
    rows.append(("GRI", "2024-03-09 12:00", "", "0501", -60.971, 14.011, "house"))
    return rows


def write_export(folder: Path) -> tuple[Path, Path]:
    """Write the export CSV and its source map; return both paths."""
    lines = ["incident_no,station_code,occurred_at,occurred_to,iccs_code,x,y,premises"]
    for number, row in enumerate(_rows(), start=1):
        lines.append(f"INC-{number:03d}," + ",".join(str(value) for value in row))
    data = folder / "station_export.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = folder / "station_source.toml"
    source.write_text(SOURCE_MAP, encoding="utf-8")
    return data, source


def seed_station_month(engine, folder: Path) -> None:
    """Give CAS and GRI their areas, add the parish and import the incidents."""
    with engine.begin() as connection:
        for code, area, point in (
            ("CAS", CAS_AREA, PLACE_C),
            ("GRI", GRI_AREA, (-60.97, 14.01)),
        ):
            connection.execute(
                update(station)
                .where(station.c.country_code == "LCA", station.c.code == code)
                .values(area_wkt=area, lon=point[0], lat=point[1])
            )
        connection.execute(
            insert(admin_area).values(
                country_code="LCA", code="LC01", name="Parish one", geometry_wkt=PARISH
            )
        )
    data, source = write_export(folder)
    report = ingest_file(engine, data, source)
    assert report.rejected == 0, report.format()
    assert report.inserted == len(_rows()), report.format()
