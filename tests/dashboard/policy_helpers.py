"""Yearly rollups and populations of the eight countries, for the policy pages.

Seed after ``tests.dashboard.helpers.seed_places``. Country number ``i`` (0 to
7 in ``COUNTRIES`` order) has, in June of every year from 2019 to 2023:

- ICCS 0101: ``20 + i`` incidents, 10 with a firearm; 0501: ``200 + 10 i``
  incidents; section 05 only: 10; UNMAPPED: ``30 i``;
- a population of ``100,000 + 10,000 i`` from 2017 to 2024, 2024 projected.

Saint Lucia (i = 5) also has 2 trafficking incidents (0204) a year, and in
2023 one incident of 0102, which a naive suppression would leak through the
section 01 total. Its 0501 incidents are split over stations CAS, GRI and
VFT (150, 80, 20) in parishes LC-04, LC-06 and LC-11, and it has victims by
sex, age band and relationship.
"""

from __future__ import annotations

from sqlalchemy import insert, update

from data_access.ingest.rollups import rebuild_summed_rollups
from data_access.schema import population, rollup_monthly, rollup_relationship, station

COUNTRIES = ("ATG", "BRB", "GRD", "GUY", "KNA", "LCA", "VCT", "SUR")
YEARS = range(2019, 2024)
LCA_STATIONS = {1: "LC-04", 2: "LC-06", 3: "LC-11"}
LCA_PARISHES = {"LC-04": 70_000, "LC-06": 30_000, "LC-11": 20_000}
AGE_SHARES = {
    "0-9": 0.14,
    "10-14": 0.075,
    "15-17": 0.045,
    "18-24": 0.105,
    "25-29": 0.08,
    "30-44": 0.2,
    "45-59": 0.19,
    "60+": 0.165,
}


def country_population(index: int) -> int:
    """Return the population of country number ``index``."""
    return 100_000 + 10_000 * index


def incidents_of(index: int, year: int) -> dict[str, int]:
    """Return the incidents by ICCS code of country ``index`` in ``year``."""
    counts = {
        "0101": 20 + index,
        "0501": 200 + 10 * index,
        "05": 10,
        "UNMAPPED": 30 * index,
    }
    if COUNTRIES[index] == "LCA":
        counts["0204"] = 2
        if year == 2023:
            counts["0102"] = 1
    return counts


def _row(country, station_id, month, code, **values) -> dict:
    row = {
        "country_code": country,
        "station_id": station_id,
        "basis": "occurred",
        "month": month,
        "iccs_code": code,
        "attempted": False,
        "person_role": "all",
        "sex": "all",
        "age_band": "all",
        "incidents": 0,
        "offences": 0,
        "persons": 0,
        "firearm_incidents": 0,
    }
    row.update(values)
    return row


def _rollup_rows() -> list[dict]:
    rows = []
    for index, country in enumerate(COUNTRIES):
        station_id = 1 if country == "LCA" else 0
        for year in YEARS:
            month = year * 100 + 6
            for code, count in incidents_of(index, year).items():
                firearms = 10 if code == "0101" else 0
                if country == "LCA" and code == "0501":
                    for sid, part in ((1, 150), (2, 80), (3, 20)):
                        rows.append(_row(country, sid, month, code, incidents=part))
                    continue
                rows.append(
                    _row(
                        country,
                        station_id,
                        month,
                        code,
                        incidents=count,
                        offences=count,
                        firearm_incidents=firearms,
                    )
                )
            if country == "LCA":
                rows += _lca_people(month)
    return rows


def _lca_people(month: int) -> list[dict]:
    people = [
        ("0101", "M", "18-24", 15),
        ("0101", "F", "25-29", 2),
        ("0204", "F", "18-24", 2),
        ("0501", "M", "30-44", 60),
        ("0501", "F", "45-59", 40),
    ]
    rows = [
        _row(
            "LCA",
            1,
            month,
            code,
            person_role="victim",
            sex=sex,
            age_band=age,
            persons=n,
        )
        for code, sex, age, n in people
    ]
    rows.append(
        _row(
            "LCA",
            1,
            month,
            "0501",
            person_role="suspect",
            sex="M",
            age_band="18-24",
            persons=30,
        )
    )
    return rows


def _relationship_rows() -> list[dict]:
    rows = []
    for year in YEARS:
        for relationship, sex, victims in (
            ("intimate_partner", "F", 12),
            ("family", "M", 5),
            ("unknown", "M", 40),
        ):
            rows.append(
                {
                    "country_code": "LCA",
                    "station_id": 1,
                    "basis": "occurred",
                    "month": year * 100 + 6,
                    "iccs_code": "0501",
                    "attempted": False,
                    "relationship": relationship,
                    "sex": sex,
                    "victims": victims,
                }
            )
    return rows


def _population_rows() -> list[dict]:
    rows = []
    for index, country in enumerate(COUNTRIES):
        total = country_population(index)
        for year in range(2017, 2025):
            base = {
                "country_code": country,
                "area_type": "country",
                "area_code": country,
                "year": year,
                "is_estimate": year == 2024,
                "source": "World Bank WDI SP.POP.TOTL (test figures)",
            }
            rows.append(base | {"sex": "all", "age_band": "all", "population": total})
            if country != "LCA":
                continue
            for sex in ("M", "F"):
                rows.append(
                    base | {"sex": sex, "age_band": "all", "population": total / 2}
                )
            for band, share in AGE_SHARES.items():
                rows.append(
                    base | {"sex": "all", "age_band": band, "population": total * share}
                )
                for sex in ("M", "F"):
                    rows.append(
                        base
                        | {
                            "sex": sex,
                            "age_band": band,
                            "population": total * share / 2,
                        }
                    )
            for code, people in LCA_PARISHES.items():
                rows.append(
                    base
                    | {
                        "area_type": "admin_area",
                        "area_code": code,
                        "sex": "all",
                        "age_band": "all",
                        "population": people,
                    }
                )
    return rows


def seed_policy(engine) -> None:
    """Insert the rollups, relationships and populations described above.

    The country-wide and yearly sums are then built from every monthly row,
    those of ``seed_places`` included, as an import builds them.
    """
    with engine.begin() as connection:
        connection.execute(insert(rollup_monthly), _rollup_rows())
        connection.execute(insert(rollup_relationship), _relationship_rows())
        connection.execute(insert(population), _population_rows())
        for station_id, area in LCA_STATIONS.items():
            connection.execute(
                update(station)
                .where(station.c.id == station_id)
                .values(admin_area_code=area)
            )
        for code in COUNTRIES:
            rebuild_summed_rollups(connection, code)
