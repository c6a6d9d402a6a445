"""Exports of the policy and regional pages: no hidden value, no incident row."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from analysis import policy_cubes as cubes
from data_access import indicator_queries as queries
from data_access.app_tables import audit_log
from data_access.scope import Scope
from tests.dashboard.policy_helpers import COUNTRIES, seed_policy

QUERY = "country=LCA&year_from=2019&year_to=2023&divisions=0101,0102,0204,0501"
THRESHOLD = 3
COUNT_COLUMNS = (
    "incidents",
    "persons",
    "victims",
    "firearm_incidents",
    "all_incidents",
)
RATE_COLUMNS = ("per_10k", "per_100k", "pooled_3y_per_100k", "smoothed_per_100k")
# Columns of incident rows, which no aggregate export may contain.
INCIDENT_COLUMNS = {"source_id", "lon", "lat", "occurred_from", "station_code"}


@pytest.fixture
def policy_engine(seeded_engine):
    """Return the seeded warehouse with the yearly counts of the policy pages."""
    seed_policy(seeded_engine)
    return seeded_engine


def _true_sections(engine):
    incidents = queries.yearly_incidents(engine, Scope.everything(), "LCA", 2017, 2023)
    categories = queries.iccs_categories(engine, Scope.everything())
    divisions = categories.loc[categories["level"] == 2, "code"]
    cube = cubes.offence_cube(incidents, divisions, range(2017, 2024))
    return cube.counts


def _sheets(body: bytes) -> dict[str, list[dict]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def _csv_tables(body: bytes) -> dict[str, list[dict]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    tables = {}
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        tables[name.removesuffix(".csv")] = [
            {key: (value if value != "" else None) for key, value in row.items()}
            for row in rows
        ]
    return tables


def _check_no_small_counts(tables: dict[str, list[dict]]) -> int:
    checked = 0
    for name, rows in tables.items():
        if name == "metadata":
            continue
        for row in rows:
            for column in COUNT_COLUMNS:
                value = row.get(column)
                if value is None:
                    continue
                assert not 1 <= float(value) <= THRESHOLD, (name, column, row)
                checked += 1
            hidden = any(row.get(c) is None for c in COUNT_COLUMNS if c in row)
            if hidden:
                for column in RATE_COLUMNS:
                    assert row.get(column) is None, (name, column, row)
    return checked


def _check_sections(rows: list[dict], truth) -> None:
    for row in rows:
        true_count = truth.loc[(int(row["year"]), row["code"])]
        if row["incidents"] is None:
            continue
        assert int(float(row["incidents"])) == true_count, row
    hidden = {(int(r["year"]), r["code"]) for r in rows if r["incidents"] is None}
    for (year, code), true_count in truth.items():
        if 1 <= true_count <= THRESHOLD and any(
            int(r["year"]) == year and r["code"] == code for r in rows
        ):
            assert (year, code) in hidden


def test_excel_export_has_no_hidden_value(policy_engine, login_as):
    client = login_as("ministry")

    response = client.get(f"/export/indicators.xlsx?{QUERY}")

    assert response.status_code == 200
    sheets = _sheets(response.data)
    assert list(sheets)[0] == "metadata"
    assert {"sections", "divisions", "homicide", "youth", "areas"} <= set(sheets)
    assert _check_no_small_counts(sheets) > 100
    truth = _true_sections(policy_engine)
    _check_sections(sheets["sections"] + sheets["divisions"], truth)
    division_cells = {(r["code"], r["year"]): r for r in sheets["divisions"]}
    section_cells = {(r["code"], r["year"]): r for r in sheets["sections"]}
    # 2023: 0204 (2) and 0102 (1) are hidden. Section 02 is 0204 alone, so
    # it is hidden, and section 01 (26) beside it in the sum of sections; 01
    # is hidden, so 0101 (25) may show: 01 - 0101 is not known.
    assert division_cells[("0102", 2023)]["incidents"] is None
    assert division_cells[("0204", 2023)]["incidents"] is None
    assert section_cells[("02", 2023)]["incidents"] is None
    assert section_cells[("01", 2023)]["incidents"] is None
    assert division_cells[("0101", 2023)]["incidents"] == 25
    # 2022 has no 0102: 01 equals 0101, so hiding 01 hides 0101 too.
    assert division_cells[("0101", 2022)]["incidents"] is None
    assert division_cells[("0501", 2023)]["incidents"] == 250
    assert division_cells[("0501", 2023)]["per_100k"] == pytest.approx(250 / 1.5)


def test_homicide_victims_hidden_with_incidents(policy_engine, login_as):
    client = login_as("ministry")

    sheets = _sheets(client.get(f"/export/indicators.xlsx?{QUERY}").data)

    divisions = {(r["code"], r["year"]): r["incidents"] for r in sheets["divisions"]}
    victims = {
        r["year"]: r["persons"]
        for r in sheets["homicide"]
        if (r["sex"], r["age_band"]) == (cubes.ALL, cubes.ALL)
    }
    # 2022: 0101 (25) is hidden to protect 0204, and its 17 victims with it,
    # or section 01 minus them would give the others of section 01.
    assert divisions[("0101", 2022)] is None
    assert victims[2022] is None
    # 2023: 0101 shows, and so do its victims.
    assert divisions[("0101", 2023)] == 25
    assert victims[2023] == 17


def test_regional_homicide_hidden_with_incidents(policy_engine, login_as):
    response = login_as("observatory").get(
        "/export/regional.xlsx?year_from=2019&year_to=2023&categories=01,0101"
    )

    sheets = _sheets(response.data)
    rates = {
        (r["country_code"], r["code"], r["year"]): r["incidents"]
        for r in sheets["regional_rates"]
    }
    victims = {
        (r["country_code"], r["year"]): r["victims"]
        for r in sheets["homicide_comparison"]
    }
    assert rates[("LCA", "0101", 2022)] is None
    assert victims[("LCA", 2022)] is None
    assert rates[("LCA", "0101", 2023)] == 25
    assert victims[("LCA", 2023)] == 17


def test_excel_metadata_names_unit_and_rule(policy_engine, login_as):
    response = login_as("ministry").get(f"/export/indicators.xlsx?{QUERY}")

    metadata = _sheets(response.data)["metadata"]
    fields = {(row["table"], row["field"]): row["value"] for row in metadata}

    assert fields[("sections", "Counting unit")].startswith("Incidents")
    assert "occurred" in fields[("sections", "Date basis")]
    assert "from 1 to 3 are hidden" in fields[("sections", "Suppression rule")]
    assert "World Bank" in fields[("sections", "Population")]
    assert "10 to 29" in fields[("youth", "Youth definition")]
    linked = fields[("homicide", "Linked suppression")]
    assert "ICCS 0101 incident count is hidden" in linked
    assert "ICCS 0204" in fields[("trafficking", "Linked suppression")]


def test_csv_zip_has_no_hidden_value(policy_engine, login_as):
    response = login_as("ministry").get(f"/export/indicators.zip?{QUERY}")

    assert response.status_code == 200
    tables = _csv_tables(response.data)
    assert "metadata" in tables
    assert _check_no_small_counts(tables) > 100
    _check_sections(tables["sections"], _true_sections(policy_engine))


def test_pdf_report_made_offline(policy_engine, login_as):
    response = login_as("ministry").get(f"/export/indicators.pdf?{QUERY}")

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = reader.pages[0].extract_text()
    assert "Policy indicators, LCA, 2019 to 2023" in text
    assert "Suppression rule" in text


def test_exports_written_to_audit_log(policy_engine, login_as):
    login_as("ministry").get(f"/export/indicators.xlsx?{QUERY}")

    with policy_engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.username, audit_log.c.object).where(
                audit_log.c.action == "export"
            )
        ).all()

    assert [tuple(row) for row in rows] == [("ministry", "indicators LCA")]


def test_other_country_export_rejected(policy_engine, login_as):
    response = login_as("ministry").get(
        "/export/indicators.xlsx?country=BRB&year_from=2019&year_to=2023"
    )

    assert response.status_code == 403
    with policy_engine.connect() as connection:
        details = connection.scalars(
            select(audit_log.c.detail).where(audit_log.c.action == "refused")
        ).all()
    assert any("'BRB' is outside" in detail for detail in details)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("observatory", "/export/indicators.xlsx", 403),
        ("station", "/export/indicators.xlsx", 403),
        ("ministry", "/export/regional.xlsx", 403),
        ("commissioner", "/export/regional.zip", 403),
        ("observatory", "/export/regional.zip", 200),
    ],
    ids=["observatory", "station", "ministry-regional", "commissioner", "allowed"],
)
def test_export_needs_page_role(policy_engine, login_as, username, path, status):
    response = login_as(username).get(f"{path}?{QUERY}")

    assert response.status_code == status


def test_logged_out_export_rejected(policy_engine, app):
    response = app.server.test_client().get(f"/export/indicators.xlsx?{QUERY}")

    assert response.status_code == 401


def test_regional_export_has_eight_countries(policy_engine, login_as):
    response = login_as("observatory").get(
        "/export/regional.xlsx?year_from=2019&year_to=2023&categories=0101,05,0501"
    )

    sheets = _sheets(response.data)
    rates = sheets["regional_rates"]
    assert sorted({row["country_code"] for row in rates}) == sorted(COUNTRIES)
    assert _check_no_small_counts(sheets) > 50
    guyana = next(
        r
        for r in rates
        if (r["country_code"], r["code"], r["year"]) == ("GUY", "05", 2023)
    )
    # Guyana: 23 + 230 + 10 mapped of 23 + 230 + 10 + 90 incidents.
    assert guyana["mapping_coverage"] == pytest.approx(263 / 353)
    assert guyana["coverage_warning"] is True
    homicide = sheets["homicide_comparison"]
    barbados = next(
        r for r in homicide if (r["country_code"], r["year"]) == ("BRB", 2019)
    )
    assert barbados["unodc_per_100k"] == pytest.approx(17.069246)


def _export_rules(app):
    for rule in app.server.url_map.iter_rules():
        if rule.rule.startswith(("/_", "/assets")):
            continue
        if rule.rule in ("/", "/<path:path>", "/login", "/logout", "/favicon.ico"):
            continue
        if "GET" in rule.methods:
            yield rule


def _sample_url(rule) -> str:
    url = rule.rule.replace("<int:plan_id>", "1").replace("<kind>", "xlsx")
    return url.replace("<path:filename>", "x")


@pytest.mark.parametrize("username", ["ministry", "observatory"])
def test_no_incident_rows_for_aggregate_roles(policy_engine, app, login_as, username):
    client = login_as(username)
    reached = []

    for rule in _export_rules(app):
        url = _sample_url(rule)
        response = client.get(f"{url}?{QUERY}")
        if response.status_code != 200:
            assert response.status_code in (400, 403, 404), url
            continue
        reached.append(rule.rule)
        if url.endswith(".xlsx"):
            for name, rows in _sheets(response.data).items():
                columns = set(rows[0]) if rows else set()
                assert not columns & INCIDENT_COLUMNS, (url, name)

    expected = {
        "ministry": ["/export/indicators.<kind>"],
        "observatory": ["/export/regional.<kind>"],
    }
    assert reached == expected[username]


def test_export_past_last_data_year(policy_engine, login_as):
    client = login_as("ministry")

    response = client.get(
        "/export/indicators.xlsx?country=LCA&year_from=2022&year_to=2026"
    )

    assert response.status_code == 200
    areas = _sheets(response.data)["areas"]
    # The warehouse has Saint Lucia's counts up to February 2024.
    assert areas
    assert {row["year"] for row in areas} == {2024}
