"""Callbacks of the Regional comparison page.

The countries compared are every country in the user's scope, listed on the
server; the browser sends only years and categories.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from callbacks import policy_export
from callbacks import regional_data as data
from callbacks.context import get_engine, scoped_callback
from callbacks.indicators import MAX_YEARS, threshold
from data_access import indicator_queries
from data_access.stations import list_countries
from layouts import regional as page
from layouts import regional_ids as ids

logger = logging.getLogger(__name__)


def make_request(scope, year_from, year_to, categories, chart_category):
    """Return a ``RegionalRequest`` of every country in scope."""
    if year_from is None or year_to is None:
        raise PreventUpdate
    year_from, year_to = sorted((int(year_from), int(year_to)))
    year_from = max(year_from, year_to - MAX_YEARS + 1)
    chosen = tuple(categories or data.DEFAULT_CATEGORIES)
    if chart_category and chart_category not in chosen:
        chosen += (chart_category,)
    countries = tuple(code for code, _ in list_countries(get_engine(), scope))
    return data.RegionalRequest(countries, year_from, year_to, chosen)


def register_callbacks(app: Dash) -> None:
    """Register the page's callbacks and the export routes."""

    @app.callback(
        Output(ids.YEAR_FROM, "options"),
        Output(ids.YEAR_FROM, "value"),
        Output(ids.YEAR_TO, "options"),
        Output(ids.YEAR_TO, "value"),
        Output(ids.CATEGORIES, "value"),
        Input(ids.BODY, "id"),
    )
    @scoped_callback
    def list_years(scope, _body):
        """Offer the years with counts in any country in scope."""
        engine = get_engine()
        codes = tuple(code for code, _ in list_countries(engine, scope))
        spans = indicator_queries.countries_data_months(engine, scope, codes)
        months = [span for span in spans.values() if span[0] is not None]
        if not months:
            return [], None, [], None, list(data.DEFAULT_CATEGORIES)
        first = min(m[0] for m in months) // 100
        last = max(m[1] for m in months) // 100
        # Default to the last year of the median country, so that one country
        # ahead of the others does not leave the rest without data.
        year_to = sorted(m[1] // 100 for m in months)[len(months) // 2]
        options = page.year_options(first, last)
        year_from = max(first, year_to - MAX_YEARS + 1)
        return options, year_from, options, year_to, list(data.DEFAULT_CATEGORIES)

    @app.callback(
        Output(ids.RATES, "children"),
        Output(ids.EXPORTS, "children"),
        Input(ids.YEAR_FROM, "value"),
        Input(ids.YEAR_TO, "value"),
        Input(ids.CATEGORIES, "value"),
        Input(ids.CHART_CATEGORY, "value"),
    )
    @scoped_callback
    def show_rates(scope, year_from, year_to, categories, chart_category):
        """Show rates and mapping coverage of every country in scope."""
        request = make_request(scope, year_from, year_to, categories, chart_category)
        engine = get_engine()
        panel = data.rates_panel(engine, scope, request, threshold())
        names = dict(list_countries(engine, scope))
        query = urlencode(
            {
                "year_from": request.year_from,
                "year_to": request.year_to,
                "categories": ",".join(request.categories),
            }
        )
        card = page.rates_section(panel, names, chart_category, request.year_to)
        return card, page.export_links(query)

    @app.callback(
        Output(ids.HOMICIDE, "children"),
        Input(ids.YEAR_FROM, "value"),
        Input(ids.YEAR_TO, "value"),
    )
    @scoped_callback
    def show_homicide(scope, year_from, year_to):
        """Show computed beside published intentional homicide rates."""
        request = make_request(scope, year_from, year_to, None, None)
        engine = get_engine()
        panel = data.homicide_panel(engine, scope, request, threshold())
        return page.homicide_section(panel, dict(list_countries(engine, scope)))

    policy_export.register_routes(app.server)
