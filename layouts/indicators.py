"""The Indicators page: for now, the page heading and the user's scope."""

from __future__ import annotations

from dash import html

from layouts import indicators_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Indicators"


def layout(context: PageContext) -> html.Div:
    """Build the Indicators page for the user in ``context``."""
    return html.Div([page_heading(TITLE, context)], id=ids.BODY)


PAGE = Page(
    path="/indicators",
    title=TITLE,
    roles=frozenset(
        {"ministry_official", "commissioner", "crime_analyst", "administrator"}
    ),
    layout=layout,
    ids=ids,
    id_prefix="indicators-",
    landing_roles=frozenset({"ministry_official"}),
)
