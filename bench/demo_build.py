"""Measure a full build of the demo warehouse, generation and import included.

Usage: python bench/demo_build.py [--scale 1.0] [--seed 2015] [--folder DIR]

Builds ``demo.sqlite`` in a new temporary folder (or ``--folder``) the way
``crimedash demo`` does, then prints the wall time, the rows imported and the size
of the SQLite file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dashboard.demo import DATABASE_NAME, prepare_demo


def main() -> None:
    """Parse arguments, build the demo once and print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="crimedash_demo_"))

    started = time.perf_counter()
    prepare_demo(folder, seed=args.seed, scale=args.scale, rebuild=True)
    elapsed = time.perf_counter() - started
    size = (folder / DATABASE_NAME).stat().st_size
    print(f"folder: {folder}")
    print(f"build: {elapsed:.1f} s wall, scale {args.scale}, seed {args.seed}")
    print(f"warehouse: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
