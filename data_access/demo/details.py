"""Details of demo incidents: reporting times, people, offences and faults."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.demo import profiles
from data_access.demo.offences import ATTEMPTED_MURDER, HOMICIDE
from data_access.demo.people import draw_people
from data_access.demo.profiles import rows_by_kind

# Separator of lists inside one cell; the exporter swaps in the layout's own.
LIST_SEPARATOR = ";"
# Chance that an offence is recorded as an attempt, by kind.
ATTEMPT_SHARE = {"burglary": 0.1, "theft": 0.03, "robbery": 0.06, ATTEMPTED_MURDER: 1}
# A second offence recorded with the first: kind of the second and its chance.
SECOND_OFFENCES = {
    "burglary": ("damage", 0.15),
    "assault": ("threat", 0.1),
    "drugs": ("weapons", 0.03),
}
# Second offence of firearm homicides and robberies: unlicensed firearm.
FIREARM_SECOND_SHARE = {HOMICIDE: 0.25, "robbery": 0.1, ATTEMPTED_MURDER: 0.2}
LAST_MOMENT = np.datetime64("2024-12-31T23:59")
# Data-quality faults: per-station rates are drawn from these ranges.
MISSING_POINT_RANGE = (0.035, 0.075)
MISSING_AGE_RANGE = (0.03, 0.12)
LATE_ENTRY_RANGE = (0.003, 0.03)
INVALID_ROW_SHARE = 0.0003
UPDATED_ROW_SHARE = 0.005


def add_details(rng, inputs, rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``rows`` with every export field filled in, faults included."""
    kinds = rows["kind"].to_numpy()
    station_codes = [station.code for station in inputs.stations]
    faults = _station_faults(rng, station_codes, rows["station"])

    _add_reporting(rng, rows, kinds, faults["late"])
    people = draw_people(
        rng,
        kinds,
        inputs.profile.male_victim_share,
        faults["missing_age"],
        LIST_SEPARATOR,
    )
    for name, values in people.items():
        rows[name] = values
    rows["weapon"], firearm = _weapons(rng, kinds, inputs.profile.firearm_share)
    rows["location_type"] = _by_kind(
        rng, kinds, profiles.LOCATIONS, profiles.DEFAULT_LOCATIONS
    )
    rows["status"] = _statuses(rng, rows, kinds)
    rows["codes"], rows["attempted"] = _offences(rng, inputs.offences, kinds, firearm)
    _remove_points(rng, rows, faults["missing_point"])
    rows["invalid"] = _invalid_rows(rng, kinds)
    rows = _assign_source_ids(rows)
    return pd.concat([rows, _updated_copies(rng, rows)], ignore_index=True)


def _station_faults(rng, station_codes, stations: pd.Series) -> dict[str, np.ndarray]:
    """Return per-row fault rates drawn once per station."""
    index = stations.map({code: i for i, code in enumerate(station_codes)}).to_numpy()
    count = len(station_codes)
    return {
        "missing_point": rng.uniform(*MISSING_POINT_RANGE, count)[index],
        "missing_age": rng.uniform(*MISSING_AGE_RANGE, count)[index],
        "late": rng.uniform(*LATE_ENTRY_RANGE, count)[index],
    }


def _minutes(values) -> np.ndarray:
    return np.asarray(values).astype(int).astype("timedelta64[m]")


def _add_reporting(rng, rows, kinds, late_rate) -> None:
    """Add reported_at, recorded_at and last_modified."""
    count = len(rows)
    end = rows["occurred_to"].fillna(rows["occurred_from"]).to_numpy()
    police = np.isin(kinds, profiles.POLICE_INITIATED)
    violence = np.isin(kinds, profiles.VIOLENCE)
    delay = np.where(
        police,
        rng.uniform(0, 30, count),
        np.where(violence, rng.exponential(120, count), rng.exponential(600, count)),
    )
    # Some victims come forward days or weeks later.
    slow = rng.random(count) < np.where(kinds == "sexual", 0.3, 0.04)
    delay = np.where(slow, rng.exponential(7 * 1440, count), delay)
    reported = end + _minutes(delay)

    entry = rng.exponential(180, count)
    late = rng.random(count) < late_rate
    entry = np.where(late, rng.uniform(31, 150, count) * 1440, entry)
    recorded = reported + _minutes(entry)
    rows["reported_at"] = reported
    rows["recorded_at"] = recorded
    rows["last_modified"] = recorded + _minutes(rng.exponential(30 * 1440, count))


def _choose(rng, options: dict[str, float], count: int) -> np.ndarray:
    labels = np.array(list(options), dtype=object)
    weights = np.array(list(options.values()), dtype=float)
    return labels[rng.choice(len(labels), count, p=weights / weights.sum())]


def _by_kind(rng, kinds, table: dict, default: dict) -> np.ndarray:
    result = np.full(len(kinds), "", dtype=object)
    for kind, rows in rows_by_kind(kinds).items():
        result[rows] = _choose(rng, table.get(kind, default), len(rows))
    return result


def _weapons(rng, kinds, firearm_share: float):
    """Return the weapon text of each row and whether it is a firearm."""
    weapon = _by_kind(rng, kinds, profiles.WEAPONS, {"": 1.0})
    homicide = np.flatnonzero(kinds == HOMICIDE)
    # Exactly the country's share, since a small country has few homicides a year.
    shot = rng.permutation(len(homicide)) < round(firearm_share * len(homicide))
    weapon[homicide] = np.where(
        shot, "Firearm", _choose(rng, profiles.OTHER_HOMICIDE_WEAPONS, len(homicide))
    )
    firearm = weapon == "Firearm"
    weapon[firearm] = _choose(rng, profiles.FIREARM_WORDS, int(firearm.sum()))
    return weapon, firearm


def _statuses(rng, rows, kinds) -> np.ndarray:
    share = pd.Series(kinds).map(profiles.DETECTION).fillna(0.3).to_numpy()
    detected = rng.random(len(kinds)) < share
    recent = rows["occurred_from"].to_numpy() > LAST_MOMENT - np.timedelta64(60, "D")
    return np.where(
        detected,
        "Closed - detected",
        np.where(recent, "Under investigation", "Open - undetected"),
    )


def _pick_codes(rng, offences, kinds, code_kind: str, rows) -> np.ndarray:
    table = offences.of_kind(code_kind)
    picks = rng.choice(len(table), len(rows), p=table["weight"].to_numpy())
    return table["national_code"].to_numpy()[picks]


def _offences(rng, offences, kinds, firearm):
    """Return the offence-code list and attempted flags of each row."""
    codes = np.full(len(kinds), "", dtype=object)
    for kind, rows in rows_by_kind(kinds).items():
        codes[rows] = _pick_codes(rng, offences, kinds, kind, rows)
    share = pd.Series(kinds).map(ATTEMPT_SHARE).fillna(0).to_numpy()
    attempted = np.where(rng.random(len(kinds)) < share, "Y", "N").astype(object)

    second = np.full(len(kinds), "", dtype=object)
    for kind, (other_kind, chance) in SECOND_OFFENCES.items():
        rows = np.flatnonzero((kinds == kind) & (rng.random(len(kinds)) < chance))
        second[rows] = _pick_codes(rng, offences, kinds, other_kind, rows)
    firearm_code = offences.codes.loc[
        offences.codes["description"] == "Possession of unlicensed firearm",
        "national_code",
    ].item()
    for kind, chance in FIREARM_SECOND_SHARE.items():
        rows = (kinds == kind) & firearm & (rng.random(len(kinds)) < chance)
        second[rows] = firearm_code

    has_second = second != ""
    codes[has_second] = codes[has_second] + LIST_SEPARATOR + second[has_second]
    attempted[has_second] = attempted[has_second] + LIST_SEPARATOR + "N"
    return codes, attempted


def _remove_points(rng, rows, missing_rate) -> None:
    """Blank or zero the point of some rows, at each station's rate."""
    missing = rng.random(len(rows)) < missing_rate
    zero = missing & (rng.random(len(rows)) < 0.15)
    rows.loc[missing, ["lon", "lat"]] = np.nan
    rows.loc[zero, ["lon", "lat"]] = 0.0


def _invalid_rows(rng, kinds) -> np.ndarray:
    """Mark a few rows whose occurrence date the export will garble."""
    spared = np.isin(kinds, [HOMICIDE, ATTEMPTED_MURDER])
    return (rng.random(len(kinds)) < INVALID_ROW_SHARE) & ~spared


def _assign_source_ids(rows: pd.DataFrame) -> pd.DataFrame:
    """Number incidents within each year, in order of occurrence."""
    year = rows["occurred_from"].dt.year
    rows["year"] = year
    rows["number"] = rows.groupby(year).cumcount() + 1
    return rows


def _updated_copies(rng, rows) -> pd.DataFrame:
    """Return later versions of a few rows, as exports repeat edited records."""
    chosen = rows[(rng.random(len(rows)) < UPDATED_ROW_SHARE) & ~rows["invalid"]]
    copies = chosen.copy()
    copies["status"] = "Closed - detected"
    later = _minutes(rng.uniform(5, 60, len(copies)) * 1440)
    copies["last_modified"] = copies["last_modified"].to_numpy() + later
    return copies
