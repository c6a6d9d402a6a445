"""The Policy indicators page: national rates by year, SDG 16 and youth panels.

Ministry officials land here; commissioners, analysts and administrators may
open it too. The page reads yearly aggregates only, and every number on it has
passed the disclosure control of ``analysis.disclosure``. The builders below
take released panels (``layouts.policy_panels.Panel``) and never query.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analysis.rates import YOUTH_BANDS
from data_access.reference import load_iccs_codes
from layouts import indicators_ids as ids
from layouts import policy_panels as ui
from layouts.figures import figure
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Indicators"
RATE_BASES = [
    {"label": "per 100,000", "value": "per_100k"},
    {"label": "per 10,000", "value": "per_10k"},
]
SEX_LABELS = {"all": "Both sexes", "F": "Female", "M": "Male", "unknown": "Sex unknown"}
RELATIONSHIP_LABELS = {
    "intimate_partner": "Intimate partner",
    "family": "Family member",
    "other_recorded": "Other recorded relationship",
    "unknown": "Relationship not recorded",
    "all": "All victims",
}


def layout(context: PageContext) -> html.Div:
    """Build the Policy indicators page for the user in ``context``."""
    return html.Div(
        [
            page_heading(TITLE, context),
            controls(context),
            html.Div(id=ids.NOTICE),
            html.Div(id=ids.EXPORTS, className="mb-3"),
            dcc.Loading(html.Div(id=ids.OFFENCES)),
            dcc.Loading(html.Div(id=ids.SDG)),
            dcc.Loading(html.Div(id=ids.YOUTH_PANEL)),
            dcc.Loading(html.Div(id=ids.AREAS)),
        ],
        id=ids.BODY,
    )


def _labelled(label: str, component, component_id: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id), component], **col)


def division_options() -> list[dict]:
    """Return the ICCS divisions as dropdown options."""
    return [
        {"label": f"{row['code']} {row['name']}", "value": row["code"]}
        for row in load_iccs_codes()
        if int(row["level"]) == 2
    ]


def controls(context: PageContext) -> dbc.Row:
    """Build the pickers: country, years, divisions, youth range, rate base."""
    countries = [{"label": name, "value": code} for code, name in context.countries]
    youth = [
        {"label": label, "value": name} for name, (_, label) in YOUTH_BANDS.items()
    ]
    return dbc.Row(
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
                "From",
                dcc.Dropdown(id=ids.YEAR_FROM, clearable=False),
                ids.YEAR_FROM,
                md=1,
            ),
            _labelled(
                "To", dcc.Dropdown(id=ids.YEAR_TO, clearable=False), ids.YEAR_TO, md=1
            ),
            _labelled(
                "Divisions",
                dcc.Dropdown(
                    id=ids.DIVISIONS,
                    options=division_options(),
                    value=["0101", "0501", "0401"],
                    multi=True,
                ),
                ids.DIVISIONS,
                md=4,
            ),
            _labelled(
                "Youth",
                dcc.Dropdown(
                    id=ids.YOUTH, options=youth, value="10-29", clearable=False
                ),
                ids.YOUTH,
                md=2,
            ),
            _labelled(
                "Rates",
                dbc.RadioItems(id=ids.RATE_BASE, options=RATE_BASES, value="per_100k"),
                ids.RATE_BASE,
                md=2,
            ),
        ],
        className="mb-3 g-2",
    )


def year_options(first_year: int, last_year: int) -> list[dict]:
    """Return the years with data as dropdown options."""
    return [{"label": str(y), "value": y} for y in range(first_year, last_year + 1)]


def category_chart(panel: ui.Panel, base: str) -> dcc.Graph:
    """Build a line chart of the shown rates by section and year."""
    lines: dict[str, dict] = {}
    for row in ui.records(panel.table):
        name = f"{row['code']} {row['name']}"[:40]
        line = lines.setdefault(row["code"], {"x": [], "y": [], "name": name})
        if not ui.is_missing(row[base]):
            line["x"].append(row["year"])
            line["y"].append(row[base])
    traces = [
        {
            "type": "scatter",
            "x": line["x"],
            "y": line["y"],
            "mode": "lines+markers",
            "name": line["name"],
        }
        for line in lines.values()
    ]
    layout = {
        "height": 320,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "yaxis": {"title": {"text": f"Incidents {_base_label(base)}"}},
        "xaxis": {"dtick": 1},
        "legend": {"font": {"size": 10}},
    }
    return dcc.Graph(figure=figure(traces, layout), config={"displaylogo": False})


def _base_label(base: str) -> str:
    return "per 10,000" if base == "per_10k" else "per 100,000"


def category_card(panel: ui.Panel, base: str, table_id: str | None = None) -> dbc.Card:
    """Build a card of incidents and rates by category and year."""
    if panel.table.empty:
        return ui.panel_card(panel, html.P("No categories chosen.", className="small"))
    table = ui.wide_table(
        panel.table,
        lambda row: (
            f"{row['code']} {row['name']}" if len(row["code"]) <= 4 else row["name"]
        ),
        ["code"],
        lambda row: ui.rate_text(row, base),
        table_id,
    )
    pooled = ui.wide_table(
        panel.table,
        lambda row: (
            f"{row['code']} {row['name']}" if len(row["code"]) <= 4 else row["name"]
        ),
        ["code"],
        lambda row: ui.number(row.get("pooled_3y_per_100k")),
    )
    return ui.panel_card(
        panel,
        html.Div(
            [
                html.P(f"Rate {_base_label(base)} (incidents)", className="small mb-1"),
                table,
                html.P(
                    "Three-year pooled rate per 100,000, ending with the year",
                    className="small mb-1",
                ),
                pooled,
            ]
        ),
    )


def offence_section(panels: list[ui.Panel], base: str) -> html.Div:
    """Build the sections, divisions and firearm cards."""
    sections, divisions, firearms = panels
    chart_data = ui.Panel(
        sections.key,
        sections.title,
        sections.table[sections.table["code"].str.len() == 2],
        sections.metadata,
    )
    return html.Div(
        [
            category_card(sections, base, ids.SECTIONS_TABLE),
            category_chart(chart_data, base),
            category_card(divisions, base),
            firearm_card(firearms, base),
        ]
    )


def firearm_card(panel: ui.Panel, base: str) -> dbc.Card:
    """Build the card of incidents involving a firearm."""
    rows = []
    found = ui.records(panel.table)
    for label, cell in (
        ("Firearm incidents", lambda r: ui.count_text(r["firearm_incidents"])),
        ("Share of all incidents", lambda r: ui.percent_text(r["firearm_share"])),
        (
            f"Rate {_base_label(base)}",
            lambda r: ui.rate_text(r, base, "firearm_incidents"),
        ),
    ):
        rows += [
            {"year": record["year"], "row": label, "text": cell(record)}
            for record in found
        ]
    frame = pd.DataFrame(rows, columns=["year", "row", "text"])
    table = ui.wide_table(frame, lambda r: r["row"], ["row"], lambda r: r["text"])
    return ui.panel_card(panel, table)


def persons_card(panel: ui.Panel, year: int) -> dbc.Card:
    """Build a card of victims by sex and year, and by age band in ``year``."""
    table = panel.table
    by_sex = table[(table["age_band"] == "all")]
    by_year = ui.wide_table(
        by_sex,
        lambda r: SEX_LABELS.get(r["sex"], r["sex"]),
        ["sex"],
        lambda r: ui.rate_text(r, "per_100k", "persons"),
    )
    by_age = table[(table["year"] == year) & (table["age_band"] != "all")]
    ages = ui.wide_table(
        by_age.assign(year=by_age["sex"].map(SEX_LABELS)),
        lambda r: r["age_band"],
        ["age_band"],
        lambda r: ui.rate_text(r, "per_100k", "persons"),
    )
    return ui.panel_card(
        panel,
        html.Div(
            [
                html.P("Victims per 100,000 (victims), by sex", className="small mb-1"),
                by_year,
                html.P(f"By age band and sex, {year}", className="small mb-1"),
                ages,
            ]
        ),
    )


def relationship_card(panel: ui.Panel) -> dbc.Card:
    """Build the card of victims by relationship to the suspect."""
    table = panel.table
    rows = table[
        (table["sex"] == "all") | (table["relationship"] == "intimate_partner")
    ]
    body = ui.wide_table(
        rows,
        lambda r: (
            f"{RELATIONSHIP_LABELS[r['relationship']]}, {SEX_LABELS[r['sex']].lower()}"
        ),
        ["relationship", "sex"],
        lambda r: ui.rate_text(r, "per_100k", "victims"),
    )
    return ui.panel_card(panel, body)


def sdg_section(panels: list[ui.Panel], year: int) -> html.Div:
    """Build the homicide, trafficking, sexual violence and relationship cards."""
    *people, relationships = panels
    return html.Div(
        [persons_card(panel, year) for panel in people]
        + [relationship_card(relationships)]
    )


def youth_card(panel: ui.Panel) -> dbc.Card:
    """Build the card of youth victims and suspects."""
    body = ui.wide_table(
        panel.table,
        lambda r: "Young victims" if r["role"] == "victim" else "Young suspects",
        ["role"],
        _youth_cell,
    )
    return ui.panel_card(panel, body)


def _youth_cell(row) -> str:
    text = ui.rate_text(row, "per_100k", "persons")
    return text + " (no population by age)" if row["population_missing"] else text


def _yes(value) -> str:
    return "yes" if not ui.is_missing(value) and value else ""


def area_card(panel: ui.Panel) -> dbc.Card:
    """Build the card of admin areas with raw, smoothed and pooled rates."""
    columns = [
        ("name", "Admin area", ui.plain),
        ("incidents", "Incidents", ui.count_text),
        ("population", "Population", lambda v: ui.number(v, 0)),
        ("per_100k", "Rate per 100,000", ui.number),
        ("smoothed_per_100k", "Smoothed (empirical Bayes)", ui.number),
        ("pooled_3y_per_100k", "3-year pooled", ui.number),
        ("unstable", "Unstable", _yes),
    ]
    return ui.panel_card(panel, ui.long_table(panel.table, columns))


def export_links(query: str) -> html.Div:
    """Build the download links of the page's exports."""
    return html.Div(
        [
            html.Span("Download: ", className="small me-2"),
            html.A(
                "Excel",
                id=ids.EXPORT_XLSX,
                href=f"/export/indicators.xlsx?{query}",
                className="btn btn-sm btn-outline-primary me-2",
            ),
            html.A(
                "CSV (zip)",
                id=ids.EXPORT_CSV,
                href=f"/export/indicators.zip?{query}",
                className="btn btn-sm btn-outline-primary me-2",
            ),
            html.A(
                "PDF report",
                id=ids.EXPORT_PDF,
                href=f"/export/indicators.pdf?{query}",
                className="btn btn-sm btn-outline-primary",
            ),
        ]
    )


def notice(text: str) -> dbc.Alert:
    """Build a notice above the panels."""
    return dbc.Alert(text, color="warning", className="small")


PAGE = Page(
    path="/indicators",
    title=TITLE,
    roles=frozenset(
        {"ministry_official", "commissioner", "crime_analyst", "administrator"}
    ),
    layout=layout,
    ids=ids,
    id_prefix="indicators-",
    landing_roles=frozenset({"ministry_official"}),
)
