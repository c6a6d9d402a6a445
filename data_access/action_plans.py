"""Monthly action plans of stations: priorities, responses, status and history.

A station commander writes the plan of a month as a draft and submits it. A
divisional commander of the station's division or the commissioner of its country
approves it or returns it to draft. Once the month is over, the plan is closed. Every
change adds a row to ``plan_history`` naming the user, the time and what changed.

Every function checks the caller's ``Scope``; a request the caller may not make
raises ``OutOfScope``, which the dashboard turns into an audited 403:

- reading a plan needs a scope that includes its station;
- creating and editing a draft needs the station's commander or an administrator
  whose scope includes the station;
- approving or returning needs a divisional commander of the station's division or
  the commissioner of its country.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, fields, replace

import pandas as pd
import shapely
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError
from sqlalchemy import Engine, case, delete, func, insert, select, update

from data_access.app_tables import (
    action_plan,
    plan_history,
    plan_priority,
    plan_response,
)
from data_access.schema import division, station
from data_access.scope import OutOfScope, Scope
from data_access.users import (
    ADMINISTRATOR,
    COMMISSIONER,
    DIVISIONAL_COMMANDER,
    STATION_COMMANDER,
    UserRecord,
    scope_for_record,
    utcnow,
)

logger = logging.getLogger(__name__)

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
CLOSED = "closed"
STATUSES = (DRAFT, SUBMITTED, APPROVED, CLOSED)

STAGES = ("scanning", "analysis", "response", "assessment")
COMPLETIONS = ("planned", "in_progress", "done", "dropped")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AREA_SOURCES = ("gi_cell", "grid_cell", "top_place", "drawn", "station_area")

EDITOR_ROLES = frozenset({STATION_COMMANDER, ADMINISTRATOR})
APPROVER_ROLES = frozenset({DIVISIONAL_COMMANDER, COMMISSIONER})


class PlanError(ValueError):
    """A plan request is invalid; the message names the field and value."""


class PlanNotFound(LookupError):
    """No plan has the given id."""


@dataclass(frozen=True)
class Actor:
    """The user acting on a plan: user name, role and scope, from the account."""

    username: str
    role: str
    scope: Scope

    @classmethod
    def from_record(cls, record: UserRecord) -> Actor:
        """Return the actor of a logged-in account."""
        return cls(record.username, record.role, scope_for_record(record))


@dataclass(frozen=True)
class Response:
    """One response of a priority.

    Attributes
    ----------
    patrol_minutes
        Planned patrol minutes per visit to the hot spot, for patrols only.
    completion
        One of ``COMPLETIONS``, as recorded by the commander.
    """

    action: str
    owner: str = ""
    due_date: dt.date | None = None
    resources: str = ""
    patrol_minutes: int | None = None
    completion: str = "planned"
    id: int | None = None


@dataclass(frozen=True)
class Priority:
    """One priority of a plan.

    Attributes
    ----------
    problem
        The problem statement.
    area_wkt
        Where: a WGS84 polygon as WKT.
    area_source
        How the area was chosen, one of ``AREA_SOURCES``.
    categories
        What: ICCS code prefixes; empty means every category.
    days, hour_from, hour_to
        When: weekdays from ``DAYS`` and an hour range (``hour_to`` may be
        smaller than ``hour_from`` for a range over midnight).
    stage
        Stage of the problem-solving cycle, one of ``STAGES``.
    target_percent
        Target reduction in percent of the baseline.
    carried_from_id
        Id of the priority of an earlier plan this one continues, if any.
    """

    problem: str
    area_wkt: str
    area_source: str
    stage: str
    target_percent: float
    categories: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    hour_from: int | None = None
    hour_to: int | None = None
    offender_notes: str = ""
    victim_notes: str = ""
    place_notes: str = ""
    responses: tuple[Response, ...] = ()
    id: int | None = None
    carried_from_id: int | None = None


@dataclass(frozen=True)
class Plan:
    """A station's plan for one month, with its priorities in order."""

    id: int
    country_code: str
    station_code: str
    division_code: str | None
    month: int
    status: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    priorities: tuple[Priority, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a plan."""

    at: dt.datetime
    username: str
    action: str
    detail: str


def _station_division(connection, country_code: str, station_code: str) -> str | None:
    return connection.scalar(
        select(division.c.code)
        .select_from(
            station.outerjoin(division, station.c.division_id == division.c.id)
        )
        .where(station.c.country_code == country_code, station.c.code == station_code)
    )


def _check_read(connection, scope: Scope, country_code: str, station_code: str):
    scope.check_country(country_code)
    division_code = _station_division(connection, country_code, station_code)
    scope.check_station(country_code, station_code, division_code)
    return division_code


def _check_editor(connection, actor: Actor, country_code: str, station_code: str):
    division_code = _check_read(connection, actor.scope, country_code, station_code)
    if actor.role not in EDITOR_ROLES:
        raise OutOfScope(
            f"role {actor.role!r} may not edit the plan of station {station_code!r}"
        )
    return division_code


def _check_approver(connection, actor: Actor, plan_row) -> None:
    _check_read(connection, actor.scope, plan_row.country_code, plan_row.station_code)
    if actor.role not in APPROVER_ROLES:
        raise OutOfScope(
            f"role {actor.role!r} may not approve the plan of station "
            f"{plan_row.station_code!r}"
        )


def _plan_row(connection, plan_id: int):
    row = connection.execute(
        select(action_plan).where(action_plan.c.id == plan_id)
    ).first()
    if row is None:
        raise PlanNotFound(f"action plan {plan_id!r} not found.")
    return row


def _history(connection, plan_id: int, username: str, action: str, detail: str):
    now = utcnow()
    connection.execute(
        insert(plan_history).values(
            plan_id=plan_id, at=now, username=username, action=action, detail=detail
        )
    )
    connection.execute(
        update(action_plan).where(action_plan.c.id == plan_id).values(updated_at=now)
    )
    logger.info("plan %s %s by %s", plan_id, action, username)


def find_plan(
    engine: Engine, scope: Scope, country_code: str, station_code: str, month: int
) -> Plan | None:
    """Return the plan of a station and month, or ``None`` if none was written.

    Raises
    ------
    OutOfScope
        If ``scope`` does not include the station.
    """
    with engine.connect() as connection:
        _check_read(connection, scope, country_code, station_code)
        plan_id = connection.scalar(
            select(action_plan.c.id).where(
                action_plan.c.country_code == country_code,
                action_plan.c.station_code == station_code,
                action_plan.c.month == month,
            )
        )
        return None if plan_id is None else _load(connection, plan_id)


def get_plan(engine: Engine, scope: Scope, plan_id: int) -> Plan:
    """Return the plan with id ``plan_id``.

    Raises
    ------
    OutOfScope
        If ``scope`` does not include the plan's station. The check comes before
        the existence test only for plans that exist; an unknown id raises
        ``PlanNotFound``.
    PlanNotFound
        If no plan has this id.
    """
    with engine.connect() as connection:
        row = _plan_row(connection, plan_id)
        _check_read(connection, scope, row.country_code, row.station_code)
        return _load(connection, plan_id)


def _load(connection, plan_id: int) -> Plan:
    row = _plan_row(connection, plan_id)
    priorities = connection.execute(
        select(plan_priority)
        .where(plan_priority.c.plan_id == plan_id)
        .order_by(plan_priority.c.position, plan_priority.c.id)
    ).all()
    responses = connection.execute(
        select(plan_response)
        .where(plan_response.c.priority_id.in_([p.id for p in priorities]))
        .order_by(plan_response.c.position, plan_response.c.id)
    ).all()
    values = {name: getattr(row, name) for name in _PLAN_FIELDS}
    values["priorities"] = tuple(_priority(p, responses) for p in priorities)
    return Plan(**values)


_PLAN_FIELDS = [f.name for f in fields(Plan) if f.name != "priorities"]


def _priority(row, responses) -> Priority:
    return Priority(
        problem=row.problem,
        area_wkt=row.area_wkt,
        area_source=row.area_source,
        stage=row.stage,
        target_percent=row.target_percent,
        categories=_split(row.categories),
        days=_split(row.days),
        hour_from=row.hour_from,
        hour_to=row.hour_to,
        offender_notes=row.offender_notes,
        victim_notes=row.victim_notes,
        place_notes=row.place_notes,
        responses=tuple(
            Response(
                action=r.action,
                owner=r.owner,
                due_date=r.due_date,
                resources=r.resources,
                patrol_minutes=r.patrol_minutes,
                completion=r.completion,
                id=r.id,
            )
            for r in responses
            if r.priority_id == row.id
        ),
        id=row.id,
        carried_from_id=row.carried_from_id,
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def create_plan(
    engine: Engine, actor: Actor, country_code: str, station_code: str, month: int
) -> Plan:
    """Create an empty draft plan for a station and month.

    Raises
    ------
    OutOfScope
        If the actor may not edit the station's plans.
    PlanError
        If the station already has a plan for ``month``.
    """
    with engine.begin() as connection:
        division_code = _check_editor(connection, actor, country_code, station_code)
        existing = connection.scalar(
            select(action_plan.c.id).where(
                action_plan.c.country_code == country_code,
                action_plan.c.station_code == station_code,
                action_plan.c.month == month,
            )
        )
        if existing is not None:
            raise PlanError(
                f"station {station_code!r} already has plan {existing} for month "
                f"{month}; open it instead."
            )
        now = utcnow()
        plan_id = connection.execute(
            insert(action_plan).values(
                country_code=country_code,
                station_code=station_code,
                division_code=division_code,
                month=month,
                status=DRAFT,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        _history(connection, plan_id, actor.username, "created", f"month {month}")
        return _load(connection, plan_id)


def _editable_draft(connection, actor: Actor, plan_id: int):
    row = _plan_row(connection, plan_id)
    _check_editor(connection, actor, row.country_code, row.station_code)
    if row.status != DRAFT:
        raise PlanError(
            f"plan {plan_id} is {row.status}; only a draft can be edited. Ask the "
            "approver to return it to draft."
        )
    return row


# Maximum length of one text field of a plan, in characters. That is about a
# printed page, so the print view and the PDF stay quick to make.
MAX_TEXT_CHARACTERS = 4000
# Most vertices accepted in a priority's area; an area drawn by hand on the map
# has tens to a few hundred.
MAX_AREA_VERTICES = 5000
# Most categories and responses in one priority.
MAX_LIST_ITEMS = 100


def check_priority(priority: Priority) -> None:
    """Raise ``PlanError`` if a priority has an empty, invalid or oversized field."""
    if not priority.problem.strip():
        raise PlanError("problem statement is empty; say what the problem is.")
    _check_sizes(priority)
    if priority.stage not in STAGES:
        raise PlanError(f"stage {priority.stage!r} is invalid; use one of {STAGES}.")
    if priority.area_source not in AREA_SOURCES:
        raise PlanError(
            f"area source {priority.area_source!r} is invalid; use one of "
            f"{AREA_SOURCES}."
        )
    try:
        area = shapely_wkt.loads(priority.area_wkt)
    except (ShapelyError, TypeError, AttributeError):
        raise PlanError(
            f"area {priority.area_wkt[:60]!r} is not WKT; pick an area on the map."
        ) from None
    if area.geom_type not in ("Polygon", "MultiPolygon") or area.area == 0:
        raise PlanError(
            f"area is a {area.geom_type}, not a polygon; pick an area on the map."
        )
    vertices = shapely.get_num_coordinates(area)
    if vertices > MAX_AREA_VERTICES:
        raise PlanError(
            f"area has {vertices:,} points; draw a simpler area with at most "
            f"{MAX_AREA_VERTICES:,}."
        )
    _check_when(priority)
    if not 0 < priority.target_percent <= 100:
        raise PlanError(
            f"target {priority.target_percent!r}% is invalid; give a reduction "
            "between 0 and 100 percent."
        )
    for response in priority.responses:
        _check_response(response)


def _check_sizes(priority: Priority) -> None:
    texts = {
        "problem statement": priority.problem,
        "offender notes": priority.offender_notes,
        "victim notes": priority.victim_notes,
        "place notes": priority.place_notes,
    }
    for response in priority.responses:
        texts.update(
            {
                "response action": response.action,
                "response owner": response.owner,
                "response resources": response.resources,
            }
        )
    for name, text in texts.items():
        if len(text) > MAX_TEXT_CHARACTERS:
            raise PlanError(
                f"{name} has {len(text):,} characters; shorten it to at most "
                f"{MAX_TEXT_CHARACTERS:,}."
            )
    for name, items in (
        ("categories", priority.categories),
        ("responses", priority.responses),
    ):
        if len(items) > MAX_LIST_ITEMS:
            raise PlanError(
                f"{len(items)} {name} in one priority; keep at most {MAX_LIST_ITEMS}."
            )
    # Reject a very long area before parsing it: a vertex written with full double
    # precision, "-61.01234567890123 13.01234567890123, ", takes under 60 characters.
    if len(priority.area_wkt) > MAX_AREA_VERTICES * 60:
        raise PlanError(
            f"area has more than {MAX_AREA_VERTICES:,} points; draw a simpler area."
        )


def _check_when(priority: Priority) -> None:
    unknown = [day for day in priority.days if day not in DAYS]
    if unknown:
        raise PlanError(f"days {unknown!r} are invalid; use {DAYS}.")
    for name in ("hour_from", "hour_to"):
        hour = getattr(priority, name)
        if hour is not None and not 0 <= hour <= 23:
            raise PlanError(f"{name} {hour!r} is invalid; use an hour from 0 to 23.")


def _check_response(response: Response) -> None:
    if not response.action.strip():
        raise PlanError("a response has no action; describe what will be done.")
    if response.completion not in COMPLETIONS:
        raise PlanError(
            f"completion {response.completion!r} is invalid; use one of {COMPLETIONS}."
        )
    minutes = response.patrol_minutes
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise PlanError(
            f"patrol minutes {minutes!r} are invalid; give minutes per hot spot "
            "from 1 to 1440."
        )


def save_priority(
    engine: Engine, actor: Actor, plan_id: int, priority: Priority
) -> Plan:
    """Add a priority to a draft plan, or replace the one with ``priority.id``.

    The priority's responses replace the ones stored before. The history row
    names the fields that changed, never their text.

    Raises
    ------
    OutOfScope
        If the actor may not edit the plan.
    PlanError
        If the plan is not a draft, the priority is invalid, or ``priority.id``
        belongs to another plan.
    PlanNotFound
        If no plan has this id.
    """
    check_priority(priority)
    with engine.begin() as connection:
        _editable_draft(connection, actor, plan_id)
        plan = _load(connection, plan_id)
        if priority.id is None:
            priority_id = _insert_priority(connection, plan_id, priority, plan)
            detail = f"priority {priority_id} added"
        else:
            old = _own_priority(plan, priority.id)
            priority_id = priority.id
            _update_priority(connection, priority)
            detail = f"priority {priority_id} changed: {_changes(old, priority)}"
        _write_responses(connection, priority_id, priority.responses)
        _history(connection, plan_id, actor.username, "priority_saved", detail)
        return _load(connection, plan_id)


def _own_priority(plan: Plan, priority_id: int) -> Priority:
    for priority in plan.priorities:
        if priority.id == priority_id:
            return priority
    raise PlanError(f"priority {priority_id!r} is not part of plan {plan.id}.")


def _priority_values(priority: Priority) -> dict:
    return {
        "problem": priority.problem.strip(),
        "area_wkt": priority.area_wkt,
        "area_source": priority.area_source,
        "categories": ",".join(priority.categories),
        "days": ",".join(priority.days),
        "hour_from": priority.hour_from,
        "hour_to": priority.hour_to,
        "stage": priority.stage,
        "offender_notes": priority.offender_notes,
        "victim_notes": priority.victim_notes,
        "place_notes": priority.place_notes,
        "target_percent": float(priority.target_percent),
        "carried_from_id": priority.carried_from_id,
    }


def _insert_priority(connection, plan_id, priority: Priority, plan: Plan) -> int:
    values = _priority_values(priority) | {
        "plan_id": plan_id,
        "position": len(plan.priorities) + 1,
    }
    return connection.execute(
        insert(plan_priority).values(values)
    ).inserted_primary_key[0]


def _update_priority(connection, priority: Priority) -> None:
    connection.execute(
        update(plan_priority)
        .where(plan_priority.c.id == priority.id)
        .values(_priority_values(priority))
    )


def _write_responses(connection, priority_id: int, responses) -> None:
    connection.execute(
        delete(plan_response).where(plan_response.c.priority_id == priority_id)
    )
    rows = [
        {
            "priority_id": priority_id,
            "position": position,
            "action": response.action.strip(),
            "owner": response.owner,
            "due_date": response.due_date,
            "resources": response.resources,
            "patrol_minutes": response.patrol_minutes,
            "completion": response.completion,
        }
        for position, response in enumerate(responses, start=1)
    ]
    if rows:
        connection.execute(insert(plan_response), rows)


def _changes(old: Priority, new: Priority) -> str:
    compared = [f.name for f in fields(Priority) if f.name not in ("id", "responses")]
    changed = [name for name in compared if getattr(old, name) != getattr(new, name)]
    old_responses = [replace(r, id=None) for r in old.responses]
    new_responses = [replace(r, id=None) for r in new.responses]
    if old_responses != new_responses:
        changed.append("responses")
    return ", ".join(changed) or "nothing"


def delete_priority(engine: Engine, actor: Actor, plan_id: int, priority_id: int):
    """Remove a priority and its responses from a draft plan.

    Raises
    ------
    OutOfScope, PlanError, PlanNotFound
        As ``save_priority``.
    """
    with engine.begin() as connection:
        _editable_draft(connection, actor, plan_id)
        _own_priority(_load(connection, plan_id), priority_id)
        connection.execute(
            delete(plan_response).where(plan_response.c.priority_id == priority_id)
        )
        connection.execute(
            delete(plan_priority).where(plan_priority.c.id == priority_id)
        )
        _history(
            connection,
            plan_id,
            actor.username,
            "priority_deleted",
            f"priority {priority_id} deleted",
        )
        return _load(connection, plan_id)


def _move(
    connection, plan_id: int, actor: Actor, source: str, target: str, values=None
):
    row = _plan_row(connection, plan_id)
    if row.status != source:
        raise PlanError(
            f"plan {plan_id} is {row.status}; it must be {source} to become {target}."
        )
    connection.execute(
        update(action_plan)
        .where(action_plan.c.id == plan_id)
        .values(status=target, **(values or {}))
    )
    _history(connection, plan_id, actor.username, target, f"{source} -> {target}")
    return _load(connection, plan_id)


def submit_plan(engine: Engine, actor: Actor, plan_id: int) -> Plan:
    """Submit a draft plan for approval.

    Raises
    ------
    OutOfScope
        If the actor may not edit the plan.
    PlanError
        If the plan is not a draft or has no priority.
    """
    with engine.begin() as connection:
        _editable_draft(connection, actor, plan_id)
        if not _load(connection, plan_id).priorities:
            raise PlanError(
                f"plan {plan_id} has no priority; add one before submitting."
            )
        return _move(connection, plan_id, actor, DRAFT, SUBMITTED)


def approve_plan(engine: Engine, actor: Actor, plan_id: int) -> Plan:
    """Approve a submitted plan.

    Raises
    ------
    OutOfScope
        Unless the actor is a divisional commander of the station's division or
        the commissioner of its country.
    PlanError
        If the plan is not submitted.
    """
    with engine.begin() as connection:
        _check_approver(connection, actor, _plan_row(connection, plan_id))
        values = {"approved_by": actor.username, "approved_at": utcnow()}
        return _move(connection, plan_id, actor, SUBMITTED, APPROVED, values)


def return_plan(engine: Engine, actor: Actor, plan_id: int) -> Plan:
    """Return a submitted plan to draft so the station can change it.

    Raises
    ------
    OutOfScope
        Unless the actor may approve the plan.
    PlanError
        If the plan is not submitted.
    """
    with engine.begin() as connection:
        _check_approver(connection, actor, _plan_row(connection, plan_id))
        return _move(connection, plan_id, actor, SUBMITTED, DRAFT)


def close_plan(engine: Engine, actor: Actor, plan_id: int) -> Plan:
    """Close an approved plan once its month is reviewed.

    Raises
    ------
    OutOfScope
        Unless the actor may edit or approve the plan.
    PlanError
        If the plan is not approved.
    """
    with engine.begin() as connection:
        row = _plan_row(connection, plan_id)
        if actor.role in APPROVER_ROLES:
            _check_approver(connection, actor, row)
        else:
            _check_editor(connection, actor, row.country_code, row.station_code)
        return _move(connection, plan_id, actor, APPROVED, CLOSED)


def record_completion(
    engine: Engine, actor: Actor, plan_id: int, response_id: int, completion: str
) -> Plan:
    """Record how far a response of a submitted or approved plan has got.

    Raises
    ------
    OutOfScope
        If the actor may not edit the plan.
    PlanError
        If the completion is invalid, the plan is closed, or the response
        belongs to another plan.
    """
    if completion not in COMPLETIONS:
        raise PlanError(
            f"completion {completion!r} is invalid; use one of {COMPLETIONS}."
        )
    with engine.begin() as connection:
        row = _plan_row(connection, plan_id)
        _check_editor(connection, actor, row.country_code, row.station_code)
        if row.status == CLOSED:
            raise PlanError(f"plan {plan_id} is closed; its record cannot change.")
        plan = _load(connection, plan_id)
        ids = {r.id for p in plan.priorities for r in p.responses}
        if response_id not in ids:
            raise PlanError(f"response {response_id!r} is not part of plan {plan_id}.")
        connection.execute(
            update(plan_response)
            .where(plan_response.c.id == response_id)
            .values(completion=completion)
        )
        _history(
            connection,
            plan_id,
            actor.username,
            "completion",
            f"response {response_id}: {completion}",
        )
        return _load(connection, plan_id)


def carry_over(
    engine: Engine,
    actor: Actor,
    country_code: str,
    station_code: str,
    month: int,
    previous_month: int,
) -> Plan:
    """Copy the unfinished priorities of ``previous_month``'s plan into ``month``'s.

    A priority is unfinished when one of its responses is not done or dropped;
    it is copied with those responses only. The plan of ``month`` is created as a
    draft when missing, and must be a draft.

    Raises
    ------
    OutOfScope
        If the actor may not edit the station's plans.
    PlanError
        If ``previous_month`` has no plan or the plan of ``month`` is not a draft.
    """
    source = find_plan(engine, actor.scope, country_code, station_code, previous_month)
    if source is None:
        raise PlanError(
            f"station {station_code!r} has no plan for {previous_month} to carry over."
        )
    target = find_plan(engine, actor.scope, country_code, station_code, month)
    if target is None:
        target = create_plan(engine, actor, country_code, station_code, month)
    carried = {p.carried_from_id for p in target.priorities}
    for priority in source.priorities:
        open_responses = tuple(
            replace(r, id=None, completion="planned")
            for r in priority.responses
            if r.completion not in ("done", "dropped")
        )
        if not open_responses or priority.id in carried:
            continue
        copy = replace(
            priority, id=None, carried_from_id=priority.id, responses=open_responses
        )
        target = save_priority(engine, actor, target.id, copy)
    return target


def read_history(engine: Engine, scope: Scope, plan_id: int) -> list[HistoryEntry]:
    """Return the changes of a plan, oldest first.

    Raises
    ------
    OutOfScope
        If ``scope`` does not include the plan's station.
    """
    with engine.connect() as connection:
        row = _plan_row(connection, plan_id)
        _check_read(connection, scope, row.country_code, row.station_code)
        rows = connection.execute(
            select(plan_history)
            .where(plan_history.c.plan_id == plan_id)
            .order_by(plan_history.c.at, plan_history.c.id)
        ).all()
    return [HistoryEntry(r.at, r.username, r.action, r.detail) for r in rows]


def list_plans(engine: Engine, scope: Scope, month: int) -> pd.DataFrame:
    """Return every plan of ``month`` in ``scope`` with its progress.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope: a commissioner gets the plans of the country, a
        divisional commander those of the division, a station commander the
        station's.
    month
        The plan month, ``YYYYMM``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``country_code``, ``station_code``, ``division_code``,
        ``month``, ``status``, ``priorities``, ``responses``,
        ``responses_done``, ``approved_by`` and ``updated_at``, ordered by
        country and station.
    """
    priorities = (
        select(
            plan_priority.c.plan_id,
            func.count(func.distinct(plan_priority.c.id)).label("priorities"),
            func.count(plan_response.c.id).label("responses"),
            func.sum(_done()).label("responses_done"),
        )
        .select_from(
            plan_priority.outerjoin(
                plan_response, plan_response.c.priority_id == plan_priority.c.id
            )
        )
        .group_by(plan_priority.c.plan_id)
        .subquery()
    )
    query = (
        select(
            action_plan.c.id,
            action_plan.c.country_code,
            action_plan.c.station_code,
            action_plan.c.division_code,
            action_plan.c.month,
            action_plan.c.status,
            func.coalesce(priorities.c.priorities, 0).label("priorities"),
            func.coalesce(priorities.c.responses, 0).label("responses"),
            func.coalesce(priorities.c.responses_done, 0).label("responses_done"),
            action_plan.c.approved_by,
            action_plan.c.updated_at,
        )
        .select_from(
            action_plan.outerjoin(priorities, priorities.c.plan_id == action_plan.c.id)
        )
        .where(action_plan.c.month == month)
        .order_by(action_plan.c.country_code, action_plan.c.station_code)
    )
    if scope.countries is not None:
        query = query.where(action_plan.c.country_code.in_(sorted(scope.countries)))
    if scope.division_code is not None:
        query = query.where(action_plan.c.division_code == scope.division_code)
    if scope.station_code is not None:
        query = query.where(action_plan.c.station_code == scope.station_code)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    columns = [c.name for c in query.selected_columns]
    frame = pd.DataFrame([dict(row) for row in rows], columns=columns)
    for column in ("priorities", "responses", "responses_done"):
        frame[column] = frame[column].astype("int64")
    return frame


def _done():
    return case((plan_response.c.completion == "done", 1), else_=0)
