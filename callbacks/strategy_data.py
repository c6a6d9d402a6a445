"""Data preparation of the Strategy view: queries, then the analysis functions.

Each function takes the engine, the caller's scope and a ``View`` (what the user
chose to read) and returns plain values for the layout builders. They read the
monthly rollups only, never incident rows, and are tested on small warehouses
without a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import shapely
from shapely import wkt as shapely_wkt

from analysis import strategy_extra as extra
from analysis.station_extra import check_month, last_complete_month, shift_month
from analysis.station_extra import month_span as months_between
from analysis.strategy_bands import category_bands
from data_access import action_plans
from data_access import strategy_queries as queries
from data_access.reference import load_iccs_codes
from data_access.schema import UNMAPPED
from data_access.scope import Scope

# Months shown by the trends, and earlier years read for their expected band.
TREND_MONTHS = 120
BAND_YEARS = 3
FLAG_MONTHS = 12
PERIODS = 10
# 12-month periods of the youth panel: each reads every person row of the country.
PERSON_PERIODS = 5

# Station areas on the map are simplified to this tolerance, degrees (about 100 m).
SIMPLIFY_DEGREES = 0.001
COORDINATE_DECIMALS = 4

UNIT_WORDS = {"incidents": "incidents", "offences": "offences", "victims": "victims"}


@dataclass(frozen=True)
class View:
    """The user's choice: a ``Selection``, the month and the youth band."""

    selection: queries.Selection
    month: int
    youth_band: str = extra.DEFAULT_YOUTH_BAND

    def __post_init__(self):
        check_month(self.month)
        extra.youth_bands(self.youth_band)

    @property
    def label(self) -> str:
        """Return the unit and basis in words, for panel captions."""
        selection = self.selection
        return f"{selection.unit.capitalize()}, by month {selection.basis}"


def today() -> dt.date:
    """Return today's date; the default month is the one before."""
    return dt.date.today()


def month_choices(
    engine, scope: Scope, country_code: str, basis: str, today_date: dt.date
) -> tuple[list[int], int | None]:
    """Return the months offered, newest first, and the default month.

    The default is the last complete month, or the last month with counts when
    the data end earlier. Ten years back from the default are offered.
    """
    span = queries.data_months(engine, scope, country_code, basis)
    if span is None:
        return [], None
    default = min(last_complete_month(today_date), span[1])
    first = max(span[0], shift_month(default, -TREND_MONTHS + 1))
    return list(reversed(months_between(first, default))), default


def iccs_names() -> dict[str, str]:
    """Return ``"code name"`` of every ICCS code, keyed by code."""
    return {row["code"]: f"{row['code']} {row['name']}" for row in load_iccs_codes()}


def section_codes() -> list[str]:
    """Return the ICCS section codes (level 1) in order."""
    return [row["code"] for row in load_iccs_codes() if row["level"] == 1]


def area_name(engine, scope: Scope, view: View, country_name: str) -> str:
    """Return the area the view reads, such as ``"North division"``."""
    division_code = view.selection.division_code
    if division_code is None:
        return country_name
    names = dict(queries.country_divisions(engine, scope, view.selection.country_code))
    return f"{names.get(division_code, division_code)} division"


def group_counts(monthly: pd.DataFrame, categories: tuple[str, ...]) -> pd.DataFrame:
    """Return counts by category: the chosen codes, or else the ICCS sections.

    A code counts under every chosen prefix it starts with. Without a choice,
    counts go to their section and ``UNMAPPED`` counts are left out.
    """
    codes = monthly["iccs_code"].astype(str)
    mapped = monthly[codes != UNMAPPED]
    if not categories:
        frame = mapped[["month", "count"]].assign(category=codes.str[:2])
    else:
        mapped_codes = mapped["iccs_code"].astype(str)
        frame = pd.concat(
            [
                mapped.loc[
                    mapped_codes.str.startswith(group), ["month", "count"]
                ].assign(category=group)
                for group in categories
            ],
            ignore_index=True,
        )
    return frame.groupby(["category", "month"], as_index=False)["count"].sum()


def read_trends(engine, scope: Scope, view: View, area: str) -> dict | None:
    """Return the trend series with bands, and the flags of the last 12 months.

    Returns
    -------
    dict or None
        ``series`` (``category``, ``month``, ``count``, ``moving_average``,
        ``expected``, ``lower``, ``upper`` and ``flag`` for up to 120 months),
        ``names``, ``sentences``, ``flag_months`` (a heading) and ``unmapped``
        (counts not mapped to ICCS in the months shown); ``None`` when the
        country has no counts.
    """
    selection = view.selection
    span = queries.data_months(engine, scope, selection.country_code, selection.basis)
    if span is None or span[0] > view.month:
        return None
    first_read = max(
        span[0], shift_month(view.month, -TREND_MONTHS - 12 * BAND_YEARS + 1)
    )
    months = queries.category_months if selection.categories else queries.section_months
    monthly = months(engine, scope, selection, first_read, view.month)
    grouped = group_counts(monthly, selection.categories)
    band = _band(grouped, selection.categories, first_read, view.month)
    first_shown = max(first_read, shift_month(view.month, -TREND_MONTHS + 1))
    series = band[band["month"] >= first_shown].reset_index(drop=True)
    recent = series[series["month"] > shift_month(view.month, -FLAG_MONTHS)]
    names = iccs_names()
    unmapped = monthly.loc[
        (monthly["iccs_code"] == UNMAPPED) & (monthly["month"] >= first_shown), "count"
    ].sum()
    return {
        "series": series,
        "names": names,
        "sentences": extra.describe_band_flags(
            recent, names, area, UNIT_WORDS[selection.unit]
        ),
        "flag_months": "Months outside the expected band, "
        f"{extra.month_text(shift_month(view.month, -FLAG_MONTHS + 1))} to "
        f"{extra.month_text(view.month)}",
        "unmapped": int(unmapped),
    }


def _band(grouped: pd.DataFrame, categories, first: int, last: int) -> pd.DataFrame:
    """Return the expected band and moving average of every category's counts."""
    groups = list(categories) or section_codes()
    return category_bands(grouped, groups, first, last, years_back=BAND_YEARS)


def read_stations(engine, scope: Scope, view: View) -> pd.DataFrame:
    """Return the station table of ``analysis.strategy_extra.station_table``."""
    selection = view.selection
    country = selection.country_code
    stations = queries.country_stations(engine, scope, country, selection.division_code)
    counts = queries.station_months(
        engine, scope, selection, shift_month(view.month, -23), view.month
    )
    populations = queries.station_populations(engine, scope, country, view.month // 100)
    quality = queries.quality_months(
        engine,
        scope,
        country,
        selection.division_code,
        shift_month(view.month, -11),
        view.month,
    )
    return extra.station_table(stations, counts, populations, quality, view.month)


def read_plan_counts(engine, scope: Scope, view: View) -> pd.DataFrame:
    """Return each station's count of the month and of a year earlier, with scores.

    The columns of ``analysis.strategy_extra.month_changes``: the outcome of the
    month's plans, read without the 12-month figures of ``read_stations``.
    """
    selection = view.selection
    stations = queries.country_stations(
        engine, scope, selection.country_code, selection.division_code
    )
    counts = pd.concat(
        [
            queries.station_months(engine, scope, selection, month, month)
            for month in (shift_month(view.month, -12), view.month)
        ],
        ignore_index=True,
    )
    return extra.month_changes(stations, counts, view.month)


def station_shapes(engine, scope: Scope, country_code: str) -> dict:
    """Return simplified outline x and y lists of each station area, by code."""
    shapes = {}
    for code, text in queries.station_areas(engine, scope, country_code):
        geometry = shapely_wkt.loads(text).simplify(SIMPLIFY_DEGREES)
        shapes[code] = _outline(geometry)
    return shapes


def _outline(geometry) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for ring in _rings(geometry):
        coords = shapely.get_coordinates(ring).round(COORDINATE_DECIMALS)
        xs += coords[:, 0].tolist() + [None]
        ys += coords[:, 1].tolist() + [None]
    return xs, ys


def _rings(geometry):
    if geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry.exterior, *geometry.interiors]
    if hasattr(geometry, "geoms"):
        return [ring for part in geometry.geoms for ring in _rings(part)]
    return []


def read_people(engine, scope: Scope, view: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the youth summary and the firearm shares, by 12-month period."""
    selection, month = view.selection, view.month
    first = shift_month(month, -12 * PERSON_PERIODS + 1)
    persons = queries.person_months(engine, scope, selection, first, month)
    summary = extra.youth_summary(persons, view.youth_band, month, PERSON_PERIODS)
    first = shift_month(month, -12 * PERIODS + 1)
    firearms = queries.firearm_months(engine, scope, selection, first, month)
    shares = extra.firearm_shares(firearms, month, PERIODS)
    return summary, shares


def quality_span(month: int) -> list[int]:
    """Return the 12 months that end at ``month``, oldest first."""
    return months_between(shift_month(month, -11), month)


def read_quality(engine, scope: Scope, view: View) -> pd.DataFrame:
    """Return the data-quality table of every station over the 12 months."""
    selection = view.selection
    country = selection.country_code
    stations = queries.country_stations(engine, scope, country, selection.division_code)
    span = quality_span(view.month)
    quality = queries.quality_months(
        engine, scope, country, selection.division_code, span[0], span[-1]
    )
    return extra.quality_table(stations, quality, span)


def read_plans(engine, scope: Scope, view: View, stations: pd.DataFrame) -> dict:
    """Return the plans of the month after ``view.month`` and of ``view.month``.

    Parameters
    ----------
    stations : pandas.DataFrame
        The counts of ``read_plan_counts`` (or the station table of
        ``read_stations``), which give the outcome of the month's plans.

    Returns
    -------
    dict
        ``month`` and ``current`` (plans of the month after the one read, the
        month being worked), ``previous_month`` and ``previous`` (plans of the
        month read, with ``count``, ``previous`` and ``score``), and ``label``.
        Every station of the selection has a row; ``status`` is missing where
        it has no plan.
    """
    current_month = shift_month(view.month, 1)
    return {
        "month": current_month,
        "current": _plans_by_station(engine, scope, view, current_month, stations),
        "previous_month": view.month,
        "previous": _plans_by_station(engine, scope, view, view.month, stations),
        "label": view.selection.unit,
    }


def _plans_by_station(engine, scope, view: View, month: int, stations: pd.DataFrame):
    plans = action_plans.list_plans(engine, scope, month)
    plans = plans[plans["country_code"] == view.selection.country_code]
    plans = plans.drop(columns=["division_code", "month"]).rename(
        columns={"station_code": "code"}
    )
    columns = ["code", "name", "division_name", "count", "previous", "score"]
    return stations[columns].merge(plans, on="code", how="left")
