"""Callbacks of the Administration page: change users and read the audit log.

An administrator limited to one country sees and changes only that country's users,
and reads only the audit entries of those users.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from dash import Dash, Input, Output, State, ctx, no_update
from flask import request

from callbacks.context import current_record, get_engine, scoped_callback
from data_access import audit, users
from data_access.scope import OutOfScope, Scope
from layouts import admin as admin_layout
from layouts import admin_ids as ids

logger = logging.getLogger(__name__)


def register_callbacks(app: Dash) -> None:
    """Register the Administration page callbacks."""

    @app.callback(
        Output(ids.MESSAGE, "children"),
        Output(ids.USERS_VERSION, "data"),
        Input(ids.ADD_BUTTON, "n_clicks"),
        Input(ids.DISABLE_BUTTON, "n_clicks"),
        Input(ids.ENABLE_BUTTON, "n_clicks"),
        Input(ids.PASSWORD_BUTTON, "n_clicks"),
        State(ids.NEW_USERNAME, "value"),
        State(ids.NEW_DISPLAY_NAME, "value"),
        State(ids.NEW_PASSWORD, "value"),
        State(ids.NEW_ROLE, "value"),
        State(ids.NEW_COUNTRY, "value"),
        State(ids.NEW_DIVISION, "value"),
        State(ids.NEW_STATION, "value"),
        State(ids.TARGET_USER, "value"),
        State(ids.TARGET_PASSWORD, "value"),
        State(ids.USERS_VERSION, "data"),
        prevent_initial_call=True,
    )
    @scoped_callback
    def change_user(scope, _add, _disable, _enable, _password, *values):
        """Add, disable, enable or reset the password of a user on a button click."""
        *fields, version = values
        try:
            text = _apply_change(scope, ctx.triggered_id, *fields)
        except (users.UserError, users.UserNotFound) as error:
            return admin_layout.message(str(error), ok=False), no_update
        return admin_layout.message(text, ok=True), (version or 0) + 1

    @app.callback(
        Output(ids.USERS_TABLE, "children"),
        Output(ids.TARGET_USER, "options"),
        Input(ids.USERS_VERSION, "data"),
    )
    @scoped_callback
    def show_users(scope, _version):
        """List the users in scope after every change."""
        records = _users_in_scope(scope)
        options = [{"label": user.username, "value": user.username} for user in records]
        return admin_layout.users_table(records), options

    @app.callback(
        Output(ids.AUDIT_TABLE, "children"),
        Input(ids.AUDIT_USER, "value"),
        Input(ids.AUDIT_ACTION, "value"),
        Input(ids.AUDIT_DATES, "start_date"),
        Input(ids.AUDIT_DATES, "end_date"),
        Input(ids.USERS_VERSION, "data"),
    )
    @scoped_callback
    def show_audit(scope, username, action, start_date, end_date, _version):
        """Show the audit entries that match the filters."""
        entries = audit.read(
            get_engine(),
            username=(username or "").strip() or None,
            action=action,
            since=_day(start_date),
            until=_day(end_date, after=True),
            usernames=_audit_usernames(scope),
        )
        return admin_layout.audit_table(entries)


def _apply_change(scope: Scope, button: str, *fields) -> str:
    (username, display_name, password, role, country, division, station) = fields[:7]
    target, target_password = fields[7:]
    if button == ids.ADD_BUTTON:
        return _add_user(
            scope, username, display_name, password, role, country, division, station
        )
    if not target:
        raise users.UserError("no user chosen; pick one in the User list.")
    _check_user_in_scope(scope, users.get_user(get_engine(), target))
    if button == ids.PASSWORD_BUTTON:
        users.set_password(get_engine(), target, target_password or "")
        _audit_change(audit.PASSWORD_SET, target, "password reset")
        return f"Password of {target} reset."
    active = button == ids.ENABLE_BUTTON
    if not active and target == current_record().username:
        raise users.UserError(
            "you cannot disable your own account; ask another administrator."
        )
    users.set_active(get_engine(), target, active)
    action = audit.USER_ENABLED if active else audit.USER_DISABLED
    _audit_change(action, target, "")
    return f"User {target} {'enabled' if active else 'disabled'}."


def _add_user(
    scope, username, display_name, password, role, country, division, station
):
    if scope.countries is not None and country not in scope.countries:
        raise OutOfScope(f"country {country!r} is outside the user's scope")
    record = users.create_user(
        get_engine(),
        (username or "").strip(),
        display_name or "",
        password or "",
        role or "",
        country_code=country or None,
        division_code=(division or "").strip() or None,
        station_code=(station or "").strip() or None,
    )
    _audit_change(audit.USER_ADDED, record.username, f"role {record.role}")
    return f"User {record.username} added."


def _audit_change(action: str, target: str, detail: str) -> None:
    audit.record(
        get_engine(),
        current_record().username,
        action,
        object=f"user {target}",
        detail=detail,
        remote_addr=request.remote_addr,
    )


def _check_user_in_scope(scope: Scope, user: users.UserRecord) -> None:
    if scope.countries is not None and user.country_code not in scope.countries:
        raise OutOfScope(f"user {user.username!r} is outside the user's scope")


def _users_in_scope(scope: Scope) -> list[users.UserRecord]:
    records = users.list_users(get_engine())
    if scope.countries is None:
        return records
    return [user for user in records if user.country_code in scope.countries]


def _audit_usernames(scope: Scope) -> list[str] | None:
    if scope.countries is None:
        return None
    return [user.username for user in _users_in_scope(scope)]


def _day(value: str | None, after: bool = False) -> datetime | None:
    """Turn a date picker value into a naive UTC bound, the day after for ends."""
    if not value:
        return None
    day = date.fromisoformat(value[:10])
    return datetime.combine(
        day + timedelta(days=1 if after else 0), datetime.min.time()
    )
