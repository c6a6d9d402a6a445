"""Data quality by station and the action plans panel of the Strategy view.

Builders take the frames of ``analysis.strategy_extra.quality_table`` and of the
plan lists and return components; nothing here queries.
"""

from __future__ import annotations

import pandas as pd
from dash import dash_table, dcc, html

from analysis.strategy_extra import COORDINATE_TARGET, month_text
from layouts import strategy_ids as ids
from layouts.figures import figure
from layouts.strategy_stations import sortable_table, station_link
from layouts.strategy_trends import caption

BAR_HEIGHT = 18


def quality_panel(table: pd.DataFrame, country_code: str, span: list[int]):
    """Build the coordinates chart and the sortable data-quality table."""
    text = (
        f"Incidents by month occurred, {month_text(span[0])} to "
        f"{month_text(span[-1])}; the division choice applies, the unit, basis and "
        "categories do not. Mapping coverage: 1 − unmapped offences ÷ offences. "
        "Median delay: the band that holds the median of the days from "
        "occurrence to recording. Months without records: months with no "
        "incident at all, as when a station has not yet started or has stopped "
        "using the records system."
    )
    if table.empty:
        return html.Div([caption(text), html.P("No stations in this selection.")])
    graph = dcc.Graph(figure=coordinates_figure(table), config={"displaylogo": False})
    return html.Div([caption(text), graph, quality_table(table, country_code)])


def coordinates_figure(table: pd.DataFrame) -> dict:
    """Draw each station's share with coordinates against the target line.

    The figure is a plain dict, which builds much faster than a ``go.Figure``
    with a vertical line added.
    """
    frame = table.assign(
        share=[None if v is None else 100 * v for v in table["with_coordinates"]]
    ).sort_values("share", na_position="first")
    below = [v is not None and v < 100 * COORDINATE_TARGET for v in frame["share"]]
    bars = {
        "type": "bar",
        "x": [None if pd.isna(v) else v for v in frame["share"]],
        "y": frame["name"].tolist(),
        "orientation": "h",
        "marker": {"color": ["#c0392b" if b else "#4a6fa5" for b in below]},
        "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
    }
    target = 100 * COORDINATE_TARGET
    layout = {
        "shapes": [
            {
                "type": "line",
                "line": {"color": "#333333", "dash": "dash"},
                "x0": target,
                "x1": target,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
            }
        ],
        "annotations": [
            {
                "showarrow": False,
                "text": f"{target:.0f}%",
                "x": target,
                "xanchor": "left",
                "xref": "x",
                "y": 1,
                "yanchor": "top",
                "yref": "y domain",
            }
        ],
        "height": max(200, BAR_HEIGHT * len(frame) + 60),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 30},
        "xaxis": {
            "range": [0, 100],
            "title": {"text": "Incidents with coordinates (%)"},
        },
        "plot_bgcolor": "white",
    }
    return figure([bars], layout)


def quality_records(table: pd.DataFrame, country_code: str) -> list[dict]:
    """Turn quality rows into DataTable records (shares in percent)."""
    records = []
    for row in table.itertuples(index=False):
        records.append(
            {
                "station": station_link(country_code, row.code, row.name),
                "division": row.division_name or "",
                "incidents": int(row.incidents),
                "with_coordinates": _percent(row.with_coordinates),
                "mapping_coverage": _percent(row.mapping_coverage),
                "victim_age_complete": _percent(row.victim_age_complete),
                "victim_sex_complete": _percent(row.victim_sex_complete),
                "median_delay": row.median_delay or "unknown",
                "months_without_records": runs_text(row.months_without_records),
                "months_missing": sum(
                    _run_length(first, last)
                    for first, last in row.months_without_records
                ),
            }
        )
    return records


def _percent(value) -> float | None:
    return None if value is None else round(100 * value, 1)


def _run_length(first: int, last: int) -> int:
    return (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1


def runs_text(runs: list[tuple[int, int]]) -> str:
    """Write runs of months without records, such as ``"2024-01 to 2024-03"``."""
    parts = []
    for first, last in runs:
        start = f"{first // 100}-{first % 100:02d}"
        end = f"{last // 100}-{last % 100:02d}"
        parts.append(start if first == last else f"{start} to {end}")
    return ", ".join(parts)


QUALITY_COLUMNS = [
    ("station", "Station", "text"),
    ("division", "Division", "text"),
    ("incidents", "Incidents", "numeric"),
    ("with_coordinates", "With coordinates (%)", "numeric"),
    ("mapping_coverage", "Mapping coverage (%)", "numeric"),
    ("victim_age_complete", "Victim age recorded (%)", "numeric"),
    ("victim_sex_complete", "Victim sex recorded (%)", "numeric"),
    ("median_delay", "Median delay", "text"),
    ("months_missing", "Months without records", "numeric"),
    ("months_without_records", "Which months", "text"),
]


def quality_table(table: pd.DataFrame, country_code: str) -> dash_table.DataTable:
    """Return the sortable data-quality table."""
    columns = [
        {"id": key, "name": name, "type": kind}
        | ({"presentation": "markdown"} if key == "station" else {})
        for key, name, kind in QUALITY_COLUMNS
    ]
    target = 100 * COORDINATE_TARGET
    return sortable_table(
        id=ids.QUALITY_TABLE,
        columns=columns,
        data=quality_records(table, country_code),
        sort_action="native",
        page_size=50,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_cell={"fontSize": 13, "padding": "2px 6px", "textAlign": "left"},
        style_data_conditional=[
            {
                "if": {
                    "filter_query": f"{{with_coordinates}} < {target}",
                    "column_id": "with_coordinates",
                },
                "backgroundColor": "#f5c6cb",
            },
            {
                "if": {
                    "filter_query": "{months_missing} > 0",
                    "column_id": "months_without_records",
                },
                "backgroundColor": "#ffeeba",
            },
        ],
    )


def plans_panel(plans: dict | None, country_code: str) -> html.Div:
    """Build the plan tables: this month's with status, last month's with outcome.

    ``plans`` is ``None`` when action plans cannot be read in this
    installation; the panel then says so.
    """
    if plans is None:
        return html.P("Action plans are not available in this installation.")
    return html.Div(
        [
            html.H3(f"Plans for {month_text(plans['month'])}", className="h6"),
            _plan_table(plans["current"], country_code, outcome=False),
            html.H3(
                f"Plans for {month_text(plans['previous_month'])} and their outcome",
                className="h6 mt-3",
            ),
            caption(
                f"Outcome: responses done, and the station's {plans['label']} in "
                f"{month_text(plans['previous_month'])} against the same month a "
                "year earlier. The workspace has the review of each priority."
            ),
            _plan_table(plans["previous"], country_code, outcome=True),
        ]
    )


PLAN_COLUMNS = [
    ("station", "Station"),
    ("division", "Division"),
    ("status", "Status"),
    ("priorities", "Priorities"),
    ("responses", "Responses done"),
]


def _plan_table(rows: pd.DataFrame, country_code: str, outcome: bool):
    """Return a sortable table of plans, one row per station.

    A ``DataTable`` is one component whatever the number of stations, where an
    HTML table took nine per station to build and to send.
    """
    columns = PLAN_COLUMNS + (
        [("outcome", "Count against a year earlier")] if outcome else []
    )
    records = []
    for row in rows.itertuples(index=False):
        has_plan = isinstance(row.status, str)
        record = {
            "station": station_link(country_code, row.code, row.name),
            "division": row.division_name or "",
            "status": row.status if has_plan else "no plan",
            "priorities": str(row.priorities) if has_plan else "",
            "responses": f"{row.responses_done} of {row.responses}" if has_plan else "",
        }
        if outcome:
            record["outcome"] = (
                f"{row.count} against {row.previous} (score {row.score:+.1f})"
            )
        records.append(record)
    return sortable_table(
        id=ids.PLANS_PREVIOUS_TABLE if outcome else ids.PLANS_TABLE,
        columns=[
            {"id": key, "name": name}
            | ({"presentation": "markdown"} if key == "station" else {})
            for key, name in columns
        ],
        data=records,
        sort_action="native",
        page_size=50,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_cell={"fontSize": 13, "padding": "2px 6px", "textAlign": "left"},
    )
