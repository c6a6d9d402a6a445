"""Turning the rows of an export into validated incidents, offences and people.

Parsing is done column by column on the whole frame. Every cell that fails becomes a
``Problem`` naming the row, field, value and reason. A row with any problem is
rejected as a whole, and the rest of the file is imported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_access.ingest.coordinates import unusable_point_problems
from data_access.ingest.errors import Problem, display_value
from data_access.ingest.parsing import (
    MAX_AGE,
    SEX_CODES,
    firearm_mask,
    parse_datetimes,
    parse_flag,
    parse_numbers,
    parse_times_of_day,
)
from data_access.ingest.ranking import principal_offences
from data_access.ingest.reading import ROW_NUMBER
from data_access.ingest.source_map import SourceMap
from data_access.schema import EXCLUDED, UNMAPPED

# A date more than this far in the future is a typing error, not a crime to come.
FUTURE_TOLERANCE = pd.Timedelta(days=1)
# A date before this is taken as a typing error in the year.
EARLIEST_DATE = pd.Timestamp("1900-01-01")

# Maximum length of an identifier (source id, station code, one offence code) and
# of any cell. Longer values are taken as export errors. PostgreSQL's B-tree
# indexes reject entries over about 2.7 kB, so identifiers stay well below that.
MAX_CODE_LENGTH = 200
MAX_CELL_LENGTH = 10_000

RELATIONSHIPS = {
    "intimate partner": "intimate_partner",
    "intimate_partner": "intimate_partner",
    "partner": "intimate_partner",
    "ex-partner": "intimate_partner",
    "spouse": "intimate_partner",
    "family": "family",
    "family member": "family",
    "relative": "family",
    "acquaintance": "acquaintance",
    "friend": "acquaintance",
    "stranger": "stranger",
    "other": "other",
}


@dataclass(frozen=True)
class Correspondence:
    """A country's correspondence table, ready for lookups."""

    table: pd.DataFrame  # national_code, iccs_code, status, valid_from, valid_to

    @classmethod
    def empty(cls) -> Correspondence:
        columns = ["national_code", "iccs_code", "status", "valid_from", "valid_to"]
        return cls(pd.DataFrame(columns=columns))


@dataclass
class Prepared:
    """The validated content of one export, before it is written."""

    incidents: pd.DataFrame
    offences: pd.DataFrame
    victims: pd.DataFrame
    suspects: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    # Cells of rows that are imported all the same, such as a latitude out of
    # range; they are quarantined without rejecting their row.
    flagged: list[Problem] = field(default_factory=list)
    # Content digest of each rejected row by row number, which keys its
    # quarantine entries. Imported rows have theirs in ``incidents``.
    row_hashes: dict[int, str] = field(default_factory=dict)
    rows_read: int = 0
    superseded: int = 0
    unmapped_codes: dict[str, int] = field(default_factory=dict)


class _Rows:
    """The frame of one export with the problems found so far."""

    def __init__(self, frame: pd.DataFrame, source_map: SourceMap):
        self.frame = frame
        self.map = source_map
        self.problems: list[Problem] = []
        self.bad = pd.Series(False, index=frame.index)

    def cells(self, field_name: str) -> pd.Series | None:
        column = self.map.column(field_name)
        if column is None:
            return None
        return self.frame[column].astype(str).str.strip()

    def reject(self, field_name: str, mask: pd.Series, reason) -> None:
        """Record a problem in the column of ``field_name`` where ``mask`` is True."""
        self.reject_column(self.map.column(field_name) or field_name, mask, reason)

    def reject_column(self, column: str, mask: pd.Series, reason) -> None:
        """Record a problem in ``column`` for each row where ``mask`` is True.

        ``reason`` is one text for all rows, or a Series of texts by row.
        """
        if not mask.any():
            return
        values = (
            self.frame[column]
            if column in self.frame
            else pd.Series("", index=self.frame.index)
        )
        rows = self.frame.loc[mask, ROW_NUMBER]
        reasons = reason[mask] if isinstance(reason, pd.Series) else None
        for index, row_number in rows.items():
            text = reasons[index] if reasons is not None else reason
            value = display_value(values[index])
            self.problems.append(Problem(int(row_number), column, value, text))
        self.bad |= mask


def prepare_export(
    frame: pd.DataFrame,
    source_map: SourceMap,
    timezone: str,
    correspondence: Correspondence,
    now: pd.Timestamp,
    excel_serials: bool,
    check_nul: bool = True,
) -> Prepared:
    """Validate an export frame and return its incidents, offences and people.

    ``timezone`` is the country's IANA time zone; ``now`` is the local time of the
    import, used to reject dates in the future. ``check_nul=False`` skips the
    search for NUL bytes, for a file already known to have none.
    """
    rows = _Rows(frame, source_map)
    incidents = pd.DataFrame(index=frame.index)
    incidents["row_number"] = frame[ROW_NUMBER]

    if check_nul:
        _reject_nul_bytes(rows)
    _reject_long_cells(rows)
    _add_times(rows, incidents, timezone, now, excel_serials)
    _add_coordinates(rows, incidents)
    _add_text_fields(rows, incidents)
    offences = _offences(rows, incidents, correspondence)
    victims = _people(rows, "victim")
    suspects = _people(rows, "suspect")
    _add_keys(rows, incidents)

    winners = _latest_versions(incidents)
    superseded = len(incidents) - len(winners)
    keep = incidents.index.isin(winners) & ~rows.bad.to_numpy()
    rejected_rows = set(rows.frame.loc[rows.bad, ROW_NUMBER])
    problems = [p for p in rows.problems if p.row_number in rejected_rows]
    problems += unusable_point_problems(
        frame, source_map, incidents[rows.bad.to_numpy()], kept=False
    )
    rejected = incidents[rows.bad.to_numpy()]
    row_hashes = dict(
        zip(rejected["row_number"].astype(int), rejected["content_hash"], strict=True)
    )

    incidents = incidents[keep]
    offences = offences[offences["row"].isin(incidents.index)]
    _add_principal(incidents, offences)
    _add_person_counts(incidents, offences, victims)
    return Prepared(
        incidents=incidents,
        offences=offences,
        victims=victims[victims["row"].isin(incidents.index)],
        suspects=suspects[suspects["row"].isin(incidents.index)],
        problems=problems,
        row_hashes=row_hashes,
        rows_read=len(frame),
        superseded=superseded,
        unmapped_codes=_unmapped_counts(offences),
    )


def _reject_nul_bytes(rows) -> None:
    """Reject rows with a NUL byte in any cell: PostgreSQL cannot store one."""
    for column in rows.frame.columns:
        if column == ROW_NUMBER:
            continue
        cells = rows.frame[column].astype(str)
        has_nul = cells.str.contains("\x00", regex=False)
        rows.reject_column(
            column, has_nul, "the cell contains a NUL byte; export the file again"
        )


def _mapped_columns(source_map: SourceMap) -> dict[str, str]:
    """Return the file columns the source map reads, each with its field name."""
    named = {column: name for name, column in source_map.columns.items()}
    if source_map.station.column:
        named[source_map.station.column] = "station"
    return named


def _reject_long_cells(rows) -> None:
    """Reject rows whose identifiers or cells are longer than the limits."""
    identifiers = {"source_id", "station"}
    for column, name in _mapped_columns(rows.map).items():
        if column not in rows.frame:
            continue
        lengths = rows.frame[column].astype(str).str.len()
        limit = MAX_CODE_LENGTH if name in identifiers else MAX_CELL_LENGTH
        reason = (
            f"{name} is longer than {limit} characters; check the column and the export"
        )
        rows.reject_column(column, lengths > limit, reason)
        if name == "offence_codes":
            _reject_long_codes(rows, column, lengths)


def _reject_long_codes(rows, column: str, lengths: pd.Series) -> None:
    """Reject rows with one offence code longer than ``MAX_CODE_LENGTH``."""
    candidates = rows.frame.loc[lengths > MAX_CODE_LENGTH, column].astype(str)
    if candidates.empty:
        return
    codes = candidates.str.split(rows.map.list_separator, regex=False).explode()
    long_rows = set(codes[codes.str.strip().str.len() > MAX_CODE_LENGTH].index)
    mask = pd.Series(rows.frame.index.isin(long_rows), index=rows.frame.index)
    rows.reject_column(
        column,
        mask,
        f"an offence code is longer than {MAX_CODE_LENGTH} characters; check the "
        "column and the list separator",
    )


def _reject_implausible_dates(rows, field_name, values, now) -> None:
    """Reject dates before 1900 or after the end of next year.

    Occurrence dates are checked against ``now`` in ``_add_times`` instead of
    against the end of next year.
    """
    latest = pd.Timestamp(year=now.year + 2, month=1, day=1)
    too_early = values.notna() & (values < EARLIEST_DATE)
    rows.reject(field_name, too_early, "the date is before 1900; check the year")
    if field_name in ("occurred_from", "occurred_date"):
        return
    too_late = values.notna() & (values >= latest)
    rows.reject(
        field_name, too_late, f"the date is after {latest.year - 1}; check the year"
    )


def _parse_when(
    rows, prefix, timezone, excel_serials, now
) -> tuple[pd.Series, pd.Series]:
    """Parse one time field, given as one column or as a date and a time column."""
    single = "occurred_from" if prefix == "occurred" else f"{prefix}_at"
    if prefix == "occurred_to":
        single = "occurred_to"
    cells = rows.cells(single)
    if cells is not None:
        parsed = parse_datetimes(cells, rows.map.date_order, timezone, excel_serials)
        rows.reject(single, parsed.bad, parsed.reasons)
        _reject_implausible_dates(rows, single, parsed.values, now)
        return parsed.values, parsed.precision

    date_cells = rows.cells(f"{prefix}_date")
    if date_cells is None:
        empty = pd.Series(pd.NaT, index=rows.frame.index, dtype="datetime64[us]")
        return empty, pd.Series("", index=rows.frame.index)
    parsed = parse_datetimes(date_cells, rows.map.date_order, timezone, excel_serials)
    rows.reject(f"{prefix}_date", parsed.bad, parsed.reasons)
    _reject_implausible_dates(rows, f"{prefix}_date", parsed.values, now)
    values, precision = parsed.values, parsed.precision

    time_cells = rows.cells(f"{prefix}_time")
    if time_cells is not None:
        clock = parse_times_of_day(time_cells, excel_serials)
        rows.reject(
            f"{prefix}_time", clock.bad, "not a time of day (HH:MM, HHMM or hour)"
        )
        has_time = clock.minutes.notna() & values.notna()
        shifted = values.dt.normalize() + pd.to_timedelta(clock.minutes, unit="m")
        values = values.where(~has_time, shifted)
        precision = precision.where(~has_time, "minute")
    return values, precision


def _window_end(start: pd.Series, precision: pd.Series) -> pd.Series:
    """Return the last minute of a day- or month-precision date, else NaT."""
    day_end = start + pd.Timedelta(days=1) - pd.Timedelta(minutes=1)
    month_end = (
        start + pd.offsets.MonthBegin(1) - pd.Timedelta(minutes=1)
        if len(start)
        else start
    )
    end = pd.Series(pd.NaT, index=start.index, dtype="datetime64[us]")
    end = end.where(precision != "day", day_end)
    return end.where(precision != "month", month_end)


def _add_times(rows, incidents, timezone, now, excel_serials) -> None:
    start, precision = _parse_when(rows, "occurred", timezone, excel_serials, now)
    occurred_field = (
        "occurred_from" if rows.map.column("occurred_from") else ("occurred_date")
    )
    missing = rows.cells(occurred_field) == ""
    rows.reject(occurred_field, missing, "the occurrence date is missing")

    end, _ = _parse_when(rows, "occurred_to", timezone, excel_serials, now)
    end = end.where(end.notna(), _window_end(start, precision))
    reversed_window = end.notna() & start.notna() & (end < start)
    rows.reject("occurred_to", reversed_window, "ends before the occurrence starts")

    reported, _ = _parse_when(rows, "reported", timezone, excel_serials, now)
    recorded, _ = _parse_when(rows, "recorded", timezone, excel_serials, now)
    modified, _ = _parse_when(rows, "last_modified", timezone, excel_serials, now)
    future = start > now + FUTURE_TOLERANCE
    rows.reject(occurred_field, future, "the occurrence date is in the future")

    incidents["occurred_from"] = start
    incidents["occurred_to"] = end
    incidents["reported_at"] = reported
    incidents["recorded_at"] = recorded
    incidents["last_modified"] = modified
    incidents["occurred_month"] = _month_key(start)
    incidents["reported_month"] = _month_key(reported.where(reported.notna(), recorded))
    entered = recorded.where(recorded.notna(), reported)
    delay = (entered - start).dt.days
    incidents["record_delay_days"] = delay.where(delay >= 0, 0).astype("Int64")


def _month_key(values: pd.Series) -> pd.Series:
    return (values.dt.year * 100 + values.dt.month).astype("Int64")


# A coordinate that is text rejects its row, unlike a number out of range: the
# text may be another field shifted into the column.
NOT_DEGREES = (
    "not a number of degrees; correct the value, or leave the cell empty for an "
    "incident without a map location"
)


def _add_coordinates(rows, incidents) -> None:
    lon_cells, lat_cells = rows.cells("longitude"), rows.cells("latitude")
    index = rows.frame.index
    if lon_cells is None or lat_cells is None:
        incidents["lon"] = np.nan
        incidents["lat"] = np.nan
        incidents["coord_flag"] = "missing"
        return
    lon, bad_lon = parse_numbers(lon_cells)
    lat, bad_lat = parse_numbers(lat_cells)
    rows.reject("longitude", bad_lon, NOT_DEGREES)
    rows.reject("latitude", bad_lat, NOT_DEGREES)

    flag = pd.Series("", index=index, dtype=object)
    flag[lon.isna() | lat.isna()] = "missing"
    flag[(flag == "") & (lon == 0) & (lat == 0)] = "zero"
    swapped = (lat.abs() > 90) & (lat.abs() <= 180) & (lon.abs() <= 90)
    flag[(flag == "") & swapped] = "swapped"
    out_of_range = (lat.abs() > 90) | (lon.abs() > 180)
    flag[(flag == "") & out_of_range] = "out_of_range"
    incidents["lon"] = lon
    incidents["lat"] = lat
    incidents["coord_flag"] = flag


def _add_text_fields(rows, incidents) -> None:
    for name in ("location_type", "weapon", "status"):
        cells = rows.cells(name)
        incidents[name] = None if cells is None else cells.where(cells != "")
    weapon = rows.cells("weapon")
    incidents["firearm"] = False if weapon is None else firearm_mask(weapon)
    station = rows.map.station
    if station.mode == "column":
        cells = rows.frame[station.column].astype(str).str.strip()
        rows.reject_column(station.column, cells == "", "the station code is missing")
        incidents["station_code"] = cells
    elif station.mode == "fixed":
        incidents["station_code"] = station.code
    else:
        incidents["station_code"] = None


def _split_lists(cells: pd.Series, separator: str) -> pd.Series:
    return cells.str.split(separator, regex=False)


def _offences(rows, incidents, correspondence) -> pd.DataFrame:
    codes = rows.cells("offence_codes")
    rows.reject("offence_codes", codes == "", "the offence code is missing")
    lists = _split_lists(codes.where(codes != "", None), rows.map.list_separator)
    exploded = lists.explode().dropna().str.strip()
    offences = pd.DataFrame({"row": exploded.index, "national_code": exploded.values})
    offences = offences[offences["national_code"] != ""]
    offences["seq"] = offences.groupby("row").cumcount()
    offences["attempted"] = _attempted_flags(rows, offences)
    dates = incidents["occurred_from"].reindex(offences["row"]).to_numpy()
    offences["iccs_code"] = lookup_iccs_codes(offences, dates, correspondence)
    return offences.reset_index(drop=True)


def _attempted_flags(rows, offences) -> pd.Series:
    cells = rows.cells("attempted")
    if cells is None:
        return pd.Series(False, index=offences.index)
    lists = cells.str.split(rows.map.list_separator, regex=False)
    flags = []
    bad_rows = set()
    for row, seq in zip(offences["row"], offences["seq"], strict=True):
        values = lists[row]
        text = values[seq] if seq < len(values) else values[-1]
        flag = parse_flag(text)
        if flag is None:
            bad_rows.add(row)
        flags.append(bool(flag))
    mask = rows.frame.index.isin(bad_rows)
    rows.reject(
        "attempted", pd.Series(mask, index=rows.frame.index), "not a yes/no value"
    )
    return pd.Series(flags, index=offences.index)


def lookup_iccs_codes(offences, dates, correspondence) -> np.ndarray:
    """Return the ICCS code of each offence valid on its date, or UNMAPPED/EXCLUDED."""
    table = correspondence.table
    result = np.full(len(offences), UNMAPPED, dtype=object)
    if table.empty or offences.empty:
        return result
    merged = (
        offences[["national_code"]]
        .reset_index(names="position")
        .merge(table, on="national_code", how="inner")
    )
    when = pd.Series(dates, index=offences.index).to_numpy()[merged["position"]]
    when = pd.Series(when).dt.normalize()
    valid = (merged["valid_from"].isna() | (merged["valid_from"] <= when)) & (
        merged["valid_to"].isna() | (merged["valid_to"] >= when)
    )
    merged = merged[valid.to_numpy()].drop_duplicates("position")
    status = merged["status"].to_numpy()
    codes = np.where(
        status == "mapped",
        merged["iccs_code"].to_numpy(),
        np.where(status == "excluded", EXCLUDED, UNMAPPED),
    )
    result[merged["position"].to_numpy()] = codes
    return result


def _people(rows, role: str) -> pd.DataFrame:
    """Return one row per victim or suspect: row, seq, sex, age, relationship.

    A cell may list several people, separated by the source map's list separator;
    the n-th value of each column belongs to the n-th person.
    """
    names = ("sex", "age", "relationship") if role == "victim" else ("sex", "age")
    present = {n: rows.cells(f"{role}_{n}") for n in names}
    present = {n: cells for n, cells in present.items() if cells is not None}
    columns = ["row", "seq", "sex", "age", "relationship"]
    if not present:
        return pd.DataFrame(columns=columns)

    table = pd.DataFrame(present)
    anyone = (table != "").any(axis=1)
    table = table[anyone]
    lists = {
        n: table[n].str.split(rows.map.list_separator, regex=False) for n in present
    }
    count = pd.concat([values.str.len() for values in lists.values()], axis=1).max(
        axis=1
    )
    position = count.index.repeat(count)
    seq = pd.Series(position).groupby(position).cumcount().to_numpy()
    people = pd.DataFrame({"row": position, "seq": seq})
    for name in columns[2:]:
        if name not in lists:
            people[name] = None
            continue
        flat = lists[name].reindex(position).to_numpy()
        people[name] = [
            values[n].strip() if n < len(values) else ""
            for values, n in zip(flat, seq, strict=True)
        ]

    people["sex"], bad_sex = _sex_codes(people["sex"])
    people["age"], bad_age = _ages(people["age"])
    people["relationship"] = _relationships(people["relationship"])
    for name, bad, reason in (
        ("sex", bad_sex, "not a sex code (M, F or empty)"),
        ("age", bad_age, "not an age in whole years from 0 to 120"),
    ):
        bad_rows = set(people.loc[bad.to_numpy(), "row"])
        mask = pd.Series(rows.frame.index.isin(bad_rows), index=rows.frame.index)
        rows.reject(f"{role}_{name}", mask, reason)
    return people[columns]


def _sex_codes(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    words = cells.fillna("").astype(str).str.strip().str.lower()
    codes = words.map(SEX_CODES)
    bad = ~words.isin(SEX_CODES.keys())
    return codes.where(codes.notna(), None), bad


def _ages(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    words = cells.fillna("").astype(str).str.strip().str.lower()
    empty = words.isin(("", "unknown", "u"))
    numbers = pd.to_numeric(words.where(~empty), errors="coerce")
    valid = numbers.notna() & (numbers % 1 == 0) & numbers.between(0, MAX_AGE)
    return numbers.where(valid).astype("Int64"), ~empty & ~valid


def _relationships(cells: pd.Series) -> pd.Series:
    words = cells.fillna("").astype(str).str.strip().str.lower()
    known = words.map(RELATIONSHIPS)
    known = known.where(known.notna() | words.isin(("", "unknown")), "other")
    return known.where(known.notna(), None)


def _add_keys(rows, incidents) -> None:
    """Add the natural key ``source_id`` and the ``content_hash`` of each row."""
    mapped = [column for column in rows.map.columns.values() if column in rows.frame]
    if rows.map.station.column:
        mapped.append(rows.map.station.column)
    columns = [rows.frame[column] for column in sorted(set(mapped))]
    hashes = pd.Series(_row_digests(columns), index=rows.frame.index, dtype=object)
    incidents["content_hash"] = hashes

    ids = rows.cells("source_id")
    if ids is None:
        ids = pd.Series("", index=rows.frame.index)
    missing = ids == ""
    if missing.any():
        occurrence = hashes.groupby(hashes).cumcount() + 1
        derived = "row-" + hashes.str[:24] + "-" + occurrence.astype(str)
        ids = ids.where(~missing, derived)
    incidents["source_id"] = ids


def _row_digests(columns: list[pd.Series]) -> list[str]:
    """Return the digest of each row's cells, joined by the unit separator U+001F.

    The stored content hashes are these digests, so any change to the text
    hashed makes every incident of a repeated import look changed.
    """
    arrays = [
        pa.array(column.astype(str)).cast(pa.large_string()) for column in columns
    ]
    separator = pa.scalar("\x1f", pa.large_string())
    joined = pc.binary_join_element_wise(*arrays, separator)
    encoded = joined.cast(pa.large_binary()).to_pylist()
    blake2b = hashlib.blake2b
    return [blake2b(text, digest_size=16).hexdigest() for text in encoded]


def _latest_versions(incidents) -> pd.Index:
    """Return the index of the latest row of each source id in the file."""
    order = incidents.sort_values(
        ["last_modified", "row_number"], na_position="first", kind="stable"
    )
    return order.drop_duplicates("source_id", keep="last").index


def _add_principal(incidents, offences) -> None:
    principal = principal_offences(offences).set_index("row")
    incidents["principal_national_code"] = principal["national_code"]
    incidents["principal_iccs_code"] = principal["iccs_code"]
    incidents["principal_attempted"] = principal["attempted"].astype(bool)


def _add_person_counts(incidents, offences, victims) -> None:
    by_row = offences.groupby("row")
    incidents["offence_count"] = by_row.size().reindex(incidents.index, fill_value=0)
    unmapped = offences["iccs_code"] == UNMAPPED
    incidents["unmapped_count"] = (
        unmapped.groupby(offences["row"]).sum().reindex(incidents.index, fill_value=0)
    )
    missing = pd.DataFrame(
        {
            "victim_count": 1,
            "victims_missing_age": victims["age"].isna().astype(int),
            "victims_missing_sex": victims["sex"].isna().astype(int),
        },
        index=victims.index,
    )
    counts = missing.groupby(victims["row"]).sum()
    for column in missing.columns:
        incidents[column] = (
            counts[column].reindex(incidents.index, fill_value=0).astype(int)
        )


def _unmapped_counts(offences) -> dict[str, int]:
    unmapped = offences.loc[offences["iccs_code"] == UNMAPPED, "national_code"]
    return {str(code): int(count) for code, count in unmapped.value_counts().items()}
