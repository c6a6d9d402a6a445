"""WSGI entry point for gunicorn: ``gunicorn 'dashboard.wsgi:create_server()'``.

The server is built when gunicorn calls ``create_server``, in each worker, from the
environment variables described in ``dashboard.config``; importing this module
builds nothing.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.app import create_app
from dashboard.config import Settings


def create_server(settings: Settings | None = None) -> Flask:
    """Build the dashboard and return its Flask server.

    Parameters
    ----------
    settings
        Configuration; read from the environment when ``None``.

    Returns
    -------
    flask.Flask
        The server. With ``settings.trusted_proxies`` above 0, its WSGI app reads
        the client's address, scheme and host from that many proxies'
        ``X-Forwarded-*`` headers.
    """
    settings = settings or Settings.from_env()
    server = create_app(settings).server
    hops = settings.trusted_proxies
    if hops:
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    return server
