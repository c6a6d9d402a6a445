"""The Station workspace: a station picker and the station's incidents by month."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from layouts import station_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Station workspace"


def layout(context: PageContext) -> html.Div:
    """Build the Station workspace for the user in ``context``."""
    countries = [{"label": name, "value": code} for code, name in context.countries]
    pickers = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Country", html_for=ids.COUNTRY),
                    dcc.Dropdown(
                        id=ids.COUNTRY,
                        options=countries,
                        value=countries[0]["value"] if countries else None,
                        clearable=False,
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Label("Station", html_for=ids.STATION),
                    dcc.Dropdown(id=ids.STATION, options=[], clearable=False),
                ],
                md=4,
            ),
        ],
        className="mb-3",
    )
    return html.Div([page_heading(TITLE, context), pickers, html.Div(id=ids.SUMMARY)])


def monthly_table(counts: pd.DataFrame, station_name: str) -> html.Div:
    """Build the table of a station's incidents per month from ``counts``.

    ``counts`` has columns ``month`` (integer ``YYYYMM``) and ``incidents``.
    """
    if counts.empty:
        return dbc.Alert(
            f"No incidents are recorded for {station_name}.", color="secondary"
        )
    rows = [
        html.Tr([html.Td(f"{month // 100}-{month % 100:02d}"), html.Td(f"{count:,}")])
        for month, count in zip(counts["month"], counts["incidents"], strict=True)
    ]
    return html.Div(
        [
            html.H2(f"Incidents by month, {station_name}", className="h5"),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th("Month"), html.Th("Incidents")])),
                    html.Tbody(rows),
                ],
                striped=True,
                size="sm",
                className="w-auto",
            ),
        ]
    )


PAGE = Page(
    path="/station",
    title=TITLE,
    roles=frozenset(
        {
            "station_commander",
            "divisional_commander",
            "commissioner",
            "crime_analyst",
            "administrator",
        }
    ),
    layout=layout,
    ids=ids,
    id_prefix="station-",
    landing_roles=frozenset({"station_commander", "divisional_commander"}),
)
