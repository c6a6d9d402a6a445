"""The Administration page: users, their roles and scopes, and the audit log."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from data_access.audit import ACTIONS, AuditEntry
from data_access.users import ROLES, UserRecord
from layouts import admin_ids as ids
from layouts.registry import Page, PageContext
from layouts.shell import ROLE_LABELS, page_heading

TITLE = "Administration"


def layout(context: PageContext) -> html.Div:
    """Build the Administration page for the administrator in ``context``."""
    return html.Div(
        [
            page_heading(TITLE, context),
            dcc.Store(id=ids.USERS_VERSION, data=0),
            html.Div(id=ids.MESSAGE),
            dbc.Row(
                [
                    dbc.Col(_new_user_form(context), lg=6),
                    dbc.Col(_change_user_form(), lg=6),
                ],
                className="mb-4",
            ),
            html.H2("Users", className="h5"),
            html.Div(id=ids.USERS_TABLE, className="mb-4"),
            html.H2("Audit log", className="h5"),
            _audit_filters(),
            html.Div(id=ids.AUDIT_TABLE),
        ]
    )


def _field(label: str, component) -> html.Div:
    return html.Div(
        [dbc.Label(label, html_for=component.id), component], className="mb-2"
    )


def _new_user_form(context: PageContext) -> dbc.Card:
    roles = [{"label": ROLE_LABELS[role], "value": role} for role in ROLES]
    countries = [{"label": name, "value": code} for code, name in context.countries]
    fields = [
        _field("User name", dbc.Input(id=ids.NEW_USERNAME, autoComplete="off")),
        _field("Display name", dbc.Input(id=ids.NEW_DISPLAY_NAME)),
        _field(
            "Password",
            dbc.Input(
                id=ids.NEW_PASSWORD, type="password", autoComplete="new-password"
            ),
        ),
        _field("Role", dcc.Dropdown(id=ids.NEW_ROLE, options=roles)),
        _field("Country", dcc.Dropdown(id=ids.NEW_COUNTRY, options=countries)),
        _field("Division code", dbc.Input(id=ids.NEW_DIVISION)),
        _field("Station code", dbc.Input(id=ids.NEW_STATION)),
        dbc.Button("Add user", id=ids.ADD_BUTTON, color="primary"),
    ]
    return dbc.Card(
        [dbc.CardHeader("Add a user"), dbc.CardBody(fields)], className="h-100"
    )


def _change_user_form() -> dbc.Card:
    fields = [
        _field("User", dcc.Dropdown(id=ids.TARGET_USER, options=[])),
        html.Div(
            [
                dbc.Button("Disable", id=ids.DISABLE_BUTTON, color="danger"),
                dbc.Button("Enable", id=ids.ENABLE_BUTTON, color="secondary"),
            ],
            className="d-flex gap-2 mb-3",
        ),
        _field(
            "New password",
            dbc.Input(
                id=ids.TARGET_PASSWORD, type="password", autoComplete="new-password"
            ),
        ),
        dbc.Button("Reset password", id=ids.PASSWORD_BUTTON, color="warning"),
    ]
    return dbc.Card(
        [dbc.CardHeader("Change a user"), dbc.CardBody(fields)], className="h-100"
    )


def _audit_filters() -> dbc.Row:
    actions = [{"label": action, "value": action} for action in ACTIONS]
    return dbc.Row(
        [
            dbc.Col(_field("User", dbc.Input(id=ids.AUDIT_USER, debounce=True)), md=3),
            dbc.Col(
                _field("Action", dcc.Dropdown(id=ids.AUDIT_ACTION, options=actions)),
                md=3,
            ),
            dbc.Col(
                _field("Dates (UTC)", dcc.DatePickerRange(id=ids.AUDIT_DATES)), md=6
            ),
        ]
    )


def users_table(users: Sequence[UserRecord]) -> dbc.Table:
    """Build the table of user accounts; it never shows a password hash."""
    header = ["User", "Name", "Role", "Country", "Division", "Station", "Active"]
    header += ["Last login (UTC)", "Locked until (UTC)"]
    rows = [
        html.Tr(
            [
                html.Td(user.username),
                html.Td(user.display_name),
                html.Td(ROLE_LABELS.get(user.role, user.role)),
                html.Td(user.country_code or "all"),
                html.Td(user.division_code or ""),
                html.Td(user.station_code or ""),
                html.Td("yes" if user.is_active else "no"),
                html.Td(_time(user.last_login_at)),
                html.Td(_time(user.locked_until)),
            ]
        )
        for user in users
    ]
    return _table(header, rows)


def audit_table(entries: Sequence[AuditEntry]) -> html.Div:
    """Build the table of audit entries, or a note when none match."""
    if not entries:
        return dbc.Alert("No audit entries match these filters.", color="secondary")
    header = ["Time (UTC)", "User", "Action", "Object", "Detail", "Address"]
    rows = [
        html.Tr(
            [
                html.Td(_time(entry.at)),
                html.Td(entry.username or ""),
                html.Td(entry.action),
                html.Td(entry.object),
                html.Td(entry.detail),
                html.Td(entry.remote_addr or ""),
            ]
        )
        for entry in entries
    ]
    return _table(header, rows)


def _table(header: list[str], rows: list) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(name) for name in header])), html.Tbody(rows)],
        striped=True,
        hover=True,
        size="sm",
        responsive=True,
    )


def _time(value) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def message(text: str, ok: bool) -> dbc.Alert:
    """Build the result message of a user change."""
    return dbc.Alert(text, color="success" if ok else "danger", dismissable=True)


PAGE = Page(
    path="/admin",
    title=TITLE,
    roles=frozenset({"administrator"}),
    layout=layout,
    ids=ids,
    id_prefix="admin-",
    landing_roles=frozenset({"administrator"}),
)
