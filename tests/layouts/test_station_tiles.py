"""The tile map's hot-spot image, its corners and the first view, by hand."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pytest
from matplotlib.image import imread

from layouts import station_tiles


def test_surface_corners_are_outer_cell_edges():
    lon = np.array([-61.0, -60.99, -60.98])
    lat = np.array([14.0, 14.01])

    corners = station_tiles._corners(lon, lat)

    # Cells are 0.01 degree wide, so edges lie half a cell past the centres.
    assert corners == [
        [-61.005, 14.015],
        [-60.975, 14.015],
        [-60.975, 13.995],
        [-61.005, 13.995],
    ]


def test_surface_image_north_up_and_empty_clear():
    lon = np.array([-61.0, -60.99])
    lat = np.array([14.0, 14.01])
    z = np.array([[1.0, np.nan], [np.nan, 5.0]])

    layer = station_tiles.surface_layer("grid", (lon, lat, z))

    assert layer["sourcetype"] == "image"
    assert layer["opacity"] == 0.6
    data = base64.b64decode(layer["source"].split(",", 1)[1])
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape == (2, 2, 4)
    # Row 0 of the image is the northern row of z: NaN then 5 (the maximum).
    assert pixels[0, 0, 3] == 0
    assert pixels[1, 1, 3] == 0
    assert pixels[0, 1, 3] == 1
    # YlOrRd runs from pale yellow (255, 255, 204) to dark red (128, 0, 38).
    assert np.round(pixels[1, 0, :3] * 255).tolist() == [255, 255, 204]
    assert np.round(pixels[0, 1, :3] * 255).tolist() == [128, 0, 38]


def test_gi_image_centred_on_zero():
    lon = np.array([-61.0, -60.99])
    lat = np.array([14.0])
    z = np.array([[-1.0, 3.0]])

    layer = station_tiles.surface_layer("gi", (lon, lat, z))

    data = base64.b64decode(layer["source"].split(",", 1)[1])
    pixels = imread(io.BytesIO(data), format="png")
    # The scale spans -3 to 3, so -1 sits at a third: a light blue, not the
    # darkest blue of the low end.
    assert np.round(pixels[0, 1, :3] * 255).tolist() == [103, 0, 31]
    assert pixels[0, 0, 2] > pixels[0, 0, 0]
    assert np.round(pixels[0, 0, :3] * 255).tolist() != [5, 48, 97]


def test_view_fits_station_area():
    bounds = (-61.0, 14.0, -60.98, 14.02)

    centre, zoom = station_tiles.view(bounds, (0.0, 0.0))

    assert centre == {"lon": pytest.approx(-60.99), "lat": pytest.approx(14.01)}
    # With 20% margin: 0.024 degrees of longitude across 600 pixels, and 0.024
    # degrees of latitude, 1 / cos(14.01 degrees) times longer on the map,
    # across 560 pixels, in a world 512 pixels wide at zoom 0. The height is
    # the tighter one.
    width_zoom = math.log2(600 * 360 / (512 * 0.024))
    stretch = 1 / math.cos(math.radians(14.01))
    height_zoom = math.log2(560 * 360 / (512 * 0.024 * stretch))
    assert height_zoom < width_zoom
    assert zoom == pytest.approx(height_zoom, abs=0.01)


def test_view_without_area_uses_centre():
    centre, zoom = station_tiles.view(None, (-61.0, 14.0))

    assert centre == {"lon": -61.0, "lat": 14.0}
    assert zoom == station_tiles.DEFAULT_ZOOM
