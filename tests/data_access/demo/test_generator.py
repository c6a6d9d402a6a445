"""Tests of the demo generator's exports, before any import."""

from __future__ import annotations

import pandas as pd

from dashboard.config import GEODATA_DIR
from data_access.demo import write_demo_exports


def _write(folder, seed, countries=("KNA", "LCA")):
    return write_demo_exports(
        GEODATA_DIR, folder, seed=seed, scale=0.01, countries=countries
    )


def test_same_seed_same_files(tmp_path):
    first = _write(tmp_path / "first", 7)
    second = _write(tmp_path / "second", 7)
    for mine, other in zip(first, second, strict=True):
        for name in ("incidents", "source_map", "correspondence"):
            assert getattr(mine, name).read_bytes() == getattr(other, name).read_bytes()


def test_different_seeds_differ(tmp_path):
    first = _write(tmp_path / "first", 7)
    second = _write(tmp_path / "second", 8)
    for mine, other in zip(first, second, strict=True):
        assert mine.incidents.read_bytes() != other.incidents.read_bytes()


def test_correspondence_table_contents(tmp_path):
    (files,) = _write(tmp_path, 7, countries=("LCA",))
    table = pd.read_csv(files.correspondence, dtype=str, keep_default_na=False)
    assert len(table) >= 200
    assert table["national_code"].is_unique
    assert table["national_code"].str.startswith("0").any()
    assert set(table["status"]) == {"mapped", "excluded", "pending"}
    assert (table.loc[table["status"] == "mapped", "iccs_code"] != "").all()
    assert "Sudden death" in set(
        table.loc[table["status"] == "excluded", "description"]
    )


def test_export_uses_retired_codes(tmp_path):
    (files,) = _write(tmp_path, 7, countries=("GUY",))
    table = pd.read_csv(files.correspondence, dtype=str, keep_default_na=False)
    export = pd.read_csv(files.incidents, dtype=str, keep_default_na=False)
    used = set(export["offences"].str.split(";").explode())
    unknown = used - set(table["national_code"])
    assert len(unknown) == 2


def test_every_country_code_style_unique(tmp_path):
    for files in _write(tmp_path, 7, countries=("ATG", "BRB", "SUR")):
        table = pd.read_csv(files.correspondence, dtype=str, keep_default_na=False)
        assert table["national_code"].is_unique, files.country_code
