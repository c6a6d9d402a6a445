"""Strategy view data on a small warehouse, against the values in its docstring.

See ``tests.dashboard.strategy_helpers`` for the rows and the hand-worked values.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import update

from callbacks import strategy
from callbacks import strategy_data as data
from data_access import action_plans as plans
from data_access.cache import bump_generation
from data_access.schema import station
from data_access.scope import OutOfScope, Scope
from data_access.strategy_queries import QueryError, Selection
from tests.dashboard.helpers import seed_places
from tests.dashboard.strategy_helpers import MONTH, seed_strategy

LUCIA = Scope(frozenset({"LCA"}))


@pytest.fixture
def strategy_engine(engine):
    """Return a warehouse with the places and the Strategy view rows."""
    seed_places(engine)
    seed_strategy(engine)
    return engine


def _view(**choice) -> data.View:
    band = choice.pop("youth_band", "10-29")
    return data.View(Selection("LCA", **choice), MONTH, band)


def test_trend_band_and_flag(strategy_engine):
    trends = data.read_trends(strategy_engine, LUCIA, _view(), "Saint Lucia")
    series = trends["series"].set_index(["category", "month"])
    march = series.loc[("05", MONTH)]

    assert march["count"] == 25
    assert march["expected"] == pytest.approx(12.0)
    assert march["lower"] == pytest.approx(12 - 2 * math.sqrt(12))
    assert march["upper"] == pytest.approx(12 + 2 * math.sqrt(12))
    assert march["flag"] == "above"
    assert march["moving_average"] == pytest.approx(29 / 3)


def test_trend_flag_in_words(strategy_engine):
    trends = data.read_trends(strategy_engine, LUCIA, _view(), "Saint Lucia")

    assert (
        "05 Acts against property only, Saint Lucia, March 2024: 25 incidents, "
        "above the expected 12 (band 5.1 to 18.9)." in trends["sentences"]
    )
    assert trends["flag_months"].endswith("April 2023 to March 2024")


def test_trend_without_band_years(strategy_engine):
    trends = data.read_trends(strategy_engine, LUCIA, _view(), "Saint Lucia")
    series = trends["series"].set_index(["category", "month"])

    # The data start in March 2021, so March 2023 has two earlier years only.
    assert math.isnan(series.loc[("05", 202303), "expected"])
    assert series.loc[("05", 202303), "flag"] is None
    assert series.index.get_level_values("month").min() == 202103


def test_trend_narrowed_to_division(strategy_engine):
    view = _view(division_code="SOUTH", categories=("01",))
    trends = data.read_trends(strategy_engine, LUCIA, view, "South division")
    series = trends["series"]

    assert set(series["category"]) == {"01"}
    assert series["count"].sum() == 2


def test_station_rates_and_scores(strategy_engine):
    table = data.read_stations(strategy_engine, LUCIA, _view()).set_index("code")

    assert table.loc["CAS", "count"] == 25
    assert table.loc["CAS", "previous"] == 14
    assert table.loc["CAS", "score"] == pytest.approx(2 * (5 - math.sqrt(14)))
    assert table.loc["CAS", "flag"] == 2
    assert table.loc["CAS", "twelve_months"] == 35
    assert table.loc["CAS", "score_12"] == pytest.approx(
        2 * (math.sqrt(35) - math.sqrt(14))
    )
    assert table.loc["CAS", "flag_12"] == 3
    assert table.loc["CAS", "rate"] == pytest.approx(17.5)
    assert table.loc["CAS", "population_year"] == 2023
    assert table.loc["GRI", "rate"] == pytest.approx(10.0)
    assert bool(table.loc["GRI", "is_estimate"]) is True
    assert table.loc["VFT", "rate"] is None
    assert table.loc["VFT", "score"] == pytest.approx(2 * math.sqrt(2))


def test_station_reported_basis(strategy_engine):
    view = _view(basis="reported")
    table = data.read_stations(strategy_engine, LUCIA, view).set_index("code")

    assert table.loc["CAS", "count"] == 50
    assert table.loc["GRI", "twelve_months"] == 0


def test_station_victims_unit(strategy_engine):
    table = data.read_stations(strategy_engine, LUCIA, _view(unit="victims"))

    assert table.set_index("code").loc["CAS", "count"] == 27


def test_station_division_filter(strategy_engine):
    view = _view(division_code="NORTH")
    table = data.read_stations(strategy_engine, LUCIA, view)

    assert table["code"].tolist() == ["CAS", "GRI"]


@pytest.mark.parametrize(
    ("band", "youth"), [("10-29", 14), ("15-24", 7), ("15-29", 12)]
)
def test_youth_band_switch(strategy_engine, band, youth):
    summary, _ = data.read_people(strategy_engine, LUCIA, _view(youth_band=band))
    victims = summary[(summary["period"] == 0) & (summary["person_role"] == "victim")]

    assert victims["youth"].sum() == youth
    assert victims["total"].sum() == 27
    assert victims["known_age"].sum() == 20
    assert victims.loc[victims["sex"] == "F", "total"].sum() == 11


def test_firearm_share_of_homicides(strategy_engine):
    _, firearms = data.read_people(strategy_engine, LUCIA, _view())
    latest = firearms[firearms["period"] == 0].set_index("code")

    assert latest.loc["0101", "incidents"] == 11
    assert latest.loc["0101", "firearm_incidents"] == 1
    assert latest.loc["0401", "share"] == 0.0


def test_quality_measures_by_station(strategy_engine):
    table = data.read_quality(strategy_engine, LUCIA, _view()).set_index("code")
    castries = table.loc["CAS"]

    assert castries["incidents"] == 40
    assert castries["with_coordinates"] == pytest.approx(0.85)
    assert castries["mapping_coverage"] == pytest.approx(38 / 41)
    assert castries["victim_age_complete"] == pytest.approx(5 / 6)
    assert castries["victim_sex_complete"] == pytest.approx(5 / 6)
    assert castries["median_delay"] == "31 days or more"
    assert castries["months_without_records"] == [(202304, 202312)]


def test_quality_months_without_records(strategy_engine):
    table = data.read_quality(strategy_engine, LUCIA, _view()).set_index("code")

    assert table.loc["GRI", "with_coordinates"] == 0.0
    assert table.loc["GRI", "months_without_records"] == [
        (202304, 202312),
        (202402, 202403),
    ]
    assert table.loc["VFT", "with_coordinates"] is None
    assert table.loc["VFT", "months_without_records"] == [(202304, 202403)]


def test_plans_listed_with_outcome(strategy_engine):
    admin = plans.Actor("admin", "administrator", Scope(None))
    plans.create_plan(strategy_engine, admin, "LCA", "CAS", MONTH)
    view = _view()
    stations = data.read_stations(strategy_engine, LUCIA, view)

    found = data.read_plans(strategy_engine, LUCIA, view, stations)
    previous = found["previous"].set_index("code")

    assert found["month"] == 202404
    assert previous.loc["CAS", "status"] == "draft"
    assert previous.loc["CAS", "count"] == 25
    assert previous["status"].isna().sum() == 2
    assert found["current"]["status"].isna().all()


def test_month_choices_end_at_data(strategy_engine):
    months, default = data.month_choices(
        strategy_engine, LUCIA, "LCA", "occurred", dt.date(2025, 6, 15)
    )

    assert default == MONTH
    assert months[0] == MONTH
    assert months[-1] == 202103


def test_other_country_is_refused(strategy_engine):
    view = data.View(Selection("BRB"), MONTH)

    with pytest.raises(OutOfScope, match="country 'BRB'"):
        data.read_stations(strategy_engine, LUCIA, view)


def test_division_scope_is_refused(strategy_engine):
    divisional = Scope(frozenset({"LCA"}), division_code="NORTH")

    with pytest.raises(OutOfScope, match="country-wide totals"):
        data.read_trends(strategy_engine, divisional, _view(), "Saint Lucia")


def test_selection_rejects_bad_category():
    with pytest.raises(QueryError, match="category '05%' is not an ICCS code"):
        Selection("LCA", categories=("05%",))


def test_station_outlines_follow_geography_load(strategy_engine):
    vieux_fort = (
        "POLYGON ((-60.96 14, -60.94 14, -60.94 14.02, -60.96 14.02, -60.96 14))"
    )
    first = strategy.shapes_for(strategy_engine, LUCIA, "LCA")
    with strategy_engine.begin() as connection:
        connection.execute(
            update(station).where(station.c.code == "VFT").values(area_wkt=vieux_fort)
        )
        bump_generation(connection, "geography load")

    second = strategy.shapes_for(strategy_engine, LUCIA, "LCA")

    assert set(first) == {"CAS", "GRI"}
    assert set(second) == {"CAS", "GRI", "VFT"}
    assert second["VFT"][0][:2] == [-60.96, -60.94]
