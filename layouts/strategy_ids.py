"""Component ids of the Strategy page."""

BODY = "strategy-body"
