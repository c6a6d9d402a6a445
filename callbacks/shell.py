"""Callbacks of the application shell: page routing and the navbar toggler."""

from __future__ import annotations

import logging

from dash import Dash, Input, Output, State, html

from callbacks.context import (
    current_record,
    get_engine,
    page_context,
    scoped_callback,
)
from data_access import audit
from layouts import shell
from layouts import shell_ids as ids
from layouts.registry import PageRegistry

logger = logging.getLogger(__name__)


def register_callbacks(app: Dash, registry: PageRegistry) -> None:
    """Register the routing callback, which shows the page at the URL."""

    @app.callback(Output(ids.CONTENT, "children"), Input(ids.URL, "pathname"))
    @scoped_callback
    def show_page(scope, pathname):
        """Show the page at ``pathname`` if the user's role may open it."""
        return render_page(registry, pathname or "/")

    app.clientside_callback(
        "function (clicks, isOpen) { return clicks ? !isOpen : isOpen; }",
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
    )


def render_page(registry: PageRegistry, pathname: str) -> html.Div:
    """Return the layout of the page at ``pathname``, or the reason there is none.

    ``/`` shows the user's landing page. A page the role may not open is refused
    and audited, the same as when its URL is loaded directly.
    """
    user = current_record()
    if pathname == "/":
        pathname = registry.landing_path(user.role)
    page = registry.page_for_path(pathname)
    if page is None:
        return shell.not_found(pathname)
    if not page.allows(user.role):
        audit.record(
            get_engine(),
            user.username,
            audit.REFUSED,
            object=pathname,
            detail=f"page not allowed for role {user.role}",
        )
        return shell.not_allowed(pathname)
    return page.layout(page_context(get_engine(), user))
