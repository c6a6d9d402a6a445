"""The crime map of the Station workspace, drawn with no internet.

The base map (country outline, parish lines, neighbouring station areas and the
station area) is drawn from the warehouse's geometries as plain Plotly scatter
lines on longitude/latitude axes with equal ground scale, so no tile server is
needed. Incident points carry only date, time, ICCS code and location type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html
from plotly.colors import get_colorscale
from shapely import wkt as shapely_wkt

from layouts import station_ids as ids
from layouts.plotly_dicts import figure_dict

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


def empty_map() -> dict:
    """Return a blank map shown before a station is chosen."""
    return figure_dict(
        [],
        {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "height": MAP_HEIGHT,
        },
    )


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


@dataclass(frozen=True)
class BaseLines:
    """The offline base map of a station as line coordinates in degrees.

    Each line field is ``(lon, lat)`` lists with ``None`` between parts.
    Building them from the shapes takes most of a map update, so the caller
    keeps one ``BaseLines`` per station and shares it between requests. Nothing
    may change the lists.

    Attributes
    ----------
    outline, parish_lines, neighbours, station
        The country outline, the parish boundaries, the neighbouring station
        areas and the station area.
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the station area, or
        ``None`` when the station has no area.
    """

    outline: tuple[list, list]
    parish_lines: tuple[list, list]
    neighbours: tuple[list, list]
    station: tuple[list, list]
    bounds: tuple[float, float, float, float] | None


def base_lines(base: dict) -> BaseLines:
    """Return the line coordinates of a base map from ``read_base_map``."""
    station = base.get("station")
    return BaseLines(
        outline=_coordinates(base.get("outline")),
        parish_lines=_merge(
            [_coordinates(line) for line in base.get("admin_lines", [])]
        ),
        neighbours=_merge(
            [_coordinates(area) for _, area in base.get("neighbours", [])]
        ),
        station=_coordinates(station),
        bounds=None if station is None else tuple(station.bounds),
    )


def base_traces(lines: BaseLines, tiles: bool = False) -> list[dict]:
    """Return the base map traces: outline, parish lines, neighbours, station.

    On a tile map (``tiles``) the traces are ``scattermap`` lines and the
    outline is not filled, so the tiles show through.
    """
    return [
        _line(lines.outline, "Coast", "#9ecae1", 1.2, fill=not tiles, tiles=tiles),
        _line(lines.parish_lines, "Parish lines", "#bdbdbd", 0.8, "dot", tiles=tiles),
        _line(lines.neighbours, "Neighbouring stations", "#737373", 1, tiles=tiles),
        _line(lines.station, "Station area", "#08306b", 2.5, tiles=tiles),
    ]


def _merge(parts):
    xs: list = []
    ys: list = []
    for part_x, part_y in parts:
        xs += part_x
        ys += part_y
    return xs, ys


def _line(coordinates, name, colour, width, dash=None, fill=False, tiles=False):
    xs, ys = coordinates
    line = {"color": colour, "width": width}
    trace = {
        "mode": "lines",
        "name": name,
        "line": line,
        "hoverinfo": "skip",
        "showlegend": False,
    }
    if tiles:
        # Lines of scattermap traces are always solid.
        trace.update(type="scattermap", lon=xs, lat=ys)
    else:
        trace.update(type="scatter", x=xs, y=ys)
        if dash:
            line["dash"] = dash
    if fill:
        trace.update(fill="toself", fillcolor="rgba(240,240,235,0.6)")
    return trace


def point_traces(
    points: pd.DataFrame, sections: dict[str, str], tiles: bool = False
) -> list[dict]:
    """Return one marker trace per ICCS section, with date, time, code and place.

    ``points`` has ``lon``, ``lat``, ``occurred_from``, ``iccs_code`` and
    ``location_type``. Nothing else goes into the figure.
    """
    traces = []
    if points.empty:
        return traces
    moments = pd.to_datetime(points["occurred_from"])
    lon = points["lon"].round(4).tolist()
    lat = points["lat"].round(4).tolist()
    codes = points["iccs_code"].astype(str).tolist()
    details = list(
        zip(
            moments.dt.strftime("%Y-%m-%d").tolist(),
            moments.dt.strftime("%H:%M").tolist(),
            codes,
            points["location_type"].fillna("not recorded").tolist(),
            strict=True,
        )
    )
    rows_by_section: dict[str, list[int]] = {}
    for row, code in enumerate(codes):
        rows_by_section.setdefault(code[:2], []).append(row)
    for section in sorted(rows_by_section):
        rows = rows_by_section[section]
        traces.append(
            _point_trace(
                section,
                sections,
                [lon[i] for i in rows],
                [lat[i] for i in rows],
                [list(details[i]) for i in rows],
                tiles,
            )
        )
    return traces


def _point_trace(section, sections, lon, lat, customdata, tiles) -> dict:
    name = sections.get(section, "Not mapped to ICCS")
    marker = {"size": 7, "color": SECTION_COLOURS.get(section, OTHER_COLOUR)}
    trace = {
        "mode": "markers",
        "name": f"{section} {name}"[:40] if section in sections else name,
        "marker": marker,
        "customdata": customdata,
        "hovertemplate": (
            "%{customdata[0]} %{customdata[1]}<br>ICCS %{customdata[2]}"
            "<br>%{customdata[3]}<extra></extra>"
        ),
    }
    if tiles:
        # Markers of scattermap traces have no outline.
        trace.update(type="scattermap", lon=lon, lat=lat)
    else:
        marker["line"] = {"width": 0.5, "color": "white"}
        trace.update(type="scatter", x=lon, y=lat)
    return trace


# Title, colour scale and middle value of each hot-spot layer. Colour scales are
# passed to Plotly as lists because plotly.js (4.1, shipped with plotly 7.1)
# runs "YlOrRd" the other way from plotly.py and has no "RdBu_r".
LAYER_STYLES = {
    "grid": ("Incidents", "YlOrRd", None),
    "kde": ("Per km²", "YlOrRd", None),
    "gi": ("Gi* z", "RdBu_r", 0),
}
LAYER_OPACITY = 0.6


def surface_trace(layer: str, surface) -> dict | None:
    """Return the hot-spot layer as a heatmap with empty cells transparent."""
    if surface is None:
        return None
    lon, lat, z = surface
    z = np.where(np.isnan(z), None, np.round(z, 3)).tolist()
    title, scale, middle = LAYER_STYLES[layer]
    trace = {
        "type": "heatmap",
        "x": np.round(lon, 5).tolist(),
        "y": np.round(lat, 5).tolist(),
        "z": z,
        "colorscale": get_colorscale(scale),
        "opacity": LAYER_OPACITY,
        "name": title,
        "colorbar": {"title": {"text": title}, "thickness": 12},
        "hovertemplate": f"{title}: %{{z}}<extra></extra>",
    }
    if middle is not None:
        trace["zmid"] = middle
    return trace


def overlay_trace(polygons: list[str], tiles: bool = False) -> dict | None:
    """Return last month's hot cells as outlines."""
    if not polygons:
        return None
    xs, ys = _merge([_coordinates(shapely_wkt.loads(text)) for text in polygons])
    trace = {
        "mode": "lines",
        "name": "Last month's hot spots",
        "line": {"color": "#000000", "width": 2},
        "hoverinfo": "skip",
    }
    if tiles:
        trace.update(type="scattermap", lon=xs, lat=ys)
    else:
        trace["line"]["dash"] = "dash"
        trace.update(type="scatter", x=xs, y=ys)
    return trace


def map_figure(
    lines: BaseLines,
    points: pd.DataFrame,
    sections: dict[str, str],
    layer: str = "none",
    surface=None,
    overlay: list[str] | None = None,
    centre_lat: float = 0.0,
) -> dict:
    """Build the offline crime map from the base lines, points and the layer.

    Longitude is drawn at ``cos(latitude)`` of latitude's scale so distances
    look right. Box and lasso selection pick an area for a plan priority. The
    figure is a plain dict, which Dash sends as it is, because a ``go.Figure``
    would validate and copy the tens of thousands of base map coordinates again
    on every update.
    """
    traces = base_traces(lines)
    layer_trace = surface_trace(layer, surface)
    if layer_trace is not None:
        traces.append(layer_trace)
    outline = overlay_trace(overlay or [])
    if outline is not None:
        traces.append(outline)
    traces += point_traces(points, sections)
    layout = {
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": MAP_HEIGHT,
        "dragmode": "pan",
        "plot_bgcolor": "#dbe9f6",
        "legend": {"orientation": "h", "y": -0.02, "font": {"size": 10}},
        "xaxis": {"visible": False, "range": _range(lines.bounds, 0)},
        "yaxis": {
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(centre_lat)),
            "range": _range(lines.bounds, 1),
        },
        "uirevision": "station-map",
    }
    return figure_dict(traces, layout)


def _range(bounds, axis: int):
    if bounds is None:
        return None
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
