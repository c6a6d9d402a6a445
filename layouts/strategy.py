"""The Strategy page: for now, the page heading and the user's scope."""

from __future__ import annotations

from dash import html

from layouts import strategy_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Strategy"


def layout(context: PageContext) -> html.Div:
    """Build the Strategy page for the user in ``context``."""
    return html.Div([page_heading(TITLE, context)], id=ids.BODY)


PAGE = Page(
    path="/strategy",
    title=TITLE,
    roles=frozenset({"commissioner", "crime_analyst", "administrator"}),
    layout=layout,
    ids=ids,
    id_prefix="strategy-",
    landing_roles=frozenset({"commissioner", "crime_analyst"}),
)
