"""National trends of the Strategy view: small multiples and flagged months.

Builders take the frames prepared in ``callbacks.strategy_data`` and return
components; nothing here queries.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from dash import dcc, html

from layouts import strategy_ids as ids

COLUMNS = 3
ROW_HEIGHT = 170
COUNT_COLOUR = "#4a6fa5"
AVERAGE_COLOUR = "#08306b"
BAND_COLOUR = "rgba(150,150,150,0.25)"
FLAG_COLOURS = {"above": "#c0392b", "below": "#2e86c1"}
# Columns of the trend series that the figure draws.
_TRACE_COLUMNS = (
    "category",
    "month",
    "count",
    "moving_average",
    "lower",
    "upper",
    "flag",
)


def caption(text: str) -> html.P:
    """Return the line under a panel title naming unit and basis."""
    return html.P(text, className="small text-muted mb-2")


def trends_panel(trends: dict | None, label: str) -> html.Div:
    """Build the trend panel: the small multiples, then the flags in words.

    Parameters
    ----------
    trends : dict or None
        From ``callbacks.strategy_data.read_trends``: ``series``, ``names``,
        ``sentences``, ``flag_months`` and ``unmapped``; ``None`` when the
        country has no counts.
    label : str
        Counting unit and date basis in words.
    """
    if trends is None or trends["series"].empty:
        return html.Div([caption(label), html.P("No counts for this selection.")])
    series = trends["series"]
    first, last = series["month"].min(), series["month"].max()
    text = (
        f"{label}, {_month(first)} to {_month(last)}. Line: 3-month moving "
        "average. Grey band: the same month's mean over the three previous years "
        "± 2 √mean. Red and blue points: months above or below the band."
    )
    notes = [caption(text)]
    if trends["unmapped"]:
        notes.append(
            caption(
                f"{trends['unmapped']:,} counts not yet mapped to ICCS are left "
                "out of the sections."
            )
        )
    figure = trend_figure(series, trends["names"])
    graph = dcc.Graph(figure=figure, config={"displaylogo": False})
    return html.Div([*notes, graph, flag_list(trends)])


def flag_list(trends: dict) -> html.Div:
    """Build the list of flagged months, one sentence each."""
    heading = html.H3(trends["flag_months"], className="h6 mt-3")
    sentences = trends["sentences"]
    if not sentences:
        return html.Div(
            [heading, html.P("No month outside its expected band.")],
            id=ids.TREND_FLAGS,
        )
    items = [html.Li(sentence) for sentence in sentences]
    return html.Div([heading, html.Ul(items, className="small")], id=ids.TREND_FLAGS)


def trend_figure(series: pd.DataFrame, names: dict[str, str]) -> dict:
    """Draw one subplot per category: counts, moving average, band and flags.

    The figure is a plain dict: building dozens of validated Plotly trace
    objects took longer than the queries behind them.
    """
    categories = list(dict.fromkeys(series["category"]))
    rows = max(1, math.ceil(len(categories) / COLUMNS))
    height = ROW_HEIGHT * rows + 80
    layout = {
        "height": height,
        "margin": {"l": 40, "r": 10, "t": 40, "b": 30},
        "legend": {"orientation": "h", "y": 1.0 + 40 / height},
        "hovermode": "x unified",
        "plot_bgcolor": "white",
        "annotations": [],
    }
    traces = []
    columns = {name: series[name].to_numpy() for name in _TRACE_COLUMNS}
    for index, code in enumerate(categories):
        chosen = columns["category"] == code
        frame = {name: values[chosen] for name, values in columns.items()}
        axes = _subplot_axes(layout, index, rows)
        for trace in category_traces(frame, index == 0):
            traces.append(trace | axes)
        layout["annotations"].append(
            _subplot_title(_short(names.get(code, code)), index, rows)
        )
    return {"data": traces, "layout": layout}


def _cell(index: int, rows: int) -> tuple[list[float], list[float]]:
    """Return the x and y domains of subplot ``index`` in the grid."""
    row, col = divmod(index, COLUMNS)
    gap_x, gap_y = 0.06, 0.25 / rows
    width = (1 - gap_x * (COLUMNS - 1)) / COLUMNS
    height = (1 - gap_y * (rows - 1)) / rows
    left = col * (width + gap_x)
    top = 1 - row * (height + gap_y)
    return [left, left + width], [top - height, top]


def _subplot_axes(layout: dict, index: int, rows: int) -> dict:
    """Add subplot ``index``'s axes to ``layout``; return the trace's axis names."""
    suffix = "" if index == 0 else str(index + 1)
    x_domain, y_domain = _cell(index, rows)
    layout[f"xaxis{suffix}"] = {
        "domain": x_domain,
        "anchor": f"y{suffix}",
        "gridcolor": "#eeeeee",
        "type": "date",
    }
    layout[f"yaxis{suffix}"] = {
        "domain": y_domain,
        "anchor": f"x{suffix}",
        "rangemode": "tozero",
        "gridcolor": "#eeeeee",
    }
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def _subplot_title(text: str, index: int, rows: int) -> dict:
    x_domain, y_domain = _cell(index, rows)
    return {
        "text": text,
        "x": sum(x_domain) / 2,
        "y": y_domain[1],
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 11},
    }


def category_traces(frame, legend: bool) -> list[dict]:
    """Return the band, count, moving average and flag traces of one category.

    ``frame`` maps the columns of ``_TRACE_COLUMNS`` to arrays of one
    category's months, in month order, as a ``DataFrame`` or a dict.
    """
    months = np.asarray(frame["month"])
    x = [_date(month) for month in months]
    upper = np.asarray(frame["upper"], dtype=float)
    banded = ~np.isnan(upper)
    band_x = [value for value, keep in zip(x, banded, strict=True) if keep]
    upper_shown = np.round(upper[banded], 1).tolist()
    lower = np.round(np.asarray(frame["lower"], dtype=float)[banded], 1).tolist()
    counts = np.asarray(frame["count"])
    averages = np.round(np.asarray(frame["moving_average"], dtype=float), 1)
    traces = [
        {
            "type": "scatter",
            "x": band_x + band_x[::-1],
            "y": upper_shown + lower[::-1],
            "mode": "lines",
            "fill": "toself",
            "fillcolor": BAND_COLOUR,
            "line": {"width": 0},
            "hoverinfo": "skip",
            "name": "Expected band",
            "legendgroup": "band",
            "showlegend": legend,
        },
        _line(x, counts.tolist(), "Count", COUNT_COLOUR, 1, legend),
        _line(x, averages.tolist(), "3-month average", AVERAGE_COLOUR, 2, legend),
    ]
    flags = np.asarray(frame["flag"], dtype=object)
    for flag, colour in FLAG_COLOURS.items():
        flagged = flags == flag
        traces.append(
            {
                "type": "scatter",
                "x": [_date(month) for month in months[flagged]],
                "y": counts[flagged].tolist(),
                "mode": "markers",
                "marker": {"color": colour, "size": 6},
                "name": f"{flag.capitalize()} the band",
                "legendgroup": flag,
                "showlegend": legend,
            }
        )
    return traces


def _line(x, y, name, colour, width, legend) -> dict:
    return {
        "type": "scatter",
        "x": x,
        "y": [None if value != value else value for value in y],
        "mode": "lines",
        "line": {"color": colour, "width": width},
        "name": name,
        "legendgroup": name,
        "showlegend": legend,
    }


def _date(month: int) -> str:
    return f"{month // 100}-{month % 100:02d}-01"


def _month(month: int) -> str:
    return f"{month // 100}-{month % 100:02d}"


def _short(name: str, size: int = 38) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"
