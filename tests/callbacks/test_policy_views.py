"""No suppressed count of the policy pages can be recovered from other views.

A ministry official may request any span of years, any youth range and any
ICCS divisions, and an administrator may also open the Regional comparison
with any categories. These tests collect every count that all those requests
publish for Saint Lucia, as a sum of the finest groups of incidents, victims
and suspects that the counts are made of, and check year by year:

- a count is hidden in every request that shows its year, or in none;
- no hidden count is a linear combination of published counts, so adding and
  subtracting counts of different tables or requests recovers none.

A reader may also take the victims of intentional homicide, of trafficking and
of sexual violence for the incidents of the same category, because such an
incident nearly always has one victim. The last test adds that equation to
what the reader knows.

Rates are counts divided by a population that is shown beside them, and a
pooled rate is empty unless each year it adds up is shown, so neither adds a
combination of counts that the counts themselves do not give.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sqlalchemy import insert

from analysis import policy_cubes as cubes
from analysis.rates import AGE_BANDS, YOUTH_BANDS
from callbacks import indicator_data, regional_data
from data_access import cache, indicator_queries
from data_access.ingest.rollups import rebuild_summed_rollups
from data_access.reference import load_iccs_codes
from data_access.schema import rollup_monthly, rollup_relationship
from data_access.scope import Scope
from tests.dashboard.helpers import seed_places
from tests.dashboard.policy_helpers import LCA_PARISHES, seed_policy

ADMIN = Scope(None)
THRESHOLD = 3
GROUPS = ("homicide", "trafficking", "sexual_violence", "other")
SEXES = ("F", "M", cubes.UNKNOWN)
AGES = (*AGE_BANDS, cubes.UNKNOWN)
RELATIONSHIPS = cubes.RELATIONSHIPS
YOUTH_AGE_BANDS = {band for bands, _ in YOUTH_BANDS.values() for band in bands}
AREAS = (*sorted(LCA_PARISHES), cubes.NO_AREA)
# The ICCS category of each group of victims whose count is close to the
# count of its incidents.
ONE_VICTIM_EACH = {"homicide": "0101", "trafficking": "0204", "sexual_violence": "03"}


def _row(month, code, station_id=1, **values) -> dict:
    row = {
        "country_code": "LCA",
        "station_id": station_id,
        "basis": "occurred",
        "month": month,
        "iccs_code": code,
        "attempted": False,
        "person_role": "all",
        "sex": "all",
        "age_band": "all",
        "incidents": 0,
        "offences": 0,
        "persons": 0,
        "firearm_incidents": 0,
    }
    return row | values


@pytest.fixture
def views_engine(engine):
    """Return the policy warehouse with more small counts to hide.

    Two robberies at Vieux Fort (admin area LC-11) in 2024, three victims of
    sexual violence (0301) in 2021 and two family victims in 2022.
    """
    seed_places(engine)
    seed_policy(engine)
    victims = {"person_role": "victim", "sex": "F", "age_band": "18-24"}
    with engine.begin() as connection:
        connection.execute(
            insert(rollup_monthly),
            [
                _row(202406, "0401", station_id=3, incidents=2, offences=2),
                _row(202106, "0301", incidents=3, offences=3),
                _row(202106, "0301", persons=3, **victims),
            ],
        )
        connection.execute(
            insert(rollup_relationship),
            [
                {
                    "country_code": "LCA",
                    "station_id": 1,
                    "basis": "occurred",
                    "month": 202206,
                    "iccs_code": "0501",
                    "attempted": False,
                    "relationship": "family",
                    "sex": "F",
                    "victims": 2,
                }
            ],
        )
        rebuild_summed_rollups(connection, "LCA")
    return engine


def _divisions() -> list[str]:
    return [row["code"] for row in load_iccs_codes() if row["level"] == 2]


def _sections() -> list[str]:
    return [row["code"] for row in load_iccs_codes() if row["level"] == 1]


def _requests(engine):
    """Yield every indicators request and every regional request of the years."""
    years = indicator_data.data_years(engine, ADMIN, "LCA", 1900, 2200)
    codes = ["TOTAL", "MAPPED", "UNMAPPED", *_sections(), *_divisions()]
    for first, last in itertools.combinations_with_replacement(years, 2):
        for youth in YOUTH_BANDS:
            request = indicator_data.Request(
                "LCA", first, last, tuple(_divisions()), youth
            )
            yield youth, indicator_data.all_panels(engine, ADMIN, request, THRESHOLD)
        request = regional_data.RegionalRequest(("LCA",), first, last, tuple(codes))
        yield None, regional_data.all_panels(engine, ADMIN, request, THRESHOLD)


def _counts(panel, youth):
    """Yield ``(year, what, count)`` of every count a panel publishes."""
    table = panel.table
    rows = table.to_dict("records")
    if panel.key in ("sections", "divisions", "regional_rates"):
        for row in rows:
            yield row["year"], ("category", row["code"]), row["incidents"]
            coverage = row.get("mapping_coverage")
            if coverage is not None and not np.isnan(coverage):
                # Coverage times the shown total gives these counts.
                yield row["year"], ("category", cubes.MAPPED), 0
                if len(row["code"]) == 4:
                    section = row["code"][:2] + cubes.DIVISIONS
                    yield row["year"], ("category", section), 0
    elif panel.key == "firearms":
        for row in rows:
            yield row["year"], ("firearm",), row["firearm_incidents"]
            yield row["year"], ("category", cubes.TOTAL), row["all_incidents"]
    elif panel.key in GROUPS:
        for row in rows:
            what = ("persons", panel.key, row["sex"], row["age_band"])
            yield row["year"], what, row["persons"]
    elif panel.key == "relationships":
        for row in rows:
            what = ("relationship", row["relationship"], row["sex"])
            yield row["year"], what, row["victims"]
    elif panel.key == "youth":
        for row in rows:
            yield row["year"], ("youth", row["role"], youth), row["persons"]
    elif panel.key == "areas":
        for row in rows:
            yield row["year"], ("area", row["area_code"]), row["incidents"]
    elif panel.key == "homicide_comparison":
        for row in rows:
            what = ("persons", "homicide", "all", "all")
            yield row["year"], what, row["victims"]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _published(engine) -> dict:
    """Return every count published, keyed by year and what it counts.

    Each value is the set of states seen: ``"hidden"`` or ``"shown"``.
    """
    states: dict = {}
    for youth, panels in _requests(engine):
        for panel in panels:
            for year, what, count in _counts(panel, youth):
                state = "hidden" if _missing(count) else "shown"
                states.setdefault((int(year), what), set()).add(state)
    return states


class Atoms:
    """The finest groups that the published counts add up, and their sums."""

    def __init__(self):
        sections = _sections()
        divisions = _divisions()
        leaves = [cubes.UNMAPPED, *(s + cubes.SECTION_ONLY for s in sections)]
        leaves += divisions
        incidents = list(itertools.product(["incident"], leaves, (True, False), AREAS))
        victims = list(
            itertools.product(["victim"], GROUPS, SEXES, AGES, RELATIONSHIPS)
        )
        suspects = [("suspect", age) for age in AGES]
        self.keys = incidents + victims + suspects
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.sections = sections

    def vector(self, what) -> np.ndarray:
        """Return the 0/1 vector of the atoms that the count ``what`` adds up."""
        vector = np.zeros(len(self.keys))
        for key in self.keys:
            if self._counts(what, key):
                vector[self.position[key]] = 1.0
        return vector

    def _counts(self, what, key) -> bool:
        kind = what[0]
        if kind in ("category", "firearm", "area"):
            if key[0] != "incident":
                return False
            _, leaf, firearm, area = key
            if kind == "firearm":
                return firearm
            if kind == "area":
                return area == what[1]
            return _in_category(leaf, what[1])
        if kind == "ages" and what[1] == "suspect":
            return key[0] == "suspect" and key[1] in what[2]
        if kind == "youth" and what[1] == "suspect":
            return key[0] == "suspect" and key[1] in YOUTH_BANDS[what[2]][0]
        if key[0] != "victim":
            return False
        _, group, sex, age, relationship = key
        if kind == "persons":
            _, wanted, wanted_sex, wanted_age = what
            return (
                group == wanted
                and wanted_sex in (cubes.ALL, sex)
                and wanted_age in (cubes.ALL, age)
            )
        if kind == "relationship":
            _, wanted, wanted_sex = what
            return wanted in (cubes.ALL, relationship) and wanted_sex in (
                cubes.ALL,
                sex,
            )
        if kind == "ages":
            return age in what[2]
        if kind == "youth":
            return age in YOUTH_BANDS[what[2]][0]
        raise AssertionError(f"unknown count {what!r}")


def _in_category(leaf: str, category: str) -> bool:
    if category == cubes.TOTAL:
        return True
    if category == cubes.MAPPED:
        return leaf != cubes.UNMAPPED
    if category == cubes.UNMAPPED:
        return leaf == cubes.UNMAPPED
    if category.endswith(cubes.DIVISIONS):
        section = category[:2]
        return len(leaf) == 4 and leaf.startswith(section)
    if len(category) == 2:
        return leaf == category + cubes.SECTION_ONLY or (
            len(leaf) == 4 and leaf.startswith(category)
        )
    return leaf == category


def _recoverable(atoms: Atoms, shown: list, hidden: list, known=()) -> list:
    """Return the hidden counts that a combination of the shown ones gives.

    ``known`` adds vectors whose count the reader knows without reading it.
    """
    matrix = np.vstack([atoms.vector(what) for what in shown] + list(known))
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > 1e-9 * singular[0]]
    found = []
    for what in hidden:
        vector = atoms.vector(what)
        rest = vector - (vector @ basis.T) @ basis
        if np.abs(rest).max() < 1e-8:
            found.append(what)
    return found


@pytest.fixture
def published(views_engine):
    return _published(views_engine)


def test_fixture_has_hidden_counts(published):
    hidden = {what[0] for (_, what), states in published.items() if "hidden" in states}

    # Categories, areas, victims of one offence and relationships.
    assert {"category", "area", "persons", "relationship"} <= hidden


def test_year_hidden_alike_in_every_request(published):
    mixed = [key for key, states in published.items() if len(states) > 1]

    assert mixed == []


def _recovered_by_year(published, known=()) -> dict:
    atoms = Atoms()
    known_vectors = [atoms.vector(a) - atoms.vector(b) for a, b in known]
    years = sorted({year for year, _ in published})
    found = {}
    for year in years:
        counts = {what: states for (y, what), states in published.items() if y == year}
        shown = [what for what, states in counts.items() if states == {"shown"}]
        hidden = [what for what, states in counts.items() if "hidden" in states]
        if hidden:
            found[year] = _recoverable(atoms, shown, hidden, known_vectors)
    return found


def test_no_hidden_count_recoverable(published):
    found = _recovered_by_year(published)

    assert found
    assert all(recovered == [] for recovered in found.values()), found


def test_victims_do_not_reveal_incidents(published):
    # Victims of the group = incidents of its category, known to the reader.
    known = [
        (("persons", group, cubes.ALL, cubes.ALL), ("category", code))
        for group, code in ONE_VICTIM_EACH.items()
    ]
    found = _recovered_by_year(published, known)

    assert found
    assert all(recovered == [] for recovered in found.values()), found


def _small_band_counts(engine) -> dict:
    """Return the victims and suspects of each youth age band counted 1 to 3."""
    small = {}
    for role in ("victim", "suspect"):
        persons = indicator_queries.yearly_persons(
            engine, ADMIN, "LCA", 1900, 2200, role
        )
        totals = persons.groupby(["year", "age_band"])["persons"].sum()
        for (year, band), count in totals.items():
            if 1 <= count <= THRESHOLD and band in YOUTH_AGE_BANDS:
                small[(int(year), ("ages", role, (band,)))] = int(count)
    return small


def test_youth_ranges_reveal_no_small_band(views_engine, published):
    atoms = Atoms()
    small = _small_band_counts(views_engine)
    found = []
    for (year, what), count in small.items():
        counts = {w: states for (y, w), states in published.items() if y == year}
        shown = [w for w, states in counts.items() if states == {"shown"}]
        if _recoverable(atoms, shown, [what]):
            found.append((year, what, count))

    # Victims aged 25 to 29: two a year, less than both 15 to 29 and 15 to 24.
    assert (2019, ("ages", "victim", ("25-29",))) in small
    assert found == []


def test_homicide_page_matches_export(views_engine):
    # The page builds the homicide table on its own; the export builds it
    # from the rates panel's release.
    request = regional_data.RegionalRequest(
        ("LCA",), 2019, 2023, regional_data.DEFAULT_CATEGORIES
    )

    alone = regional_data.homicide_panel(views_engine, ADMIN, request, THRESHOLD)
    exported = regional_data.all_panels(views_engine, ADMIN, request, THRESHOLD)[1]

    assert exported.key == "homicide_comparison"
    assert alone.table["victims"].isna().any()
    assert alone.table.equals(exported.table)


def test_regional_panels_share_one_release(views_engine):
    request = regional_data.RegionalRequest(
        ("LCA",), 2019, 2023, regional_data.DEFAULT_CATEGORIES
    )
    uncached = regional_data.homicide_panel(views_engine, ADMIN, request, THRESHOLD)
    query_cache = cache.QueryCache(cache.MemoryBackend())
    cache.install(query_cache, views_engine)
    try:
        regional_data.rates_panel(views_engine, ADMIN, request, THRESHOLD)
        hits = query_cache.hits
        cached = regional_data.homicide_panel(views_engine, ADMIN, request, THRESHOLD)
    finally:
        cache.install(None, views_engine)

    # The homicide panel's own reads are new questions; its release is not.
    assert query_cache.hits == hits + 1
    assert cached.table.equals(uncached.table)
