"""The plan's print view and PDF routes, and the data behind the outcome review.

``/station/plan/ID/print`` returns an HTML page with a print style and
``/station/plan/ID/pdf`` a PDF, both with ``?paper=a4`` (default) or
``?paper=letter``. Both need a role that may open the Station workspace and a
scope that includes the plan's station. A refused request is audited and gets
a 403 response.
Every export is written to the audit log.
"""

from __future__ import annotations

import logging

import pandas as pd
from flask import Flask, Response, abort, current_app, request

from analysis import plan_outcome
from analysis import station_extra as extra
from callbacks import station_data as data
from callbacks.context import REGISTRY_KEY, current_record, get_engine
from data_access import action_plans as plans
from data_access import audit
from data_access import station_queries as queries
from data_access.scope import OutOfScope, Scope
from data_access.users import scope_for_record
from layouts import plan_print

logger = logging.getLogger(__name__)

STATION_PATH = "/station"


def register_routes(server: Flask) -> None:
    """Add the print view and PDF routes to ``server``."""
    server.add_url_rule("/station/plan/<int:plan_id>/print", "plan_print", print_view)
    server.add_url_rule("/station/plan/<int:plan_id>/pdf", "plan_pdf", pdf_view)


def _scope_for_export() -> Scope:
    record = current_record()
    page = current_app.config[REGISTRY_KEY].page_for_path(STATION_PATH)
    scope = scope_for_record(record)
    if not page.allows(record.role) or scope.aggregate_only:
        raise OutOfScope(f"role {record.role!r} may not read action plans")
    return scope


def _paper() -> str:
    paper = request.args.get("paper", "a4").lower()
    return paper if paper in plan_print.PAPERS else "a4"


def _document_or_404(plan_id: int) -> plan_print.PlanDocument:
    scope = _scope_for_export()
    try:
        return build_document(get_engine(), scope, plan_id)
    except plans.PlanNotFound:
        abort(404)


def _audit_export(plan_id: int, kind: str, paper: str) -> None:
    audit.record(
        get_engine(),
        current_record().username,
        audit.EXPORT,
        object=f"action plan {plan_id}",
        detail=f"{kind}, paper {paper}",
        remote_addr=request.remote_addr,
    )


def print_view(plan_id: int) -> Response:
    """Return the print view of a plan."""
    paper = _paper()
    document = _document_or_404(plan_id)
    _audit_export(plan_id, "print view", paper)
    return Response(plan_print.print_html(document, paper), mimetype="text/html")


def pdf_view(plan_id: int) -> Response:
    """Return the plan as a PDF download."""
    paper = _paper()
    document = _document_or_404(plan_id)
    body = plan_print.plan_pdf(document, paper)
    _audit_export(plan_id, "pdf", paper)
    plan = document.plan
    name = f"action-plan-{plan.country_code}-{plan.station_code}-{plan.month}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def build_document(engine, scope: Scope, plan_id: int) -> plan_print.PlanDocument:
    """Gather what the print view and the PDF show for a plan.

    The plan for month M + 1 is printed with the map and CompStat table of
    month M (incidents, by month occurred) and the review of the plan for M.

    Raises
    ------
    OutOfScope
        If ``scope`` does not include the plan's station.
    PlanNotFound
        If no plan has this id.
    """
    plan = plans.get_plan(engine, scope, plan_id)
    record = queries.find_station(engine, scope, plan.country_code, plan.station_code)
    read_month = extra.shift_month(plan.month, -1)
    reading = data.Reading(plan.country_code, plan.station_code, read_month)
    points, _ = data.mappable(data.read_incidents(engine, scope, reading))
    base = data.read_base_map(engine, scope, record)
    areas = [priority.area_wkt for priority in plan.priorities]
    previous = plans.find_plan(
        engine, scope, plan.country_code, plan.station_code, read_month
    )
    review = []
    if previous is not None and previous.priorities:
        incidents = review_incidents(
            engine, scope, plan.country_code, plan.station_code, read_month
        )
        review = outcomes(previous, incidents)
    return plan_print.PlanDocument(
        title=(
            f"Action plan {extra.month_label(plan.month)}, {record.name} "
            f"({plan.country_code} {plan.station_code})"
        ),
        station_name=record.name,
        plan=plan,
        read_month_text=extra.month_label(read_month),
        plan_month_text=extra.month_label(plan.month),
        compstat=data.read_compstat(engine, scope, reading),
        outcomes=review,
        map_png=plan_print.map_png(base, points, areas),
        history=plans.read_history(engine, scope, plan_id),
    )


def review_incidents(engine, scope: Scope, country, station, month) -> pd.DataFrame:
    """Return the station's incidents of a plan month and its baseline months.

    Reads the plan month and the month before, and the same month a year
    earlier, by month occurred, all categories.
    """
    record = queries.find_station(engine, scope, country, station)
    recent = queries.incident_rows(
        engine, scope, record, "occurred", extra.shift_month(month, -1), month
    )
    year_before = extra.shift_month(month, -12)
    earlier = queries.incident_rows(
        engine, scope, record, "occurred", year_before, year_before
    )
    frames = [frame for frame in (recent, earlier) if not frame.empty]
    rows = pd.concat(frames, ignore_index=True) if frames else recent
    usable, _ = data.mappable(rows)
    return usable


def outcomes(plan, incidents: pd.DataFrame) -> list:
    """Return ``(problem, PriorityOutcome)`` for each priority of ``plan``."""
    results = []
    for priority in plan.priorities:
        done = sum(r.completion == "done" for r in priority.responses)
        outcome = plan_outcome.review_priority(
            incidents,
            plan.month,
            priority.area_wkt,
            priority.categories,
            priority.target_percent,
            responses_done=done,
            responses_total=len(priority.responses),
        )
        results.append((priority.problem, outcome))
    return results
