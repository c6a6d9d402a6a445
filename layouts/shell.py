"""The application shell: navbar, content area and the messages every page shares."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data_access.scope import Scope
from layouts import shell_ids as ids
from layouts.registry import Page, PageContext

WAREHOUSE_UNAVAILABLE_MESSAGE = (
    "The crime data warehouse cannot be reached, so no figures or tables can be "
    "shown. Try again in a few minutes; if this persists, tell the system "
    "administrator."
)

ROLE_LABELS = {
    "administrator": "Administrator",
    "commissioner": "Commissioner",
    "crime_analyst": "Crime analyst",
    "divisional_commander": "Divisional commander",
    "station_commander": "Station commander",
    "ministry_official": "Ministry official",
    "regional_observatory": "Regional observatory",
}


def describe_scope(scope: Scope, country_names: dict[str, str]) -> str:
    """Return the scope in words, for example ``"Saint Lucia, station CAS"``."""
    if scope.countries is None:
        text = "All countries"
    else:
        text = ", ".join(
            country_names.get(code, code) for code in sorted(scope.countries)
        )
    if scope.division_code:
        text += f", division {scope.division_code}"
    if scope.station_code:
        text += f", station {scope.station_code}"
    if scope.aggregate_only:
        text += " (aggregates only)"
    return text


def navbar(pages: list[Page], context: PageContext, csrf_token: str) -> dbc.Navbar:
    """Build the navbar: links to ``pages``, the user, the scope and a logout button.

    Logout is a form POST carrying ``csrf_token``, so another site cannot log the
    user out by linking to it.
    """
    links = [
        dbc.NavItem(dbc.NavLink(page.title, href=page.path, active="exact"))
        for page in pages
    ]
    user = html.Span(
        [
            html.Strong(context.display_name, className="me-2"),
            html.Span(context.role_label, className="badge text-bg-light me-2"),
            html.Small(context.scope_label, className="text-white-50 me-3"),
        ],
        className="navbar-text text-white",
    )
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
            html.Button(
                "Log out", type="submit", className="btn btn-outline-light btn-sm"
            ),
        ],
        action="/logout",
        method="POST",
        className="d-flex",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("crimedash", href=pages[0].path if pages else "/"),
                dbc.NavbarToggler(id=ids.NAVBAR_TOGGLER),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        user,
                        logout,
                    ],
                    id=ids.NAVBAR_COLLAPSE,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        id=ids.NAVBAR,
        color="dark",
        dark=True,
        expand="lg",
        className="mb-3",
    )


def shell_layout(navigation) -> html.Div:
    """Build the whole-app layout around ``navigation`` (a navbar, or nothing)."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            navigation,
            warehouse_banner(),
            dbc.Container(html.Div(id=ids.CONTENT), fluid=True, className="pb-4"),
        ]
    )


def warehouse_banner() -> html.Div:
    """Build the hidden banner stating that the warehouse cannot be reached.

    No callback writes to it: ``assets/warehouse_status.js`` shows it when a
    request to the server gets a 503 response and hides it after the next success.
    """
    return html.Div(
        [
            html.Strong("Warehouse unavailable. "),
            WAREHOUSE_UNAVAILABLE_MESSAGE,
            " Reload the page to try again.",
        ],
        id=ids.WAREHOUSE_BANNER,
        hidden=True,
        role="alert",
        className="alert alert-danger mx-3",
    )


def page_heading(title: str, context: PageContext) -> html.Div:
    """Build a page heading naming the page and the user's scope."""
    return html.Div(
        [
            html.H1(title, className="h3"),
            html.P(
                f"{context.role_label} · {context.scope_label}",
                className="text-muted",
            ),
        ]
    )


def not_allowed(path: str) -> html.Div:
    """Build the message shown in place of a page the user's role may not open."""
    return dbc.Alert(
        [
            html.H1("Not allowed", className="h4"),
            html.P(f"Your role may not open {path}. Use the links in the navbar."),
        ],
        color="warning",
    )


def not_found(path: str) -> html.Div:
    """Build the message shown for a path that is no page."""
    return dbc.Alert(f"There is no page at {path}.", color="secondary")
