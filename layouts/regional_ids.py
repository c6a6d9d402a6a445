"""Component ids of the Regional comparison page."""

BODY = "regional-body"
