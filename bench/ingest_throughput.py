"""Measure import throughput: build an export of N rows and import it into SQLite.

Usage: python bench/ingest_throughput.py [--rows 2000000] [--database-url URL]

The export is generated with a fixed seed: 40 stations, 60 national offence codes,
one to three offences and zero to two victims per row, a few percent of rows without
coordinates and about 0.1% invalid rows. The script prints rows read, the time of
each phase and rows per second of the whole import, validation included.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert

from data_access import schema
from data_access.engine import init_warehouse, make_engine
from data_access.ingest import import_correspondence, ingest_file

SOURCE_MAP = """
name = "Benchmark export"
country = "LCA"
date_order = "day_first"
[station]
mode = "column"
column = "station"
[columns]
source_id = "incident_no"
occurred_from = "occurred"
reported_at = "reported"
longitude = "x"
latitude = "y"
location_type = "premises"
weapon = "weapon"
offence_codes = "offences"
victim_sex = "victim_sex"
victim_age = "victim_age"
"""


def build_export(folder: Path, rows: int, seed: int = 7) -> None:
    """Write export.csv, source.toml and codes.csv for ``rows`` incidents."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2015-01-01T00:00")
    minutes = rng.integers(0, 10 * 365 * 1440, rows)
    occurred = pd.to_datetime(start + minutes.astype("timedelta64[m]"))
    reported = occurred + pd.to_timedelta(rng.integers(0, 3 * 1440, rows), unit="m")
    codes = [f"{n:03d}" for n in range(1, 61)]
    first = rng.choice(codes, rows)
    second = np.where(rng.random(rows) < 0.15, ";" + rng.choice(codes, rows), "")
    lon = np.round(-61.0 + rng.random(rows) * 0.1, 5).astype(str)
    lat = np.round(13.9 + rng.random(rows) * 0.1, 5).astype(str)
    no_point = rng.random(rows) < 0.05
    lon[no_point] = ""
    lat[no_point] = ""
    has_victim = rng.random(rows) < 0.4
    frame = pd.DataFrame(
        {
            "incident_no": [f"BM-{i:08d}" for i in range(rows)],
            "occurred": occurred.strftime("%d/%m/%Y %H:%M"),
            "reported": reported.strftime("%d/%m/%Y %H:%M"),
            "station": rng.choice([f"S{n:02d}" for n in range(40)], rows),
            "x": lon,
            "y": lat,
            "premises": rng.choice(["Residence", "Street", "Shop", "Bar"], rows),
            "weapon": rng.choice(["", "", "", "Firearm", "Knife"], rows),
            "offences": np.char.add(first.astype(str), second.astype(str)),
            "victim_sex": np.where(has_victim, rng.choice(["M", "F"], rows), ""),
            "victim_age": np.where(
                has_victim, rng.integers(1, 90, rows).astype(str), ""
            ),
        }
    )
    bad = rng.random(rows) < 0.001
    frame.loc[bad, "occurred"] = "31/02/2020 10:00"
    frame.to_csv(folder / "export.csv", index=False)
    (folder / "source.toml").write_text(SOURCE_MAP)
    iccs = ["0101", "02011", "0401", "0501", "0502", "050211", "0504", "0601"]
    table = pd.DataFrame(
        {
            "national_code": codes,
            "description": [f"Offence {code}" for code in codes],
            "iccs_code": [iccs[i % len(iccs)] for i in range(len(codes))],
            "status": "mapped",
        }
    )
    table.to_csv(folder / "codes.csv", index=False)


def prepare_warehouse(url: str, folder: Path):
    engine = make_engine(url)
    init_warehouse(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [
                {"country_code": "LCA", "code": f"S{n:02d}", "name": f"Station {n}"}
                for n in range(40)
            ],
        )
    import_correspondence(engine, folder / "codes.csv", "LCA")
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        build_export(folder, args.rows)
        built = time.perf_counter() - started
        url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
        engine = prepare_warehouse(url, folder)

        started = time.perf_counter()
        report = ingest_file(engine, folder / "export.csv", folder / "source.toml")
        elapsed = time.perf_counter() - started
        size = (folder / "export.csv").stat().st_size / 1e6
        print(f"export: {args.rows:,} rows, {size:.0f} MB, generated in {built:.1f} s")
        print(f"engine: {engine.dialect.name}")
        print(
            f"import: {elapsed:.1f} s, {report.rows_read / elapsed:,.0f} rows/s "
            f"({report.inserted:,} inserted, {report.rejected:,} rejected)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
