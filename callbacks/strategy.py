"""Callbacks of the Strategy view: pickers, then one callback per panel.

Every callback reads the country-wide rollups through ``callbacks.strategy_data``
and checks the user's scope there: a division or station scope, or a country
outside the scope, raises ``OutOfScope``, which ``scoped_callback`` turns into
an audited 403.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, html

from analysis.station_extra import month_label
from analysis.strategy_extra import DEFAULT_YOUTH_BAND, month_text
from callbacks import strategy_data as data
from callbacks.context import get_engine, scoped_callback
from data_access import strategy_queries as queries
from data_access.cache import current_generation
from data_access.scope import Scope
from data_access.stations import list_countries
from layouts import strategy_ids as ids
from layouts import (
    strategy_people,
    strategy_quality,
    strategy_stations,
    strategy_trends,
)
from layouts.strategy import ALL_DIVISIONS

VIEW_INPUTS = (
    Input(ids.COUNTRY, "value"),
    Input(ids.MONTH, "value"),
    Input(ids.DIVISION, "value"),
    Input(ids.CATEGORIES, "value"),
    Input(ids.UNIT, "value"),
    Input(ids.BASIS, "value"),
)


def register_callbacks(app: Dash) -> None:
    """Register the Strategy view's callbacks."""
    _register_pickers(app)
    _register_trends_and_stations(app)
    _register_people_quality_plans(app)


def make_view(country, month, division, categories, unit, basis, youth_band=None):
    """Return the ``View`` of the pickers' values, or ``None`` until all are set."""
    if not (country and month):
        return None
    selection = queries.Selection(
        country_code=country,
        basis=basis or "occurred",
        unit=unit or "incidents",
        division_code=None if division in (None, ALL_DIVISIONS) else division,
        categories=tuple(sorted(categories or ())),
    )
    return data.View(selection, int(month), youth_band or DEFAULT_YOUTH_BAND)


def _register_pickers(app: Dash) -> None:
    @app.callback(
        Output(ids.MONTH, "options"),
        Output(ids.MONTH, "value"),
        Output(ids.DIVISION, "options"),
        Output(ids.DIVISION, "value"),
        Input(ids.COUNTRY, "value"),
        Input(ids.BASIS, "value"),
        State(ids.MONTH, "value"),
        State(ids.DIVISION, "value"),
    )
    @scoped_callback
    def list_choices(scope, country, basis, month, division):
        """Offer the country's months and divisions when a country is picked."""
        if not country:
            return [], None, [], None
        return picker_values(get_engine(), scope, country, basis, month, division)


def picker_values(engine, scope: Scope, country, basis, month, division) -> tuple:
    """Return month options and value, division options and value."""
    months, default = data.month_choices(
        engine, scope, country, basis or "occurred", data.today()
    )
    divisions = queries.country_divisions(engine, scope, country)
    month_options = [{"label": month_label(m), "value": m} for m in months]
    division_options = [{"label": "All divisions", "value": ALL_DIVISIONS}] + [
        {"label": name, "value": code} for code, name in divisions
    ]
    if month not in months:
        month = default
    if division not in {option["value"] for option in division_options}:
        division = ALL_DIVISIONS
    return month_options, month, division_options, division


def _register_trends_and_stations(app: Dash) -> None:
    @app.callback(Output(ids.TRENDS, "children"), *VIEW_INPUTS)
    @scoped_callback
    def show_trends(scope, country, month, division, categories, unit, basis):
        """Draw the national trends and list the flagged months."""
        view = make_view(country, month, division, categories, unit, basis)
        if view is None:
            return None
        return trends_view(get_engine(), scope, view)

    @app.callback(
        Output(ids.STATIONS, "children"),
        Output(ids.STATION_MAP, "figure"),
        Output(ids.MAP_NOTE, "children"),
        *VIEW_INPUTS,
        Input(ids.MAP_COLOUR, "value"),
    )
    @scoped_callback
    def show_stations(scope, country, month, division, categories, unit, basis, colour):
        """Build the station table and colour the station map."""
        view = make_view(country, month, division, categories, unit, basis)
        if view is None:
            return None, {}, None
        return stations_view(get_engine(), scope, view, colour or "rate")


def trends_view(engine, scope: Scope, view: data.View) -> html.Div:
    """Return the trend panel of a view."""
    country = view.selection.country_code
    names = dict(list_countries(engine, scope))
    area = data.area_name(engine, scope, view, names.get(country, country))
    trends = data.read_trends(engine, scope, view, area)
    return strategy_trends.trends_panel(trends, view.label)


# Simplified station outlines by (warehouse URL, warehouse generation, country).
# They hold geography only, the same for every user who may read the country, so
# they are shared once the caller's scope has been checked. A geography load or
# an import starts a new generation, after which the outlines are drawn again.
_SHAPES: dict[tuple[str, str, str], dict] = {}
MAX_SHAPES = 32


def shapes_for(engine, scope: Scope, country: str) -> dict:
    """Return the country's simplified station outlines, computed once per change."""
    queries.check_national(scope, country)
    key = (str(engine.url), current_generation(engine), country)
    found = _SHAPES.get(key)
    if found is None:
        found = data.station_shapes(engine, scope, country)
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[key] = found
    return found


def stations_view(engine, scope: Scope, view: data.View, colour: str):
    """Return the station table panel, the map figure and the map caption."""
    country = view.selection.country_code
    table = data.read_stations(engine, scope, view)
    months = month_text(view.month)
    panel = strategy_stations.stations_panel(table, country, view.label, months)
    values = strategy_stations.map_values(table, colour)
    names = dict(zip(table["code"], table["name"], strict=True))
    shapes = shapes_for(engine, scope, country)
    figure = strategy_stations.station_map(shapes, values, names, colour)
    drawn = len(set(shapes) & set(names))
    note = strategy_stations.map_note(values, colour, view.label, months, drawn)
    return panel, figure, note


def _register_people_quality_plans(app: Dash) -> None:
    @app.callback(
        Output(ids.PEOPLE, "children"), *VIEW_INPUTS, Input(ids.YOUTH_BAND, "value")
    )
    @scoped_callback
    def show_people(scope, country, month, division, categories, unit, basis, band):
        """Show victims and suspects by sex and youth band, and firearm shares."""
        view = make_view(country, month, division, categories, unit, basis, band)
        if view is None:
            return None
        summary, firearms = data.read_people(get_engine(), scope, view)
        return strategy_people.people_panel(
            summary, firearms, view.youth_band, view.selection.basis, view.month
        )

    @app.callback(
        Output(ids.QUALITY, "children"),
        Input(ids.COUNTRY, "value"),
        Input(ids.MONTH, "value"),
        Input(ids.DIVISION, "value"),
    )
    @scoped_callback
    def show_quality(scope, country, month, division):
        """Show the data-quality measures of every station."""
        view = make_view(country, month, division, [], None, None)
        if view is None:
            return None
        table = data.read_quality(get_engine(), scope, view)
        span = data.quality_span(view.month)
        return strategy_quality.quality_panel(table, country, span)

    @app.callback(Output(ids.PLANS, "children"), *VIEW_INPUTS)
    @scoped_callback
    def show_plans(scope, country, month, division, categories, unit, basis):
        """List every station's plan of the month and last month's outcomes."""
        view = make_view(country, month, division, categories, unit, basis)
        if view is None:
            return None
        engine = get_engine()
        stations = data.read_plan_counts(engine, scope, view)
        plans = data.read_plans(engine, scope, view, stations)
        return strategy_quality.plans_panel(plans, country)
