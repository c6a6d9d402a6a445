"""Callbacks of the Indicators page: none yet, the page shows its heading only."""

from __future__ import annotations

from dash import Dash


def register_callbacks(app: Dash) -> None:
    """Register the page's callbacks; the page has none yet."""
