"""The Strategy view: a country's month read from the monthly rollups.

The page has the controls (country, month, division, ICCS categories, counting
unit, date basis, youth band) and five panels: national trends
(``layouts.strategy_trends``), stations with their map
(``layouts.strategy_stations``), youth and gender (``layouts.strategy_people``),
data quality by station and action plans (``layouts.strategy_quality``).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analysis.strategy_extra import DEFAULT_YOUTH_BAND
from layouts import strategy_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading
from layouts.station import BASIS_OPTIONS, UNIT_OPTIONS, category_options

TITLE = "Strategy"

ALL_DIVISIONS = "all"
YOUTH_OPTIONS = [
    {"label": "10 to 29 (CARICOM, WHO)", "value": "10-29"},
    {"label": "15 to 24", "value": "15-24"},
    {"label": "15 to 29", "value": "15-29"},
]
MAP_COLOUR_OPTIONS = [
    {"label": "Rate per 10,000", "value": "rate"},
    {"label": "Change score", "value": "score"},
]


def layout(context: PageContext) -> html.Div:
    """Build the Strategy view for the user in ``context``."""
    return html.Div(
        [
            page_heading(TITLE, context),
            controls(context),
            html.Div(id=ids.NOTICE),
            panels(),
        ],
        id=ids.BODY,
    )


def _labelled(label: str, component, component_id: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id), component], **col)


def _radio(component_id: str, options: list[dict], value: str) -> dbc.RadioItems:
    return dbc.RadioItems(id=component_id, options=options, value=value, inline=True)


def controls(context: PageContext) -> html.Div:
    """Build the pickers: country, month, division, unit, basis, youth band."""
    countries = [{"label": name, "value": code} for code, name in context.countries]
    pickers = dbc.Row(
        [
            _labelled(
                "Country",
                dcc.Dropdown(
                    id=ids.COUNTRY,
                    options=countries,
                    value=countries[0]["value"] if countries else None,
                    clearable=False,
                ),
                ids.COUNTRY,
                md=2,
            ),
            _labelled(
                "Month",
                dcc.Dropdown(id=ids.MONTH, options=[], clearable=False),
                ids.MONTH,
                md=2,
            ),
            _labelled(
                "Division",
                dcc.Dropdown(id=ids.DIVISION, options=[], clearable=False),
                ids.DIVISION,
                md=2,
            ),
            _labelled("Count", _radio(ids.UNIT, UNIT_OPTIONS, "incidents"), ids.UNIT),
            _labelled(
                "Date basis", _radio(ids.BASIS, BASIS_OPTIONS, "occurred"), ids.BASIS
            ),
            _labelled(
                "Youth band",
                _radio(ids.YOUTH_BAND, YOUTH_OPTIONS, DEFAULT_YOUTH_BAND),
                ids.YOUTH_BAND,
            ),
        ],
        className="g-2 mb-2",
    )
    return html.Div([pickers, _categories()])


def _categories() -> dbc.Accordion:
    return dbc.Accordion(
        dbc.AccordionItem(
            dcc.Checklist(
                id=ids.CATEGORIES,
                options=category_options(),
                value=[],
                labelStyle={"display": "block"},
                inputClassName="me-1",
            ),
            title="ICCS categories (none ticked: all categories)",
        ),
        start_collapsed=True,
        className="mb-3",
    )


def card(title: str, body, **col) -> dbc.Col:
    """Return a titled panel card in a grid column."""
    return dbc.Col(
        dbc.Card(
            [
                dbc.CardHeader(html.H2(title, className="h6 mb-0")),
                dbc.CardBody(body),
            ],
            className="h-100",
        ),
        className="mb-3",
        **col,
    )


def _loading(component_id: str) -> dcc.Loading:
    return dcc.Loading(html.Div(id=component_id))


def panels() -> html.Div:
    """Build the five panels, empty until a country and month are chosen."""
    stations = html.Div(
        [
            _loading(ids.STATIONS),
            html.Div(
                [
                    dbc.Label("Colour station areas by", html_for=ids.MAP_COLOUR),
                    _radio(ids.MAP_COLOUR, MAP_COLOUR_OPTIONS, "rate"),
                ],
                className="mt-3",
            ),
            dcc.Loading(dcc.Graph(id=ids.STATION_MAP, config={"displaylogo": False})),
            html.Div(id=ids.MAP_NOTE, className="small text-muted"),
        ]
    )
    return html.Div(
        [
            dbc.Row([card("National trends", _loading(ids.TRENDS), lg=12)]),
            dbc.Row([card("Stations", stations, lg=12)]),
            dbc.Row([card("Youth and gender", _loading(ids.PEOPLE), lg=12)]),
            dbc.Row([card("Data quality by station", _loading(ids.QUALITY), lg=12)]),
            dbc.Row([card("Action plans", _loading(ids.PLANS), lg=12)]),
        ]
    )


PAGE = Page(
    path="/strategy",
    title=TITLE,
    roles=frozenset({"commissioner", "crime_analyst", "administrator"}),
    layout=layout,
    ids=ids,
    id_prefix="strategy-",
    landing_roles=frozenset({"commissioner", "crime_analyst"}),
)
