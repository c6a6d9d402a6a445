"""Callbacks of the Policy indicators page, and its export routes.

Every callback reads yearly aggregates through ``callbacks.indicator_data``,
whose panels have passed ``analysis.disclosure.release``. The exports
(``callbacks.policy_export``) build the same panels.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from flask import current_app

from callbacks import indicator_data as data
from callbacks import policy_export
from callbacks.context import SETTINGS_KEY, get_engine, scoped_callback
from data_access import indicator_queries as queries
from layouts import indicators as page
from layouts import indicators_ids as ids

logger = logging.getLogger(__name__)

# Most years one request may show; older years are pooled from two more.
MAX_YEARS = 10
DEFAULT_YEARS = 10


def threshold() -> int:
    """Return the configured suppression threshold."""
    return current_app.config[SETTINGS_KEY].suppression_threshold


def make_request(country, year_from, year_to, divisions=(), youth="10-29"):
    """Return a ``Request`` from the pickers, or stop the update if incomplete.

    A span longer than ``MAX_YEARS`` keeps its last ``MAX_YEARS`` years.
    """
    if not country or year_from is None or year_to is None:
        raise PreventUpdate
    year_from, year_to = sorted((int(year_from), int(year_to)))
    year_from = max(year_from, year_to - MAX_YEARS + 1)
    return data.Request(
        country_code=country,
        year_from=year_from,
        year_to=year_to,
        divisions=tuple(sorted(set(divisions or ()))),
        youth=youth or "10-29",
    )


def export_query(request: data.Request) -> str:
    """Return the query string of the export links for ``request``."""
    return urlencode(
        {
            "country": request.country_code,
            "year_from": request.year_from,
            "year_to": request.year_to,
            "divisions": ",".join(request.divisions),
            "youth": request.youth,
        }
    )


def register_callbacks(app: Dash) -> None:
    """Register the page's callbacks and its export routes."""
    _register_years(app)
    _register_panels(app)
    policy_export.register_routes(app.server)


def _register_years(app: Dash) -> None:
    @app.callback(
        Output(ids.YEAR_FROM, "options"),
        Output(ids.YEAR_FROM, "value"),
        Output(ids.YEAR_TO, "options"),
        Output(ids.YEAR_TO, "value"),
        Output(ids.NOTICE, "children"),
        Input(ids.COUNTRY, "value"),
    )
    @scoped_callback
    def list_years(scope, country):
        """Offer the country's years with data; default to the last ten."""
        if not country:
            raise PreventUpdate
        first, last = queries.data_months(get_engine(), scope, country)
        if first is None:
            message = page.notice("No counts have been imported for this country.")
            return [], None, [], None, message
        first_year, last_year = first // 100, last // 100
        options = page.year_options(first_year, last_year)
        year_from = max(first_year, last_year - DEFAULT_YEARS + 1)
        notice = None
        if last % 100 != 12:
            notice = page.notice(
                f"{last_year} has counts up to month {last % 100} only; its "
                "rates are not comparable with whole years."
            )
        return options, year_from, options, last_year, notice


def _register_panels(app: Dash) -> None:
    years = (
        Input(ids.COUNTRY, "value"),
        Input(ids.YEAR_FROM, "value"),
        Input(ids.YEAR_TO, "value"),
    )

    @app.callback(
        Output(ids.OFFENCES, "children"),
        Output(ids.EXPORTS, "children"),
        *years,
        Input(ids.DIVISIONS, "value"),
        Input(ids.RATE_BASE, "value"),
        State(ids.YOUTH, "value"),
    )
    @scoped_callback
    def show_offences(scope, country, year_from, year_to, divisions, base, youth):
        """Show rates by section, chosen division and firearm involvement."""
        request = make_request(country, year_from, year_to, divisions, youth)
        context = data.make_context(get_engine(), scope, request, threshold())
        panels = data.offence_panels(context)
        links = page.export_links(export_query(request))
        return page.offence_section(panels, base or "per_100k"), links

    @app.callback(Output(ids.SDG, "children"), *years)
    @scoped_callback
    def show_sdg(scope, country, year_from, year_to):
        """Show the SDG 16 panels: homicide, trafficking, sexual violence."""
        request = make_request(country, year_from, year_to)
        context = data.make_context(get_engine(), scope, request, threshold())
        return page.sdg_section(data.sdg_panels(context), request.year_to)

    @app.callback(
        Output(ids.YOUTH_PANEL, "children"), *years, Input(ids.YOUTH, "value")
    )
    @scoped_callback
    def show_youth(scope, country, year_from, year_to, youth):
        """Show youth victimisation and offending for the chosen youth range."""
        request = make_request(country, year_from, year_to, youth=youth)
        context = data.make_context(get_engine(), scope, request, threshold())
        return page.youth_card(data.youth_panel(context))

    @app.callback(Output(ids.AREAS, "children"), *years)
    @scoped_callback
    def show_areas(scope, country, year_from, year_to):
        """Show the admin areas with raw, smoothed and pooled rates."""
        request = make_request(country, year_from, year_to)
        context = data.make_context(get_engine(), scope, request, threshold())
        return page.area_card(data.area_panels(context)[0])
