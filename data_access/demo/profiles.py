"""Fixed parameters of the demo: countries, kinds of incident and their patterns.

Shares, profiles and rates here are demo assumptions chosen to look like recorded
crime in small Caribbean states. They are not measurements. Only homicide counts
are calibrated to published figures (see ``calibration``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CountryProfile:
    """The look of one country's records in the demo.

    Attributes
    ----------
    style
        Export layout, one of ``exports.STYLES``.
    code_style
        Format of national offence codes (see ``offences.offence_table``).
    recorded_per_1000
        Recorded incidents other than homicide per 1,000 people a year.
    carnival_month
        Month of the main festival, when violence rises.
    firearm_share
        Share of homicides committed with a firearm.
    male_victim_share
        Share of homicide victims who are male.
    late_start
        A station that began recording in the system late, and the first day of
        its records; ``None`` if every station records from the start.
    """

    code: str
    style: str
    code_style: str
    recorded_per_1000: float
    carnival_month: int
    firearm_share: float
    male_victim_share: float
    late_start: tuple[str, str] | None = None


COUNTRIES = (
    CountryProfile("ATG", "columns_month_first", "numbered", 21, 8, 0.62, 0.84),
    CountryProfile("BRB", "split_date", "section", 14, 8, 0.70, 0.86),
    CountryProfile("GRD", "rms", "digits", 17, 8, 0.60, 0.83),
    CountryProfile(
        "GUY", "split_date", "section", 13, 2, 0.66, 0.87, ("GYPT-02", "2017-01-01")
    ),
    CountryProfile("KNA", "split_date", "numbered", 21, 12, 0.78, 0.90),
    CountryProfile(
        "LCA", "rms", "digits", 18, 7, 0.72, 0.88, ("LC08-01", "2016-04-01")
    ),
    CountryProfile("SUR", "columns_day_first", "digits", 10, 12, 0.60, 0.82),
    CountryProfile("VCT", "rms", "numbered", 19, 7, 0.68, 0.86),
)

# Share of each kind among recorded incidents other than homicide and attempted
# murder. Theft and burglary lead, as in police records across the region.
KIND_SHARES = {
    "theft": 0.30,
    "burglary": 0.17,
    "assault": 0.15,
    "threat": 0.06,
    "robbery": 0.055,
    "drugs": 0.07,
    "damage": 0.06,
    "sexual": 0.02,
    "fraud": 0.03,
    "weapons": 0.015,
    "public_order": 0.03,
    "other": 0.01,
    "excluded": 0.03,
    "pending": 0.008,
    "retired": 0.004,
}
# Attempted murders per homicide.
ATTEMPTS_PER_HOMICIDE = 1.3

VIOLENCE = ("homicide", "attempted_murder", "assault", "threat", "robbery", "sexual")
POLICE_INITIATED = ("drugs", "weapons", "public_order")
PROPERTY_WINDOW_SHARE = {"burglary": 0.6, "theft": 0.45, "damage": 0.4, "fraud": 0.3}


def rows_by_kind(kinds: np.ndarray) -> dict[str, np.ndarray]:
    """Return the row positions of each kind, kinds in sorted order."""
    groups = pd.Series(kinds).groupby(kinds, sort=True).indices
    return {kind: np.asarray(rows) for kind, rows in groups.items()}


def timing_group(kind: str) -> str:
    """Return the seasonal pattern a kind follows: violence, police or property."""
    if kind in VIOLENCE:
        return "violence"
    if kind in POLICE_INITIATED:
        return "police"
    return "property"


# Relative frequency by month (January first) and by weekday (Monday first).
MONTH_FACTORS = {
    "property": (0.95, 0.9, 0.95, 0.95, 1.0, 0.95, 1.0, 1.05, 1.0, 1.0, 1.05, 1.2),
    "violence": (1.0, 0.95, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 0.95, 0.95, 1.0, 1.15),
    "police": (1.0, 1.0, 1.05, 1.0, 1.0, 0.95, 0.95, 1.0, 1.0, 1.0, 1.0, 1.05),
}
WEEKDAY_FACTORS = {
    "property": (1.05, 1.0, 1.0, 1.0, 1.05, 0.95, 0.85),
    "violence": (0.85, 0.8, 0.85, 0.9, 1.15, 1.35, 1.2),
    "police": (1.0, 1.05, 1.05, 1.05, 1.1, 1.0, 0.8),
}
CARNIVAL_FACTOR = 1.25
# Lockdown months of 2020 (late March to June) cut recorded crime.
LOCKDOWN = ("2020-03-23", "2020-06-30")
LOCKDOWN_FACTORS = {"property": 0.65, "violence": 0.8, "police": 0.7}

# Relative frequency by hour of day, midnight first.
HOUR_PROFILES = {
    "violence": (
        6,
        5,
        4,
        3,
        2,
        1.5,
        1.5,
        2,
        2.5,
        3,
        3.5,
        4,
        4.5,
        4.5,
        5,
        5.5,
        6,
        7,
        8,
        9,
        9.5,
        9,
        8,
        7,
    ),
    "burglary": (
        5,
        5,
        4.5,
        4,
        3,
        2.5,
        2.5,
        3,
        4,
        5,
        5.5,
        5.5,
        5,
        5,
        5,
        4.5,
        4,
        3.5,
        3.5,
        3.5,
        4,
        4,
        4.5,
        5,
    ),
    "daytime": (
        2,
        1.5,
        1,
        1,
        1,
        1,
        1.5,
        3,
        5,
        6,
        7,
        7,
        7,
        7,
        7,
        7,
        7,
        6.5,
        6,
        5,
        4,
        3.5,
        3,
        2.5,
    ),
    "robbery": (
        6,
        5,
        4,
        3,
        2,
        1.5,
        1,
        1.5,
        2,
        2.5,
        3,
        3.5,
        4,
        4,
        4,
        4.5,
        5,
        6,
        7,
        8,
        8.5,
        8,
        7.5,
        7,
    ),
    "police": (
        3,
        2,
        1.5,
        1,
        1,
        1,
        1,
        1.5,
        3,
        5,
        6,
        6,
        6,
        6,
        6,
        6,
        6,
        6,
        6,
        6,
        5.5,
        5,
        4.5,
        4,
    ),
}


def hour_profile(kind: str) -> np.ndarray:
    """Return the probabilities of each hour of the day for a kind."""
    if kind in ("homicide", "attempted_murder", "assault", "threat", "sexual"):
        name = "violence"
    elif kind in ("burglary", "robbery"):
        name = kind
    elif kind in POLICE_INITIATED:
        name = "police"
    else:
        name = "daytime"
    weights = np.asarray(HOUR_PROFILES[name], dtype=float)
    return weights / weights.sum()


# Location types by kind, with probabilities; other kinds use DEFAULT_LOCATIONS.
LOCATIONS = {
    "burglary": {"Residence": 0.75, "Commercial premises": 0.2, "School": 0.05},
    "assault": {"Residence": 0.35, "Street": 0.35, "Bar": 0.15, "Other": 0.15},
    "threat": {"Residence": 0.45, "Street": 0.35, "Other": 0.2},
    "homicide": {"Street": 0.45, "Residence": 0.3, "Bar": 0.1, "Bushland": 0.15},
    "attempted_murder": {"Street": 0.55, "Residence": 0.25, "Bar": 0.2},
    "theft": {
        "Street": 0.3,
        "Residence": 0.25,
        "Commercial premises": 0.25,
        "Vehicle": 0.1,
        "Beach": 0.05,
        "Farm": 0.05,
    },
    "robbery": {"Street": 0.55, "Commercial premises": 0.35, "Residence": 0.1},
    "drugs": {"Street": 0.6, "Residence": 0.2, "Vehicle": 0.1, "Other": 0.1},
    "sexual": {"Residence": 0.7, "Other": 0.3},
}
DEFAULT_LOCATIONS = {
    "Street": 0.4,
    "Residence": 0.3,
    "Commercial premises": 0.2,
    "Other": 0.1,
}

# Weapons by kind other than homicide, with probabilities. "" means no weapon
# recorded.
WEAPONS = {
    "attempted_murder": {"Firearm": 0.7, "Cutlass": 0.15, "Knife": 0.15},
    "robbery": {"Firearm": 0.3, "Cutlass": 0.15, "Knife": 0.2, "": 0.35},
    "assault": {
        "Cutlass": 0.18,
        "Knife": 0.15,
        "Bottle": 0.08,
        "Stone": 0.07,
        "Firearm": 0.03,
        "": 0.49,
    },
    "weapons": {"Firearm": 0.6, "Knife": 0.2, "Cutlass": 0.2},
}
# Weapons of homicides not committed with a firearm.
OTHER_HOMICIDE_WEAPONS = {"Cutlass": 0.45, "Knife": 0.35, "Blunt instrument": 0.2}
# Words the exports use for a firearm.
FIREARM_WORDS = {"Firearm": 0.6, "Gun": 0.2, "Pistol": 0.15, "Shotgun": 0.05}

# Share of incidents solved (detected), by kind; other kinds use 0.3.
DETECTION = {
    "homicide": 0.45,
    "attempted_murder": 0.35,
    "assault": 0.55,
    "threat": 0.5,
    "sexual": 0.4,
    "robbery": 0.2,
    "burglary": 0.12,
    "theft": 0.1,
    "drugs": 0.95,
    "weapons": 0.9,
    "public_order": 0.9,
}
