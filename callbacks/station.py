"""Callbacks of the Station workspace: pickers, drill-down and the month's panels.

The plan callbacks live in ``callbacks.action_plan``; ``register_callbacks``
registers both. The server checks a drill-down URL such as
``/station?country=LCA&station=CAS`` against the user's scope twice: when the
page is loaded and when the picker callback reads it. A station outside the
scope gets an audited 403.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import Flask, current_app, request
from flask_login import current_user

from analysis import station_extra as extra
from callbacks import action_plan as plan_callbacks
from callbacks import station_data as data
from callbacks.context import (
    SETTINGS_KEY,
    current_scope,
    get_engine,
    scoped_callback,
)
from data_access import station_queries as queries
from data_access.scope import Scope
from data_access.stations import list_stations
from layouts import shell_ids, station_map, station_tiles
from layouts import station_compstat as panels
from layouts import station_ids as ids

logger = logging.getLogger(__name__)

STATION_PATH = "/station"


def register_callbacks(app: Dash) -> None:
    """Register the Station workspace and action plan callbacks."""
    _register_pickers(app)
    _register_panels(app)
    plan_callbacks.register_callbacks(app)
    install_drilldown_check(app.server)


def drilldown(search: str | None) -> tuple[str | None, str | None]:
    """Return ``(country, station)`` from a URL query string, ``None`` if absent."""
    values = parse_qs((search or "").lstrip("?"))
    country = values.get("country", [None])[0]
    station = values.get("station", [None])[0]
    return country, station


def install_drilldown_check(server: Flask) -> None:
    """Refuse a Station page load whose query names a station outside the scope."""

    def check_station_query():
        if request.path.rstrip("/") != STATION_PATH or "station" not in request.args:
            return None
        country = request.args.get("country", "")
        station = request.args.get("station", "")
        scope = current_scope()
        # OutOfScope propagates to the app's handler: audited 403 with no data.
        queries.find_station(get_engine(), scope, country, station)
        return None

    def guarded():
        # Logged-out requests are left to the login guard, which runs next.
        if not current_user.is_authenticated:
            return None
        return check_station_query()

    server.before_request(guarded)


def _register_pickers(app: Dash) -> None:
    @app.callback(
        Output(ids.COUNTRY, "value"),
        Output(ids.STATION, "options"),
        Output(ids.STATION, "value"),
        Input(shell_ids.URL, "search"),
        Input(ids.COUNTRY, "value"),
    )
    @scoped_callback
    def list_country_stations(scope, search, country_code):
        """List the stations in scope when the page opens or a country is picked."""
        requested_country, requested_station = drilldown(search)
        if ctx.triggered_id == ids.COUNTRY or not requested_station:
            requested_country, requested_station = country_code, None
        if not requested_country:
            return no_update, [], None
        if requested_station:
            queries.find_station(
                get_engine(), scope, requested_country, requested_station
            )
        stations = list_stations(get_engine(), scope, requested_country)
        options = [{"label": s.name, "value": s.code} for s in stations]
        value = requested_station or (options[0]["value"] if options else None)
        return requested_country, options, value

    @app.callback(
        Output(ids.MONTH, "options"),
        Output(ids.MONTH, "value"),
        Input(ids.STATION, "value"),
        Input(ids.BASIS, "value"),
        State(ids.COUNTRY, "value"),
        State(ids.MONTH, "value"),
    )
    @scoped_callback
    def list_months(scope, station_code, basis, country_code, month):
        """Offer the station's months; default to the last complete month."""
        if not station_code or not country_code:
            return [], None
        engine = get_engine()
        record = queries.find_station(engine, scope, country_code, station_code)
        today = data.today()
        months = data.month_options(engine, scope, record, basis, today)
        options = [{"label": extra.month_label(m), "value": m} for m in months]
        if month not in months:
            month = data.default_month(engine, scope, record, basis, today)
        return options, month


def _reading(country, station, month, categories, unit, basis):
    if not (country and station and month):
        return None
    return data.Reading(
        country_code=country,
        station_code=station,
        month=int(month),
        categories=tuple(sorted(categories or ())),
        unit=unit or "incidents",
        basis=basis or "occurred",
    )


READING_INPUTS = (
    Input(ids.STATION, "value"),
    Input(ids.MONTH, "value"),
    Input(ids.CATEGORIES, "value"),
    Input(ids.UNIT, "value"),
    Input(ids.BASIS, "value"),
    State(ids.COUNTRY, "value"),
)


def _register_panels(app: Dash) -> None:
    @app.callback(
        Output(ids.COMPSTAT, "children"),
        Output(ids.TREND, "children"),
        Output(ids.WHAT, "children"),
        Output(ids.QUALITY, "children"),
        *READING_INPUTS,
    )
    @scoped_callback
    def show_counts(scope, station, month, categories, unit, basis, country):
        """Show the CompStat table, trend, ICCS breakdown and data quality."""
        reading = _reading(country, station, month, categories, unit, basis)
        if reading is None:
            return [None] * 4
        return count_panels(get_engine(), scope, reading)

    @app.callback(
        Output(ids.WHEN, "children"),
        Output(ids.REPEATS, "children"),
        *READING_INPUTS,
    )
    @scoped_callback
    def show_times_places(scope, station, month, categories, unit, basis, country):
        """Show when incidents happen and the places where they repeat."""
        reading = _reading(country, station, month, categories, unit, basis)
        if reading is None:
            return None, None
        return time_place_panels(get_engine(), scope, reading)

    @app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.MAP_NOTE, "children"),
        Input(ids.STATION, "value"),
        Input(ids.MONTH, "value"),
        Input(ids.CATEGORIES, "value"),
        Input(ids.BASIS, "value"),
        Input(ids.LAYER, "value"),
        Input(ids.BANDWIDTH, "value"),
        Input(ids.CELL_SIZE, "value"),
        Input(ids.OVERLAY, "value"),
        State(ids.COUNTRY, "value"),
    )
    @scoped_callback
    def show_map(
        scope,
        station,
        month,
        categories,
        basis,
        layer,
        bandwidth,
        cell,
        overlay,
        country,
    ):
        """Draw the crime map with the chosen hot-spot layer."""
        reading = _reading(country, station, month, categories, "incidents", basis)
        if reading is None:
            return station_map.empty_map(), None
        return map_view(
            get_engine(),
            scope,
            reading,
            layer or "none",
            float(bandwidth or 400),
            float(cell or data.DEFAULT_CELL_METRES),
            bool(overlay),
            current_app.config[SETTINGS_KEY].tile_url,
        )


def count_panels(engine, scope: Scope, reading: data.Reading) -> list:
    """Return the CompStat, trend, breakdown and quality panels of a reading."""
    month_text = extra.month_label(reading.month)
    rows, trend, breakdown, quality = data.read_counts(engine, scope, reading)
    return [
        panels.compstat_table(rows, reading.label, month_text),
        panels.trend_figure(trend, reading.label),
        panels.what_panel(breakdown, f"{reading.label}, {month_text}."),
        panels.quality_panel(quality, month_text),
    ]


def time_place_panels(engine, scope: Scope, reading: data.Reading) -> list:
    """Return the when and where-it-repeats panels of a reading."""
    month_text = extra.month_label(reading.month)
    label = f"Incidents, by month {reading.basis}, {month_text}"
    weights, repeats = data.read_times_places(engine, scope, reading)
    return [
        panels.when_heatmap(weights, label),
        panels.repeats_panel(repeats, label, data.PLACE_TOLERANCE_METRES),
    ]


# Base map lines by (warehouse URL, country, station code). They hold geography
# only, the same for every user who may see the station, so they are shared
# between users once the caller has checked the user's scope.
# NOTE: kept for the life of the process; a new geography load shows after a
# restart of the app.
_BASE_MAPS: dict[tuple[str, str, str], station_map.BaseLines] = {}
MAX_BASE_MAPS = 256


def base_map(
    engine, scope: Scope, record: queries.StationRecord
) -> station_map.BaseLines:
    """Return the base map lines of a station, built once per process and station."""
    key = (str(engine.url), record.country_code, record.code)
    found = _BASE_MAPS.get(key)
    if found is None:
        found = station_map.base_lines(data.read_base_map(engine, scope, record))
        if len(_BASE_MAPS) >= MAX_BASE_MAPS:
            _BASE_MAPS.clear()
        _BASE_MAPS[key] = found
    return found


def map_view(
    engine,
    scope: Scope,
    reading: data.Reading,
    layer: str,
    bandwidth: float,
    cell: float,
    overlay: bool,
    tile_url: str = "",
):
    """Return the map figure and its caption for a reading and layer choice.

    With a ``tile_url`` the map is drawn on that tile server's raster tiles;
    without one it is the offline map.
    """
    found = data.read_map(engine, scope, reading, layer, cell, bandwidth, overlay)
    lines = base_map(engine, scope, found.station)
    sections = data.iccs_sections()
    if tile_url:
        projection = found.projection
        figure = station_tiles.tile_map_figure(
            lines,
            found.points,
            sections,
            tile_url,
            layer,
            found.surface,
            found.overlay,
            centre=(projection.lon0, projection.lat0),
        )
    else:
        figure = station_map.map_figure(
            lines,
            found.points,
            sections,
            layer,
            found.surface,
            found.overlay,
            centre_lat=found.projection.lat0,
        )
    month_text = extra.month_label(reading.month)
    caption = station_map.map_caption(
        f"Incident points, by month {reading.basis}, {month_text}",
        len(found.points),
        found.left_off,
        found.layer_note,
        found.overlay_note,
    )
    return figure, html.Div(caption)
