"""The crime map on raster map tiles, for stations with a tile server.

When ``tile_url`` is set (``CRIMEDASH_TILE_URL``), the map is a Plotly tile map
(``layout.map``, drawn by MapLibre). Its style ``white-bg`` is a plain background
that loads no tiles, and the tile server is the raster layer under every trace.
The offline base map, the hot-spot layer and the points are drawn on top.
Without a tile URL, ``station_map.map_figure`` draws the offline map only.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pandas as pd
from plotly.colors import get_colorscale, sample_colorscale

from layouts import station_map
from layouts.plotly_dicts import figure_dict

# Width of the map assumed when choosing the first zoom, pixels. The graph fills
# its card, so the real width varies; the station stays in view at any width
# from about this value up.
ASSUMED_WIDTH_PIXELS = 600
# Zoom of a station without an area, which shows a few kilometres around it.
DEFAULT_ZOOM = 12.0
# Width of the whole world at zoom 0 in MapLibre GL, which draws Plotly's tile
# maps, pixels. Raster maps of 256-pixel tiles call the same scale zoom + 1.
WORLD_PIXELS = 512


def tile_layer(tile_url: str) -> dict:
    """Return the ``layout.map.layers`` entry of the tile server, under traces."""
    return {
        "sourcetype": "raster",
        "source": [tile_url],
        "below": "traces",
        "name": "Tiles",
    }


def surface_layer(layer: str, surface) -> dict | None:
    """Return the hot-spot raster as an image layer of the map, or ``None``.

    The colours, scale middle and opacity are those of the offline heatmap.
    """
    if surface is None:
        return None
    lon, lat, z = surface
    _, scale, middle = station_map.LAYER_STYLES[layer]
    picture = _png_data_url(_colour_cells(np.asarray(z, dtype=float), scale, middle))
    return {
        "sourcetype": "image",
        "source": picture,
        "coordinates": _corners(np.asarray(lon), np.asarray(lat)),
        "below": "traces",
        "opacity": station_map.LAYER_OPACITY,
        "name": "Hot-spot layer",
    }


def _colour_cells(z: np.ndarray, scale: str, middle) -> np.ndarray:
    """Return RGBA pixels of ``z``, north row first, empty cells transparent."""
    filled = ~np.isnan(z)
    pixels = np.zeros((*z.shape, 4), dtype=np.uint8)
    if not filled.any():
        return pixels[::-1]
    low, high = float(np.nanmin(z)), float(np.nanmax(z))
    if middle is not None:
        # Plotly centres the scale on zmid: the wider side sets both ends.
        reach = max(abs(high - middle), abs(low - middle))
        low, high = middle - reach, middle + reach
    span = high - low if high > low else 1.0
    positions = np.clip((z[filled] - low) / span, 0.0, 1.0)
    colours = sample_colorscale(get_colorscale(scale), positions.tolist())
    pixels[filled, :3] = [_rgb(text) for text in colours]
    pixels[filled, 3] = 255
    return pixels[::-1]


def _rgb(text: str) -> tuple[int, int, int]:
    red, green, blue = text[text.index("(") + 1 : -1].split(",")
    return round(float(red)), round(float(green)), round(float(blue))


def _png_data_url(pixels: np.ndarray) -> str:
    from matplotlib.image import imsave

    buffer = io.BytesIO()
    imsave(buffer, pixels, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _corners(lon: np.ndarray, lat: np.ndarray) -> list[list[float]]:
    """Return the outer cell corners, top left first and clockwise, as MapLibre wants.

    ``lon`` and ``lat`` are cell centres on a regular grid, ascending.
    """
    half_x = (lon[1] - lon[0]) / 2 if len(lon) > 1 else 0.0
    half_y = (lat[1] - lat[0]) / 2 if len(lat) > 1 else 0.0
    west, east = float(lon[0] - half_x), float(lon[-1] + half_x)
    south, north = float(lat[0] - half_y), float(lat[-1] + half_y)
    corners = [[west, north], [east, north], [east, south], [west, south]]
    return [[round(x, 6), round(y, 6)] for x, y in corners]


def view(bounds, centre: tuple[float, float]) -> tuple[dict, float]:
    """Return the map centre and a zoom that shows the station area.

    Parameters
    ----------
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the station area, or
        ``None``.
    centre
        ``(lon, lat)`` used when there are no bounds.
    """
    if bounds is None:
        return {"lon": centre[0], "lat": centre[1]}, DEFAULT_ZOOM
    west, south, east, north = bounds
    middle_lat = (south + north) / 2
    # Web Mercator: a degree of longitude is WORLD_PIXELS * 2**zoom / 360
    # pixels, and a degree of latitude about 1 / cos(latitude) times that. 20%
    # is margin.
    lon_span = max(east - west, 1e-4) * 1.2
    lat_span = max(north - south, 1e-4) * 1.2 / math.cos(math.radians(middle_lat))
    zoom_x = math.log2(ASSUMED_WIDTH_PIXELS * 360 / (WORLD_PIXELS * lon_span))
    zoom_y = math.log2(station_map.MAP_HEIGHT * 360 / (WORLD_PIXELS * lat_span))
    centre_point = {"lon": (west + east) / 2, "lat": middle_lat}
    return centre_point, round(min(zoom_x, zoom_y), 2)


def tile_map_figure(
    lines: station_map.BaseLines,
    points: pd.DataFrame,
    sections: dict[str, str],
    tile_url: str,
    layer: str = "none",
    surface=None,
    overlay: list[str] | None = None,
    centre: tuple[float, float] = (0.0, 0.0),
) -> dict:
    """Build the crime map on the tiles of ``tile_url``.

    NOTE: the hot-spot layer is an image here, so it has no hover values and no
    colour bar. The map caption still describes the layer.
    """
    traces = station_map.base_traces(lines, tiles=True)
    outline = station_map.overlay_trace(overlay or [], tiles=True)
    if outline is not None:
        traces.append(outline)
    traces += station_map.point_traces(points, sections, tiles=True)
    layers = [tile_layer(tile_url)]
    raster = surface_layer(layer, surface)
    if raster is not None:
        layers.append(raster)
    map_centre, zoom = view(lines.bounds, centre)
    layout = {
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": station_map.MAP_HEIGHT,
        "dragmode": "pan",
        "legend": {"orientation": "h", "y": -0.02, "font": {"size": 10}},
        "map": {
            "style": "white-bg",
            "layers": layers,
            "center": map_centre,
            "zoom": zoom,
        },
        "uirevision": "station-map",
    }
    return figure_dict(traces, layout)
