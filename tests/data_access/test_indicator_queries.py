"""Yearly reads of the policy and regional pages: sums, filters and scope."""

from __future__ import annotations

import pytest

from data_access import indicator_queries as queries
from data_access import regional_queries as regional
from data_access.scope import OutOfScope, Scope
from tests.dashboard.helpers import seed_places
from tests.dashboard.policy_helpers import COUNTRIES, seed_policy

MINISTRY = Scope(frozenset({"LCA"}), aggregate_only=True)
OBSERVATORY = Scope(None, aggregate_only=True)


@pytest.fixture
def policy_engine(engine):
    """Return a warehouse with the places and yearly counts of the policy pages."""
    seed_places(engine)
    seed_policy(engine)
    return engine


def _by(frame, *keys, value):
    """Return ``value`` keyed on one column, or on a tuple of several."""
    if len(keys) == 1:
        return {row[keys[0]]: row[value] for _, row in frame.iterrows()}
    return {tuple(row[k] for k in keys): row[value] for _, row in frame.iterrows()}


def test_yearly_incidents_sum_months_and_stations(policy_engine):
    frame = queries.yearly_incidents(policy_engine, MINISTRY, "LCA", 2023, 2024)

    counts = _by(frame, "year", "iccs_code", value="incidents")
    assert counts[(2023, "0501")] == 250  # 150 + 80 + 20 over three stations
    assert counts[(2023, "0102")] == 1
    assert counts[(2023, "UNMAPPED")] == 150
    # 2024 from the seeded places: 2 + 7 homicides, excluded offences left out.
    assert counts[(2024, "0101")] == 9
    assert (2024, "EXCLUDED") not in counts
    firearms = _by(frame, "year", "iccs_code", value="firearm_incidents")
    assert firearms[(2023, "0101")] == 10


def test_homicide_victims_completed_only(policy_engine):
    frame = queries.yearly_persons(
        policy_engine, MINISTRY, "LCA", 2023, 2023, "victim", ("0101",), True
    )

    counts = _by(frame, "sex", "age_band", value="persons")
    assert counts == {("M", "18-24"): 15, ("F", "25-29"): 2}


def test_relationships_by_year_and_sex(policy_engine):
    frame = queries.yearly_relationships(policy_engine, MINISTRY, "LCA", 2022, 2023)

    counts = _by(frame, "year", "relationship", "sex", value="victims")
    assert counts[(2022, "intimate_partner", "F")] == 12
    assert counts[(2023, "unknown", "M")] == 40


def test_parish_incidents_by_station_area(policy_engine):
    frame = queries.parish_incidents(policy_engine, MINISTRY, "LCA", 2023, 2023)

    counts = _by(frame, "area_code", value="incidents")
    # LC-04 (CAS) has everything but the 0501 incidents of GRI and VFT.
    assert counts == {"LC-04": 438 - 100, "LC-06": 80, "LC-11": 20}


def test_country_population_flags_projection(policy_engine):
    frame = queries.country_population(policy_engine, MINISTRY, "LCA", 2023, 2024)

    totals = frame[(frame["sex"] == "all") & (frame["age_band"] == "all")]
    estimate = dict(zip(totals["year"], totals["is_estimate"], strict=True))
    assert estimate == {2023: False, 2024: True}
    assert float(totals["population"].iloc[0]) == 150_000


def test_data_months_of_country(policy_engine):
    assert queries.data_months(policy_engine, MINISTRY, "LCA") == (201906, 202402)


def test_data_months_of_countries(policy_engine):
    found = queries.countries_data_months(
        policy_engine, OBSERVATORY, ("LCA", "BRB", "XXX")
    )

    assert found == {
        "LCA": (201906, 202402),
        "BRB": (201906, 202306),
        "XXX": (None, None),
    }


@pytest.mark.parametrize(
    "read",
    [
        lambda e, s: queries.yearly_incidents(e, s, "BRB", 2019, 2023),
        lambda e, s: queries.yearly_persons(e, s, "BRB", 2019, 2023, "victim"),
        lambda e, s: queries.yearly_relationships(e, s, "BRB", 2019, 2023),
        lambda e, s: queries.country_population(e, s, "BRB", 2019, 2023),
        lambda e, s: queries.parish_incidents(e, s, "BRB", 2019, 2023),
        lambda e, s: queries.data_months(e, s, "BRB"),
        lambda e, s: queries.countries_data_months(e, s, ("LCA", "BRB")),
        lambda e, s: regional.regional_incidents(e, s, ("LCA", "BRB"), 2019, 2023),
        lambda e, s: regional.regional_population(e, s, ("BRB",), 2019, 2023),
    ],
    ids=[
        "incidents",
        "persons",
        "relationships",
        "population",
        "parishes",
        "months",
        "months-of-countries",
        "regional",
        "regional-population",
    ],
)
def test_other_country_rejected(policy_engine, read):
    with pytest.raises(OutOfScope, match="'BRB' is outside"):
        read(policy_engine, MINISTRY)


def test_invalid_years_rejected(policy_engine):
    with pytest.raises(queries.QueryError, match="years 2024 to 2019"):
        queries.yearly_incidents(policy_engine, MINISTRY, "LCA", 2024, 2019)


def test_regional_reads_every_country(policy_engine):
    frame = regional.regional_incidents(
        policy_engine, OBSERVATORY, COUNTRIES, 2023, 2023
    )

    homicides = _by(
        frame[frame["iccs_code"] == "0101"], "country_code", value="incidents"
    )
    assert homicides == {code: 20 + i for i, code in enumerate(COUNTRIES)}


def test_unodc_rates_read_from_geodata():
    rates = regional.read_unodc_homicide_rates()

    barbados = rates[(rates["country_code"] == "BRB") & (rates["year"] == 2019)]
    assert float(barbados["published_rate"].iloc[0]) == pytest.approx(17.069246)
    # The file also has Jamaica and Trinidad and Tobago, for reference.
    assert set(COUNTRIES) <= set(rates["country_code"])
