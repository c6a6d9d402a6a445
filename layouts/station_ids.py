"""Component ids of the Station workspace page."""

COUNTRY = "station-country"
STATION = "station-station"
SUMMARY = "station-summary"
