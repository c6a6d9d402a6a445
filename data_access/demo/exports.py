"""Writing demo incidents as records exports, with source maps and code tables.

Each country's export has its own layout, as real records systems differ: column
names, date formats, list separators and how sex and attempts are written. The
source map written beside it describes the layout to the import (see
``docs/source-map.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_access.demo.details import LIST_SEPARATOR
from data_access.demo.offences import OffenceTable

LIST_FIELDS = (
    "offence_codes",
    "attempted",
    "victim_sex",
    "victim_age",
    "victim_relationship",
    "suspect_sex",
    "suspect_age",
)


@dataclass(frozen=True)
class ExportStyle:
    """The layout of one records system's export.

    Attributes
    ----------
    columns
        Export column of each source-map field, in file order.
    date_format
        ``strftime`` format of date-times; ``occurred_date`` and ``occurred_time``
        columns, when present, use ``%Y-%m-%d`` and ``%H%M``.
    """

    columns: dict[str, str]
    date_order: str
    date_format: str
    list_separator: str
    yes_no: tuple[str, str]
    sex_words: tuple[str, str]
    source_id_format: str


_RMS_COLUMNS = {
    "source_id": "Incident No",
    "station": "Station",
    "occurred_from": "Date Occurred",
    "occurred_to": "Occurred To",
    "reported_at": "Date Reported",
    "recorded_at": "Entered On",
    "last_modified": "Last Modified",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "location_type": "Premises",
    "weapon": "Weapon",
    "status": "Status",
    "offence_codes": "Offence Codes",
    "attempted": "Attempted",
    "victim_sex": "Victim Sex",
    "victim_age": "Victim Age",
    "victim_relationship": "Victim Relationship",
    "suspect_sex": "Suspect Sex",
    "suspect_age": "Suspect Age",
}
_SPLIT_COLUMNS = {
    "source_id": "occurrence_no",
    "station": "station_code",
    "occurred_date": "occ_date",
    "occurred_time": "occ_time",
    "occurred_to": "occ_to",
    "reported_at": "reported",
    "recorded_at": "entered",
    "last_modified": "modified",
    "longitude": "x",
    "latitude": "y",
    "location_type": "location_type",
    "weapon": "weapon_used",
    "status": "case_status",
    "offence_codes": "offences",
    "attempted": "attempt_flags",
    "victim_sex": "v_sex",
    "victim_age": "v_age",
    "victim_relationship": "v_relation",
    "suspect_sex": "s_sex",
    "suspect_age": "s_age",
}
_PLAIN_COLUMNS = {
    "source_id": "ReportID",
    "station": "PoliceStation",
    "occurred_from": "OccurredFrom",
    "occurred_to": "OccurredTo",
    "reported_at": "ReportedOn",
    "recorded_at": "RecordedOn",
    "last_modified": "LastUpdated",
    "longitude": "Lon",
    "latitude": "Lat",
    "location_type": "PlaceType",
    "weapon": "Weapon",
    "status": "Status",
    "offence_codes": "OffenceCode",
    "attempted": "Attempted",
    "victim_sex": "VictimGender",
    "victim_age": "VictimAge",
    "victim_relationship": "VictimRelation",
    "suspect_sex": "SuspectGender",
    "suspect_age": "SuspectAge",
}

STYLES = {
    "rms": ExportStyle(
        _RMS_COLUMNS,
        "day_first",
        "%d/%m/%Y %H:%M",
        ";",
        ("Y", "N"),
        ("M", "F"),
        "{year}/{number:06d}",
    ),
    "split_date": ExportStyle(
        _SPLIT_COLUMNS,
        "year_first",
        "%Y-%m-%d %H:%M",
        ";",
        ("1", "0"),
        ("M", "F"),
        "CR{short_year:02d}-{number:06d}",
    ),
    "columns_month_first": ExportStyle(
        _PLAIN_COLUMNS,
        "month_first",
        "%m/%d/%Y %H:%M",
        "|",
        ("yes", "no"),
        ("Male", "Female"),
        "{number:07d}/{short_year:02d}",
    ),
    "columns_day_first": ExportStyle(
        _PLAIN_COLUMNS,
        "day_first",
        "%d-%m-%Y %H:%M",
        "|",
        ("yes", "no"),
        ("Male", "Female"),
        "{number:07d}/{short_year:02d}",
    ),
}
# Written in place of the occurrence date of the rows marked invalid.
GARBLED_DATE = "not recorded"


@dataclass(frozen=True)
class ExportFiles:
    """The files written for one country."""

    country_code: str
    incidents: Path
    source_map: Path
    correspondence: Path
    rows: int


def write_export(
    country_code: str,
    style_name: str,
    rows: pd.DataFrame,
    offences: OffenceTable,
    folder: Path,
) -> ExportFiles:
    """Write a country's export, source map and correspondence table to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    style = STYLES[style_name]
    files = ExportFiles(
        country_code,
        folder / f"{country_code.lower()}_incidents.csv",
        folder / f"{country_code.lower()}_source.toml",
        folder / f"{country_code.lower()}_offence_codes.csv",
        len(rows),
    )
    table = export_table(rows, style)
    table.to_csv(files.incidents, index=False, lineterminator="\n")
    files.source_map.write_text(source_map_text(country_code, style), "utf-8")
    offences.correspondence().to_csv(
        files.correspondence, index=False, lineterminator="\n"
    )
    return files


def _times(values: pd.Series, date_format: str) -> pd.Series:
    return values.dt.strftime(date_format).fillna("")


def _number_text(values: pd.Series) -> pd.Series:
    text = values.round(5).astype(str)
    return text.where(values.notna(), "")


def _source_ids(rows: pd.DataFrame, template: str) -> list[str]:
    return [
        template.format(year=year, short_year=year % 100, number=number)
        for year, number in zip(rows["year"], rows["number"], strict=True)
    ]


def export_table(rows: pd.DataFrame, style: ExportStyle) -> pd.DataFrame:
    """Return the export as text columns in the style's layout."""
    values = {
        "source_id": _source_ids(rows, style.source_id_format),
        "station": rows["station"],
        "occurred_to": _times(rows["occurred_to"], style.date_format),
        "reported_at": _times(rows["reported_at"], style.date_format),
        "recorded_at": _times(rows["recorded_at"], style.date_format),
        "last_modified": _times(rows["last_modified"], style.date_format),
        "longitude": _number_text(rows["lon"]),
        "latitude": _number_text(rows["lat"]),
        "location_type": rows["location_type"],
        "weapon": rows["weapon"],
        "status": rows["status"],
        "offence_codes": rows["codes"],
        "attempted": rows["attempted"],
        "victim_sex": rows["victim_sex"],
        "victim_age": rows["victim_age"],
        "victim_relationship": rows["relationship"],
        "suspect_sex": rows["suspect_sex"],
        "suspect_age": rows["suspect_age"],
    }
    invalid = rows["invalid"].to_numpy()
    if "occurred_date" in style.columns:
        date = _times(rows["occurred_from"], "%Y-%m-%d")
        values["occurred_date"] = date.where(~invalid, GARBLED_DATE)
        values["occurred_time"] = _times(rows["occurred_from"], "%H%M")
    else:
        when = _times(rows["occurred_from"], style.date_format)
        values["occurred_from"] = when.where(~invalid, GARBLED_DATE)

    table = pd.DataFrame({style.columns[f]: values[f] for f in style.columns})
    table = table.reset_index(drop=True)
    _restyle_lists(table, style)
    return table


def _restyle_lists(table: pd.DataFrame, style: ExportStyle) -> None:
    """Write sex, attempts and list separators the way the style does."""
    yes, no = style.yes_no
    male, female = style.sex_words
    words = {"Y": yes, "N": no, "M": male, "F": female}
    for field in LIST_FIELDS:
        column = style.columns[field]
        coded = field in ("attempted", "victim_sex", "suspect_sex")
        # Cells repeat a few distinct values, so each distinct value is rewritten
        # once.
        distinct = pd.unique(table[column])
        rewritten = {
            value: style.list_separator.join(
                words.get(part, part) if coded else part
                for part in value.split(LIST_SEPARATOR)
            )
            for value in distinct
        }
        table[column] = table[column].map(rewritten)


def source_map_text(country_code: str, style: ExportStyle) -> str:
    """Return the TOML source map that reads an export of ``style``."""
    fields = {f: c for f, c in style.columns.items() if f != "station"}
    lines = [
        f'name = "Demo records export, {country_code}"',
        f'country = "{country_code}"',
        'format = "csv"',
        f'date_order = "{style.date_order}"',
        f'list_separator = "{style.list_separator}"',
        "",
        "[station]",
        'mode = "column"',
        f'column = "{style.columns["station"]}"',
        "",
        "[columns]",
    ]
    lines.extend(f'{field} = "{column}"' for field, column in fields.items())
    return "\n".join(lines) + "\n"
