"""The Regional comparison page: for now, the page heading and the user's scope."""

from __future__ import annotations

from dash import html

from layouts import regional_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import page_heading

TITLE = "Regional comparison"


def layout(context: PageContext) -> html.Div:
    """Build the Regional comparison page for the user in ``context``."""
    return html.Div([page_heading(TITLE, context)], id=ids.BODY)


PAGE = Page(
    path="/regional",
    title=TITLE,
    roles=frozenset({"regional_observatory", "administrator"}),
    layout=layout,
    ids=ids,
    id_prefix="regional-",
    landing_roles=frozenset({"regional_observatory"}),
)
