"""Action plans: who may create, edit, approve and close them, and their history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from data_access import action_plans as plans
from data_access.scope import OutOfScope, Scope
from tests.dashboard.helpers import seed_places

LCA = frozenset({"LCA"})
STATION = plans.Actor("station", "station_commander", Scope(LCA, station_code="CAS"))
OTHER_STATION = plans.Actor("gri", "station_commander", Scope(LCA, station_code="GRI"))
DIVISIONAL = plans.Actor("divisional", "divisional_commander", Scope(LCA, "NORTH"))
SOUTH = plans.Actor("south", "divisional_commander", Scope(LCA, "SOUTH"))
COMMISSIONER = plans.Actor("commissioner", "commissioner", Scope(LCA))
ANALYST = plans.Actor("analyst", "crime_analyst", Scope(LCA))
ADMIN = plans.Actor("admin", "administrator", Scope(None))
BARBADOS = plans.Actor("brb", "commissioner", Scope(frozenset({"BRB"})))

AREA = (
    "POLYGON ((-60.996 14.004, -60.994 14.004, -60.994 14.006, "
    "-60.996 14.006, -60.996 14.004))"
)


@pytest.fixture
def places(engine):
    seed_places(engine)
    return engine


def _polygon_with(vertices: int) -> str:
    """Return the WKT of a polygon on a circle with ``vertices`` points in all."""
    angles = np.linspace(0, 2 * np.pi, vertices - 1, endpoint=False)
    ring = [f"{-61.0 + 0.01 * np.cos(a)} {14.0 + 0.01 * np.sin(a)}" for a in angles]
    return "POLYGON ((" + ", ".join([*ring, ring[0]]) + "))"


def _priority(**changes) -> plans.Priority:
    values = {
        "problem": "Night burglaries of houses near the market",
        "area_wkt": AREA,
        "area_source": "gi_cell",
        "stage": "analysis",
        "target_percent": 20,
        "categories": ("0501",),
        "days": ("Fri", "Sat"),
        "hour_from": 20,
        "hour_to": 4,
        "responses": (
            plans.Response(
                "Hot-spot patrols",
                owner="Sgt. Joseph",
                due_date=dt.date(2024, 4, 30),
                patrol_minutes=15,
            ),
            plans.Response("Visit victims for target hardening", owner="CPO"),
        ),
    }
    values.update(changes)
    return plans.Priority(**values)


def test_station_commander_creates_and_saves(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plan = plans.save_priority(places, STATION, plan.id, _priority())

    assert plan.status == "draft"
    assert plan.division_code == "NORTH"
    [priority] = plan.priorities
    assert priority.categories == ("0501",)
    assert priority.days == ("Fri", "Sat")
    assert (priority.hour_from, priority.hour_to) == (20, 4)
    assert [r.action for r in priority.responses] == [
        "Hot-spot patrols",
        "Visit victims for target hardening",
    ]
    assert priority.responses[0].patrol_minutes == 15
    assert priority.responses[0].due_date == dt.date(2024, 4, 30)


def test_plan_edit_records_history(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plan = plans.save_priority(places, STATION, plan.id, _priority())
    saved = plan.priorities[0]
    plans.save_priority(
        places,
        STATION,
        plan.id,
        plans.Priority(**{**saved.__dict__, "target_percent": 30}),
    )

    history = plans.read_history(places, Scope(LCA), plan.id)

    assert [h.action for h in history] == [
        "created",
        "priority_saved",
        "priority_saved",
    ]
    assert history[-1].detail == f"priority {saved.id} changed: target_percent"
    assert {h.username for h in history} == {"station"}


@pytest.mark.parametrize(
    "actor",
    [OTHER_STATION, DIVISIONAL, COMMISSIONER, ANALYST, BARBADOS],
    ids=["other-station", "divisional", "commissioner", "analyst", "other-country"],
)
def test_only_station_commander_edits(places, actor):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)

    with pytest.raises(OutOfScope):
        plans.save_priority(places, actor, plan.id, _priority())
    with pytest.raises(OutOfScope):
        plans.create_plan(places, actor, "LCA", "CAS", 202405)


def test_administrator_may_edit(places):
    plan = plans.create_plan(places, ADMIN, "LCA", "CAS", 202404)

    plan = plans.save_priority(places, ADMIN, plan.id, _priority())

    assert len(plan.priorities) == 1


def test_approval_by_division_or_commissioner(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plans.save_priority(places, STATION, plan.id, _priority())
    plans.submit_plan(places, STATION, plan.id)

    with pytest.raises(OutOfScope):
        plans.approve_plan(places, SOUTH, plan.id)
    with pytest.raises(OutOfScope):
        plans.approve_plan(places, STATION, plan.id)
    with pytest.raises(OutOfScope):
        plans.approve_plan(places, ANALYST, plan.id)
    with pytest.raises(OutOfScope):
        plans.approve_plan(places, BARBADOS, plan.id)
    approved = plans.approve_plan(places, DIVISIONAL, plan.id)

    assert approved.status == "approved"
    assert approved.approved_by == "divisional"


def test_commissioner_returns_then_approves(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plans.save_priority(places, STATION, plan.id, _priority())
    plans.submit_plan(places, STATION, plan.id)

    returned = plans.return_plan(places, COMMISSIONER, plan.id)
    plans.submit_plan(places, STATION, plan.id)
    approved = plans.approve_plan(places, COMMISSIONER, plan.id)
    closed = plans.close_plan(places, STATION, plan.id)

    assert returned.status == "draft"
    assert approved.approved_by == "commissioner"
    assert closed.status == "closed"
    actions = [h.action for h in plans.read_history(places, Scope(LCA), plan.id)]
    assert actions == [
        "created",
        "priority_saved",
        "submitted",
        "draft",
        "submitted",
        "approved",
        "closed",
    ]


def test_submitted_plan_not_editable(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plans.save_priority(places, STATION, plan.id, _priority())
    plans.submit_plan(places, STATION, plan.id)

    with pytest.raises(plans.PlanError, match="only a draft can be edited"):
        plans.save_priority(places, STATION, plan.id, _priority())
    with pytest.raises(plans.PlanError, match="must be approved to become closed"):
        plans.close_plan(places, STATION, plan.id)


def test_empty_plan_cannot_be_submitted(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)

    with pytest.raises(plans.PlanError, match="no priority"):
        plans.submit_plan(places, STATION, plan.id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"problem": "  "}, "problem statement is empty"),
        ({"area_wkt": "POINT (1 1)"}, "not a polygon"),
        ({"area_wkt": "not wkt"}, "is not WKT"),
        ({"stage": "planning"}, "stage 'planning' is invalid"),
        ({"target_percent": 0}, "target 0% is invalid"),
        ({"days": ("Monday",)}, "days \\['Monday'\\] are invalid"),
        ({"hour_from": 24}, "hour_from 24 is invalid"),
        ({"responses": (plans.Response(""),)}, "has no action"),
        ({"responses": (plans.Response("x", patrol_minutes=0),)}, "patrol minutes 0"),
        ({"problem": "x" * 4001}, "problem statement has 4,001 characters"),
        ({"place_notes": "x" * 4001}, "place notes has 4,001 characters"),
        (
            {"responses": (plans.Response("x", resources="r" * 4001),)},
            "response resources has 4,001",
        ),
        ({"categories": ("0501",) * 101}, "101 categories in one priority"),
        ({"area_wkt": _polygon_with(5001)}, "area has 5,001 points"),
        ({"area_wkt": "POLYGON ((" + "1" * 400_000 + "))"}, "more than 5,000 points"),
    ],
)
def test_invalid_priority_rejected(places, changes, message):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)

    with pytest.raises(plans.PlanError, match=message):
        plans.save_priority(places, STATION, plan.id, _priority(**changes))


def test_second_plan_same_month_rejected(places):
    plans.create_plan(places, STATION, "LCA", "CAS", 202404)

    with pytest.raises(plans.PlanError, match="already has plan"):
        plans.create_plan(places, STATION, "LCA", "CAS", 202404)


def test_completion_recorded_after_approval(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plan = plans.save_priority(places, STATION, plan.id, _priority())
    plans.submit_plan(places, STATION, plan.id)
    plans.approve_plan(places, DIVISIONAL, plan.id)
    response_id = plan.priorities[0].responses[0].id

    plan = plans.record_completion(places, STATION, plan.id, response_id, "done")

    assert plan.priorities[0].responses[0].completion == "done"
    with pytest.raises(OutOfScope):
        plans.record_completion(places, DIVISIONAL, plan.id, response_id, "planned")


def test_carry_over_copies_unfinished(places):
    april = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    april = plans.save_priority(places, STATION, april.id, _priority())
    finished = _priority(
        problem="Robberies at the bus stop",
        responses=(plans.Response("Foot patrol", completion="done"),),
    )
    april = plans.save_priority(places, STATION, april.id, finished)

    may = plans.carry_over(places, STATION, "LCA", "CAS", 202405, 202404)
    again = plans.carry_over(places, STATION, "LCA", "CAS", 202405, 202404)

    assert may.month == 202405
    assert [p.problem for p in may.priorities] == [
        "Night burglaries of houses near the market"
    ]
    assert may.priorities[0].carried_from_id == april.priorities[0].id
    assert len(may.priorities[0].responses) == 2
    assert len(again.priorities) == 1


def test_reading_needs_station_in_scope(places):
    plan = plans.create_plan(places, STATION, "LCA", "CAS", 202404)

    assert plans.get_plan(places, Scope(LCA, "NORTH"), plan.id).id == plan.id
    with pytest.raises(OutOfScope):
        plans.get_plan(places, Scope(LCA, station_code="GRI"), plan.id)
    with pytest.raises(OutOfScope):
        plans.find_plan(places, Scope(LCA, "SOUTH"), "LCA", "CAS", 202404)
    with pytest.raises(plans.PlanNotFound):
        plans.get_plan(places, Scope(LCA), plan.id + 1)


def test_list_plans_by_scope(places):
    cas = plans.create_plan(places, STATION, "LCA", "CAS", 202404)
    plans.save_priority(places, STATION, cas.id, _priority())
    plans.create_plan(places, ADMIN, "LCA", "VFT", 202404)
    plans.create_plan(places, ADMIN, "BRB", "BRI", 202404)
    plans.create_plan(places, STATION, "LCA", "CAS", 202405)

    country = plans.list_plans(places, Scope(LCA), 202404)
    north = plans.list_plans(places, Scope(LCA, "NORTH"), 202404)

    assert list(country["station_code"]) == ["CAS", "VFT"]
    assert list(north["station_code"]) == ["CAS"]
    row = country.iloc[0]
    assert (row["status"], row["priorities"], row["responses"]) == ("draft", 1, 2)
    assert row["responses_done"] == 0
