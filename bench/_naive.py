"""The same station and national questions, answered by the product and naively.

The naive way is how a first dashboard is often written: the whole ``incident``
table is loaded into one pandas frame when the server starts, and every request
filters and groups that frame. ``naive_worker`` runs in its own process, so that
its memory can be read: it builds the app first, as a server would, then loads
the table and answers each question ``repeat`` times.

The product answers the same questions through ``data_access``: the monthly
rollups for counts, and the ``incident`` index by station and month for points.
The two results are compared, and the table marks any difference.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import memory_kib
from sqlalchemy import select

from analysis.station_extra import shift_month
from data_access import station_queries, strategy_queries
from data_access.engine import make_engine
from data_access.schema import EXCLUDED, NO_STATION, UNMAPPED, incident
from data_access.scope import Scope

# Question name and its description in the results table.
QUESTIONS = {
    "station counts": "station: counts by month, ICCS, 27 months",
    "station points": "station: incident points of a month",
    "national counts": "country: counts by month, ICCS, 120 months",
    "national sections": "country: counts by month, section, 120 mo.",
    "national stations": "country: counts by station, month, 12 mo.",
}


def question_months(params: dict) -> dict[str, tuple[int, int]]:
    """Return the inclusive month range of each question."""
    station_month = params["station_month"]
    national_month = params["national_month"]
    return {
        "station counts": (shift_month(station_month, -26), station_month),
        "station points": (station_month, station_month),
        "national counts": (shift_month(national_month, -119), national_month),
        "national sections": (shift_month(national_month, -119), national_month),
        "national stations": (shift_month(national_month, -11), national_month),
    }


def _counts(frame: pd.DataFrame, keys: list[str], count: str) -> list[tuple]:
    """Return the ``(*keys, count)`` rows with a count above zero, sorted."""
    columns = [*keys, count]
    rows = []
    for row in frame.loc[frame[count] > 0, columns].itertuples(index=False):
        pairs = zip(columns, row, strict=True)
        rows.append(tuple(str(v) if k == "iccs_code" else int(v) for k, v in pairs))
    return sorted(rows)


def product_answer(engine, name: str, params: dict):
    """Answer one question through ``data_access`` as the pages do."""
    scope = Scope.everything()
    first, last = question_months(params)[name]
    if name.startswith("station"):
        record = station_queries.find_station(
            engine, scope, params["country"], params["station"]
        )
        if name == "station points":
            rows = station_queries.incident_rows(
                engine, scope, record, "occurred", first, last
            )
            return sorted(rows["id"].tolist())
        counts = station_queries.monthly_counts(
            engine, scope, record, "occurred", first, last
        )
        return _counts(counts, ["month", "iccs_code"], "incidents")
    selection = strategy_queries.Selection(params["country"])
    if name == "national counts":
        counts = strategy_queries.category_months(engine, scope, selection, first, last)
        return _counts(counts, ["month", "iccs_code"], "count")
    if name == "national sections":
        counts = strategy_queries.section_months(engine, scope, selection, first, last)
        return _counts(counts, ["month", "iccs_code"], "count")
    counts = strategy_queries.station_months(engine, scope, selection, first, last)
    return _counts(counts, ["station_id", "month"], "count")


def naive_answer(table: pd.DataFrame, name: str, params: dict):
    """Answer one question by filtering and grouping the whole incident frame."""
    first, last = question_months(params)[name]
    rows = table[
        table["occurred_month"].between(first, last)
        & (table["principal_iccs_code"] != EXCLUDED)
    ]
    if name.startswith("station"):
        rows = rows[rows["station_id"] == params["station_id"]]
        if name == "station points":
            return sorted(rows["id"].tolist())
        keys = ["occurred_month", "principal_iccs_code"]
    else:
        rows = rows[rows["country_code"] == params["country"]]
        if name == "national counts":
            keys = ["occurred_month", "principal_iccs_code"]
        elif name == "national sections":
            code = rows["principal_iccs_code"]
            section = code.where(code == UNMAPPED, code.str[:2])
            rows = rows.assign(principal_iccs_code=section)
            keys = ["occurred_month", "principal_iccs_code"]
        else:
            rows = rows.assign(station_id=rows["station_id"].fillna(NO_STATION))
            keys = ["station_id", "occurred_month"]
    counts = rows.groupby(keys).size().rename("count").reset_index()
    counts = counts.rename(
        columns={"occurred_month": "month", "principal_iccs_code": "iccs_code"}
    )
    return _counts(counts, [key for key in counts.columns if key != "count"], "count")


def time_answers(answer, source, params: dict, repeat: int) -> dict[str, dict]:
    """Answer each question ``repeat`` times; return median ms and the answer."""
    results = {}
    for name in QUESTIONS:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            found = answer(source, name, params)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {"p50": statistics.median(times), "answer": found}
    return results


def naive_worker(url: str, params: dict, repeat: int) -> dict:
    """Build the app, load the whole incident table, answer every question.

    Runs in a process of its own. Returns the results, the median times, the
    load time and the memory (KiB) after building the app and after loading.
    """
    from dashboard.app import create_app
    from dashboard.config import Settings

    folder = Path(tempfile.mkdtemp(prefix="crimedash_naive_"))
    settings = Settings(url, folder, secrets.token_hex(32))
    create_app(settings)
    app_memory = memory_kib(os.getpid())
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        table = pd.read_sql(select(incident), connection)
    load_seconds = time.perf_counter() - started
    loaded_memory = memory_kib(os.getpid())
    results = time_answers(naive_answer, table, params, repeat)
    engine.dispose()
    return {
        "rows": len(table),
        "load_seconds": load_seconds,
        "app_memory": app_memory,
        "loaded_memory": loaded_memory,
        "final_memory": memory_kib(os.getpid()),
        "results": results,
    }
