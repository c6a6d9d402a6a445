"""Generation of one country's ten years of demo incidents.

The result is one row per incident with plain values: times, points, and codes and
people as export text. ``exports`` writes it in the country's export layout.
Everything is drawn from one random generator seeded by the seed and the country,
so the same seed gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from data_access.demo import profiles
from data_access.demo.calibration import HomicideTarget
from data_access.demo.details import add_details
from data_access.demo.offences import ATTEMPTED_MURDER, HOMICIDE, OffenceTable
from data_access.demo.places import StationArea, points_inside, points_near
from data_access.demo.profiles import rows_by_kind

FIRST_DAY, LAST_DAY = "2015-01-01", "2024-12-31"
# Share of a station's incidents at its persistent hot spot, when it has one.
HOT_SPOT_SHARE = 0.25
UNIFORM_SHARE = 0.2
HOT_SPOT_SPREAD = 120.0  # metres
# Emerging hot spots start here and grow until the end of 2024.
EMERGING_START = "2023-07-01"
EMERGING_MIX = {"robbery": 0.3, "theft": 0.3, "assault": 0.25, "drugs": 0.15}
# Near-repeat burglaries: share of burglaries followed by another one nearby.
NEAR_REPEAT_SHARE = 0.12
NEAR_REPEAT_METRES = 200.0
NEAR_REPEAT_DAYS = 14


@dataclass(frozen=True)
class CountryInputs:
    """Inputs of the generator for one country."""

    profile: profiles.CountryProfile
    index: int
    stations: list[StationArea]
    offences: OffenceTable
    homicides: list[HomicideTarget]
    population_by_year: dict[int, float]


def generate_country(inputs: CountryInputs, seed: int, scale: float) -> pd.DataFrame:
    """Return one country's incidents, 2015 to 2024, sorted by source id.

    ``scale`` multiplies every volume except homicides, which always follow the
    published rates in full.
    """
    rng = np.random.default_rng([seed, inputs.index])
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    weights = _station_weights(rng, inputs.stations)
    trend = _year_trend(rng)

    frames = [
        _homicides(rng, inputs, days, weights),
        _attempted_murders(rng, inputs, days, weights, scale),
        _other_kinds(rng, inputs, days, weights, trend, scale),
    ]
    rows = pd.concat(frames, ignore_index=True)
    rows = _drop_before_late_start(rng, inputs, rows, weights)
    rows["lon"], rows["lat"] = _locate(rng, inputs.stations, rows)
    rows = pd.concat(
        [rows, _emerging_hot_spots(rng, inputs, rows, days)], ignore_index=True
    )
    rows = _add_times(rng, rows)
    repeats = _near_repeats(rng, inputs, rows)
    if len(repeats):
        rows = pd.concat([rows, repeats], ignore_index=True)
    return _finish(rng, inputs, rows)


def _station_weights(rng, stations) -> dict[str, np.ndarray]:
    """Return the chance of each station, for violence and for other kinds."""
    population = np.array([station.population for station in stations])
    level = rng.lognormal(0, 0.4, len(stations))
    other = population * level
    violence = population * level**1.5
    return {"violence": violence / violence.sum(), "other": other / other.sum()}


def _year_trend(rng) -> np.ndarray:
    """Return a factor per year, 2015 first: a gentle trend with noise."""
    slope = rng.normal(0, 0.025)
    years = np.arange(10)
    return (1 + slope) ** years * rng.normal(1, 0.03, 10)


def _daily_weights(inputs, days, group: str, trend=None) -> np.ndarray:
    """Return the expected share of a year's incidents falling on each day.

    The weights of each year sum to that year's trend factor (one without a
    trend), except 2020, which loses the lockdown months.
    """
    month = np.asarray(profiles.MONTH_FACTORS[group])[days.month - 1]
    weekday = np.asarray(profiles.WEEKDAY_FACTORS[group])[days.day_of_week]
    weight = month * weekday
    if group == "violence":
        carnival = days.month == inputs.profile.carnival_month
        weight = weight * np.where(carnival, profiles.CARNIVAL_FACTOR, 1.0)
    year = days.year - days.year[0]
    weight = weight / pd.Series(weight).groupby(year).transform("sum").to_numpy()
    if trend is not None:
        weight = weight * trend[year]
    start, end = profiles.LOCKDOWN
    lockdown = (days >= start) & (days <= end)
    return weight * np.where(lockdown, profiles.LOCKDOWN_FACTORS[group], 1.0)


def _frame(kind, day_index, station_index, stations) -> pd.DataFrame:
    codes = np.array([station.code for station in stations], dtype=object)
    return pd.DataFrame(
        {
            "kind": kind,
            "day": day_index,
            "station": codes[station_index],
            "hot_spot": -1,
        }
    )


def _homicides(rng, inputs, days, weights) -> pd.DataFrame:
    daily = _daily_weights(inputs, days, "violence")
    parts = []
    for target in inputs.homicides:
        in_year = np.flatnonzero(days.year == target.year)
        p = daily[in_year] / daily[in_year].sum()
        day_index = in_year[rng.choice(len(in_year), target.count, p=p)]
        station_index = rng.choice(
            len(inputs.stations), target.count, p=weights["violence"]
        )
        parts.append(_frame(HOMICIDE, day_index, station_index, inputs.stations))
    return pd.concat(parts, ignore_index=True)


def _attempted_murders(rng, inputs, days, weights, scale) -> pd.DataFrame:
    daily = _daily_weights(inputs, days, "violence")
    expected = sum(target.count for target in inputs.homicides)
    count = rng.poisson(expected * profiles.ATTEMPTS_PER_HOMICIDE * scale)
    day_index = rng.choice(len(days), count, p=daily / daily.sum())
    station_index = rng.choice(len(inputs.stations), count, p=weights["violence"])
    return _frame(ATTEMPTED_MURDER, day_index, station_index, inputs.stations)


def _other_kinds(rng, inputs, days, weights, trend, scale) -> pd.DataFrame:
    population = np.array([inputs.population_by_year[y] for y in days.year])
    per_person = inputs.profile.recorded_per_1000 / 1000 * scale
    parts = []
    for kind, share in profiles.KIND_SHARES.items():
        group = profiles.timing_group(kind)
        daily = _daily_weights(inputs, days, group, trend) * population
        count = rng.poisson(daily.sum() * per_person * share)
        day_index = rng.choice(len(days), count, p=daily / daily.sum())
        key = "violence" if group == "violence" else "other"
        station_index = rng.choice(len(inputs.stations), count, p=weights[key])
        parts.append(_frame(kind, day_index, station_index, inputs.stations))
    return pd.concat(parts, ignore_index=True)


def _drop_before_late_start(rng, inputs, rows, weights) -> pd.DataFrame:
    """Remove a late-starting station's records before its start.

    Homicides and attempted murders there move to other stations instead, so the
    national homicide count stays calibrated.
    """
    if inputs.profile.late_start is None:
        return rows
    code, start = inputs.profile.late_start
    start_day = (pd.Timestamp(start) - pd.Timestamp(FIRST_DAY)).days
    before = (rows["station"] == code) & (rows["day"] < start_day)
    deaths = before & rows["kind"].isin([HOMICIDE, ATTEMPTED_MURDER])
    others = [s.code for s in inputs.stations if s.code != code]
    p = np.array(
        [
            w
            for s, w in zip(inputs.stations, weights["violence"], strict=True)
            if s.code != code
        ]
    )
    rows.loc[deaths, "station"] = rng.choice(others, int(deaths.sum()), p=p / p.sum())
    return rows[~(before & ~deaths)].reset_index(drop=True)


def _hot_spots(rng, stations: list[StationArea], count: int, skip=()) -> dict:
    """Return hot-spot centres keyed by station index, at the busiest stations."""
    order = np.argsort([-s.population for s in stations], kind="stable")
    chosen = [i for i in order if i not in skip][:count]
    centres = {}
    for index in chosen:
        station = stations[index]
        lon, lat = points_near(
            rng, station, station.lon, station.lat, station.town_spread / 2, 1
        )
        centres[int(index)] = (float(lon[0]), float(lat[0]))
    return centres


def _locate(rng, stations, rows) -> tuple[np.ndarray, np.ndarray]:
    """Return a point inside the station area for each row.

    A row falls at the station's persistent hot spot, uniformly in the area, or
    around the station (the town), with shares set by the module constants.
    """
    persistent = _hot_spots(rng, stations, max(2, len(stations) // 15))
    lon = np.full(len(rows), np.nan)
    lat = np.full(len(rows), np.nan)
    index_of = {station.code: i for i, station in enumerate(stations)}
    station_index = rows["station"].map(index_of).to_numpy()
    for index, station in enumerate(stations):
        mine = np.flatnonzero(station_index == index)
        draw = rng.random(len(mine))
        hot_share = HOT_SPOT_SHARE if index in persistent else 0.0
        hot = mine[draw < hot_share]
        uniform = mine[(draw >= hot_share) & (draw < hot_share + UNIFORM_SHARE)]
        town = mine[draw >= hot_share + UNIFORM_SHARE]
        if len(hot):
            centre = persistent[index]
            lon[hot], lat[hot] = points_near(
                rng, station, *centre, HOT_SPOT_SPREAD, len(hot)
            )
        lon[uniform], lat[uniform] = points_inside(rng, station, len(uniform))
        lon[town], lat[town] = points_near(
            rng, station, station.lon, station.lat, station.town_spread, len(town)
        )
    rows.attrs["persistent"] = persistent
    return lon, lat


def _emerging_hot_spots(rng, inputs, rows, days) -> pd.DataFrame:
    """Return extra incidents at hot spots that appear from mid-2023.

    Their monthly count grows from nothing to 60% of the station's usual monthly
    count by the end of 2024.
    """
    stations = inputs.stations
    count = 2 if len(stations) > 50 else 1
    centres = _hot_spots(rng, stations, count, skip=rows.attrs["persistent"])
    start = int(np.searchsorted(days, pd.Timestamp(EMERGING_START)))
    span = len(days) - start
    parts = []
    for index, (lon, lat) in centres.items():
        station = stations[index]
        usual = (rows["station"] == station.code).sum() / 120
        total = rng.poisson(0.6 * usual * (span / 30.4) / 2)
        # Growing linearly: the day offset follows a triangular distribution.
        day_index = start + np.floor(rng.triangular(0, span, span, total)).astype(int)
        kinds = rng.choice(list(EMERGING_MIX), total, p=list(EMERGING_MIX.values()))
        frame = pd.DataFrame(
            {
                "kind": kinds,
                "day": day_index,
                "station": station.code,
                "hot_spot": index,
            }
        )
        frame["lon"], frame["lat"] = points_near(
            rng, station, lon, lat, HOT_SPOT_SPREAD, total
        )
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _clock_minutes(rng, kinds: np.ndarray) -> np.ndarray:
    """Return the minute of the day of each row, by its kind's hour profile."""
    minutes = np.zeros(len(kinds), dtype=np.int64)
    for kind, rows in rows_by_kind(kinds).items():
        hours = rng.choice(24, len(rows), p=profiles.hour_profile(kind))
        minute = rng.integers(0, 60, len(rows))
        # Officers often write a round hour.
        minute[rng.random(len(rows)) < 0.3] = 0
        minutes[rows] = hours * 60 + minute
    return minutes


def _add_times(rng, rows) -> pd.DataFrame:
    """Add occurred_from and, for property crime, occurred_to."""
    minutes = _clock_minutes(rng, rows["kind"].to_numpy())
    start = np.datetime64(FIRST_DAY, "m")
    rows["occurred_from"] = start + (rows["day"].to_numpy() * 1440 + minutes).astype(
        "timedelta64[m]"
    )
    window_share = rows["kind"].map(profiles.PROPERTY_WINDOW_SHARE).fillna(0)
    has_window = rng.random(len(rows)) < window_share.to_numpy()
    length = np.clip(rng.exponential(540, len(rows)), 30, 7200).astype(int)
    rows["occurred_to"] = np.where(
        has_window,
        rows["occurred_from"].to_numpy() + length.astype("timedelta64[m]"),
        np.datetime64("NaT"),
    )
    return rows


def _near_repeats(rng, inputs, rows) -> pd.DataFrame:
    """Return follow-up burglaries within 200 m and 14 days of earlier ones."""
    burglaries = rows[rows["kind"] == "burglary"]
    origins = burglaries[rng.random(len(burglaries)) < NEAR_REPEAT_SHARE]
    stations = {station.code: station for station in inputs.stations}
    parts = []
    for code, group in origins.groupby("station"):
        station = stations[code]
        count = len(group)
        distance = NEAR_REPEAT_METRES * np.sqrt(rng.random(count))
        angle = rng.uniform(0, 2 * np.pi, count)
        dx, dy = station.to_degrees(distance * np.cos(angle), distance * np.sin(angle))
        lon = np.round(group["lon"].to_numpy() + dx, 5)
        lat = np.round(group["lat"].to_numpy() + dy, 5)
        inside = shapely.contains_xy(station.area, lon, lat)
        lon = np.where(inside, lon, group["lon"])
        lat = np.where(inside, lat, group["lat"])
        delay = rng.integers(1, NEAR_REPEAT_DAYS + 1, count) * 1440
        delay = delay + rng.integers(-180, 180, count)
        follow = group["occurred_from"].to_numpy() + delay.astype("timedelta64[m]")
        parts.append(
            pd.DataFrame(
                {
                    "kind": "burglary",
                    "station": code,
                    "hot_spot": -1,
                    "lon": lon,
                    "lat": lat,
                    "occurred_from": follow,
                    "occurred_to": np.datetime64("NaT"),
                }
            )
        )
    if not parts:
        return rows.iloc[:0]
    repeats = pd.concat(parts, ignore_index=True)
    last = np.datetime64(LAST_DAY) + np.timedelta64(1, "D")
    return repeats[repeats["occurred_from"] < last]


def _finish(rng, inputs, rows) -> pd.DataFrame:
    """Add reporting times, people, offences, faults and source ids."""
    rows = rows.sort_values(["occurred_from", "station", "kind"], kind="stable")
    rows = rows.reset_index(drop=True)
    return add_details(rng, inputs, rows)
