"""Stations in scope and a station's monthly incident counts."""

from __future__ import annotations

import pytest

from data_access.scope import OutOfScope, Scope
from data_access.stations import (
    StationNotFound,
    list_countries,
    list_stations,
    station_summary,
)
from tests.dashboard.helpers import seed_places

LCA = frozenset({"LCA"})


@pytest.fixture
def places(engine):
    seed_places(engine)
    return engine


def _codes(stations):
    return [s.code for s in stations]


def test_list_stations_by_scope(places):
    assert _codes(list_stations(places, Scope.everything())) == [
        "BRI",
        "CAS",
        "GRI",
        "VFT",
    ]
    assert _codes(list_stations(places, Scope(LCA))) == ["CAS", "GRI", "VFT"]
    assert _codes(list_stations(places, Scope(LCA, division_code="NORTH"))) == [
        "CAS",
        "GRI",
    ]
    assert _codes(list_stations(places, Scope(LCA, station_code="GRI"))) == ["GRI"]


def test_list_stations_other_country_refused(places):
    with pytest.raises(OutOfScope, match="country 'BRB'"):
        list_stations(places, Scope(LCA), "BRB")


def test_list_countries_in_scope(places):
    assert list_countries(places, Scope(LCA)) == [("LCA", "Saint Lucia")]
    assert len(list_countries(places, Scope.everything())) == 8


def test_station_summary_counts_by_month(places):
    counts = station_summary(places, Scope(LCA, station_code="CAS"), "CAS", "LCA")

    assert counts["month"].tolist() == [202401, 202402]
    assert counts["incidents"].tolist() == [6, 4]


@pytest.mark.parametrize(
    ("scope", "station", "country"),
    [
        (Scope(LCA, station_code="CAS"), "GRI", "LCA"),
        (Scope(LCA, division_code="NORTH"), "VFT", "LCA"),
        (Scope(LCA), "BRI", "BRB"),
        (Scope(LCA, station_code="CAS"), "NOPE", "LCA"),
        (Scope(LCA, division_code="NORTH"), "NOPE", "LCA"),
    ],
    ids=[
        "other-station",
        "other-division",
        "other-country",
        "unknown-station",
        "unknown-in-division",
    ],
)
def test_station_summary_out_of_scope(places, scope, station, country):
    with pytest.raises(OutOfScope):
        station_summary(places, scope, station, country)


def test_station_summary_unknown_station(places):
    with pytest.raises(StationNotFound, match="station 'NOPE' of country 'LCA'"):
        station_summary(places, Scope(LCA), "NOPE", "LCA")


def test_station_summary_empty_station(places):
    counts = station_summary(places, Scope(LCA), "VFT", "LCA")

    assert counts.empty
    assert list(counts.columns) == ["month", "incidents"]
