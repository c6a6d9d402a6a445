"""Building the demo: exports for the eight countries, imported like real ones."""

from __future__ import annotations

import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from data_access.demo.calibration import homicide_targets, read_populations
from data_access.demo.exports import ExportFiles, write_export
from data_access.demo.incidents import CountryInputs, generate_country
from data_access.demo.offences import offence_table
from data_access.demo.places import read_station_areas
from data_access.demo.profiles import COUNTRIES
from data_access.engine import init_warehouse
from data_access.geography import load_geography

logger = logging.getLogger(__name__)

# Changes whenever the generator's output changes, so cached demos are rebuilt.
GENERATOR_VERSION = "1"
DEFAULT_SEED = 2015
COUNTRY_CODES = tuple(profile.code for profile in COUNTRIES)


@dataclass(frozen=True)
class DemoSummary:
    """Summary of one build of the demo, with timings in seconds.

    Attributes
    ----------
    waiting_seconds
        Time the import spent waiting for the generator.
    """

    exports: list[ExportFiles]
    rows_written: int
    rows_imported: int
    rows_rejected: int
    waiting_seconds: float
    total_seconds: float


def write_demo_exports(
    geodata_dir: str | Path,
    out_dir: str | Path,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    countries: tuple[str, ...] = COUNTRY_CODES,
) -> list[ExportFiles]:
    """Generate and write the exports of ``countries`` to ``out_dir``.

    Parameters
    ----------
    geodata_dir
        The shipped geodata folder (stations, population, homicide rates).
    out_dir
        Folder for each country's CSV export, source map and code table.
    seed
        Seed of the random generators; the same seed writes identical files.
    scale
        Multiple of the full volumes to generate, above 0: below 1 for quick
        demos, above 1 for load tests. Homicides are always generated in full,
        so their rates stay calibrated at any scale, while attempted murders
        scale with the other kinds.
    countries
        ISO codes of the countries to generate.

    Returns
    -------
    list of ExportFiles
        One entry per country, in the order of ``countries``.
    """
    if not scale > 0:
        raise ValueError(f"scale={scale!r} must be above 0.")
    geodata_dir, out_dir = Path(geodata_dir), Path(out_dir)
    populations = read_populations(geodata_dir)
    targets = homicide_targets(geodata_dir, countries)
    written = []
    for index, profile in enumerate(COUNTRIES):
        if profile.code not in countries:
            continue
        rng = np.random.default_rng([seed, index, 1])
        inputs = CountryInputs(
            profile=profile,
            index=index,
            stations=read_station_areas(geodata_dir, profile.code, populations),
            offences=offence_table(profile.code_style, rng),
            homicides=[t for t in targets if t.country_code == profile.code],
            population_by_year={
                year: populations[("country", profile.code, year)]
                for year in range(2015, 2025)
            },
        )
        rows = generate_country(inputs, seed, scale)
        written.append(
            write_export(profile.code, profile.style, rows, inputs.offences, out_dir)
        )
        logger.info("wrote demo export of %s: %d rows", profile.code, len(rows))
    return written


def build_demo_warehouse(
    engine: Engine,
    geodata_dir: str | Path,
    out_dir: str | Path,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    countries: tuple[str, ...] = COUNTRY_CODES,
) -> DemoSummary:
    """Load the geography, write the demo exports and import them.

    The exports go through the same import as a force's real files:
    ``import_correspondence`` for each code table, then ``ingest_file``. A second
    process writes the next country's export while this one imports the last, so
    the build takes about as long as the imports alone on two cores.
    """
    from data_access.ingest import import_correspondence, ingest_file

    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures = [
            pool.submit(write_demo_exports, geodata_dir, out_dir, seed, scale, (code,))
            for code in countries
        ]
        init_warehouse(engine)
        load_geography(engine, geodata_dir)
        exports, imported, rejected = [], 0, 0
        waiting = 0.0
        for future in futures:
            before = time.perf_counter()
            (files,) = future.result()
            waiting += time.perf_counter() - before
            import_correspondence(engine, files.correspondence, files.country_code)
            report = ingest_file(engine, files.incidents, files.source_map)
            imported += report.inserted + report.updated + report.unchanged
            rejected += report.rejected
            exports.append(files)
    return DemoSummary(
        exports=exports,
        rows_written=sum(files.rows for files in exports),
        rows_imported=imported,
        rows_rejected=rejected,
        waiting_seconds=waiting,
        total_seconds=time.perf_counter() - started,
    )
