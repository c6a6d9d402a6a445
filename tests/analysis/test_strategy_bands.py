"""Expected bands of many monthly series at once, against hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.strategy_bands import category_bands
from analysis.trends import expected_band, moving_average


def _march_burglaries() -> pd.DataFrame:
    # March counts of 10, 12 and 14 in 2021 to 2023, then 25; 4 in January 2024.
    rows = [("05", year * 100 + 3, count) for year, count in ((2021, 10), (2022, 12))]
    rows += [("05", 202303, 14), ("05", 202401, 4), ("05", 202403, 25)]
    return pd.DataFrame(rows, columns=["category", "month", "count"])


def test_band_of_march_by_hand():
    bands = category_bands(_march_burglaries(), ["05"], 202101, 202403)

    march = bands[bands["month"] == 202403].iloc[0]
    assert march["count"] == 25
    assert march["expected"] == 12
    assert march["lower"] == pytest.approx(12 - 2 * math.sqrt(12))
    assert march["upper"] == pytest.approx(12 + 2 * math.sqrt(12))
    assert march["flag"] == "above"
    assert march["moving_average"] == pytest.approx((4 + 0 + 25) / 3)


def test_band_missing_before_three_years():
    bands = category_bands(_march_burglaries(), ["05"], 202101, 202403)

    march_2023 = bands[bands["month"] == 202303].iloc[0]
    assert np.isnan(march_2023["expected"])
    assert march_2023["flag"] is None
    assert np.isnan(bands.iloc[1]["moving_average"])
    assert len(bands) == 39


def test_category_without_counts_gets_zeros():
    bands = category_bands(_march_burglaries(), ["01", "05"], 202101, 202403)

    homicide = bands[bands["category"] == "01"]
    assert list(bands["category"].unique()) == ["01", "05"]
    assert (homicide["count"] == 0).all()
    last = homicide.iloc[-1]
    assert last["expected"] == 0
    assert last["lower"] == 0
    assert last["upper"] == 2
    assert last["flag"] is None


def test_other_categories_follow_sorted():
    frame = pd.concat(
        [
            _march_burglaries(),
            pd.DataFrame({"category": ["09", "03"], "month": 202402, "count": 1}),
        ]
    )

    bands = category_bands(frame, ["05"], 202101, 202403)

    assert list(bands["category"].unique()) == ["05", "03", "09"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_as_trends_functions(seed):
    rng = np.random.default_rng(seed)
    months = [
        year * 100 + month for year in range(2018, 2025) for month in range(1, 13)
    ]
    rows = [
        (category, month, int(rng.poisson(6)))
        for category in ("01", "05", "07")
        for month in months
        if rng.random() < 0.8
    ]
    frame = pd.DataFrame(rows, columns=["category", "month", "count"])

    bands = category_bands(frame, ["07", "01", "05"], 201801, 202412)

    expected = expected_band(
        frame, by=("category",), first_month=201801, last_month=202412
    )
    expected["moving_average"] = expected.groupby("category")["count"].transform(
        moving_average
    )
    order = {"07": 0, "01": 1, "05": 2}
    expected = expected.sort_values(
        ["category", "month"], key=lambda s: s.map(order) if s.name == "category" else s
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(bands, expected, check_exact=True, check_dtype=False)
