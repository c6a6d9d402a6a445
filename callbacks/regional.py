"""Callbacks of the Regional comparison page: none yet, it shows its heading."""

from __future__ import annotations

from dash import Dash


def register_callbacks(app: Dash) -> None:
    """Register the page's callbacks; the page has none yet."""
