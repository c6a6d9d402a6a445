"""Vectorised parsing of export columns, each returning values and a mask of bad cells.

Every parser takes a Series of text cells (an empty string means missing) and
returns the parsed values with a boolean Series that is True where a non-empty cell
could not be parsed. The caller turns those cells into quarantine entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.ingest.fixed_width import parse_fixed_width

# Formats tried in order for text dates, by the order the source map declares. ISO
# forms are unambiguous, so they are accepted whatever the declared order. Each
# format carries the precision it gives: minute, day or month.
_ISO_FORMATS = (
    ("%Y-%m-%d %H:%M:%S", "minute"),
    ("%Y-%m-%d %H:%M", "minute"),
    ("%Y-%m-%dT%H:%M:%S", "minute"),
    ("%Y-%m-%dT%H:%M", "minute"),
    ("%Y-%m-%d %H:%M:%S.%f", "minute"),
    ("%Y-%m-%d", "day"),
    ("%Y/%m/%d %H:%M:%S", "minute"),
    ("%Y/%m/%d %H:%M", "minute"),
    ("%Y/%m/%d", "day"),
    ("%Y-%m", "month"),
)
_ORDERED_FORMATS = {
    "day_first": (
        ("%d/%m/%Y %H:%M:%S", "minute"),
        ("%d/%m/%Y %H:%M", "minute"),
        ("%d/%m/%Y", "day"),
        ("%d-%m-%Y %H:%M:%S", "minute"),
        ("%d-%m-%Y %H:%M", "minute"),
        ("%d-%m-%Y", "day"),
        ("%d.%m.%Y %H:%M", "minute"),
        ("%d.%m.%Y", "day"),
    ),
    "month_first": (
        ("%m/%d/%Y %H:%M:%S", "minute"),
        ("%m/%d/%Y %H:%M", "minute"),
        ("%m/%d/%Y", "day"),
        ("%m-%d-%Y %H:%M", "minute"),
        ("%m-%d-%Y", "day"),
    ),
    "year_first": (),
}
_OFFSET_FORMATS = ("ISO8601", "%Y/%m/%d %H:%M:%S%z", "%Y/%m/%d %H:%M%z")
# An offset counts only after a time of day, so the "-09" of "2024-03-09" is a day.
_OFFSET_PATTERN = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{2}(?::?\d{2})?|Z)$"
# The end of ``_OFFSET_PATTERN``, which every value with an offset has. pandas 3.1
# runs a pattern with ``\s`` through Python's ``re`` one value at a time, but this
# one through Arrow, so it picks the few values worth the slower search.
_OFFSET_END_PATTERN = r"(?:[+-]\d{2}(?::?\d{2})?|Z)$"
_END_OF_DAY_PATTERN = r"[ T]24:00(?::00)?$"
_SERIAL_PATTERN = r"^\d+(?:\.\d+)?$"

# Excel's day 60 is 1900-02-29, a date that never existed (Excel copied a Lotus
# 1-2-3 leap-year error). Serials below 60 count from 1899-12-31, later ones from
# 1899-12-30.
_EXCEL_MISSING_DAY = 60
_MINUTES_PER_DAY = 1440


@dataclass
class ParsedTimes:
    """Local date-times parsed from a column, with their precision and bad cells."""

    values: pd.Series
    precision: pd.Series
    bad: pd.Series
    reasons: pd.Series


def parse_datetimes(
    cells: pd.Series,
    date_order: str,
    timezone: str,
    excel_serials: bool = False,
) -> ParsedTimes:
    """Parse date or date-time text into naive local times of ``timezone``.

    A value with a UTC offset (``2024-01-31T13:30:00-08:00``) is converted to local
    time. ``24:00`` is midnight at the end of that day. Date-only values have day
    precision and month-only values (``2018-07``) month precision. With
    ``excel_serials``, plain numbers are Excel serial dates rounded to the minute.
    """
    text = cells.astype(str).str.strip()
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    precision = pd.Series("", index=text.index, dtype=object)
    reasons = pd.Series("", index=text.index, dtype=object)
    pending = text != ""

    if excel_serials:
        serial = pending & text.str.match(_SERIAL_PATTERN)
        _parse_serials(text[serial], values, precision, reasons)
        pending &= ~serial

    end_of_day = pending & text.str.contains(_END_OF_DAY_PATTERN, regex=True)
    text = text.where(
        ~end_of_day, text.str.replace(_END_OF_DAY_PATTERN, " 00:00", regex=True)
    )

    with_offset = pending & text.str.contains(_OFFSET_END_PATTERN, regex=True)
    with_offset[with_offset] = text[with_offset].str.contains(_OFFSET_PATTERN)
    _parse_with_offsets(text[with_offset], timezone, values, precision)
    pending &= ~with_offset

    formats = _ORDERED_FORMATS[date_order] + _ISO_FORMATS
    _parse_by_shape(text[pending], formats, values, precision)

    values = values.where(~end_of_day, values + pd.Timedelta(days=1))
    bad = (cells.astype(str).str.strip() != "") & values.isna()
    reasons = reasons.where(reasons != "", _date_reason(date_order))
    return ParsedTimes(values, precision, bad, reasons.where(bad, ""))


def _parse_by_shape(text: pd.Series, formats, values, precision) -> None:
    """Parse each group of values of the same shape with the formats that fit it.

    Values are grouped by shape (digits replaced by 0), so that a format is tried
    only on the groups it can match. Within a group, the formats are tried in the
    declared order, and a value keeps the first format that reads it, so one
    column never mixes day-first and month-first readings.
    """
    # Most exports write a whole column in one format: read that in one pass and
    # group only what it leaves.
    first_format, first_precision = formats[0]
    for date_format, format_precision in formats:
        sample = text.head(1)
        if pd.to_datetime(sample, format=date_format, errors="coerce").notna().all():
            first_format, first_precision = date_format, format_precision
            break
    parsed = parse_fixed_width(text, first_format)
    others = parsed.isna()
    if others.any():
        parsed[others] = pd.to_datetime(
            text[others], format=first_format, errors="coerce"
        )
    found = parsed[parsed.notna()]
    values.loc[found.index] = found.astype("datetime64[us]")
    precision.loc[found.index] = first_precision
    text = text[parsed.isna()]
    if text.empty:
        return

    shapes = text.str.replace(r"\d", "0", regex=True)
    for _, group in text.groupby(shapes, sort=False):
        todo = group
        for date_format, format_precision in formats:
            parsed = pd.to_datetime(todo, format=date_format, errors="coerce")
            found = parsed[parsed.notna()]
            if found.empty:
                continue
            values.loc[found.index] = found.astype("datetime64[us]")
            precision.loc[found.index] = format_precision
            todo = todo[parsed.isna()]
            if todo.empty:
                break


def _date_reason(date_order: str) -> str:
    order = date_order.replace("_", "-")
    return f"not a date or date-time readable as {order} or ISO 8601"


def _parse_serials(text, values, precision, reasons) -> None:
    serial = text.astype(float)
    minutes = np.round(serial * _MINUTES_PER_DAY).astype("int64")
    whole_days = np.floor(serial).astype("int64")
    missing_day = whole_days == _EXCEL_MISSING_DAY
    epoch = np.where(
        whole_days < _EXCEL_MISSING_DAY,
        np.datetime64("1899-12-31T00:00", "m"),
        np.datetime64("1899-12-30T00:00", "m"),
    )
    parsed = pd.Series(
        epoch + minutes.to_numpy().astype("timedelta64[m]"), index=text.index
    ).astype("datetime64[us]")
    keep = ~missing_day
    values.loc[keep[keep].index] = parsed[keep]
    is_whole = serial == whole_days
    precision.loc[text.index] = np.where(is_whole, "day", "minute")
    reasons.loc[missing_day[missing_day].index] = (
        "Excel serial 60 is 1900-02-29, a date that does not exist"
    )


def _parse_with_offsets(text, timezone, values, precision) -> None:
    if text.empty:
        return
    found_any = pd.Series(False, index=text.index)
    for date_format in _OFFSET_FORMATS:
        todo = text[~found_any]
        if todo.empty:
            break
        parsed = pd.to_datetime(todo, format=date_format, errors="coerce", utc=True)
        found = parsed.notna()
        local = parsed[found].dt.tz_convert(timezone).dt.tz_localize(None)
        values.loc[local.index] = local.astype("datetime64[us]")
        precision.loc[local.index] = "minute"
        found_any.loc[local.index] = True


@dataclass
class ParsedClock:
    """Minutes after midnight parsed from a time-of-day column, with bad cells."""

    minutes: pd.Series
    bad: pd.Series


def parse_times_of_day(cells: pd.Series, excel_serials: bool = False) -> ParsedClock:
    """Parse times of day: ``HH:MM``, ``HH:MM:SS``, ``HHMM``, an hour, or ``24:00``.

    ``24:00`` and ``2400`` are 1440 minutes, the end of the day. With
    ``excel_serials``, a fraction below 1 is a fraction of a day, rounded to the
    minute.
    """
    text = cells.astype(str).str.strip()
    minutes = pd.Series(np.nan, index=text.index)

    clock = text.str.extract(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
    compact = text.str.extract(r"^(\d{2})(\d{2})$")
    hour_only = text.str.extract(r"^(\d{1,2})$")
    for hours, mins in ((clock[0], clock[1]), (compact[0], compact[1])):
        have = hours.notna() & minutes.isna()
        minutes[have] = _clock_minutes(hours[have], mins[have])
    have = hour_only[0].notna() & minutes.isna()
    minutes[have] = _clock_minutes(
        hour_only[0][have], pd.Series("0", index=have.index)[have]
    )

    if excel_serials:
        fraction = pd.to_numeric(text.where(minutes.isna()), errors="coerce")
        usable = fraction.notna() & (fraction >= 0) & (fraction < 1)
        minutes[usable] = np.round(fraction[usable] * _MINUTES_PER_DAY)

    bad = (text != "") & minutes.isna()
    return ParsedClock(minutes, bad)


def _clock_minutes(hours: pd.Series, minutes: pd.Series) -> pd.Series:
    hours = hours.astype(int)
    minutes = minutes.astype(int)
    valid = (minutes < 60) & ((hours < 24) | ((hours == 24) & (minutes == 0)))
    return (hours * 60 + minutes).where(valid)


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimal numbers; return the values and the mask of bad cells."""
    text = cells.astype(str).str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "") & values.isna()
    return values, bad


_TRUE_WORDS = {"1", "true", "yes", "y", "t", "attempted"}
_FALSE_WORDS = {"", "0", "false", "no", "n", "f", "completed"}


def parse_flag(text: str) -> bool | None:
    """Return True or False for a yes/no cell, or None when it is not one."""
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


# Sex codes accepted in exports, lower-cased, and the code stored for each. Unknown
# and empty values are stored as missing.
SEX_CODES = {
    "m": "M",
    "male": "M",
    "man": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "": None,
    "u": None,
    "unknown": None,
    "x": None,
}

MAX_AGE = 120


_FIREARM_WORDS = ("firearm", "gun", "pistol", "rifle", "revolver", "shotgun")


def firearm_mask(weapons: pd.Series) -> pd.Series:
    """Return True where a weapon description names a firearm."""
    pattern = "|".join(_FIREARM_WORDS)
    return weapons.str.lower().str.contains(pattern, regex=True).fillna(False)
