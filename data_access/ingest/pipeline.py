"""The import of one export: read, validate, write, rebuild rollups."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from data_access.cache import bump_generation
from data_access.ingest.coordinates import unusable_point_problems
from data_access.ingest.correspondence import iccs_identity, load_correspondence
from data_access.ingest.errors import IngestError, Problem, display_value
from data_access.ingest.import_rollups import (
    rebuild_rollups_after_import,
    written_facts,
)
from data_access.ingest.prepare import Prepared, prepare_export
from data_access.ingest.reading import ExportTable, read_table
from data_access.ingest.report import ImportReport
from data_access.ingest.source_map import SourceMap, load_source_map
from data_access.ingest.stations import (
    containing_areas,
    create_missing_stations,
    flag_swapped_points,
    load_stations,
)
from data_access.ingest.writer import (
    lock_for_import,
    release_import_cache,
    upsert_incidents,
    write_quarantine,
)
from data_access.schema import country, import_run

logger = logging.getLogger(__name__)


def ingest_file(
    engine: Engine, data_path: str | Path, source_map_path: str | Path
) -> ImportReport:
    """Import one CSV or Excel export described by a source map.

    Good rows are written in one transaction, together with a quarantine row for
    each invalid cell of the rejected rows and the country's rebuilt rollups. If
    anything fails while writing, nothing of the import remains.

    Raises
    ------
    IngestError
        Before anything is written, when the file cannot be read, the source map is
        invalid, or a column the map names is missing from the file.
    """
    data_path = Path(data_path)
    source_map = load_source_map(source_map_path)
    table = read_table(
        data_path,
        source_map.format,
        source_map.encoding,
        source_map.delimiter,
        source_map.sheet,
    )
    frame = table.frame
    _check_columns(data_path, source_map, frame)
    timezone = _timezone(engine, source_map)
    with engine.connect() as connection:
        _check_station_areas(connection, source_map)
        if source_map.offence_code_system == "iccs":
            correspondence = iccs_identity(connection)
        else:
            correspondence = load_correspondence(connection, source_map.country)
    now = pd.Timestamp(dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None))
    excel = (source_map.format or "") == "excel" or data_path.suffix.lower() in (
        ".xlsx",
        ".xlsm",
    )
    prepared = prepare_export(
        frame, source_map, timezone, correspondence, now, excel, table.may_contain_nul
    )
    _add_malformed_rows(prepared, table)

    report = ImportReport(file_name=str(data_path))
    report.unclosed_quotes = _unclosed_quotes(data_path, table)
    with engine.begin() as connection:
        try:
            _write(connection, data_path, source_map, frame, prepared, report, timezone)
        finally:
            release_import_cache(connection)
    logger.info(
        "imported %s: %d inserted, %d updated, %d unchanged, %d rejected",
        data_path.name,
        report.inserted,
        report.updated,
        report.unchanged,
        report.rejected,
    )
    return report


def _check_columns(path: Path, source_map: SourceMap, frame: pd.DataFrame) -> None:
    named = dict(source_map.columns)
    if source_map.station.mode == "column":
        named["station"] = source_map.station.column
    missing = {f: c for f, c in named.items() if c not in frame.columns}
    if missing:
        listed = ", ".join(f"{column!r} (for {f})" for f, column in missing.items())
        present = [c for c in frame.columns if c != "__row__"]
        hint = _delimiter_hint(path, present, source_map)
        raise IngestError(
            f"{path}: column(s) {listed} named in {source_map.path} are not in the "
            f"file. The file has {present}.{hint} Fix the source map or the "
            "export; nothing was imported."
        )


# Delimiters that exports commonly use, each as written in a source map.
_COMMON_DELIMITERS = (("\t", '"\\t"'), (";", '";"'), ("|", '"|"'), (",", '","'))


def _delimiter_hint(path: Path, present: list[str], source_map: SourceMap) -> str:
    """Return a sentence naming the delimiter of a CSV header read as one column."""
    excel_suffix = path.suffix.lower() in (".xlsx", ".xlsm")
    file_format = source_map.format or ("excel" if excel_suffix else "csv")
    if len(present) != 1 or file_format != "csv":
        return ""
    for delimiter, toml_text in _COMMON_DELIMITERS:
        if delimiter != source_map.delimiter and delimiter in present[0]:
            return (
                f" Its header looks delimited by {toml_text}: set delimiter = "
                f"{toml_text} in the source map."
            )
    return ""


def _add_malformed_rows(prepared: Prepared, table: ExportTable) -> None:
    """Quarantine the rows the reader could not align with the header."""
    for row in table.malformed:
        prepared.problems.append(
            Problem(row.row_number, "(whole row)", display_value(row.text), row.reason)
        )
        digest = hashlib.blake2b(row.text.encode("utf-8"), digest_size=16)
        prepared.row_hashes[row.row_number] = digest.hexdigest()
    prepared.rows_read += len(table.malformed)


def _unclosed_quotes(path: Path, table: ExportTable) -> list[tuple[int, int]]:
    """Return and log the row and line of each quote that never closes."""
    found = [
        (row.row_number, row.unclosed_quote_line)
        for row in table.malformed
        if row.unclosed_quote_line
    ]
    for row_number, line_number in found:
        logger.warning(
            "%s: a quote opens a cell of row %d on line %d and never closes; "
            "the row is quarantined and reading went on from the next line",
            path.name,
            row_number,
            line_number,
        )
    return found


def _check_station_areas(connection, source_map: SourceMap) -> None:
    """Reject station mode point for a country whose stations have no areas."""
    if source_map.station.mode != "point":
        return
    stations = load_stations(connection, source_map.country)
    if stations["area_wkt"].notna().any():
        return
    raise IngestError(
        f"{source_map.path}: [station] mode 'point' finds each row's station from "
        f"the station areas, but the stations of {source_map.country!r} have no "
        "areas. Load them with `crimedash load-geography`, or use mode 'column' "
        "or 'fixed'; nothing was imported."
    )


def _timezone(engine: Engine, source_map: SourceMap) -> str:
    with engine.connect() as connection:
        zone = connection.scalar(
            select(country.c.timezone).where(country.c.code == source_map.country)
        )
    if zone:
        return zone
    zone = source_map.jurisdiction.get("timezone")
    if not source_map.jurisdiction:
        raise IngestError(
            f"{source_map.path}: country {source_map.country!r} is not in the "
            "warehouse. Add a [jurisdiction] table with its name and IANA time zone "
            "to the source map; nothing was imported."
        )
    missing = [
        key for key in ("name", "timezone") if not source_map.jurisdiction.get(key)
    ]
    if missing:
        raise IngestError(
            f"{source_map.path}: country {source_map.country!r} is not in the "
            f"warehouse, and the [jurisdiction] table lacks {' and '.join(missing)}. "
            "Set name to the country's name and timezone to its IANA time zone, "
            "such as 'America/St_Lucia'; nothing was imported."
        )
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError):
        raise IngestError(
            f"{source_map.path}: timezone {zone!r} is not an IANA time zone name, "
            "such as 'America/St_Lucia'."
        ) from None
    return zone


def _write(connection, data_path, source_map, frame, prepared, report, timezone):
    _ensure_country(connection, source_map, timezone)
    import_id = connection.execute(
        insert(import_run).values(
            country_code=source_map.country,
            file_name=str(data_path),
            file_sha256=hashlib.sha256(data_path.read_bytes()).hexdigest(),
            source_name=source_map.name,
            started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    ).inserted_primary_key[0]
    lock_for_import(connection)

    _assign_stations(connection, source_map, prepared)
    prepared.flagged = unusable_point_problems(
        frame, source_map, prepared.incidents, kept=True
    )
    report.already_quarantined = write_quarantine(
        connection,
        import_id,
        source_map.country,
        data_path.name,
        prepared.problems + prepared.flagged,
        _quarantine_row_hashes(prepared),
    )
    upserted = upsert_incidents(connection, source_map.country, import_id, prepared)
    rebuild_rollups_after_import(
        connection,
        source_map.country,
        import_id,
        written_facts(prepared, upserted.written),
        upserted.untouched,
    )
    bump_generation(connection, f"import {import_id}")

    _fill_report(report, import_id, prepared, upserted)
    connection.execute(
        update(import_run)
        .where(import_run.c.id == import_id)
        .values(
            finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            rows_read=report.rows_read,
            rows_inserted=upserted.inserted,
            rows_updated=upserted.updated,
            rows_unchanged=upserted.unchanged,
            rows_rejected=report.rejected,
        )
    )


def _quarantine_row_hashes(prepared: Prepared) -> dict[int, str]:
    """Return the content digest of each row with a quarantined cell."""
    hashes = dict(prepared.row_hashes)
    kept_rows = {problem.row_number for problem in prepared.flagged}
    incidents = prepared.incidents
    flagged = incidents[incidents["row_number"].isin(kept_rows)]
    hashes.update(
        zip(flagged["row_number"].astype(int), flagged["content_hash"], strict=True)
    )
    return hashes


def _fill_report(report, import_id: int, prepared: Prepared, upserted) -> None:
    rejected_rows = {problem.row_number for problem in prepared.problems}
    report.import_id = import_id
    report.rows_read = prepared.rows_read
    if not report.rows_read:
        logger.warning("%s: the file has no data rows", report.file_name)
    report.inserted = upserted.inserted
    report.updated = upserted.updated
    report.unchanged = upserted.unchanged
    report.rejected = len(rejected_rows)
    report.superseded = prepared.superseded
    report.rejected_by_reason = Counter(
        f"{problem.field}: {problem.reason}" for problem in prepared.problems
    )
    report.flagged_by_reason = Counter(
        f"{problem.field}: {problem.reason}" for problem in prepared.flagged
    )
    report.unmapped_codes = prepared.unmapped_codes
    report.without_coordinates = int((prepared.incidents["coord_flag"] != "").sum())
    report.outside_station_areas = int(
        (prepared.incidents["coord_flag"] == "outside_station_areas").sum()
        + prepared.incidents.attrs.get("outside_areas_kept", 0)
    )


def _ensure_country(connection, source_map: SourceMap, timezone: str) -> None:
    exists = connection.scalar(
        select(country.c.code).where(country.c.code == source_map.country)
    )
    if not exists:
        connection.execute(
            insert(country).values(
                code=source_map.country,
                name=source_map.jurisdiction["name"],
                timezone=timezone,
            )
        )


def _assign_stations(connection, source_map: SourceMap, prepared: Prepared) -> None:
    """Set ``station_id`` on the prepared incidents, rejecting unknown stations."""
    incidents = prepared.incidents
    rule = source_map.station
    if rule.mode != "point" and rule.create_missing:
        create_missing_stations(
            connection,
            source_map.country,
            incidents["station_code"].unique(),
            rule.name_template,
        )
    stations = load_stations(connection, source_map.country)
    flag_swapped_points(incidents, stations)
    usable = incidents["coord_flag"] == ""
    inside = containing_areas(
        stations, incidents["lon"].where(usable), incidents["lat"].where(usable)
    )
    has_areas = stations["area_wkt"].notna().any()

    if rule.mode == "point":
        incidents["station_id"] = inside
        outside = usable & inside.isna() & has_areas
        incidents.loc[outside, "coord_flag"] = "outside_station_areas"
        return

    by_code = dict(zip(stations["code"], stations["id"], strict=True))
    incidents["station_id"] = incidents["station_code"].map(by_code).astype("Int64")
    unknown = incidents["station_id"].isna()
    if unknown.any():
        _reject_unknown_stations(source_map, prepared, unknown)
    if has_areas:
        incidents.attrs["outside_areas_kept"] = int(
            (usable & inside.isna() & ~unknown).sum()
        )


def _reject_unknown_stations(source_map, prepared: Prepared, unknown) -> None:
    column = source_map.station.column or "station"
    bad = prepared.incidents[unknown]
    prepared.row_hashes.update(
        zip(bad["row_number"].astype(int), bad["content_hash"], strict=True)
    )
    for row_number, code in zip(bad["row_number"], bad["station_code"], strict=True):
        prepared.problems.append(
            Problem(
                int(row_number),
                column,
                display_value(code),
                "unknown station code; add the station to the warehouse or fix "
                "the code",
            )
        )
    keep = prepared.incidents.index[~unknown]
    prepared.incidents = prepared.incidents.loc[keep]
    for name in ("offences", "victims", "suspects"):
        frame = getattr(prepared, name)
        setattr(prepared, name, frame[frame["row"].isin(keep)])
