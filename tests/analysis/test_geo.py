"""Projection of longitude and latitude to UTM metres."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import geo
from analysis.errors import AnalysisError, MissingColumns


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (-60.98, 14.01, 32620),  # Castries, Saint Lucia: zone 20 is 66W to 60W
        (-58.16, 6.80, 32621),  # Georgetown, Guyana: zone 21 is 60W to 54W
        (-55.20, 5.85, 32621),  # Paramaribo, Suriname
        (-59.61, 13.10, 32621),  # Bridgetown, Barbados
    ],
    ids=["castries", "georgetown", "paramaribo", "bridgetown"],
)
def test_utm_zone_of_centroid(lon, lat, epsg):
    assert geo.utm_crs(np.array([lon]), np.array([lat])).to_epsg() == epsg


def test_projection_keeps_distances():
    # 0.01 degree of latitude near 14N is about 1,106 m on the WGS84 ellipsoid.
    points = pd.DataFrame({"lon": [-60.98, -60.98], "lat": [14.00, 14.01]})

    projected = geo.project_points(points)

    distance = math.hypot(
        projected.x[1] - projected.x[0], projected.y[1] - projected.y[0]
    )
    assert distance == pytest.approx(1106.3, abs=2.0)


def test_projection_round_trip():
    points = pd.DataFrame({"lon": [-60.98, -61.05], "lat": [14.01, 13.72]})
    projected = geo.project_points(points)

    lon, lat = geo.to_degrees(projected.x, projected.y, projected.crs)

    np.testing.assert_allclose(lon, points["lon"], atol=1e-9)
    np.testing.assert_allclose(lat, points["lat"], atol=1e-9)


def test_projection_counts_missing_coordinates():
    points = pd.DataFrame(
        {"lon": [-60.98, None, -60.99], "lat": [14.01, 14.0, None]},
        index=[10, 11, 12],
    )

    projected = geo.project_points(points)

    assert projected.without_coordinates == 2
    assert projected.index.tolist() == [10]


def test_projection_rejects_metres():
    points = pd.DataFrame({"lon": [500_000.0], "lat": [1_550_000.0]})
    with pytest.raises(AnalysisError, match="outside the range of degrees"):
        geo.project_points(points)


def test_projection_needs_lon_lat():
    with pytest.raises(MissingColumns, match="lat"):
        geo.project_points(pd.DataFrame({"lon": [-60.98]}))
