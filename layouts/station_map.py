"""The crime map of the Station workspace, drawn with no internet.

The base map (country outline, parish lines, neighbouring station areas and the
station area) is drawn from the warehouse's geometries as plain Plotly scatter
lines on longitude/latitude axes with equal ground scale, so no tile server is
needed. Incident points carry only date, time, ICCS code and location type.
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from shapely import wkt as shapely_wkt

from layouts import station_ids as ids

LAYER_OPTIONS = [
    {"label": "Points only", "value": "none"},
    {"label": "Grid counts", "value": "grid"},
    {"label": "Kernel density", "value": "kde"},
    {"label": "Getis-Ord Gi*", "value": "gi"},
]
CELL_OPTIONS = [{"label": f"{size} m", "value": size} for size in (100, 250, 500)]

# One colour per ICCS section, from a qualitative palette that prints in grey.
SECTION_COLOURS = {
    "01": "#8c2d04",
    "02": "#d94801",
    "03": "#6a51a3",
    "04": "#cb181d",
    "05": "#2171b5",
    "06": "#238b45",
    "07": "#525252",
    "08": "#ae017e",
    "09": "#807dba",
    "10": "#41ab5d",
    "11": "#969696",
}
OTHER_COLOUR = "#000000"
MAP_HEIGHT = 560


def map_panel() -> dbc.Card:
    """Build the map card: layer controls, the graph and its caption."""
    controls = dbc.Row(
        [
            dbc.Col(
                dbc.RadioItems(
                    id=ids.LAYER, options=LAYER_OPTIONS, value="none", inline=True
                ),
                md=12,
            ),
            dbc.Col(
                [
                    dbc.Label("Kernel bandwidth (m)", html_for=ids.BANDWIDTH),
                    dcc.Slider(
                        id=ids.BANDWIDTH,
                        min=100,
                        max=1500,
                        step=50,
                        value=400,
                        marks={v: f"{v}" for v in (100, 500, 1000, 1500)},
                    ),
                ],
                md=6,
            ),
            dbc.Col(
                [
                    dbc.Label("Grid cell", html_for=ids.CELL_SIZE),
                    dcc.Dropdown(
                        id=ids.CELL_SIZE,
                        options=CELL_OPTIONS,
                        value=250,
                        clearable=False,
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                dbc.Checklist(
                    id=ids.OVERLAY,
                    options=[{"label": "Last month's hot spots", "value": "on"}],
                    value=[],
                    switch=True,
                ),
                md=3,
                className="pt-4",
            ),
        ],
        className="g-2",
    )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Crime map", className="h6 mb-0")),
            dbc.CardBody(
                [
                    controls,
                    dcc.Loading(
                        dcc.Graph(
                            id=ids.MAP,
                            figure=empty_map(),
                            config={
                                "displaylogo": False,
                                "scrollZoom": True,
                                "modeBarButtonsToRemove": ["toImage"],
                            },
                            style={"height": f"{MAP_HEIGHT}px"},
                        )
                    ),
                    html.Div(id=ids.MAP_NOTE, className="small text-muted"),
                ]
            ),
        ],
        className="h-100",
    )


def empty_map() -> go.Figure:
    """Return a blank map shown before a station is chosen."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False}, yaxis={"visible": False}, height=MAP_HEIGHT
    )
    return figure


def _coordinates(geometry) -> tuple[list, list]:
    """Return x and y lists of a geometry's lines, ``None`` between parts."""
    xs: list = []
    ys: list = []
    for line in _lines(geometry):
        coords = np.asarray(line.coords)
        xs += coords[:, 0].round(4).tolist() + [None]
        ys += coords[:, 1].round(4).tolist() + [None]
    return xs, ys


def _lines(geometry):
    if geometry is None or geometry.is_empty:
        return []
    kind = geometry.geom_type
    if kind == "Polygon":
        return [geometry.exterior, *geometry.interiors]
    if kind in ("LineString", "LinearRing"):
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [line for part in geometry.geoms for line in _lines(part)]
    return []


def base_traces(base: dict) -> list[go.Scatter]:
    """Return the base map traces: outline, parish lines, neighbours, station."""
    traces = []
    xs, ys = _coordinates(base.get("outline"))
    traces.append(_line(xs, ys, "Coast", "#9ecae1", 1.2, fill="toself"))
    xs, ys = _merge([_coordinates(line) for line in base.get("admin_lines", [])])
    traces.append(_line(xs, ys, "Parish lines", "#bdbdbd", 0.8, dash="dot"))
    xs, ys = _merge([_coordinates(area) for _, area in base.get("neighbours", [])])
    traces.append(_line(xs, ys, "Neighbouring stations", "#737373", 1))
    xs, ys = _coordinates(base.get("station"))
    traces.append(_line(xs, ys, "Station area", "#08306b", 2.5))
    return traces


def _merge(parts):
    xs: list = []
    ys: list = []
    for part_x, part_y in parts:
        xs += part_x
        ys += part_y
    return xs, ys


def _line(xs, ys, name, colour, width, dash=None, fill=None) -> go.Scatter:
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        name=name,
        line={"color": colour, "width": width, "dash": dash},
        fill=fill,
        fillcolor="rgba(240,240,235,0.6)" if fill else None,
        hoverinfo="skip",
        showlegend=False,
    )


def point_traces(points: pd.DataFrame, sections: dict[str, str]) -> list[go.Scatter]:
    """Return one marker trace per ICCS section, with date, time, code and place.

    ``points`` has ``lon``, ``lat``, ``occurred_from``, ``iccs_code`` and
    ``location_type``. Nothing else goes into the figure.
    """
    traces = []
    if points.empty:
        return traces
    moments = pd.to_datetime(points["occurred_from"])
    frame = pd.DataFrame(
        {
            "lon": points["lon"].round(4).to_numpy(),
            "lat": points["lat"].round(4).to_numpy(),
            "date": moments.dt.strftime("%Y-%m-%d").to_numpy(),
            "time": moments.dt.strftime("%H:%M").to_numpy(),
            "code": points["iccs_code"].astype(str).to_numpy(),
            "place": points["location_type"].fillna("not recorded").to_numpy(),
        }
    )
    frame["section"] = frame["code"].str[:2]
    for section, group in frame.groupby("section", sort=True):
        name = sections.get(section, "Not mapped to ICCS")
        traces.append(
            go.Scatter(
                x=group["lon"].tolist(),
                y=group["lat"].tolist(),
                mode="markers",
                name=f"{section} {name}"[:40] if section in sections else name,
                marker={
                    "size": 7,
                    "color": SECTION_COLOURS.get(section, OTHER_COLOUR),
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=group[["date", "time", "code", "place"]].to_numpy().tolist(),
                hovertemplate=(
                    "%{customdata[0]} %{customdata[1]}<br>ICCS %{customdata[2]}"
                    "<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    return traces


def surface_trace(layer: str, surface) -> go.Heatmap | None:
    """Return the hot-spot layer as a heatmap with empty cells transparent."""
    if surface is None:
        return None
    lon, lat, z = surface
    z = np.where(np.isnan(z), None, np.round(z, 3)).tolist()
    styles = {
        "grid": ("Incidents", "YlOrRd", None),
        "kde": ("Per km²", "YlOrRd", None),
        "gi": ("Gi* z", "RdBu_r", 0),
    }
    title, scale, middle = styles[layer]
    return go.Heatmap(
        x=np.round(lon, 5).tolist(),
        y=np.round(lat, 5).tolist(),
        z=z,
        colorscale=scale,
        zmid=middle,
        opacity=0.6,
        name=title,
        colorbar={"title": {"text": title}, "thickness": 12},
        hovertemplate=f"{title}: %{{z}}<extra></extra>",
    )


def overlay_trace(polygons: list[str]) -> go.Scatter | None:
    """Return last month's hot cells as outlines."""
    if not polygons:
        return None
    xs, ys = _merge([_coordinates(shapely_wkt.loads(text)) for text in polygons])
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        name="Last month's hot spots",
        line={"color": "#000000", "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )


def map_figure(
    base: dict,
    points: pd.DataFrame,
    sections: dict[str, str],
    layer: str = "none",
    surface=None,
    overlay: list[str] | None = None,
    centre_lat: float = 0.0,
) -> go.Figure:
    """Build the crime map from the base map, points and the chosen layer.

    Longitude is drawn at ``cos(latitude)`` of latitude's scale so distances
    look right; box and lasso selection pick an area for a plan priority.
    """
    traces = base_traces(base)
    layer_trace = surface_trace(layer, surface)
    if layer_trace is not None:
        traces.append(layer_trace)
    outline = overlay_trace(overlay or [])
    if outline is not None:
        traces.append(outline)
    traces += point_traces(points, sections)
    figure = go.Figure(traces)
    figure.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=MAP_HEIGHT,
        dragmode="pan",
        plot_bgcolor="#dbe9f6",
        legend={"orientation": "h", "y": -0.02, "font": {"size": 10}},
        xaxis={"visible": False, "range": _range(base, 0)},
        yaxis={
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(centre_lat)),
            "range": _range(base, 1),
        },
        uirevision="station-map",
    )
    return figure


def _range(base: dict, axis: int):
    station = base.get("station")
    if station is None:
        return None
    bounds = station.bounds
    low, high = bounds[axis], bounds[axis + 2]
    pad = (high - low) * 0.1
    return [round(low - pad, 4), round(high + pad, 4)]


def map_caption(
    label: str, drawn: int, left_off: int, layer_note: str, overlay_note: str
) -> list:
    """Return the map caption: unit and basis, points drawn and left off, layer."""
    parts = [
        html.Span(f"{label}. {drawn} incidents drawn"),
        html.Span(
            f"; {left_off} left off the map (no usable coordinates)."
            if left_off
            else "."
        ),
    ]
    for note in (layer_note, overlay_note):
        if note:
            parts += [html.Br(), html.Span(note)]
    return parts
