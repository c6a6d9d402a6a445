"""Populations and homicide targets that calibrate the demo to published figures.

Homicides are not drawn at random: each country and year gets exactly
``round(rate * population / 100_000)`` murders, where ``rate`` is the UNODC
intentional homicide rate. Small countries have about ten homicides a year, where
Poisson noise alone would miss the published rate by 30%.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

YEARS = tuple(range(2015, 2025))
HOMICIDE_FILE = Path("stats") / "homicide_rate_unodc_owid_caribbean.csv"


@dataclass(frozen=True)
class HomicideTarget:
    """The homicide count generated for one country and year.

    Attributes
    ----------
    rate
        Published rate per 100,000 used, from ``rate_year``: the same year when
        UNODC published one, else the nearest published year (the earlier one on a
        tie).
    """

    country_code: str
    year: int
    population: float
    rate: float
    rate_year: int
    count: int


def read_populations(geodata_dir: Path) -> dict[tuple[str, str, int], float]:
    """Return total population by (area type, area code, year) from population.csv."""
    result = {}
    with (geodata_dir / "population.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["area_type"], row["area_code"], int(row["year"]))
            result[key] = float(row["population"])
    return result


def published_rates(geodata_dir: Path) -> dict[tuple[str, int], float]:
    """Return the UNODC homicide rate per 100,000 by (country code, year)."""
    with (geodata_dir / HOMICIDE_FILE).open(newline="", encoding="utf-8") as f:
        return {
            (row["iso3"], int(row["year"])): float(row["homicide_rate_per_100k"])
            for row in csv.DictReader(f)
        }


def homicide_targets(
    geodata_dir: Path, countries: tuple[str, ...]
) -> list[HomicideTarget]:
    """Return the homicide count of each country and year, 2015 to 2024."""
    populations = read_populations(geodata_dir)
    rates = published_rates(geodata_dir)
    targets = []
    for code in countries:
        published = sorted(year for country, year in rates if country == code)
        for year in YEARS:
            rate_year = min(published, key=lambda y: (abs(y - year), y))
            rate = rates[(code, rate_year)]
            people = populations[("country", code, year)]
            count = round(rate * people / 100_000)
            targets.append(HomicideTarget(code, year, people, rate, rate_year, count))
    return targets
