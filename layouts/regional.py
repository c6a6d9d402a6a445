"""The Regional comparison page: the eight countries side by side on ICCS.

The regional observatory lands here; administrators may open it too. Each
rate is shown with the country's mapping coverage of its category, and a
warning below 90%, because a country that maps fewer offences to ICCS looks
safer than it is. Every number has passed ``analysis.disclosure``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data_access.reference import load_iccs_codes
from layouts import policy_panels as ui
from layouts import regional_ids as ids
from layouts.figures import figure
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Regional comparison"
WARNING_MARK = "⚠"


def layout(context: PageContext) -> html.Div:
    """Build the Regional comparison page for the user in ``context``."""
    return html.Div(
        [
            page_heading(TITLE, context),
            controls(),
            html.Div(id=ids.NOTICE),
            html.Div(id=ids.EXPORTS, className="mb-3"),
            dcc.Loading(html.Div(id=ids.RATES)),
            dcc.Loading(html.Div(id=ids.HOMICIDE)),
        ],
        id=ids.BODY,
    )


def category_options() -> list[dict]:
    """Return the ICCS sections and divisions as dropdown options."""
    options = [{"label": "All offences", "value": "TOTAL"}]
    options += [
        {"label": f"{row['code']} {row['name']}", "value": row["code"]}
        for row in load_iccs_codes()
        if int(row["level"]) <= 2
    ]
    return options


def _labelled(label: str, component, component_id: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id), component], **col)


def controls() -> dbc.Row:
    """Build the pickers: years, categories compared and the category charted."""
    options = category_options()
    return dbc.Row(
        [
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
                "Categories compared",
                dcc.Dropdown(id=ids.CATEGORIES, options=options, multi=True),
                ids.CATEGORIES,
                md=6,
            ),
            _labelled(
                "Category by year",
                dcc.Dropdown(
                    id=ids.CHART_CATEGORY,
                    options=options,
                    value="0101",
                    clearable=False,
                ),
                ids.CHART_CATEGORY,
                md=4,
            ),
        ],
        className="mb-3 g-2",
    )


def _coverage_text(row) -> str:
    coverage = row.get("mapping_coverage")
    if ui.is_missing(coverage):
        return ""
    mark = f" {WARNING_MARK}" if row.get("coverage_warning") else ""
    return f"{ui.percent_text(coverage)}{mark}"


def _country_label(names: dict):
    return lambda row: names.get(row["country_code"], row["country_code"])


def latest_table(panel: ui.Panel, names: dict, year: int) -> dbc.Table:
    """Build countries by categories for one year: rate, count and coverage.

    Every country in ``names`` has a row; a category without counts in that
    year reads "no data", never 0.
    """
    table = panel.table[panel.table["year"] == year]
    codes = list(dict.fromkeys(panel.table["code"]))
    cells = {(row["country_code"], row["code"]): row for row in ui.records(table)}
    header = html.Thead(html.Tr([html.Th("")] + [html.Th(code) for code in codes]))
    body = []
    for country, name in names.items():
        texts = [_latest_cell(cells.get((country, code))) for code in codes]
        body.append(html.Tr([html.Th(name, scope="row")] + [html.Td(t) for t in texts]))
    return dbc.Table(
        [header, html.Tbody(body)],
        id=ids.RATES_TABLE,
        size="sm",
        bordered=True,
        hover=True,
        responsive=True,
        className="small",
    )


def _latest_cell(row) -> str:
    if row is None:
        return "no data"
    return f"{ui.rate_text(row)} {_coverage_text(row)}".strip()


def category_table(panel: ui.Panel, names: dict, code: str) -> dbc.Table:
    """Build countries by years for one category: rate, count and coverage."""
    table = panel.table[panel.table["code"] == code]
    return ui.wide_table(
        table,
        _country_label(names),
        ["country_code"],
        lambda row: f"{ui.rate_text(row)} {_coverage_text(row)}".strip(),
    )


def category_chart(panel: ui.Panel, names: dict, code: str) -> dcc.Graph:
    """Build a line chart of one category's shown rates, a line per country."""
    lines: dict[str, dict] = {}
    for row in ui.records(panel.table):
        if row["code"] != code:
            continue
        line = lines.setdefault(row["country_code"], {"x": [], "y": []})
        if not ui.is_missing(row["per_100k"]):
            line["x"].append(row["year"])
            line["y"].append(row["per_100k"])
    traces = [
        {
            "type": "scatter",
            "x": line["x"],
            "y": line["y"],
            "mode": "lines+markers",
            "name": names.get(country, country),
        }
        for country, line in lines.items()
    ]
    layout = {
        "height": 320,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "yaxis": {"title": {"text": "Incidents per 100,000"}},
        "xaxis": {"dtick": 1},
    }
    return dcc.Graph(figure=figure(traces, layout), config={"displaylogo": False})


def rates_section(panel: ui.Panel, names: dict, code: str, year: int) -> dbc.Card:
    """Build the card of rates and coverage by country."""
    low = panel.table[panel.table["coverage_warning"].astype(bool)]
    warning = None
    if len(low):
        countries = sorted({names.get(c, c) for c in low["country_code"]})
        warning = dbc.Alert(
            f"{WARNING_MARK} Mapping coverage below 90% in {', '.join(countries)}: "
            "their rates undercount these categories, so they look safer than "
            "they are.",
            color="warning",
            className="small",
        )
    body = html.Div(
        [
            warning,
            html.P(
                f"{year}: rate per 100,000 (incidents) and mapping coverage; "
                "columns are ICCS codes",
                className="small mb-1",
            ),
            latest_table(panel, names, year),
            html.P(f"{code} by year", className="small mb-1"),
            category_table(panel, names, code),
            category_chart(panel, names, code),
        ]
    )
    return ui.panel_card(panel, body)


def _homicide_text(row) -> str:
    if ui.is_missing(row.get("victims")):
        return ui.HIDDEN
    computed = ui.number(row.get("computed_per_100k"))
    published = row.get("unodc_per_100k")
    if ui.is_missing(published):
        return f"{computed} vs n/a"
    return (
        f"{computed} vs {published:.1f} ({row.get('difference'):+.1f})"
        if not ui.is_missing(row.get("difference"))
        else f"{computed} vs {published:.1f}"
    )


def homicide_section(panel: ui.Panel, names: dict) -> dbc.Card:
    """Build the card of computed beside published homicide rates."""
    table = ui.wide_table(
        panel.table, _country_label(names), ["country_code"], _homicide_text
    )
    caption = html.P(
        "Computed victims per 100,000 vs UNODC published rate (difference)",
        className="small mb-1",
    )
    return ui.panel_card(panel, html.Div([caption, table]))


def year_options(first_year: int, last_year: int) -> list[dict]:
    """Return the years with data as dropdown options."""
    return [{"label": str(y), "value": y} for y in range(first_year, last_year + 1)]


def export_links(query: str) -> html.Div:
    """Build the download links of the page's exports."""
    links = [
        ("Excel", ids.EXPORT_XLSX, "xlsx"),
        ("CSV (zip)", ids.EXPORT_CSV, "zip"),
        ("PDF report", ids.EXPORT_PDF, "pdf"),
    ]
    return html.Div(
        [html.Span("Download: ", className="small me-2")]
        + [
            html.A(
                label,
                id=link_id,
                href=f"/export/regional.{kind}?{query}",
                className="btn btn-sm btn-outline-primary me-2",
            )
            for label, link_id, kind in links
        ]
    )


PAGE = Page(
    path="/regional",
    title=TITLE,
    roles=frozenset({"regional_observatory", "administrator"}),
    layout=layout,
    ids=ids,
    id_prefix="regional-",
    landing_roles=frozenset({"regional_observatory"}),
)
