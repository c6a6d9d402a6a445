"""The Strategy view's map of station areas."""

from __future__ import annotations

import pytest

from layouts.strategy_stations import station_map

SQUARE = ([0, 1, 1, 0, 0], [0, 0, 1, 1, 0])


@pytest.mark.parametrize("colour", ["rate", "score"])
def test_colour_bar_runs_like_fills(colour):
    values = {"LOW": -3.0 if colour == "score" else 0.0, "HIGH": 3.0}
    shapes = {"LOW": SQUARE, "HIGH": SQUARE}
    names = {"LOW": "Low", "HIGH": "High"}

    figure = station_map(shapes, values, names, colour)

    fills = {trace["name"]: trace["fillcolor"] for trace in figure["data"][:2]}
    scale = figure["data"][2]["marker"]["colorscale"]
    assert scale[0][0] == 0.0
    assert scale[-1][0] == 1.0
    assert fills["LOW"].replace(" ", "") == scale[0][1].replace(" ", "")
    assert fills["HIGH"].replace(" ", "") == scale[-1][1].replace(" ", "")
