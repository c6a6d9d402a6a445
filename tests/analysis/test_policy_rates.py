"""Policy indicator cubes and rates, checked against values computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis import policy_cubes as cubes
from analysis import policy_rates as policy
from analysis.disclosure import exposed_cells, release
from analysis.errors import AnalysisError
from analysis.rates import PER_10K, PER_100K, rate_per, youth_band

DIVISIONS = ("0101", "0102", "0501", "0502")
YEARS = (2021, 2022, 2023)
POPULATION = {
    2021: policy.Population(170_000),
    2022: policy.Population(175_000),
    2023: policy.Population(180_000, is_estimate=True),
}


def _incidents(rows):
    return pd.DataFrame(rows, columns=["year", "iccs_code", "incidents"])


def _offences():
    rows = [
        (2021, "0101", 35),
        (2022, "0101", 40),
        (2022, "0501", 100),
        (2022, "UNMAPPED", 5),
        (2023, "0101", 45),
        (2023, "0501", 120),
        (2023, "050111", 10),  # counts in division 0501
        (2023, "05", 30),  # coded at section level only
        (2023, "UNMAPPED", 25),
    ]
    return release(cubes.offence_cube(_incidents(rows), DIVISIONS, YEARS))


def _row(frame, **keys):
    selected = frame
    for column, value in keys.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, keys
    return selected.iloc[0]


def test_cube_sums_sections_and_total():
    released = _offences()

    assert released.value(2023, "0501") == 130
    assert released.value(2023, "05:divisions") == 130
    assert released.value(2023, "05:section only") == 30
    assert released.value(2023, "05") == 160
    assert released.value(2023, "MAPPED") == 205
    assert released.value(2023, "TOTAL") == 230
    assert released.value(2023, "0502") == 0


def test_rates_per_ten_and_hundred_thousand():
    rates = policy.category_rates(
        _offences(), POPULATION, [("0101", "Intentional homicide"), ("0501", "x")]
    )

    homicide = _row(rates, code="0101", year=2023)
    assert homicide["incidents"] == 45
    assert homicide["per_100k"] == pytest.approx(25.0)  # 45 / 180,000 * 100,000
    assert homicide["per_10k"] == pytest.approx(2.5)  # 45 / 180,000 * 10,000
    assert homicide["population_estimate"]
    assert not homicide["unstable"]
    burglary = _row(rates, code="0501", year=2023)
    assert burglary["per_100k"] == pytest.approx(130 / 180_000 * 100_000)


def test_pooled_rate_over_three_years():
    rates = policy.category_rates(_offences(), POPULATION, [("0101", "homicide")])

    pooled = _row(rates, code="0101", year=2023)["pooled_3y_per_100k"]

    # (35 + 40 + 45) / (170,000 + 175,000 + 180,000) * 100,000
    assert pooled == pytest.approx(120 / 525_000 * 100_000)
    assert pooled == pytest.approx(22.857142857)
    assert pd.isna(_row(rates, code="0101", year=2022)["pooled_3y_per_100k"])


def test_mapping_coverage_by_level():
    released = _offences()

    # Section: 205 of 230 incidents are mapped.
    assert policy.mapping_coverage(released, 2023, "05") == pytest.approx(205 / 230)
    # Division: that share times the 130 of section 05's 160 coded to a division.
    assert policy.mapping_coverage(released, 2023, "0501") == pytest.approx(
        205 / 230 * 130 / 160
    )
    assert policy.mapping_coverage(released, 2023, "0501") == pytest.approx(0.724184783)
    assert policy.mapping_coverage(released, 2021, "01") == pytest.approx(1.0)


def test_small_division_hidden_with_its_neighbour():
    rows = [(2023, "0101", 45), (2023, "0102", 2), (2023, "0501", 50)]
    cube = cubes.offence_cube(_incidents(rows), DIVISIONS, YEARS)
    hidden_primary_only = (cube.counts >= 1) & (cube.counts <= 3)

    released = release(cube)

    # Hiding 0102 alone leaks it: section 01 (47) minus 0101 (45) is 2.
    leaked = exposed_cells(cube, hidden_primary_only.to_numpy())
    assert list(cube.counts.index[leaked]) == [(2023, "0102")]
    assert released.value(2023, "0102") is None
    assert released.value(2023, "0101") is None
    assert released.value(2023, "01") == 47
    rates = policy.category_rates(released, POPULATION, [("0101", "homicide")])
    homicide = _row(rates, year=2023)
    assert pd.isna(homicide["per_100k"])
    assert pd.isna(homicide["unstable"])
    assert homicide["suppressed"]


def _homicide_cube():
    rows = [
        (2023, "M", "18-24", 12),
        (2023, "M", "25-29", 8),
        (2023, "F", "18-24", 2),
        (2023, "F", "30-44", 5),
        (2023, "unknown", "25-29", 1),
    ]
    frame = pd.DataFrame(rows, columns=["year", "sex", "age_band", "persons"])
    return cubes.persons_cube(frame, (2023,))


def _homicide_victims():
    return release(_homicide_cube())


def _sex_age_population():
    return {
        (2023, "all", "all"): policy.Population(180_000),
        (2023, "M", "all"): policy.Population(90_000),
        (2023, "F", "all"): policy.Population(90_000),
        (2023, "F", "30-44"): policy.Population(20_000),
        (2023, "all", "18-24"): policy.Population(18_000),
    }


def test_homicide_victims_by_sex_and_age():
    rates = policy.persons_rates(_homicide_victims(), _sex_age_population())

    total = _row(rates, sex="all", age_band="all")
    assert total["persons"] == 28
    assert total["per_100k"] == pytest.approx(28 / 180_000 * 100_000)
    men = _row(rates, sex="M", age_band="all")
    assert men["persons"] == 20
    assert men["per_100k"] == pytest.approx(20 / 90_000 * 100_000)
    women_30_44 = _row(rates, sex="F", age_band="30-44")
    assert women_30_44["suppressed"]
    assert pd.isna(women_30_44["per_100k"])
    young = _row(rates, sex="all", age_band="18-24")
    assert young["per_100k"] == pytest.approx(14 / 18_000 * 100_000)
    assert pd.isna(_row(rates, sex="unknown", age_band="all")["per_100k"])


def test_homicide_suppression_pattern_by_hand():
    released = _homicide_victims()

    hidden = sorted(key[1:] for key in released.hidden[released.hidden].index)

    # Primary: F 18-24 (2), unknown 25-29 (1) and the unknown total (1).
    # Rows by sex come first: F 30-44 (5) is hidden beside F 18-24; the
    # unknown row already has two. Then the columns by age band: M 18-24
    # beside F 18-24, M 25-29 beside unknown 25-29, the 30-44 total (5)
    # because M and unknown 30-44 are 0; in the row of sex totals, F (7)
    # beside unknown; in the column of age totals, 25-29 (9) beside 30-44.
    assert hidden == [
        ("F", "18-24"),
        ("F", "30-44"),
        ("F", "all"),
        ("M", "18-24"),
        ("M", "25-29"),
        ("all", "25-29"),
        ("all", "30-44"),
        ("unknown", "25-29"),
        ("unknown", "all"),
    ]
    assert exposed_cells(_homicide_cube(), released.hidden.to_numpy()) == []


def test_victims_hidden_with_their_incidents():
    offences = release(
        cubes.offence_cube(
            _incidents([(2023, "0101", 28), (2023, "0102", 2)]), DIVISIONS, (2023,)
        )
    )
    cube = _homicide_cube()
    link, bounds = cubes.linked_victims(
        offences, cube, {(2023, cubes.ALL, cubes.ALL): (2023, "0101")}
    )

    released = release(cube, fixed=link, bounds=bounds)

    # 0102 (2) is hidden, so 0101 is hidden beside it in section 01 (30).
    assert offences.value(2023, "0101") is None
    assert offences.value(2023, "01") == 30
    assert released.value(2023, cubes.ALL, cubes.ALL) is None
    # 0101 and 0102 are each at least 1, so the reader's 0101 is 1 to 29.
    assert bounds == {(2023, cubes.ALL, cubes.ALL): (1.0, 29.0)}
    assert exposed_cells(cube, released.hidden.to_numpy()) == []


def test_victims_free_when_incidents_shown():
    offences = release(
        cubes.offence_cube(_incidents([(2023, "0101", 28)]), DIVISIONS, (2023,))
    )
    cube = _homicide_cube()
    link, bounds = cubes.linked_victims(
        offences, cube, {(2023, cubes.ALL, cubes.ALL): (2023, "0101")}
    )

    released = release(cube, fixed=link, bounds=bounds)

    # The victims equal the shown incidents, so their total is shown.
    assert link == {(2023, cubes.ALL, cubes.ALL): False}
    assert bounds == {}
    assert released.value(2023, cubes.ALL, cubes.ALL) == 28
    # Small counts of victims stay hidden although the incidents show.
    assert released.value(2023, "F", "18-24") is None


def _victims_pinned_through_incidents(offence_cube, offences, cube, released):
    """Return hidden cells that a reader pins taking victims equal to incidents.

    The reader joins the sums of both cubes with one more equation, the
    year's victims total equal to its 0101 incidents, takes every hidden count
    as at least 1 and solves a linear program for each hidden cell.
    """
    first, second = offence_cube.counts, cube.counts
    size = len(first) + len(second)
    rows = []
    for offset, groups in ((0, offence_cube.groups), (len(first), cube.groups)):
        for total, parts in groups:
            row = np.zeros(size)
            row[offset + total] = 1.0
            row[[offset + part for part in parts]] -= 1.0
            rows.append(row)
    link = np.zeros(size)
    link[first.index.get_loc((2023, "0101"))] = 1.0
    link[len(first) + second.index.get_loc((2023, cubes.ALL, cubes.ALL))] = -1.0
    equations = np.vstack([*rows, link])
    counts = np.concatenate([first.to_numpy(), second.to_numpy()]).astype(float)
    hidden = np.concatenate([offences.hidden.to_numpy(), released.hidden.to_numpy()])
    limits = [(1, None) if h else (c, c) for c, h in zip(counts, hidden, strict=True)]
    keys = [*first.index, *second.index]
    pinned = []
    for cell in np.flatnonzero(hidden):
        goal = np.zeros(size)
        goal[cell] = 1.0
        zeros = np.zeros(len(equations))
        least = linprog(goal, A_eq=equations, b_eq=zeros, bounds=limits)
        greatest = linprog(-goal, A_eq=equations, b_eq=zeros, bounds=limits)
        assert least.status == 0, least.message
        if greatest.status == 0 and -greatest.fun - least.fun < 1 - 1e-6:
            pinned.append(keys[cell])
    return pinned


def _homicides_of_2023(victim_rows):
    """Return the cube of 20 homicides and 1 attempt, its release, and victims."""
    offence_cube = cubes.offence_cube(
        _incidents([(2023, "0101", 20), (2023, "0102", 1)]), DIVISIONS, (2023,)
    )
    frame = pd.DataFrame(victim_rows, columns=["year", "sex", "age_band", "persons"])
    return offence_cube, release(offence_cube), cubes.persons_cube(frame, (2023,))


def test_victims_and_incidents_pin_nothing_together():
    # Section 01 shows 21 over hidden 0101 (20) and 0102 (1), so 0101 is at
    # most 20. Shown male victims (18) and two hidden female victims of 1 give
    # at least 20 victims: taken as equal, both counts would be 20.
    rows = [
        (2023, "M", "18-24", 10),
        (2023, "M", "30-44", 8),
        (2023, "F", "25-29", 1),
        (2023, "F", "45-59", 1),
    ]
    offence_cube, offences, cube = _homicides_of_2023(rows)
    cells = {(2023, cubes.ALL, cubes.ALL): (2023, "0101")}
    link, bounds = cubes.linked_victims(offences, cube, cells)

    unbounded = release(cube, fixed=link)
    released = release(cube, fixed=link, bounds=bounds)

    assert offences.value(2023, "01") == 21
    assert bounds == {(2023, cubes.ALL, cubes.ALL): (1.0, 20.0)}
    assert unbounded.value(2023, "M", cubes.ALL) == 18
    pinned = _victims_pinned_through_incidents(offence_cube, offences, cube, unbounded)
    assert (2023, "0101") in pinned
    assert (
        _victims_pinned_through_incidents(offence_cube, offences, cube, released) == []
    )


def test_victims_bounded_by_incidents_hide_no_zero():
    # Five hidden female victims of 1 and shown males (15) give at least 20
    # victims against at most 20 incidents. The repair hides non-zero cells,
    # never the zeros, which a reader taking hidden counts as at least 1
    # would gain from.
    females = [("18-24", 1), ("25-29", 1), ("45-59", 1), ("60+", 1), ("unknown", 1)]
    males = [("18-24", 4), ("25-29", 2), ("30-44", 1), ("45-59", 2), ("60+", 4)]
    rows = [(2023, "F", band, n) for band, n in females]
    rows += [(2023, "M", band, n) for band, n in [*males, ("unknown", 2)]]
    offence_cube, offences, cube = _homicides_of_2023(rows)
    cells = {(2023, cubes.ALL, cubes.ALL): (2023, "0101")}
    link, bounds = cubes.linked_victims(offences, cube, cells)

    unbounded = release(cube, fixed=link)
    released = release(cube, fixed=link, bounds=bounds)

    assert unbounded.value(2023, "M", cubes.ALL) == 15
    pinned = _victims_pinned_through_incidents(offence_cube, offences, cube, unbounded)
    assert (2023, "0101") in pinned
    assert (
        _victims_pinned_through_incidents(offence_cube, offences, cube, released) == []
    )
    zeros = cube.counts == 0
    assert not released.hidden[zeros].any()


def _areas(rows):
    return pd.DataFrame(rows, columns=["year", "area_code", "incidents"])


def _area_population(areas):
    return pd.DataFrame(
        [(2023, code, f"Parish {code}", people, True) for code, people in areas],
        columns=["year", "area_code", "name", "population", "is_estimate"],
    )


def _smoothed_by_formula(counts, people):
    mean = sum(counts) / sum(people)
    rates = [c / p for c, p in zip(counts, people, strict=True)]
    variance = sum(
        p * (r - mean) ** 2 for p, r in zip(people, rates, strict=True)
    ) / sum(people) - mean / (sum(people) / len(people))
    weights = [variance / (variance + mean / p) for p in people]
    return [
        (w * r + (1 - w) * mean) * 100_000 for w, r in zip(weights, rates, strict=True)
    ]


def test_empirical_bayes_matches_formula():
    counts = {"A": 30, "B": 10, "C": 60}
    people = {"A": 10_000, "B": 20_000, "C": 30_000}
    cube = cubes.area_cube(
        _areas([(2023, code, n) for code, n in counts.items()]), (2023,), counts
    )

    rates = policy.area_rates(release(cube), _area_population(people.items()), 2023)

    expected = _smoothed_by_formula(list(counts.values()), list(people.values()))
    assert list(rates["smoothed_per_100k"]) == pytest.approx(expected)
    # Area A by hand: weight 13/16, so 13/16 * 0.003 + 3/16 * 1/600 = 0.00275.
    assert _row(rates, area_code="A")["smoothed_per_100k"] == pytest.approx(275.0)
    assert _row(rates, area_code="A")["smoothing_weight"] == pytest.approx(0.8125)
    assert _row(rates, area_code="A")["per_100k"] == pytest.approx(300.0)


def test_smoothing_leaves_out_hidden_areas():
    counts = {"A": 30, "B": 10, "C": 60, "D": 2}
    people = {"A": 10_000, "B": 20_000, "C": 30_000, "D": 5_000}
    cube = cubes.area_cube(
        _areas([(2023, code, n) for code, n in counts.items()]), (2023,), counts
    )

    rates = policy.area_rates(release(cube), _area_population(people.items()), 2023)

    # D (2) is hidden, and B (10), the smallest other area, beside it.
    assert pd.isna(_row(rates, area_code="D")["smoothed_per_100k"])
    assert pd.isna(_row(rates, area_code="B")["smoothed_per_100k"])
    expected = _smoothed_by_formula([30, 60], [10_000, 30_000])
    shown = rates[rates["area_code"].isin(["A", "C"])]
    assert list(shown["smoothed_per_100k"]) == pytest.approx(expected)


def test_youth_rate_uses_band_population():
    rows = [
        (2023, "victim", "15-17", 10),
        (2023, "victim", "18-24", 30),
        (2023, "victim", "45-59", 50),
        (2023, "suspect", "18-24", 25),
    ]
    frame = pd.DataFrame(rows, columns=["year", "role", "age_band", "persons"])
    population = {
        (2023, "all", "15-17"): policy.Population(8_000, is_estimate=True),
        (2023, "all", "18-24"): policy.Population(12_000, is_estimate=True),
    }

    rates = policy.youth_rates(
        release(cubes.youth_cube(frame, (2023,))), population, youth_band("15-24")
    )

    victims = _row(rates, role="victim")
    assert victims["persons"] == 40
    assert victims["per_100k"] == pytest.approx(200.0)  # 40 / 20,000 * 100,000
    assert victims["population_estimate"]
    assert not victims["population_missing"]
    assert _row(rates, role="suspect")["per_100k"] == pytest.approx(125.0)


def test_youth_rate_flags_missing_population():
    frame = pd.DataFrame(
        [(2023, "victim", "18-24", 30)],
        columns=["year", "role", "age_band", "persons"],
    )
    rates = policy.youth_rates(
        release(cubes.youth_cube(frame, (2023,))), {}, youth_band("15-24")
    )

    victims = _row(rates, role="victim")
    assert victims["population_missing"]
    assert pd.isna(victims["per_100k"])
    assert victims["persons"] == 30


def test_youth_range_difference_protected():
    rows = [
        (2023, "victim", "10-14", 5),
        (2023, "victim", "15-17", 4),
        (2023, "victim", "18-24", 30),
        (2023, "victim", "25-29", 2),
        (2023, "victim", "45-59", 50),
    ]
    frame = pd.DataFrame(rows, columns=["year", "role", "age_band", "persons"])
    cube = cubes.youth_cube(frame, (2023,))

    released = release(cube)

    # 15 to 29 less 15 to 24 is the 2 victims aged 25 to 29.
    shown = {
        name: released.value(2023, "victim", name)
        for name in ("10-29", "15-24", "15-29")
    }
    assert released.value(2023, "victim", "25-29") is None
    assert shown["15-24"] is None or shown["15-29"] is None
    assert exposed_cells(cube, released.hidden.to_numpy()) == []
    assert released.value(2023, "victim", cubes.ALL) == 91


def test_youth_ranges_nest_in_one_cube():
    assert cubes.YOUTH_CHILDREN == {
        cubes.ALL: ("10-29", cubes.OTHER_AGES),
        "10-29": ("15-29", "10-14"),
        "15-29": ("15-24", "25-29"),
        "15-24": ("15-17", "18-24"),
    }


def test_firearm_share_and_rate():
    frame = pd.DataFrame(
        [(2023, "0101", 40, 30), (2023, "0501", 160, 10)],
        columns=["year", "iccs_code", "incidents", "firearm_incidents"],
    )

    rates = policy.firearm_rates(
        release(cubes.firearm_cube(frame, (2023,))), POPULATION
    )

    row = _row(rates, year=2023)
    assert row["firearm_incidents"] == 40
    assert row["all_incidents"] == 200
    assert row["firearm_share"] == pytest.approx(0.2)
    assert row["per_100k"] == pytest.approx(40 / 180_000 * 100_000)


def test_relationship_rate_per_sex_population():
    frame = pd.DataFrame(
        [
            (2023, "intimate_partner", "F", 36),
            (2023, "stranger", "F", 4),
            (2023, "family", "M", 9),
            (2023, "unknown", "M", 30),
        ],
        columns=["year", "relationship", "sex", "victims"],
    )
    population = {(2023, "F", "all"): policy.Population(90_000)}

    rates = policy.relationship_rates(
        release(cubes.relationship_cube(frame, (2023,))), population
    )

    partner = _row(rates, relationship="intimate_partner", sex="F")
    assert partner["victims"] == 36
    assert partner["per_100k"] == pytest.approx(40.0)  # 36 / 90,000 * 100,000
    assert _row(rates, relationship="other_recorded", sex="F")["victims"] == 4


def test_rates_equal_rate_per():
    populations = {
        2021: policy.Population(170_000),
        2022: policy.Population(float("nan")),
        2023: policy.Population(0),
    }
    rates = policy.category_rates(_offences(), populations, [("0101", "homicide")])

    for year, people in ((2021, 170_000), (2022, None), (2023, None)):
        row = _row(rates, code="0101", year=year)
        count = int(row["incidents"])
        assert row["unstable"] == rate_per(count, people).unstable
        for column, per in (("per_100k", PER_100K), ("per_10k", PER_10K)):
            expected = rate_per(count, people, per).value
            if expected is None:
                assert pd.isna(row[column])
            else:
                assert row[column] == expected


def test_negative_population_rejected():
    populations = {2023: policy.Population(-5.0)}

    with pytest.raises(AnalysisError, match="population must be .* but is -5.0"):
        policy.category_rates(_offences(), populations, [("0101", "homicide")])
