"""Import of police records exports and correspondence tables into the warehouse.

``ingest_file`` validates every row of an export, writes the good rows in one
transaction with a quarantine entry for each bad cell, and rebuilds the country's
rollups. ``import_correspondence`` loads a country's offence-code table.
"""

from data_access.ingest.correspondence import import_correspondence
from data_access.ingest.errors import (
    CorrespondenceError,
    IngestError,
    SourceMapError,
    UnreadableFileError,
)
from data_access.ingest.pipeline import ingest_file
from data_access.ingest.report import ImportReport

__all__ = [
    "CorrespondenceError",
    "ImportReport",
    "IngestError",
    "SourceMapError",
    "UnreadableFileError",
    "import_correspondence",
    "ingest_file",
]
