"""The Station workspace: read last month in the station area, then plan this month.

The page has the controls (station, month, ICCS categories, counting unit, date
basis) and the panels that read the month: map, CompStat, trend, when, where it
repeats, what and data quality, built in ``layouts.station_map`` and
``layouts.station_compstat``. The action plan comes last (``layouts.action_plan``).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data_access.reference import load_iccs_codes
from layouts import action_plan
from layouts import station_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading
from layouts.station_map import map_panel

TITLE = "Station workspace"

UNIT_OPTIONS = [
    {"label": "Incidents", "value": "incidents"},
    {"label": "Offences", "value": "offences"},
    {"label": "Victims", "value": "victims"},
]
BASIS_OPTIONS = [
    {"label": "Occurred", "value": "occurred"},
    {"label": "Reported", "value": "reported"},
]


def layout(context: PageContext) -> html.Div:
    """Build the Station workspace for the user in ``context``."""
    return html.Div(
        [
            page_heading(TITLE, context),
            controls(context),
            html.Div(id=ids.NOTICE),
            reading_panels(),
            action_plan.plan_section(),
        ]
    )


def _labelled(label: str, component, component_id: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id), component], **col)


def controls(context: PageContext) -> html.Div:
    """Build the pickers: station, month, unit, basis and ICCS categories."""
    countries = [{"label": name, "value": code} for code, name in context.countries]
    first_row = dbc.Row(
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
                md=3,
            ),
            _labelled(
                "Station",
                dcc.Dropdown(id=ids.STATION, options=[], clearable=False),
                ids.STATION,
                md=3,
            ),
            _labelled(
                "Month",
                dcc.Dropdown(id=ids.MONTH, options=[], clearable=False),
                ids.MONTH,
                md=2,
            ),
            _labelled(
                "Count",
                dbc.RadioItems(
                    id=ids.UNIT, options=UNIT_OPTIONS, value="incidents", inline=True
                ),
                ids.UNIT,
                md=2,
            ),
            _labelled(
                "Date basis",
                dbc.RadioItems(
                    id=ids.BASIS, options=BASIS_OPTIONS, value="occurred", inline=True
                ),
                ids.BASIS,
                md=2,
            ),
        ],
        className="g-2 mb-2",
    )
    categories = dbc.Accordion(
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
    return html.Div([first_row, categories])


def category_options(codes: tuple[dict, ...] | None = None) -> list[dict]:
    """Return the category tree as checklist options: sections, then divisions.

    A section's option covers its whole section; division options are indented
    under it.
    """
    rows = codes if codes is not None else load_iccs_codes()
    options = []
    for row in rows:
        if row["level"] == 1:
            label = html.Strong(f"{row['code']} {row['name']}")
        elif row["level"] == 2:
            label = html.Span(f"{row['code']} {row['name']}", className="ms-4")
        else:
            continue
        options.append({"label": label, "value": row["code"]})
    return options


def _card(title: str, body_id: str, **col) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            [
                dbc.CardHeader(html.H2(title, className="h6 mb-0")),
                dbc.CardBody(dcc.Loading(html.Div(id=body_id))),
            ],
            className="h-100",
        ),
        className="mb-3",
        **col,
    )


def reading_panels() -> html.Div:
    """Build the panels that read the month, empty until a station is chosen."""
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(map_panel(), lg=7, className="mb-3"),
                    _card("What: ICCS breakdown", ids.WHAT, lg=5),
                ]
            ),
            dbc.Row([_card("CompStat", ids.COMPSTAT, lg=12)]),
            dbc.Row(
                [
                    _card("Trend: 13 months against the year before", ids.TREND, lg=6),
                    _card("When: day of week by hour", ids.WHEN, lg=6),
                ]
            ),
            dbc.Row([_card("Where it repeats", ids.REPEATS, lg=12)]),
            dbc.Row([_card("Data quality", ids.QUALITY, lg=12)]),
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
