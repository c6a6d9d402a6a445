"""Rollup rows for the Strategy view, with the expected values worked out by hand.

Added on top of ``seed_places`` (Saint Lucia: NORTH with CAS and GRI, SOUTH with
VFT; CAS has 6 incidents in January 2024, 4 robberies in February 2024; GRI 7
homicides in January 2024). The month read is March 2024.

Trends, section 05, incidents by month occurred: March counts at CAS are 10, 12
and 14 in 2021 to 2023, so March 2024 expects 12 with the band
12 ± 2√12 = 5.07 to 18.93, and its 25 burglaries lie above it. The seeded
January 2024 adds 4 burglaries, so the 3-month average of March 2024 is
(4 + 0 + 25) / 3 = 9.67.

Stations, March 2024 against March 2023:

===== ===== ======== ====================== ========= ========= ============
code  month previous score                  12 months before    population
===== ===== ======== ====================== ========= ========= ============
CAS   25    14       2(5 − √14) = 2.52      35        14        20,000 (2023)
GRI   0     0        0                      7         0         7,000 (2020,
                                                                estimate)
VFT   2     0        2(√2) = 2.83           2         0         none
===== ===== ======== ====================== ========= ========= ============

CAS's 12-month score is 2(√35 − √14) = 4.35 (flag 3) and its rate
35 / 20,000 × 10,000 = 17.5; GRI's rate is 10.0. A 2025 population of CAS is
later than the month read and is ignored.

Victims at CAS in March 2024: 2 girls aged 10-14, 3 girls 15-17, 4 men 18-24,
5 men 25-29, 6 women 30-44 and 7 men of unknown age: 27 victims, 20 of known
age, 11 female; aged 10 to 29: 14, 15 to 24: 7, 15 to 29: 12.

Homicides (0101) in the 12 months to March 2024: 2 at CAS and 7 at GRI in
January, 2 at VFT in March of which 1 with a firearm: 1 of 11.

Data quality, April 2023 to March 2024 (see ``QUALITY_ROWS``): CAS has 40
incidents, 6 without coordinates (85% with), 41 offences with 3 unmapped, 6
victims with 1 missing age and 1 missing sex, known delays 3, 1, 3, 11 and 21 by
band (the 20th of 39 is in "31 days or more"), and no records from April to
December 2023. GRI has records in January 2024 only, all without coordinates.
VFT has none.
"""

from __future__ import annotations

from sqlalchemy import insert, update

from data_access.ingest.rollups import rebuild_summed_rollups
from data_access.schema import population, rollup_monthly, rollup_quality, station
from tests.dashboard.station_helpers import CAS_AREA, GRI_AREA

CAS, GRI, VFT = 1, 2, 3
MONTH = 202403


def _count(station_id, month, iccs, incidents, firearm=0, **extra) -> dict:
    values = {
        "country_code": "LCA",
        "station_id": station_id,
        "basis": "occurred",
        "month": month,
        "iccs_code": iccs,
        "attempted": False,
        "person_role": "all",
        "sex": "all",
        "age_band": "all",
        "incidents": incidents,
        "offences": incidents,
        "persons": 0,
        "firearm_incidents": firearm,
    }
    values.update(extra)
    return values


def _person(role: str, sex: str, band: str, persons: int) -> dict:
    return _count(
        CAS,
        MONTH,
        "0501",
        0,
        offences=0,
        person_role=role,
        sex=sex,
        age_band=band,
        persons=persons,
    )


COUNT_ROWS = [
    _count(CAS, 202103, "0501", 10),
    _count(CAS, 202203, "0501", 12),
    _count(CAS, 202303, "0501", 14),
    _count(CAS, MONTH, "0501", 20),
    _count(CAS, MONTH, "0501", 5, attempted=True),
    _count(VFT, MONTH, "0101", 2, firearm=1),
    # Reported basis only: never in the occurred counts.
    _count(CAS, MONTH, "0501", 50, basis="reported"),
    _person("victim", "F", "10-14", 2),
    _person("victim", "F", "15-17", 3),
    _person("victim", "M", "18-24", 4),
    _person("victim", "M", "25-29", 5),
    _person("victim", "F", "30-44", 6),
    _person("victim", "M", "unknown", 7),
    _person("suspect", "M", "15-17", 1),
    _person("suspect", "M", "18-24", 2),
    _person("suspect", "M", "45-59", 3),
]

POPULATION_ROWS = [
    ("CAS", 2023, 20_000.0, False),
    ("CAS", 2025, 99_999.0, False),
    ("GRI", 2020, 7_000.0, True),
]

DELAY_COLUMNS = (
    "delay_days_0",
    "delay_days_1",
    "delay_days_2_7",
    "delay_days_8_30",
    "delay_days_31_plus",
    "delay_unknown",
)

# (station, month, incidents, without coordinates, offences, unmapped, victims,
# missing age, missing sex, delays by band then unknown)
QUALITY_ROWS = [
    (CAS, 202401, 6, 1, 6, 0, 4, 1, 0, (3, 1, 1, 0, 0, 1)),
    (CAS, 202402, 4, 0, 5, 1, 2, 0, 1, (0, 0, 2, 1, 1, 0)),
    (CAS, 202403, 30, 5, 30, 2, 0, 0, 0, (0, 0, 0, 10, 20, 0)),
    (GRI, 202401, 7, 7, 7, 0, 0, 0, 0, (0, 0, 0, 0, 0, 7)),
    # Before the 12 months read.
    (VFT, 202303, 9, 0, 9, 0, 0, 0, 0, (9, 0, 0, 0, 0, 0)),
]


def _quality(row) -> dict:
    station_id, month, incidents, without, offences, unmapped = row[:6]
    victims, missing_age, missing_sex, delays = row[6:]
    values = {
        "country_code": "LCA",
        "station_id": station_id,
        "month": month,
        "incidents": incidents,
        "without_coordinates": without,
        "offences": offences,
        "unmapped_offences": unmapped,
        "victims": victims,
        "victims_missing_age": missing_age,
        "victims_missing_sex": missing_sex,
        "recorded_late": delays[4],
    }
    values.update(zip(DELAY_COLUMNS, delays, strict=True))
    return values


def seed_strategy(engine) -> None:
    """Insert the rows described above and give CAS and GRI their station areas."""
    with engine.begin() as connection:
        for code, area in (("CAS", CAS_AREA), ("GRI", GRI_AREA)):
            connection.execute(
                update(station)
                .where(station.c.country_code == "LCA", station.c.code == code)
                .values(area_wkt=area)
            )
        connection.execute(insert(rollup_monthly), COUNT_ROWS)
        connection.execute(
            insert(population),
            [
                {
                    "country_code": "LCA",
                    "area_type": "station",
                    "area_code": code,
                    "year": year,
                    "sex": "all",
                    "age_band": "all",
                    "population": value,
                    "is_estimate": estimate,
                    "source": "test",
                }
                for code, year, value, estimate in POPULATION_ROWS
            ],
        )
        connection.execute(insert(rollup_quality), [_quality(r) for r in QUALITY_ROWS])
        rebuild_summed_rollups(connection, "LCA")
