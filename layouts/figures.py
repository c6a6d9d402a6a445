"""Plotly figures written as plain dicts, with the look of ``plotly.graph_objects``.

``go.Figure``, ``add_trace`` and ``make_subplots`` validate every property of
every trace, which took longer than the queries behind the policy and strategy
charts. A dict with the same traces, layout and template, given to
``dcc.Graph``, draws the same chart.
"""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio


def template() -> dict:
    """Return the default template as ``go.Figure`` embeds it in its layout."""
    return _template(str(pio.templates.default))


@functools.lru_cache(maxsize=4)
def _template(name: str) -> dict:
    return go.Figure().to_plotly_json()["layout"].get("template", {})


def figure(traces: list[dict], layout: dict) -> dict:
    """Return a figure dict of ``traces`` and ``layout`` with the default template."""
    return {"data": traces, "layout": {**layout, "template": template()}}


def side_by_side_axes(titles: list[str], spacing: float = 0.1) -> dict:
    """Return the axes and titles of one row of subplots, as ``make_subplots`` does.

    Subplot ``i`` (from 1) has axes ``x<i>`` and ``y<i>``, the first without a
    number. ``spacing`` is the gap between subplots as a share of the width.
    """
    count = len(titles)
    width = (1 - spacing * (count - 1)) / count
    layout: dict = {"annotations": []}
    for index, title in enumerate(titles):
        suffix = "" if index == 0 else str(index + 1)
        domain = [index * (width + spacing), index * (width + spacing) + width]
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": domain}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        layout["annotations"].append(
            {
                "font": {"size": 16},
                "showarrow": False,
                "text": title,
                "x": sum(domain) / 2,
                "xanchor": "center",
                "xref": "paper",
                "y": 1.0,
                "yanchor": "bottom",
                "yref": "paper",
            }
        )
    return layout
