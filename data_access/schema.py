"""Warehouse schema: one SQLAlchemy Core metadata for SQLite and PostgreSQL.

Times are stored as naive local date-times of the country they belong to (its IANA time
zone is on ``country``), and the month an incident falls in is stored as an integer
``YYYYMM``. Month grouping is then plain integer grouping, the same on both engines,
and never depends on how a driver treats time-zone offsets.

Text that comes from police exports (source ids, offence codes, statuses, station
codes) is stored as unbounded ``Text``, so a long value is never rejected by
PostgreSQL while SQLite would have accepted it.

Geometries are stored as longitude/latitude columns for points and as WKT text in
WGS84 (EPSG:4326) for areas, which both engines hold without a spatial extension.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# ICCS code stored in rollups for offences whose national code has no ICCS code yet,
# and for offences the correspondence table excludes as not a crime.
UNMAPPED = "UNMAPPED"
EXCLUDED = "EXCLUDED"

# Age bands of the rollups, closed at both ends, in years. Youth bands used by the
# pages (10-29, 15-24, 15-29) are unions of these bands.
AGE_BANDS = (
    ("0-9", 0, 9),
    ("10-14", 10, 14),
    ("15-17", 15, 17),
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60+", 60, 200),
)
AGE_UNKNOWN = "unknown"
ALL = "all"

# An entry recorded more than this many days after the occurrence began is late.
LATE_ENTRY_DAYS = 30

# Station id used in rollups for incidents that no station area contains.
NO_STATION = 0

country = Table(
    "country",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("timezone", String(64), nullable=False),
)

division = Table(
    "division",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(120), nullable=False),
    UniqueConstraint("country_code", "code"),
)

admin_area = Table(
    "admin_area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(120), nullable=False),
    Column("geometry_wkt", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    UniqueConstraint("country_code", "code"),
)

station = Table(
    "station",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("division_id", ForeignKey("division.id")),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("admin_area_code", String(32)),
    Column("lon", Float),
    Column("lat", Float),
    Column("area_wkt", Text),
    Column("is_demo", Boolean, nullable=False, default=False),
    UniqueConstraint("country_code", "code"),
)

# Population of an area in a year. ``area_type`` is country, admin_area or station;
# ``sex`` is M, F or all; ``age_band`` is one of AGE_BANDS or all.
population = Table(
    "population",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("area_type", String(16), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sex", String(8), nullable=False, default=ALL),
    Column("age_band", String(16), nullable=False, default=ALL),
    Column("population", Float, nullable=False),
    Column("is_estimate", Boolean, nullable=False, default=False),
    Column("source", Text, nullable=False, default=""),
    UniqueConstraint(
        "country_code", "area_type", "area_code", "year", "sex", "age_band"
    ),
)

iccs_category = Table(
    "iccs_category",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("parent_code", String(6)),
    Column("name", Text, nullable=False),
    CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
)

# A country's correspondence table from national offence codes to ICCS.
offence_code = Table(
    "offence_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("national_code", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("iccs_code", ForeignKey("iccs_category.code")),
    Column("status", Text, nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    CheckConstraint(
        "status IN ('mapped', 'excluded', 'pending')", name="status_values"
    ),
    UniqueConstraint("country_code", "national_code", "valid_from"),
)

import_run = Table(
    "import_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", String(16), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", ForeignKey("import_run.id"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    # Digest of the country, the row's content, field, value and reason, so that
    # importing the same row again adds no second entry. Empty on cells stored
    # before the column existed.
    Column("cell_key", String(32)),
)
Index("ix_quarantine_cell_key", quarantine.c.cell_key)

incident = Table(
    "incident",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", ForeignKey("country.code"), nullable=False),
    Column("source_id", Text, nullable=False),
    Column("station_id", ForeignKey("station.id")),
    Column("occurred_from", DateTime, nullable=False),
    Column("occurred_to", DateTime),
    Column("reported_at", DateTime),
    Column("occurred_month", Integer, nullable=False),
    Column("reported_month", Integer),
    Column("recorded_at", DateTime),
    Column("lon", Float),
    Column("lat", Float),
    # Why a point is missing from the map: missing, zero, out_of_range, swapped,
    # outside_station_areas; empty when the point is usable.
    Column("coord_flag", String(24), nullable=False, default=""),
    Column("location_type", Text),
    Column("weapon", Text),
    Column("status", Text),
    Column("firearm", Boolean, nullable=False, default=False),
    Column("principal_national_code", Text),
    Column("principal_iccs_code", String(16), nullable=False),
    Column("principal_attempted", Boolean, nullable=False, default=False),
    # Per-incident counts kept for the data-quality rollup, so that it is one
    # grouped scan of this table on both engines.
    Column("offence_count", Integer, nullable=False, default=0),
    Column("unmapped_count", Integer, nullable=False, default=0),
    Column("victim_count", Integer, nullable=False, default=0),
    Column("victims_missing_age", Integer, nullable=False, default=0),
    Column("victims_missing_sex", Integer, nullable=False, default=0),
    # Whole days from the start of the occurrence to the entry in the records
    # system; empty when the export has no entry time.
    Column("record_delay_days", Integer),
    Column("content_hash", String(64), nullable=False),
    Column("last_import_id", ForeignKey("import_run.id")),
    UniqueConstraint("country_code", "source_id"),
)
Index("ix_incident_station_month", incident.c.station_id, incident.c.occurred_month)
Index(
    "ix_incident_station_reported",
    incident.c.station_id,
    incident.c.reported_month,
)

offence = Table(
    "offence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "incident_id",
        ForeignKey("incident.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),
    Column("national_code", Text, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False, default=False),
)

victim = Table(
    "victim",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "incident_id",
        ForeignKey("incident.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),
    Column("sex", String(1)),
    Column("age", Integer),
    # Relationship of the victim to the suspect: intimate_partner, family,
    # acquaintance, stranger, or empty where not recorded.
    Column("relationship", String(32)),
)

suspect = Table(
    "suspect",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "incident_id",
        ForeignKey("incident.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),
    Column("sex", String(1)),
    Column("age", Integer),
)

# Monthly counts, rebuilt for a country by every import. One row per station, date
# basis (occurred or reported), month, ICCS code, attempted flag, person role, sex
# and age band. Rows with person_role "all" carry incident and offence counts;
# rows with person_role "victim" or "suspect" count people of that sex and age band.
rollup_monthly = Table(
    "rollup_monthly",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("station_id", Integer, nullable=False),
    Column("basis", String(10), nullable=False),
    Column("month", Integer, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("person_role", String(8), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("age_band", String(16), nullable=False),
    Column("incidents", Integer, nullable=False, default=0),
    Column("offences", Integer, nullable=False, default=0),
    Column("persons", Integer, nullable=False, default=0),
    Column("firearm_incidents", Integer, nullable=False, default=0),
)
Index(
    "ix_rollup_station_month",
    rollup_monthly.c.station_id,
    rollup_monthly.c.basis,
    rollup_monthly.c.month,
)
Index(
    "ix_rollup_country_month",
    rollup_monthly.c.country_code,
    rollup_monthly.c.basis,
    rollup_monthly.c.month,
)
# Covers the country-wide reads of the Strategy view (ten years by month and
# category, people by sex and age band): every column they read is in the index,
# so SQLite answers from the index alone, and PostgreSQL too once the table is
# vacuumed (an index-only scan needs the visibility map).
Index(
    "ix_rollup_country_role_month",
    *(
        rollup_monthly.c[name]
        for name in (
            "country_code",
            "basis",
            "person_role",
            "month",
            "iccs_code",
            "station_id",
            "sex",
            "age_band",
            "incidents",
            "offences",
            "persons",
            "firearm_incidents",
        )
    ),
)

# Victims by their recorded relationship to the suspect, rebuilt with the other
# rollups: intimate_partner, family, acquaintance, stranger, other, or "unknown"
# where none is recorded. Keys as in ``rollup_monthly``; each victim counts once,
# under the principal offence of the incident.
RELATIONSHIP_UNKNOWN = "unknown"
rollup_relationship = Table(
    "rollup_relationship",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("station_id", Integer, nullable=False),
    Column("basis", String(10), nullable=False),
    Column("month", Integer, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("relationship", String(32), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("victims", Integer, nullable=False),
)
Index(
    "ix_relationship_country_month",
    rollup_relationship.c.country_code,
    rollup_relationship.c.basis,
    rollup_relationship.c.month,
)

# Sums of ``rollup_monthly`` over every station of a country, rebuilt with it, so
# that the country-wide reads of the Strategy view read one row per code and month
# rather than one per station, code and month. Keys and counts as in
# ``rollup_monthly`` without the station.
rollup_country_monthly = Table(
    "rollup_country_monthly",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("basis", String(10), nullable=False),
    Column("month", Integer, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("person_role", String(8), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("age_band", String(16), nullable=False),
    Column("incidents", Integer, nullable=False),
    Column("offences", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("firearm_incidents", Integer, nullable=False),
)
# Covers every read of the table, as ``ix_rollup_country_role_month`` does.
Index(
    "ix_country_monthly_role_month",
    *(
        rollup_country_monthly.c[name]
        for name in (
            "country_code",
            "basis",
            "person_role",
            "month",
            "iccs_code",
            "sex",
            "age_band",
            "incidents",
            "offences",
            "persons",
            "firearm_incidents",
        )
    ),
)

# Victims and suspects of a country by month, sex and age band, every offence but the
# excluded ones summed: the Strategy view's youth panel when no division or category
# is chosen. Rebuilt with ``rollup_monthly``.
rollup_country_people = Table(
    "rollup_country_people",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("basis", String(10), nullable=False),
    Column("month", Integer, nullable=False),
    Column("person_role", String(8), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("age_band", String(16), nullable=False),
    Column("persons", Integer, nullable=False),
)
Index(
    "ix_country_people_month",
    rollup_country_people.c.country_code,
    rollup_country_people.c.basis,
    rollup_country_people.c.month,
)

# Yearly sums of ``rollup_country_monthly`` by month of occurrence, rebuilt with it,
# so that the policy and regional pages read a few thousand rows per country. A
# year is the months YYYY01 to YYYY12. Keys and counts are those of
# ``rollup_monthly`` without the station and the date basis. ICCS codes are cut
# to their division (four digits), the finest level those pages show, and
# ``UNMAPPED`` and ``EXCLUDED`` are kept as they are.
rollup_yearly = Table(
    "rollup_yearly",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("person_role", String(8), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("age_band", String(16), nullable=False),
    Column("incidents", Integer, nullable=False),
    Column("offences", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("firearm_incidents", Integer, nullable=False),
)
# Covers every read of the table, so that a read of one role is a scan of
# consecutive index entries without a look-up of each row, narrowed to a range
# of codes when the read names a code prefix.
Index(
    "ix_yearly_country_role_code",
    *(
        rollup_yearly.c[name]
        for name in (
            "country_code",
            "person_role",
            "iccs_code",
            "year",
            "attempted",
            "sex",
            "age_band",
            "incidents",
            "offences",
            "persons",
            "firearm_incidents",
        )
    ),
)

# Yearly sums of ``rollup_relationship`` by month of occurrence, without the station
# and with ICCS codes cut to their division, as in ``rollup_yearly``.
rollup_yearly_relationship = Table(
    "rollup_yearly_relationship",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("iccs_code", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("relationship", String(32), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("victims", Integer, nullable=False),
)
Index(
    "ix_yearly_relationship_country_year",
    rollup_yearly_relationship.c.country_code,
    rollup_yearly_relationship.c.year,
)

# Incidents of each station and year by month of occurrence, every offence but the
# excluded ones, for counts by the admin area of the station. The area is read from
# ``station`` when the counts are read, so a new geography load needs no rebuild.
rollup_yearly_station = Table(
    "rollup_yearly_station",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("station_id", Integer, nullable=False),
    Column("incidents", Integer, nullable=False),
)
Index(
    "ix_yearly_station_country_year",
    rollup_yearly_station.c.country_code,
    rollup_yearly_station.c.year,
)

# Data quality of each station and month (occurrence basis), rebuilt with the
# rollups. Delay is days from occurrence to recording, kept as counts per band so that
# medians of any set of months can be read back.
rollup_quality = Table(
    "rollup_quality",
    metadata,
    Column("country_code", String(16), nullable=False),
    Column("station_id", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("incidents", Integer, nullable=False),
    Column("without_coordinates", Integer, nullable=False),
    Column("offences", Integer, nullable=False),
    Column("unmapped_offences", Integer, nullable=False),
    Column("victims", Integer, nullable=False),
    Column("victims_missing_age", Integer, nullable=False),
    Column("victims_missing_sex", Integer, nullable=False),
    Column("recorded_late", Integer, nullable=False),
    Column("delay_days_0", Integer, nullable=False),
    Column("delay_days_1", Integer, nullable=False),
    Column("delay_days_2_7", Integer, nullable=False),
    Column("delay_days_8_30", Integer, nullable=False),
    Column("delay_days_31_plus", Integer, nullable=False),
    Column("delay_unknown", Integer, nullable=False),
)
Index(
    "ix_quality_country_month",
    rollup_quality.c.country_code,
    rollup_quality.c.month,
)

# One row per change to the warehouse's content (its creation, an import, a
# correspondence load), written in the same transaction. Cached results are keyed on
# the random token of the latest row, which differs between two warehouses too.
warehouse_generation = Table(
    "warehouse_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(32), nullable=False),
    Column("reason", Text, nullable=False),
)

# Columns added to tables that older warehouses already have. ``create_all`` never
# changes an existing table, so ``init_warehouse`` adds these with their indexes.
ADDED_COLUMNS = ((quarantine, "cell_key"),)
