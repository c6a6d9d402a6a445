"""Callbacks of the Station workspace: the station picker and its monthly counts."""

from __future__ import annotations

from dash import Dash, Input, Output, State

from callbacks.context import get_engine, scoped_callback
from data_access.stations import list_stations, station_summary
from layouts import station as station_layout
from layouts import station_ids as ids


def register_callbacks(app: Dash) -> None:
    """Register the Station workspace callbacks."""

    @app.callback(
        Output(ids.STATION, "options"),
        Output(ids.STATION, "value"),
        Input(ids.COUNTRY, "value"),
    )
    @scoped_callback
    def list_country_stations(scope, country_code):
        """List the stations in scope when the user picks a country."""
        if not country_code:
            return [], None
        stations = list_stations(get_engine(), scope, country_code)
        options = [{"label": s.name, "value": s.code} for s in stations]
        return options, options[0]["value"] if options else None

    @app.callback(
        Output(ids.SUMMARY, "children"),
        Input(ids.STATION, "value"),
        State(ids.COUNTRY, "value"),
    )
    @scoped_callback
    def show_station_summary(scope, station_code, country_code):
        """Show the picked station's incidents per month."""
        if not station_code or not country_code:
            return None
        counts = station_summary(get_engine(), scope, station_code, country_code)
        return station_layout.monthly_table(counts, station_code)
