"""Youth and gender panel of the Strategy view: victims, suspects and firearms.

Builders take the frames of ``analysis.strategy_extra.youth_summary`` and
``firearm_shares`` and return components; nothing here queries.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from analysis.strategy_extra import YOUTH_LABELS, month_text
from layouts.strategy_trends import caption

ROLES = (("victim", "Victims"), ("suspect", "Suspects"))
SEXES = (("F", "female"), ("M", "male"))
FIREARM_NAMES = {"0101": "Intentional homicide (0101)", "0401": "Robbery (0401)"}
LINE_STYLES = {
    ("F", True): ("#c2185b", "solid"),
    ("M", True): ("#1565c0", "solid"),
    ("F", False): ("#c2185b", "dot"),
    ("M", False): ("#1565c0", "dot"),
}


def people_panel(
    summary: pd.DataFrame,
    firearms: pd.DataFrame,
    band: str,
    basis: str,
    month: int,
) -> html.Div:
    """Build the youth and gender panel and the firearm table."""
    youth = YOUTH_LABELS[band]
    text = (
        f"Victims and suspects (people, not incidents), by month {basis}, in "
        f"12-month periods, the newest ending in {month_text(month)}. "
        f"Youth: {youth}."
    )
    if summary.empty:
        body = [html.P("No victims or suspects recorded for this selection.")]
    else:
        body = [
            html.Ul(
                [html.Li(line) for line in youth_sentences(summary, band)],
                className="small",
            ),
            dcc.Graph(
                figure=people_figure(summary, band), config={"displaylogo": False}
            ),
        ]
    return html.Div([caption(text), *body, firearm_table(firearms, basis)])


def youth_sentences(summary: pd.DataFrame, band: str) -> list[str]:
    """Say, for the newest period, how many victims and suspects are youth or women."""
    latest = summary[summary["period"] == 0]
    end = month_text(int(summary["end_month"].max()))
    lines = []
    for role, title in ROLES:
        rows = latest[latest["person_role"] == role]
        total = int(rows["total"].sum())
        if not total:
            lines.append(f"{title} in the 12 months to {end}: none recorded.")
            continue
        youth = int(rows["youth"].sum())
        known = int(rows["known_age"].sum())
        female = int(rows.loc[rows["sex"] == "F", "total"].sum())
        lines.append(
            f"{title} in the 12 months to {end}: {total:,}; "
            f"{youth:,} {YOUTH_LABELS[band]} ({_share(youth, known)} of those with "
            f"a known age); {female:,} female ({_share(female, total)})."
        )
    return lines


def _share(part: int, whole: int) -> str:
    return "–" if not whole else f"{100 * part / whole:.0f}%"


def people_figure(summary: pd.DataFrame, band: str) -> go.Figure:
    """Draw victims and suspects by sex, youth and all ages, per 12-month period."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[title for _, title in ROLES])
    for column, (role, _) in enumerate(ROLES, start=1):
        rows = summary[summary["person_role"] == role].sort_values("end_month")
        for trace in _role_traces(rows, band).values():
            trace.showlegend = column == 1
            figure.add_trace(trace, row=1, col=column)
    figure.update_layout(
        height=320,
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="white",
    )
    figure.update_yaxes(rangemode="tozero", gridcolor="#eeeeee")
    figure.update_xaxes(title_text="12 months ending", gridcolor="#eeeeee")
    return figure


def _role_traces(rows: pd.DataFrame, band: str) -> dict:
    traces = {}
    for sex, sex_name in SEXES:
        chosen = rows[rows["sex"] == sex]
        x = [month_text(month) for month in chosen["end_month"]]
        for youth in (True, False):
            colour, dash = LINE_STYLES[(sex, youth)]
            ages = YOUTH_LABELS[band] if youth else "all ages"
            traces[(sex, youth)] = go.Scatter(
                x=x,
                y=chosen["youth" if youth else "total"].tolist(),
                mode="lines+markers",
                line={"color": colour, "dash": dash},
                name=f"{sex_name.capitalize()}, {ages}",
                legendgroup=f"{sex}{youth}",
            )
    return traces


def firearm_table(firearms: pd.DataFrame, basis: str) -> html.Div:
    """Build the table of firearm shares of homicides and robberies by period."""
    heading = html.H3("Firearm share of homicides and robberies", className="h6 mt-3")
    text = caption(
        f"Incidents by principal offence, by month {basis}, in 12-month periods; "
        "the ICCS category choice does not apply here, the division choice does."
    )
    if firearms.empty:
        return html.Div([heading, text, html.P("No homicides or robberies.")])
    header = html.Thead(
        html.Tr(
            [html.Th("12 months ending")]
            + [html.Th(name) for name in FIREARM_NAMES.values()]
        )
    )
    body = []
    for end_month, rows in firearms.groupby("end_month", sort=False):
        cells = [html.Td(month_text(int(end_month)))]
        found = rows.set_index("code")
        for code in FIREARM_NAMES:
            cells.append(html.Td(_firearm_cell(found, code)))
        body.append(html.Tr(cells))
    table = dbc.Table(
        [header, html.Tbody(body)], size="sm", bordered=True, striped=True
    )
    return html.Div([heading, text, table])


def _firearm_cell(found: pd.DataFrame, code: str) -> str:
    if code not in found.index or not found.loc[code, "incidents"]:
        return "none"
    incidents = int(found.loc[code, "incidents"])
    firearm = int(found.loc[code, "firearm_incidents"])
    return f"{firearm} of {incidents} ({100 * firearm / incidents:.0f}%)"
