"""WSGI entry point for gunicorn: ``gunicorn 'dashboard.wsgi:create_server()'``.

The server is built when gunicorn calls ``create_server``, in each worker, from the
environment variables described in ``dashboard.config``; importing this module
builds nothing.
"""

from __future__ import annotations

from flask import Flask

from dashboard.app import create_app
from dashboard.config import Settings


def create_server() -> Flask:
    """Build the dashboard from the environment and return its Flask server."""
    return create_app(Settings.from_env()).server
