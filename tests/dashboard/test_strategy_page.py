"""The Strategy view through the app: callbacks as raw HTTP posts, and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access.app_tables import audit_log
from tests.dashboard.helpers import callback_body
from tests.dashboard.strategy_helpers import MONTH, seed_strategy

TRENDS = "strategy-trends.children"
PICKERS = (
    "..strategy-month.options...strategy-month.value..."
    "strategy-division.options...strategy-division.value.."
)


@pytest.fixture
def strategy_app(app, seeded_engine):
    """Return the app on a warehouse holding the Strategy view rows."""
    seed_strategy(seeded_engine)
    return app


def _values(country="LCA", **extra) -> dict:
    values = {
        "strategy-country.value": country,
        "strategy-month.value": MONTH,
        "strategy-division.value": "all",
        "strategy-categories.value": [],
        "strategy-unit.value": "incidents",
        "strategy-basis.value": "occurred",
        "strategy-map-colour.value": "rate",
        "strategy-youth-band.value": "10-29",
    }
    values.update(extra)
    return values


def _post(client, dependencies, output, values):
    body = callback_body(dependencies, output, values)
    return client.post("/_dash-update-component", json=body)


def _refusals(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(
            select(audit_log.c.username, audit_log.c.detail).where(
                audit_log.c.action == "refused"
            )
        ).all()


def _outputs(dependencies) -> list[str]:
    return [d["output"] for d in dependencies if "strategy-" in d["output"]]


def test_view_has_six_callbacks(strategy_app, dependencies):
    assert len(_outputs(dependencies)) == 6


def test_commissioner_reads_trend_flags(strategy_app, login_as, dependencies):
    client = login_as("commissioner")

    response = _post(client, dependencies, TRENDS, _values())

    assert response.status_code == 200, response.text
    assert "March 2024: 25 incidents, above the expected 12" in response.text


def test_commissioner_runs_every_callback(strategy_app, login_as, dependencies):
    client = login_as("commissioner")

    for output in _outputs(dependencies):
        response = _post(client, dependencies, output, _values())
        assert response.status_code == 200, (output, response.text)


def test_pickers_default_to_data_month(strategy_app, login_as, dependencies):
    client = login_as("analyst")

    response = _post(
        client, dependencies, PICKERS, _values(**{"strategy-month.value": None})
    )

    assert response.status_code == 200, response.text
    found = response.json["response"]
    assert found["strategy-month"]["value"] == MONTH
    division_values = [o["value"] for o in found["strategy-division"]["options"]]
    assert division_values == ["all", "NORTH", "SOUTH"]


@pytest.mark.parametrize("username", ["divisional", "station", "ministry"])
def test_commanders_cannot_run_callbacks(
    strategy_app, seeded_engine, login_as, dependencies, username
):
    client = login_as(username)

    response = _post(client, dependencies, TRENDS, _values())

    assert response.status_code == 403
    assert "Saint Lucia" not in response.text
    refusals = _refusals(seeded_engine)
    assert [row.username for row in refusals] == [username]
    assert "page /strategy not allowed" in refusals[0].detail


@pytest.mark.parametrize("output", [TRENDS, PICKERS])
def test_other_country_refused_and_audited(
    strategy_app, seeded_engine, login_as, dependencies, output
):
    client = login_as("commissioner")

    response = _post(client, dependencies, output, _values(country="BRB"))

    assert response.status_code == 403
    assert "Bridgetown" not in response.text
    refusals = _refusals(seeded_engine)
    assert [row.username for row in refusals] == ["commissioner"]
    assert "country 'BRB' is outside" in refusals[0].detail
