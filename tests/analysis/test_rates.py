"""Rates, empirical Bayes smoothing, pooled rates, youth bands, firearm share."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import rates
from analysis.errors import AnalysisError, AnalysisWarning


@pytest.mark.parametrize(
    ("count", "population", "per", "value", "unstable"),
    [
        (45, 180_000, rates.PER_100K, 25.0, False),  # 45 / 180,000 * 100,000
        (45, 180_000, rates.PER_10K, 2.5, False),  # 45 / 180,000 * 10,000
        (20, 50_000, rates.PER_100K, 40.0, True),  # 20 events: unstable
        (21, 50_000, rates.PER_100K, 42.0, False),  # 21 events: stable
        (0, 50_000, rates.PER_100K, 0.0, True),
        (5, 0, rates.PER_100K, None, True),  # no division by zero
        (5, None, rates.PER_100K, None, True),
        (5, math.nan, rates.PER_100K, None, True),
    ],
    ids=[
        "per-100k",
        "per-10k",
        "twenty",
        "twenty-one",
        "zero-count",
        "zero-population",
        "no-population",
        "nan-population",
    ],
)
def test_rate_per_by_hand(count, population, per, value, unstable):
    rate = rates.rate_per(count, population, per)

    if value is None:
        assert rate.value is None
    else:
        assert rate.value == pytest.approx(value)
    assert rate.unstable is unstable
    assert rate.per == per


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((-1, 1000), "count must be a number of 0 or more"),
        ((1, -1000), "population must be a number of 0 or more"),
        ((1, 1000, 0), "per must be positive"),
    ],
    ids=["negative-count", "negative-population", "zero-per"],
)
def test_rate_per_invalid_rejected(arguments, message):
    with pytest.raises(AnalysisError, match=message):
        rates.rate_per(*arguments)


# Three areas: A 10 events in 1,000 people, B 30 in 2,000, C 60 in 7,000.
# Raw rates 0.01, 0.015 and 0.0085714. Prior mean m = 100 / 10,000 = 0.01.
# sum(pop * (r - m)^2) = 0 + 2,000 * 0.005^2 + 7,000 * (1/700)^2 = 0.05 + 1/70,
# divided by 10,000 is 6.428571e-6; m / mean(pop) = 0.01 / 3,333.3 = 3e-6, so
# s2 = 3.428571e-6 = (24/7)e-6. Weights: A (24/7) / (24/7 + 10) = 24/94,
# B (24/7) / (24/7 + 5) = 24/59, C (24/7) / (24/7 + 10/7) = 24/34.
EB_WEIGHTS = [24 / 94, 24 / 59, 24 / 34]
EB_RAW = [0.01, 0.015, 60 / 7000]


def test_empirical_bayes_by_hand():
    counts = pd.Series([10, 30, 60], index=["A", "B", "C"])

    result = rates.empirical_bayes_rates(counts, [1000, 2000, 7000])

    assert result.index.tolist() == ["A", "B", "C"]
    assert result.attrs["prior_mean"] == pytest.approx(0.01)
    assert result.attrs["prior_variance"] == pytest.approx(24 / 7 * 1e-6)
    assert result["weight"].tolist() == pytest.approx(EB_WEIGHTS)
    smoothed = [w * r + (1 - w) * 0.01 for w, r in zip(EB_WEIGHTS, EB_RAW, strict=True)]
    # A: 1000, B: 0.4068 * 0.015 + 0.5932 * 0.01 = 0.012034 -> 1203.4,
    # C: 0.7059 * 0.0085714 + 0.2941 * 0.01 = 0.0089916 -> 899.2 per 100,000.
    assert result["smoothed_rate"].tolist() == pytest.approx(
        [v * 100_000 for v in smoothed]
    )
    assert result.loc["B", "smoothed_rate"] == pytest.approx(1203.39, abs=0.01)
    assert result["raw_rate"].tolist() == pytest.approx([1000, 1500, 857.142857])


def test_empirical_bayes_small_area_moves_most():
    result = rates.empirical_bayes_rates([10, 30, 60], [1000, 2000, 7000])

    shift = (result["smoothed_rate"] - result["raw_rate"]).abs()
    # B (2,000 people) moves 0.5932 * 500 = 296.6; C (7,000) 0.2941 * 142.9 = 42.0.
    assert shift[1] == pytest.approx((1 - 24 / 59) * 500)
    assert shift[2] == pytest.approx((1 - 24 / 34) * (1000 - 857.142857))


def test_empirical_bayes_equal_rates_warn():
    # Identical raw rates: s2 = 0 - m / mean(pop) < 0, floored at 0.
    with pytest.warns(AnalysisWarning, match="prior variance is 0"):
        result = rates.empirical_bayes_rates([10, 20], [1000, 2000])

    assert result["weight"].tolist() == [0.0, 0.0]
    assert result["smoothed_rate"].tolist() == pytest.approx([1000.0, 1000.0])


@pytest.mark.parametrize(
    ("counts", "populations", "message"),
    [
        ([1, 2], [100], "pass one population per area"),
        ([1, 2], [100, 0], r"populations\[1\] is 0.0"),
        ([1, 2], [100, math.nan], r"populations\[1\] is nan"),
        ([], [], "counts is empty"),
        ([1, -2], [100, 100], "counts must be numbers of 0 or more"),
    ],
    ids=["lengths", "zero-population", "nan-population", "empty", "negative"],
)
def test_empirical_bayes_invalid_rejected(counts, populations, message):
    with pytest.raises(AnalysisError, match=message):
        rates.empirical_bayes_rates(counts, populations)


def test_pooled_rate_by_hand():
    counts = {2021: 4, 2022: 7, 2023: 10, 2024: 50}
    population = {2021: 9_800, 2022: 10_000, 2023: 10_200, 2024: 10_400}

    rate = rates.pooled_rate(counts, population, end_year=2023)

    # (4 + 7 + 10) / (9,800 + 10,000 + 10,200) * 100,000 = 21 / 30,000 = 70.
    assert rate.value == pytest.approx(70.0)
    assert rate.count == 21
    assert rate.population == 30_000
    assert rate.unstable is False


def test_pooled_rate_series_and_years():
    counts = pd.Series({2022: 7, 2023: 10})
    population = pd.Series({2022: 10_000, 2023: 10_200})

    rate = rates.pooled_rate(counts, population, 2023, years=2, per=rates.PER_10K)

    # 17 / 20,200 * 10,000 = 8.4158.
    assert rate.value == pytest.approx(17 / 20_200 * 10_000)
    assert rate.unstable is True


def test_pooled_rate_missing_year_rejected():
    with pytest.raises(
        AnalysisError,
        match=r"population_by_year has no value for "
        r"\[2021\]",
    ):
        rates.pooled_rate({2021: 1, 2022: 1, 2023: 1}, {2022: 10, 2023: 10}, 2023)


@pytest.mark.parametrize(
    ("name", "bands", "label"),
    [
        (
            "10-29",
            ("10-14", "15-17", "18-24", "25-29"),
            "Youth 10 to 29 (CARICOM and WHO)",
        ),
        ("15-24", ("15-17", "18-24"), "Youth 15 to 24 (United Nations)"),
        ("15-29", ("15-17", "18-24", "25-29"), "Youth 15 to 29 (Commonwealth)"),
    ],
    ids=["10-29", "15-24", "15-29"],
)
def test_youth_band_unions(name, bands, label):
    band = rates.youth_band(name)

    assert band.bands == bands
    assert band.label == label
    assert band.name == name


def test_youth_band_default_is_10_29():
    assert rates.youth_band().name == "10-29"


def test_youth_band_unknown_rejected():
    with pytest.raises(AnalysisError, match="youth band '12-25' is unknown"):
        rates.youth_band("12-25")


def test_youth_band_missing_age_band():
    with pytest.raises(AnalysisError, match=r"needs the age bands \['10-14'\]"):
        rates.youth_band("10-29", bands=("0-14", "15-17", "18-24", "25-29"))


@pytest.mark.parametrize(
    ("firearm", "total", "share"),
    [(3, 12, 0.25), (0, 12, 0.0), (12, 12, 1.0), (0, 0, None)],
    ids=["quarter", "none", "all", "no-incidents"],
)
def test_firearm_share_by_hand(firearm, total, share):
    assert rates.firearm_share(firearm, total) == share


def test_firearm_share_above_total_rejected():
    with pytest.raises(AnalysisError, match="firearm_count 5 exceeds total 4"):
        rates.firearm_share(5, 4)
