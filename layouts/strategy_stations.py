"""Stations panel of the Strategy view: the sortable table and the area map.

The table links each station to its workspace. The map draws station areas as
plain Plotly polygons on cartesian axes, so it needs no tile server.
"""

from __future__ import annotations

import functools
import math
import warnings
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from dash import dash_table, html
from plotly.colors import get_colorscale, sample_colorscale

from layouts import strategy_ids as ids
from layouts.strategy_trends import caption

MAP_HEIGHT = 520
RATE_SCALE = "YlOrRd"
SCORE_SCALE = "RdBu_r"
NO_VALUE_COLOUR = "#e0e0e0"
FLAG_TEXT = {3: "very unusual (>3)", 2: "unusual (>2)", 0: ""}

COLUMNS = [
    ("station", "Station", "text", "markdown"),
    ("division", "Division", "text", None),
    ("count", "Month", "numeric", None),
    ("previous", "Same month last year", "numeric", None),
    ("score", "Score", "numeric", None),
    ("flag", "Flag", "text", None),
    ("twelve_months", "12 months", "numeric", None),
    ("twelve_months_before", "12 months before", "numeric", None),
    ("score_12", "Score (12 months)", "numeric", None),
    ("rate", "Rate per 10,000 (12 months)", "numeric", None),
    ("population", "Population", "text", None),
    ("with_coordinates", "With coordinates", "numeric", None),
]


@functools.lru_cache(maxsize=4096)
def station_link(country_code: str, code: str, name: str) -> str:
    """Return a Markdown link from a station's name to its workspace.

    Kept per station, because every table of the view links every station.
    """
    query = urlencode({"country": country_code, "station": code})
    label = name.replace("[", "(").replace("]", ")")
    return f"[{label}](/station?{query})"


def table_rows(table: pd.DataFrame, country_code: str) -> list[dict]:
    """Turn ``analysis.strategy_extra.station_table`` rows into table records."""
    records = []
    for row in table.itertuples(index=False):
        records.append(
            {
                "station": station_link(country_code, row.code, row.name),
                "division": row.division_name or "",
                "count": int(row.count),
                "previous": int(row.previous),
                "score": round(row.score, 1),
                "flag": FLAG_TEXT[row.flag],
                "flag_level": int(row.flag),
                "twelve_months": int(row.twelve_months),
                "twelve_months_before": int(row.twelve_months_before),
                "score_12": round(row.score_12, 1),
                "rate": None if row.rate is None else round(row.rate, 1),
                "population": _population(row),
                "with_coordinates": _share(row.with_coordinates),
            }
        )
    return records


def _population(row) -> str:
    if row.population is None or pd.isna(row.population):
        return "none"
    text = f"{row.population:,.0f} ({int(row.population_year)}"
    return text + (", estimate)" if row.is_estimate else ")")


def _share(value) -> float | None:
    return None if value is None else round(100 * value, 1)


def stations_panel(table: pd.DataFrame, country_code: str, label: str, months: str):
    """Build the caption and the sortable station table."""
    text = (
        f"{label}. Month: {months}. Score: 2(√current − √previous); a size above "
        "2 is unusual, above 3 very unusual. Rate: the 12 months' count per "
        "10,000 people of the station area (population of the latest year up to "
        "the month; 'estimate' where the figure is one). With coordinates: "
        "share of incidents by month occurred over the 12 months. Click a "
        "station to open its workspace."
    )
    return html.Div([caption(text), station_table(table_rows(table, country_code))])


def station_table(records: list[dict]) -> dash_table.DataTable:
    """Return the DataTable of stations, sortable on every column."""
    columns = []
    for key, name, kind, presentation in COLUMNS:
        column = {"id": key, "name": name, "type": kind}
        if presentation:
            column["presentation"] = presentation
        if key == "with_coordinates":
            column["name"] = "With coordinates (%)"
        columns.append(column)
    return sortable_table(
        id=ids.STATION_TABLE,
        columns=columns,
        data=records,
        sort_action="native",
        sort_mode="single",
        page_size=50,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_cell={"fontSize": 13, "padding": "2px 6px", "textAlign": "right"},
        style_cell_conditional=[
            {"if": {"column_id": c}, "textAlign": "left"}
            for c in ("station", "division", "flag")
        ],
        style_data_conditional=[
            {
                "if": {"filter_query": "{flag_level} = 3", "column_id": "score"},
                "backgroundColor": "#f5c6cb",
            },
            {
                "if": {"filter_query": "{flag_level} = 2", "column_id": "score"},
                "backgroundColor": "#ffeeba",
            },
        ],
    )


def sortable_table(**properties) -> dash_table.DataTable:
    """Return a ``dash_table.DataTable`` without its Dash 4 deprecation warning.

    NOTE: Dash 4 deprecates DataTable in favour of dash-ag-grid, which the
    project does not depend on yet; move both tables when it does.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"\s*The dash_table.DataTable",
            category=DeprecationWarning,
        )
        return dash_table.DataTable(**properties)


def map_values(table: pd.DataFrame, colour: str) -> dict[str, float | None]:
    """Return the value each station area is coloured by, keyed by station code."""
    column = "rate" if colour == "rate" else "score"
    values = {}
    for code, value in zip(table["code"], table[column], strict=True):
        values[code] = None if value is None or pd.isna(value) else float(value)
    return values


def station_map(
    shapes: dict[str, tuple[list, list]],
    values: dict[str, float | None],
    names: dict[str, str],
    colour: str,
) -> dict:
    """Draw station areas filled by ``values`` on equal-scale cartesian axes.

    Parameters
    ----------
    shapes : dict
        Outline x and y lists of each station code, ``None`` between rings.
    values : dict
        The value of each station code, ``None`` when it has none.
    names : dict
        Station names by code, for hover text; stations missing from it (such
        as those of other divisions) are not drawn.
    colour : str
        ``"rate"`` (sequential scale from 0) or ``"score"`` (diverging scale
        centred on 0).

    Returns
    -------
    dict
        A Plotly figure as a plain dict, which builds much faster than one
        validated trace object per station.
    """
    low, high = _value_range(values, colour)
    scale = RATE_SCALE if colour == "rate" else SCORE_SCALE
    drawn = [code for code in shapes if code in names]
    fills = _fills([values.get(code) for code in drawn], scale, low, high)
    traces = [
        _area_trace(code, *shapes[code], values.get(code), names[code], fill)
        for code, fill in zip(drawn, fills, strict=True)
    ]
    traces.append(_colour_bar(scale, low, high, colour))
    return {"data": traces, "layout": _map_layout(shapes)}


def _value_range(values: dict, colour: str) -> tuple[float, float]:
    found = [value for value in values.values() if value is not None]
    if colour == "score":
        size = max([3.0, *(abs(value) for value in found)])
        return -size, size
    return 0.0, max([1.0, *found])


def _fills(values: list, scale: str, low: float, high: float) -> list[str]:
    positions = [
        0.0 if value is None else min(max((value - low) / (high - low), 0.0), 1.0)
        for value in values
    ]
    colours = sample_colorscale(scale, positions) if positions else []
    return [
        NO_VALUE_COLOUR if value is None else colour
        for value, colour in zip(values, colours, strict=True)
    ]


def _area_trace(code, xs, ys, value, name, fill) -> dict:
    shown = "no value" if value is None else f"{value:,.1f}"
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": fill,
        "line": {"color": "#555555", "width": 0.7},
        "name": code,
        "text": f"{name}: {shown}",
        "hoveron": "fills",
        "hoverinfo": "text",
        "showlegend": False,
    }


def _colour_bar(scale: str, low: float, high: float, colour: str) -> dict:
    title = "Rate per 10,000" if colour == "rate" else "Change score"
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {
            # Pass the colours, not the name: plotly.js runs some named scales,
            # YlOrRd among them, the other way from plotly.py, which made the fills.
            "colorscale": get_colorscale(scale),
            "cmin": low,
            "cmax": high,
            "color": [low],
            "showscale": True,
            "colorbar": {"title": {"text": title}, "thickness": 12},
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _map_layout(shapes: dict) -> dict:
    ys = [y for _, (_, part) in shapes.items() for y in part if y is not None]
    centre = float(np.mean(ys)) if ys else 0.0
    return {
        "height": MAP_HEIGHT,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "plot_bgcolor": "#dbe9f6",
        "dragmode": "pan",
        "xaxis": {"visible": False},
        "yaxis": {
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(centre)),
        },
    }


def map_note(values: dict, colour: str, label: str, months: str, drawn: int) -> str:
    """Return the caption under the map; ``drawn`` counts the station areas."""
    if not drawn:
        return "No station areas are loaded for this country, so there is no map."
    missing = sum(value is None for value in values.values())
    what = (
        "12-month rate per 10,000 people"
        if colour == "rate"
        else f"change score of {months} against the same month a year earlier"
    )
    text = f"{label}: {what}. Grey: no value."
    if missing:
        text += f" {missing} station(s) without a value."
    return text
