"""A seeded demo of ten years of incidents in the eight countries.

``write_demo_exports`` writes one records export per country (CSV), with its source
map (TOML) and correspondence table (CSV). ``build_demo_warehouse`` loads the
geography and imports those files through the ordinary import.
"""

from data_access.demo.build import (
    COUNTRY_CODES,
    DEFAULT_SEED,
    GENERATOR_VERSION,
    DemoSummary,
    build_demo_warehouse,
    write_demo_exports,
)

__all__ = [
    "COUNTRY_CODES",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "DemoSummary",
    "build_demo_warehouse",
    "write_demo_exports",
]
