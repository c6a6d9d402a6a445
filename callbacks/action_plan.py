"""Callbacks of the action plan: workflow buttons, the priority form and exports.

The month read on the page is M; the plan written is the plan for M + 1, and the
review shows how the plan for M did. Every change goes through
``data_access.action_plans``, which checks the user's role and scope; a refusal
there is an ``OutOfScope`` that ``scoped_callback`` turns into an audited 403.
"""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from shapely import wkt as shapely_wkt
from shapely.geometry import Polygon, box

from analysis import station_extra as extra
from callbacks import plan_export
from callbacks import station_data as data
from callbacks.context import current_record, get_engine, scoped_callback
from data_access import action_plans as plans
from data_access import station_queries as queries
from layouts import action_plan as view
from layouts import station_ids as ids

logger = logging.getLogger(__name__)

FORM_STATES = (
    State(ids.PRIORITY_PICK, "value"),
    State(ids.PRIORITY_PROBLEM, "value"),
    State(ids.PRIORITY_AREA, "data"),
    State(ids.PRIORITY_AREA_SOURCE, "data"),
    State(ids.PRIORITY_CATEGORIES, "value"),
    State(ids.PRIORITY_DAYS, "value"),
    State(ids.PRIORITY_HOURS, "value"),
    State(ids.PRIORITY_STAGE, "value"),
    State(ids.PRIORITY_OFFENDER, "value"),
    State(ids.PRIORITY_VICTIM, "value"),
    State(ids.PRIORITY_PLACE, "value"),
    State(ids.PRIORITY_TARGET, "value"),
)
RESPONSE_KINDS = (
    ids.RESPONSE_ROW_ID,
    ids.RESPONSE_ACTION,
    ids.RESPONSE_OWNER,
    ids.RESPONSE_DUE,
    ids.RESPONSE_RESOURCES,
    ids.RESPONSE_MINUTES,
    ids.RESPONSE_COMPLETION,
)
RESPONSE_STATES = tuple(
    State(
        {"type": kind, "index": ALL}, "data" if kind == ids.RESPONSE_ROW_ID else "value"
    )
    for kind in RESPONSE_KINDS
)
RESPONSE_KEYS = (
    "id",
    "action",
    "owner",
    "due_date",
    "resources",
    "patrol_minutes",
    "completion",
)


def rows_from_lists(*columns) -> list[dict]:
    """Return response rows from the value lists of the response inputs."""
    return [
        dict(zip(RESPONSE_KEYS, values, strict=True))
        for values in zip(*columns, strict=True)
    ]


BUTTONS = (
    ids.PLAN_CREATE,
    ids.PLAN_SUBMIT,
    ids.PLAN_APPROVE,
    ids.PLAN_RETURN,
    ids.PLAN_CLOSE,
    ids.PLAN_CARRY,
    ids.PRIORITY_SAVE,
    ids.PRIORITY_DELETE,
)


def register_callbacks(app: Dash) -> None:
    """Register the plan callbacks and the print and PDF routes."""
    _register_workflow(app)
    _register_form(app)
    plan_export.register_routes(app.server)


def _register_workflow(app: Dash) -> None:
    @app.callback(
        Output(ids.PLAN_ID, "data"),
        Output(ids.PLAN_STATUS, "children"),
        Output(ids.PLAN_MESSAGE, "children"),
        Output(ids.PLAN_VIEW, "children"),
        Output(ids.PRIORITY_PICK, "options"),
        Output(ids.PRIORITY_PICK, "value"),
        Output(ids.PLAN_PRINT, "href"),
        Output(ids.PLAN_PDF, "href"),
        Output(ids.REVIEW, "children"),
        Output(ids.PLAN_LIST, "children"),
        Input(ids.STATION, "value"),
        Input(ids.MONTH, "value"),
        *(Input(button, "n_clicks") for button in BUTTONS),
        State(ids.COUNTRY, "value"),
        *FORM_STATES,
        *RESPONSE_STATES,
    )
    @scoped_callback
    def act_on_plan(scope, station, month, *values):
        """Load the plan of the station and month, or apply the button pressed."""
        country, pick, *rest = values[len(BUTTONS) :]
        fields = len(FORM_STATES) - 1
        form = (*rest[:fields], rows_from_lists(*rest[fields:]))
        if not (station and month and country):
            return (
                None,
                None,
                None,
                None,
                view.priority_options(None),
                view.NEW_PRIORITY,
                None,
                None,
                None,
                None,
            )
        actor = plans.Actor.from_record(current_record())
        return plan_state(
            get_engine(),
            actor,
            country,
            station,
            int(month),
            ctx.triggered_id,
            pick,
            form,
        )


def plan_state(engine, actor, country, station, month, action, pick, form):
    """Apply ``action`` (a button id, or ``None``) and return the outputs.

    ``PlanError`` and ``PlanNotFound`` become a message above the plan;
    ``OutOfScope`` propagates so the request is refused and audited.
    """
    plan_month = extra.shift_month(month, 1)
    picked = pick
    try:
        plan, picked, note = apply_action(
            engine, actor, country, station, plan_month, action, pick, form
        )
    except (plans.PlanError, plans.PlanNotFound) as error:
        plan = plans.find_plan(engine, actor.scope, country, station, plan_month)
        note = view.message(str(error))
    plan_text = extra.month_label(plan_month)
    links = (None, None)
    if plan is not None:
        links = (f"/station/plan/{plan.id}/print", f"/station/plan/{plan.id}/pdf")
    outcomes = review_outcomes(engine, actor.scope, country, station, month)
    return (
        None if plan is None else plan.id,
        view.status_badge(plan, plan_text),
        note,
        view.plan_view(plan),
        view.priority_options(plan),
        picked,
        *links,
        view.review_table(outcomes, extra.month_label(month)),
        view.plan_list_table(plans.list_plans(engine, actor.scope, plan_month)),
    )


def apply_action(engine, actor, country, station, plan_month, action, pick, form):
    """Run one workflow action and return ``(plan, picked priority, message)``."""
    plan = plans.find_plan(engine, actor.scope, country, station, plan_month)
    done = None
    if action == ids.PLAN_CREATE:
        plan = plans.create_plan(engine, actor, country, station, plan_month)
        done = "Plan created."
    elif action == ids.PLAN_CARRY:
        previous = extra.shift_month(plan_month, -1)
        plan = plans.carry_over(engine, actor, country, station, plan_month, previous)
        done = "Unfinished priorities carried over."
    elif action in _TRANSITIONS:
        plan = _TRANSITIONS[action](engine, actor, _require(plan).id)
        done = f"Plan {plan.status}."
    elif action == ids.PRIORITY_SAVE:
        return save_form(engine, actor, _require(plan), pick, form)
    elif action == ids.PRIORITY_DELETE and pick not in (None, view.NEW_PRIORITY):
        plan = plans.delete_priority(engine, actor, _require(plan).id, int(pick))
        return plan, view.NEW_PRIORITY, view.message("Priority deleted.", "success")
    picked = view.NEW_PRIORITY if action in (None, ids.STATION, ids.MONTH) else pick
    return plan, picked, view.message(done, "success") if done else None


_TRANSITIONS = {
    ids.PLAN_SUBMIT: plans.submit_plan,
    ids.PLAN_APPROVE: plans.approve_plan,
    ids.PLAN_RETURN: plans.return_plan,
    ids.PLAN_CLOSE: plans.close_plan,
}


def _require(plan):
    if plan is None:
        raise plans.PlanError("there is no plan for this month yet; create it first.")
    return plan


def save_form(engine, actor, plan, pick, form):
    """Save the form as a priority of a draft, or record completions otherwise."""
    priority = priority_from_form(pick, form)
    if plan.status != plans.DRAFT:
        if priority.id is None:
            raise plans.PlanError(
                f"plan is {plan.status}; only completion of existing responses can "
                "be recorded."
            )
        for response in priority.responses:
            if response.id is not None:
                plan = plans.record_completion(
                    engine, actor, plan.id, response.id, response.completion
                )
        return plan, str(priority.id), view.message("Completion recorded.", "success")
    plan = plans.save_priority(engine, actor, plan.id, priority)
    saved = priority.id or max(p.id for p in plan.priorities)
    return plan, str(saved), view.message("Priority saved.", "success")


def priority_from_form(pick, form) -> plans.Priority:
    """Build a ``Priority`` from the form values (see ``FORM_STATES``).

    Raises
    ------
    PlanError
        If a value cannot be read, such as a due date not in ``YYYY-MM-DD``.
    """
    (
        problem,
        area,
        source,
        categories,
        days,
        hours,
        stage,
        offender,
        victim,
        place,
        target,
        responses,
    ) = form
    if not area:
        raise plans.PlanError(f"no area is picked. {view.AREA_HINT}")
    hours = hours or [None, None]
    return plans.Priority(
        problem=problem or "",
        area_wkt=area,
        area_source=source or "drawn",
        stage=stage or "scanning",
        target_percent=_number(target, "target"),
        categories=tuple(categories or ()),
        days=tuple(day for day in plans.DAYS if day in (days or ())),
        hour_from=hours[0],
        hour_to=hours[1],
        offender_notes=offender or "",
        victim_notes=victim or "",
        place_notes=place or "",
        responses=tuple(_response(row) for row in responses or () if _filled(row)),
        id=None if pick in (None, view.NEW_PRIORITY) else int(pick),
    )


def _filled(row: dict) -> bool:
    return any(str(row.get(key) or "").strip() for key in ("action", "owner"))


def _number(value, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise plans.PlanError(f"{name} {value!r} is not a number.") from None


def _response(row: dict) -> plans.Response:
    due = (row.get("due_date") or "").strip()
    try:
        due_date = dt.date.fromisoformat(due) if due else None
    except ValueError:
        raise plans.PlanError(
            f"due date {due!r} is invalid; write it as YYYY-MM-DD."
        ) from None
    minutes = row.get("patrol_minutes")
    return plans.Response(
        action=row.get("action") or "",
        owner=row.get("owner") or "",
        due_date=due_date,
        resources=row.get("resources") or "",
        patrol_minutes=None
        if minutes in (None, "")
        else int(_number(minutes, "patrol minutes")),
        completion=row.get("completion") or "planned",
        id=row.get("id"),
    )


def review_outcomes(engine, scope, country, station, month) -> list:
    """Return ``(problem, PriorityOutcome)`` for each priority of ``month``'s plan."""
    plan = plans.find_plan(engine, scope, country, station, month)
    if plan is None or not plan.priorities:
        return []
    incidents = plan_export.review_incidents(engine, scope, country, station, month)
    return plan_export.outcomes(plan, incidents)


def _register_form(app: Dash) -> None:
    @app.callback(
        Output(ids.PRIORITY_PROBLEM, "value"),
        Output(ids.PRIORITY_AREA, "data"),
        Output(ids.PRIORITY_AREA_SOURCE, "data"),
        Output(ids.PRIORITY_AREA_NOTE, "children"),
        Output(ids.PRIORITY_CATEGORIES, "value"),
        Output(ids.PRIORITY_DAYS, "value"),
        Output(ids.PRIORITY_HOURS, "value"),
        Output(ids.PRIORITY_STAGE, "value"),
        Output(ids.PRIORITY_OFFENDER, "value"),
        Output(ids.PRIORITY_VICTIM, "value"),
        Output(ids.PRIORITY_PLACE, "value"),
        Output(ids.PRIORITY_TARGET, "value"),
        Output(ids.RESPONSES, "children"),
        Input(ids.PRIORITY_PICK, "value"),
        State(ids.PLAN_ID, "data"),
    )
    @scoped_callback
    def fill_priority_form(scope, pick, plan_id):
        """Fill the form with the picked priority, or clear it for a new one."""
        if pick in (None, view.NEW_PRIORITY) or plan_id is None:
            return form_values(None)
        plan = plans.get_plan(get_engine(), scope, int(plan_id))
        found = [p for p in plan.priorities if str(p.id) == str(pick)]
        return form_values(found[0] if found else None)

    @app.callback(
        Output(ids.PRIORITY_AREA, "data", allow_duplicate=True),
        Output(ids.PRIORITY_AREA_SOURCE, "data", allow_duplicate=True),
        Output(ids.PRIORITY_AREA_NOTE, "children", allow_duplicate=True),
        Input(ids.MAP, "clickData"),
        Input(ids.MAP, "selectedData"),
        State(ids.CELL_SIZE, "value"),
        State(ids.LAYER, "value"),
        State(ids.STATION, "value"),
        State(ids.COUNTRY, "value"),
        prevent_initial_call=True,
    )
    @scoped_callback
    def pick_area(scope, click, selection, cell, layer, station, country):
        """Turn a map click or box/lasso selection into the priority's area."""
        if not (station and country):
            return no_update, no_update, no_update
        record = queries.find_station(get_engine(), scope, country, station)
        picked = area_from_map(
            ctx.triggered_id and ctx.triggered_prop_ids,
            click,
            selection,
            float(cell or data.DEFAULT_CELL_METRES),
            layer,
            record,
        )
        if picked is None:
            return no_update, no_update, no_update
        polygon, source, text = picked
        return polygon.wkt, source, text

    @app.callback(
        Output(ids.RESPONSES, "children", allow_duplicate=True),
        Input(ids.RESPONSE_ADD, "n_clicks"),
        *RESPONSE_STATES,
        prevent_initial_call=True,
    )
    @scoped_callback
    def add_response_row(scope, clicks, *columns):
        """Add an empty line to the responses, keeping what was typed."""
        rows = rows_from_lists(*columns)
        return view.response_rows_layout([*rows, blank_response()])


def blank_response() -> dict:
    """Return an empty row of the responses table."""
    return {
        "id": None,
        "action": "",
        "owner": "",
        "due_date": "",
        "resources": "",
        "patrol_minutes": None,
        "completion": "planned",
    }


def form_values(priority) -> tuple:
    """Return the form's values for ``priority``, or the blank form for ``None``."""
    if priority is None:
        return (
            "",
            None,
            None,
            view.AREA_HINT,
            [],
            [],
            [0, 23],
            "scanning",
            "",
            "",
            "",
            20,
            view.response_rows_layout([blank_response()]),
        )
    hours = [priority.hour_from, priority.hour_to]
    if None in hours:
        hours = [0, 23]
    return (
        priority.problem,
        priority.area_wkt,
        priority.area_source,
        area_text(shapely_wkt.loads(priority.area_wkt), priority.area_source),
        list(priority.categories),
        list(priority.days),
        hours,
        priority.stage,
        priority.offender_notes,
        priority.victim_notes,
        priority.place_notes,
        priority.target_percent,
        view.response_rows_layout(view.response_rows(priority)),
    )


AREA_SOURCE_TEXT = {
    "gi_cell": "hot-spot cell",
    "grid_cell": "grid cell",
    "top_place": "top place",
    "drawn": "area drawn on the map",
    "station_area": "whole station area",
}


def area_text(polygon, source: str) -> str:
    """Describe a picked area: how it was picked and its size."""
    from analysis.station_spatial import LocalProjection

    centre = polygon.centroid
    projection = LocalProjection(centre.x, centre.y)
    lon, lat = polygon.exterior.coords.xy
    x, y = projection.to_metres(list(lon), list(lat))
    hectares = Polygon(zip(x, y, strict=True)).area / 10_000
    return (
        f"Where: {AREA_SOURCE_TEXT.get(source, source)} of {hectares:.1f} ha "
        f"around {centre.y:.4f}, {centre.x:.4f}."
    )


def area_from_map(triggered, click, selection, cell, layer, record):
    """Return ``(polygon, source, text)`` for a map click or selection, or None.

    A box selection gives its rectangle and a lasso its polygon. A click on a
    hot-spot layer cell gives that grid cell; a click on a point gives the grid
    cell around it. Both the offline map (``x``/``y`` axes) and the tile map
    (``map`` subplot, ``lon``/``lat``) are read.
    """
    triggered = triggered or {}
    if any(key.endswith("selectedData") for key in triggered) and selection:
        polygon = _selection_polygon(selection)
        source = "drawn"
    elif click and click.get("points"):
        point = click["points"][0]
        if "lon" in point:
            lon, lat = float(point["lon"]), float(point["lat"])
        else:
            lon, lat = float(point["x"]), float(point["y"])
        projection = data.projection_for(record, None)
        polygon = data.cell_at(projection, lon, lat, cell)
        source = "gi_cell" if layer == "gi" else "grid_cell"
    else:
        return None
    if polygon is None or polygon.area == 0:
        return None
    return polygon, source, area_text(polygon, source)


def _selection_polygon(selection: dict):
    """Return the polygon of a box or lasso selection in degrees, or ``None``.

    Plotly gives a selection on ``x``/``y`` axes as separate coordinate lists
    and one on a tile map (subplot ``map``) as ``[lon, lat]`` pairs.
    """
    corners = _selection_points(selection.get("range"))
    if corners is not None and len(corners) == 2:
        (x0, y0), (x1, y1) = corners
        return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    points = _selection_points(selection.get("lassoPoints"))
    if points is not None and len(points) >= 3:
        polygon = Polygon(points)
        return polygon if polygon.is_valid else polygon.buffer(0)
    return None


def _selection_points(part: dict | None) -> list[tuple[float, float]] | None:
    if not part:
        return None
    if "map" in part:
        return [(float(lon), float(lat)) for lon, lat in part["map"]]
    if "x" in part and "y" in part:
        return [(float(x), float(y)) for x, y in zip(part["x"], part["y"], strict=True)]
    return None
