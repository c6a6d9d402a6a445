"""Source maps: how the columns of one force's export become warehouse fields.

The format is documented in ``docs/source-map.md``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_access.ingest.errors import SourceMapError

# Fields a source map may name in its [columns] table.
FIELDS = (
    "source_id",
    "occurred_from",
    "occurred_date",
    "occurred_time",
    "occurred_to",
    "occurred_to_date",
    "occurred_to_time",
    "reported_at",
    "reported_date",
    "reported_time",
    "recorded_at",
    "last_modified",
    "longitude",
    "latitude",
    "location_type",
    "weapon",
    "status",
    "offence_codes",
    "attempted",
    "victim_sex",
    "victim_age",
    "victim_relationship",
    "suspect_sex",
    "suspect_age",
)
DATE_ORDERS = ("day_first", "month_first", "year_first")
ENCODINGS = ("auto", "utf-8", "cp1252")
STATION_MODES = ("column", "fixed", "point")
FORMATS = ("csv", "excel")

# The settings of each table and the TOML type each one takes.
TOP_LEVEL_KEYS = {
    "name": str,
    "country": str,
    "format": str,
    "encoding": str,
    "delimiter": str,
    "sheet": str,
    "date_order": str,
    "list_separator": str,
    "offence_code_system": str,
    "jurisdiction": dict,
    "station": dict,
    "columns": dict,
}
STATION_KEYS = {
    "mode": str,
    "column": str,
    "code": str,
    "create_missing": bool,
    "name_template": str,
}
JURISDICTION_KEYS = {"name": str, "timezone": str}
_TYPE_NAMES = {str: "text in quotes", bool: "true or false", dict: "a table"}


@dataclass(frozen=True)
class StationRule:
    """How a row finds its station: a column, one fixed station, or its point."""

    mode: str
    column: str | None = None
    code: str | None = None
    create_missing: bool = False
    name_template: str = "Station {code}"


@dataclass(frozen=True)
class SourceMap:
    """A parsed, validated source map."""

    path: Path
    name: str
    country: str
    columns: dict[str, str]
    station: StationRule
    format: str | None = None
    encoding: str = "auto"
    delimiter: str = ","
    sheet: str | None = None
    date_order: str = "year_first"
    list_separator: str = ";"
    offence_code_system: str = "national"
    jurisdiction: dict[str, str] = field(default_factory=dict)

    def column(self, field_name: str) -> str | None:
        """Return the export column holding ``field_name``, if the map names one."""
        return self.columns.get(field_name)


def load_source_map(path: str | Path) -> SourceMap:
    """Read and validate the source map at ``path``.

    Raises
    ------
    SourceMapError
        If the file cannot be read as TOML or a setting is missing or invalid; the
        message names the file and the setting.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SourceMapError(f"{path}: cannot read source map: {error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SourceMapError(f"{path}: not valid TOML: {error}") from None
    return _build(path, raw)


def _build(path: Path, raw: dict) -> SourceMap:
    def fail(message: str):
        raise SourceMapError(f"{path}: {message}")

    _check_keys(raw, TOP_LEVEL_KEYS, "the top level", fail)
    country = raw.get("country")
    if country is None:
        fail("'country' is missing; set it to the country's ISO code, e.g. 'LCA'.")
    if not country:
        fail("'country' is empty; set it to the country's ISO code, e.g. 'LCA'.")
    columns = raw.get("columns")
    if not columns:
        fail("the [columns] table is missing; see docs/source-map.md.")
    _check_keys(columns, dict.fromkeys(FIELDS, str), "[columns]", fail)
    if "offence_codes" not in columns:
        fail("[columns] must name the 'offence_codes' column.")
    if "occurred_from" not in columns and "occurred_date" not in columns:
        fail("[columns] must name 'occurred_from' or 'occurred_date'.")
    _check_options(raw, fail)
    jurisdiction = raw.get("jurisdiction", {})
    _check_keys(jurisdiction, JURISDICTION_KEYS, "[jurisdiction]", fail)

    return SourceMap(
        path=path,
        name=raw.get("name", path.stem),
        country=country,
        columns=dict(columns),
        station=_station_rule(raw.get("station"), fail),
        format=raw.get("format"),
        encoding=raw.get("encoding", "auto"),
        delimiter=raw.get("delimiter", ","),
        sheet=raw.get("sheet"),
        date_order=raw.get("date_order", "year_first"),
        list_separator=raw.get("list_separator", ";"),
        offence_code_system=raw.get("offence_code_system", "national"),
        jurisdiction=dict(jurisdiction),
    )


def _check_keys(table: dict, allowed: dict[str, type], where: str, fail) -> None:
    """Reject keys ``table`` may not hold and values of the wrong TOML type."""
    for key, value in table.items():
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            fail(
                f"unknown setting {key!r} in {where}; {hint}allowed: {sorted(allowed)}."
            )
        expected = allowed[key]
        if type(value) is not expected:
            fail(
                f"{key} = {value!r} in {where} has the wrong type; it must be "
                f"{_TYPE_NAMES[expected]}."
            )


def _check_options(raw: dict, fail) -> None:
    options = {
        "format": (raw.get("format"), FORMATS + (None,)),
        "encoding": (raw.get("encoding", "auto"), ENCODINGS),
        "date_order": (raw.get("date_order", "year_first"), DATE_ORDERS),
        "offence_code_system": (
            raw.get("offence_code_system", "national"),
            ("national", "iccs"),
        ),
    }
    for name, (value, allowed) in options.items():
        if value not in allowed:
            fail(f"{name}={value!r} is invalid; use one of {list(allowed)}.")
    for name in ("delimiter", "list_separator"):
        value = raw.get(name)
        if value is not None and (len(value) != 1 or value in "\r\n\"'"):
            fail(
                f"{name}={value!r} is invalid; it must be one character other than a "
                "quote or a line break, such as ',' or ';'."
            )


def _station_rule(raw, fail) -> StationRule:
    if not isinstance(raw, dict):
        fail("the [station] table is missing; set mode to column, fixed or point.")
    _check_keys(raw, STATION_KEYS, "[station]", fail)
    mode = raw.get("mode")
    if mode not in STATION_MODES:
        fail(f"[station] mode={mode!r} is invalid; use one of {list(STATION_MODES)}.")
    if mode == "column" and not raw.get("column"):
        fail("[station] mode 'column' needs 'column', the column of station codes.")
    if mode == "fixed" and not raw.get("code"):
        fail("[station] mode 'fixed' needs 'code', the one station's code.")
    return StationRule(
        mode=mode,
        column=raw.get("column"),
        code=raw.get("code"),
        create_missing=raw.get("create_missing", False),
        name_template=raw.get("name_template", "Station {code}"),
    )
