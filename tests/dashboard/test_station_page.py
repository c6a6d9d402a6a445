"""The Station workspace through the app: plan callbacks, exports and refusals.

Callbacks are posted as raw HTTP requests, the way a browser (or anyone) can.
"""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from data_access import action_plans as plans
from data_access.app_tables import audit_log
from data_access.scope import Scope
from tests.dashboard.helpers import callback_body, login
from tests.dashboard.station_helpers import seed_station_month

AREA = (
    "POLYGON ((-60.996 14.004, -60.994 14.004, -60.994 14.006, -60.996 14.006, "
    "-60.996 14.004))"
)
PROBLEM = "Night burglaries of houses near the market"
RESPONSE_FIELDS = {
    "station-response-row-id": ("data", None),
    "station-response-action": ("value", "Hot-spot patrols, 15 minutes each"),
    "station-response-owner": ("value", "Sgt. Joseph"),
    "station-response-due": ("value", "2024-04-30"),
    "station-response-resources": ("value", "2 officers"),
    "station-response-minutes": ("value", 15),
    "station-response-completion": ("value", "planned"),
}


@pytest.fixture
def station_app(app, seeded_engine, tmp_path):
    """Return the app on a warehouse holding the Station workspace incidents."""
    seed_station_month(seeded_engine, tmp_path)
    return app


def _plan_output(dependencies) -> str:
    return next(
        d["output"] for d in dependencies if d["output"].startswith("..station-plan-id")
    )


def _plan_body(dependencies, button, station="CAS", month=202403, form=None):
    values = {
        "station-station.value": station,
        "station-month.value": month,
        "station-country.value": "LCA",
        "station-priority-pick.value": "new",
    }
    values.update(form or {})
    body = callback_body(dependencies, _plan_output(dependencies), values)
    body["changedPropIds"] = [f"{button}.n_clicks"] if button else []
    rows = 1 if form else 0
    for item in body["state"]:
        kind = item["id"]
        if isinstance(kind, str) and kind.startswith("{"):
            kind = json.loads(kind)["type"]
        if isinstance(kind, dict):
            kind = kind["type"]
        if kind in RESPONSE_FIELDS:
            prop, value = RESPONSE_FIELDS[kind]
            item.clear()
            item_list = [
                {"id": {"type": kind, "index": i}, "property": prop, "value": value}
                for i in range(rows)
            ]
            body["state"][body["state"].index(item)] = item_list
    return body


FORM = {
    "station-priority-problem.value": PROBLEM,
    "station-priority-area.data": AREA,
    "station-priority-area-source.data": "gi_cell",
    "station-priority-categories.value": ["0501"],
    "station-priority-days.value": ["Sat", "Fri"],
    "station-priority-hours.value": [20, 23],
    "station-priority-stage.value": "analysis",
    "station-priority-offender.value": "",
    "station-priority-victim.value": "Elderly home owners",
    "station-priority-place.value": "Unlit back lanes",
    "station-priority-target.value": 20,
}


def _post(client, body):
    return client.post("/_dash-update-component", json=body)


def _create_and_save(login_as, dependencies):
    client = login_as("station")
    created = _post(client, _plan_body(dependencies, "station-plan-create"))
    assert created.status_code == 200, created.text
    plan_id = created.json["response"]["station-plan-id"]["data"]
    saved = _post(client, _plan_body(dependencies, "station-priority-save", form=FORM))
    assert saved.status_code == 200, saved.text
    return client, plan_id, saved


def _refusals(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.action == "refused")
        ).all()
    return [(row.username, row.object, row.detail) for row in rows]


def _exports(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.action == "export")
        ).all()
    return [(row.username, row.object, row.detail) for row in rows]


def test_plan_created_and_saved(station_app, login_as, dependencies, seeded_engine):
    _, plan_id, saved = _create_and_save(login_as, dependencies)

    response = saved.json["response"]
    assert response["station-plan-id"]["data"] == plan_id
    assert PROBLEM in json.dumps(response["station-plan-view"])
    plan = plans.get_plan(seeded_engine, Scope.everything(), plan_id)
    assert plan.month == 202404
    [priority] = plan.priorities
    assert priority.days == ("Fri", "Sat")
    assert priority.categories == ("0501",)
    assert priority.responses[0].owner == "Sgt. Joseph"
    assert priority.responses[0].patrol_minutes == 15
    assert response["station-priority-pick"]["value"] == str(priority.id)


def test_plan_submitted_and_approved(
    station_app, login_as, dependencies, seeded_engine
):
    client, plan_id, _ = _create_and_save(login_as, dependencies)

    submitted = _post(client, _plan_body(dependencies, "station-plan-submit"))
    refused = _post(client, _plan_body(dependencies, "station-plan-approve"))
    approved = _post(
        login_as("divisional"), _plan_body(dependencies, "station-plan-approve")
    )

    assert submitted.status_code == 200
    assert "submitted" in json.dumps(submitted.json["response"]["station-plan-status"])
    assert refused.status_code == 403
    assert approved.status_code == 200
    plan = plans.get_plan(seeded_engine, Scope.everything(), plan_id)
    assert (plan.status, plan.approved_by) == ("approved", "divisional")
    refusal = _refusals(seeded_engine)[-1]
    assert refusal[0] == "station"
    assert "may not approve" in refusal[2]


def test_plan_error_shown_not_refused(station_app, login_as, dependencies):
    client = login_as("station")
    _post(client, _plan_body(dependencies, "station-plan-create"))

    response = _post(client, _plan_body(dependencies, "station-plan-submit"))

    assert response.status_code == 200
    message = json.dumps(response.json["response"]["station-plan-message"])
    assert "has no priority" in message


def test_print_view_and_pdf(station_app, login_as, dependencies, seeded_engine):
    client, plan_id, _ = _create_and_save(login_as, dependencies)

    page = client.get(f"/station/plan/{plan_id}/print")
    letter = client.get(f"/station/plan/{plan_id}/print?paper=letter")
    pdf = client.get(f"/station/plan/{plan_id}/pdf?paper=letter")

    assert page.status_code == 200
    assert PROBLEM in page.text
    assert "@media print" in page.text
    assert "size: 210mm 297mm" in page.text
    assert "size: 8.5in 11in" in letter.text
    assert "data:image/png;base64," in page.text
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert PROBLEM in text
    assert "Hot-spot patrols" in text
    assert "CompStat" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (612, 792)
    exports = _exports(seeded_engine)
    assert [e[2] for e in exports] == [
        "print view, paper a4",
        "print view, paper letter",
        "pdf, paper letter",
    ]
    assert {e[1] for e in exports} == {f"action plan {plan_id}"}


def test_other_station_plan_export_refused(station_app, login_as, seeded_engine):
    admin = plans.Actor("admin", "administrator", Scope(None))
    plan = plans.create_plan(seeded_engine, admin, "LCA", "GRI", 202404)

    for path in (f"/station/plan/{plan.id}/pdf", f"/station/plan/{plan.id}/print"):
        response = login_as("station").get(path)
        assert response.status_code == 403
        assert "GRI" not in response.text
    ministry = login_as("ministry").get(f"/station/plan/{plan.id}/pdf")

    assert ministry.status_code == 403
    users = [r[0] for r in _refusals(seeded_engine)]
    assert users == ["station", "station", "ministry"]
    assert _exports(seeded_engine) == []


def test_drilldown_url_to_other_station_refused(station_app, login_as, seeded_engine):
    client = login_as("station")

    own = client.get("/station?country=LCA&station=CAS")
    other = client.get("/station?country=LCA&station=GRI")

    assert own.status_code == 200
    assert other.status_code == 403
    [refusal] = _refusals(seeded_engine)
    assert refusal[0] == "station"
    assert "station 'GRI' is outside" in refusal[2]


def test_drilldown_callback_to_other_station_refused(
    station_app, login_as, dependencies, seeded_engine
):
    output = next(
        d["output"]
        for d in dependencies
        if d["output"].startswith("..station-country.value")
    )
    body = callback_body(
        dependencies,
        output,
        {"shell-url.search": "?country=LCA&station=GRI", "station-country.value": None},
    )
    body["changedPropIds"] = ["shell-url.search"]

    response = _post(login_as("station"), body)
    allowed = _post(login_as("commissioner"), body)

    assert response.status_code == 403
    assert "Gros Islet" not in response.text
    assert allowed.status_code == 200
    assert allowed.json["response"]["station-station"]["value"] == "GRI"
    assert [r[0] for r in _refusals(seeded_engine)] == ["station"]


def test_plan_callback_for_other_station_refused(
    station_app, login_as, dependencies, seeded_engine
):
    body = _plan_body(dependencies, "station-plan-create", station="GRI")

    response = _post(login_as("station"), body)

    assert response.status_code == 403
    assert plans.list_plans(seeded_engine, Scope.everything(), 202404).empty


def test_commissioner_lists_country_plans(station_app, login_as, dependencies):
    _create_and_save(login_as, dependencies)

    response = _post(login_as("commissioner"), _plan_body(dependencies, None))

    assert response.status_code == 200
    listing = json.dumps(response.json["response"]["station-plan-list"])
    assert "LCA CAS" in listing
    assert "draft" in listing


def test_reading_callbacks_answer(station_app, login_as, dependencies):
    values = {
        "station-station.value": "CAS",
        "station-country.value": "LCA",
        "station-month.value": 202403,
        "station-unit.value": "incidents",
        "station-basis.value": "occurred",
        "station-categories.value": [],
        "station-layer.value": "kde",
        "station-bandwidth.value": 400,
        "station-cell-size.value": 250,
        "station-overlay.value": ["on"],
    }
    client = login_as("station")
    prefixes = {
        "..station-compstat.": "counts",
        "..station-when.": "times",
        "..station-map.": "map",
    }
    answers = {}
    for dependency in dependencies:
        output = dependency["output"]
        for prefix, name in prefixes.items():
            if output.startswith(prefix):
                answers[name] = _post(
                    client, callback_body(dependencies, output, values)
                )

    assert {key: r.status_code for key, r in answers.items()} == {
        "counts": 200,
        "times": 200,
        "map": 200,
    }
    assert "total 16 incidents" in answers["times"].text
    assert "All categories" in answers["counts"].text
    assert "15 incidents drawn" in answers["map"].text
    assert "1 left off the map" in answers["map"].text
    assert "bandwidth 400 m" in answers["map"].text
    assert len(answers["map"].data) < 300_000


# A lasso drawn around place A of the fixture, on the offline map (x/y axes) and
# on the tile map (subplot "map"). Its corners, longitude then latitude:
LASSO = [
    (-60.999, 13.999),
    (-60.987, 13.999),
    (-60.987, 14.006),
    (-60.993, 14.008),
    (-60.999, 14.007),
]
SELECTIONS = {
    "offline-map": {
        "points": [],
        "lassoPoints": {"x": [p[0] for p in LASSO], "y": [p[1] for p in LASSO]},
    },
    "tile-map": {"points": [], "lassoPoints": {"map": [list(p) for p in LASSO]}},
}


def _pick_area_body(dependencies, selection):
    output = next(
        d["output"]
        for d in dependencies
        if d["output"].startswith("..station-priority-area.data@")
    )
    values = {
        "station-map.clickData": None,
        "station-map.selectedData": selection,
        "station-cell-size.value": 250,
        "station-layer.value": "none",
        "station-station.value": "CAS",
        "station-country.value": "LCA",
    }
    body = callback_body(dependencies, output, values)
    for item in body["outputs"]:
        item["property"] = item["property"].split("@")[0]
    body["changedPropIds"] = ["station-map.selectedData"]
    return body


def _review_cells(response) -> list:
    """Return the cells of the one row of the outcome review table."""
    review = response.json["response"]["station-review"]["children"]
    table = review["props"]["children"][1]
    body = table["props"]["children"][1]
    [row] = body["props"]["children"]
    return [cell["props"]["children"] for cell in row["props"]["children"]]


@pytest.mark.parametrize("map_kind", list(SELECTIONS))
def test_drawn_area_counts_in_review(station_app, login_as, dependencies, map_kind):
    client = login_as("station")

    picked = _post(client, _pick_area_body(dependencies, SELECTIONS[map_kind]))

    assert picked.status_code == 200, picked.text
    answer = picked.json["response"]
    area = answer["station-priority-area"]["data"]
    assert answer["station-priority-area-source"]["data"] == "drawn"
    assert "area drawn on the map" in answer["station-priority-area-note"]["children"]
    # The plan for March 2024 is written while reading February, and reviewed
    # when March is read.
    created = _post(
        client, _plan_body(dependencies, "station-plan-create", month=202402)
    )
    assert created.status_code == 200, created.text
    form = {
        **FORM,
        "station-priority-area.data": area,
        "station-priority-area-source.data": "drawn",
        "station-priority-categories.value": [],
    }
    saved = _post(
        client,
        _plan_body(dependencies, "station-priority-save", month=202402, form=form),
    )
    assert saved.status_code == 200, saved.text
    review = _post(client, _plan_body(dependencies, None, month=202403))
    assert review.status_code == 200, review.text
    cells = _review_cells(review)

    # Counted by hand over every category and incidents with coordinates. In
    # March 2024 the 8 at place A and the burglary at (-60.99, 14.002) are
    # inside. Outside are 3 burglaries apart, 2 assaults and the incident coded
    # 02, so 6. The 5 assaults of February 2024, at latitude 14.019, are all
    # outside. In March 2023 the 2 at place A are inside, the 2 at B outside,
    # so the rest's baseline is (5 + 2) / 2 = 3.5.
    assert cells[0] == PROBLEM
    assert cells[1:4] == [9, 0, 2]
    assert cells[7] == "6 / 3.5"


TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
MAP_VALUES = {
    "station-station.value": "CAS",
    "station-country.value": "LCA",
    "station-month.value": 202403,
    "station-categories.value": [],
    "station-basis.value": "occurred",
    "station-layer.value": "kde",
    "station-bandwidth.value": 400,
    "station-cell-size.value": 250,
    "station-overlay.value": [],
}


def _map_figure(app) -> tuple[dict, str]:
    """Post the map callback as the station commander; return figure and text."""
    client = app.server.test_client()
    assert login(client, "station").status_code == 302
    dependencies = client.get("/_dash-dependencies").json
    output = next(
        d["output"] for d in dependencies if d["output"].startswith("..station-map.")
    )
    response = _post(client, callback_body(dependencies, output, MAP_VALUES))
    assert response.status_code == 200, response.text
    return response.json["response"]["station-map"]["figure"], response.text


def test_map_tile_layer_when_configured(make_app, seeded_engine, tmp_path):
    seed_station_month(seeded_engine, tmp_path)

    figure, _ = _map_figure(make_app(tile_url=TILE_URL))

    layers = figure["layout"]["map"]["layers"]
    assert layers[0]["sourcetype"] == "raster"
    assert layers[0]["source"] == [TILE_URL]
    assert layers[0]["below"] == "traces"
    # The kernel density surface is an image layer above the tiles.
    assert layers[1]["sourcetype"] == "image"
    assert layers[1]["source"].startswith("data:image/png;base64,")
    names = {trace.get("name") for trace in figure["data"]}
    assert {"Station area", "Neighbouring stations", "Coast"} <= names
    assert {trace["type"] for trace in figure["data"]} == {"scattermap"}
    points = sum(
        len(trace["lon"]) for trace in figure["data"] if trace["mode"] == "markers"
    )
    assert points == 15


def test_map_offline_without_tile_url(make_app, seeded_engine, tmp_path):
    seed_station_month(seeded_engine, tmp_path)

    figure, text = _map_figure(make_app(tile_url=""))

    assert "map" not in figure["layout"]
    assert "tiles.example.org" not in text
    assert {trace["type"] for trace in figure["data"]} == {"scatter", "heatmap"}
    names = {trace.get("name") for trace in figure["data"]}
    assert {"Station area", "Neighbouring stations", "Coast"} <= names
