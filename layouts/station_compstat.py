"""Panels of the Station workspace that read the month: tables and small charts.

Every builder takes plain values and a caption naming the counting unit and date
basis, and returns components; nothing here queries.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html
from plotly.colors import get_colorscale

from layouts.plotly_dicts import figure_dict

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COMPARISON_HEADINGS = {
    "month": ("This month", "Previous month"),
    "year": ("This month", "Same month last year"),
    "days28": ("Last 28 days", "28 days before"),
    "ytd": ("Year to date", "Last year to date"),
}
FLAG_CLASSES = {3: "table-danger", 2: "table-warning"}


def caption(text: str) -> html.P:
    """Return the line under a panel title naming unit and basis."""
    return html.P(text, className="small text-muted mb-2")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _signed(value: float) -> str:
    return f"{value:+,.0f}" if float(value).is_integer() else f"{value:+,.1f}"


def _percent(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:+.0f}%"


def compstat_table(rows: pd.DataFrame, label: str, month_text: str) -> html.Div:
    """Build the CompStat table: a row per category, four comparisons each.

    Each comparison shows the two counts, their difference, the change score
    (cells with a score above 2 or 3 in size are shaded) and the percentage
    (only when the base count is at least 10).
    """
    header = [html.Th("Category", rowSpan=2)]
    sub_header = []
    for current, previous in COMPARISON_HEADINGS.values():
        header.append(html.Th(f"{current} vs {previous.lower()}", colSpan=5))
        sub_header += [
            html.Th(current),
            html.Th(previous),
            html.Th("Diff."),
            html.Th("Score"),
            html.Th("%"),
        ]
    # Groups keep the order of their first row, as groupby(sort=False) would.
    cells_by_group: dict[str, list] = {}
    for record in rows.to_dict("records"):
        cells = cells_by_group.setdefault(record["group"], [html.Td(record["group"])])
        flag = FLAG_CLASSES.get(record["flag"], "")
        cells += [
            html.Td(_number(record["current"])),
            html.Td(_number(record["previous"])),
            html.Td(_signed(record["difference"])),
            html.Td(f"{record['score']:+.1f}", className=flag),
            html.Td(_percent(record["percent"])),
        ]
    body = [html.Tr(cells) for cells in cells_by_group.values()]
    table = dbc.Table(
        [html.Thead([html.Tr(header), html.Tr(sub_header)]), html.Tbody(body)],
        size="sm",
        bordered=True,
        hover=True,
        responsive=True,
        className="compstat small",
    )
    note = (
        "Score: 2 × (√current − √previous); shaded when its size passes 2 "
        "(amber) or 3 (red). % only when the base is 10 or more."
    )
    return html.Div([caption(f"{label}; month {month_text}."), table, caption(note)])


def trend_figure(trend: pd.DataFrame, label: str) -> html.Div:
    """Build the 13-month trend against the same months a year earlier."""
    months = [f"{m // 100}-{m % 100:02d}" for m in trend["month"]]
    traces = [
        {
            "type": "bar",
            "x": months,
            "y": trend["count"].tolist(),
            "name": "This period",
            "marker": {"color": "#6baed6"},
        },
        {
            "type": "scatter",
            "x": months,
            "y": trend["year_before"].tolist(),
            "name": "A year earlier",
            "mode": "lines+markers",
            "line": {"color": "#969696", "dash": "dot"},
        },
        {
            "type": "scatter",
            "x": months,
            "y": trend["moving_average"].round(2).tolist(),
            "name": "3-month moving average",
            "mode": "lines",
            "line": {"color": "#08306b", "width": 3},
        },
    ]
    layout = {
        "height": 300,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": label.split(",")[0]}, "rangemode": "tozero"},
    }
    figure = figure_dict(traces, layout)
    return html.Div(
        [caption(label), dcc.Graph(figure=figure, config={"displaylogo": False})]
    )


def when_heatmap(weights: np.ndarray, label: str) -> html.Div:
    """Build the weekday-by-hour heat map of aoristic weights."""
    heatmap = {
        "type": "heatmap",
        "z": np.round(weights, 2).tolist(),
        "x": [f"{hour:02d}" for hour in range(24)],
        "y": list(WEEKDAYS),
        "colorscale": get_colorscale("YlOrRd"),
        "hovertemplate": "%{y} %{x}:00 – %{z:.2f} incidents<extra></extra>",
        "colorbar": {"thickness": 10},
    }
    layout = {
        "height": 260,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "yaxis": {"autorange": "reversed"},
    }
    figure = figure_dict([heatmap], layout)
    text = (
        f"{label}. Incidents known only within a time window are spread over its "
        f"hours (aoristic weights); total {weights.sum():.0f} incidents."
    )
    return html.Div(
        [caption(text), dcc.Graph(figure=figure, config={"displaylogo": False})]
    )


def repeats_panel(repeats: dict, label: str, tolerance: float) -> html.Div:
    """Build the top places list and the Knox near-repeat tables."""
    places = repeats["places"].head(10)
    place_rows = [
        html.Tr([html.Td(i + 1), html.Td(f"{lat:.4f}, {lon:.4f}"), html.Td(count)])
        for i, (lon, lat, count) in enumerate(
            places[["lon", "lat", "count"]].itertuples(index=False)
        )
    ]
    share = repeats["top_share"]
    parts = [
        caption(
            f"{label}. Places are points within {tolerance:g} m of each other. "
            f"{repeats['incidents']} incidents; the busiest 10% of places had "
            f"{share:.0%} of them."
        ),
        dbc.Table(
            [
                html.Thead(
                    html.Tr([html.Th("#"), html.Th("Place"), html.Th("Incidents")])
                ),
                html.Tbody(place_rows),
            ],
            size="sm",
            className="small w-auto",
        ),
        html.H3("Near repeats (Knox test, last 12 months)", className="h6 mt-3"),
    ]
    for title, result in repeats["knox"]:
        parts.append(html.H4(title, className="small fw-bold mt-2"))
        parts.append(knox_table(result))
    return html.Div(parts)


def knox_table(result) -> html.Div:
    """Build one Knox table, or show why it was not computed."""
    if isinstance(result, str):
        return html.P(result, className="small")
    rows = [
        html.Tr(
            [
                html.Td(row["distance"]),
                html.Td(row["days"]),
                html.Td(row["observed"]),
                html.Td(f"{row['expected']:.1f}"),
                html.Td("–" if pd.isna(row["ratio"]) else f"{row['ratio']:.2f}"),
                html.Td(f"{row['p_value']:.2f}"),
            ]
        )
        for row in result.table.to_dict("records")
    ]
    head = ["Distance", "Days apart", "Pairs", "Expected", "Ratio", "p"]
    return html.Div(
        [
            dbc.Table(
                [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                size="sm",
                className="small w-auto mb-1",
            ),
            html.P(
                f"{result.pairs} pairs; p from {result.permutations} shuffles of "
                "the dates.",
                className="small text-muted",
            ),
        ]
    )


def what_panel(breakdown: dict, label: str) -> html.Div:
    """Build the ICCS breakdown tree and the unmapped national codes."""
    rows = [
        html.Tr(
            [
                html.Td(
                    f"{row['code']} {row['name']}"
                    if row["name"] != "not further specified"
                    else f"{row['code']} not further specified",
                    style={"paddingLeft": f"{0.3 + 1.2 * row['depth']}rem"},
                    className="fw-bold" if row["depth"] == 0 else "",
                ),
                html.Td(f"{row['count']:,}"),
            ]
        )
        for row in breakdown["rows"]
    ]
    national = breakdown["national_codes"]
    codes = ", ".join(
        f"{code} ({count})"
        for code, count in zip(
            national["national_code"], national["offences"], strict=True
        )
    )
    rows.append(
        html.Tr(
            [
                html.Td(
                    f"Not mapped to ICCS (national codes: {codes or 'none'})",
                    className="fst-italic",
                ),
                html.Td(f"{breakdown['unmapped']:,}"),
            ]
        )
    )
    return html.Div(
        [
            caption(label),
            dbc.Table(html.Tbody(rows), size="sm", className="small"),
        ]
    )


def quality_panel(quality: dict, month_text: str) -> html.Div:
    """Build the data-quality figures of the station and month."""

    def share(value):
        return "–" if value is None else f"{value:.1%}"

    items = [
        ("Incidents without usable coordinates", quality["without_coordinates"]),
        ("Offences with an unmapped national code", quality["unmapped_offences"]),
        ("Victims with no age", quality["victims_missing_age"]),
        ("Victims with no sex", quality["victims_missing_sex"]),
        ("Incidents recorded more than 30 days late", quality["recorded_late"]),
    ]
    return html.Div(
        [
            caption(
                f"Incidents by month occurred, {month_text}: "
                f"{quality['incidents']:,} incidents."
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [html.Div(share(value), className="h5 mb-0"), html.Small(text)],
                        md=True,
                    )
                    for text, value in items
                ]
            ),
        ]
    )
