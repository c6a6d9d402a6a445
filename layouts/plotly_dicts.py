"""Plotly figures as plain dicts, for callbacks that must respond quickly.

``plotly.graph_objects`` validates and deep-copies every value it is given. In
a profile of the Station map callback on the demo warehouse, that took most of
the callback's time. Dash sends a dict figure as it is, so builders that run on
every request return dicts made here. Traces need their ``type``, and colour
scales must be lists (see ``plotly.colors.get_colorscale``) because a dict skips
the validation that turns plotly.py scale names into lists.
"""

from __future__ import annotations

import functools

import plotly.io as pio


@functools.cache
def default_template() -> dict:
    """Return the default Plotly template as a dict, as ``go.Figure`` adds it."""
    return pio.templates[pio.templates.default].to_plotly_json()


def figure_dict(traces: list[dict], layout: dict) -> dict:
    """Return a figure of ``traces`` whose layout has the default template."""
    return {"data": traces, "layout": {"template": default_template(), **layout}}
