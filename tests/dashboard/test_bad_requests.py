"""Requests with unusable values get a 4xx response, never a 500."""

from __future__ import annotations

import pytest

from dashboard.bad_requests import INVALID_REQUEST_MESSAGE
from tests.dashboard.helpers import callback_body

AUDIT_TABLE = "admin-audit-table.children"


@pytest.mark.parametrize(
    "start_date", [["2024-01-01"], "not a date", {"a": 1}, 10**30], ids=repr
)
def test_callback_invalid_value_is_400(login_as, dependencies, start_date):
    body = callback_body(
        dependencies, AUDIT_TABLE, {"admin-audit-dates.start_date": start_date}
    )

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 400
    assert response.json["message"] == INVALID_REQUEST_MESSAGE
    assert "Traceback" not in response.text


@pytest.mark.parametrize("output", [["a", "b"], {"id": 1}, 5], ids=repr)
def test_callback_output_of_wrong_type_refused(login_as, output):
    body = {"output": output, "inputs": [], "changedPropIds": []}

    response = login_as("admin").post("/_dash-update-component", json=body)

    assert response.status_code == 403


def test_deeply_nested_body_is_400(login_as):
    depth = 100_000
    body = '{"output": ' + "[" * depth + "]" * depth + "}"

    response = login_as("admin").post(
        "/_dash-update-component", data=body, content_type="application/json"
    )

    assert response.status_code in (400, 403)
    assert "Traceback" not in response.text


def test_huge_body_is_413(login_as):
    body = '{"output": "' + "x" * (3 * 1024 * 1024) + '"}'

    response = login_as("admin").post(
        "/_dash-update-component", data=body, content_type="application/json"
    )

    assert response.status_code == 413


@pytest.mark.parametrize(
    "query",
    [
        "year_from=1&year_to=5",
        "year_from=99999999999999999999&year_to=2024",
        "year_from=2015&year_to=2024&youth=bogus",
    ],
)
def test_export_invalid_parameter_is_400(login_as, query):
    response = login_as("ministry").get(f"/export/indicators.xlsx?country=LCA&{query}")

    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_plan_id_past_64_bits_is_4xx(login_as):
    response = login_as("station").get("/station/plan/99999999999999999999999/pdf")

    assert response.status_code in (400, 404)
    assert "Traceback" not in response.text


def test_security_headers_on_every_response(app):
    response = app.server.test_client().get("/login")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
