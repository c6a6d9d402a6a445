"""Export routes of the Policy indicators and Regional comparison pages.

``/export/indicators.<kind>`` and ``/export/regional.<kind>``, where kind is
``xlsx``, ``zip`` (CSV files and ``metadata.csv``) or ``pdf``. The query string
repeats the page's pickers, for example
``/export/indicators.xlsx?country=LCA&year_from=2015&year_to=2024``.

The login guard returns 401 before a logged-out request reaches these views.
Each view then checks that the user's role may open the page, and the queries
check the user's scope, so a refused request gets an audited 403. Every file is
built from the same released panels as the page, so it never contains a hidden
count, and from aggregates only: these routes read no incident row for any
role. Every export is written to the audit log.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, current_app, request

from callbacks import indicator_data, regional_data
from callbacks.context import (
    REGISTRY_KEY,
    SETTINGS_KEY,
    current_record,
    get_engine,
)
from data_access import audit
from data_access.scope import OutOfScope, Scope
from data_access.stations import list_countries
from data_access.users import scope_for_record
from layouts import policy_files

logger = logging.getLogger(__name__)

KINDS = {
    "xlsx": (
        policy_files.xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "zip": (policy_files.csv_zip, "application/zip"),
    "pdf": (policy_files.report_pdf, "application/pdf"),
}
MAX_YEARS = 10


def register_routes(server: Flask) -> None:
    """Add the export routes of both pages to ``server``, once."""
    if "indicators_export" in server.view_functions:
        return
    server.add_url_rule(
        "/export/indicators.<kind>", "indicators_export", indicators_export
    )
    server.add_url_rule("/export/regional.<kind>", "regional_export", regional_export)


def _scope_for(path: str) -> Scope:
    record = current_record()
    page = current_app.config[REGISTRY_KEY].page_for_path(path)
    if not page.allows(record.role):
        raise OutOfScope(f"role {record.role!r} may not open {path}")
    return scope_for_record(record)


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    try:
        return int(raw)
    except ValueError:
        abort(400, description=f"{name}={raw!r} is not a year.")


def _years() -> tuple[int, int]:
    year_from, year_to = sorted((_int_arg("year_from"), _int_arg("year_to")))
    if year_to - year_from + 1 > MAX_YEARS:
        abort(400, description=f"at most {MAX_YEARS} years per export.")
    return year_from, year_to


def _codes(name: str) -> tuple[str, ...]:
    values = [code.strip() for code in request.args.get(name, "").split(",")]
    return tuple(sorted({code for code in values if code.isalnum()}))


def _threshold() -> int:
    return current_app.config[SETTINGS_KEY].suppression_threshold


def _send(kind: str, panels, title: str, name: str, target: str) -> Response:
    writer, mimetype = KINDS[kind]
    body = writer(panels, title)
    audit.record(
        get_engine(),
        current_record().username,
        audit.EXPORT,
        object=target,
        detail=f"{kind}, {len(panels)} tables, {request.query_string.decode()[:200]}",
        remote_addr=request.remote_addr,
    )
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


def indicators_export(kind: str) -> Response:
    """Return the Policy indicators of one country as a file."""
    if kind not in KINDS:
        abort(404)
    scope = _scope_for("/indicators")
    year_from, year_to = _years()
    page_request = indicator_data.Request(
        country_code=request.args.get("country", ""),
        year_from=year_from,
        year_to=year_to,
        divisions=_codes("divisions"),
        youth=request.args.get("youth", "10-29"),
    )
    panels = indicator_data.all_panels(get_engine(), scope, page_request, _threshold())
    country = page_request.country_code
    title = f"Policy indicators, {country}, {year_from} to {year_to}"
    name = f"indicators-{country}-{year_from}-{year_to}"
    return _send(kind, panels, title, name, f"indicators {country}")


def regional_export(kind: str) -> Response:
    """Return the Regional comparison of every country in scope as a file."""
    if kind not in KINDS:
        abort(404)
    scope = _scope_for("/regional")
    year_from, year_to = _years()
    countries = tuple(code for code, _ in list_countries(get_engine(), scope))
    page_request = regional_data.RegionalRequest(
        country_codes=countries,
        year_from=year_from,
        year_to=year_to,
        categories=_codes("categories") or regional_data.DEFAULT_CATEGORIES,
    )
    panels = regional_data.all_panels(get_engine(), scope, page_request, _threshold())
    title = f"Regional comparison, {year_from} to {year_to}"
    return _send(kind, panels, title, f"regional-{year_from}-{year_to}", "regional")
