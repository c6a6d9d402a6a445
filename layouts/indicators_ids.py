"""Component ids of the Indicators page."""

BODY = "indicators-body"
