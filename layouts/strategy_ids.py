"""Component ids of the Strategy view."""

BODY = "strategy-body"

# Choosing what to read.
COUNTRY = "strategy-country"
MONTH = "strategy-month"
DIVISION = "strategy-division"
CATEGORIES = "strategy-categories"
UNIT = "strategy-unit"
BASIS = "strategy-basis"
YOUTH_BAND = "strategy-youth-band"
NOTICE = "strategy-notice"

# National trends.
TRENDS = "strategy-trends"
TREND_FLAGS = "strategy-trend-flags"

# Stations: league table and map.
STATIONS = "strategy-stations"
STATION_TABLE = "strategy-station-table"
STATION_MAP = "strategy-station-map"
MAP_COLOUR = "strategy-map-colour"
MAP_NOTE = "strategy-map-note"

# Youth and gender, firearms.
PEOPLE = "strategy-people"

# Data quality by station.
QUALITY = "strategy-quality"
QUALITY_TABLE = "strategy-quality-table"

# Action plans.
PLANS = "strategy-plans"
PLANS_TABLE = "strategy-plans-table"
PLANS_PREVIOUS_TABLE = "strategy-plans-previous-table"
