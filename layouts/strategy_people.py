"""Youth and gender panel of the Strategy view: victims, suspects and firearms.

Builders take the frames of ``analysis.strategy_extra.youth_summary`` and
``firearm_shares`` and return components; nothing here queries.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analysis.strategy_extra import YOUTH_LABELS, month_text
from layouts.figures import figure, side_by_side_axes
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
    latest = [row for row in summary.to_dict("records") if row["period"] == 0]
    end = month_text(int(summary["end_month"].max()))
    lines = []
    for role, title in ROLES:
        rows = [row for row in latest if row["person_role"] == role]
        total = sum(int(row["total"]) for row in rows)
        if not total:
            lines.append(f"{title} in the 12 months to {end}: none recorded.")
            continue
        youth = sum(int(row["youth"]) for row in rows)
        known = sum(int(row["known_age"]) for row in rows)
        female = sum(int(row["total"]) for row in rows if row["sex"] == "F")
        lines.append(
            f"{title} in the 12 months to {end}: {total:,}; "
            f"{youth:,} {YOUTH_LABELS[band]} ({_share(youth, known)} of those with "
            f"a known age); {female:,} female ({_share(female, total)})."
        )
    return lines


def _share(part: int, whole: int) -> str:
    return "–" if not whole else f"{100 * part / whole:.0f}%"


def people_figure(summary: pd.DataFrame, band: str) -> dict:
    """Draw victims and suspects by sex, youth and all ages, per 12-month period.

    The figure is a plain dict laid out as ``make_subplots`` lays out one row
    of two, which builds much faster than validated trace objects.
    """
    layout = side_by_side_axes([title for _, title in ROLES])
    records = sorted(summary.to_dict("records"), key=lambda row: row["end_month"])
    traces = []
    for column, (role, _) in enumerate(ROLES, start=1):
        rows = [row for row in records if row["person_role"] == role]
        suffix = "" if column == 1 else str(column)
        for trace in _role_traces(rows, band).values():
            trace["showlegend"] = column == 1
            traces.append(trace | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        layout[f"xaxis{suffix}"] |= {
            "title": {"text": "12 months ending"},
            "gridcolor": "#eeeeee",
        }
        layout[f"yaxis{suffix}"] |= {"rangemode": "tozero", "gridcolor": "#eeeeee"}
    layout |= {
        "height": 320,
        "margin": {"l": 40, "r": 10, "t": 40, "b": 30},
        "legend": {"orientation": "h", "y": -0.15},
        "plot_bgcolor": "white",
    }
    return figure(traces, layout)


def _role_traces(rows: list[dict], band: str) -> dict:
    traces = {}
    for sex, sex_name in SEXES:
        chosen = [row for row in rows if row["sex"] == sex]
        x = [month_text(row["end_month"]) for row in chosen]
        for youth in (True, False):
            colour, dash = LINE_STYLES[(sex, youth)]
            ages = YOUTH_LABELS[band] if youth else "all ages"
            column = "youth" if youth else "total"
            traces[(sex, youth)] = {
                "type": "scatter",
                "x": x,
                "y": [row[column] for row in chosen],
                "mode": "lines+markers",
                "line": {"color": colour, "dash": dash},
                "name": f"{sex_name.capitalize()}, {ages}",
                "legendgroup": f"{sex}{youth}",
            }
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
    periods: dict[int, dict[str, dict]] = {}
    for row in firearms.to_dict("records"):
        periods.setdefault(row["end_month"], {})[row["code"]] = row
    body = []
    for end_month, found in periods.items():
        cells = [html.Td(month_text(int(end_month)))]
        for code in FIREARM_NAMES:
            cells.append(html.Td(_firearm_cell(found.get(code))))
        body.append(html.Tr(cells))
    table = dbc.Table(
        [header, html.Tbody(body)], size="sm", bordered=True, striped=True
    )
    return html.Div([heading, text, table])


def _firearm_cell(row: dict | None) -> str:
    if row is None or not row["incidents"]:
        return "none"
    incidents = int(row["incidents"])
    firearm = int(row["firearm_incidents"])
    return f"{firearm} of {incidents} ({100 * firearm / incidents:.0f}%)"
